/* The audit log: append-only (triggers refuse UPDATE and DELETE), each entry
 * carrying the hash of the one before. Handlers queue entries; one writer
 * thread commits them in batches (group commit: the API path makes tens of
 * thousands a second). The link is computed inside the write transaction
 * from the last stored row, so several processes (commands, replicas) can
 * append to one chain. An entry queued when the process dies hard is lost;
 * a clean stop (SIGTERM) flushes the queue first. */
#include "serve/internal.h"

#include <sodium.h>

#define BATCH_MAX 4096
/* Group commit: the writer waits this long after the first entry of a batch,
 * so that handlers queue without waking it every time. */
#define GROUP_COMMIT_US 50000
#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct {
	char *at, *actor, *action, *subject, *detail;
} entry;

struct bs_audit {
	sqlite3 *db; /* the writer's own connection */
	GAsyncQueue *queue;
	GThread *thread;
	int stop_marker; /* its address marks the end of the queue */
};

static void
entry_free(entry *e)
{
	g_free(e->at);
	g_free(e->actor);
	g_free(e->action);
	g_free(e->subject);
	g_free(e->detail);
	g_free(e);
}

static void
hash_field(crypto_generichash_state *h, const char *s)
{
	uint64_t len = strlen(s);
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(len >> (8 * i));
	crypto_generichash_update(h, le, sizeof le);
	crypto_generichash_update(h, (const uint8_t *)s, len);
}

/* BLAKE2b-256 over the length-prefixed fields: no field can bleed into the next. */
void
bs_serve__audit_hash(const char *prev, int64_t seq, const char *at, const char *actor,
                     const char *action, const char *subject, const char *detail, char out_hex[65])
{
	crypto_generichash_state h;
	char seqs[24];
	uint8_t out[32];

	g_snprintf(seqs, sizeof seqs, "%" G_GINT64_FORMAT, seq);
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	hash_field(&h, prev);
	hash_field(&h, seqs);
	hash_field(&h, at);
	hash_field(&h, actor);
	hash_field(&h, action);
	hash_field(&h, subject);
	hash_field(&h, detail);
	crypto_generichash_final(&h, out, sizeof out);
	bs_serve__hex(out, sizeof out, out_hex);
}

static bool
last_link(sqlite3 *db, int64_t *out_seq, char out_hash[65])
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &st,
	                       NULL) != SQLITE_OK)
		return false;
	rc = sqlite3_step(st);
	*out_seq = 0;
	g_strlcpy(out_hash, ZERO_HASH, 65);
	if (rc == SQLITE_ROW) {
		*out_seq = sqlite3_column_int64(st, 0);
		g_strlcpy(out_hash, (const char *)sqlite3_column_text(st, 1), 65);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static bool
insert_entry(sqlite3_stmt *st, const entry *e, int64_t seq, const char *prev, char hash[65])
{
	bs_serve__audit_hash(prev, seq, e->at, e->actor, e->action, e->subject, e->detail, hash);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, e->at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, e->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, e->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, hash, -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE;
}

/* One transaction: read the chain's head, link and insert every entry. */
static bool
write_batch(sqlite3 *db, entry **batch, size_t count, GError **error)
{
	sqlite3_stmt *st = NULL;
	char prev[65], hash[65];
	int64_t seq;
	bool ok;

	if (!bs_serve__db_exec(db, "BEGIN IMMEDIATE", error))
		return false;
	ok = last_link(db, &seq, prev) &&
	     sqlite3_prepare_v2(db,
	                        "INSERT INTO audit(seq, at, actor, action, subject, detail, "
	                        "prev, hash) VALUES(?,?,?,?,?,?,?,?)",
	                        -1, &st, NULL) == SQLITE_OK;
	for (size_t i = 0; ok && i < count; i++) {
		ok = insert_entry(st, batch[i], ++seq, prev, hash);
		memcpy(prev, hash, sizeof prev);
	}
	sqlite3_finalize(st);
	if (!ok) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "audit: %s", sqlite3_errmsg(db));
		bs_serve__db_exec(db, "ROLLBACK", NULL);
		return false;
	}
	return bs_serve__db_exec(db, "COMMIT", error);
}

static gpointer
writer_main(gpointer data)
{
	bs_audit *a = data;
	entry *batch[BATCH_MAX];
	bool stop = false;

	while (!stop) {
		size_t n = 0;
		gpointer item = g_async_queue_pop(a->queue);
		g_autoptr(GError) error = NULL;

		if (item != &a->stop_marker)
			g_usleep(GROUP_COMMIT_US);

		while (item && n < BATCH_MAX) {
			if (item == &a->stop_marker) {
				stop = true;
				break;
			}
			batch[n++] = item;
			item = n < BATCH_MAX ? g_async_queue_try_pop(a->queue) : NULL;
		}
		if (n && !write_batch(a->db, batch, n, &error))
			g_critical("audit entries lost: %s", error->message);
		for (size_t i = 0; i < n; i++)
			entry_free(batch[i]);
	}
	return NULL;
}

bs_audit *
bs_serve__audit_new(const char *db_path, GError **error)
{
	bs_audit *a = g_new0(bs_audit, 1);

	a->db = bs_serve__db_open(db_path, error);
	if (!a->db) {
		g_free(a);
		return NULL;
	}
	a->queue = g_async_queue_new();
	a->thread = g_thread_new("bs-audit", writer_main, a);
	return a;
}

void
bs_serve__audit_free(bs_audit *a)
{
	if (!a)
		return;
	g_async_queue_push(a->queue, &a->stop_marker);
	g_thread_join(a->thread);
	g_async_queue_unref(a->queue);
	sqlite3_close(a->db);
	g_free(a);
}

static entry *
entry_new(const char *actor, const char *action, const char *subject, const char *detail)
{
	entry *e = g_new0(entry, 1);

	e->at = bs_serve__now_rfc3339_dup();
	e->actor = g_strdup(actor ? actor : "");
	e->action = g_strdup(action);
	e->subject = g_strdup(subject ? subject : "");
	e->detail = g_strdup(detail ? detail : "");
	return e;
}

void
bs_serve__audit(bs_audit *a, const char *actor, const char *action, const char *subject,
                const char *detail)
{
	g_async_queue_push(a->queue, entry_new(actor, action, subject, detail));
}

bool
bs_audit_append(const char *db_path, const char *actor, const char *action, const char *subject,
                const char *detail, GError **error)
{
	sqlite3 *db = bs_serve__db_open(db_path, error);
	entry *e;
	bool ok;

	if (!db)
		return false;
	e = entry_new(actor, action, subject, detail);
	ok = write_batch(db, &e, 1, error);
	entry_free(e);
	sqlite3_close(db);
	return ok;
}

static const char *
check_row(sqlite3_stmt *st, int64_t want_seq, const char *prev, char hash_out[65])
{
	const char *f[7];

	for (int i = 0; i < 7; i++) {
		const unsigned char *t = sqlite3_column_text(st, i + 1);
		f[i] = t ? (const char *)t : "";
	}
	if (sqlite3_column_int64(st, 0) != want_seq)
		return "missing entry before this one";
	if (strcmp(f[5], prev) != 0)
		return "link to the previous entry does not match";
	bs_serve__audit_hash(prev, want_seq, f[0], f[1], f[2], f[3], f[4], hash_out);
	if (strcmp(f[6], hash_out) != 0)
		return "entry changed after it was written";
	return NULL;
}

bool
bs_audit_verify(const char *db_path, bs_audit_report *out, GError **error)
{
	sqlite3 *db = bs_serve__db_open(db_path, error);
	sqlite3_stmt *st = NULL;
	char prev[65] = ZERO_HASH, hash[65];
	int64_t expect = 1;
	int rc;

	if (!db)
		return false;
	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(db,
	                       "SELECT seq, at, actor, action, subject, detail, prev, hash "
	                       "FROM audit ORDER BY seq",
	                       -1, &st, NULL) != SQLITE_OK) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "audit: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return false;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *why = check_row(st, expect, prev, hash);

		out->entries++;
		if (why && !out->broken_seq) {
			out->broken_seq = sqlite3_column_int64(st, 0);
			g_strlcpy(out->reason, why, sizeof out->reason);
		}
		/* Follow the stored chain so one break is reported once. */
		g_strlcpy(prev, (const char *)sqlite3_column_text(st, 7), sizeof prev);
		expect = sqlite3_column_int64(st, 0) + 1;
	}
	g_strlcpy(out->head, prev, sizeof out->head);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "audit: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_DONE;
}
