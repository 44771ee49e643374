/* Quarantine and restore of mbox messages by atomic rewrite.
 *
 * Quarantine of the hits of one mbox (a "group"): journal the intent
 * (original hash, the byte ranges, where they go in quarantine.mbox) ->
 * append the messages to quarantine.mbox, fsync -> write the mbox without
 * them to a temporary file beside it, fsync -> journal its hash ->
 * rename over the original, fsync the directory -> manifest lines ->
 * clear the journal. Recovery compares the mbox with the two hashes: the
 * new one means the rename happened (finish), the old one that it did not
 * (drop the temporary file, cut quarantine.mbox back); anything else
 * means somebody changed the mbox meanwhile, and the journal is kept.
 *
 * Restore re-inserts each message at the offset it had, newest group
 * first, which gives back the original file byte for byte when nothing
 * else changed. If the mbox changed since, a message goes back at its
 * offset only if that still falls on a message boundary, else it is
 * appended at the end (counted as "changed"); either way each message
 * returns exactly once and its own bytes are unchanged.
 *
 * The mbox is locked with fcntl() (what Dovecot, Postfix and procmail
 * honour) while it is rewritten; writers that take no lock must be
 * stopped first. */
#include "hunt/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct {
	const char *p;
	size_t len;
} piece;

static bool
io_error(GError **error, const char *path, const char *what)
{
	int e = errno;

	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot %s: %s", path, what,
	            g_strerror(e));
	return false;
}

static bool
pwrite_all(int fd, const char *p, size_t len, off_t at)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
		at += n;
	}
	return true;
}

/* Bytes that make a message end in an empty line, so that the next From_
 * line in quarantine.mbox is a separator. */
static const char *
padding(const char *p, size_t len)
{
	if ((len >= 2 && p[len - 1] == '\n' && p[len - 2] == '\n') ||
	    (len >= 4 && memcmp(p + len - 4, "\r\n\r\n", 4) == 0))
		return "";
	return len >= 1 && p[len - 1] == '\n' ? "\n" : "\n\n";
}

/* Writes pieces to a new file tmp with the owner and mode of st, fsyncs it. */
static bool
write_pieces(const char *tmp, const piece *pieces, size_t count, const struct stat *st,
             char out_sha[65], int64_t *out_bytes, GError **error)
{
	g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	off_t at = 0;
	bool ok = fd >= 0;

	for (size_t i = 0; ok && i < count; i++) {
		ok = pwrite_all(fd, pieces[i].p, pieces[i].len, at);
		g_checksum_update(ck, (const guchar *)pieces[i].p, (gssize)pieces[i].len);
		at += (off_t)pieces[i].len;
	}
	if (ok && st) {
		(void)!fchown(fd, st->st_uid, st->st_gid); /* best effort when not root */
		ok = fchmod(fd, st->st_mode & 07777) == 0;
	}
	ok = ok && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		return io_error(error, tmp, "write");
	g_strlcpy(out_sha, g_checksum_get_string(ck), 65);
	*out_bytes = at;
	return true;
}

/* Opens and fcntl-locks an mbox for rewriting. */
static int
open_locked(const char *path, int flags, GError **error)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	int fd = open(path, flags | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		io_error(error, path, "open");
		return -1;
	}
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": locked by another program",
		            path);
		close(fd);
		return -1;
	}
	return fd;
}

static bool
rename_over(hunt_q *q, const char *tmp, const char *path, GError **error)
{
	if (rename(tmp, path) != 0)
		return io_error(error, path, "replace");
	if (!bs_hunt__fsync_parent(path, error))
		return false;
	bs_hunt__q_step(q);
	return true;
}

/* ---- quarantine --------------------------------------------------------- */

static json_t *
mbox_intent(hunt_q *q, const char *abs, const char *qfile, int64_t qoffset, const char *text,
            const mbox_hit *hits, size_t count)
{
	char sha[65];
	json_t *msgs = json_array();
	int64_t group = (int64_t)q->next_seq;

	for (size_t i = 0; i < count; i++) {
		json_t *e = bs_hunt__meta_json("mbox", &hits[i].meta);

		bs_hunt__sha256_hex(text + hits[i].offset, hits[i].len, sha);
		json_object_set_new(e, "seq", json_integer((json_int_t)q->next_seq++));
		json_object_set_new(e, "group", json_integer(group));
		json_object_set_new(e, "path", json_string(abs));
		json_object_set_new(e, "offset", json_integer((json_int_t)hits[i].offset));
		json_object_set_new(e, "bytes", json_integer((json_int_t)hits[i].len));
		json_object_set_new(e, "sha256", json_string(sha));
		json_object_set_new(e, "quarantine", json_string(qfile));
		json_object_set_new(e, "qoffset", json_integer(qoffset));
		json_array_append_new(msgs, e);
		qoffset +=
		    (int64_t)(hits[i].len + strlen(padding(text + hits[i].offset, hits[i].len)));
	}
	return json_pack("{s:s, s:I, s:o}", "op", "mbox", "group", (json_int_t)group, "msgs", msgs);
}

static bool
append_to_qfile(hunt_q *q, const char *qfile, int64_t qoffset, const char *text,
                const mbox_hit *hits, size_t count, GError **error)
{
	int fd = open(qfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	off_t at = (off_t)qoffset;
	bool ok = fd >= 0 && ftruncate(fd, at) == 0;

	for (size_t i = 0; ok && i < count; i++) {
		const char *p = text + hits[i].offset;
		const char *pad = padding(p, hits[i].len);

		ok = pwrite_all(fd, p, hits[i].len, at) &&
		     pwrite_all(fd, pad, strlen(pad), at + (off_t)hits[i].len);
		at += (off_t)(hits[i].len + strlen(pad));
	}
	ok = ok && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		return io_error(error, qfile, "append to");
	if (!bs_hunt__fsync_parent(qfile, error))
		return false;
	bs_hunt__q_step(q);
	return true;
}

/* The manifest lines of a finished group: its entries plus the hash of
 * the rewritten mbox, which restore checks to know nothing changed. */
static bool
commit_mbox(hunt_q *q, json_t *intent, const char *after_sha, int64_t after_bytes, GError **error)
{
	json_t *recs = json_deep_copy(json_object_get(intent, "msgs"));
	json_t *e;
	size_t i;
	bool ok;

	json_array_foreach(recs, i, e)
	{
		json_object_set_new(e, "after_sha256", json_string(after_sha));
		json_object_set_new(e, "after_bytes", json_integer(after_bytes));
	}
	ok = bs_hunt__q_manifest(q, recs, error);
	json_decref(recs);
	return ok;
}

static bool
check_hits(const char *path, const char *text, size_t len, const mbox_hit *hits, size_t count,
           GError **error)
{
	size_t end = 0;

	for (size_t i = 0; i < count; i++) {
		if (hits[i].offset < end || hits[i].offset + hits[i].len > len ||
		    !bs_hunt__is_mbox(text + hits[i].offset, hits[i].len)) {
			g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL,
			            "\"%s\": hit at offset %zu is not a message", path,
			            hits[i].offset);
			return false;
		}
		end = hits[i].offset + hits[i].len;
	}
	return true;
}

/* The pieces of text that stay: everything between the hits. */
static piece *
kept_pieces(const char *text, size_t len, const mbox_hit *hits, size_t count, size_t *out_n)
{
	piece *v = g_new0(piece, count + 1);
	size_t pos = 0, n = 0;

	for (size_t i = 0; i < count; i++) {
		v[n++] = (piece){text + pos, hits[i].offset - pos};
		pos = hits[i].offset + hits[i].len;
	}
	v[n++] = (piece){text + pos, len - pos};
	*out_n = n;
	return v;
}

typedef struct {
	const char *abs;
	const char *tmp;
	const char *qfile;
	const struct stat *st;
	const char *text;
	size_t len;
} rewrite_ctx;

static bool
rewrite_without(hunt_q *q, const rewrite_ctx *c, const mbox_hit *hits, size_t count, GError **error)
{
	struct stat qst;
	int64_t qoffset = stat(c->qfile, &qst) == 0 ? (int64_t)qst.st_size : 0;
	json_t *intent = mbox_intent(q, c->abs, c->qfile, qoffset, c->text, hits, count);
	size_t n = 0;
	g_autofree piece *kept = kept_pieces(c->text, c->len, hits, count, &n);
	char base[65], after[65];
	int64_t after_bytes = 0;
	bool ok;

	bs_hunt__sha256_hex(c->text, c->len, base);
	json_object_set_new(intent, "path", json_string(c->abs));
	json_object_set_new(intent, "tmp", json_string(c->tmp));
	json_object_set_new(intent, "qfile", json_string(c->qfile));
	json_object_set_new(intent, "qoffset", json_integer(qoffset));
	json_object_set_new(intent, "base_sha256", json_string(base));
	ok = bs_hunt__q_journal(q, intent, error) &&
	     append_to_qfile(q, c->qfile, qoffset, c->text, hits, count, error) &&
	     write_pieces(c->tmp, kept, n, c->st, after, &after_bytes, error);
	if (ok) {
		json_t *w = json_pack("{s:s, s:s, s:I}", "op", "written", "after_sha256", after,
		                      "after_bytes", (json_int_t)after_bytes);

		bs_hunt__q_step(q);
		ok = bs_hunt__q_journal(q, w, error);
		json_decref(w);
	}
	ok = ok && rename_over(q, c->tmp, c->abs, error) &&
	     commit_mbox(q, intent, after, after_bytes, error) &&
	     bs_hunt__q_journal_clear(q, error);
	json_decref(intent);
	return ok;
}

bool
bs_hunt__q_mbox(hunt_q *q, const char *path, int64_t scanned_size, int64_t scanned_mtime_ns,
                const mbox_hit *hits, size_t count, GError **error)
{
	g_autofree char *abs = g_canonicalize_filename(path, NULL);
	g_autofree char *tmp = g_strconcat(abs, ".bs-hunt-tmp", NULL);
	g_autofree char *qfile = g_build_filename(q->dir, "quarantine.mbox", NULL);
	g_autoptr(GMappedFile) mf = NULL;
	rewrite_ctx c = {abs, tmp, qfile};
	struct stat st;
	int fd = open_locked(abs, 0, error);
	bool ok = false;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || (int64_t)st.st_size != scanned_size ||
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec != scanned_mtime_ns) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO,
		            "\"%s\": changed since it was scanned; run the hunt again", abs);
		goto out;
	}
	mf = g_mapped_file_new_from_fd(fd, FALSE, NULL);
	if (!mf) {
		io_error(error, abs, "map");
		goto out;
	}
	c.st = &st;
	c.text = g_mapped_file_get_contents(mf);
	c.len = g_mapped_file_get_length(mf);
	ok = check_hits(abs, c.text, c.len, hits, count, error) &&
	     rewrite_without(q, &c, hits, count, error);
out:
	close(fd); /* releases the lock, after the rename */
	return ok;
}

/* ---- recovery ----------------------------------------------------------- */

static void
current_sha(const char *path, char out[65])
{
	if (!bs_hunt__sha256_file(path, out, NULL))
		g_strlcpy(out, EMPTY_SHA256, 65);
}

static bool
changed_error(const char *path, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_IO,
	            "\"%s\": changed during an interrupted quarantine or restore; the journal is "
	            "kept for manual repair",
	            path);
	return false;
}

bool
bs_hunt__recover_mbox(hunt_q *q, json_t *rec, json_t *written, GError **error)
{
	json_t *first = json_array_get(json_object_get(rec, "msgs"), 0);
	const char *path = bs_hunt__rec_str(rec, "path");
	const char *tmp = bs_hunt__rec_str(rec, "tmp");
	const char *qfile = bs_hunt__rec_str(rec, "qfile");
	const char *after = written ? bs_hunt__rec_str(written, "after_sha256") : NULL;
	int64_t qoffset = bs_hunt__rec_int(rec, "qoffset");
	char cur[65];

	if (!first || !path || !tmp || !qfile || qoffset < 0)
		return true;
	if (g_hash_table_contains(q->entries,
	                          GSIZE_TO_POINTER((gsize)bs_hunt__rec_int(first, "seq"))))
		return true; /* committed; only the journal clear was missing */
	current_sha(path, cur);
	if (after && strcmp(cur, after) == 0)
		return commit_mbox(q, rec, after, bs_hunt__rec_int(written, "after_bytes"), error);
	if (g_strcmp0(cur, bs_hunt__rec_str(rec, "base_sha256")) != 0)
		return changed_error(path, error);
	if (unlink(tmp) != 0 && errno != ENOENT)
		return io_error(error, tmp, "remove");
	if (truncate(qfile, (off_t)qoffset) != 0 && errno != ENOENT)
		return io_error(error, qfile, "truncate");
	return true;
}

/* ---- restore ------------------------------------------------------------ */

static gint
by_offset(gconstpointer a, gconstpointer b)
{
	int64_t x = bs_hunt__rec_int(*(json_t *const *)a, "offset");
	int64_t y = bs_hunt__rec_int(*(json_t *const *)b, "offset");

	return x < y ? -1 : x > y;
}

/* Unrestored entries of a group, by offset. */
static GPtrArray *
group_entries(hunt_q *q, int64_t group)
{
	GPtrArray *v = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, q->entries);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (bs_hunt__rec_int(val, "group") == group &&
		    !g_hash_table_contains(q->restored, key))
			g_ptr_array_add(v, val);
	g_ptr_array_sort(v, by_offset);
	return v;
}

/* Is p a place where a message may start in text? */
static bool
boundary(const char *text, size_t len, size_t p)
{
	if (p == 0)
		return true;
	if (p > len || text[p - 1] != '\n' || (p < len && !bs_hunt__is_mbox(text + p, len - p)))
		return false;
	return (p >= 2 && text[p - 2] == '\n') ||
	       (p >= 4 && memcmp(text + p - 4, "\r\n\r\n", 4) == 0);
}

typedef struct {
	const char *cur; /* current mbox text */
	size_t cur_len;
	const char *qtext; /* quarantine.mbox text */
	size_t qlen;
	bool exact;     /* the mbox is as the quarantine left it */
	GArray *pieces; /* of piece */
	size_t changed; /* messages appended at the end */
} restore_plan;

static bool
chunk_of(const restore_plan *pl, json_t *e, piece *out, GError **error)
{
	int64_t at = bs_hunt__rec_int(e, "qoffset"), n = bs_hunt__rec_int(e, "bytes");
	char sha[65];

	if (at < 0 || n < 0 || (uint64_t)at + (uint64_t)n > pl->qlen)
		goto bad;
	bs_hunt__sha256_hex(pl->qtext + at, (size_t)n, sha);
	if (g_strcmp0(sha, bs_hunt__rec_str(e, "sha256")) != 0)
		goto bad;
	*out = (piece){pl->qtext + at, (size_t)n};
	return true;
bad:
	g_set_error(error, BS_ERROR, BS_ERROR_IO,
	            "manifest entry %" G_GINT64_FORMAT ": quarantine.mbox does not hold it intact",
	            bs_hunt__rec_int(e, "seq"));
	return false;
}

static bool
plan_restore(restore_plan *pl, GPtrArray *entries, GError **error)
{
	g_autoptr(GArray) late = g_array_new(FALSE, FALSE, sizeof(piece));
	size_t pos = 0, removed = 0;

	for (guint i = 0; i < entries->len; i++) {
		int64_t off = bs_hunt__rec_int(entries->pdata[i], "offset");
		size_t p = off >= (int64_t)removed ? (size_t)off - removed : SIZE_MAX;
		piece chunk;

		if (!chunk_of(pl, entries->pdata[i], &chunk, error))
			return false;
		removed += chunk.len;
		if (p < pos || p > pl->cur_len ||
		    (!pl->exact && !boundary(pl->cur, pl->cur_len, p))) {
			g_array_append_val(late, chunk);
			continue;
		}
		g_array_append_val(pl->pieces, ((piece){pl->cur + pos, p - pos}));
		g_array_append_val(pl->pieces, chunk);
		pos = p;
	}
	g_array_append_val(pl->pieces, ((piece){pl->cur + pos, pl->cur_len - pos}));
	for (guint i = 0; i < late->len; i++) {
		piece prev = g_array_index(pl->pieces, piece, pl->pieces->len - 1);
		const char *pad = prev.len ? padding(prev.p, prev.len) : "";

		g_array_append_val(pl->pieces, ((piece){pad, strlen(pad)}));
		g_array_append_val(pl->pieces, g_array_index(late, piece, i));
		pl->changed++;
	}
	return true;
}

/* Cuts quarantine.mbox back to qtrunc when no unrestored entry lies beyond. */
static bool
trim_qfile(hunt_q *q, const char *qfile, int64_t qtrunc, GError **error)
{
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, q->entries);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (g_strcmp0(bs_hunt__rec_str(val, "kind"), "mbox") == 0 &&
		    !g_hash_table_contains(q->restored, key) &&
		    bs_hunt__rec_int(val, "qoffset") >= qtrunc)
			return true;
	if (truncate(qfile, (off_t)qtrunc) != 0 && errno != ENOENT)
		return io_error(error, qfile, "truncate");
	bs_hunt__q_step(q);
	return true;
}

static bool
commit_unmbox(hunt_q *q, json_t *intent, GError **error)
{
	g_autofree char *now = bs_hunt__now();
	json_t *recs = json_array(), *seq;
	size_t i;
	bool ok;

	json_array_foreach(json_object_get(intent, "seqs"), i, seq)
	    json_array_append_new(recs, json_pack("{s:O, s:s}", "restored", seq, "time", now));
	ok = bs_hunt__q_manifest(q, recs, error) &&
	     trim_qfile(q, bs_hunt__rec_str(intent, "qfile"), bs_hunt__rec_int(intent, "qtrunc"),
	                error);
	json_decref(recs);
	return ok;
}

bool
bs_hunt__recover_unmbox(hunt_q *q, json_t *rec, json_t *written, GError **error)
{
	const char *path = bs_hunt__rec_str(rec, "path");
	const char *tmp = bs_hunt__rec_str(rec, "tmp");
	const char *after = written ? bs_hunt__rec_str(written, "after_sha256") : NULL;
	json_t *first = json_array_get(json_object_get(rec, "seqs"), 0);
	char cur[65];

	if (!path || !tmp || !first)
		return true;
	if (g_hash_table_contains(q->restored, GSIZE_TO_POINTER((gsize)json_integer_value(first))))
		return trim_qfile(q, bs_hunt__rec_str(rec, "qfile"),
		                  bs_hunt__rec_int(rec, "qtrunc"), error);
	current_sha(path, cur);
	if (after && strcmp(cur, after) == 0)
		return commit_unmbox(q, rec, error);
	if (g_strcmp0(cur, bs_hunt__rec_str(rec, "base_sha256")) != 0)
		return changed_error(path, error);
	if (unlink(tmp) != 0 && errno != ENOENT)
		return io_error(error, tmp, "remove");
	return true;
}

static json_t *
unmbox_intent(GPtrArray *entries, const char *tmp, const char *base)
{
	json_t *first = entries->pdata[0];
	json_t *seqs = json_array();
	int64_t qtrunc = INT64_MAX;

	for (guint i = 0; i < entries->len; i++) {
		json_array_append_new(seqs,
		                      json_integer(bs_hunt__rec_int(entries->pdata[i], "seq")));
		qtrunc = MIN(qtrunc, bs_hunt__rec_int(entries->pdata[i], "qoffset"));
	}
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:o}", "op", "unmbox", "group",
	                 (json_int_t)bs_hunt__rec_int(first, "group"), "path",
	                 bs_hunt__rec_str(first, "path"), "tmp", tmp, "qfile",
	                 bs_hunt__rec_str(first, "quarantine"), "base_sha256", base, "qtrunc",
	                 (json_int_t)qtrunc, "seqs", seqs);
}

static bool
write_restored(hunt_q *q, restore_plan *pl, GPtrArray *entries, const char *abs,
               const struct stat *st, GError **error)
{
	g_autofree char *tmp = g_strconcat(abs, ".bs-hunt-tmp", NULL);
	char base[65], after[65];
	int64_t after_bytes;
	json_t *intent, *w;
	bool ok;

	bs_hunt__sha256_hex(pl->cur, pl->cur_len, base);
	pl->exact = g_strcmp0(base, bs_hunt__rec_str(entries->pdata[0], "after_sha256")) == 0;
	if (!plan_restore(pl, entries, error))
		return false;
	intent = unmbox_intent(entries, tmp, base);
	ok = bs_hunt__q_journal(q, intent, error) &&
	     write_pieces(tmp, (piece *)(void *)pl->pieces->data, pl->pieces->len, st, after,
	                  &after_bytes, error);
	if (ok) {
		bs_hunt__q_step(q);
		w = json_pack("{s:s, s:s}", "op", "written", "after_sha256", after);
		ok = bs_hunt__q_journal(q, w, error);
		json_decref(w);
	}
	ok = ok && rename_over(q, tmp, abs, error) && commit_unmbox(q, intent, error) &&
	     bs_hunt__q_journal_clear(q, error);
	json_decref(intent);
	return ok;
}

bool
bs_hunt__restore_mbox(hunt_q *q, int64_t group, size_t *out_restored, size_t *out_changed,
                      GError **error)
{
	g_autoptr(GPtrArray) entries = group_entries(q, group);
	g_autoptr(GMappedFile) qmf = NULL, cmf = NULL;
	g_autoptr(GArray) pieces = g_array_new(FALSE, FALSE, sizeof(piece));
	restore_plan pl = {.pieces = pieces, .cur = "", .qtext = ""};
	const char *abs;
	struct stat st;
	int fd;
	bool ok;

	if (entries->len == 0)
		return true;
	abs = bs_hunt__rec_str(entries->pdata[0], "path");
	qmf = g_mapped_file_new(bs_hunt__rec_str(entries->pdata[0], "quarantine"), FALSE, error);
	if (!abs || !qmf)
		return false;
	fd = open_locked(abs, O_CREAT, error);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return io_error(error, abs, "stat");
	}
	if (st.st_size > 0)
		cmf = g_mapped_file_new_from_fd(fd, FALSE, NULL);
	if (cmf) {
		pl.cur = g_mapped_file_get_contents(cmf);
		pl.cur_len = g_mapped_file_get_length(cmf);
	}
	pl.qtext = g_mapped_file_get_contents(qmf) ? g_mapped_file_get_contents(qmf) : "";
	pl.qlen = g_mapped_file_get_length(qmf);
	ok = write_restored(q, &pl, entries, abs, &st, error);
	close(fd);
	if (ok) {
		*out_restored += entries->len;
		*out_changed += pl.changed;
	}
	return ok;
}
