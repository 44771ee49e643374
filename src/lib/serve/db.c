/* The e-service's own tables (request, apikey, admin_account, email_code;
 * audit lives in audit.c) in the index database, through SQLite's bound
 * parameters only. One connection per handler at a time (pool in server.c). */
#include "serve/internal.h"

#include <sodium.h>

#include "store/store.h"

#define BUSY_TIMEOUT_MS 5000

static bool
db_fail(sqlite3 *db, const char *what, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "%s: %s", what, sqlite3_errmsg(db));
	return false;
}

sqlite3 *
bs_serve__db_open(const char *path, GError **error)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": %s", path,
		            db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (!bs_serve__db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", error)) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

bool
bs_serve__db_exec(sqlite3 *db, const char *sql, GError **error)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "database: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return false;
	}
	return true;
}

/* The tables are in store/schema.sql; a writable open brings an older
 * index up to date. */
bool
bs_serve_db_prepare(const char *db_path, GError **error)
{
	bs_store *s = bs_store_open(db_path, true, error);

	bs_store_free(s);
	return s != NULL;
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql, GError **error)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, "database", error);
		return NULL;
	}
	return st;
}

static void
copy_col(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	g_strlcpy(out, t ? (const char *)t : "", len);
}

/* ---- cases ---- */

/* "BS-XXXX-XXXX" from an alphabet without look-alikes (no 0/O, 1/I/L). */
static void
case_ref(char out[24])
{
	static const char alpha[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	uint8_t r[8];
	int o = 0;

	randombytes_buf(r, sizeof r);
	out[o++] = 'B';
	out[o++] = 'S';
	for (int i = 0; i < 8; i++) {
		if (i % 4 == 0)
			out[o++] = '-';
		out[o++] = alpha[r[i] % (sizeof alpha - 1)];
	}
	out[o] = '\0';
}

/* GDPR Art. 12(3): one month from receipt. */
static void
deadline_from(GDateTime *now, char out[16])
{
	GDate d;

	g_date_clear(&d, 1);
	g_date_set_dmy(&d, (GDateDay)g_date_time_get_day_of_month(now),
	               (GDateMonth)g_date_time_get_month(now),
	               (GDateYear)g_date_time_get_year(now));
	g_date_add_months(&d, 1);
	g_snprintf(out, 16, "%04d-%02d-%02d", g_date_get_year(&d), g_date_get_month(&d),
	           g_date_get_day(&d));
}

bool
bs_serve__case_open(sqlite3 *db, const char *channel, const char *kind, const uint8_t pseudonym[32],
                    bool found, char out_ref[24], GError **error)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *opened = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	char deadline[16], ref[24];
	sqlite3_stmt *st = prep(db,
	                        "INSERT INTO request(ref, opened, deadline, channel, "
	                        "subject_kind, pseudonym, found) VALUES(?,?,?,?,?,?,?)",
	                        error);
	int rc;

	if (!st)
		return false;
	deadline_from(now, deadline);
	case_ref(ref);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, opened, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, deadline, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, pseudonym, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, found);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, "opening a case", error);
	memcpy(out_ref, ref, 24);
	return true;
}

void
bs_serve__case_clear(bs_case *c)
{
	g_clear_pointer(&c->note, g_free);
}

#define CASE_COLS                                                                                  \
	"ref, opened, deadline, channel, subject_kind, pseudonym, state, art15, found, note, "     \
	"closed, closed_by"

static void
case_from_row(sqlite3_stmt *st, bs_case *c)
{
	const void *blob = sqlite3_column_blob(st, 5);
	const unsigned char *note = sqlite3_column_text(st, 9);

	memset(c, 0, sizeof *c);
	copy_col(st, 0, c->ref, sizeof c->ref);
	copy_col(st, 1, c->opened, sizeof c->opened);
	copy_col(st, 2, c->deadline, sizeof c->deadline);
	copy_col(st, 3, c->channel, sizeof c->channel);
	copy_col(st, 4, c->subject_kind, sizeof c->subject_kind);
	if (blob && sqlite3_column_bytes(st, 5) == 32)
		bs_serve__hex(blob, 32, c->pseudonym_hex);
	copy_col(st, 6, c->state, sizeof c->state);
	c->art15 = sqlite3_column_int(st, 7) != 0;
	c->found = sqlite3_column_int(st, 8) != 0;
	c->note = note ? g_strdup((const char *)note) : NULL;
	copy_col(st, 10, c->closed, sizeof c->closed);
	copy_col(st, 11, c->closed_by, sizeof c->closed_by);
}

bool
bs_serve__case_get(sqlite3 *db, const char *ref, bs_case *out, GError **error)
{
	sqlite3_stmt *st = prep(db, "SELECT " CASE_COLS " FROM request WHERE ref = ?", error);
	int rc;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		case_from_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return true;
	if (rc == SQLITE_DONE)
		g_set_error(error, BS_ERROR, BS_ERROR_NOT_FOUND, "no case %s", ref);
	else
		db_fail(db, "reading a case", error);
	return false;
}

static bool
step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, GError **error)
{
	int rc = sqlite3_step(st);
	bool changed = sqlite3_changes(db) > 0;

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, what, error);
	if (!changed) {
		g_set_error(error, BS_ERROR, BS_ERROR_NOT_FOUND, "%s: no such row", what);
		return false;
	}
	return true;
}

bool
bs_serve__case_art15(sqlite3 *db, const char *ref, GError **error)
{
	sqlite3_stmt *st = prep(db, "UPDATE request SET art15 = 1 WHERE ref = ?", error);

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	return step_done(db, st, "asking for a copy", error);
}

bool
bs_serve__case_close(sqlite3 *db, const char *ref, const char *state, const char *note,
                     const char *by, GError **error)
{
	g_autofree char *now = bs_serve__now_rfc3339_dup();
	sqlite3_stmt *st = prep(db,
	                        "UPDATE request SET state = ?, note = ?, closed = ?, "
	                        "closed_by = ? WHERE ref = ?",
	                        error);

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ref, -1, SQLITE_STATIC);
	return step_done(db, st, "closing a case", error);
}

bool
bs_serve__case_list(sqlite3 *db, const bs_case_filter *f, bs_case_fn *fn, void *user,
                    GError **error)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
	sqlite3_stmt *st = prep(db,
	                        "SELECT " CASE_COLS " FROM request WHERE "
	                        "(?1 IS NULL OR state = ?1) AND "
	                        "(?2 = 0 OR (state = 'open' AND deadline < ?3)) AND "
	                        "(?4 = 0 OR art15 = 1) ORDER BY deadline, id LIMIT ?5",
	                        error);
	int rc;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, f->state, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, f->overdue_only);
	sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, f->art15_only);
	sqlite3_bind_int(st, 5, f->limit > 0 ? f->limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bs_case c;

		case_from_row(st, &c);
		fn(&c, user);
		bs_serve__case_clear(&c);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : db_fail(db, "listing cases", error);
}

/* ---- API keys ---- */

static void
key_hash(const char *key, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)key, strlen(key), NULL, 0);
}

bool
bs_serve__apikey_check(sqlite3 *db, const char *key, char *out_name, size_t name_len)
{
	uint8_t h[32];
	sqlite3_stmt *st = NULL;
	bool ok;

	if (strlen(key) < 20 || strlen(key) > 128)
		return false;
	key_hash(key, h);
	if (sqlite3_prepare_v2(db, "SELECT name FROM apikey WHERE hash = ? AND revoked IS NULL", -1,
	                       &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_ROW;
	if (ok)
		copy_col(st, 0, out_name, name_len);
	sqlite3_finalize(st);
	return ok;
}

static bool
name_ok(const char *name, GError **error)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("-_.", name[i]))
			n = 0;
	if (n == 0 || n > 63) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "name must be 1 to 63 letters, digits, '-', '_' or '.'");
		return false;
	}
	return true;
}

bool
bs_apikey_add(const char *db_path, const char *name, char **out_key, GError **error)
{
	uint8_t raw[32], h[32];
	char key[64];
	g_autofree char *now = bs_serve__now_rfc3339_dup();
	sqlite3 *db;
	sqlite3_stmt *st;
	bool ok;

	if (!name_ok(name, error) || !(db = bs_serve__db_open(db_path, error)))
		return false;
	randombytes_buf(raw, sizeof raw);
	memcpy(key, "bsk_", 4);
	bs_serve__b64url(raw, sizeof raw, key + 4, sizeof key - 4);
	key_hash(key, h);
	st = prep(db, "INSERT INTO apikey(name, hash, created) VALUES(?,?,?)", error);
	ok = st != NULL;
	if (ok) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		ok = step_done(db, st, "adding the key (is the name taken?)", error);
	}
	sqlite3_close(db);
	if (ok)
		*out_key = g_strdup(key);
	return ok;
}

bool
bs_apikey_list(const char *db_path, bs_json *j, GError **error)
{
	sqlite3 *db = bs_serve__db_open(db_path, error);
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	if (!db)
		return false;
	st = prep(db, "SELECT name, created, revoked FROM apikey ORDER BY name", error);
	if (st) {
		bs_json_arr_begin(j, NULL);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			bs_json_obj_begin(j, NULL);
			bs_json_str(j, "name", (const char *)sqlite3_column_text(st, 0));
			bs_json_str(j, "created", (const char *)sqlite3_column_text(st, 1));
			bs_json_str(j, "revoked", (const char *)sqlite3_column_text(st, 2));
			bs_json_obj_end(j);
		}
		bs_json_arr_end(j);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			db_fail(db, "listing keys", error);
	}
	sqlite3_close(db);
	return rc == SQLITE_DONE;
}

bool
bs_apikey_revoke(const char *db_path, const char *name, GError **error)
{
	g_autofree char *now = bs_serve__now_rfc3339_dup();
	sqlite3 *db = bs_serve__db_open(db_path, error);
	sqlite3_stmt *st;
	bool ok;

	if (!db)
		return false;
	st = prep(db, "UPDATE apikey SET revoked = ? WHERE name = ? AND revoked IS NULL", error);
	ok = st != NULL;
	if (ok) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		ok = step_done(db, st, "revoking the key", error);
	}
	sqlite3_close(db);
	if (!ok && error && *error && (*error)->code == BS_ERROR_NOT_FOUND) {
		g_clear_error(error);
		g_set_error(error, BS_ERROR, BS_ERROR_NOT_FOUND, "no active key named \"%s\"",
		            name);
	}
	return ok;
}

/* ---- e-mail codes: stored as a keyed hash bound to the row ---- */

static void
code_hash(int64_t id_salt, const uint8_t pseudonym[32], const char *code, uint8_t out[32])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, pseudonym, 32, 32);
	crypto_generichash_update(&h, (const uint8_t *)&id_salt, sizeof id_salt);
	crypto_generichash_update(&h, (const uint8_t *)code, strlen(code));
	crypto_generichash_final(&h, out, 32);
}

bool
bs_serve__code_store(sqlite3 *db, const uint8_t pseudonym[32], const char *code, int64_t expires_us,
                     int64_t *out_id, GError **error)
{
	uint8_t h[32];
	sqlite3_stmt *st = prep(db,
	                        "INSERT INTO email_code(pseudonym, code_hash, expires_us) "
	                        "VALUES(?,?,?)",
	                        error);

	if (!st)
		return false;
	code_hash(expires_us, pseudonym, code, h);
	sqlite3_bind_blob(st, 1, pseudonym, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expires_us);
	if (!step_done(db, st, "storing a code", error))
		return false;
	*out_id = sqlite3_last_insert_rowid(db);
	return true;
}

static void
code_update(sqlite3 *db, int64_t id, bool used)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db,
	                       used ? "UPDATE email_code SET used = 1 WHERE id = ?"
	                            : "UPDATE email_code SET attempts = attempts + 1 WHERE id = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

code_result
bs_serve__code_check(sqlite3 *db, int64_t id, const char *code, int64_t now_us, int max_attempts)
{
	sqlite3_stmt *st = NULL;
	uint8_t h[32], pseud[32], want[32];
	int64_t expires;
	int attempts, used;

	if (sqlite3_prepare_v2(db,
	                       "SELECT pseudonym, code_hash, expires_us, attempts, used "
	                       "FROM email_code WHERE id = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return CODE_GONE;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_bytes(st, 0) != 32 ||
	    sqlite3_column_bytes(st, 1) != 32) {
		sqlite3_finalize(st);
		return CODE_GONE;
	}
	memcpy(pseud, sqlite3_column_blob(st, 0), 32);
	memcpy(want, sqlite3_column_blob(st, 1), 32);
	expires = sqlite3_column_int64(st, 2);
	attempts = sqlite3_column_int(st, 3);
	used = sqlite3_column_int(st, 4);
	sqlite3_finalize(st);
	if (used)
		return CODE_GONE;
	if (attempts >= max_attempts)
		return CODE_LOCKED;
	if (now_us > expires)
		return CODE_EXPIRED;
	code_hash(expires, pseud, code, h);
	if (sodium_memcmp(h, want, 32) != 0) {
		code_update(db, id, false);
		return attempts + 1 >= max_attempts ? CODE_LOCKED : CODE_WRONG;
	}
	code_update(db, id, true);
	return CODE_OK;
}

/* ---- admin accounts ---- */

bool
bs_admin_add(const char *db_path, const char *user, const char *password, GError **error)
{
	char hash[crypto_pwhash_STRBYTES];
	g_autofree char *now = bs_serve__now_rfc3339_dup();
	sqlite3 *db;
	sqlite3_stmt *st;
	bool ok;

	if (!name_ok(user, error))
		return false;
	if (strlen(password) < 12) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "password must be at least 12 characters");
		return false;
	}
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO, "password hashing ran out of memory");
		return false;
	}
	if (!(db = bs_serve__db_open(db_path, error)))
		return false;
	st = prep(db,
	          "INSERT INTO admin_account(user, pwhash, created) VALUES(?,?,?) "
	          "ON CONFLICT(user) DO UPDATE SET pwhash = excluded.pwhash",
	          error);
	ok = st != NULL;
	if (ok) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		ok = step_done(db, st, "adding the account", error);
	}
	sqlite3_close(db);
	return ok;
}

/* A dummy hash keeps the time for an unknown user close to a known one. */
bool
bs_serve__admin_check(sqlite3 *db, const char *user, const char *password)
{
	static const char dummy[] = "$argon2id$v=19$m=65536,t=2,p=1$"
	                            "c29tZXNhbHRzb21lc2FsdA$"
	                            "Q0FLRUNBS0VDQUtFQ0FLRUNBS0VDQUtFQ0FLRUNBS0U";
	char hash[crypto_pwhash_STRBYTES] = "";
	sqlite3_stmt *st = NULL;
	bool known = false;

	if (sqlite3_prepare_v2(db, "SELECT pwhash FROM admin_account WHERE user = ?", -1, &st,
	                       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			copy_col(st, 0, hash, sizeof hash);
			known = true;
		}
		sqlite3_finalize(st);
	}
	if (!known)
		g_strlcpy(hash, dummy, sizeof hash);
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && known;
}
