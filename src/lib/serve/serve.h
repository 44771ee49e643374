/* serve: the resident e-service and the DPO desk over the index.
 *
 * One process, libmicrohttpd with an internal thread pool. Residents log in
 * with e-ID (OpenID Connect, code flow with PKCE) or prove an e-mail address
 * with a six-digit code, and learn whether and how their identifier occurs
 * in the exposed mail: never content, never anyone else's data. Each visit
 * opens a case with the GDPR one-month deadline; the DPO desk (/admin) lists,
 * answers and closes cases. POST /api/v1/lookup serves the `lookup --json`
 * answer to a platform holding an API key. Every login, lookup, code, API
 * call and admin action goes to an append-only, hash-chained audit log.
 *
 * Thread-safety: a bs_server is driven from one thread (new, wait, free);
 * its handlers run on the pool. The apikey/admin/audit functions open their
 * own database connection and may run while a server is up. */
#ifndef BS_SERVE_H
#define BS_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"
#include "base/json.h"
#include "crypto/crypto.h"

G_BEGIN_DECLS

/* Every setting the server reads; filled from the workspace config by
 * bs_serve_settings_from_config(), then the command line. Strings borrowed. */
typedef struct {
	const char *workspace_dir; /* notice.*.txt, dev-residents.txt live here */
	const char *db_path;       /* the index (request/audit/... tables inside) */
	const char *index;         /* where lookups go (bs_workspace_index_dup()): the
	                              PostgreSQL index; NULL: db_path */
	const char *listen;        /* "ADDR:PORT"; port 0 picks a free one */
	bool dev_login;            /* synthetic residents instead of e-ID: loopback only */
	int threads;               /* MHD thread pool size */
	int connection_limit;      /* all connections */
	int per_ip_limit;          /* connections per client address */
	int timeout_s;             /* idle connection timeout */
	const char *tls_cert;      /* PEM files: HTTPS when both set */
	const char *tls_key;
	char *const *trusted_proxies; /* NULL-terminated: peers whose X-Forwarded-For counts */
	const char *public_url;       /* e.g. "https://minasidor.kommun.se"; redirect URI base */
	bool access_log;              /* one structured line per request */
	int session_idle_s;
	int session_max_s;
	int rate_ip_per_min;        /* resident pages per client address */
	int rate_identity_per_hour; /* lookups/codes per identity */
	int rate_api_per_min;       /* per API key; 0 = unlimited */
	int code_ttl_s;             /* e-mail code lifetime */
	int code_attempts;          /* wrong guesses per code */
	int code_lockout_per_hour;  /* wrong guesses per address before lockout */
	/* [oidc] */
	const char *oidc_issuer; /* discovery at ISSUER/.well-known/openid-configuration */
	const char *oidc_client_id;
	const char *oidc_client_secret;
	const char *oidc_scope;   /* added to "openid" */
	char *const *oidc_claims; /* NULL-terminated identity claims, tried in order */
	int oidc_skew_s;          /* bounded clock skew */
	int oidc_jwks_refetch_s;  /* unknown kid refetches at most this often */
	/* The DPO desk by e-ID: a subject in admin_subjects, or a group of
	 * admin_groups in the admin_group_claim claim (NULL-terminated lists). */
	char *const *oidc_admin_subjects;
	const char *oidc_admin_group_claim;
	char *const *oidc_admin_groups;
	const char *oidc_admin_scope; /* added to "openid" at the desk's log-in */
	/* [smtp] */
	const char *smtp_url; /* smtp://host:port or smtps:// */
	const char *smtp_from;
	const char *smtp_user;
	const char *smtp_password;
	/* [incident] */
	const char *incident_contact; /* the DPO's contact shown on pages */
	const char *incident_org;     /* the organisation's name */
} bs_serve_settings;

/* The [serve], [oidc], [smtp] and [incident] settings of cfg (defaults
 * come from the config table: bs_config_new()); strings borrowed from cfg;
 * workspace_dir, db_path and dev_login are left unset. */
struct bs_config;
void bs_serve_settings_from_config(bs_serve_settings *s, const struct bs_config *cfg);

typedef struct bs_server bs_server;

/* Opens the database, reads the notice, starts the listener. key is the
 * pseudonym key, borrowed: it must outlive the server. NULL and error on failure:
 * a bad listen address, --dev-login off loopback, a port in use. */
bs_server *bs_server_new(const bs_serve_settings *s, const bs_key *key, GError **error);
guint16 bs_server_port(const bs_server *srv);
/* Blocks until SIGTERM or SIGINT; the caller blocked them in every thread
 * before bs_server_new (bs_server_block_signals). */
void bs_server_block_signals(void);
void bs_server_wait(bs_server *srv);
/* Stops accepting, finishes requests in flight, flushes the audit log. */
void bs_server_free(bs_server *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_server, bs_server_free)

/* Creates the e-service tables when missing (idempotent). */
bool bs_serve_db_prepare(const char *db_path, GError **error);

/* API keys: a new random key, printed once by the caller; only its hash is
 * stored. out_key: caller g_free()s. */
bool bs_apikey_add(const char *db_path, const char *name, char **out_key, GError **error);
/* Writes [{"name","created","revoked"}...] into j. */
bool bs_apikey_list(const char *db_path, bs_json *j, GError **error);
bool bs_apikey_revoke(const char *db_path, const char *name, GError **error);

/* DPO desk accounts, argon2id (libsodium crypto_pwhash_str). */
bool bs_admin_add(const char *db_path, const char *user, const char *password, GError **error);

/* Audit chain check. out_entries: entries read; out_broken: seq of the first
 * entry whose hash or link does not match (0 when intact). */
typedef struct {
	int64_t entries;
	int64_t broken_seq;
	char head[65];   /* hash of the last entry: record it elsewhere */
	char reason[64]; /* static-like text for the first break */
} bs_audit_report;
bool bs_audit_verify(const char *db_path, bs_audit_report *out, GError **error);
/* Appends one entry from a command (e.g. "apikey.add"), same chain. */
bool bs_audit_append(const char *db_path, const char *actor, const char *action,
                     const char *subject, const char *detail, GError **error);

G_END_DECLS
#endif
