/* Fuzz one extractor at a time: the first byte picks it (text, HTML, PDF,
 * OOXML, ODF, RTF, zip, message, libarchive), the rest is the attachment. Checks:
 * every segment is valid UTF-8 and expanded bytes stay under the cap. */
#include <stdint.h>
#include <stdlib.h>

#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOOK(kind, fn)                                                                             \
	static void fn(bs_mail_ctx *ctx, const bs_attachment *att)                                 \
	{                                                                                          \
		bs_extract_as(ctx, kind, att);                                                     \
	}
HOOK(BS_EXTRACT_TEXT, hook_text)
HOOK(BS_EXTRACT_HTML, hook_html)
HOOK(BS_EXTRACT_PDF, hook_pdf)
HOOK(BS_EXTRACT_OOXML, hook_ooxml)
HOOK(BS_EXTRACT_ODF, hook_odf)
HOOK(BS_EXTRACT_RTF, hook_rtf)
HOOK(BS_EXTRACT_ZIP, hook_zip)
HOOK(BS_EXTRACT_MESSAGE, hook_message)
HOOK(BS_EXTRACT_ARCHIVE, hook_archive)

static bs_attachment_fn *const hooks[] = {hook_text, hook_html, hook_pdf,     hook_ooxml,  hook_odf,
                                          hook_rtf,  hook_zip,  hook_message, hook_archive};

static void
check_segment(const bs_segment *seg, void *user)
{
	if (!g_utf8_validate_len(seg->text, seg->len, NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bs_mail_limits lim;
	bs_mail_info info;
	bs_attachment att = {NULL, NULL, NULL, NULL, 0};

	if (size < 1 || size > (1u << 20))
		return 0;
	bs_extract_limits_init(&lim);
	lim.max_bytes = 16u << 20;
	lim.attachment_ms = 1000;
	lim.extract = hooks[data[0] % G_N_ELEMENTS(hooks)];
	att.data = (const char *)data + 1;
	att.len = size - 1;
	bs_mail_info_init(&info);
	if (!bs_mail_walk_attachment(&att, &lim, check_segment, NULL, &info, NULL))
		abort();
	if (info.expanded_len > lim.max_bytes)
		abort();
	bs_mail_info_fini(&info);
	return 0;
}
