/* POST /api/v1/lookup for a municipality's own platform that has already
 * authenticated the resident: Bearer key, body {"pnr": …} or {"email": …},
 * answer exactly as `breachscope lookup --json`. Every call is audited. */
#include "serve/internal.h"

#include <sodium.h>

static void
api_error(bs_req *r, int status, const char *message)
{
	g_autoptr(bs_json) j = bs_json_new();

	bs_json_obj_begin(j, NULL);
	bs_json_str(j, "error", message);
	bs_json_obj_end(j);
	bs_serve__json_reply(r, status, bs_json_text(j));
}

/* A valid key is remembered this long: the API path then skips the
 * database, and a revoked key stops working within this time. */
#define KEY_CACHE_US (1 * G_USEC_PER_SEC)
#define KEY_CACHE_MAX 1024

typedef struct {
	char name[64];
	int64_t at_us; /* when the database last said yes */
} cached_key;

static bool
cache_find(bs_srv *srv, const char *id, char *name, size_t name_len)
{
	cached_key *k;
	bool ok = false;

	g_mutex_lock(&srv->key_lock);
	k = g_hash_table_lookup(srv->key_cache, id);
	if (k && g_get_monotonic_time() - k->at_us < KEY_CACHE_US) {
		g_strlcpy(name, k->name, name_len);
		ok = true;
	}
	g_mutex_unlock(&srv->key_lock);
	return ok;
}

static void
cache_put(bs_srv *srv, const char *id, const char *name)
{
	cached_key *k = g_new0(cached_key, 1);

	g_strlcpy(k->name, name, sizeof k->name);
	k->at_us = g_get_monotonic_time();
	g_mutex_lock(&srv->key_lock);
	if (g_hash_table_size(srv->key_cache) >= KEY_CACHE_MAX)
		g_hash_table_remove_all(srv->key_cache);
	g_hash_table_replace(srv->key_cache, g_strdup(id), k);
	g_mutex_unlock(&srv->key_lock);
}

/* The key name when the Authorization header carries a live key. */
static bool
authorise(bs_req *r, char *name, size_t name_len)
{
	const char *h = bs_serve__header(r, "Authorization");
	uint8_t hash[32];
	char id[65];
	sqlite3 *db;
	bool ok;

	if (!h || g_ascii_strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) > 128)
		return false;
	crypto_generichash(hash, sizeof hash, (const uint8_t *)h + 7, strlen(h + 7), NULL, 0);
	bs_serve__hex(hash, sizeof hash, id);
	if (cache_find(r->srv, id, name, name_len))
		return true;
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__apikey_check(db, h + 7, name, name_len);
	bs_serve__db_give(r->srv, db);
	if (ok)
		cache_put(r->srv, id, name);
	return ok;
}

/* {"pnr": "..."} or {"email": "..."}: exactly one string member. */
static bool
parse_body(bs_req *r, const char **out_field, char **out_value)
{
	json_t *root = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, NULL);
	const char *fields[] = {"pnr", "email"};
	bool ok = false;

	if (root && json_is_object(root) && json_object_size(root) == 1) {
		for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
			json_t *v = json_object_get(root, fields[i]);

			if (v && json_is_string(v)) {
				*out_field = fields[i];
				*out_value = g_strndup(json_string_value(v), json_string_length(v));
				ok = true;
			}
		}
	}
	json_decref(root);
	return ok;
}

void
bs_serve__api_lookup(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *value = NULL;
	g_autofree char *json = NULL;
	const char *field = NULL;
	char name[64], actor[80], kind[24], phex[65];
	uint8_t pseud[32];
	bool found = false;
	int retry = 0;

	if (!authorise(r, name, sizeof name)) {
		/* Failed keys count per address, so that nobody floods the audit log. */
		if (!bs_serve__ratelimit_take(r->srv->rl_ip, r->client, g_get_monotonic_time(),
		                              &retry)) {
			bs_serve__too_many(r, retry);
			return;
		}
		bs_serve__add_header(r, "WWW-Authenticate", "Bearer");
		bs_serve__audit(r->srv->audit, "apikey:-", "api.denied", "", r->route);
		api_error(r, MHD_HTTP_UNAUTHORIZED, "missing or unknown API key");
		return;
	}
	g_snprintf(actor, sizeof actor, "apikey:%s", name);
	if (r->srv->rl_api &&
	    !bs_serve__ratelimit_take(r->srv->rl_api, name, g_get_monotonic_time(), &retry)) {
		bs_serve__too_many(r, retry);
		return;
	}
	if (!parse_body(r, &field, &value)) {
		bs_serve__audit(r->srv->audit, actor, "api.lookup", "", "bad request");
		api_error(r, MHD_HTTP_BAD_REQUEST,
		          "body must be {\"pnr\": string} or "
		          "{\"email\": string}");
		return;
	}
	if (!bs_serve__pseudonymise(r->srv, value, strcmp(field, "email") == 0, kind, pseud)) {
		bs_serve__audit(r->srv->audit, actor, "api.lookup", "", "invalid identifier");
		api_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "not a valid identifier of that kind");
		return;
	}
	bs_serve__hex(pseud, 32, phex);
	json = bs_serve__lookup_json_dup(r->srv, kind, pseud, &found, &error);
	if (!json) {
		g_warning("api lookup: %s", error->message);
		api_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "lookup failed");
		return;
	}
	bs_serve__audit(r->srv->audit, actor, "api.lookup", phex, found ? "found" : "not-found");
	bs_serve__json_reply(r, MHD_HTTP_OK, json);
	g_string_append_c(r->reply.body, '\n'); /* byte for byte what lookup --json prints */
}
