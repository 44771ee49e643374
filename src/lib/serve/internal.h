/* serve internals: shared between the files of the serve module only. */
#ifndef BS_SERVE_INTERNAL_H
#define BS_SERVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sqlite3.h>

#include "base/base.h"
#include "serve/serve.h"
#include "store/store.h"

G_BEGIN_DECLS

typedef struct bs_server bs_srv;

/* ---- languages and texts (i18n.c) ---- */
typedef enum { LANG_SV = 0, LANG_EN = 1, LANG_COUNT } lang_id;
const char *bs_serve__text(lang_id lang, const char *key); /* static; the key when unknown */
const char *bs_serve__lang_code(lang_id lang);             /* "sv" | "en" */
bool bs_serve__lang_parse(const char *s, lang_id *out);
#define T(lang, key) bs_serve__text((lang), (key))

/* ---- sessions (session.c): in the database, shared by every process ---- */
typedef enum { SESS_ANON = 0, SESS_RESIDENT, SESS_ADMIN } sess_kind;

#define SESS_ID_HEX 64       /* 32 random bytes */
#define SESS_TOKEN_HEX 64    /* CSRF, state, nonce: 32 random bytes as hex */
#define SESS_VERIFIER_LEN 64 /* PKCE verifier: 64 unreserved characters */

typedef struct {
	char id[SESS_ID_HEX + 1];
	char tag[17]; /* pseudonymous id for logs: hash of id, 8 bytes hex */
	char csrf[SESS_TOKEN_HEX + 1];
	sess_kind kind;
	int64_t created_us; /* real time; absolute expiry counts from here */
	int64_t seen_us;    /* real time; idle expiry counts from here */
	/* OIDC login in progress: cleared when the callback arrives (no replay). */
	char oidc_state[SESS_TOKEN_HEX + 1];
	char oidc_nonce[SESS_TOKEN_HEX + 1];
	char oidc_verifier[SESS_VERIFIER_LEN + 1];
	int64_t oidc_started_us; /* real time */
	/* Resident: who, as a pseudonym; the case their visit opened. */
	char subject_kind[24]; /* "pnr", "samordningsnummer", "email" */
	uint8_t pseudonym[32];
	char case_ref[24];
	char channel[8]; /* "eid" | "email" | "dev" */
	/* E-mail path in progress: the code row and the address pseudonym. */
	int64_t code_id;
	uint8_t code_pseudonym[32];
	/* Admin desk. */
	char admin_user[64];
	bool admin_area; /* made under /admin: never valid elsewhere */
} bs_session;

typedef struct bs_sessions bs_sessions;
/* Opens connections to db_path (table web_session); NULL and error when
 * the database cannot be opened. */
bs_sessions *bs_serve__sessions_new(const char *db_path, int connections, int64_t idle_us,
                                    int64_t absolute_us, size_t max_count, GError **error);
void bs_serve__sessions_free(bs_sessions *ss);
/* Fills out with a fresh anonymous session and stores it. false when full. */
bool bs_serve__session_create(bs_sessions *ss, sess_kind kind, bs_session *out);
/* Copies the live session with id into out; false if unknown or expired. */
bool bs_serve__session_get(bs_sessions *ss, const char *id, bs_session *out);
void bs_serve__session_put(bs_sessions *ss, const bs_session *s); /* store changes */
void bs_serve__session_drop(bs_sessions *ss, const char *id);
/* New id for an existing session (after login: no fixation); s->id changes.
 * Stores s's fields under the new id; false (s unchanged) when it could not. */
bool bs_serve__session_rotate(bs_sessions *ss, bs_session *s);

/* ---- random tokens, hashing (util in session.c) ---- */
void bs_serve__random_hex(char *out, size_t bytes); /* out holds 2*bytes+1 */
void bs_serve__b64url(const uint8_t *p, size_t len, char *out, size_t out_len);
bool bs_serve__b64url_decode(const char *p, size_t len, uint8_t **out, size_t *out_len);
bool bs_serve__ct_equal(const char *a, const char *b);       /* constant time for equal lengths */
void bs_serve__hex(const uint8_t *p, size_t len, char *out); /* out holds 2*len+1 */
char *bs_serve__now_rfc3339_dup(void);

/* ---- rate limits (ratelimit.c): token buckets keyed by strings ---- */
typedef struct bs_ratelimit bs_ratelimit;
/* burst tokens, refilled at per_minute a minute. */
bs_ratelimit *bs_serve__ratelimit_new(double per_minute, double burst);
void bs_serve__ratelimit_free(bs_ratelimit *rl);
/* true when allowed; else *out_retry_s says when to try again. */
bool bs_serve__ratelimit_take(bs_ratelimit *rl, const char *key, int64_t now_us, int *out_retry_s);

/* ---- database (db.c): the e-service's own tables, one connection each ---- */
sqlite3 *bs_serve__db_open(const char *path, GError **error);
bool bs_serve__db_exec(sqlite3 *db, const char *sql, GError **error);

typedef struct {
	char ref[24];
	char opened[32];   /* RFC 3339 UTC */
	char deadline[16]; /* YYYY-MM-DD */
	char channel[8];
	char subject_kind[24];
	char pseudonym_hex[65];
	char state[12]; /* open | answered | closed */
	bool art15;
	bool found;
	char *note; /* owned; g_free() */
	char closed[32];
	char closed_by[64];
} bs_case;
void bs_serve__case_clear(bs_case *c);

/* Opens a case for a resident's visit; out_ref gets the reference number. */
bool bs_serve__case_open(sqlite3 *db, const char *channel, const char *kind,
                         const uint8_t pseudonym[32], bool found, char out_ref[24], GError **error);
bool bs_serve__case_get(sqlite3 *db, const char *ref, bs_case *out, GError **error);
bool bs_serve__case_art15(sqlite3 *db, const char *ref, GError **error);
bool bs_serve__case_close(sqlite3 *db, const char *ref, const char *state, const char *note,
                          const char *by, GError **error);
typedef struct {
	const char *state; /* NULL: any */
	bool overdue_only;
	bool art15_only;
	int limit;
} bs_case_filter;
/* Calls fn for each case, oldest deadline first. */
typedef void bs_case_fn(const bs_case *c, void *user);
bool bs_serve__case_list(sqlite3 *db, const bs_case_filter *f, bs_case_fn *fn, void *user,
                         GError **error);

/* API keys: stored as BLAKE2b-256 of the key. */
bool bs_serve__apikey_check(sqlite3 *db, const char *key, char *out_name, size_t name_len);

/* E-mail codes. */
bool bs_serve__code_store(sqlite3 *db, const uint8_t pseudonym[32], const char *code,
                          int64_t expires_us, int64_t *out_id, GError **error);
typedef enum { CODE_OK, CODE_WRONG, CODE_EXPIRED, CODE_LOCKED, CODE_GONE } code_result;
code_result bs_serve__code_check(sqlite3 *db, int64_t id, const char *code, int64_t now_us,
                                 int max_attempts);

/* Admin accounts. */
bool bs_serve__admin_check(sqlite3 *db, const char *user, const char *password);

/* ---- audit chain (audit.c) ---- */
typedef struct bs_audit bs_audit;
bs_audit *bs_serve__audit_new(const char *db_path, GError **error);
void bs_serve__audit_free(bs_audit *a); /* flushes and stops the writer */
/* Appends one entry; actor, action, subject, detail hold no personal data. */
void bs_serve__audit(bs_audit *a, const char *actor, const char *action, const char *subject,
                     const char *detail);
void bs_serve__audit_hash(const char *prev, int64_t seq, const char *at, const char *actor,
                          const char *action, const char *subject, const char *detail,
                          char out_hex[65]);

/* ---- HTTP request and reply (http.c, server.c) ---- */
typedef struct {
	int status;
	const char *type;   /* static content type */
	GString *body;      /* owned */
	GPtrArray *headers; /* owned: "Name", "value" pairs */
	bool cacheable;     /* static files only */
} bs_reply;

typedef struct {
	bs_srv *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	lang_id lang;
	bool lang_from_query; /* ?lang= given: store it in a cookie */
	char client[64];      /* client address after trusted proxies */
	GHashTable *form;     /* POST fields (x-www-form-urlencoded); owned */
	const char *body;     /* raw body, NUL-terminated; borrowed */
	size_t body_len;
	bs_session sess; /* copy; has_sess when a cookie matched */
	bool has_sess;
	bs_reply reply;
	const char *route; /* for the access log */
} bs_req;

const char *bs_serve__query(bs_req *r, const char *key);   /* borrowed or NULL */
const char *bs_serve__form(bs_req *r, const char *key);    /* borrowed or NULL */
const char *bs_serve__header(bs_req *r, const char *name); /* borrowed or NULL */
const char *bs_serve__cookie(bs_req *r, const char *name); /* borrowed or NULL */
void bs_serve__add_header(bs_req *r, const char *name, const char *value);
void bs_serve__set_cookie(bs_req *r, const char *name, const char *value, const char *path,
                          int64_t max_age_s, bool http_only);
void bs_serve__redirect(bs_req *r, const char *location);
void bs_serve__oidc_begin(bs_req *r); /* pages.c: to the provider, for r's session */
void bs_serve__text_reply(bs_req *r, int status, const char *type, const char *text);
void bs_serve__json_reply(bs_req *r, int status, const char *json);
void bs_serve__too_many(bs_req *r, int retry_s);
/* Parses an x-www-form-urlencoded body into a new table; NULL when malformed
 * or above the field limit. */
GHashTable *bs_serve__form_parse(const char *body, size_t len, size_t max_fields);
/* The client's address: the peer, or the last untrusted X-Forwarded-For hop
 * when the peer is a configured trusted proxy. */
void bs_serve__client_address(bs_srv *srv, struct MHD_Connection *c, char *out, size_t len);
bool bs_serve__addr_in_list(const char *addr, char **list);

/* Session helpers for handlers (session cookie and CSRF). */
/* An anonymous session when none; false when refused (it has answered). */
bool bs_serve__ensure_session(bs_req *r);
bool bs_serve__csrf_ok(bs_req *r); /* POST token matches the session */
void bs_serve__session_save(bs_req *r);
void bs_serve__session_login(bs_req *r); /* rotate id, set cookie */
void bs_serve__session_end(bs_req *r);

/* ---- HTML (html.c) ---- */
void bs_serve__page_begin(bs_req *r, const char *title_key);
void bs_serve__page_end(bs_req *r);
void bs_serve__esc(GString *out, const char *s); /* appends HTML-escaped s */
void bs_serve__csrf_field(bs_req *r);
void bs_serve__error_page(bs_req *r, int status, const char *msg_key);
void bs_serve__notice(bs_req *r); /* the incident notice paragraphs */
extern const char bs_serve__css[];

/* ---- handlers ---- */
typedef void bs_handler(bs_req *r);
bs_handler bs_serve__page_home, bs_serve__page_answer, bs_serve__page_art15, bs_serve__page_logout,
    bs_serve__page_dev_login, bs_serve__page_dev_login_post, bs_serve__page_email,
    bs_serve__page_email_verify, bs_serve__page_login, bs_serve__page_callback,
    bs_serve__api_lookup, bs_serve__admin_home, bs_serve__admin_login, bs_serve__admin_logout,
    bs_serve__admin_case, bs_serve__admin_close, bs_serve__admin_export, bs_serve__admin_eid,
    bs_serve__admin_callback, bs_serve__admin_high_risk;

/* The first half of an OIDC callback, shared by the resident's and the
 * desk's: the state must match the session's pending log-in (then it is
 * spent) and be younger than ten minutes. false when it answered (403,
 * audited as fail_action); else *out_pending is the session as it was and
 * *out_code the code (borrowed from the request). */
bool bs_serve__callback_begin(bs_req *r, const char *fail_action, bs_session *out_pending,
                              const char **out_code);
/* Resident answer: looks up the session's subject, renders the answer. */
void bs_serve__render_answer(bs_req *r);
/* Logs a resident in as kind/pseudonym, opens a case, audits, redirects. */
void bs_serve__resident_login(bs_req *r, const char *channel, const char *kind,
                              const uint8_t pseudonym[32]);

/* ---- lookups against the index (lookup.c): one bs_store per worker ---- */
bool bs_serve__lookup_open(bs_srv *srv, GError **error);
void bs_serve__lookup_close(bs_srv *srv);
/* out: bs_lookup_init() done here; caller bs_lookup_fini()s, also on failure. */
bool bs_serve__lookup(bs_srv *srv, const char *kind, const uint8_t pseudonym[32], bs_lookup *out,
                      GError **error);
/* Identifier text → kind and pseudonym; false when not a valid pnr/samordningsnummer
 * (want_email false) or e-mail address (want_email true). */
bool bs_serve__pseudonymise(bs_srv *srv, const char *text, bool want_email, char out_kind[24],
                            uint8_t out_pseudonym[32]);
/* The lookup --json answer for the API. Caller g_free()s. */
char *bs_serve__lookup_json_dup(bs_srv *srv, const char *kind, const uint8_t pseudonym[32],
                                bool *out_found, GError **error);

/* ---- outbound HTTP and SMTP (client.c) ---- */
/* GET or POST (form != NULL) url; returns the body when status 200 (caller
 * g_free()s); basic_user/pass for client_secret_basic, bearer for userinfo. */
char *bs_serve__http_fetch(const char *url, const char *form, const char *basic_user,
                           const char *basic_pass, const char *bearer, long *out_status,
                           GError **error);
bool bs_serve__smtp_send(const bs_srv *srv, const char *to, const char *subject, const char *text,
                         GError **error);

/* ---- JWT (jwt.c) ---- */
typedef struct bs_jwks bs_jwks;
bs_jwks *bs_serve__jwks_parse(const char *json, GError **error);
void bs_serve__jwks_free(bs_jwks *k);
typedef struct {
	const char *issuer;
	const char *audience;
	const char *nonce; /* NULL: not checked */
	int64_t now_s;
	int64_t skew_s;    /* allowed clock difference */
	int64_t max_age_s; /* iat no older than this */
} bs_jwt_expect;
typedef enum { JWT_OK = 0, JWT_BAD, JWT_UNKNOWN_KID } jwt_result;
/* Verifies signature (RS256/ES256) and claims; out_claims gets the payload. */
jwt_result bs_serve__jwt_verify(const char *token, const bs_jwks *keys, const bs_jwt_expect *e,
                                json_t **out_claims, GError **error);

/* ---- OIDC client (oidc.c) ---- */
typedef struct bs_oidc bs_oidc;
bs_oidc *bs_serve__oidc_new(const bs_serve_settings *cfg);
void bs_serve__oidc_free(bs_oidc *o);
/* Authorization URL for a fresh state/nonce/verifier in s. Caller g_free()s.
 * A session of the desk (s->admin_area) asks for the desk's scope and comes
 * back to /admin/callback; a resident's to /callback. */
char *bs_serve__oidc_auth_url(bs_oidc *o, bs_session *s, GError **error);
/* Exchanges code, verifies the ID token, returns the identity claim value
 * (caller g_free()s). */
char *bs_serve__oidc_finish(bs_oidc *o, const bs_session *s, const char *code, GError **error);
/* The desk's log-in: exchanges code and verifies the ID token (false and
 * error when that fails); then *out_allowed says whether its subject may
 * in (bs_serve__admin_claims_allowed, groups also from UserInfo) and
 * *out_sub is the token's sub (caller g_free()s). */
bool bs_serve__oidc_admin_finish(bs_oidc *o, const bs_session *s, const char *code, char **out_sub,
                                 bool *out_allowed, GError **error);
/* Whether verified claims let their subject into the desk: sub in
 * oidc_admin_subjects, or the group claim (a string or an array of
 * strings) holding one of oidc_admin_groups. */
bool bs_serve__admin_claims_allowed(const bs_serve_settings *cfg, json_t *claims);
/* Whether the desk offers e-ID log-in: a provider and an allow-list. */
bool bs_serve__admin_oidc_enabled(const bs_srv *srv);

/* ---- the high-risk list, made off the workers (admin-risk.c) ---- */
typedef struct bs_risk_cache bs_risk_cache;
bs_risk_cache *bs_serve__risk_cache_new(const char *index); /* index: copied */
void bs_serve__risk_cache_free(bs_risk_cache *c);           /* waits for a run in flight */
/* The list (a new reference: g_ptr_array_unref()) as of *out_at_us (real
 * time), or NULL while the first run goes on (*out_failed when it failed).
 * Starts a run when there is no list or it is older than its lifetime,
 * and waits a little for it. */
GPtrArray *bs_serve__risk_get(bs_risk_cache *c, int64_t *out_at_us, bool *out_failed);

/* ---- the server ---- */
struct bs_server {
	bs_serve_settings cfg; /* copy; strings borrowed from the caller */
	const bs_key *key;     /* pseudonym key; borrowed from the caller */
	char *db_path;
	struct MHD_Daemon *daemon;
	bs_sessions *sessions;
	bs_ratelimit *rl_ip;        /* resident pages per client address */
	bs_ratelimit *rl_identity;  /* lookups and codes per identity pseudonym */
	bs_ratelimit *rl_api;       /* API calls per key */
	bs_ratelimit *rl_code_fail; /* wrong codes per address: lockout */
	bs_audit *audit;
	bs_oidc *oidc;
	GAsyncQueue *dbs;         /* idle sqlite3 connections for handlers */
	GAsyncQueue *stores;      /* idle lookup connections */
	bs_risk_cache *risk;      /* the desk's high-risk list */
	char *notice[LANG_COUNT]; /* incident notice text, owned */
	GPtrArray *dev_residents; /* "pnr\tname" lines for --dev-login, owned */
	char **trusted_proxies;
	bool tls;
	guint16 port;
	GMutex key_lock;       /* guards key_cache */
	GHashTable *key_cache; /* key hash hex → cached_key*: valid keys seen lately */
};

sqlite3 *bs_serve__db_take(bs_srv *srv);
void bs_serve__db_give(bs_srv *srv, sqlite3 *db);

G_END_DECLS
#endif
