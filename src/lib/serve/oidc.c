/* OpenID Connect relying party: authorization code flow with PKCE (S256),
 * state and nonce bound to the session, discovery, and a JWKS cache that
 * refetches on an unknown key id at most every oidc_jwks_refetch_s (key
 * rotation without letting forged kids hammer the provider). */
#include "serve/internal.h"

#include <openssl/sha.h>
#include <sodium.h>

struct bs_oidc {
	const bs_serve_settings *cfg; /* borrowed from the server */
	GMutex lock;                  /* guards everything below */
	bool discovered;
	char *auth_ep, *token_ep, *userinfo_ep, *jwks_uri; /* owned */
	bs_jwks *jwks;
	int64_t jwks_at_us; /* last fetch, monotonic */
};

bs_oidc *
bs_serve__oidc_new(const bs_serve_settings *cfg)
{
	bs_oidc *o = g_new0(bs_oidc, 1);

	o->cfg = cfg;
	g_mutex_init(&o->lock);
	return o;
}

void
bs_serve__oidc_free(bs_oidc *o)
{
	if (!o)
		return;
	g_free(o->auth_ep);
	g_free(o->token_ep);
	g_free(o->userinfo_ep);
	g_free(o->jwks_uri);
	bs_serve__jwks_free(o->jwks);
	g_mutex_clear(&o->lock);
	g_free(o);
}

static char *
member_dup(json_t *root, const char *name)
{
	return g_strdup(json_string_value(json_object_get(root, name)));
}

/* Caller holds the lock. */
static bool
discover(bs_oidc *o, GError **error)
{
	g_autofree char *url = NULL, *text = NULL;
	json_t *root;
	long status;
	bool ok;

	if (o->discovered)
		return true;
	url =
	    g_strconcat(o->cfg->oidc_issuer, g_str_has_suffix(o->cfg->oidc_issuer, "/") ? "" : "/",
	                ".well-known/openid-configuration", NULL);
	if (!(text = bs_serve__http_fetch(url, NULL, NULL, NULL, NULL, &status, error)))
		return false;
	root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	ok = root && g_strcmp0(json_string_value(json_object_get(root, "issuer")),
	                       o->cfg->oidc_issuer) == 0;
	if (ok) {
		o->auth_ep = member_dup(root, "authorization_endpoint");
		o->token_ep = member_dup(root, "token_endpoint");
		o->userinfo_ep = member_dup(root, "userinfo_endpoint");
		o->jwks_uri = member_dup(root, "jwks_uri");
		ok = o->auth_ep && o->token_ep && o->jwks_uri;
	}
	json_decref(root);
	if (!ok)
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE,
		            "%s: not a discovery document for the configured issuer", url);
	o->discovered = ok;
	return ok;
}

/* Caller holds the lock. */
static bool
fetch_jwks(bs_oidc *o, GError **error)
{
	g_autofree char *text = NULL;
	bs_jwks *k;
	long status;

	o->jwks_at_us = g_get_monotonic_time();
	if (!(text = bs_serve__http_fetch(o->jwks_uri, NULL, NULL, NULL, NULL, &status, error)))
		return false;
	if (!(k = bs_serve__jwks_parse(text, error)))
		return false;
	bs_serve__jwks_free(o->jwks);
	o->jwks = k;
	return true;
}

/* The desk's log-in comes back under /admin, where its own cookie
 * (Path=/admin) is sent: a resident's pending log-in never meets it. */
static char *
redirect_uri(const bs_serve_settings *cfg, bool admin)
{
	const char *path = admin ? "/admin/callback" : "/callback";

	if (cfg->public_url && *cfg->public_url)
		return g_strconcat(cfg->public_url, path, NULL);
	return g_strconcat("http://", cfg->listen, path, NULL);
}

static void
pkce_challenge(const char *verifier, char out[48])
{
	uint8_t h[SHA256_DIGEST_LENGTH];

	SHA256((const uint8_t *)verifier, strlen(verifier), h);
	bs_serve__b64url(h, sizeof h, out, 48);
}

static void
param(GString *u, const char *name, const char *value)
{
	g_autofree char *v = g_uri_escape_string(value, NULL, FALSE);

	g_string_append_printf(u, "%c%s=%s", strchr(u->str, '?') ? '&' : '?', name, v);
}

char *
bs_serve__oidc_auth_url(bs_oidc *o, bs_session *s, GError **error)
{
	g_autofree char *redirect = redirect_uri(o->cfg, s->admin_area);
	const char *extra = s->admin_area ? o->cfg->oidc_admin_scope : o->cfg->oidc_scope;
	g_autofree char *scope = NULL;
	char challenge[48];
	uint8_t raw[48];
	GString *u;

	g_mutex_lock(&o->lock);
	if (!discover(o, error)) {
		g_mutex_unlock(&o->lock);
		return NULL;
	}
	u = g_string_new(o->auth_ep);
	g_mutex_unlock(&o->lock);
	bs_serve__random_hex(s->oidc_state, 32);
	bs_serve__random_hex(s->oidc_nonce, 32);
	randombytes_buf(raw, sizeof raw);
	bs_serve__b64url(raw, sizeof raw, s->oidc_verifier, sizeof s->oidc_verifier);
	s->oidc_started_us = g_get_real_time();
	pkce_challenge(s->oidc_verifier, challenge);
	scope = g_strjoin(" ", "openid", extra ? extra : "", NULL);
	param(u, "response_type", "code");
	param(u, "client_id", o->cfg->oidc_client_id);
	param(u, "redirect_uri", redirect);
	param(u, "scope", g_strstrip(scope));
	param(u, "state", s->oidc_state);
	param(u, "nonce", s->oidc_nonce);
	param(u, "code_challenge", challenge);
	param(u, "code_challenge_method", "S256");
	return g_string_free(u, FALSE);
}

static char *
token_request(bs_oidc *o, const bs_session *s, const char *code, char **out_access, GError **error)
{
	g_autofree char *redirect = redirect_uri(o->cfg, s->admin_area);
	g_autofree char *text = NULL, *token_ep = NULL;
	GString *form = g_string_new("grant_type=authorization_code");
	json_t *root;
	char *id_token;
	long status;

	g_mutex_lock(&o->lock);
	token_ep = g_strdup(o->token_ep);
	g_mutex_unlock(&o->lock);
	g_string_append(form, "&code=");
	g_string_append_uri_escaped(form, code, NULL, FALSE);
	g_string_append(form, "&redirect_uri=");
	g_string_append_uri_escaped(form, redirect, NULL, FALSE);
	g_string_append(form, "&code_verifier=");
	g_string_append_uri_escaped(form, s->oidc_verifier, NULL, FALSE);
	text = bs_serve__http_fetch(token_ep, form->str, o->cfg->oidc_client_id,
	                            o->cfg->oidc_client_secret, NULL, &status, error);
	g_string_free(form, TRUE);
	if (!text)
		return NULL;
	root = json_loads(text, 0, NULL);
	id_token = g_strdup(json_string_value(json_object_get(root, "id_token")));
	*out_access = g_strdup(json_string_value(json_object_get(root, "access_token")));
	json_decref(root);
	if (!id_token)
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "token answer without id_token");
	return id_token;
}

/* Verifies under the lock; an unknown kid refetches the JWKS once when the
 * last fetch is older than the configured interval. */
static json_t *
verify(bs_oidc *o, const char *id_token, const bs_session *s, GError **error)
{
	bs_jwt_expect e = {.issuer = o->cfg->oidc_issuer,
	                   .audience = o->cfg->oidc_client_id,
	                   .nonce = s->oidc_nonce,
	                   .now_s = g_get_real_time() / G_USEC_PER_SEC,
	                   .skew_s = o->cfg->oidc_skew_s,
	                   .max_age_s = 600};
	int64_t refetch_us = (int64_t)o->cfg->oidc_jwks_refetch_s * G_USEC_PER_SEC;
	json_t *claims = NULL;
	jwt_result res = JWT_UNKNOWN_KID;

	g_mutex_lock(&o->lock);
	if (!o->jwks && !fetch_jwks(o, error))
		goto out;
	res = bs_serve__jwt_verify(id_token, o->jwks, &e, &claims, error);
	if (res == JWT_UNKNOWN_KID && g_get_monotonic_time() - o->jwks_at_us >= refetch_us) {
		g_clear_error(error);
		if (fetch_jwks(o, error))
			res = bs_serve__jwt_verify(id_token, o->jwks, &e, &claims, error);
	}
out:
	g_mutex_unlock(&o->lock);
	return res == JWT_OK ? claims : NULL;
}

static char *
identity_claim(const bs_serve_settings *cfg, json_t *claims)
{
	for (size_t i = 0; cfg->oidc_claims && cfg->oidc_claims[i]; i++) {
		const char *v = json_string_value(json_object_get(claims, cfg->oidc_claims[i]));

		if (v && *v)
			return g_strdup(v);
	}
	return NULL;
}

/* The UserInfo answer when it speaks of the ID token's subject; NULL
 * otherwise. Brokers put some claims only there (Signicat's nin by
 * default, groups at many providers). Caller json_decref()s. */
static json_t *
userinfo(bs_oidc *o, const char *access, json_t *id_claims, GError **error)
{
	g_autofree char *text = NULL, *ep = NULL;
	json_t *root;
	long status;

	g_mutex_lock(&o->lock);
	ep = g_strdup(o->userinfo_ep);
	g_mutex_unlock(&o->lock);
	if (!ep || !access ||
	    !(text = bs_serve__http_fetch(ep, NULL, NULL, NULL, access, &status, error)))
		return NULL;
	root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (g_strcmp0(json_string_value(json_object_get(root, "sub")),
	              json_string_value(json_object_get(id_claims, "sub"))) != 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The verified ID token's claims; *out_access gets the access token. */
static json_t *
exchange(bs_oidc *o, const bs_session *s, const char *code, char **out_access, GError **error)
{
	g_autofree char *id_token = NULL;

	if (strlen(code) > 2048) {
		g_set_error(error, BS_ERROR, BS_ERROR_LIMIT, "authorization code too long");
		return NULL;
	}
	if (!(id_token = token_request(o, s, code, out_access, error)))
		return NULL;
	return verify(o, id_token, s, error);
}

char *
bs_serve__oidc_finish(bs_oidc *o, const bs_session *s, const char *code, GError **error)
{
	g_autofree char *access = NULL;
	json_t *claims, *info;
	char *value;

	if (!(claims = exchange(o, s, code, &access, error)))
		return NULL;
	value = identity_claim(o->cfg, claims);
	if (!value && (info = userinfo(o, access, claims, error))) {
		value = identity_claim(o->cfg, info);
		json_decref(info);
	}
	json_decref(claims);
	if (!value && error && !*error)
		g_set_error(error, BS_ERROR, BS_ERROR_NOT_FOUND, "no identity claim");
	return value;
}

static bool
in_list(const char *value, char *const *list)
{
	for (size_t i = 0; value && list && list[i]; i++)
		if (list[i][0] && strcmp(list[i], value) == 0)
			return true;
	return false;
}

/* The group claim is a string or an array of strings; any other shape
 * lets nobody in. */
static bool
group_allowed(const bs_serve_settings *cfg, json_t *claims)
{
	json_t *g = cfg->oidc_admin_group_claim
	                ? json_object_get(claims, cfg->oidc_admin_group_claim)
	                : NULL;
	size_t i;
	json_t *v;

	if (json_is_string(g))
		return in_list(json_string_value(g), cfg->oidc_admin_groups);
	json_array_foreach(g, i, v)
	{
		if (in_list(json_string_value(v), cfg->oidc_admin_groups))
			return true;
	}
	return false;
}

bool
bs_serve__admin_claims_allowed(const bs_serve_settings *cfg, json_t *claims)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));

	if (!sub || !*sub)
		return false;
	return in_list(sub, cfg->oidc_admin_subjects) || group_allowed(cfg, claims);
}

bool
bs_serve__oidc_admin_finish(bs_oidc *o, const bs_session *s, const char *code, char **out_sub,
                            bool *out_allowed, GError **error)
{
	g_autofree char *access = NULL;
	json_t *claims, *info = NULL;
	const char *sub;
	bool allowed;

	if (!(claims = exchange(o, s, code, &access, error)))
		return false;
	allowed = bs_serve__admin_claims_allowed(o->cfg, claims);
	/* Groups may come only from UserInfo; its sub must match the token's. */
	if (!allowed && o->cfg->oidc_admin_group_claim &&
	    !json_object_get(claims, o->cfg->oidc_admin_group_claim) &&
	    (info = userinfo(o, access, claims, NULL)))
		allowed = group_allowed(o->cfg, info);
	sub = json_string_value(json_object_get(claims, "sub"));
	*out_sub = g_strdup(sub ? sub : "");
	*out_allowed = allowed && sub && *sub;
	json_decref(info);
	json_decref(claims);
	return true;
}
