/* store backend: PostgreSQL through libpq, for one index shared by several
 * scanners (scan --shard K/N, on one machine or many) and the readers.
 *
 * A writable store has two connections. The batch connection carries
 * begin..commit: messages, occurrences, categories, facts (shards write
 * disjoint messages, so their batches never wait on each other). Subjects
 * and vault entries go through a second connection that commits each one
 * at once: two shards' batches that meet the same new identifiers in a
 * different order would otherwise wait on each other's uncommitted subject
 * rows until the server kills one as a deadlock. So a subject can outlive
 * the batch that wrote it (harmless: counts go by occurrences), and a
 * writer killed between a new subject and its seal leaves it unsealed:
 * subject_put therefore reports a subject without a vault entry as
 * created, and the next writer that meets it seals it (the first seal
 * stays). Subjects never change id and a role only rises (staff >
 * resident > NULL), so the store remembers the subjects it has seen: a
 * repeated identifier costs no round trip.
 *
 * Writes that give nothing back (occurrences, categories, facts) wait in
 * a queue during a batch and go to the server together in libpq's
 * pipeline mode, in one round trip, before the next call that needs an
 * answer (message_put, commit) or when the queue is full; an error among
 * them fails that call and so the batch.
 *
 * Statements are prepared once per connection; text in and out, the
 * pseudonym bound as binary bytea. Errors show the URI with its password
 * masked and the server's primary message only (its detail lines may
 * repeat key values). */
#include "store/store.h"

#include <libpq-fe.h>

#include "store/internal.h"
#include "store/schema-pg-sql.h"

enum {
	ST_SOURCE_UPSERT,
	ST_SOURCE_STATE,
	ST_SOURCE_FIND,
	ST_MSG_EXISTS,
	ST_MSG_PUT,
	ST_SUBJ_PUT,
	ST_SUBJ_ROLE,
	ST_OCC_ADD,
	ST_CAT_ADD,
	ST_FACT_ADD,
	ST_VAULT_PUT,
	ST_LOOKUP_MSGS,
	ST_LOOKUP_CATS,
	ST_STATS_MSGS,
	ST_STATS_SUBJ,
	ST_COUNT
};

/* The exposed messages of one subject (kind $1, pseudonym $2). */
#define SUBJECT_JOIN                                                                               \
	" FROM subject s JOIN occurrence o ON o.subject_id = s.id"                                 \
	" JOIN message m ON m.id = o.message_id"
#define SUBJECT_WHERE " WHERE s.kind = $1 AND s.pseudonym = $2 AND m.grade <> 'none'"

static const char *const sql_text[ST_COUNT] = {
    [ST_SOURCE_UPSERT] = "INSERT INTO source(path, format, mailbox, content_hash, state)"
                         " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (path) DO UPDATE SET"
                         " format = excluded.format, mailbox = excluded.mailbox,"
                         " content_hash = excluded.content_hash, state = excluded.state"
                         " RETURNING id",
    [ST_SOURCE_STATE] = "UPDATE source SET state = $2 WHERE id = $1",
    [ST_SOURCE_FIND] = "SELECT id, content_hash, state FROM source WHERE path = $1",
    [ST_MSG_EXISTS] = "SELECT 1 FROM message WHERE source_id = $1 AND locator = $2",
    /* One round trip: insert or replace the fields, and drop what hangs
     * off an existing message (the deletes see the rows from before). */
    [ST_MSG_PUT] = "WITH m AS (INSERT INTO message(source_id, locator, message_id, date,"
                   " mailbox, folder, grade, status, reason, bytes)"
                   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                   " ON CONFLICT (source_id, locator) DO UPDATE SET"
                   " message_id = excluded.message_id, date = excluded.date,"
                   " mailbox = excluded.mailbox, folder = excluded.folder,"
                   " grade = excluded.grade, status = excluded.status,"
                   " reason = excluded.reason, bytes = excluded.bytes RETURNING id),"
                   " o AS (DELETE FROM occurrence WHERE message_id IN (SELECT id FROM m)),"
                   " c AS (DELETE FROM message_category WHERE message_id IN (SELECT id FROM m)),"
                   " f AS (DELETE FROM subject_fact WHERE message_id IN (SELECT id FROM m))"
                   " SELECT id FROM m",
    /* One round trip, new or not: id, role, and whether to seal it. No row
     * when another writer inserted it after this statement's snapshot
     * (the insert waited for it): ask again. */
    [ST_SUBJ_PUT] = "WITH ins AS (INSERT INTO subject(kind, pseudonym, role)"
                    " VALUES ($1, $2, $3) ON CONFLICT (kind, pseudonym) DO NOTHING"
                    " RETURNING id, role) SELECT id, role, true FROM ins UNION ALL"
                    " SELECT s.id, s.role, NOT EXISTS (SELECT 1 FROM vault v"
                    " WHERE v.subject_id = s.id) FROM subject s WHERE s.kind = $1"
                    " AND s.pseudonym = $2 AND NOT EXISTS (SELECT 1 FROM ins)",
    /* The merge in SQL: another scanner may have raised the role since. */
    [ST_SUBJ_ROLE] = "UPDATE subject SET role = CASE WHEN role = 'staff' OR $2::text = 'staff'"
                     " THEN 'staff' ELSE coalesce(role, $2::text) END WHERE id = $1 RETURNING role",
    [ST_OCC_ADD] = "INSERT INTO occurrence AS o(subject_id, message_id, location, confidence,"
                   " child, count) VALUES ($1, $2, $3, $4, $5, $6)"
                   " ON CONFLICT (subject_id, message_id, location) DO UPDATE SET"
                   " count = o.count + excluded.count, child = greatest(o.child, excluded.child),"
                   " confidence = CASE WHEN excluded.confidence = 'high' OR (excluded.confidence"
                   " = 'medium' AND o.confidence = 'low') THEN excluded.confidence"
                   " ELSE o.confidence END",
    [ST_CAT_ADD] = "INSERT INTO message_category AS c(message_id, category, count)"
                   " VALUES ($1, $2, $3) ON CONFLICT (message_id, category) DO UPDATE SET"
                   " count = c.count + excluded.count",
    [ST_FACT_ADD] = "INSERT INTO subject_fact(message_id, subject_id, fact) VALUES ($1, $2, $3)"
                    " ON CONFLICT DO NOTHING",
    [ST_VAULT_PUT] = "INSERT INTO vault(subject_id, sealed) VALUES ($1, $2)"
                     " ON CONFLICT (subject_id) DO NOTHING",
    [ST_LOOKUP_MSGS] =
        "SELECT DISTINCT m.id, m.date, m.mailbox, m.grade" SUBJECT_JOIN SUBJECT_WHERE,
    [ST_LOOKUP_CATS] =
        "SELECT c.category, count(DISTINCT c.message_id)" SUBJECT_JOIN
        " JOIN message_category c ON c.message_id = m.id" SUBJECT_WHERE " GROUP BY c.category",
    [ST_STATS_MSGS] = "SELECT count(*), count(*) FILTER (WHERE status = 'ok'),"
                      " count(*) FILTER (WHERE status = 'partial'),"
                      " count(*) FILTER (WHERE status = 'failed'),"
                      " (SELECT count(*) FROM occurrence) FROM message",
    /* Byte order, as SQLite sorts: other kinds follow in this order. */
    [ST_STATS_SUBJ] = "SELECT kind, count(*) FROM subject WHERE EXISTS (SELECT 1 FROM"
                      " occurrence o WHERE o.subject_id = subject.id) GROUP BY kind"
                      " ORDER BY kind COLLATE \"C\"",
};

/* Queued writes sent in one pipeline at most: their answers (a few dozen
 * bytes each) must fit the socket buffers while we still send, or client
 * and server would each wait for the other to read. */
enum { QUEUE_MAX = 256 };

typedef struct {
	PGconn *conn;
	bool prepared[ST_COUNT];
} pg_conn;

/* A write waiting for the pipeline, its parameters copied. */
typedef struct {
	int id;
	bs_pg_params p;
	char *owned[BS_PG_PARAMS_MAX];
} queued_write;

/* A remembered subject; the entry is its own hash key (key first). */
typedef struct {
	char kind[24]; /* zero-padded; longer kinds are not remembered */
	uint8_t pseudonym[BS_PSEUDONYM_LEN];
} subject_key;

typedef struct {
	subject_key key;
	int64_t id;
	const char *role; /* BS_ROLE_* or NULL */
} subject_entry;

typedef struct {
	bs_store base;
	pg_conn main; /* batches, reads */
	pg_conn side; /* subjects and vault, each committed at once; on first use */
	bool writable;
	char *dsn;            /* as configured, may hold a password: never shown */
	char *shown;          /* dsn with the password masked, for errors */
	GHashTable *subjects; /* subject_entry *, owned */
	GPtrArray *queue;     /* queued_write *, owned: the batch's writes not yet sent */
} bs_pg;

static bs_pg *
db_of(bs_store *s)
{
	return (bs_pg *)s;
}

bool
bs_store__is_pg(const char *where)
{
	return g_str_has_prefix(where, "postgresql://") || g_str_has_prefix(where, "postgres://");
}

/* Copies the query string of a URI, each password=VALUE masked. */
static void
mask_query(GString *out, const char *q)
{
	while (*q) {
		size_t n = strcspn(q, "&");

		if (n >= 9 && strncmp(q, "password=", 9) == 0)
			g_string_append(out, "password=***");
		else
			g_string_append_len(out, q, (gssize)n);
		q += n;
		if (*q)
			g_string_append_c(out, *q++);
	}
}

char *
bs_store__pg_display_dup(const char *dsn)
{
	const char *scheme = strstr(dsn, "://");
	const char *auth, *end, *at = NULL, *colon = NULL;
	GString *out;

	if (!scheme)
		return g_strdup("(postgresql)");
	auth = scheme + 3;
	end = auth + strcspn(auth, "/?");
	for (const char *p = auth; p < end; p++)
		at = *p == '@' ? p : at;
	for (const char *p = auth; at && p < at && !colon; p++)
		colon = *p == ':' ? p : NULL;
	out = g_string_new_len(dsn, colon ? colon - dsn : end - dsn);
	if (colon) {
		g_string_append(out, ":***");
		g_string_append_len(out, at, end - at);
	}
	mask_query(out, end);
	return g_string_free(out, FALSE);
}

static bool
conn_fail(bs_pg *d, PGconn *c, GError **error)
{
	g_autofree char *msg = g_strdup(c ? PQerrorMessage(c) : "out of memory");

	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": %s", d->shown, g_strstrip(msg));
	return false;
}

static bool
result_fail(bs_pg *d, PGconn *c, PGresult *r, GError **error)
{
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (!msg) {
		PQclear(r);
		return conn_fail(d, c, error);
	}
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": %s (SQLSTATE %s)", d->shown, msg,
	            state ? state : "?");
	PQclear(r);
	return false;
}

/* r if the command worked, else NULL with r cleared and error set. */
static PGresult *
checked(bs_pg *d, PGconn *c, PGresult *r, GError **error)
{
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	result_fail(d, c, r, error);
	return NULL;
}

static bool
exec_sql(bs_pg *d, pg_conn *c, const char *sql, GError **error)
{
	PGresult *r = checked(d, c->conn, PQexec(c->conn, sql), error);

	PQclear(r);
	return r != NULL;
}

void
bs_store__pg_param_str(bs_pg_params *p, const char *v)
{
	g_assert(p->n < BS_PG_PARAMS_MAX);
	p->value[p->n] = v;
	p->len[p->n] = 0;
	p->format[p->n] = 0;
	p->n++;
}

void
bs_store__pg_param_int(bs_pg_params *p, int64_t v)
{
	g_assert(p->n < BS_PG_PARAMS_MAX);
	g_snprintf(p->num[p->n], sizeof p->num[p->n], "%" G_GINT64_FORMAT, v);
	bs_store__pg_param_str(p, p->num[p->n]);
}

void
bs_store__pg_param_bin(bs_pg_params *p, const void *v, size_t len)
{
	g_assert(p->n < BS_PG_PARAMS_MAX && len <= G_MAXINT);
	p->value[p->n] = v;
	p->len[p->n] = (int)len;
	p->format[p->n] = 1;
	p->n++;
}

static void
statement_name(int id, char name[16])
{
	g_snprintf(name, 16, "bs%d", id);
}

/* Prepares statement id on c on first use. */
static bool
prepared(bs_pg *d, pg_conn *c, int id, GError **error)
{
	char name[16];
	PGresult *r;

	if (c->prepared[id])
		return true;
	statement_name(id, name);
	r = checked(d, c->conn, PQprepare(c->conn, name, sql_text[id], 0, NULL), error);
	PQclear(r);
	c->prepared[id] = r != NULL;
	return r != NULL;
}

/* Runs prepared statement id on c. */
static PGresult *
run(bs_pg *d, pg_conn *c, int id, const bs_pg_params *p, GError **error)
{
	char name[16];

	if (!prepared(d, c, id, error))
		return NULL;
	statement_name(id, name);
	return checked(d, c->conn,
	               PQexecPrepared(c->conn, name, p->n, p->value, p->len, p->format, 0), error);
}

static bool
run_ok(bs_pg *d, pg_conn *c, int id, const bs_pg_params *p, GError **error)
{
	PGresult *r = run(d, c, id, p, error);

	PQclear(r);
	return r != NULL;
}

int64_t
bs_store__pg_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : g_ascii_strtoll(PQgetvalue(r, row, col), NULL, 10);
}

const char *
bs_store__pg_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

static char *
text_dup_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : g_strdup(PQgetvalue(r, row, col));
}

static void
queued_write_free(gpointer p)
{
	queued_write *q = p;

	for (int i = 0; i < BS_PG_PARAMS_MAX; i++)
		g_free(q->owned[i]);
	g_free(q);
}

/* Copies the parameters: the caller's strings are borrowed for the call. */
static queued_write *
queued_write_new(int id, const bs_pg_params *p)
{
	queued_write *q = g_new0(queued_write, 1);

	q->id = id;
	q->p = *p;
	for (int i = 0; i < p->n; i++) {
		if (p->value[i] == p->num[i])
			q->p.value[i] = q->p.num[i];
		else if (p->value[i])
			q->p.value[i] = q->owned[i] = p->format[i]
			                                  ? g_memdup2(p->value[i], (gsize)p->len[i])
			                                  : g_strdup(p->value[i]);
	}
	return q;
}

/* Reads the answers of sent writes and the sync; the first error wins.
 * out_last (may be NULL) keeps the last answer. */
static bool
read_pipeline(bs_pg *d, guint sent, PGresult **out_last, GError **error)
{
	PGconn *c = d->main.conn;
	bool ok = true;
	PGresult *r;

	for (guint i = 0; i < sent; i++) {
		ExecStatusType st;

		r = PQgetResult(c);
		st = PQresultStatus(r);
		if (ok && out_last && i == sent - 1 && st == PGRES_TUPLES_OK)
			*out_last = r;
		else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || !ok)
			PQclear(r);
		else
			ok = result_fail(d, c, r, error);
		PQclear(PQgetResult(c)); /* the NULL that ends each answer */
	}
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_PIPELINE_SYNC && ok)
		ok = result_fail(d, c, r, error);
	else
		PQclear(r);
	return ok;
}

/* Sends the queued writes in one pipeline and reads their answers;
 * *out_last (may be NULL) gets the last one's rows (caller PQclear()s). */
static bool
flush(bs_pg *d, PGresult **out_last, GError **error)
{
	PGconn *c = d->main.conn;
	guint n = d->queue->len, sent = 0;
	bool ok = true;

	if (!n)
		return true;
	for (guint i = 0; i < n && ok; i++)
		ok = prepared(d, &d->main, ((queued_write *)d->queue->pdata[i])->id, error);
	if (ok && !PQenterPipelineMode(c))
		ok = conn_fail(d, c, error);
	if (!ok) {
		g_ptr_array_set_size(d->queue, 0);
		return false;
	}
	for (; sent < n; sent++) {
		queued_write *q = d->queue->pdata[sent];
		char name[16];

		statement_name(q->id, name);
		if (!PQsendQueryPrepared(c, name, q->p.n, q->p.value, q->p.len, q->p.format, 0))
			break;
	}
	ok = sent == n && PQpipelineSync(c) ? read_pipeline(d, sent, out_last, error)
	                                    : conn_fail(d, c, error);
	PQexitPipelineMode(c);
	g_ptr_array_set_size(d->queue, 0);
	if (!ok && out_last && *out_last) {
		PQclear(*out_last);
		*out_last = NULL;
	}
	return ok;
}

/* Before anything else on the batch connection: the queued writes sent. */
static bool
ready(bs_pg *d, GError **error)
{
	return flush(d, NULL, error);
}

/* A write without an answer: queued in a batch, else run at once (it
 * commits alone). */
static bool
write_later(bs_pg *d, int id, const bs_pg_params *p, GError **error)
{
	if (!d->base.in_batch)
		return flush(d, NULL, error) && run_ok(d, &d->main, id, p, error);
	g_ptr_array_add(d->queue, queued_write_new(id, p));
	return d->queue->len < QUEUE_MAX || flush(d, NULL, error);
}

PGresult *
bs_store__pg_query(bs_store *s, const char *sql, const bs_pg_params *p, GError **error)
{
	bs_pg *d = db_of(s);

	if (!ready(d, error))
		return NULL;
	return checked(d, d->main.conn,
	               PQexecParams(d->main.conn, sql, p ? p->n : 0, NULL, p ? p->value : NULL,
	                            p ? p->len : NULL, p ? p->format : NULL, 0),
	               error);
}

static void
ignore_notice(void *arg, const char *message)
{
	/* "relation already exists, skipping" and the like: the library
	 * prints nothing, and nothing here is news to the caller. */
}

static bool
connect_to(bs_pg *d, pg_conn *c, GError **error)
{
	/* Entries after dbname override the URI's: the text we bind is UTF-8. */
	const char *const keys[] = {"fallback_application_name", "dbname", "client_encoding", NULL};
	const char *const values[] = {"breachscope", d->dsn, "UTF8", NULL};

	c->conn = PQconnectdbParams(keys, values, 1);
	if (!c->conn || PQstatus(c->conn) != CONNECTION_OK)
		return conn_fail(d, c->conn, error);
	PQsetNoticeProcessor(c->conn, ignore_notice, NULL);
	if (!d->writable)
		return exec_sql(d, c, "SET default_transaction_read_only = on", error);
	return true;
}

/* The subject connection. Its commits need not wait for the disk: the
 * batch commit that follows flushes the log up to and past them, and
 * nothing refers to a subject before such a commit. */
static pg_conn *
side_ready(bs_pg *d, GError **error)
{
	if (d->side.conn)
		return &d->side;
	if (!connect_to(d, &d->side, error) ||
	    !exec_sql(d, &d->side, "SET synchronous_commit = off", error)) {
		PQfinish(d->side.conn);
		d->side.conn = NULL;
		return NULL;
	}
	return &d->side;
}

static void
pg_free(bs_store *s)
{
	bs_pg *d = db_of(s);

	PQfinish(d->side.conn);
	PQfinish(d->main.conn);
	g_hash_table_destroy(d->subjects);
	g_ptr_array_unref(d->queue);
	g_free(d->dsn);
	g_free(d->shown);
	g_free(d);
}

static bool
pg_begin(bs_store *s, GError **error)
{
	bs_pg *d = db_of(s);

	return ready(d, error) && exec_sql(d, &d->main, "BEGIN", error);
}

/* COMMIT of a transaction an error aborted answers ROLLBACK, not an error. */
static bool
pg_commit(bs_store *s, GError **error)
{
	bs_pg *d = db_of(s);
	PGresult *r;
	bool committed;

	if (!ready(d, error))
		return false;
	r = checked(d, d->main.conn, PQexec(d->main.conn, "COMMIT"), error);
	if (!r)
		return false;
	committed = strcmp(PQcmdStatus(r), "COMMIT") == 0;
	PQclear(r);
	if (!committed)
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": the batch was rolled back",
		            d->shown);
	return committed;
}

static void
pg_rollback(bs_store *s)
{
	bs_pg *d = db_of(s);

	g_ptr_array_set_size(d->queue, 0); /* they would be rolled back */
	PQclear(PQexec(d->main.conn, "ROLLBACK"));
}

/* Runs a statement that yields one id. */
static bool
run_id(bs_pg *d, int id, const bs_pg_params *p, int64_t *out_id, GError **error)
{
	PGresult *r = NULL;

	/* In a batch it rides in the pipeline with the writes queued before. */
	if (d->base.in_batch) {
		g_ptr_array_add(d->queue, queued_write_new(id, p));
		if (!flush(d, &r, error))
			return false;
	} else if (!ready(d, error) || !(r = run(d, &d->main, id, p, error))) {
		return false;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": no row id came back",
		            d->shown);
		return false;
	}
	*out_id = bs_store__pg_int(r, 0, 0);
	PQclear(r);
	return true;
}

static bool
pg_source_upsert(bs_store *s, const bs_source_row *row, int64_t *out_id, GError **error)
{
	bs_pg_params p = {0};

	bs_store__pg_param_str(&p, row->path);
	bs_store__pg_param_str(&p, row->format);
	bs_store__pg_param_str(&p, row->mailbox);
	bs_store__pg_param_str(&p, row->content_hash);
	bs_store__pg_param_str(&p, row->state);
	return run_id(db_of(s), ST_SOURCE_UPSERT, &p, out_id, error);
}

static bool
pg_source_set_state(bs_store *s, int64_t id, const char *state, GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};

	bs_store__pg_param_int(&p, id);
	bs_store__pg_param_str(&p, state);
	return ready(d, error) && run_ok(d, &d->main, ST_SOURCE_STATE, &p, error);
}

static bool
pg_source_find(bs_store *s, const char *path, bool *out_found, int64_t *out_id, char **out_hash,
               char **out_state, GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};
	PGresult *r;

	bs_store__pg_param_str(&p, path);
	if (!ready(d, error) || !(r = run(d, &d->main, ST_SOURCE_FIND, &p, error)))
		return false;
	*out_found = PQntuples(r) > 0;
	if (*out_found && out_id)
		*out_id = bs_store__pg_int(r, 0, 0);
	if (*out_found && out_hash)
		*out_hash = text_dup_or_null(r, 0, 1);
	if (*out_found && out_state)
		*out_state = text_dup_or_null(r, 0, 2);
	PQclear(r);
	return true;
}

static bool
pg_message_exists(bs_store *s, int64_t source_id, const char *locator, bool *out_exists,
                  GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};
	PGresult *r;

	bs_store__pg_param_int(&p, source_id);
	bs_store__pg_param_str(&p, locator);
	if (!ready(d, error) || !(r = run(d, &d->main, ST_MSG_EXISTS, &p, error)))
		return false;
	*out_exists = PQntuples(r) > 0;
	PQclear(r);
	return true;
}

static bool
pg_message_put(bs_store *s, const bs_message_row *row, int64_t *out_id, GError **error)
{
	bs_pg_params p = {0};

	bs_store__pg_param_int(&p, row->source_id);
	bs_store__pg_param_str(&p, row->locator);
	bs_store__pg_param_str(&p, row->message_id);
	bs_store__pg_param_str(&p, row->date);
	bs_store__pg_param_str(&p, row->mailbox);
	bs_store__pg_param_str(&p, row->folder);
	bs_store__pg_param_str(&p, row->grade);
	bs_store__pg_param_str(&p, row->status);
	bs_store__pg_param_str(&p, row->reason);
	if (row->bytes >= 0)
		bs_store__pg_param_int(&p, row->bytes);
	else
		bs_store__pg_param_str(&p, NULL);
	return run_id(db_of(s), ST_MSG_PUT, &p, out_id, error);
}

/* ---- Subjects: the side connection and the remembered ids */

static const char *
role_static(const char *role)
{
	if (g_strcmp0(role, BS_ROLE_STAFF) == 0)
		return BS_ROLE_STAFF;
	return g_strcmp0(role, BS_ROLE_RESIDENT) == 0 ? BS_ROLE_RESIDENT : NULL;
}

/* Order-free merge: staff > resident > NULL. */
static const char *
merge_role(const char *a, const char *b)
{
	if (!a)
		return role_static(b);
	if (!b)
		return role_static(a);
	return role_static(strcmp(a, BS_ROLE_STAFF) == 0 ? a : b);
}

static guint
key_hash(gconstpointer k)
{
	const subject_key *key = k;
	guint h;

	memcpy(&h, key->pseudonym, sizeof h); /* a keyed hash: uniform already */
	return h ^ g_str_hash(key->kind);
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(subject_key)) == 0;
}

/* false when kind is too long to remember (then it is always asked). */
static bool
key_init(subject_key *key, const char *kind, const uint8_t *pseudonym)
{
	memset(key, 0, sizeof *key);
	if (strlen(kind) >= sizeof key->kind)
		return false;
	memcpy(key->kind, kind, strlen(kind));
	memcpy(key->pseudonym, pseudonym, BS_PSEUDONYM_LEN);
	return true;
}

static subject_entry *
remember(bs_pg *d, const subject_key *key, int64_t id, const char *role)
{
	subject_entry *e = g_new0(subject_entry, 1);

	if (g_hash_table_size(d->subjects) >= BS_LIMIT_STORE_SUBJECT_CACHE)
		g_hash_table_remove_all(d->subjects);
	e->key = *key;
	e->id = id;
	e->role = role_static(role);
	g_hash_table_add(d->subjects, e);
	return e;
}

/* Raises the stored role to at least role; *io_role is what it is now. */
static bool
raise_role(bs_pg *d, int64_t id, const char *role, const char **io_role, GError **error)
{
	bs_pg_params p = {0};
	PGresult *r;

	if (merge_role(*io_role, role) == role_static(*io_role))
		return true;
	bs_store__pg_param_int(&p, id);
	bs_store__pg_param_str(&p, role);
	if (!(r = run(d, &d->side, ST_SUBJ_ROLE, &p, error)))
		return false;
	*io_role = PQntuples(r) == 1 ? role_static(PQgetvalue(r, 0, 0)) : role_static(role);
	PQclear(r);
	return true;
}

static void
subject_params(bs_pg_params *p, const char *kind, const uint8_t *pseudonym)
{
	bs_store__pg_param_str(p, kind);
	bs_store__pg_param_bin(p, pseudonym, BS_PSEUDONYM_LEN);
}

/* Inserts or finds the subject: its id, role, and whether to seal it
 * (new, or without a vault entry). */
static bool
subject_fetch(bs_pg *d, const char *kind, const uint8_t *pseudonym, const char *role,
              int64_t *out_id, const char **out_role, bool *out_created, GError **error)
{
	bs_pg_params p = {0};

	subject_params(&p, kind, pseudonym);
	bs_store__pg_param_str(&p, role);
	for (int attempt = 0; attempt < 3; attempt++) {
		PGresult *r = run(d, &d->side, ST_SUBJ_PUT, &p, error);
		bool got;

		if (!r)
			return false;
		got = PQntuples(r) == 1;
		if (got) {
			*out_id = bs_store__pg_int(r, 0, 0);
			*out_role = role_static(PQgetvalue(r, 0, 1));
			*out_created = strcmp(PQgetvalue(r, 0, 2), "t") == 0;
		}
		PQclear(r);
		if (got)
			return raise_role(d, *out_id, role, out_role, error);
	}
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": a subject row keeps vanishing",
	            d->shown);
	return false;
}

static bool
pg_subject_put(bs_store *s, const char *kind, const uint8_t *pseudonym, const char *role,
               int64_t *out_id, bool *out_created, GError **error)
{
	bs_pg *d = db_of(s);
	subject_key key;
	bool keyed = key_init(&key, kind, pseudonym);
	subject_entry *e = keyed ? g_hash_table_lookup(d->subjects, &key) : NULL;
	const char *now_role = NULL;

	*out_created = false;
	if (!side_ready(d, error))
		return false;
	if (e) {
		*out_id = e->id;
		return raise_role(d, e->id, role, &e->role, error);
	}
	if (!subject_fetch(d, kind, pseudonym, role, out_id, &now_role, out_created, error))
		return false;
	if (keyed)
		remember(d, &key, *out_id, now_role);
	return true;
}

static bool
pg_vault_put(bs_store *s, int64_t subject_id, const uint8_t *sealed, size_t len, GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};

	bs_store__pg_param_int(&p, subject_id);
	bs_store__pg_param_bin(&p, sealed, len);
	return side_ready(d, error) && run_ok(d, &d->side, ST_VAULT_PUT, &p, error);
}

/* ---- Occurrences, categories, facts: the batch connection */

static bool
pg_occurrence_add(bs_store *s, const bs_occurrence_row *row, GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};

	bs_store__pg_param_int(&p, row->subject_id);
	bs_store__pg_param_int(&p, row->message_id);
	bs_store__pg_param_str(&p, row->location);
	bs_store__pg_param_str(&p, row->confidence);
	bs_store__pg_param_int(&p, row->child ? 1 : 0);
	bs_store__pg_param_int(&p, row->count);
	return write_later(d, ST_OCC_ADD, &p, error);
}

static bool
pg_category_add(bs_store *s, int64_t message_id, const char *category, int64_t count,
                GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};

	bs_store__pg_param_int(&p, message_id);
	bs_store__pg_param_str(&p, category);
	bs_store__pg_param_int(&p, count);
	return write_later(d, ST_CAT_ADD, &p, error);
}

static bool
pg_fact_add(bs_store *s, int64_t message_id, int64_t subject_id, const char *fact, GError **error)
{
	bs_pg *d = db_of(s);
	bs_pg_params p = {0};

	bs_store__pg_param_int(&p, message_id);
	bs_store__pg_param_int(&p, subject_id);
	bs_store__pg_param_str(&p, fact);
	return write_later(d, ST_FACT_ADD, &p, error);
}

/* ---- Lookup and stats */

/* Several reads in one snapshot, unless a batch is open (then they see
 * it, as in SQLite). */
static bool
snapshot_begin(bs_pg *d, GError **error)
{
	if (!ready(d, error))
		return false;
	return d->base.in_batch ||
	       exec_sql(d, &d->main, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
}

static bool
snapshot_end(bs_pg *d, bool ok, GError **error)
{
	if (d->base.in_batch)
		return ok;
	if (!ok) {
		PQclear(PQexec(d->main.conn, "ROLLBACK"));
		return false;
	}
	return exec_sql(d, &d->main, "COMMIT", error);
}

static bool
lookup_rows(bs_pg *d, const uint8_t *pseudonym, const char *kind, bs_lookup *out, GError **error)
{
	bs_pg_params p = {0};
	PGresult *r;

	subject_params(&p, kind, pseudonym);
	if (!(r = run(d, &d->main, ST_LOOKUP_MSGS, &p, error)))
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		bs_store__lookup_add_message(out, PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
		                             PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2),
		                             PQgetvalue(r, i, 3));
	PQclear(r);
	if (!(r = run(d, &d->main, ST_LOOKUP_CATS, &p, error)))
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		bs_store__lookup_add_category(out, PQgetvalue(r, i, 0), bs_store__pg_int(r, i, 1));
	PQclear(r);
	return true;
}

static bool
pg_lookup(bs_store *s, const uint8_t *pseudonym, const char *kind, bs_lookup *out, GError **error)
{
	bs_pg *d = db_of(s);
	bool ok;

	if (!snapshot_begin(d, error))
		return false;
	ok = lookup_rows(d, pseudonym, kind, out, error);
	bs_store__lookup_finish(out);
	return snapshot_end(d, ok, error);
}

static bool
stats_rows(bs_pg *d, bs_stats *out, GError **error)
{
	bs_pg_params none = {0};
	PGresult *r;

	if (!(r = run(d, &d->main, ST_STATS_MSGS, &none, error)))
		return false;
	out->messages = bs_store__pg_int(r, 0, 0);
	out->ok = bs_store__pg_int(r, 0, 1);
	out->partial = bs_store__pg_int(r, 0, 2);
	out->failed = bs_store__pg_int(r, 0, 3);
	out->occurrences = bs_store__pg_int(r, 0, 4);
	PQclear(r);
	if (!(r = run(d, &d->main, ST_STATS_SUBJ, &none, error)))
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		bs_store__stats_set_kind(out, PQgetvalue(r, i, 0), bs_store__pg_int(r, i, 1));
	PQclear(r);
	return true;
}

static bool
pg_stats(bs_store *s, bs_stats *out, GError **error)
{
	bs_pg *d = db_of(s);

	return snapshot_begin(d, error) && snapshot_end(d, stats_rows(d, out, error), error);
}

static const bs_store_ops pg_ops = {
    .name = "postgresql",
    .free = pg_free,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .source_upsert = pg_source_upsert,
    .source_set_state = pg_source_set_state,
    .source_find = pg_source_find,
    .message_exists = pg_message_exists,
    .message_put = pg_message_put,
    .message_prune = bs_store__pg_message_prune,
    .subject_put = pg_subject_put,
    .occurrence_add = pg_occurrence_add,
    .category_add = pg_category_add,
    .vault_put = pg_vault_put,
    .lookup = pg_lookup,
    .stats = pg_stats,
    .fact_add = pg_fact_add,
    .figures = bs_store__pg_figures,
    .subjects = bs_store__pg_subjects,
    .facts = bs_store__pg_facts,
    .subject_messages = bs_store__pg_subject_messages,
    .vault_get = bs_store__pg_vault_get,
    .case_counts = bs_store__pg_case_counts,
};

/* ---- Opening: the schema and its version */

/* The index's schema version, 0 when the database holds none;
 * *out_tables when it has tables of ours without a version. */
static bool
read_version(bs_pg *d, int *out_v, bool *out_tables, GError **error)
{
	PGresult *r = checked(d, d->main.conn,
	                      PQexec(d->main.conn, "SELECT to_regclass('schema_version') IS NOT"
	                                           " NULL, to_regclass('source') IS NOT NULL"),
	                      error);
	bool versioned;

	if (!r)
		return false;
	versioned = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	*out_tables = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	PQclear(r);
	*out_v = 0;
	if (!versioned)
		return true;
	r = checked(d, d->main.conn,
	            PQexec(d->main.conn, "SELECT coalesce(max(version), 0) FROM schema_version"),
	            error);
	if (!r)
		return false;
	*out_v = (int)bs_store__pg_int(r, 0, 0);
	PQclear(r);
	return true;
}

/* A new index goes only into a database without one (another key's
 * pseudonyms must never mix with ours). */
static bool
refuse_existing(bs_pg *d, GError **error)
{
	int v = 0;
	bool tables = false;

	if (!read_version(d, &v, &tables, error))
		return false;
	if (v == 0 && !tables)
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": holds a breachscope index already",
	            d->shown);
	return false;
}

/* Runs the (idempotent) schema and stamps the version in one transaction,
 * under an advisory lock: scanners opening an older index together take
 * turns. */
static bool
apply_schema(bs_pg *d, bool create, GError **error)
{
	g_autofree char *stamp =
	    g_strdup_printf("DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)",
	                    bs_store_schema_version());
	bool ok;

	if (!exec_sql(d, &d->main, "BEGIN", error))
		return false;
	ok = exec_sql(d, &d->main, "SELECT pg_advisory_xact_lock(hashtext('breachscope schema'))",
	              error) &&
	     (!create || refuse_existing(d, error)) && exec_sql(d, &d->main, bs_schema_pg, error) &&
	     exec_sql(d, &d->main, stamp, error);
	if (!ok) {
		PQclear(PQexec(d->main.conn, "ROLLBACK"));
		return false;
	}
	return exec_sql(d, &d->main, "COMMIT", error);
}

static bool
check_version(bs_pg *d, bool create, GError **error)
{
	int v = 0;
	bool tables = false;

	if (create)
		return apply_schema(d, true, error);
	if (!read_version(d, &v, &tables, error))
		return false;
	if (v > bs_store_schema_version()) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE,
		            "\"%s\": index schema %d is newer than this program's %d", d->shown, v,
		            bs_store_schema_version());
		return false;
	}
	if (v == 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE,
		            "\"%s\": not a breachscope index (create one with breachscope init "
		            "--store-dsn)",
		            d->shown);
		return false;
	}
	if (v < bs_store_schema_version() && d->writable)
		return apply_schema(d, false, error);
	return true;
}

bs_store *
bs_store__pg_open(const char *dsn, bool writable, bool create, GError **error)
{
	g_autoptr(bs_store) s = NULL;
	bs_pg *d = g_new0(bs_pg, 1);

	d->base.ops = &pg_ops;
	s = &d->base;
	d->dsn = g_strdup(dsn);
	d->shown = bs_store__pg_display_dup(dsn);
	d->writable = writable || create;
	d->subjects = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
	d->queue = g_ptr_array_new_with_free_func(queued_write_free);
	if (!connect_to(d, &d->main, error) || !check_version(d, create, error))
		return NULL;
	return g_steal_pointer(&s);
}
