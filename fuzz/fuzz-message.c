/* Fuzz the whole message walk with every extractor plugged in. Limits are
 * lowered so one input stays fast. Checks: every segment is valid UTF-8
 * and the status agrees with the defects. */
#include <stdint.h>
#include <stdlib.h>

#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_segment(const bs_segment *seg, void *user)
{
	size_t *total = user;

	if (!g_utf8_validate_len(seg->text, seg->len, NULL) || !seg->part ||
	    (unsigned)seg->where >= BS_WHERE_COUNT)
		abort();
	*total += seg->len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bs_mail_limits lim;
	bs_mail_info info;
	size_t total = 0;
	char *reason;

	if (size > (1u << 20))
		return 0;
	bs_extract_limits_init(&lim);
	lim.max_bytes = 16u << 20;
	lim.attachment_ms = 1000;
	bs_mail_info_init(&info);
	if (!bs_mail_walk((const char *)data, size, &lim, check_segment, &total, &info, NULL))
		abort();
	reason = bs_mail_info_reason_dup(&info);
	if ((info.status != BS_MAIL_OK && !reason) || info.text_len != total)
		abort();
	g_free(reason);
	bs_mail_info_fini(&info);
	return 0;
}
