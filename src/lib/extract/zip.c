/* Zip archives from memory with libzip: office packages (OOXML, ODF) are
 * read as documents, other archives member by member through the walk. A
 * zip without a usable central directory goes to libarchive's streaming
 * reader instead (archive.c).
 * Bomb guards: a member's declared size is charged against the message's
 * expanded-bytes budget before it is inflated, members that compress
 * better than max_ratio are skipped, and reading never goes past the
 * declared size, so a lying header cannot inflate more than it declared. */
#include "extract/extract.h"

#include <zip.h>

#include "extract/internal.h"

/* The parts of an office package that hold writing. */
static const struct {
	const char *prefix;
	const char *suffix;
	bs_xml_mode mode;
} office_parts[] = {
    {"word/document", ".xml", BS_XML_BODY},
    {"word/header", ".xml", BS_XML_BODY},
    {"word/footer", ".xml", BS_XML_BODY},
    {"word/footnotes", ".xml", BS_XML_BODY},
    {"word/endnotes", ".xml", BS_XML_BODY},
    {"word/comments", ".xml", BS_XML_BODY},
    {"xl/sharedStrings", ".xml", BS_XML_BODY},
    {"xl/worksheets/sheet", ".xml", BS_XML_SHEET},
    {"xl/comments", ".xml", BS_XML_BODY},
    {"ppt/slides/slide", ".xml", BS_XML_BODY},
    {"ppt/notesSlides/notesSlide", ".xml", BS_XML_BODY},
    {"docProps/core.xml", "", BS_XML_PROPS},
    {"content.xml", "", BS_XML_BODY},
    {"styles.xml", "", BS_XML_BODY}, /* ODF page headers and footers */
    {"meta.xml", "", BS_XML_PROPS},
};

/* Documents embedded in office packages: walked like archive members. */
static const char *const embedding_dirs[] = {"word/embeddings/", "xl/embeddings/",
                                             "ppt/embeddings/"};

static bool
has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Inflates member i into out (reset first) under the guards above. */
static bool
read_member(bs_mail_ctx *ctx, zip_t *z, zip_uint64_t i, bs_buf *out)
{
	const bs_mail_limits *lim = bs_mail_ctx_limits(ctx);
	char chunk[16384];
	zip_stat_t st;
	zip_file_t *f;
	zip_int64_t n = 0;

	bs_buf_reset(out);
	zip_stat_init(&st);
	if (zip_stat_index(z, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_EXTRACT, -1);
		return false;
	}
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_ENCRYPTED, -1);
		return false;
	}
	if (st.size >= BS_LIMIT_RATIO_MIN_BYTES && (st.valid & ZIP_STAT_COMP_SIZE) &&
	    st.size / MAX(st.comp_size, 1) >= lim->max_ratio) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_RATIO, -1);
		return false;
	}
	if (!bs_mail_ctx_charge(ctx, st.size) || !(f = zip_fopen_index(z, i, 0))) {
		if (bs_mail_ctx_remaining(ctx) > 0)
			bs_mail_ctx_defect(ctx, BS_DEFECT_EXTRACT, -1);
		return false;
	}
	while (out->len < st.size && !bs_mail_ctx_expired(ctx)) {
		n = zip_fread(f, chunk, MIN(sizeof(chunk), st.size - out->len));
		if (n <= 0 || !bs_buf_append(out, chunk, (size_t)n))
			break;
	}
	if (n < 0)
		bs_mail_ctx_defect(ctx, BS_DEFECT_EXTRACT, -1);
	zip_fclose(f);
	return n >= 0;
}

static void
walk_member(bs_mail_ctx *ctx, zip_t *z, zip_uint64_t i, const char *name)
{
	bs_buf data;
	bs_attachment att = {NULL, name, NULL, NULL, 0};

	if (!bs_mail_ctx_enter(ctx, (unsigned)i))
		return;
	bs_buf_init(&data, bs_mail_ctx_remaining(ctx));
	if (read_member(ctx, z, i, &data)) {
		att.data = data.data ? data.data : "";
		att.len = data.len;
		bs_mail_ctx_walk_attachment(ctx, &att);
	} else if (name) {
		/* The name is still writing even when the content is not read. */
		bs_attachment named = {NULL, name, NULL, "", 0};

		bs_mail_ctx_walk_attachment(ctx, &named);
	}
	bs_buf_fini(&data);
	bs_mail_ctx_leave(ctx);
}

static void
walk_archive(bs_mail_ctx *ctx, zip_t *z)
{
	zip_int64_t count = zip_get_num_entries(z, 0);

	for (zip_int64_t i = 0; i < count && !bs_mail_ctx_expired(ctx); i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);

		if (name && has_suffix(name, "/"))
			continue; /* a directory */
		walk_member(ctx, z, (zip_uint64_t)i, name);
	}
}

static void
read_office_part(bs_mail_ctx *ctx, zip_t *z, zip_uint64_t i, bs_xml_mode mode)
{
	bs_buf xml;

	bs_buf_init(&xml, bs_mail_ctx_remaining(ctx));
	if (read_member(ctx, z, i, &xml))
		bs_extract__office_xml(ctx, mode, xml.data ? xml.data : "", xml.len);
	bs_buf_fini(&xml);
}

static void
office_entry(bs_mail_ctx *ctx, zip_t *z, zip_uint64_t i, const char *name)
{
	for (size_t k = 0; k < G_N_ELEMENTS(office_parts); k++) {
		if (has_prefix(name, office_parts[k].prefix) &&
		    has_suffix(name, office_parts[k].suffix)) {
			read_office_part(ctx, z, i, office_parts[k].mode);
			return;
		}
	}
	for (size_t k = 0; k < G_N_ELEMENTS(embedding_dirs); k++)
		if (has_prefix(name, embedding_dirs[k]))
			walk_member(ctx, z, i, name);
}

static void
walk_office(bs_mail_ctx *ctx, zip_t *z)
{
	zip_int64_t count = zip_get_num_entries(z, 0);

	for (zip_int64_t i = 0; i < count && !bs_mail_ctx_expired(ctx); i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);

		if (name)
			office_entry(ctx, z, (zip_uint64_t)i, name);
	}
}

/* OOXML has [Content_Types].xml; ODF starts with a "mimetype" entry. */
static bool
is_office(zip_t *z)
{
	return zip_name_locate(z, "[Content_Types].xml", 0) >= 0 ||
	       (zip_name_locate(z, "mimetype", 0) >= 0 &&
	        zip_name_locate(z, "content.xml", 0) >= 0);
}

void
bs_extract__zip(bs_mail_ctx *ctx, const bs_attachment *att)
{
	zip_error_t err;
	zip_source_t *src;
	zip_t *z;

	zip_error_init(&err);
	src = zip_source_buffer_create(att->data, att->len, 0, &err);
	z = src ? zip_open_from_source(src, ZIP_RDONLY, &err) : NULL;
	if (!z) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&err);
		/* No central directory libzip can use: a zip cut short (an
		 * attachment truncated in transit, a streaming zipper that never
		 * finished). libarchive reads it member by member from the local
		 * headers and data descriptors, and records the damage. */
		bs_extract__archive(ctx, att);
		return;
	}
	if (is_office(z))
		walk_office(ctx, z);
	else
		walk_archive(ctx, z);
	zip_discard(z); /* frees src too */
	zip_error_fini(&err);
}
