/* Text of office XML parts with libxml2's streaming reader. Text nodes are
 * appended as they come, so the runs of a Word paragraph (<w:t>) join
 * without spaces; paragraphs, cells, rows and explicit breaks add one
 * whitespace. The reader never loads a DTD or substitutes entities, and a
 * part that declares a DOCTYPE is abandoned: office formats never carry
 * one, so it can only be an entity trick. */
#include "extract/extract.h"

#include <libxml/xmlreader.h>

#include "extract/internal.h"

/* Local names that end a paragraph, cell or line in OOXML (w:, a:, x:)
 * and ODF (text:, table:). Sorted for bsearch. */
static const char *const break_names[] = {
    "br",  "c", "cr", "h",   "line-break", "list-item", "note", "p",
    "row", "s", "si", "tab", "table-cell", "tc",        "tr",
};

struct xml_text {
	bs_mail_ctx *ctx;
	bs_buf *out;
	bs_xml_mode mode;
	bool shared_cell; /* inside an xlsx cell whose value indexes sharedStrings */
	bool skip_value;  /* inside that cell's <v> */
	bool full;
};

static void
silent(void *ctx, const char *msg, ...)
{
}

static void
silent_structured(void *ctx, xmlErrorPtr err)
{
}

void
bs_extract__quiet_xml(void)
{
	xmlSetGenericErrorFunc(NULL, silent);
	xmlSetStructuredErrorFunc(NULL, silent_structured);
}

static int
compare_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool
is_break(const struct xml_text *t, const char *name)
{
	if (t->mode == BS_XML_PROPS)
		return true;
	return bsearch(name, break_names, G_N_ELEMENTS(break_names), sizeof(break_names[0]),
	               compare_name) != NULL;
}

static void
separate(struct xml_text *t)
{
	bs_buf *out = t->out;

	if (t->full || out->len == 0 || g_ascii_isspace(out->data[out->len - 1]))
		return;
	if (!bs_buf_append_c(out, '\n'))
		t->full = true;
}

static void
on_element(struct xml_text *t, xmlTextReaderPtr r, bool end)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(r);

	if (!name)
		return;
	if (t->mode == BS_XML_SHEET && !strcmp(name, "c")) {
		xmlChar *type = end ? NULL : xmlTextReaderGetAttribute(r, BAD_CAST "t");

		t->shared_cell = type && !strcmp((const char *)type, "s");
		xmlFree(type);
	} else if (t->mode == BS_XML_SHEET && !strcmp(name, "v")) {
		t->skip_value = !end && t->shared_cell;
	}
	if (is_break(t, name))
		separate(t);
}

static void
on_text(struct xml_text *t, xmlTextReaderPtr r)
{
	const xmlChar *value = xmlTextReaderConstValue(r);

	if (!value || t->skip_value || t->full)
		return;
	if (!bs_buf_append(t->out, value, strlen((const char *)value)))
		t->full = true;
}

/* Reads every node; false when the part had to be abandoned. */
static bool
read_nodes(struct xml_text *t, xmlTextReaderPtr r)
{
	uint64_t nodes = 0;
	int ret;

	while (!t->full && (ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);

		if (++nodes > BS_LIMIT_XML_NODES ||
		    ((nodes & 4095) == 0 && bs_mail_ctx_expired(t->ctx)))
			return false;
		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
			return false;
		if (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_END_ELEMENT)
			on_element(t, r, type == XML_READER_TYPE_END_ELEMENT);
		else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		         type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
			on_text(t, r);
	}
	return t->full || ret == 0;
}

void
bs_extract__office_xml(bs_mail_ctx *ctx, bs_xml_mode mode, const char *xml, size_t len)
{
	bs_buf out;
	struct xml_text t = {ctx, &out, mode, false, false, false};
	xmlTextReaderPtr r;

	if (len > INT_MAX) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_SIZE, -1);
		return;
	}
	bs_extract__quiet_xml();
	r = xmlReaderForMemory(xml, (int)len, NULL, NULL,
	                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_EXTRACT, -1);
		return;
	}
	bs_buf_init(&out, bs_mail_ctx_remaining(ctx));
	if (!read_nodes(&t, r))
		bs_mail_ctx_defect(
		    ctx, bs_mail_ctx_expired(ctx) ? BS_DEFECT_TIME : BS_DEFECT_EXTRACT, -1);
	if (t.full)
		bs_mail_ctx_defect(ctx, BS_DEFECT_SIZE, -1);
	bs_mail_ctx_emit(ctx, out.data ? out.data : "", out.len);
	xmlFreeTextReader(r);
	bs_buf_fini(&out);
}
