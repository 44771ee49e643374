/* store backend: SQLite. One connection per bs_store (opened NOMUTEX: the
 * caller uses it from one thread at a time), WAL so that readers (lookup,
 * serve) never wait for the scanner, statements prepared once and reused. */
#include "store/store.h"

#include <sqlite3.h>

#include "store/internal.h"
#include "store/schema-sql.h"

/* Statements by id; prepared on first use, kept for the connection. */
enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SOURCE_UPSERT,
	ST_SOURCE_STATE,
	ST_SOURCE_FIND,
	ST_MSG_EXISTS,
	ST_MSG_INSERT,
	ST_MSG_UPDATE,
	ST_MSG_DROP_OCC,
	ST_MSG_DROP_CAT,
	ST_MSG_DROP_FACT,
	ST_SUBJ_FIND,
	ST_SUBJ_INSERT,
	ST_SUBJ_ROLE,
	ST_OCC_ADD,
	ST_CAT_ADD,
	ST_VAULT_PUT,
	ST_LOOKUP_MSGS,
	ST_LOOKUP_CATS,
	ST_STATS_MSGS,
	ST_STATS_SUBJ,
	ST_STATS_OCC,
	ST_COUNT
};

/* The exposed messages of one subject (kind ?1, pseudonym ?2). */
#define SUBJECT_JOIN                                                                               \
	" FROM subject s JOIN occurrence o ON o.subject_id = s.id"                                 \
	" JOIN message m ON m.id = o.message_id"
#define SUBJECT_WHERE " WHERE s.kind = ?1 AND s.pseudonym = ?2 AND m.grade <> 'none'"

static const char *const sql_text[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SOURCE_UPSERT] = "INSERT INTO source(path, format, mailbox, content_hash, state)"
                         " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(path) DO UPDATE SET"
                         " format = excluded.format, mailbox = excluded.mailbox,"
                         " content_hash = excluded.content_hash, state = excluded.state"
                         " RETURNING id",
    [ST_SOURCE_STATE] = "UPDATE source SET state = ?2 WHERE id = ?1",
    [ST_SOURCE_FIND] = "SELECT id, content_hash, state FROM source WHERE path = ?1",
    [ST_MSG_EXISTS] = "SELECT 1 FROM message WHERE source_id = ?1 AND locator = ?2",
    [ST_MSG_INSERT] = "INSERT INTO message(source_id, locator, message_id, date, mailbox,"
                      " folder, grade, status, reason, bytes)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                      " ON CONFLICT(source_id, locator) DO NOTHING RETURNING id",
    [ST_MSG_UPDATE] = "UPDATE message SET message_id = ?3, date = ?4, mailbox = ?5,"
                      " folder = ?6, grade = ?7, status = ?8, reason = ?9, bytes = ?10"
                      " WHERE source_id = ?1 AND locator = ?2 RETURNING id",
    [ST_MSG_DROP_OCC] = "DELETE FROM occurrence WHERE message_id = ?1",
    [ST_MSG_DROP_CAT] = "DELETE FROM message_category WHERE message_id = ?1",
    [ST_MSG_DROP_FACT] = "DELETE FROM subject_fact WHERE message_id = ?1",
    [ST_SUBJ_FIND] = "SELECT id, role FROM subject WHERE kind = ?1 AND pseudonym = ?2",
    [ST_SUBJ_INSERT] = "INSERT INTO subject(kind, pseudonym, role) VALUES (?1, ?2, ?3)",
    [ST_SUBJ_ROLE] = "UPDATE subject SET role = ?2 WHERE id = ?1",
    [ST_OCC_ADD] = "INSERT INTO occurrence(subject_id, message_id, location, confidence,"
                   " child, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                   " ON CONFLICT(subject_id, message_id, location) DO UPDATE SET"
                   " count = count + excluded.count, child = max(child, excluded.child),"
                   " confidence = CASE WHEN instr('low medium high', excluded.confidence)"
                   " > instr('low medium high', confidence) THEN excluded.confidence"
                   " ELSE confidence END",
    [ST_CAT_ADD] = "INSERT INTO message_category(message_id, category, count)"
                   " VALUES (?1, ?2, ?3) ON CONFLICT(message_id, category) DO UPDATE SET"
                   " count = count + excluded.count",
    [ST_VAULT_PUT] = "INSERT INTO vault(subject_id, sealed) VALUES (?1, ?2)"
                     " ON CONFLICT(subject_id) DO NOTHING",
    [ST_LOOKUP_MSGS] =
        "SELECT DISTINCT m.id, m.date, m.mailbox, m.grade" SUBJECT_JOIN SUBJECT_WHERE,
    [ST_LOOKUP_CATS] = "SELECT c.category, count(DISTINCT c.message_id)" SUBJECT_JOIN
                       " JOIN message_category c ON c.message_id = m.id" SUBJECT_WHERE
                       " GROUP BY c.category ORDER BY c.category",
    [ST_STATS_MSGS] = "SELECT count(*), sum(status = 'ok'), sum(status = 'partial'),"
                      " sum(status = 'failed') FROM message",
    [ST_STATS_SUBJ] = "SELECT kind, count(*) FROM subject WHERE EXISTS (SELECT 1 FROM"
                      " occurrence o WHERE o.subject_id = subject.id) GROUP BY kind"
                      " ORDER BY kind",
    [ST_STATS_OCC] = "SELECT count(*) FROM occurrence",
};

typedef struct {
	bs_store base;
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
} bs_sqlite;

static bs_sqlite *
db_of(bs_store *s)
{
	return (bs_sqlite *)s;
}

static bool
fail(bs_sqlite *d, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": %s", d->path, sqlite3_errmsg(d->db));
	return false;
}

/* The prepared statement id, reset and ready for binding; NULL and error set
 * when it cannot be prepared. */
static sqlite3_stmt *
stmt(bs_sqlite *d, int id, GError **error)
{
	if (!d->st[id] && sqlite3_prepare_v3(d->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT,
	                                     &d->st[id], NULL) != SQLITE_OK) {
		fail(d, error);
		return NULL;
	}
	return d->st[id];
}

/* Steps once expecting no row; resets. */
static bool
run(bs_sqlite *d, sqlite3_stmt *st, GError **error)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(d, error);
	return true;
}

/* Steps once; *out_row tells whether a row came. The caller reads columns
 * and then resets. On error resets itself. */
static bool
step_row(bs_sqlite *d, sqlite3_stmt *st, bool *out_row, GError **error)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*out_row = true;
		return true;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return fail(d, error);
	*out_row = false;
	return true;
}

static void
bind_str(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC); /* NULL binds NULL */
}

static char *
column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? g_strdup((const char *)t) : NULL;
}

static void
sqlite_free(bs_store *s)
{
	bs_sqlite *d = db_of(s);

	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	sqlite3_close_v2(d->db);
	g_free(d->path);
	g_free(d);
}

static bool
sqlite_begin(bs_store *s, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_BEGIN, error);

	return st && run(d, st, error);
}

static bool
sqlite_commit(bs_store *s, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_COMMIT, error);

	return st && run(d, st, error);
}

static void
sqlite_rollback(bs_store *s)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_ROLLBACK, NULL);

	if (st)
		run(d, st, NULL);
}

/* Runs an INSERT/UPDATE ... RETURNING id; *out_got false when no row. */
static bool
returning_id(bs_sqlite *d, sqlite3_stmt *st, int64_t *out_id, bool *out_got, GError **error)
{
	if (!step_row(d, st, out_got, error))
		return false;
	if (*out_got) {
		/* SQLite makes every change of a RETURNING statement in its first
		 * step, so resetting after the one row loses nothing. */
		*out_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return true;
}

static bool
sqlite_source_upsert(bs_store *s, const bs_source_row *row, int64_t *out_id, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_SOURCE_UPSERT, error);
	bool got = false;

	if (!st)
		return false;
	bind_str(st, 1, row->path);
	bind_str(st, 2, row->format);
	bind_str(st, 3, row->mailbox);
	bind_str(st, 4, row->content_hash);
	bind_str(st, 5, row->state);
	if (!returning_id(d, st, out_id, &got, error))
		return false;
	return got ? true : fail(d, error);
}

static bool
sqlite_source_set_state(bs_store *s, int64_t id, const char *state, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_SOURCE_STATE, error);

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, state);
	return run(d, st, error);
}

static bool
sqlite_source_find(bs_store *s, const char *path, bool *out_found, int64_t *out_id, char **out_hash,
                   char **out_state, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_SOURCE_FIND, error);
	bool got = false;

	if (!st)
		return false;
	bind_str(st, 1, path);
	if (!step_row(d, st, &got, error))
		return false;
	*out_found = got;
	if (!got)
		return true;
	if (out_id)
		*out_id = sqlite3_column_int64(st, 0);
	if (out_hash)
		*out_hash = column_dup(st, 1);
	if (out_state)
		*out_state = column_dup(st, 2);
	sqlite3_reset(st);
	return true;
}

static bool
sqlite_message_exists(bs_store *s, int64_t source_id, const char *locator, bool *out_exists,
                      GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_MSG_EXISTS, error);
	bool got = false;

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, source_id);
	bind_str(st, 2, locator);
	if (!step_row(d, st, &got, error))
		return false;
	sqlite3_reset(st);
	*out_exists = got;
	return true;
}

static void
bind_message(sqlite3_stmt *st, const bs_message_row *row)
{
	sqlite3_bind_int64(st, 1, row->source_id);
	bind_str(st, 2, row->locator);
	bind_str(st, 3, row->message_id);
	bind_str(st, 4, row->date);
	bind_str(st, 5, row->mailbox);
	bind_str(st, 6, row->folder);
	bind_str(st, 7, row->grade);
	bind_str(st, 8, row->status);
	bind_str(st, 9, row->reason);
	if (row->bytes >= 0)
		sqlite3_bind_int64(st, 10, row->bytes);
	else
		sqlite3_bind_null(st, 10);
}

/* The message exists already: replace its fields, drop what hangs off it. */
static bool
message_rewrite(bs_sqlite *d, const bs_message_row *row, int64_t *out_id, GError **error)
{
	sqlite3_stmt *st = stmt(d, ST_MSG_UPDATE, error);
	bool got = false;
	int drops[] = {ST_MSG_DROP_OCC, ST_MSG_DROP_CAT, ST_MSG_DROP_FACT};

	if (!st)
		return false;
	bind_message(st, row);
	if (!returning_id(d, st, out_id, &got, error))
		return false;
	if (!got) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": message vanished", d->path);
		return false;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(drops); i++) {
		sqlite3_stmt *del = stmt(d, drops[i], error);

		if (!del)
			return false;
		sqlite3_bind_int64(del, 1, *out_id);
		if (!run(d, del, error))
			return false;
	}
	return true;
}

static bool
sqlite_message_put(bs_store *s, const bs_message_row *row, int64_t *out_id, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_MSG_INSERT, error);
	bool got = false;

	if (!st)
		return false;
	bind_message(st, row);
	if (!returning_id(d, st, out_id, &got, error))
		return false;
	return got ? true : message_rewrite(d, row, out_id, error);
}

/* Order-free merge: staff > resident > NULL. */
static const char *
merge_role(const char *a, const char *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return strcmp(a, BS_ROLE_STAFF) == 0 || strcmp(b, BS_ROLE_STAFF) == 0 ? BS_ROLE_STAFF : a;
}

static bool
subject_set_role(bs_sqlite *d, int64_t id, const char *role, GError **error)
{
	sqlite3_stmt *st = stmt(d, ST_SUBJ_ROLE, error);

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, role);
	return run(d, st, error);
}

static bool
sqlite_subject_put(bs_store *s, const char *kind, const uint8_t *pseudonym, const char *role,
                   int64_t *out_id, bool *out_created, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_SUBJ_FIND, error);
	g_autofree char *old_role = NULL;
	const char *merged;
	bool got = false;

	if (!st)
		return false;
	bind_str(st, 1, kind);
	sqlite3_bind_blob(st, 2, pseudonym, BS_PSEUDONYM_LEN, SQLITE_STATIC);
	if (!step_row(d, st, &got, error))
		return false;
	if (got) {
		*out_id = sqlite3_column_int64(st, 0);
		old_role = column_dup(st, 1);
		sqlite3_reset(st);
		*out_created = false;
		merged = merge_role(old_role, role);
		if (g_strcmp0(merged, old_role) == 0)
			return true;
		return subject_set_role(d, *out_id, merged, error);
	}
	st = stmt(d, ST_SUBJ_INSERT, error);
	if (!st)
		return false;
	bind_str(st, 1, kind);
	sqlite3_bind_blob(st, 2, pseudonym, BS_PSEUDONYM_LEN, SQLITE_STATIC);
	bind_str(st, 3, role);
	if (!run(d, st, error))
		return false;
	*out_id = sqlite3_last_insert_rowid(d->db);
	*out_created = true;
	return true;
}

static bool
sqlite_occurrence_add(bs_store *s, const bs_occurrence_row *row, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_OCC_ADD, error);

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, row->subject_id);
	sqlite3_bind_int64(st, 2, row->message_id);
	bind_str(st, 3, row->location);
	bind_str(st, 4, row->confidence);
	sqlite3_bind_int(st, 5, row->child ? 1 : 0);
	sqlite3_bind_int64(st, 6, row->count);
	return run(d, st, error);
}

static bool
sqlite_category_add(bs_store *s, int64_t message_id, const char *category, int64_t count,
                    GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_CAT_ADD, error);

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, message_id);
	bind_str(st, 2, category);
	sqlite3_bind_int64(st, 3, count);
	return run(d, st, error);
}

static bool
sqlite_vault_put(bs_store *s, int64_t subject_id, const uint8_t *sealed, size_t len, GError **error)
{
	bs_sqlite *d = db_of(s);
	sqlite3_stmt *st = stmt(d, ST_VAULT_PUT, error);

	if (!st)
		return false;
	sqlite3_bind_int64(st, 1, subject_id);
	sqlite3_bind_blob64(st, 2, sealed, len, SQLITE_STATIC);
	return run(d, st, error);
}

static bool
lookup_messages(bs_sqlite *d, const uint8_t *pseudonym, const char *kind, bs_lookup *out,
                GError **error)
{
	sqlite3_stmt *st = stmt(d, ST_LOOKUP_MSGS, error);
	int rc;

	if (!st)
		return false;
	bind_str(st, 1, kind);
	sqlite3_bind_blob(st, 2, pseudonym, BS_PSEUDONYM_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		bs_store__lookup_add_message(out, (const char *)sqlite3_column_text(st, 1),
		                             (const char *)sqlite3_column_text(st, 2),
		                             (const char *)sqlite3_column_text(st, 3));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? true : fail(d, error);
}

static bool
lookup_categories(bs_sqlite *d, const uint8_t *pseudonym, const char *kind, bs_lookup *out,
                  GError **error)
{
	sqlite3_stmt *st = stmt(d, ST_LOOKUP_CATS, error);
	int rc;

	if (!st)
		return false;
	bind_str(st, 1, kind);
	sqlite3_bind_blob(st, 2, pseudonym, BS_PSEUDONYM_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		bs_store__lookup_add_category(out, (const char *)sqlite3_column_text(st, 0),
		                              sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? true : fail(d, error);
}

/* Both reads see one snapshot: a scan committing between them would
 * otherwise give categories of messages the first read did not count. */
static bool
sqlite_lookup(bs_store *s, const uint8_t *pseudonym, const char *kind, bs_lookup *out,
              GError **error)
{
	bs_sqlite *d = db_of(s);
	bool own = !s->in_batch;
	bool ok;

	if (own && sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(d, error);
	ok = lookup_messages(d, pseudonym, kind, out, error) &&
	     lookup_categories(d, pseudonym, kind, out, error);
	if (own)
		sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
	bs_store__lookup_finish(out);
	return ok;
}

static bool
stats_messages(bs_sqlite *d, bs_stats *out, GError **error)
{
	sqlite3_stmt *st = stmt(d, ST_STATS_MSGS, error);
	bool got = false;

	if (!st || !step_row(d, st, &got, error))
		return false;
	if (got) {
		out->messages = sqlite3_column_int64(st, 0);
		out->ok = sqlite3_column_int64(st, 1);
		out->partial = sqlite3_column_int64(st, 2);
		out->failed = sqlite3_column_int64(st, 3);
		sqlite3_reset(st);
	}
	st = stmt(d, ST_STATS_OCC, error);
	if (!st || !step_row(d, st, &got, error))
		return false;
	if (got) {
		out->occurrences = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return true;
}

static bool
stats_subjects(bs_sqlite *d, bs_stats *out, GError **error)
{
	sqlite3_stmt *st;
	int rc;

	st = stmt(d, ST_STATS_SUBJ, error);
	if (!st)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		bs_store__stats_set_kind(out, (const char *)sqlite3_column_text(st, 0),
		                         sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? true : fail(d, error);
}

static bool
sqlite_stats(bs_store *s, bs_stats *out, GError **error)
{
	bs_sqlite *d = db_of(s);
	bool own = !s->in_batch;
	bool ok;

	if (own && sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return fail(d, error);
	ok = stats_messages(d, out, error) && stats_subjects(d, out, error);
	if (own)
		sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
	return ok;
}

static const bs_store_ops sqlite_ops = {
    .name = "sqlite",
    .free = sqlite_free,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .source_upsert = sqlite_source_upsert,
    .source_set_state = sqlite_source_set_state,
    .source_find = sqlite_source_find,
    .message_exists = sqlite_message_exists,
    .message_put = sqlite_message_put,
    .message_prune = bs_store__sqlite_message_prune,
    .subject_put = sqlite_subject_put,
    .occurrence_add = sqlite_occurrence_add,
    .category_add = sqlite_category_add,
    .vault_put = sqlite_vault_put,
    .lookup = sqlite_lookup,
    .stats = sqlite_stats,
    .fact_add = bs_store__sqlite_fact_add,
    .figures = bs_store__sqlite_figures,
    .subjects = bs_store__sqlite_subjects,
    .facts = bs_store__sqlite_facts,
    .subject_messages = bs_store__sqlite_subject_messages,
    .vault_get = bs_store__sqlite_vault_get,
    .case_counts = bs_store__sqlite_case_counts,
};

/* For sqlite-figures.c: the connection and the index path (borrowed). */
sqlite3 *
bs_store__sqlite_db(bs_store *s, const char **out_path)
{
	bs_sqlite *d = db_of(s);

	*out_path = d->path;
	return d->db;
}

static int
user_version(bs_sqlite *d)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(d->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool
exec(bs_sqlite *d, const char *sql, GError **error)
{
	return sqlite3_exec(d->db, sql, NULL, NULL, NULL) == SQLITE_OK ? true : fail(d, error);
}

/* Runs the (idempotent) schema and stamps the version, in one transaction. */
static bool
apply_schema(bs_sqlite *d, GError **error)
{
	g_autofree char *stamp =
	    g_strdup_printf("PRAGMA user_version = %d", bs_store_schema_version());

	if (!exec(d, "BEGIN IMMEDIATE", error))
		return false;
	if (!exec(d, bs_schema_sql, error) || !exec(d, stamp, error)) {
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return false;
	}
	return exec(d, "COMMIT", error);
}

static bool
check_version(bs_sqlite *d, bool writable, bool create, GError **error)
{
	int v = user_version(d);

	if (v < 0)
		return fail(d, error);
	if (v > bs_store_schema_version()) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE,
		            "\"%s\": index schema %d is newer than this program's %d", d->path, v,
		            bs_store_schema_version());
		return false;
	}
	if (v == 0 && !create) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": not a breachscope index",
		            d->path);
		return false;
	}
	if (v < bs_store_schema_version() && writable)
		return apply_schema(d, error);
	return true;
}

/* Connection settings: WAL so readers never wait for the writer; NORMAL
 * sync is safe in WAL (a power cut loses at most the last batches, which a
 * resumed scan writes again); the busy timeout rides out checkpoints. */
static bool
configure(bs_sqlite *d, bool writable, GError **error)
{
	sqlite3_busy_timeout(d->db, 10000);
	sqlite3_extended_result_codes(d->db, 1);
	if (!exec(d, "PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY", error))
		return false;
	if (!writable)
		return true;
	return exec(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", error);
}

bs_store *
bs_store__sqlite_open(const char *path, bool writable, bool create, GError **error)
{
	g_autoptr(bs_store) s = NULL;
	bs_sqlite *d;
	int flags = SQLITE_OPEN_NOMUTEX |
	            (writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) |
	            (create ? SQLITE_OPEN_CREATE : 0);

	if (create && g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": exists already", path);
		return NULL;
	}
	d = g_new0(bs_sqlite, 1);
	d->base.ops = &sqlite_ops;
	d->path = g_strdup(path);
	s = &d->base;
	if (sqlite3_open_v2(path, &d->db, flags, NULL) != SQLITE_OK) {
		if (!d->db) {
			g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": out of memory", path);
			return NULL;
		}
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": cannot open the index: %s",
		            path, sqlite3_errmsg(d->db));
		return NULL;
	}
	if (!configure(d, writable, error) || !check_version(d, writable, create, error))
		return NULL;
	return g_steal_pointer(&s);
}
