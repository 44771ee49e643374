/* extract: attachment text through the mail walk. Every fixture is built
 * here: zips (DOCX, XLSX, PPTX, ODT, ODS, archives, bombs) with libzip,
 * PDFs written by hand with computed xref offsets, RTF and messages as
 * strings. The robustness test writes a directory of broken messages and
 * walks it like a scanner would. */
#include "extract/extract.h"

#include <stdio.h>
#include <sys/resource.h>

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <zip.h>

#include "synth.h"

typedef struct {
	GString *all;     /* every segment's text, separated by "\x1e" */
	GPtrArray *parts; /* part path of each segment */
	GPtrArray *texts; /* text of each segment */
	GArray *wheres;   /* bs_where of each segment */
	GArray *depths;   /* depth of each segment */
	bs_mail_info info;
	char *reason;
} result;

static void
on_segment(const bs_segment *seg, void *user)
{
	result *r = user;
	unsigned depth = seg->depth;

	g_assert_true(g_utf8_validate_len(seg->text, seg->len, NULL));
	g_string_append_len(r->all, seg->text, (gssize)seg->len);
	g_string_append_c(r->all, '\x1e');
	g_ptr_array_add(r->parts, g_strdup(seg->part));
	g_ptr_array_add(r->texts, g_strndup(seg->text, seg->len));
	g_array_append_val(r->wheres, seg->where);
	g_array_append_val(r->depths, depth);
}

static result *
result_new(void)
{
	result *r = g_new0(result, 1);

	r->all = g_string_new(NULL);
	r->parts = g_ptr_array_new_with_free_func(g_free);
	r->texts = g_ptr_array_new_with_free_func(g_free);
	r->wheres = g_array_new(FALSE, FALSE, sizeof(bs_where));
	r->depths = g_array_new(FALSE, FALSE, sizeof(unsigned));
	bs_mail_info_init(&r->info);
	return r;
}

static void
result_free(result *r)
{
	g_string_free(r->all, TRUE);
	g_ptr_array_unref(r->parts);
	g_ptr_array_unref(r->texts);
	g_array_unref(r->wheres);
	g_array_unref(r->depths);
	bs_mail_info_fini(&r->info);
	g_free(r->reason);
	g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(result, result_free)

static result *
extract_with(const char *type, const char *name, const void *data, size_t len,
             const bs_mail_limits *lim)
{
	result *r = result_new();
	bs_attachment att = {type, name, NULL, data, len};

	g_assert_true(bs_mail_walk_attachment(&att, lim, on_segment, r, &r->info, NULL));
	r->reason = bs_mail_info_reason_dup(&r->info);
	return r;
}

static result *
extract(const char *type, const char *name, const void *data, size_t len)
{
	bs_mail_limits lim;

	bs_extract_limits_init(&lim);
	return extract_with(type, name, data, len, &lim);
}

static result *
walk_message(const char *msg, size_t len, const bs_mail_limits *lim)
{
	result *r = result_new();

	g_assert_true(bs_mail_walk(msg, len, lim, on_segment, r, &r->info, NULL));
	r->reason = bs_mail_info_reason_dup(&r->info);
	return r;
}

static bool
has(const result *r, const char *needle)
{
	return strstr(r->all->str, needle) != NULL;
}

static bool
has_defect(const result *r, bs_defect_code code)
{
	for (guint i = 0; i < r->info.defects->len; i++)
		if (g_array_index(r->info.defects, bs_defect, i).code == code)
			return true;
	return false;
}

/* Whether a segment at where contains needle. */
static const char *
find_where(const result *r, bs_where where, const char *needle)
{
	for (guint i = 0; i < r->texts->len; i++)
		if (g_array_index(r->wheres, bs_where, i) == where &&
		    strstr(r->texts->pdata[i], needle))
			return r->texts->pdata[i];
	return NULL;
}

/* Index of the first segment containing needle; -1 if none. */
static int
segment_with(const result *r, const char *needle)
{
	for (guint i = 0; i < r->texts->len; i++)
		if (strstr(r->texts->pdata[i], needle))
			return (int)i;
	return -1;
}

/* --- fixture builders --- */

typedef struct {
	const char *name;
	const char *data; /* NULL: use bytes */
	GBytes *bytes;
	bool store; /* no compression */
} zip_entry;

static GBytes *
make_zip(const zip_entry *entries, size_t n)
{
	zip_error_t err;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;
	char *buf;
	zip_int64_t len;

	zip_error_init(&err);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	g_assert_nonnull(src);
	zip_source_keep(src);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
	g_assert_nonnull(z);
	for (size_t i = 0; i < n; i++) {
		gsize dlen = 0;
		const void *d = entries[i].data ? (const void *)entries[i].data
		                                : g_bytes_get_data(entries[i].bytes, &dlen);
		zip_source_t *s;
		zip_int64_t idx;

		if (entries[i].data)
			dlen = strlen(entries[i].data);
		s = zip_source_buffer(z, d, dlen, 0);
		idx = zip_file_add(z, entries[i].name, s, ZIP_FL_ENC_UTF_8);
		g_assert_cmpint(idx, >=, 0);
		if (entries[i].store)
			zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	}
	g_assert_cmpint(zip_close(z), ==, 0);
	g_assert_cmpint(zip_source_stat(src, &st), ==, 0);
	g_assert_cmpint(zip_source_open(src), ==, 0);
	buf = g_malloc(st.size + 1);
	len = zip_source_read(src, buf, st.size);
	g_assert_cmpint(len, ==, (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&err);
	return g_bytes_new_take(buf, (gsize)len);
}

static const char ooxml_types[] =
    "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
    "content-types\"/>";

/* A one-part-per-page PDF with Helvetica text (WinAnsi octal escapes for
 * non-ASCII); xref offsets are computed, so poppler needs no repair. */
static GBytes *
make_pdf(const char *const *pages, size_t n)
{
	GString *pdf = g_string_new("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	GArray *offsets = g_array_new(FALSE, FALSE, sizeof(gsize));
	GString *kids = g_string_new(NULL);
	size_t objects = 3 + 2 * n;
	gsize xref, off;

#define OBJ_START() (off = pdf->len, g_array_append_val(offsets, off))
	OBJ_START();
	g_string_append(pdf, "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(kids, "%zu 0 R ", 4 + 2 * i);
	OBJ_START();
	g_string_append_printf(pdf, "2 0 obj << /Type /Pages /Kids [%s] /Count %zu >> endobj\n",
	                       kids->str, n);
	OBJ_START();
	g_string_append(pdf, "3 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
	                     "/Encoding /WinAnsiEncoding >> endobj\n");
	for (size_t i = 0; i < n; i++) {
		g_autofree char *content =
		    g_strdup_printf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", pages[i]);

		OBJ_START();
		g_string_append_printf(
		    pdf,
		    "%zu 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
		    " /Contents %zu 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
		    " endobj\n",
		    4 + 2 * i, 5 + 2 * i);
		OBJ_START();
		g_string_append_printf(pdf,
		                       "%zu 0 obj << /Length %zu >> stream\n%s\nendstream endobj\n",
		                       5 + 2 * i, strlen(content), content);
	}
#undef OBJ_START
	xref = pdf->len;
	g_string_append_printf(pdf, "xref\n0 %zu\n0000000000 65535 f \n", objects + 1);
	for (guint i = 0; i < offsets->len; i++)
		g_string_append_printf(pdf, "%010zu 00000 n \n", g_array_index(offsets, gsize, i));
	g_string_append_printf(pdf,
	                       "trailer << /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
	                       objects + 1, xref);
	g_array_unref(offsets);
	g_string_free(kids, TRUE);
	return g_string_free_to_bytes(pdf);
}

/* n zeros: compresses about a thousand to one. */
static GBytes *
zeros(size_t n)
{
	return g_bytes_new_take(g_malloc0(n), n);
}

/* --- sniffing --- */

static const struct sniff_case {
	const char *what;
	const char *type;
	const char *name;
	const char *data;
	size_t len;
	bs_extract_kind kind;
} sniff_cases[] = {
    {"pdf magic beats octet-stream", "application/octet-stream", "x.bin", "%PDF-1.7", 8,
     BS_EXTRACT_PDF},
    {"png magic beats a .txt name", "application/octet-stream", "notes.txt", "\x89PNG\r\n", 6,
     BS_EXTRACT_NONE},
    {"jpeg magic beats text/plain type", "text/plain", "x.txt", "\xff\xd8\xff\xe0", 4,
     BS_EXTRACT_NONE},
    {"rtf magic", NULL, NULL, "{\\rtf1\\ansi", 11, BS_EXTRACT_RTF},
    {"zip magic", "application/octet-stream", "a.docx", "PK\x03\x04", 4, BS_EXTRACT_ZIP},
    {"ole2 is unsupported", "application/octet-stream", "a.doc", "\xd0\xcf\x11\xe0", 4,
     BS_EXTRACT_UNSUPPORTED},
    {"gzip magic", "application/octet-stream", NULL, "\x1f\x8b\x08", 3, BS_EXTRACT_ARCHIVE},
    {"7z magic", NULL, NULL, "7z\xbc\xaf\x27\x1c", 6, BS_EXTRACT_ARCHIVE},
    {"tar by name", "application/octet-stream", "a.tar", "x", 1, BS_EXTRACT_ARCHIVE},
    {"declared pdf", "application/pdf", NULL, "junk", 4, BS_EXTRACT_PDF},
    {"declared csv", "text/csv", NULL, "a;b", 3, BS_EXTRACT_TEXT},
    {"declared docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     NULL, "junk", 4, BS_EXTRACT_OOXML},
    {"declared odt", "application/vnd.oasis.opendocument.text", NULL, "junk", 4, BS_EXTRACT_ODF},
    {"csv by name", "application/octet-stream", "LISTA.CSV", "a;b", 3, BS_EXTRACT_TEXT},
    {"eml by name", "application/octet-stream", "fwd.eml", "Subject: x", 10, BS_EXTRACT_MESSAGE},
    {"html by name", NULL, "page.htm", "<p>x", 4, BS_EXTRACT_HTML},
    {"nameless message", "application/octet-stream", NULL, "Received: from x", 16,
     BS_EXTRACT_MESSAGE},
    {"unknown octet-stream", "application/octet-stream", "data.bin", "abc def", 7, BS_EXTRACT_NONE},
    {"nothing at all", NULL, NULL, "", 0, BS_EXTRACT_NONE},
};

static void
test_sniff_magic_type_then_name(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sniff_cases); i++) {
		const struct sniff_case *c = &sniff_cases[i];
		bs_attachment att = {c->type, c->name, NULL, c->data, c->len};

		g_test_message("row %zu: %s", i, c->what);
		g_assert_cmpstr(bs_extract_kind_name(bs_extract_sniff(&att)), ==,
		                bs_extract_kind_name(c->kind));
	}
}

/* --- RTF --- */

static const struct rtf_case {
	const char *what;
	const char *rtf;
	const char *expect;
	const char *refuse;
} rtf_cases[] = {
    {"plain words", "{\\rtf1\\ansi Hej v\\'e4rlden}", "Hej världen", NULL},
    {"hex escapes in windows-1252", "{\\rtf1 \\'80 \\'96 \\'f6}", "€ – ö", NULL},
    {"font table skipped", "{\\rtf1{\\fonttbl{\\f0\\fswiss Arial;}}\\f0 text}", "text", "Arial"},
    {"color table and stylesheet skipped",
     "{\\rtf1{\\colortbl;\\red0\\green0\\blue0;}{\\stylesheet{\\s0 Normal;}}body}", "body",
     "Normal"},
    {"ignorable destination skipped", "{\\rtf1{\\*\\generator Riched20;}synlig}", "synlig",
     "Riched20"},
    {"paragraphs separate", "{\\rtf1 ett\\par tv\\'e5}", "ett\ntvå", "etttvå"},
    {"cells separate", "{\\rtf1 19850101\\cell 2384\\cell\\row}", "2384", "198501012384"},
    {"unicode with fallback", "{\\rtf1\\uc1 \\u8364? och \\u246?}", "€ och ö", "?"},
    {"unicode skip count 0", "{\\rtf1\\uc0 \\u229 x}", "åx", NULL},
    {"surrogate pair", "{\\rtf1\\uc1 \\u-10179?\\u-8694?}", "😊", NULL},
    {"escaped braces and backslash", "{\\rtf1 a\\{b\\}c\\\\d}", "a{b}c\\d", NULL},
    {"binary skipped", "{\\rtf1 f\\bin4 \x01\x02\x03\x04\x65re}", "fere", NULL},
    {"picture skipped", "{\\rtf1{\\pict\\pngblip 89504e47}efter}", "efter", "8950"},
    {"field instruction skipped, result kept",
     "{\\rtf1{\\field{\\*\\fldinst HYPERLINK \"x\"}{\\fldrslt l\\'e4nk}}}", "länk", "HYPERLINK"},
    {"control word runs split words", "{\\rtf1 per{\\b son}nummer}", "personnummer", NULL},
    {"unbalanced braces", "}}}{\\rtf1 kvar{{{", "kvar", NULL},
};

static void
test_rtf_text(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(rtf_cases); i++) {
		const struct rtf_case *c = &rtf_cases[i];
		bs_buf out;

		g_test_message("row %zu: %s", i, c->what);
		bs_buf_init(&out, 1u << 20);
		g_assert_true(bs_extract_rtf_text(c->rtf, strlen(c->rtf), &out));
		g_assert_nonnull(out.data);
		g_assert_nonnull(strstr(out.data, c->expect));
		if (c->refuse)
			g_assert_null(strstr(out.data, c->refuse));
		bs_buf_fini(&out);
	}
}

static void
test_rtf_deep_groups_bounded(void)
{
	GString *s = g_string_new("{\\rtf1 ");
	bs_buf out;

	for (int i = 0; i < 100000; i++)
		g_string_append_c(s, '{');
	g_string_append(s, "djup");
	bs_buf_init(&out, 1u << 20);
	g_assert_true(bs_extract_rtf_text(s->str, s->len, &out));
	g_assert_cmpstr(out.data, ==, "djup");
	bs_buf_fini(&out);
	g_string_free(s, TRUE);
}

/* --- office documents --- */

static const char docx_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:body><w:p><w:r><w:t>Personnummer: 1985</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>"
    "<w:t>0101</w:t></w:r></w:p><w:p><w:r><w:t>N\xc3\xa4sta stycke</w:t></w:r></w:p>"
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell1</w:t></w:r></w:p></w:tc>"
    "<w:tc><w:p><w:r><w:t>cell2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    "<w:p><w:r><w:t xml:space=\"preserve\">a </w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t>"
    "</w:r></w:p><w:p><w:r><w:t>&lt;tag&gt; &amp; &#229;</w:t></w:r></w:p></w:body></w:document>";

static const char docx_header[] =
    "<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
    "<w:p><w:r><w:t>Sidhuvud text</w:t></w:r></w:p></w:hdr>";

static const char docx_core[] =
    "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:title>Titel</dc:title>"
    "<dc:creator>Skribent</dc:creator></cp:coreProperties>";

static const char xlsx_shared[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"2\">"
    "<si><t>Anna</t></si><si><r><t>Svens</t></r><r><rPr><b/></rPr><t>son</t></r></si></sst>";

static const char xlsx_sheet[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\"><v>4711</v></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>inline text</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\"><v>1234</v></c></row>"
    "</sheetData></worksheet>";

static const char pptx_slide[] =
    "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:cSld><p:spTree><p:sp><p:txBody>"
    "<a:p><a:r><a:t>Bild</a:t></a:r><a:r><a:t>text</a:t></a:r></a:p>"
    "<a:p><a:r><a:t>rad tv\xc3\xa5</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>";

static const char odt_content[] =
    "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"tb\">"
    "<office:body><office:text><text:h>Rubrik</text:h>"
    "<text:p>per<text:span>son</text:span>nummer<text:s/>och<text:tab/>mer</text:p>"
    "<table:table><table:table-row><table:table-cell><text:p>19850101</text:p></table:table-cell>"
    "<table:table-cell><text:p>2384</text:p></table:table-cell></table:table-row></table:table>"
    "</office:text></office:body></office:document-content>";

static const char ods_content[] =
    "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"tb\">"
    "<office:body><office:spreadsheet><table:table><table:table-row>"
    "<table:table-cell office:value-type=\"string\"><text:p>Kalle</text:p></table:table-cell>"
    "<table:table-cell office:value-type=\"float\" office:value=\"4711\"><text:p>4711</text:p>"
    "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
    "</office:document-content>";

static const struct office_case {
	const char *what;
	const char *filename;
	zip_entry entries[5];
	const char *expect[4];
	const char *refuse[3];
} office_cases[] = {
    {"docx runs join, paragraphs and cells separate",
     "brev.docx",
     {{"[Content_Types].xml", ooxml_types},
      {"word/document.xml", docx_body},
      {"word/header1.xml", docx_header},
      {"docProps/core.xml", docx_core},
      {"word/styles.xml", "<w:styles><w:t>STYLENAME</w:t></w:styles>"}},
     {"Personnummer: 19850101", "Nästa stycke", "<tag> & å", "Sidhuvud text"},
     {"cell1cell2", "19850101Nästa", "STYLENAME"}},
    {"docx metadata fields separate",
     "meta.docx",
     {{"[Content_Types].xml", ooxml_types}, {"docProps/core.xml", docx_core}},
     {"Titel", "Skribent"},
     {"TitelSkribent"}},
    {"xlsx shared strings, numbers, inline strings",
     "lista.xlsx",
     {{"[Content_Types].xml", ooxml_types},
      {"xl/sharedStrings.xml", xlsx_shared},
      {"xl/worksheets/sheet1.xml", xlsx_sheet}},
     {"Svensson", "Anna", "4711", "inline text"},
     {"AnnaSvensson", "47111234", "4711inline"}},
    {"pptx runs join, paragraphs separate",
     "bilder.pptx",
     {{"[Content_Types].xml", ooxml_types}, {"ppt/slides/slide1.xml", pptx_slide}},
     {"Bildtext", "rad två"},
     {"Bildtextrad"}},
    {"odt spans join, cells separate",
     "brev.odt",
     {{"mimetype", "application/vnd.oasis.opendocument.text", NULL, true},
      {"content.xml", odt_content}},
     {"personnummer", "Rubrik", "19850101", "2384"},
     {"198501012384", "Rubrikper"}},
    {"ods cells separate",
     "tabell.ods",
     {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet", NULL, true},
      {"content.xml", ods_content}},
     {"Kalle", "4711"},
     {"Kalle4711"}},
};

static void
test_office_documents(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(office_cases); i++) {
		const struct office_case *c = &office_cases[i];
		size_t n = 0;
		g_autoptr(GBytes) zip = NULL;
		g_autoptr(result) r = NULL;
		gsize len;
		const void *data;

		g_test_message("row %zu: %s", i, c->what);
		while (n < G_N_ELEMENTS(c->entries) && c->entries[n].name)
			n++;
		zip = make_zip(c->entries, n);
		data = g_bytes_get_data(zip, &len);
		r = extract("application/octet-stream", c->filename, data, len);
		for (size_t k = 0; k < G_N_ELEMENTS(c->expect) && c->expect[k]; k++)
			g_assert_true(has(r, c->expect[k]));
		for (size_t k = 0; k < G_N_ELEMENTS(c->refuse) && c->refuse[k]; k++)
			g_assert_false(has(r, c->refuse[k]));
		g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
		/* The shared-string indexes 0 and 1 are not text of the sheet. */
		if (segment_with(r, "4711") >= 0 && strstr(c->filename, ".xlsx"))
			g_assert_null(strpbrk(r->texts->pdata[segment_with(r, "4711")], "0"));
	}
}

static void
test_office_doctype_refused(void)
{
	static const char evil[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;\">]>"
	    "<w:document><w:p><w:t>&c;</w:t></w:p></w:document>";
	const zip_entry entries[] = {{"[Content_Types].xml", ooxml_types},
	                             {"word/document.xml", evil}};
	g_autoptr(GBytes) zip = make_zip(entries, G_N_ELEMENTS(entries));
	gsize len;
	const void *data = g_bytes_get_data(zip, &len);
	g_autoptr(result) r = extract(NULL, "evil.docx", data, len);

	g_assert_false(has(r, "aaaaaaaaaaaaaaaaaaaa"));
	g_assert_true(has_defect(r, BS_DEFECT_EXTRACT));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
}

/* --- PDF --- */

static void
test_pdf_text_per_page(void)
{
	static const char *const pages[] = {"Sida ett 4711", "Sida tv\\345 G\\366teborg"};
	g_autoptr(GBytes) pdf = make_pdf(pages, G_N_ELEMENTS(pages));
	gsize len;
	const void *data = g_bytes_get_data(pdf, &len);
	g_autoptr(result) r = extract("application/octet-stream", "intyg.pdf", data, len);
	int first, second;

	g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	first = segment_with(r, "Sida ett 4711");
	second = segment_with(r, "Sida två Göteborg");
	g_assert_cmpint(first, >=, 0);
	g_assert_cmpint(second, >, first);
	g_assert_cmpint(g_array_index(r->wheres, bs_where, second), ==, BS_WHERE_ATTACHMENT);
	g_assert_true(has(r, "intyg.pdf")); /* the name segment */
}

static const struct broken_case {
	const char *what;
	const char *name;
	const char *data;
	bs_defect_code code;
} broken_cases[] = {
    {"truncated pdf", "a.pdf", "%PDF-1.4\n1 0 obj << /Type", BS_DEFECT_EXTRACT},
    {"corrupt zip", "a.zip", "PK\x03\x04 this is not really a zip", BS_DEFECT_EXTRACT},
    {"corrupt docx", "a.docx", "PK\x03\x04\x14\x00\x00\x00", BS_DEFECT_EXTRACT},
};

static void
test_broken_attachments_recorded(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(broken_cases); i++) {
		const struct broken_case *c = &broken_cases[i];
		g_autoptr(result) r = extract(NULL, c->name, c->data, strlen(c->data));

		g_test_message("row %zu: %s (%s)", i, c->what, r->reason);
		g_assert_true(has_defect(r, c->code));
		g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
		g_assert_true(has(r, c->name));
	}
}

/* --- archives and nesting --- */

static void
test_zip_members_recursive(void)
{
	const zip_entry deep[] = {{"djup.txt", "djup text 4711"}};
	g_autoptr(GBytes) inner = make_zip(deep, 1);
	const zip_entry outer_entries[] = {
	    {"lista.csv", "namn;ort\nK\xe5re;Lund\n"},
	    {"inre.zip", NULL, inner},
	    {"vidare.eml", "From: fwd@example.org\r\nSubject: i arkivet\r\n\r\nbrödtext\r\n"},
	    {"bild.png", "\x89PNG\r\n\x1a\n rest"},
	    {"mapp/", ""},
	};
	g_autoptr(GBytes) outer = make_zip(outer_entries, G_N_ELEMENTS(outer_entries));
	gsize len;
	const void *data = g_bytes_get_data(outer, &len);
	g_autoptr(result) r = extract("application/zip", "arkiv.zip", data, len);
	int deep_at = segment_with(r, "djup text 4711");
	int hdr_at = segment_with(r, "fwd@example.org");

	g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	g_assert_true(has(r, "Kåre;Lund"));
	g_assert_cmpint(deep_at, >=, 0);
	g_assert_cmpstr(r->parts->pdata[deep_at], ==, "1.z1.z0");
	g_assert_cmpuint(g_array_index(r->depths, unsigned, deep_at), ==, 2);
	g_assert_cmpint(hdr_at, >=, 0);
	g_assert_cmpint(g_array_index(r->wheres, bs_where, hdr_at), ==, BS_WHERE_HEADER);
	g_assert_cmpuint(g_array_index(r->depths, unsigned, hdr_at), ==, 2);
	g_assert_true(has(r, "bild.png"));
	g_assert_false(has(r, "PNG"));
	g_assert_cmpuint(r->info.skipped_parts, ==, 1);
}

/* --- zips from streaming zippers --- */

static uint32_t
crc32_of(const char *p, size_t len)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		c ^= (uint8_t)p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void
put_le(GByteArray *b, uint32_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++) {
		uint8_t x = (uint8_t)(v >> (8 * i));

		g_byte_array_append(b, &x, 1);
	}
}

/* Raw deflate (method 8) of text, through GIO's zlib converter. */
static GBytes *
raw_deflate(const char *text)
{
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_RAW, 6);
	gsize cap = strlen(text) + 256, read = 0, written = 0;
	char *out = g_malloc(cap);

	g_assert_cmpint(g_converter_convert(G_CONVERTER(z), text, strlen(text), out, cap,
	                                    G_CONVERTER_INPUT_AT_END, &read, &written, NULL),
	                ==, G_CONVERTER_FINISHED);
	return g_bytes_new_take(out, written);
}

/* Local and central header fields after the signature and version(s). */
static void
put_entry_fields(GByteArray *b, uint32_t crc, size_t clen, size_t len, size_t name_len, bool local)
{
	put_le(b, 0x0008, 2); /* bit 3: sizes and CRC follow the data */
	put_le(b, 8, 2);      /* deflate */
	put_le(b, 0x6000, 2); /* 12:00 */
	put_le(b, 0x5821, 2); /* 2024-01-01 */
	put_le(b, local ? 0 : crc, 4);
	put_le(b, local ? 0 : (uint32_t)clen, 4);
	put_le(b, local ? 0 : (uint32_t)len, 4);
	put_le(b, (uint32_t)name_len, 2);
	put_le(b, 0, 2); /* extra */
}

/* A zip as a streaming zipper writes it (Python's zipfile on a pipe, Java's
 * ZipOutputStream): bit 3 set, zeros in the local header, the real CRC
 * and sizes in a data descriptor after the data and in the central
 * directory. */
static GBytes *
make_streamed_zip(const zip_entry *entries, size_t n)
{
	GByteArray *b = g_byte_array_new();
	GByteArray *cd = g_byte_array_new();
	size_t cd_offset;

	for (size_t i = 0; i < n; i++) {
		const char *text = entries[i].data;
		g_autoptr(GBytes) packed = raw_deflate(text);
		gsize clen;
		const void *cdata = g_bytes_get_data(packed, &clen);
		uint32_t crc = crc32_of(text, strlen(text)), offset = b->len;
		size_t nl = strlen(entries[i].name);

		put_le(b, 0x04034b50, 4);
		put_le(b, 20, 2);
		put_entry_fields(b, crc, clen, strlen(text), nl, true);
		g_byte_array_append(b, (const guint8 *)entries[i].name, (guint)nl);
		g_byte_array_append(b, cdata, (guint)clen);
		put_le(b, 0x08074b50, 4);
		put_le(b, crc, 4);
		put_le(b, (uint32_t)clen, 4);
		put_le(b, (uint32_t)strlen(text), 4);
		put_le(cd, 0x02014b50, 4);
		put_le(cd, 20, 2);
		put_le(cd, 20, 2);
		put_entry_fields(cd, crc, clen, strlen(text), nl, false);
		put_le(cd, 0, 2); /* comment */
		put_le(cd, 0, 2); /* disk */
		put_le(cd, 0, 2); /* internal attributes */
		put_le(cd, 0, 4); /* external attributes */
		put_le(cd, offset, 4);
		g_byte_array_append(cd, (const guint8 *)entries[i].name, (guint)nl);
	}
	cd_offset = b->len;
	g_byte_array_append(b, cd->data, cd->len);
	put_le(b, 0x06054b50, 4);
	put_le(b, 0, 4); /* disk numbers */
	put_le(b, (uint32_t)n, 2);
	put_le(b, (uint32_t)n, 2);
	put_le(b, cd->len, 4);
	put_le(b, (uint32_t)cd_offset, 4);
	put_le(b, 0, 2);
	g_byte_array_unref(cd);
	return g_byte_array_free_to_bytes(b);
}

static void
test_zip_streamed_members(void)
{
	const zip_entry entries[] = {{"lista.csv", "namn;ort\nKåre Lund;Lund\n"},
	                             {"brev.txt", "strömmad zip med datadeskriptor 4711"}};
	g_autoptr(GBytes) z = make_streamed_zip(entries, G_N_ELEMENTS(entries));
	gsize len;
	const void *data = g_bytes_get_data(z, &len);
	g_autoptr(result) r = extract("application/zip", "ström.zip", data, len);

	g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	g_assert_true(has(r, "Kåre Lund;Lund"));
	g_assert_true(has(r, "strömmad zip med datadeskriptor 4711"));
	g_assert_false(has_defect(r, BS_DEFECT_EXTRACT));
}

/* A streamed zip cut short (no central directory: the attachment was
 * truncated, or the zipper never finished): the members that arrived whole
 * are still read, and the message says what was lost. */
static void
test_zip_cut_short_members_recovered(void)
{
	const zip_entry entries[] = {{"ett.txt", "första medlemmen 4711 hel och läsbar"},
	                             {"tva.txt", "andra medlemmen 4712 också hel"},
	                             {"tre.txt", "tredje medlemmen som skärs av mitt i texten"}};
	g_autoptr(GBytes) z = make_streamed_zip(entries, G_N_ELEMENTS(entries));
	gsize len;
	const char *data = g_bytes_get_data(z, &len);
	const char *third = data;
	g_autoptr(result) r = NULL;

	for (int i = 0; i < 3; i++)
		third = memmem(third + (i ? 4 : 0), len - (size_t)(third - data) - (i ? 4 : 0),
		               "PK\x03\x04", 4);
	g_assert_nonnull(third);
	r = extract("application/zip", "avskuren.zip", data, (size_t)(third - data) + 40);
	g_assert_true(has(r, "första medlemmen 4711 hel och läsbar"));
	g_assert_true(has(r, "andra medlemmen 4712 också hel"));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_true(has_defect(r, BS_DEFECT_EXTRACT));
}

/* A zip nested levels deep around one text file. */
static GBytes *
nested_zip(unsigned levels)
{
	const zip_entry leaf[] = {{"botten.txt", "bottentext"}};
	GBytes *z = make_zip(leaf, 1);

	for (unsigned i = 1; i < levels; i++) {
		const zip_entry e[] = {{"lager.zip", NULL, z}};
		GBytes *next = make_zip(e, 1);

		g_bytes_unref(z);
		z = next;
	}
	return z;
}

static void
test_zip_depth_limit(void)
{
	static const struct {
		unsigned levels, max_depth;
		bool found;
	} rows[] = {{3, 8, true}, {8, 8, true}, {9, 8, false}, {50, 8, false}, {2, 1, false}};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GBytes) z = nested_zip(rows[i].levels);
		g_autoptr(result) r = NULL;
		bs_mail_limits lim;
		gsize len;
		const void *data = g_bytes_get_data(z, &len);

		g_test_message("row %zu", i);
		bs_extract_limits_init(&lim);
		lim.max_depth = rows[i].max_depth;
		r = extract_with(NULL, "lager.zip", data, len, &lim);
		g_assert_cmpint(has(r, "bottentext"), ==, rows[i].found);
		g_assert_cmpint(has_defect(r, BS_DEFECT_DEPTH), ==, !rows[i].found);
		g_assert_cmpint(r->info.status, ==, rows[i].found ? BS_MAIL_OK : BS_MAIL_PARTIAL);
	}
}

static void
test_zip_bomb_ratio_guard(void)
{
	g_autoptr(GBytes) big = zeros(8u << 20);
	const zip_entry entries[] = {{"noll.txt", NULL, big}, {"ok.txt", "vanlig text"}};
	g_autoptr(GBytes) z = make_zip(entries, G_N_ELEMENTS(entries));
	gsize len;
	const void *data = g_bytes_get_data(z, &len);
	g_autoptr(result) r = extract(NULL, "bomb.zip", data, len);

	g_assert_true(has_defect(r, BS_DEFECT_RATIO));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_true(has(r, "vanlig text")); /* the walk goes on */
	g_assert_true(has(r, "noll.txt"));    /* the name is still read */
	g_assert_cmpuint(r->info.expanded_len, <, 1u << 20);
}

static void
test_size_limit_on_members(void)
{
	g_autoptr(GBytes) big = zeros(64u << 10);
	const zip_entry entries[] = {{"liten.txt", "liten text"}, {"stor.txt", NULL, big, true}};
	g_autoptr(GBytes) z = make_zip(entries, G_N_ELEMENTS(entries));
	g_autoptr(result) r = NULL;
	bs_mail_limits lim;
	gsize len;
	const void *data = g_bytes_get_data(z, &len);

	bs_extract_limits_init(&lim);
	lim.max_bytes = len + 1024;
	r = extract_with(NULL, "a.zip", data, len, &lim);
	g_assert_true(has(r, "liten text"));
	g_assert_true(has_defect(r, BS_DEFECT_SIZE));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_cmpuint(r->info.expanded_len, <=, lim.max_bytes);
}

static void
test_time_limit(void)
{
	static const char *const pages[] = {"ett", "två", "tre"};
	g_autoptr(GBytes) pdf = make_pdf(pages, G_N_ELEMENTS(pages));
	g_autoptr(result) r = NULL;
	bs_mail_limits lim;
	gsize len;
	const void *data = g_bytes_get_data(pdf, &len);

	bs_extract_limits_init(&lim);
	lim.attachment_ms = 0; /* already used up when the first page is due */
	r = extract_with(NULL, "a.pdf", data, len, &lim);
	g_assert_true(has_defect(r, BS_DEFECT_TIME));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_nonnull(strstr(r->reason, "time-limit at 1"));
}

static void
test_encrypted_zip_member(void)
{
	const zip_entry entries[] = {{"hemlig.txt", "hemlig text"}};
	zip_error_t err;
	zip_source_t *src;
	zip_t *z;
	zip_stat_t st;
	g_autofree char *buf = NULL;
	g_autoptr(result) r = NULL;

	if (!zip_encryption_method_supported(ZIP_EM_AES_256, 1)) {
		g_test_skip("libzip without AES");
		return;
	}
	zip_error_init(&err);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	zip_source_keep(src);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
	zip_file_add(z, entries[0].name,
	             zip_source_buffer(z, entries[0].data, strlen(entries[0].data), 0), 0);
	g_assert_cmpint(zip_file_set_encryption(z, 0, ZIP_EM_AES_256, "lösen"), ==, 0);
	g_assert_cmpint(zip_close(z), ==, 0);
	zip_source_stat(src, &st);
	zip_source_open(src);
	buf = g_malloc(st.size);
	g_assert_cmpint(zip_source_read(src, buf, st.size), ==, (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	r = extract(NULL, "skyddad.zip", buf, st.size);
	g_assert_true(has_defect(r, BS_DEFECT_ENCRYPTED));
	g_assert_false(has(r, "hemlig text"));
	g_assert_true(has(r, "hemlig.txt"));
}

/* --- other archives (libarchive) --- */

/* A tar (gzip-compressed when gz) of the entries; a bare gzip of the
 * first entry when raw. */
static GBytes *
make_archive(const zip_entry *entries, size_t n, bool gz, bool raw)
{
	struct archive *a = archive_write_new();
	size_t cap = 16u << 20, used = 0;
	char *buf = g_malloc(cap);

	if (raw)
		archive_write_set_format_raw(a);
	else
		archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	g_assert_cmpint(archive_write_open_memory(a, buf, cap, &used), ==, ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		gsize len = 0;
		const void *d = entries[i].data ? (const void *)entries[i].data
		                                : g_bytes_get_data(entries[i].bytes, &len);

		if (entries[i].data)
			len = strlen(entries[i].data);
		archive_entry_set_pathname(e, entries[i].name);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_data(a, d, len), ==, (la_ssize_t)len);
		archive_entry_free(e);
	}
	g_assert_cmpint(archive_write_close(a), ==, ARCHIVE_OK);
	archive_write_free(a);
	return g_bytes_new_take(g_realloc(buf, MAX(used, 1)), used);
}

static void
test_tar_gzip_members(void)
{
	const zip_entry entries[] = {
	    {"brev.txt", "text i tar 4711"},
	    {"sub/brev.eml", "From: t@example.org\r\nSubject: i tar\r\n\r\nx\r\n"}};
	const zip_entry single[] = {{"lista.csv", "namn;ort\nKalle;Lund\n"}};
	g_autoptr(GBytes) tgz = make_archive(entries, 2, true, false);
	g_autoptr(GBytes) gz = make_archive(single, 1, true, true);
	gsize len;
	const void *data = g_bytes_get_data(tgz, &len);
	g_autoptr(result) r = extract("application/octet-stream", "paket.tar.gz", data, len);
	g_autoptr(result) r2 = NULL;
	int at;

	g_test_message("reason %s", r->reason);
	g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	at = segment_with(r, "text i tar 4711");
	g_assert_cmpint(at, >=, 0);
	g_assert_cmpstr(r->parts->pdata[at], ==, "1.z0");
	g_assert_true(has(r, "sub/brev.eml"));
	g_assert_nonnull(find_where(r, BS_WHERE_SUBJECT, "i tar"));
	data = g_bytes_get_data(gz, &len);
	r2 = extract(NULL, "lista.csv.gz", data, len);
	g_assert_true(has(r2, "Kalle;Lund"));
	g_assert_true(has(r2, "lista.csv"));
}

static void
test_archive_ratio_guard(void)
{
	g_autoptr(GBytes) big = zeros(8u << 20);
	const zip_entry entries[] = {{"noll.bin", NULL, big}};
	g_autoptr(GBytes) tgz = make_archive(entries, 1, true, false);
	gsize len;
	const void *data = g_bytes_get_data(tgz, &len);
	g_autoptr(result) r = extract(NULL, "bomb.tar.gz", data, len);

	g_assert_true(has_defect(r, BS_DEFECT_RATIO));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_cmpuint(r->info.expanded_len, <, 2u << 20);
}

static void
test_old_office_is_unsupported(void)
{
	static const char ole[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 rest of a .doc";
	g_autoptr(result) r = extract("application/msword", "journal.doc", ole, sizeof(ole) - 1);

	g_assert_true(has_defect(r, BS_DEFECT_UNSUPPORTED));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_true(has(r, "journal.doc"));
	g_assert_false(has(r, "rest of"));
}

/* --- through a whole message --- */

static char *
base64_attachment_message(const char *type, const char *name, GBytes *content)
{
	gsize len;
	const guchar *data = g_bytes_get_data(content, &len);
	g_autofree char *b64 = g_base64_encode(data, len);

	return g_strdup_printf("From: a@example.org\r\nSubject: bilaga\r\nMIME-Version: 1.0\r\n"
	                       "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n"
	                       "Content-Type: text/plain\r\n\r\nse bilaga\r\n--B\r\n"
	                       "Content-Type: %s; name=\"%s\"\r\n"
	                       "Content-Disposition: attachment; filename=\"%s\"\r\n"
	                       "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--B--\r\n",
	                       type, name, name, b64);
}

static void
test_attachments_inside_messages(void)
{
	static const char *const pages[] = {"Intyg 4711"};
	const zip_entry docx[] = {{"[Content_Types].xml", ooxml_types},
	                          {"word/document.xml", docx_body}};
	g_autoptr(GBytes) pdf = make_pdf(pages, 1);
	g_autoptr(GBytes) doc = make_zip(docx, G_N_ELEMENTS(docx));
	g_autoptr(GBytes) eml = g_bytes_new_static(
	    "From: inner@example.net\r\nSubject: bifogat brev\r\n\r\ninre text\r\n", 62);
	g_autoptr(GBytes) rtf = g_bytes_new_static("{\\rtf1 rtf text \\'e5}", 21);
	const struct {
		const char *type, *name;
		GBytes *content;
		const char *expect;
	} rows[] = {
	    {"application/pdf", "intyg.pdf", pdf, "Intyg 4711"},
	    {"application/octet-stream", "brev.docx", doc, "Personnummer: 19850101"},
	    {"application/octet-stream", "brev.eml", eml, "bifogat brev"},
	    {"application/rtf", "a.rtf", rtf, "rtf text å"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *msg =
		    base64_attachment_message(rows[i].type, rows[i].name, rows[i].content);
		g_autoptr(result) r = NULL;
		bs_mail_limits lim;
		int at;

		g_test_message("row %zu: %s", i, rows[i].name);
		bs_extract_limits_init(&lim);
		r = walk_message(msg, strlen(msg), &lim);
		at = segment_with(r, rows[i].expect);
		g_assert_cmpint(at, >=, 0);
		g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
		g_assert_true(has(r, rows[i].name));
	}
}

/* --- robustness: a directory of broken messages --- */

static void
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
}

static const char good_msg[] =
    "From: =?utf-8?q?=C3=85sa?= <asa@example.org>\r\nTo: b@kommun.example\r\n"
    "Subject: =?utf-8?b?w4RyZW5kZQ==?=\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n--XYZ\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "SGVqLCBqYWcgaGV0ZXIgw4VzYS4=\r\n--XYZ\r\nContent-Type: text/html; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>H=E4lsningar</p>\r\n--XYZ--\r\n";

/* n messages each forwarded inside the next. Caller g_free()s. */
static char *
nested_messages_text(unsigned n)
{
	GString *s = g_string_new("From: a@example.org\r\n\r\nlevel 0\r\n");

	for (unsigned i = 1; i <= n; i++) {
		g_autofree char *inner = g_string_free(s, FALSE);

		s = g_string_new(NULL);
		g_string_append_printf(
		    s, "Subject: level %u\r\nContent-Type: message/rfc822\r\n\r\n%s", i, inner);
	}
	return g_string_free(s, FALSE);
}

/* Writes the broken messages; returns how many. */
static unsigned
write_broken_messages(const char *dir)
{
	g_autoptr(GBytes) bomb_member = zeros(64u << 20);
	const zip_entry bomb_entries[] = {{"a.txt", NULL, bomb_member},
	                                  {"b.txt", NULL, bomb_member}};
	g_autoptr(GBytes) bomb = make_zip(bomb_entries, 2);
	g_autoptr(GBytes) deep_zip = nested_zip(50);
	g_autofree char *bomb_msg = base64_attachment_message("application/zip", "bomb.zip", bomb);
	g_autofree char *deep_zip_msg =
	    base64_attachment_message("application/zip", "lager.zip", deep_zip);
	g_autofree char *deep_msg = NULL;
	GString *deep_mp = g_string_new("From: a@example.org\r\n");
	unsigned n = 0;
	char name[64];

	/* Truncated at several places, including inside headers and base64. */
	for (size_t cut = 40; cut < sizeof(good_msg) - 20; cut += 97) {
		g_snprintf(name, sizeof(name), "truncated-%zu.eml", cut);
		write_file(dir, name, good_msg, cut), n++;
	}
	{
		g_autofree char *wrong = g_strdup(good_msg);
		char *b = strstr(wrong, "boundary=\"XYZ\"");

		memcpy(b + 10, "QQQ", 3);
		write_file(dir, "wrong-boundary.eml", wrong, strlen(wrong)), n++;
	}
	{
		g_autofree char *bad = g_strdup(good_msg);

		memcpy(strstr(bad, "SGVq"), "S#*q", 4);
		write_file(dir, "bad-base64.eml", bad, strlen(bad)), n++;
	}
	{
		static const char lie[] = "From: a@example.org\r\nContent-Type: text/plain; "
		                          "charset=utf-8\r\n\r\nK\xe4ra G\xf6ran \x80\r\n";

		write_file(dir, "lying-charset.eml", lie, sizeof(lie) - 1), n++;
	}
	write_file(dir, "zip-bomb.eml", bomb_msg, strlen(bomb_msg)), n++;
	write_file(dir, "zip-50-levels.eml", deep_zip_msg, strlen(deep_zip_msg)), n++;
	deep_msg = nested_messages_text(50);
	write_file(dir, "rfc822-50-levels.eml", deep_msg, strlen(deep_msg)), n++;
	for (unsigned i = 0; i < 50; i++)
		g_string_append_printf(deep_mp,
		                       "Content-Type: multipart/mixed; boundary=\"b%u\""
		                       "\r\n\r\n--b%u\r\n",
		                       i, i);
	write_file(dir, "multipart-50-levels.eml", deep_mp->str, deep_mp->len), n++;
	g_string_free(deep_mp, TRUE);
	write_file(dir, "empty.eml", "", 0), n++;
	write_file(dir, "nul-bytes.eml", "\0\0\0\0From: x\0\0", 13), n++;
	return n;
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Every broken message gets a status and a reason, and walking them all
 * does not grow memory past a bound (the bomb is 128 MiB inflated). */
static void
test_robustness_broken_directory(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("bs-broken-XXXXXX", &error);
	unsigned written, walked = 0;
	g_autoptr(GDir) d = NULL;
	const char *name;
	long before;
	bs_mail_limits lim;

	g_assert_no_error(error);
	written = write_broken_messages(dir);
	bs_extract_limits_init(&lim);
	before = peak_rss_kib();
	d = g_dir_open(dir, 0, NULL);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len = 0;
		g_autoptr(result) r = NULL;

		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		r = walk_message(data, len, &lim);
		g_test_message("%s: %s (%s)", name, bs_mail_status_name(r->info.status), r->reason);
		g_assert_cmpint(r->info.status, >=, BS_MAIL_OK);
		g_assert_cmpint(r->info.status, <=, BS_MAIL_FAILED);
		g_assert_nonnull(r->reason);
		if (g_str_has_prefix(name, "zip-bomb"))
			g_assert_true(has_defect(r, BS_DEFECT_RATIO));
		if (strstr(name, "50-levels"))
			g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
		g_assert_cmpint(g_unlink(path), ==, 0);
		walked++;
	}
	g_assert_cmpuint(walked, ==, written);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	/* Generation itself holds 64 MiB of zeros; the walk may add little. */
	g_assert_cmpint(peak_rss_kib() - before, <, 96 * 1024);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/extract/sniff/magic-type-then-name", test_sniff_magic_type_then_name);
	g_test_add_func("/extract/rtf/text", test_rtf_text);
	g_test_add_func("/extract/rtf/deep-groups-bounded", test_rtf_deep_groups_bounded);
	g_test_add_func("/extract/office/runs-paragraphs-cells", test_office_documents);
	g_test_add_func("/extract/office/doctype-refused", test_office_doctype_refused);
	g_test_add_func("/extract/pdf/text-per-page", test_pdf_text_per_page);
	g_test_add_func("/extract/broken/recorded", test_broken_attachments_recorded);
	g_test_add_func("/extract/zip/members-recursive", test_zip_members_recursive);
	g_test_add_func("/extract/limits/zip-depth", test_zip_depth_limit);
	g_test_add_func("/extract/limits/zip-bomb-ratio", test_zip_bomb_ratio_guard);
	g_test_add_func("/extract/limits/size-on-members", test_size_limit_on_members);
	g_test_add_func("/extract/limits/time", test_time_limit);
	g_test_add_func("/extract/zip/encrypted-member", test_encrypted_zip_member);
	g_test_add_func("/extract/archive/zip-cut-short-members-recovered",
	                test_zip_cut_short_members_recovered);
	g_test_add_func("/extract/archive/zip-streamed-data-descriptors",
	                test_zip_streamed_members);
	g_test_add_func("/extract/archive/tar-gzip-members", test_tar_gzip_members);
	g_test_add_func("/extract/limits/archive-ratio", test_archive_ratio_guard);
	g_test_add_func("/extract/unsupported/old-office", test_old_office_is_unsupported);
	g_test_add_func("/extract/message/attachments-inside-messages",
	                test_attachments_inside_messages);
	g_test_add_func("/extract/robustness/broken-directory", test_robustness_broken_directory);
	return g_test_run();
}
