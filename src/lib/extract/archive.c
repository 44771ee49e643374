/* Archives other than zip through libarchive (tar, gzip, bzip2, xz, 7z,
 * rar, cab), read from memory. Members are walked like zip members.
 * libarchive streams and does not always know a member's compressed size,
 * so the bomb guard here is the ratio of everything inflated so far to the
 * archive's own size, plus the message's expanded-bytes budget. */
#include "extract/extract.h"

#include <archive.h>
#include <archive_entry.h>

#include "extract/internal.h"

struct arc {
	bs_mail_ctx *ctx;
	const bs_attachment *att;
	struct archive *a;
	uint64_t inflated; /* bytes read out of all members so far */
	bool stop;         /* a guard fired: the rest of the archive is left */
};

static bool
ratio_exceeded(const struct arc *r)
{
	const bs_mail_limits *lim = bs_mail_ctx_limits(r->ctx);

	return r->inflated >= BS_LIMIT_RATIO_MIN_BYTES &&
	       r->inflated / MAX(r->att->len, 1) >= lim->max_ratio;
}

/* Reads the current member into out, charging as it goes. */
static bool
read_member(struct arc *r, bs_buf *out)
{
	char chunk[16384];
	la_ssize_t n;

	while ((n = archive_read_data(r->a, chunk, sizeof(chunk))) > 0) {
		r->inflated += (uint64_t)n;
		if (ratio_exceeded(r)) {
			bs_mail_ctx_defect(r->ctx, BS_DEFECT_RATIO, -1);
			r->stop = true;
			return false;
		}
		if (!bs_mail_ctx_charge(r->ctx, (uint64_t)n) ||
		    !bs_buf_append(out, chunk, (size_t)n) || bs_mail_ctx_expired(r->ctx)) {
			r->stop = true;
			return false;
		}
	}
	if (n < 0)
		bs_mail_ctx_defect(r->ctx, BS_DEFECT_EXTRACT, -1);
	return n == 0;
}

/* A bare .gz/.bz2/.xz holds one file without a name: the archive's own
 * name minus its compression suffix says what it is. */
static char *
member_name(struct arc *r, struct archive_entry *e)
{
	const char *name = archive_entry_pathname_utf8(e);
	const char *dot;

	if (archive_format(r->a) != ARCHIVE_FORMAT_RAW)
		return g_strdup(name ? name : archive_entry_pathname(e));
	if (!r->att->filename)
		return NULL;
	dot = strrchr(r->att->filename, '.');
	return g_strndup(r->att->filename,
	                 dot ? (size_t)(dot - r->att->filename) : strlen(r->att->filename));
}

static void
walk_entry(struct arc *r, struct archive_entry *e, unsigned index)
{
	g_autofree char *name = member_name(r, e);
	bs_attachment member = {NULL, name, NULL, "", 0};
	bs_buf data;

	if (!bs_mail_ctx_enter(r->ctx, index))
		return;
	bs_buf_init(&data, bs_mail_ctx_remaining(r->ctx));
	if (archive_entry_is_encrypted(e)) {
		bs_mail_ctx_defect(r->ctx, BS_DEFECT_ENCRYPTED, -1);
	} else if (read_member(r, &data)) {
		member.data = data.data ? data.data : "";
		member.len = data.len;
	}
	bs_mail_ctx_walk_attachment(r->ctx, &member);
	bs_buf_fini(&data);
	bs_mail_ctx_leave(r->ctx);
}

void
bs_extract__archive(bs_mail_ctx *ctx, const bs_attachment *att)
{
	struct arc r = {ctx, att, archive_read_new(), 0, false};
	struct archive_entry *e;
	unsigned index = 0;
	int ret = ARCHIVE_OK;

	archive_read_support_filter_all(r.a);
	archive_read_support_format_all(r.a);
	archive_read_support_format_raw(r.a);
	if (archive_read_open_memory(r.a, att->data, att->len) != ARCHIVE_OK) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_EXTRACT, -1);
		archive_read_free(r.a);
		return;
	}
	while (!r.stop && !bs_mail_ctx_expired(ctx) &&
	       ((ret = archive_read_next_header(r.a, &e)) == ARCHIVE_OK || ret == ARCHIVE_WARN)) {
		if (archive_entry_filetype(e) == AE_IFREG)
			walk_entry(&r, e, index);
		index++;
	}
	if (ret < ARCHIVE_WARN)
		bs_mail_ctx_defect(ctx, BS_DEFECT_EXTRACT, -1);
	archive_read_free(r.a);
}
