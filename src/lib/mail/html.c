/* HTML to text with libxml2's HTML parser in SAX mode (no tree is built).
 * Entities arrive decoded in the characters callback; block elements and
 * <br> add one whitespace so table cells never glue into one number, and
 * inline elements add nothing so "<b>per</b>sonnummer" stays one word. */
#include "mail/mail.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "mail/internal.h"

struct html_state {
	bs_buf *out;
	unsigned skip; /* inside script/style: their text is code, not writing */
	bool full;     /* out's cap reached */
};

/* Elements that end a line or a cell when rendered (sorted for bsearch). */
static const char *const block_tags[] = {
    "address",    "article",  "aside",  "blockquote", "body",   "br",      "caption", "center",
    "dd",         "details",  "dialog", "dir",        "div",    "dl",      "dt",      "fieldset",
    "figcaption", "figure",   "footer", "form",       "frame",  "h1",      "h2",      "h3",
    "h4",         "h5",       "h6",     "head",       "header", "hr",      "html",    "iframe",
    "img",        "input",    "legend", "li",         "main",   "menu",    "nav",     "ol",
    "option",     "p",        "pre",    "section",    "select", "summary", "table",   "tbody",
    "td",         "textarea", "tfoot",  "th",         "thead",  "title",   "tr",      "ul",
};

static int
compare_tag(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool
is_block(const xmlChar *name)
{
	return bsearch(name, block_tags, G_N_ELEMENTS(block_tags), sizeof(block_tags[0]),
	               compare_tag) != NULL;
}

static bool
is_skipped(const xmlChar *name)
{
	return !strcmp((const char *)name, "script") || !strcmp((const char *)name, "style");
}

static void
separate(struct html_state *st)
{
	bs_buf *out = st->out;

	if (st->full || out->len == 0)
		return;
	if (g_ascii_isspace(out->data[out->len - 1]))
		return;
	if (!bs_buf_append_c(out, '\n'))
		st->full = true;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	struct html_state *st = ((htmlParserCtxtPtr)ctx)->_private;

	if (is_skipped(name))
		st->skip++;
	else if (is_block(name))
		separate(st);
}

static void
on_end(void *ctx, const xmlChar *name)
{
	struct html_state *st = ((htmlParserCtxtPtr)ctx)->_private;

	if (is_skipped(name)) {
		if (st->skip)
			st->skip--;
	} else if (is_block(name)) {
		separate(st);
	}
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct html_state *st = ((htmlParserCtxtPtr)ctx)->_private;

	const char *p = (const char *)ch;
	const char *end = p + (len > 0 ? len : 0);

	if (st->skip || st->full)
		return;
	/* &nbsp; (U+00A0) becomes a plain space: mail editors put it between
	 * the halves of a number ("850101&nbsp;2384") where a reader sees
	 * one space, and detect's patterns speak ASCII. */
	while (p < end && !st->full) {
		const char *nb = memmem(p, (size_t)(end - p), "\xc2\xa0", 2);
		size_t n = nb ? (size_t)(nb - p) : (size_t)(end - p);

		if (!bs_buf_append(st->out, p, n) || (nb && !bs_buf_append_c(st->out, ' ')))
			st->full = true;
		p += n + (nb ? 2 : 0);
	}
}

static void
silent(void *ctx, const char *msg, ...)
{
}

bool
bs_mail_html_to_text(const char *p, size_t len, bs_buf *out)
{
	/* The chunk size keeps int arguments in range for any input. */
	const size_t chunk = 1u << 20;
	struct html_state st = {out, 0, false};
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt;

	bs_mail__init_libraries();
	xmlSetGenericErrorFunc(NULL, silent); /* per thread: libxml2 never prints */
	memset(&sax, 0, sizeof(sax));
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_text;
	sax.ignorableWhitespace = on_text;
	sax.cdataBlock = NULL; /* script/style bodies: dropped */
	ctxt = htmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (!ctxt)
		return true;
	ctxt->_private = &st;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                             HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
	for (size_t off = 0; off < len && !st.full; off += chunk) {
		size_t n = MIN(chunk, len - off);

		htmlParseChunk(ctxt, p + off, (int)n, 0);
	}
	htmlParseChunk(ctxt, NULL, 0, 1);
	htmlFreeParserCtxt(ctxt);
	return !st.full;
}
