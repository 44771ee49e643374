/* Sniffing and dispatch: which extractor reads an attachment. Magic bytes
 * win over declared types, because mail clients label almost everything
 * application/octet-stream and some label images as text. */
#include "extract/extract.h"

#include "extract/internal.h"

static const char *const kind_names[BS_EXTRACT_COUNT] = {
    [BS_EXTRACT_NONE] = "none",
    [BS_EXTRACT_TEXT] = "text",
    [BS_EXTRACT_HTML] = "html",
    [BS_EXTRACT_PDF] = "pdf",
    [BS_EXTRACT_OOXML] = "ooxml",
    [BS_EXTRACT_ODF] = "odf",
    [BS_EXTRACT_RTF] = "rtf",
    [BS_EXTRACT_ZIP] = "zip",
    [BS_EXTRACT_MESSAGE] = "message",
    [BS_EXTRACT_ARCHIVE] = "archive",
    [BS_EXTRACT_UNSUPPORTED] = "unsupported",
};

/* Leading bytes of formats; NONE marks binaries never read as text. */
static const struct {
	const char *magic;
	size_t len;
	bs_extract_kind kind;
} magics[] = {
    {"%PDF-", 5, BS_EXTRACT_PDF},
    {"{\\rtf", 5, BS_EXTRACT_RTF},
    {"PK\x03\x04", 4, BS_EXTRACT_ZIP},
    {"PK\x05\x06", 4, BS_EXTRACT_ZIP}, /* empty archive */
    {"\x89PNG", 4, BS_EXTRACT_NONE},
    {"\xFF\xD8\xFF", 3, BS_EXTRACT_NONE}, /* JPEG */
    {"GIF8", 4, BS_EXTRACT_NONE},
    {"II*\0", 4, BS_EXTRACT_NONE}, /* TIFF */
    {"MM\0*", 4, BS_EXTRACT_NONE},
    {"RIFF", 4, BS_EXTRACT_NONE},                    /* WebP, WAV, AVI */
    {"\xD0\xCF\x11\xE0", 4, BS_EXTRACT_UNSUPPORTED}, /* OLE2: .doc/.xls/.msg */
    {"Rar!", 4, BS_EXTRACT_ARCHIVE},
    {"7z\xBC\xAF", 4, BS_EXTRACT_ARCHIVE},
    {"\x1F\x8B", 2, BS_EXTRACT_ARCHIVE}, /* gzip */
    {"BZh", 3, BS_EXTRACT_ARCHIVE},
    {"\3757zXZ", 5, BS_EXTRACT_ARCHIVE}, /* xz */
    {"MSCF", 4, BS_EXTRACT_ARCHIVE},     /* cabinet */
    {"\177ELF", 4, BS_EXTRACT_NONE},
    {"MZ", 2, BS_EXTRACT_NONE}, /* Windows executables */
};

/* Declared types that say what the bytes are (prefix match). */
static const struct {
	const char *type;
	bs_extract_kind kind;
} types[] = {
    {"application/pdf", BS_EXTRACT_PDF},
    {"application/x-pdf", BS_EXTRACT_PDF},
    {"application/vnd.openxmlformats-officedocument.", BS_EXTRACT_OOXML},
    {"application/vnd.ms-word.", BS_EXTRACT_OOXML},
    {"application/vnd.ms-excel.sheet.", BS_EXTRACT_OOXML},
    {"application/vnd.ms-powerpoint.presentation.", BS_EXTRACT_OOXML},
    {"application/vnd.oasis.opendocument.", BS_EXTRACT_ODF},
    {"application/rtf", BS_EXTRACT_RTF},
    {"application/x-rtf", BS_EXTRACT_RTF},
    {"text/rtf", BS_EXTRACT_RTF},
    {"text/richtext", BS_EXTRACT_RTF},
    {"application/zip", BS_EXTRACT_ZIP},
    {"application/x-7z-compressed", BS_EXTRACT_ARCHIVE},
    {"application/x-rar", BS_EXTRACT_ARCHIVE},
    {"application/vnd.rar", BS_EXTRACT_ARCHIVE},
    {"application/x-tar", BS_EXTRACT_ARCHIVE},
    {"application/gzip", BS_EXTRACT_ARCHIVE},
    {"application/x-gzip", BS_EXTRACT_ARCHIVE},
    {"application/msword", BS_EXTRACT_UNSUPPORTED},
    {"application/vnd.ms-excel", BS_EXTRACT_UNSUPPORTED},
    {"application/vnd.ms-outlook", BS_EXTRACT_UNSUPPORTED},
    {"application/x-zip", BS_EXTRACT_ZIP},
    {"message/rfc822", BS_EXTRACT_MESSAGE},
    {"message/global", BS_EXTRACT_MESSAGE},
    {"text/html", BS_EXTRACT_HTML},
    {"application/xhtml+xml", BS_EXTRACT_HTML},
    {"text/", BS_EXTRACT_TEXT},
    {"application/csv", BS_EXTRACT_TEXT},
    {"application/x-csv", BS_EXTRACT_TEXT},
    {"application/json", BS_EXTRACT_TEXT},
    {"application/xml", BS_EXTRACT_TEXT},
    {"application/ics", BS_EXTRACT_TEXT},
};

/* File name extensions, for generic or missing types. */
static const struct {
	const char *ext;
	bs_extract_kind kind;
} extensions[] = {
    {".pdf", BS_EXTRACT_PDF},         {".docx", BS_EXTRACT_OOXML},
    {".docm", BS_EXTRACT_OOXML},      {".dotx", BS_EXTRACT_OOXML},
    {".xlsx", BS_EXTRACT_OOXML},      {".xlsm", BS_EXTRACT_OOXML},
    {".pptx", BS_EXTRACT_OOXML},      {".odt", BS_EXTRACT_ODF},
    {".ods", BS_EXTRACT_ODF},         {".odp", BS_EXTRACT_ODF},
    {".rtf", BS_EXTRACT_RTF},         {".zip", BS_EXTRACT_ZIP},
    {".eml", BS_EXTRACT_MESSAGE},     {".txt", BS_EXTRACT_TEXT},
    {".csv", BS_EXTRACT_TEXT},        {".tsv", BS_EXTRACT_TEXT},
    {".vcf", BS_EXTRACT_TEXT},        {".ics", BS_EXTRACT_TEXT},
    {".xml", BS_EXTRACT_TEXT},        {".json", BS_EXTRACT_TEXT},
    {".md", BS_EXTRACT_TEXT},         {".log", BS_EXTRACT_TEXT},
    {".htm", BS_EXTRACT_HTML},        {".html", BS_EXTRACT_HTML},
    {".tar", BS_EXTRACT_ARCHIVE},     {".tgz", BS_EXTRACT_ARCHIVE},
    {".gz", BS_EXTRACT_ARCHIVE},      {".7z", BS_EXTRACT_ARCHIVE},
    {".rar", BS_EXTRACT_ARCHIVE},     {".doc", BS_EXTRACT_UNSUPPORTED},
    {".xls", BS_EXTRACT_UNSUPPORTED}, {".msg", BS_EXTRACT_UNSUPPORTED},
};

const char *
bs_extract_kind_name(bs_extract_kind kind)
{
	if ((unsigned)kind >= BS_EXTRACT_COUNT)
		return NULL;
	return kind_names[kind];
}

static bool
sniff_magic(const bs_attachment *att, bs_extract_kind *out_kind)
{
	for (size_t i = 0; i < G_N_ELEMENTS(magics); i++) {
		if (att->len >= magics[i].len &&
		    !memcmp(att->data, magics[i].magic, magics[i].len)) {
			*out_kind = magics[i].kind;
			return true;
		}
	}
	return false;
}

static bool
sniff_type(const char *ct, bs_extract_kind *out_kind)
{
	for (size_t i = 0; ct && i < G_N_ELEMENTS(types); i++) {
		if (!g_ascii_strncasecmp(ct, types[i].type, strlen(types[i].type))) {
			*out_kind = types[i].kind;
			return true;
		}
	}
	return false;
}

static bool
sniff_extension(const char *name, bs_extract_kind *out_kind)
{
	size_t n = name ? strlen(name) : 0;

	for (size_t i = 0; i < G_N_ELEMENTS(extensions); i++) {
		size_t e = strlen(extensions[i].ext);

		if (n > e && !g_ascii_strcasecmp(name + n - e, extensions[i].ext)) {
			*out_kind = extensions[i].kind;
			return true;
		}
	}
	return false;
}

/* A nameless octet-stream that starts like a message header block. */
static bool
looks_like_message(const bs_attachment *att)
{
	static const char *const starts[] = {
	    "Return-Path:", "Received:", "From:",        "MIME-Version:",
	    "Message-ID:",  "Date:",     "Delivered-To:"};

	for (size_t i = 0; i < G_N_ELEMENTS(starts); i++) {
		size_t n = strlen(starts[i]);

		if (att->len > n && !g_ascii_strncasecmp(att->data, starts[i], n))
			return true;
	}
	return false;
}

bs_extract_kind
bs_extract_sniff(const bs_attachment *att)
{
	bs_extract_kind kind = BS_EXTRACT_NONE;

	if (sniff_magic(att, &kind))
		return kind;
	if (sniff_type(att->content_type, &kind))
		return kind;
	if (sniff_extension(att->filename, &kind))
		return kind;
	return looks_like_message(att) ? BS_EXTRACT_MESSAGE : BS_EXTRACT_NONE;
}

static void
extract_html(bs_mail_ctx *ctx, const bs_attachment *att)
{
	bs_buf utf8, text;
	size_t n = 0;
	const char *p;

	bs_buf_init(&utf8, SIZE_MAX / 4);
	bs_buf_init(&text, bs_mail_ctx_remaining(ctx));
	p = bs_mail_text_to_utf8(att->charset, att->data, att->len, &utf8, &n, NULL);
	if (!bs_mail_html_to_text(p, n, &text))
		bs_mail_ctx_defect(ctx, BS_DEFECT_SIZE, -1);
	bs_mail_ctx_emit(ctx, text.data ? text.data : "", text.len);
	bs_buf_fini(&utf8);
	bs_buf_fini(&text);
}

static void
extract_rtf(bs_mail_ctx *ctx, const bs_attachment *att)
{
	bs_buf text;

	bs_buf_init(&text, bs_mail_ctx_remaining(ctx));
	if (!bs_extract_rtf_text(att->data, att->len, &text))
		bs_mail_ctx_defect(ctx, BS_DEFECT_SIZE, -1);
	bs_mail_ctx_emit(ctx, text.data ? text.data : "", text.len);
	bs_buf_fini(&text);
}

void
bs_extract_as(bs_mail_ctx *ctx, bs_extract_kind kind, const bs_attachment *att)
{
	switch (kind) {
	case BS_EXTRACT_TEXT:
		bs_mail_ctx_emit_charset(ctx, att->charset, att->data, att->len);
		break;
	case BS_EXTRACT_HTML:
		extract_html(ctx, att);
		break;
	case BS_EXTRACT_PDF:
		bs_extract__pdf(ctx, att);
		break;
	case BS_EXTRACT_OOXML:
	case BS_EXTRACT_ODF:
	case BS_EXTRACT_ZIP:
		bs_extract__zip(ctx, att);
		break;
	case BS_EXTRACT_RTF:
		extract_rtf(ctx, att);
		break;
	case BS_EXTRACT_MESSAGE:
		bs_mail_ctx_walk_message(ctx, att->data, att->len);
		break;
	case BS_EXTRACT_ARCHIVE:
		bs_extract__archive(ctx, att);
		break;
	case BS_EXTRACT_UNSUPPORTED:
		bs_mail_ctx_defect(ctx, BS_DEFECT_UNSUPPORTED, -1);
		break;
	default:
		bs_mail_ctx_skipped(ctx);
		break;
	}
}

void
bs_extract_attachment(bs_mail_ctx *ctx, const bs_attachment *att)
{
	bs_extract_as(ctx, bs_extract_sniff(att), att);
}

void
bs_extract_limits_init(bs_mail_limits *limits)
{
	bs_mail_limits_init(limits);
	limits->extract = bs_extract_attachment;
}
