/* Fuzzes the CSV side of signins: the RFC 4180 reader at a chunk size the
 * first byte picks, header mapping, per-file date order, locale times, the
 * AuditData column, and the decision and writers after them. */
#include <stdint.h>

#include "base/json.h"
#include "signins/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
count_row(void *user, const bs_signins__csv_row *row)
{
	(*(size_t *)user) += row->count;
	return true;
}

static bool
count_json(void *user, const char *text, size_t len, uint64_t line, const char *broken)
{
	(*(size_t *)user) += len;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bs_signins *s;
	bs_json *j;
	size_t n = 0;

	if (size < 1 || size > 256 * 1024)
		return 0;
	/* the reader alone, fed in small pieces */
	bs_signins__read_data((const char *)data + 1, size - 1, 1 + data[0] % 16, count_json,
	                      count_row, &n);
	s = bs_signins_new(NULL);
	bs_signins__add_data(s, "fuzz.csv", (const char *)data + 1, size - 1, data[0] & 1);
	bs_signins_run(s, NULL, NULL, NULL);
	j = bs_json_new();
	bs_signins_write_scope(s, j);
	bs_json_free(j);
	bs_signins_free(s);
	return 0;
}
