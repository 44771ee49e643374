/* config: the workspace settings. One table in config.c declares every
 * setting (group, key, type, default, bounds, bs_config field, help); it
 * parses and validates DIR/breachscope.conf (GKeyFile) and writes the
 * commented file `init` creates. Nothing else spells a key.
 *
 * Precedence: default < workspace file < command line (bs_config_set).
 * The library receives a finished bs_config and never reads files or the
 * environment itself. A bs_config is plain data: read it from any thread
 * once loaded; do not change it while others read it.
 *
 * Adding a setting: add a field to struct bs_config and one row to the
 * table in config.c. Types map to field types: BS_CONF_STRING -> char *
 * (NULL when unset and no default), BS_CONF_STRING_LIST -> char ** (NULL-
 * terminated, never NULL), BS_CONF_UINT -> uint64_t, BS_CONF_BOOL -> bool. */
#ifndef BS_CONFIG_H
#define BS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	BS_CONF_STRING,
	BS_CONF_STRING_LIST, /* comma-separated in the file */
	BS_CONF_UINT,        /* whole number within [min, max] */
	BS_CONF_BOOL,        /* true | false */
} bs_conf_type;

typedef struct bs_config {
	/* [workspace] */
	char **org_domains; /* the organisation's own mail domains; compare ignoring case */
	/* [store] where the index lives */
	char *store_backend; /* "sqlite" (DIR/index.sqlite) | "postgresql" (at store_dsn) */
	char *store_dsn;     /* postgresql:// URI; may hold a password: never print it */
	/* [scan] */
	uint64_t scan_max_depth;         /* nested messages/archives */
	uint64_t scan_max_message_bytes; /* expanded bytes per message */
	uint64_t scan_max_ratio;         /* expanded : compressed guard */
	uint64_t scan_attachment_ms;     /* time budget per attachment, ms */
	uint64_t scan_threads;           /* 0: one per core */
	/* [vault] */
	char *vault_public_key; /* base64 of the 32-byte X25519 key; NULL: no vault */
	/* [serve] the resident e-service and DPO desk */
	char *serve_listen;
	uint64_t serve_threads, serve_connection_limit, serve_per_ip_limit, serve_timeout_s;
	char *serve_tls_cert, *serve_tls_key; /* PEM files; both set: HTTPS */
	char **serve_trusted_proxies;
	char *serve_public_url;
	bool serve_access_log;
	uint64_t serve_session_idle_s, serve_session_max_s;
	uint64_t serve_rate_ip_per_min, serve_rate_identity_per_hour, serve_rate_api_per_min;
	uint64_t serve_code_ttl_s, serve_code_attempts, serve_code_lockout_per_hour;
	/* [oidc] e-ID log-in */
	char *oidc_issuer, *oidc_client_id, *oidc_client_secret, *oidc_scope;
	char **oidc_claims;
	uint64_t oidc_skew_s, oidc_jwks_refetch_s;
	char **oidc_admin_subjects; /* DPO desk by e-ID: allowed subjects ... */
	char *oidc_admin_group_claim;
	char **oidc_admin_groups; /* ... or members of these groups */
	char *oidc_admin_scope;
	/* [smtp] e-mail codes */
	char *smtp_url, *smtp_from, *smtp_user, *smtp_password;
	/* [incident] shown on the e-service's pages */
	char *incident_org, *incident_contact;
	/* [incident] the authority report (report): the IMY form's fields */
	char *incident_org_number, *incident_reference;
	char *incident_address; /* the controller's postal address (IMY form, question 3) */
	char *incident_discovered_at, *incident_ceased_at; /* RFC 3339 */
	char *incident_description, *incident_measures, *incident_consequences;
	char *incident_scope; /* scope file; relative to the workspace */
	/* [imap] (hunt's imap:// sources) */
	char *imap_user;              /* login when the URL names none */
	char *imap_password;          /* of imap_user, or of imap_master_user */
	char *imap_master_user;       /* NULL: log in as the user */
	char *imap_ca_file;           /* NULL: system CAs */
	char *imap_quarantine_folder; /* where --quarantine moves IMAP hits */
} bs_config;

/* A value's own check beyond its type and bounds, e.g. base64 of 32 bytes;
 * for lists it sees each element. Returns NULL when fine, else a static
 * lower-case reason. */
typedef const char *bs_conf_check_fn(const char *value);

typedef struct {
	const char *group;
	const char *key;
	bs_conf_type type;
	const char *default_value; /* in file syntax; NULL: unset */
	uint64_t min, max;         /* BS_CONF_UINT only; max is the hard ceiling */
	size_t offset;             /* offsetof(bs_config, field) */
	bs_conf_check_fn *check;   /* NULL: none */
	const char *help;          /* one line, written above the key */
	bool secret;               /* the value is never repeated in an error */
} bs_conf_setting;

/* The table, for documentation and tests. Static; *out_count rows. */
const bs_conf_setting *bs_config_settings(size_t *out_count);

/* A config holding every default. Caller frees with bs_config_free(). */
bs_config *bs_config_new(void);
void bs_config_free(bs_config *cfg); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_config, bs_config_free)

/* Applies the settings in a GKeyFile text on top of cfg. name is the file
 * name used in errors ("breachscope.conf: [scan] max_depth = 99: above the
 * ceiling 32"). Unknown groups and keys are errors (a typo never passes
 * silently). On error cfg may be partly updated: discard it. */
bool bs_config_load_data(bs_config *cfg, const char *name, const char *data, size_t len,
                         GError **error);

/* Reads path (at most BS_LIMIT_CONFIG_BYTES) and applies it. */
bool bs_config_load_file(bs_config *cfg, const char *path, GError **error);

/* Sets one value given in file syntax (command line overrides). origin names
 * where it came from in errors (e.g. "--threads"). */
bool bs_config_set(bs_config *cfg, const char *group, const char *key, const char *value,
                   const char *origin, GError **error);

/* The commented file: every group and key with its help line; values equal
 * to the default are written commented out. Caller g_free()s. */
char *bs_config_to_data(const bs_config *cfg, size_t *out_len);

/* Writes bs_config_to_data() to path, refusing to replace an existing file. */
bool bs_config_write_new(const bs_config *cfg, const char *path, GError **error);

G_END_DECLS
#endif
