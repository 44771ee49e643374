/* PDF text with poppler-glib, straight from memory, one segment per page.
 * Poppler cannot be interrupted inside a page, so the time budget is
 * checked between pages; poppler reports its own parse errors through
 * g_log at info level, which the library never enables. */
#include "extract/extract.h"

#include <poppler.h>

#include "extract/internal.h"

static void
emit_pages(bs_mail_ctx *ctx, PopplerDocument *doc)
{
	int n = poppler_document_get_n_pages(doc);

	for (int i = 0; i < n && !bs_mail_ctx_expired(ctx); i++) {
		PopplerPage *page = poppler_document_get_page(doc, i);
		g_autofree char *text = page ? poppler_page_get_text(page) : NULL;

		if (page)
			g_object_unref(page);
		if (text && !bs_mail_ctx_emit(ctx, text, strlen(text)))
			return; /* size-limit recorded */
	}
}

void
bs_extract__pdf(bs_mail_ctx *ctx, const bs_attachment *att)
{
	g_autoptr(GBytes) bytes = g_bytes_new_static(att->data, att->len);
	g_autoptr(GError) error = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &error);

	if (!doc) {
		bool locked = g_error_matches(error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED);

		bs_mail_ctx_defect(ctx, locked ? BS_DEFECT_ENCRYPTED : BS_DEFECT_EXTRACT, -1);
		return;
	}
	emit_pages(ctx, doc);
	g_object_unref(doc);
}
