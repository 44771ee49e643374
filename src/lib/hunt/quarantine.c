/* The quarantine directory: lock, journal, manifest, recovery after a
 * kill, and moving message files (Maildir, .eml) in and out.
 *
 * Every move follows one protocol: (1) journal the intent and fsync,
 * (2) do the move, fsync the directories, (3) append the manifest line and
 * fsync (the commit), (4) clear the journal. A kill between any two steps
 * leaves a journal that the next open resolves by looking at the files:
 * if the move is visible it writes the manifest line, if not it undoes
 * any partial effect. A message is therefore always either in place or
 * in quarantine with a manifest line, never both, never neither. */
#include "hunt/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

void
bs_hunt__q_step(hunt_q *q)
{
	q->steps++;
	if (q->kill_after && q->steps == q->kill_after)
		raise(SIGKILL); /* test hook; see bs_hunt_options.test_kill_after */
}

static bool
io_error(GError **error, const char *path, const char *what)
{
	int e = errno;

	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot %s: %s", path, what,
	            g_strerror(e));
	return false;
}

static bool
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Writes a json_t through the one JSON writer. */
static void
put_json(bs_json *j, const char *key, json_t *v)
{
	const char *k;
	json_t *child;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		bs_json_obj_begin(j, key);
		json_object_foreach(v, k, child) put_json(j, k, child);
		bs_json_obj_end(j);
		break;
	case JSON_ARRAY:
		bs_json_arr_begin(j, key);
		json_array_foreach(v, i, child) put_json(j, NULL, child);
		bs_json_arr_end(j);
		break;
	case JSON_STRING:
		bs_json_strn(j, key, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		bs_json_int(j, key, json_integer_value(v));
		break;
	case JSON_REAL:
		bs_json_double(j, key, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		bs_json_bool(j, key, json_is_true(v));
		break;
	case JSON_NULL:
		bs_json_null(j, key);
		break;
	}
}

/* Appends lines for each record and fsyncs: one write(), so a kill leaves
 * all of them or none (a torn tail after a crash is dropped on reading). */
static bool
append_records(hunt_q *q, int fd, const char *name, json_t *const *recs, size_t count,
               GError **error)
{
	g_autoptr(bs_json) j = bs_json_new();
	GString *out = g_string_new(NULL);
	bool ok;

	for (size_t i = 0; i < count; i++) {
		put_json(j, NULL, recs[i]);
		g_string_append(out, bs_json_text(j));
		g_string_append_c(out, '\n');
		bs_json_reset(j);
	}
	ok = write_all(fd, out->str, out->len) && fsync(fd) == 0;
	g_string_free(out, TRUE);
	if (!ok) {
		g_autofree char *path = g_build_filename(q->dir, name, NULL);

		return io_error(error, path, "write");
	}
	bs_hunt__q_step(q);
	return true;
}

bool
bs_hunt__q_journal(hunt_q *q, json_t *rec, GError **error)
{
	return append_records(q, q->journal_fd, "journal", &rec, 1, error);
}

bool
bs_hunt__q_journal_clear(hunt_q *q, GError **error)
{
	if (ftruncate(q->journal_fd, 0) != 0 || fsync(q->journal_fd) != 0) {
		g_autofree char *path = g_build_filename(q->dir, "journal", NULL);

		return io_error(error, path, "truncate");
	}
	bs_hunt__q_step(q);
	return true;
}

static void
remember_entry(hunt_q *q, json_t *rec)
{
	int64_t seq = bs_hunt__rec_int(rec, "seq");
	int64_t restored = bs_hunt__rec_int(rec, "restored");

	if (seq >= 0) {
		g_hash_table_replace(q->entries, GSIZE_TO_POINTER((gsize)seq), json_incref(rec));
		q->next_seq = MAX(q->next_seq, (uint64_t)seq + 1);
	}
	if (restored >= 0)
		g_hash_table_add(q->restored, GSIZE_TO_POINTER((gsize)restored));
}

bool
bs_hunt__q_manifest(hunt_q *q, json_t *recs, GError **error)
{
	size_t n = json_array_size(recs);
	g_autofree json_t **v = g_new0(json_t *, n + 1);

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(recs, i);
	if (!append_records(q, q->manifest_fd, "manifest", v, n, error))
		return false;
	for (size_t i = 0; i < n; i++)
		remember_entry(q, v[i]);
	return true;
}

bool
bs_hunt__fsync_parent(const char *path, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && fsync(fd) == 0;

	if (fd >= 0)
		close(fd);
	return ok ? true : io_error(error, dir, "fsync");
}

bool
bs_hunt__sha256_file(const char *path, char out_hex[65], int64_t *out_size)
{
	g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree char *buf = g_malloc(1 << 16);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int64_t size = 0;
	ssize_t n;

	if (fd < 0)
		return false;
	while ((n = read(fd, buf, 1 << 16)) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0) {
			g_checksum_update(ck, (const guchar *)buf, n);
			size += n;
		}
	}
	close(fd);
	if (n < 0)
		return false;
	g_strlcpy(out_hex, g_checksum_get_string(ck), 65);
	if (out_size)
		*out_size = size;
	return true;
}

char *
bs_hunt__now(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
}

const char *
bs_hunt__rec_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

int64_t
bs_hunt__rec_int(const json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

json_t *
bs_hunt__meta_json(const char *kind, const hunt_meta *meta)
{
	g_autofree char *now = bs_hunt__now();

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "kind", kind, "time", now,
	                 "source", meta->source, "mailbox", meta->mailbox, "folder", meta->folder,
	                 "message_id", meta->message_id, "date", meta->date);
}

/* Reads a JSON-lines file; a torn last line (no newline: a crash in the
 * middle of a write) is dropped and cut off so appends start clean. */
static bool
read_records(int fd, const char *path, GPtrArray *out, GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0, start = 0;

	if (!bs_file_read(path, G_MAXSIZE, &text, &len, error))
		return false;
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		json_t *rec;

		if (!nl)
			break;
		rec = json_loadb(text + start, (size_t)(nl - text) - start, 0, NULL);
		if (!json_is_object(rec)) {
			json_decref(rec);
			g_set_error(error, BS_ERROR, BS_ERROR_PARSE,
			            "\"%s\": offset %zu: not a record", path, start);
			return false;
		}
		g_ptr_array_add(out, rec);
		start = (size_t)(nl - text) + 1;
	}
	if (start < len && ftruncate(fd, (off_t)start) != 0)
		return io_error(error, path, "truncate");
	return true;
}

static int
open_in(const char *dir, const char *name, int flags, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	int fd = open(path, flags | O_CLOEXEC, 0600);

	if (fd < 0)
		io_error(error, path, "open");
	return fd;
}

static bool
make_layout(const char *dir, GError **error)
{
	static const char *const subs[] = {"Maildir/cur", "Maildir/new", "Maildir/tmp", "eml"};

	for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
		g_autofree char *p = g_build_filename(dir, subs[i], NULL);

		if (g_mkdir_with_parents(p, 0700) != 0)
			return io_error(error, p, "create");
	}
	return true;
}

static bool
lock_and_open(hunt_q *q, GError **error)
{
	if (!make_layout(q->dir, error))
		return false;
	q->lock_fd = open_in(q->dir, "lock", O_RDWR | O_CREAT, error);
	if (q->lock_fd < 0)
		return false;
	if (flock(q->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE,
		            "\"%s\": quarantine in use by another hunt or restore", q->dir);
		return false;
	}
	q->journal_fd = open_in(q->dir, "journal", O_RDWR | O_CREAT | O_APPEND, error);
	if (q->journal_fd < 0)
		return false;
	q->manifest_fd = open_in(q->dir, "manifest", O_RDWR | O_CREAT | O_APPEND, error);
	return q->manifest_fd >= 0;
}

static bool
load_manifest(hunt_q *q, GError **error)
{
	g_autofree char *path = g_build_filename(q->dir, "manifest", NULL);
	g_autoptr(GPtrArray) recs = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);

	if (!read_records(q->manifest_fd, path, recs, error))
		return false;
	for (guint i = 0; i < recs->len; i++)
		remember_entry(q, recs->pdata[i]);
	return true;
}

void
bs_hunt__q_close(hunt_q *q)
{
	if (!q)
		return;
	if (q->manifest_fd >= 0)
		close(q->manifest_fd);
	if (q->journal_fd >= 0)
		close(q->journal_fd);
	if (q->lock_fd >= 0)
		close(q->lock_fd); /* releases the flock */
	bs_hunt__imap_close(q->conn);
	g_free(q->conn_key);
	if (q->entries)
		g_hash_table_unref(q->entries);
	if (q->restored)
		g_hash_table_unref(q->restored);
	g_free(q->dir);
	g_free(q);
}

/* ---- file moves --------------------------------------------------------- */

static bool resolve_move(const char *from, const char *to, const char *sha, bool *out_done,
                         GError **error);

static bool
copy_file(const char *from, const char *to, GError **error)
{
	g_autofree char *data = NULL;
	size_t len = 0;
	int fd;
	bool ok;

	if (!bs_file_read(from, G_MAXSIZE, &data, &len, error))
		return false;
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_error(error, to, "create");
	ok = write_all(fd, data, len) && fsync(fd) == 0;
	close(fd);
	return ok ? true : io_error(error, to, "write");
}

/* Moves without ever replacing an existing file: renameat2(NOREPLACE),
 * else link+unlink, else (another file system) copy+fsync+unlink. A kill
 * in the latter two leaves both names; recovery compares hashes. */
static bool
move_file(const char *from, const char *to, GError **error)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		goto synced;
	if (errno == EINVAL || errno == ENOSYS) {
		if (link(from, to) == 0 && unlink(from) == 0)
			goto synced;
	}
	if (errno != EXDEV)
		return io_error(error, from, "move");
	if (!copy_file(from, to, error) || !bs_hunt__fsync_parent(to, error))
		return false;
	if (unlink(from) != 0)
		return io_error(error, from, "remove");
synced:
	return bs_hunt__fsync_parent(to, error) && bs_hunt__fsync_parent(from, error);
}

static char *
quarantine_name(hunt_q *q, box_kind kind, const char *path, uint64_t seq)
{
	g_autofree char *base = g_path_get_basename(path);
	g_autofree char *parent = g_path_get_dirname(path);
	g_autofree char *sub = g_path_get_basename(parent); /* cur or new */
	g_autofree char *name = g_strdup_printf("%" G_GUINT64_FORMAT ".%s", seq, base);

	if (kind == BOX_MAILDIR)
		return g_build_filename(q->dir, "Maildir", strcmp(sub, "new") == 0 ? "new" : "cur",
		                        name, NULL);
	return g_build_filename(q->dir, "eml", name, NULL);
}

/* The manifest entry of a file move, from its journal intent. */
static bool
commit_file(hunt_q *q, json_t *intent, GError **error)
{
	json_t *recs = json_array();
	json_t *entry = json_deep_copy(json_object_get(intent, "entry"));
	bool ok;

	json_array_append_new(recs, entry);
	ok = bs_hunt__q_manifest(q, recs, error);
	json_decref(recs);
	return ok;
}

/* After a failed move: did it happen after all? Clears the journal if not. */
static bool
undo_failed_move(hunt_q *q, const char *from, const char *to, const char *sha, bool *out_done,
                 GError **error)
{
	return resolve_move(from, to, sha, out_done, error) &&
	       (*out_done || bs_hunt__q_journal_clear(q, error));
}

bool
bs_hunt__q_file(hunt_q *q, box_kind kind, const char *path, const hunt_meta *meta, bool *out_moved,
                GError **error)
{
	uint64_t seq = q->next_seq++;
	g_autofree char *abs = g_canonicalize_filename(path, NULL);
	g_autofree char *to = quarantine_name(q, kind, abs, seq);
	g_autoptr(GError) local = NULL;
	char sha[65];
	int64_t size;
	json_t *entry, *intent;
	bool ok;

	*out_moved = false;
	if (!bs_hunt__sha256_file(abs, sha, &size))
		return true; /* gone since the scan (a mail client renamed it) */
	entry = bs_hunt__meta_json(kind == BOX_MAILDIR ? "maildir" : "eml", meta);
	json_object_set_new(entry, "seq", json_integer((json_int_t)seq));
	json_object_set_new(entry, "path", json_string(abs));
	json_object_set_new(entry, "quarantine", json_string(to));
	json_object_set_new(entry, "sha256", json_string(sha));
	json_object_set_new(entry, "bytes", json_integer(size));
	intent = json_pack("{s:s, s:o}", "op", "file", "entry", entry);
	ok = bs_hunt__q_journal(q, intent, error);
	if (ok && !move_file(abs, to, &local))
		ok = undo_failed_move(q, abs, to, sha, out_moved, error);
	else if (ok)
		*out_moved = true;
	if (ok && *out_moved) {
		bs_hunt__q_step(q);
		ok = commit_file(q, intent, error) && bs_hunt__q_journal_clear(q, error);
	}
	json_decref(intent);
	return ok;
}

/* ---- recovery ----------------------------------------------------------- */

static bool
same_hash(const char *path, const char *sha)
{
	char got[65];

	return sha && bs_hunt__sha256_file(path, got, NULL) && strcmp(got, sha) == 0;
}

/* A file move (from -> to) whose commit line may be missing. commit is
 * called when the move turns out complete. */
static bool
resolve_move(const char *from, const char *to, const char *sha, bool *out_done, GError **error)
{
	bool has_from = g_file_test(from, G_FILE_TEST_EXISTS);
	bool has_to = g_file_test(to, G_FILE_TEST_EXISTS);

	*out_done = false;
	if (has_to && !has_from) {
		*out_done = same_hash(to, sha);
		if (!*out_done)
			goto changed;
		return true;
	}
	if (has_from && has_to && same_hash(to, sha)) { /* interrupted link or copy */
		*out_done = unlink(from) == 0;
		return *out_done ? bs_hunt__fsync_parent(from, error)
		                 : io_error(error, from, "remove");
	}
	if (has_from && has_to && unlink(to) != 0) /* a partial copy */
		return io_error(error, to, "remove");
	if (has_from || !has_to)
		return true; /* not moved, or both gone: nothing of ours to finish */
changed:
	g_set_error(error, BS_ERROR, BS_ERROR_IO,
	            "\"%s\": interrupted move cannot be resolved (file gone or changed); journal "
	            "kept in \"%s\"",
	            from, to);
	return false;
}

static bool
recover_file(hunt_q *q, json_t *rec, GError **error)
{
	json_t *entry = json_object_get(rec, "entry");
	int64_t seq = bs_hunt__rec_int(entry, "seq");
	const char *from = bs_hunt__rec_str(entry, "path");
	const char *to = bs_hunt__rec_str(entry, "quarantine");
	bool done;

	if (!from || !to)
		return true;
	if (g_hash_table_contains(q->entries, GSIZE_TO_POINTER((gsize)seq)))
		return true;
	if (!resolve_move(from, to, bs_hunt__rec_str(entry, "sha256"), &done, error))
		return false;
	return done ? commit_file(q, rec, error) : true;
}

static bool
recover_unfile(hunt_q *q, json_t *rec, GError **error)
{
	int64_t seq = bs_hunt__rec_int(rec, "seq");
	json_t *entry = g_hash_table_lookup(q->entries, GSIZE_TO_POINTER((gsize)seq));
	json_t *recs;
	bool done, ok;

	if (!entry || g_hash_table_contains(q->restored, GSIZE_TO_POINTER((gsize)seq)))
		return true;
	if (!resolve_move(bs_hunt__rec_str(entry, "quarantine"), bs_hunt__rec_str(entry, "path"),
	                  bs_hunt__rec_str(entry, "sha256"), &done, error))
		return false;
	if (!done)
		return true;
	recs = json_pack("[{s:I, s:s}]", "restored", (json_int_t)seq, "time", "recovered");
	ok = bs_hunt__q_manifest(q, recs, error);
	json_decref(recs);
	return ok;
}

/* Resolves every intent of the journal, then clears it. */
static bool
recover(hunt_q *q, size_t *out_recovered, GError **error)
{
	g_autofree char *path = g_build_filename(q->dir, "journal", NULL);
	g_autoptr(GPtrArray) recs = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	bool ok = true;

	if (!read_records(q->journal_fd, path, recs, error))
		return false;
	for (guint i = 0; i < recs->len && ok; i++) {
		json_t *rec = recs->pdata[i];
		const char *op = bs_hunt__rec_str(rec, "op");
		json_t *next = i + 1 < recs->len ? recs->pdata[i + 1] : NULL;
		json_t *written =
		    next && g_strcmp0(bs_hunt__rec_str(next, "op"), "written") == 0 ? next : NULL;

		if (g_strcmp0(op, "file") == 0)
			ok = recover_file(q, rec, error);
		else if (g_strcmp0(op, "unfile") == 0)
			ok = recover_unfile(q, rec, error);
		else if (g_strcmp0(op, "mbox") == 0)
			ok = bs_hunt__recover_mbox(q, rec, written, error);
		else if (g_strcmp0(op, "unmbox") == 0)
			ok = bs_hunt__recover_unmbox(q, rec, written, error);
		else if (g_strcmp0(op, "imap") == 0 || g_strcmp0(op, "unimap") == 0)
			ok = bs_hunt__recover_imap(q, rec, error);
		if (op && g_strcmp0(op, "written") != 0)
			(*out_recovered)++;
	}
	return ok && bs_hunt__q_journal_clear(q, error);
}

hunt_q *
bs_hunt__q_open(const char *dir, const bs_imap_auth *imap, unsigned kill_after,
                size_t *out_recovered, GError **error)
{
	hunt_q *q = g_new0(hunt_q, 1);

	q->imap = imap;
	q->dir = g_canonicalize_filename(dir, NULL);
	q->lock_fd = q->journal_fd = q->manifest_fd = -1;
	q->kill_after = kill_after;
	q->next_seq = 1;
	q->entries =
	    g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)json_decref);
	q->restored = g_hash_table_new(g_direct_hash, g_direct_equal);
	*out_recovered = 0;
	if (!lock_and_open(q, error) || !load_manifest(q, error) ||
	    !recover(q, out_recovered, error)) {
		bs_hunt__q_close(q);
		return NULL;
	}
	return q;
}

/* ---- restoring files ---------------------------------------------------- */

bool
bs_hunt__unfile(hunt_q *q, json_t *entry, GError **error)
{
	int64_t seq = bs_hunt__rec_int(entry, "seq");
	const char *from = bs_hunt__rec_str(entry, "quarantine");
	const char *to = bs_hunt__rec_str(entry, "path");
	g_autofree char *parent = to ? g_path_get_dirname(to) : NULL;
	g_autofree char *now = bs_hunt__now();
	json_t *intent, *recs;
	bool ok;

	if (!from || !to) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE,
		            "manifest entry %" G_GINT64_FORMAT ": no path", seq);
		return false;
	}
	if (g_mkdir_with_parents(parent, 0700) != 0)
		return io_error(error, parent, "create");
	intent = json_pack("{s:s, s:I}", "op", "unfile", "seq", (json_int_t)seq);
	recs = json_pack("[{s:I, s:s}]", "restored", (json_int_t)seq, "time", now);
	ok = bs_hunt__q_journal(q, intent, error) && move_file(from, to, error);
	if (ok)
		bs_hunt__q_step(q);
	ok = ok && bs_hunt__q_manifest(q, recs, error) && bs_hunt__q_journal_clear(q, error);
	json_decref(intent);
	json_decref(recs);
	return ok;
}
