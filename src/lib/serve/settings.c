/* bs_config → bs_serve_settings: the config table in base/config.c holds
 * every key, default and bound; this only copies fields. */
#include "serve/internal.h"

#include "base/config.h"

static const char *
nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void
from_serve_group(bs_serve_settings *s, const bs_config *c)
{
	s->listen = c->serve_listen;
	s->threads = (int)c->serve_threads;
	s->connection_limit = (int)c->serve_connection_limit;
	s->per_ip_limit = (int)c->serve_per_ip_limit;
	s->timeout_s = (int)c->serve_timeout_s;
	s->tls_cert = nonempty(c->serve_tls_cert);
	s->tls_key = nonempty(c->serve_tls_key);
	s->trusted_proxies = c->serve_trusted_proxies;
	s->public_url = nonempty(c->serve_public_url);
	s->access_log = c->serve_access_log;
	s->session_idle_s = (int)c->serve_session_idle_s;
	s->session_max_s = (int)c->serve_session_max_s;
	s->rate_ip_per_min = (int)c->serve_rate_ip_per_min;
	s->rate_identity_per_hour = (int)c->serve_rate_identity_per_hour;
	s->rate_api_per_min = (int)c->serve_rate_api_per_min;
	s->code_ttl_s = (int)c->serve_code_ttl_s;
	s->code_attempts = (int)c->serve_code_attempts;
	s->code_lockout_per_hour = (int)c->serve_code_lockout_per_hour;
}

void
bs_serve_settings_from_config(bs_serve_settings *s, const bs_config *c)
{
	memset(s, 0, sizeof *s);
	from_serve_group(s, c);
	s->oidc_issuer = nonempty(c->oidc_issuer);
	s->oidc_client_id = nonempty(c->oidc_client_id);
	s->oidc_client_secret = nonempty(c->oidc_client_secret);
	s->oidc_scope = nonempty(c->oidc_scope);
	s->oidc_claims = c->oidc_claims;
	s->oidc_skew_s = (int)c->oidc_skew_s;
	s->oidc_jwks_refetch_s = (int)c->oidc_jwks_refetch_s;
	s->oidc_admin_subjects = c->oidc_admin_subjects;
	s->oidc_admin_group_claim = nonempty(c->oidc_admin_group_claim);
	s->oidc_admin_groups = c->oidc_admin_groups;
	s->oidc_admin_scope = nonempty(c->oidc_admin_scope);
	s->smtp_url = nonempty(c->smtp_url);
	s->smtp_from = nonempty(c->smtp_from);
	s->smtp_user = nonempty(c->smtp_user);
	s->smtp_password = nonempty(c->smtp_password);
	s->incident_org = nonempty(c->incident_org);
	s->incident_contact = nonempty(c->incident_contact);
}
