/* Fuzzes the JSON side of signins: the record cutter, jansson on each
 * record, the sign-in and audit decoders, rules and the whole decision,
 * down to the scope and summary writers. The first byte picks sign-in (even)
 * or audit (odd) and the chunk size the reader is fed in. */
#include <stdint.h>

#include "base/json.h"
#include "signins/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const home[] = {"SE", "NO", NULL};
	bs_signins_options opts = {.home_countries = home, .contained_at_us = 1700000000000000};
	bs_signins *s;
	bs_json *j;

	if (size < 1 || size > 256 * 1024)
		return 0;
	s = bs_signins_new(&opts);
	bs_signins__add_data(s, "fuzz.json", (const char *)data + 1, size - 1, data[0] & 1);
	/* the same bytes as the other kind, so that both decoders meet the run */
	bs_signins__add_data(s, "fuzz2.json", (const char *)data + 1, size - 1, !(data[0] & 1));
	bs_signins_run(s, NULL, NULL, NULL);
	j = bs_json_new();
	bs_signins_write_scope(s, j);
	bs_signins_write_summary(s, j);
	bs_json_free(j);
	bs_signins_free(s);
	return 0;
}
