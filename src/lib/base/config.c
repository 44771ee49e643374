#include "base/config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "base/base.h"

static bs_conf_check_fn check_domain, check_key32, check_time, check_backend, check_dsn;

#define FIELD(f) offsetof(bs_config, f)

/* Every setting, grouped; the file is written in this order. */
static const bs_conf_setting settings[] = {
    {"workspace", "org_domains", BS_CONF_STRING_LIST, "", 0, 0, FIELD(org_domains), check_domain,
     "the organisation's own mail domains: addresses there are staff, others residents"},
    {"store", "backend", BS_CONF_STRING, "sqlite", 0, 0, FIELD(store_backend), check_backend,
     "where the index lives: sqlite (index.sqlite here) or postgresql (at dsn)"},
    {"store", "dsn", BS_CONF_STRING, NULL, 0, 0, FIELD(store_dsn), check_dsn,
     "PostgreSQL URI postgresql://USER@HOST:PORT/DB; password by PGPASSWORD or ~/.pgpass", true},
    {"scan", "max_depth", BS_CONF_UINT, G_STRINGIFY(BS_LIMIT_DEPTH_DEFAULT), 1,
     BS_LIMIT_DEPTH_CEILING, FIELD(scan_max_depth), NULL,
     "deepest nesting of attached messages and archives"},
    {"scan", "max_message_bytes", BS_CONF_UINT, "268435456", 1024, BS_LIMIT_MESSAGE_BYTES_CEILING,
     FIELD(scan_max_message_bytes), NULL,
     "most bytes of text and attachments expanded from one message"},
    {"scan", "max_ratio", BS_CONF_UINT, G_STRINGIFY(BS_LIMIT_RATIO_DEFAULT), 1,
     BS_LIMIT_RATIO_CEILING, FIELD(scan_max_ratio), NULL,
     "largest expanded-to-compressed ratio of an archive member (zip bomb guard)"},
    {"scan", "attachment_ms", BS_CONF_UINT, G_STRINGIFY(BS_LIMIT_ATTACHMENT_MS_DEFAULT), 1,
     BS_LIMIT_ATTACHMENT_MS_CEILING, FIELD(scan_attachment_ms), NULL,
     "time budget for extracting text from one attachment, in milliseconds"},
    {"scan", "threads", BS_CONF_UINT, "0", 0, BS_LIMIT_THREADS_CEILING, FIELD(scan_threads), NULL,
     "scanner threads; 0 means one per core"},
    {"vault", "public_key", BS_CONF_STRING, NULL, 0, 0, FIELD(vault_public_key), check_key32,
     "base64 X25519 public key of the DPO (breachscope vault keygen); unset: no vault"},
    {"serve", "listen", BS_CONF_STRING, "127.0.0.1:8080", 0, 0, FIELD(serve_listen), NULL,
     "address and port the e-service listens on (numeric address)"},
    {"serve", "threads", BS_CONF_UINT, "2", 1, 256, FIELD(serve_threads), NULL,
     "worker threads answering requests"},
    {"serve", "connection_limit", BS_CONF_UINT, "1000", 1, 100000, FIELD(serve_connection_limit),
     NULL, "most open connections in all"},
    {"serve", "per_ip_limit", BS_CONF_UINT, "64", 1, 100000, FIELD(serve_per_ip_limit), NULL,
     "most open connections from one address (a reverse proxy counts as one)"},
    {"serve", "timeout_s", BS_CONF_UINT, "15", 1, 3600, FIELD(serve_timeout_s), NULL,
     "seconds an idle or slow connection is kept"},
    {"serve", "tls_cert", BS_CONF_STRING, NULL, 0, 0, FIELD(serve_tls_cert), NULL,
     "PEM certificate chain for HTTPS; unset: plain HTTP behind a reverse proxy"},
    {"serve", "tls_key", BS_CONF_STRING, NULL, 0, 0, FIELD(serve_tls_key), NULL,
     "PEM private key for HTTPS"},
    {"serve", "trusted_proxies", BS_CONF_STRING_LIST, "", 0, 0, FIELD(serve_trusted_proxies), NULL,
     "proxy addresses whose X-Forwarded-For is believed; empty: none"},
    {"serve", "public_url", BS_CONF_STRING, NULL, 0, 0, FIELD(serve_public_url), NULL,
     "the URL residents use, e.g. https://fraga.kommun.se (OIDC redirect base)"},
    {"serve", "access_log", BS_CONF_BOOL, "true", 0, 0, FIELD(serve_access_log), NULL,
     "one line per request on standard error (route, status, time; nothing personal)"},
    {"serve", "session_idle_s", BS_CONF_UINT, "900", 60, 86400, FIELD(serve_session_idle_s), NULL,
     "a session ends after this many idle seconds"},
    {"serve", "session_max_s", BS_CONF_UINT, "7200", 60, 86400, FIELD(serve_session_max_s), NULL,
     "a session ends this many seconds after it began"},
    {"serve", "rate_ip_per_min", BS_CONF_UINT, "120", 1, 1000000, FIELD(serve_rate_ip_per_min),
     NULL, "log-ins and codes per client address and minute"},
    {"serve", "rate_identity_per_hour", BS_CONF_UINT, "30", 1, 1000000,
     FIELD(serve_rate_identity_per_hour), NULL, "lookups and codes per person and hour"},
    {"serve", "rate_api_per_min", BS_CONF_UINT, "12000", 0, 600000000,
     FIELD(serve_rate_api_per_min), NULL,
     "API calls per key and minute (bursts of two seconds' worth); 0: unlimited"},
    {"serve", "code_ttl_s", BS_CONF_UINT, "900", 60, 3600, FIELD(serve_code_ttl_s), NULL,
     "seconds an e-mailed code is valid"},
    {"serve", "code_attempts", BS_CONF_UINT, "5", 1, 20, FIELD(serve_code_attempts), NULL,
     "wrong guesses before a code is burnt"},
    {"serve", "code_lockout_per_hour", BS_CONF_UINT, "10", 1, 1000,
     FIELD(serve_code_lockout_per_hour), NULL, "code attempts per address and hour (lockout)"},
    {"oidc", "issuer", BS_CONF_STRING, NULL, 0, 0, FIELD(oidc_issuer), NULL,
     "OpenID provider (discovery at ISSUER/.well-known/openid-configuration); unset: no e-ID"},
    {"oidc", "client_id", BS_CONF_STRING, NULL, 0, 0, FIELD(oidc_client_id), NULL,
     "this service's client id at the provider"},
    {"oidc", "client_secret", BS_CONF_STRING, NULL, 0, 0, FIELD(oidc_client_secret), NULL,
     "client secret (client_secret_basic)"},
    {"oidc", "scope", BS_CONF_STRING, "https://id.oidc.se/scope/naturalPersonNumber", 0, 0,
     FIELD(oidc_scope), NULL, "scopes asked for besides openid (brokers: e.g. ssn or nin)"},
    {"oidc", "claims", BS_CONF_STRING_LIST,
     "https://id.oidc.se/claim/personalIdentityNumber,https://id.oidc.se/claim/coordinationNumber",
     0, 0, FIELD(oidc_claims), NULL,
     "claims holding the personnummer, tried in order (brokers: ssn, nin)"},
    {"oidc", "skew_s", BS_CONF_UINT, "60", 0, 600, FIELD(oidc_skew_s), NULL,
     "allowed clock difference to the provider, seconds"},
    {"oidc", "jwks_refetch_s", BS_CONF_UINT, "60", 1, 86400, FIELD(oidc_jwks_refetch_s), NULL,
     "an unknown key id refetches the provider's keys at most this often"},
    {"oidc", "admin_subjects", BS_CONF_STRING_LIST, "", 0, 0, FIELD(oidc_admin_subjects), NULL,
     "ID token subjects (sub) let into the DPO desk by e-ID log-in; empty: none by subject"},
    {"oidc", "admin_group_claim", BS_CONF_STRING, "groups", 0, 0, FIELD(oidc_admin_group_claim),
     NULL, "claim listing the user's groups, for admin_groups"},
    {"oidc", "admin_groups", BS_CONF_STRING_LIST, "", 0, 0, FIELD(oidc_admin_groups), NULL,
     "groups (in admin_group_claim) let into the DPO desk; empty: none by group"},
    {"oidc", "admin_scope", BS_CONF_STRING, NULL, 0, 0, FIELD(oidc_admin_scope), NULL,
     "scopes asked for besides openid at the DPO desk's log-in (e.g. groups)"},
    {"smtp", "url", BS_CONF_STRING, NULL, 0, 0, FIELD(smtp_url), NULL,
     "mail server for codes, smtp://host:port or smtps://; unset: no e-mail path"},
    {"smtp", "from", BS_CONF_STRING, "noreply@localhost", 0, 0, FIELD(smtp_from), NULL,
     "sender address of the code mails"},
    {"smtp", "user", BS_CONF_STRING, NULL, 0, 0, FIELD(smtp_user), NULL,
     "SMTP user (then TLS is required)"},
    {"smtp", "password", BS_CONF_STRING, NULL, 0, 0, FIELD(smtp_password), NULL, "SMTP password"},
    {"incident", "org", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_org), NULL,
     "the organisation's name shown on every page"},
    {"incident", "contact", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_contact), NULL,
     "how to reach the data protection officer, shown on every page"},
    {"incident", "org_number", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_org_number), NULL,
     "the organisation number of the controller (authority report)"},
    {"incident", "reference", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_reference), NULL,
     "your own reference for the incident (authority report)"},
    {"incident", "address", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_address), NULL,
     "the controller's postal address (authority report)"},
    {"incident", "discovered_at", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_discovered_at),
     check_time, "when the breach was discovered, RFC 3339 (starts the 72-hour clock)"},
    {"incident", "ceased_at", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_ceased_at), check_time,
     "when the breach ceased, RFC 3339; unset: taken from the scope's windows"},
    {"incident", "description", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_description), NULL,
     "what happened, in a sentence or two (authority report)"},
    {"incident", "measures", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_measures), NULL,
     "measures taken or planned (authority report, letters)"},
    {"incident", "consequences", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_consequences), NULL,
     "likely consequences; unset: drafted from the figures"},
    {"incident", "scope", BS_CONF_STRING, NULL, 0, 0, FIELD(incident_scope), NULL,
     "the scope file (breachscope signins), relative to the workspace; for the timeline"},
    {"imap", "user", BS_CONF_STRING, NULL, 0, 0, FIELD(imap_user), NULL,
     "IMAP login for imap:// sources whose URL names no user"},
    {"imap", "password", BS_CONF_STRING, NULL, 0, 0, FIELD(imap_password), NULL,
     "IMAP password of user (or of master_user); keep this file mode 0600"},
    {"imap", "master_user", BS_CONF_STRING, NULL, 0, 0, FIELD(imap_master_user), NULL,
     "master login that acts for each URL's user (SASL PLAIN authzid); unset: log in as the user"},
    {"imap", "ca_file", BS_CONF_STRING, NULL, 0, 0, FIELD(imap_ca_file), NULL,
     "CA certificates (PEM) for imaps:// servers; unset: the system's"},
    {"imap", "quarantine_folder", BS_CONF_STRING, "Breachscope-Quarantine", 0, 0,
     FIELD(imap_quarantine_folder), NULL, "folder hunt --quarantine moves IMAP hits into"},
};

G_STATIC_ASSERT(BS_LIMIT_MESSAGE_BYTES_DEFAULT == 268435456);

const bs_conf_setting *
bs_config_settings(size_t *out_count)
{
	*out_count = G_N_ELEMENTS(settings);
	return settings;
}

static const char *
check_domain(const char *value)
{
	if (!strchr(value, '.') || strchr(value, '@'))
		return "not a mail domain";
	for (const char *p = value; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
			return "not a mail domain";
	return NULL;
}

static const char *
check_key32(const char *value)
{
	g_autofree guchar *raw = NULL;
	g_autofree char *again = NULL;
	gsize len = 0;

	if (strlen(value) != 44)
		return "not the base64 of a 32-byte key";
	raw = g_base64_decode(value, &len);
	if (len != 32)
		return "not the base64 of a 32-byte key";
	again = g_base64_encode(raw, len);
	if (strcmp(again, value) != 0) /* g_base64_decode skips junk: insist on canonical */
		return "not the base64 of a 32-byte key";
	return NULL;
}

static const char *
check_backend(const char *value)
{
	if (strcmp(value, "sqlite") == 0 || strcmp(value, "postgresql") == 0)
		return NULL;
	return "not sqlite or postgresql";
}

/* Only the URI form: the store tells a PostgreSQL index from an index file
 * by its scheme (libpq's key=value strings have none). */
static const char *
check_dsn(const char *value)
{
	if (g_str_has_prefix(value, "postgresql://") || g_str_has_prefix(value, "postgres://"))
		return NULL;
	return "not a postgresql:// URI";
}

/* An RFC 3339 time with a zone ("2024-09-02T06:10:00Z"). */
static const char *
check_time(const char *value)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(value, NULL);

	return t ? NULL : "not an RFC 3339 time with a zone";
}

static const bs_conf_setting *
find_setting(const char *group, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(settings); i++)
		if (strcmp(settings[i].group, group) == 0 && strcmp(settings[i].key, key) == 0)
			return &settings[i];
	return NULL;
}

static bool
group_known(const char *group)
{
	for (size_t i = 0; i < G_N_ELEMENTS(settings); i++)
		if (strcmp(settings[i].group, group) == 0)
			return true;
	return false;
}

static void *
field_of(bs_config *cfg, const bs_conf_setting *s)
{
	return (char *)cfg + s->offset;
}

static const void *
cfield_of(const bs_config *cfg, const bs_conf_setting *s)
{
	return (const char *)cfg + s->offset;
}

/* Sets error as "NAME: [group] key = value: reason" (value shortened). */
static void G_GNUC_PRINTF(5, 6)
    set_error(GError **error, const char *name, const bs_conf_setting *s, const char *value,
              const char *fmt, ...)
{
	g_autofree char *reason = NULL;
	g_autofree char *shown = NULL;
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	shown =
	    s->secret ? g_strdup("(not shown)") : g_utf8_make_valid(value, MIN(strlen(value), 80));
	g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "%s: [%s] %s = %s: %s", name, s->group,
	            s->key, shown, reason);
}

static bool
parse_uint(const bs_conf_setting *s, const char *value, uint64_t *out, const char *name,
           GError **error)
{
	g_autofree char *v = g_strstrip(g_strdup(value));
	uint64_t n;

	if (!bs_parse_u64(v, strlen(v), G_MAXUINT64, &n)) {
		set_error(error, name, s, value, "not a whole number");
		return false;
	}
	if (n > s->max) {
		set_error(error, name, s, value, "above the ceiling %" PRIu64, s->max);
		return false;
	}
	if (n < s->min) {
		set_error(error, name, s, value, "below the minimum %" PRIu64, s->min);
		return false;
	}
	*out = n;
	return true;
}

static bool
parse_bool(const bs_conf_setting *s, const char *value, bool *out, const char *name, GError **error)
{
	g_autofree char *v = g_strstrip(g_strdup(value));

	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = v[0] == 't';
		return true;
	}
	set_error(error, name, s, value, "not true or false");
	return false;
}

/* Splits "a, b,,c" into {"a","b","c"}; each element checked. */
static char **
parse_list(const bs_conf_setting *s, const char *value, const char *name, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(value, ",", -1);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	for (size_t i = 0; parts[i]; i++) {
		const char *e = g_strstrip(parts[i]);
		const char *why = NULL;

		if (!*e)
			continue;
		if (out->len >= BS_LIMIT_CONFIG_LIST_COUNT) {
			set_error(error, name, s, value, "more than %d entries",
			          BS_LIMIT_CONFIG_LIST_COUNT);
			return NULL;
		}
		if (s->check && (why = s->check(e)) != NULL) {
			set_error(error, name, s, e, "%s", why);
			return NULL;
		}
		g_ptr_array_add(out, g_strdup(e));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

static bool
parse_string(const bs_conf_setting *s, const char *value, char **out, const char *name,
             GError **error)
{
	const char *why;

	if (!g_utf8_validate(value, -1, NULL)) {
		set_error(error, name, s, value, "not UTF-8");
		return false;
	}
	if (s->check && *value && (why = s->check(value)) != NULL) {
		set_error(error, name, s, value, "%s", why);
		return false;
	}
	*out = *value ? g_strdup(value) : NULL; /* empty means unset */
	return true;
}

/* Parses value (unescaped file syntax) and stores it in cfg's field. */
static bool
apply_value(bs_config *cfg, const bs_conf_setting *s, const char *value, const char *name,
            GError **error)
{
	void *field = field_of(cfg, s);
	char **list;
	char *str = NULL;

	if (strlen(value) > BS_LIMIT_CONFIG_VALUE_BYTES) {
		set_error(error, name, s, value, "longer than %d bytes",
		          BS_LIMIT_CONFIG_VALUE_BYTES);
		return false;
	}
	switch (s->type) {
	case BS_CONF_UINT:
		return parse_uint(s, value, field, name, error);
	case BS_CONF_BOOL:
		return parse_bool(s, value, field, name, error);
	case BS_CONF_STRING_LIST:
		list = parse_list(s, value, name, error);
		if (!list)
			return false;
		g_strfreev(*(char ***)field);
		*(char ***)field = list;
		return true;
	case BS_CONF_STRING:
		if (!parse_string(s, value, &str, name, error))
			return false;
		g_free(*(char **)field);
		*(char **)field = str;
		return true;
	}
	return false;
}

bs_config *
bs_config_new(void)
{
	bs_config *cfg = g_new0(bs_config, 1);

	for (size_t i = 0; i < G_N_ELEMENTS(settings); i++) {
		const bs_conf_setting *s = &settings[i];
		bool ok =
		    apply_value(cfg, s, s->default_value ? s->default_value : "", "defaults", NULL);

		g_assert(ok); /* a bad default is our defect, caught by the unit test */
	}
	return cfg;
}

void
bs_config_free(bs_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(settings); i++) {
		const bs_conf_setting *s = &settings[i];

		if (s->type == BS_CONF_STRING)
			g_free(*(char **)field_of(cfg, s));
		else if (s->type == BS_CONF_STRING_LIST)
			g_strfreev(*(char ***)field_of(cfg, s));
	}
	g_free(cfg);
}

static bool
load_group(bs_config *cfg, GKeyFile *kf, const char *name, const char *group, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (size_t k = 0; keys && keys[k]; k++) {
		const bs_conf_setting *s = find_setting(group, keys[k]);
		g_autofree char *value = NULL;
		GError *local = NULL;

		if (!s) {
			g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "%s: [%s] %s: unknown key",
			            name, group, keys[k]);
			return false;
		}
		value = g_key_file_get_string(kf, group, keys[k], &local);
		if (!value) {
			g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "%s: [%s] %s: %s", name,
			            group, keys[k], local->message);
			g_error_free(local);
			return false;
		}
		if (!apply_value(cfg, s, value, name, error))
			return false;
	}
	return true;
}

bool
bs_config_load_data(bs_config *cfg, const char *name, const char *data, size_t len, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	GError *local = NULL;

	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "%s: %s", name, local->message);
		g_error_free(local);
		return false;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (size_t g = 0; groups[g]; g++) {
		if (!group_known(groups[g])) {
			g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "%s: [%s]: unknown group",
			            name, groups[g]);
			return false;
		}
		if (!load_group(cfg, kf, name, groups[g], error))
			return false;
	}
	return true;
}

bool
bs_config_load_file(bs_config *cfg, const char *path, GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0;

	if (!bs_file_read(path, BS_LIMIT_CONFIG_BYTES, &text, &len, error))
		return false;
	return bs_config_load_data(cfg, path, text, len, error);
}

bool
bs_config_set(bs_config *cfg, const char *group, const char *key, const char *value,
              const char *origin, GError **error)
{
	const bs_conf_setting *s = find_setting(group, key);

	if (!s) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "%s: [%s] %s: unknown key", origin,
		            group, key);
		return false;
	}
	return apply_value(cfg, s, value, origin, error);
}

/* One string in GKeyFile's escaped form (leading blanks, \n, \\ ...). */
static char *
escape_value(const char *v)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();

	g_key_file_set_string(kf, "g", "k", v);
	return g_key_file_get_value(kf, "g", "k", NULL);
}

/* The field's value in file syntax. Caller g_free()s. */
static char *
value_text(const bs_config *cfg, const bs_conf_setting *s)
{
	const void *f = cfield_of(cfg, s);
	GString *out;

	switch (s->type) {
	case BS_CONF_UINT:
		return g_strdup_printf("%" PRIu64, *(const uint64_t *)f);
	case BS_CONF_BOOL:
		return g_strdup(*(const bool *)f ? "true" : "false");
	case BS_CONF_STRING:
		return escape_value(*(char *const *)f ? *(char *const *)f : "");
	case BS_CONF_STRING_LIST:
		out = g_string_new(NULL);
		for (char *const *e = *(char **const *)f; e && *e; e++) {
			g_autofree char *esc = escape_value(*e);

			g_string_append_printf(out, "%s%s", out->len ? ", " : "", esc);
		}
		return g_string_free(out, FALSE);
	}
	return g_strdup("");
}

static void
write_setting(GString *out, const bs_config *cfg, const bs_config *defaults,
              const bs_conf_setting *s)
{
	g_autofree char *v = value_text(cfg, s);
	g_autofree char *d = value_text(defaults, s);

	g_string_append_printf(out, "# %s", s->help);
	if (s->type == BS_CONF_UINT)
		g_string_append_printf(out, " (%" PRIu64 "..%" PRIu64 ")", s->min, s->max);
	g_string_append_printf(out, "\n%s%s =%s%s\n", strcmp(v, d) == 0 ? "#" : "", s->key,
	                       *v ? " " : "", v);
}

char *
bs_config_to_data(const bs_config *cfg, size_t *out_len)
{
	g_autoptr(bs_config) defaults = bs_config_new();
	GString *out = g_string_new("# breachscope workspace configuration (written by "
	                            "breachscope init).\n"
	                            "# A line starting with # shows the default: remove the # "
	                            "to change it.\n");
	const char *group = "";

	for (size_t i = 0; i < G_N_ELEMENTS(settings); i++) {
		const bs_conf_setting *s = &settings[i];

		if (strcmp(group, s->group) != 0) {
			group = s->group;
			g_string_append_printf(out, "\n[%s]\n", group);
		}
		write_setting(out, cfg, defaults, s);
	}
	if (out_len)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}

bool
bs_config_write_new(const bs_config *cfg, const char *path, GError **error)
{
	size_t len = 0;
	g_autofree char *text = bs_config_to_data(cfg, &len);
	int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	GError *local = NULL;

	if (fd < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot create: %s", path,
		            g_strerror(errno));
		return false;
	}
	close(fd);
	if (!g_file_set_contents(path, text, (gssize)len, &local)) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot write: %s", path,
		            local->message);
		g_error_free(local);
		return false;
	}
	return true;
}
