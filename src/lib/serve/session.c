/* Sessions in the database (table web_session) so that every serve process
 * on one workspace shares them: a log-in, a pending OIDC log-in (state,
 * nonce, PKCE verifier) or an e-mail code begun on one replica goes on at
 * the next, without sticky sessions. Handlers work on copies. The table
 * keeps a hash of each id, never the id: a copy of the database opens no
 * session. Times are real time, the one clock replicas share. */
#include "serve/internal.h"

#include <sodium.h>

/* seen_us is written back at most this often: a page view is not a write. */
#define TOUCH_US (5 * G_USEC_PER_SEC)
/* Expired rows are deleted at most this often per process. */
#define SWEEP_US (10 * G_USEC_PER_SEC)

struct bs_sessions {
	GAsyncQueue *dbs; /* idle sqlite3 connections, owned */
	int64_t idle_us;
	int64_t absolute_us;
	size_t max_count; /* bound on rows: new sessions refused beyond it */
	GMutex lock;      /* guards last_sweep_us */
	int64_t last_sweep_us;
};

void
bs_serve__hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

void
bs_serve__random_hex(char *out, size_t bytes)
{
	uint8_t buf[64];

	g_assert(bytes <= sizeof buf);
	randombytes_buf(buf, bytes);
	bs_serve__hex(buf, bytes, out);
}

void
bs_serve__b64url(const uint8_t *p, size_t len, char *out, size_t out_len)
{
	sodium_bin2base64(out, out_len, p, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
bs_serve__b64url_decode(const char *p, size_t len, uint8_t **out, size_t *out_len)
{
	size_t cap = len * 3 / 4 + 3;
	g_autofree uint8_t *buf = g_malloc(cap);
	size_t n = 0;
	const char *end = NULL;

	if (sodium_base642bin(buf, cap, p, len, NULL, &n, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != p + len)
		return false;
	*out = g_steal_pointer(&buf);
	*out_len = n;
	return true;
}

bool
bs_serve__ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb || la == 0)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

char *
bs_serve__now_rfc3339_dup(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
session_tag(const char *id, char tag[17])
{
	uint8_t h[8];

	crypto_generichash(h, sizeof h, (const uint8_t *)id, strlen(id), NULL, 0);
	bs_serve__hex(h, sizeof h, tag);
}

static void
id_hash(const char *id, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)id, strlen(id), NULL, 0);
}

bs_sessions *
bs_serve__sessions_new(const char *db_path, int connections, int64_t idle_us, int64_t absolute_us,
                       size_t max_count, GError **error)
{
	bs_sessions *ss = g_new0(bs_sessions, 1);

	g_mutex_init(&ss->lock);
	ss->dbs = g_async_queue_new();
	ss->idle_us = idle_us;
	ss->absolute_us = absolute_us;
	ss->max_count = max_count;
	for (int i = 0; i < connections; i++) {
		sqlite3 *db = bs_serve__db_open(db_path, error);

		if (!db) {
			bs_serve__sessions_free(ss);
			return NULL;
		}
		g_async_queue_push(ss->dbs, db);
	}
	return ss;
}

void
bs_serve__sessions_free(bs_sessions *ss)
{
	sqlite3 *db;

	if (!ss)
		return;
	while ((db = g_async_queue_try_pop(ss->dbs)))
		sqlite3_close(db);
	g_async_queue_unref(ss->dbs);
	g_mutex_clear(&ss->lock);
	g_free(ss);
}

static bool
expired(const bs_sessions *ss, const bs_session *s, int64_t now)
{
	return now - s->seen_us > ss->idle_us || now - s->created_us > ss->absolute_us;
}

static bool
run(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		g_warning("sessions: %s", sqlite3_errmsg(db));
	return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		g_warning("sessions: %s", sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

/* Deletes expired rows, at most once per SWEEP_US in this process. */
static void
sweep(bs_sessions *ss, sqlite3 *db, int64_t now)
{
	sqlite3_stmt *st;
	bool due;

	g_mutex_lock(&ss->lock);
	due = now - ss->last_sweep_us >= SWEEP_US;
	if (due)
		ss->last_sweep_us = now;
	g_mutex_unlock(&ss->lock);
	if (!due || !(st = prep(db, "DELETE FROM web_session WHERE seen_us < ? OR created_us < ?")))
		return;
	sqlite3_bind_int64(st, 1, now - ss->idle_us);
	sqlite3_bind_int64(st, 2, now - ss->absolute_us);
	run(db, st);
}

#define SESSION_COLS                                                                               \
	"created_us, seen_us, kind, csrf, admin_area, oidc_state, oidc_nonce, oidc_verifier, "     \
	"oidc_started_us, subject_kind, pseudonym, case_ref, channel, code_id, code_pseudonym, "   \
	"admin_user"

/* Binds the fields as ?2..?17 in SESSION_COLS order; ?1 is the id hash. */
static void
bind_fields(sqlite3_stmt *st, const bs_session *s)
{
	sqlite3_bind_int64(st, 2, s->created_us);
	sqlite3_bind_int64(st, 3, s->seen_us);
	sqlite3_bind_int(st, 4, (int)s->kind);
	sqlite3_bind_text(st, 5, s->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, s->admin_area);
	sqlite3_bind_text(st, 7, s->oidc_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, s->oidc_nonce, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, s->oidc_verifier, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, s->oidc_started_us);
	sqlite3_bind_text(st, 11, s->subject_kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 12, s->pseudonym, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, s->case_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, s->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, s->code_id);
	sqlite3_bind_blob(st, 16, s->code_pseudonym, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 17, s->admin_user, -1, SQLITE_STATIC);
}

static void
col_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	g_strlcpy(out, t ? (const char *)t : "", len);
}

static void
col_blob32(sqlite3_stmt *st, int col, uint8_t out[32])
{
	if (sqlite3_column_bytes(st, col) == 32)
		memcpy(out, sqlite3_column_blob(st, col), 32);
}

/* Reads a row of SESSION_COLS into s (id and tag set by the caller). */
static void
read_fields(sqlite3_stmt *st, bs_session *s)
{
	s->created_us = sqlite3_column_int64(st, 0);
	s->seen_us = sqlite3_column_int64(st, 1);
	s->kind = (sess_kind)sqlite3_column_int(st, 2);
	col_text(st, 3, s->csrf, sizeof s->csrf);
	s->admin_area = sqlite3_column_int(st, 4) != 0;
	col_text(st, 5, s->oidc_state, sizeof s->oidc_state);
	col_text(st, 6, s->oidc_nonce, sizeof s->oidc_nonce);
	col_text(st, 7, s->oidc_verifier, sizeof s->oidc_verifier);
	s->oidc_started_us = sqlite3_column_int64(st, 8);
	col_text(st, 9, s->subject_kind, sizeof s->subject_kind);
	col_blob32(st, 10, s->pseudonym);
	col_text(st, 11, s->case_ref, sizeof s->case_ref);
	col_text(st, 12, s->channel, sizeof s->channel);
	s->code_id = sqlite3_column_int64(st, 13);
	col_blob32(st, 14, s->code_pseudonym);
	col_text(st, 15, s->admin_user, sizeof s->admin_user);
}

static bool
insert(sqlite3 *db, const bs_session *s)
{
	uint8_t h[32];
	sqlite3_stmt *st = prep(db, "INSERT INTO web_session(id_hash, " SESSION_COLS
	                            ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
	                            "?15,?16,?17)");

	if (!st)
		return false;
	id_hash(s->id, h);
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_TRANSIENT);
	bind_fields(st, s);
	return run(db, st);
}

static bool
below_max(bs_sessions *ss, sqlite3 *db)
{
	sqlite3_stmt *st = prep(db, "SELECT count(*) FROM web_session");
	int64_t n = INT64_MAX;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n >= 0 && (uint64_t)n < ss->max_count;
}

/* A fresh id, CSRF token and tag; created and seen now. */
static void
fresh_ids(bs_session *s)
{
	bs_serve__random_hex(s->id, 32);
	bs_serve__random_hex(s->csrf, 32);
	session_tag(s->id, s->tag);
	s->created_us = s->seen_us = g_get_real_time();
}

bool
bs_serve__session_create(bs_sessions *ss, sess_kind kind, bs_session *out)
{
	sqlite3 *db = g_async_queue_pop(ss->dbs);
	bs_session s = {.kind = kind};
	bool ok;

	fresh_ids(&s);
	sweep(ss, db, s.created_us);
	ok = below_max(ss, db) && insert(db, &s);
	g_async_queue_push(ss->dbs, db);
	if (ok)
		*out = s;
	return ok;
}

static void
touch(sqlite3 *db, const uint8_t h[32], int64_t now)
{
	sqlite3_stmt *st = prep(db, "UPDATE web_session SET seen_us = ? WHERE id_hash = ?");

	if (!st)
		return;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
	run(db, st);
}

static void
delete_row(sqlite3 *db, const uint8_t h[32])
{
	sqlite3_stmt *st = prep(db, "DELETE FROM web_session WHERE id_hash = ?");

	if (!st)
		return;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	run(db, st);
}

/* The row of h into s; false when there is none. */
static bool
load(sqlite3 *db, const uint8_t h[32], bs_session *s)
{
	sqlite3_stmt *st = prep(db, "SELECT " SESSION_COLS " FROM web_session WHERE id_hash = ?");
	bool found;

	if (!st)
		return false;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		read_fields(st, s);
	sqlite3_finalize(st);
	return found;
}

bool
bs_serve__session_get(bs_sessions *ss, const char *id, bs_session *out)
{
	int64_t now = g_get_real_time();
	bs_session s = {0};
	uint8_t h[32];
	sqlite3 *db;
	bool ok;

	if (!id || strlen(id) != SESS_ID_HEX)
		return false;
	id_hash(id, h);
	db = g_async_queue_pop(ss->dbs);
	ok = load(db, h, &s);
	if (ok && expired(ss, &s, now)) {
		delete_row(db, h);
		ok = false;
	}
	if (ok && now - s.seen_us >= TOUCH_US)
		touch(db, h, now);
	g_async_queue_push(ss->dbs, db);
	if (!ok)
		return false;
	g_strlcpy(s.id, id, sizeof s.id);
	session_tag(id, s.tag);
	s.seen_us = now;
	*out = s;
	return true;
}

void
bs_serve__session_put(bs_sessions *ss, const bs_session *s)
{
	sqlite3 *db = g_async_queue_pop(ss->dbs);
	uint8_t h[32];
	sqlite3_stmt *st =
	    prep(db, "UPDATE web_session SET seen_us = ?3, kind = ?4, csrf = ?5, admin_area = ?6, "
	             "oidc_state = ?7, oidc_nonce = ?8, oidc_verifier = ?9, oidc_started_us = ?10, "
	             "subject_kind = ?11, pseudonym = ?12, case_ref = ?13, channel = ?14, "
	             "code_id = ?15, code_pseudonym = ?16, admin_user = ?17 WHERE id_hash = ?1");

	if (st) {
		id_hash(s->id, h);
		sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
		bind_fields(st, s);
		run(db, st);
	}
	g_async_queue_push(ss->dbs, db);
}

void
bs_serve__session_drop(bs_sessions *ss, const char *id)
{
	sqlite3 *db = g_async_queue_pop(ss->dbs);
	uint8_t h[32];

	id_hash(id, h);
	delete_row(db, h);
	g_async_queue_push(ss->dbs, db);
}

/* The old row goes and the new one comes in one transaction: the session
 * never exists twice, nor not at all. */
bool
bs_serve__session_rotate(bs_sessions *ss, bs_session *s)
{
	sqlite3 *db = g_async_queue_pop(ss->dbs);
	bs_session fresh = *s;
	uint8_t h[32];
	bool ok;

	fresh_ids(&fresh);
	id_hash(s->id, h);
	ok = bs_serve__db_exec(db, "BEGIN IMMEDIATE", NULL);
	if (ok) {
		delete_row(db, h);
		ok = insert(db, &fresh);
		ok = bs_serve__db_exec(db, ok ? "COMMIT" : "ROLLBACK", NULL) && ok;
	}
	g_async_queue_push(ss->dbs, db);
	if (ok)
		*s = fresh;
	return ok;
}
