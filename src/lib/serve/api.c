/* POST /api/v1/lookup for a municipality's own platform that has already
 * authenticated the resident: Bearer key, body {"pnr": …} or {"email": …},
 * answer exactly as `breachscope lookup --json`. Every call is audited. */
#include "serve/internal.h"

static void
api_error(bs_req *r, int status, const char *message)
{
	g_autoptr(bs_json) j = bs_json_new();

	bs_json_obj_begin(j, NULL);
	bs_json_str(j, "error", message);
	bs_json_obj_end(j);
	bs_serve__json_reply(r, status, bs_json_text(j));
}

/* The key name when the Authorization header carries a live key. */
static bool
authorise(bs_req *r, char *name, size_t name_len)
{
	const char *h = bs_serve__header(r, "Authorization");
	sqlite3 *db;
	bool ok;

	if (!h || g_ascii_strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__apikey_check(db, h + 7, name, name_len);
	bs_serve__db_give(r->srv, db);
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
