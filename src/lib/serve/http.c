/* Request and reply helpers shared by every handler: the dispatcher in
 * server.c does the common setup (session, language, form) once. */
#include "serve/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gio/gio.h>

const char *
bs_serve__query(bs_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
bs_serve__form(bs_req *r, const char *key)
{
	return r->form ? g_hash_table_lookup(r->form, key) : NULL;
}

const char *
bs_serve__header(bs_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
bs_serve__cookie(bs_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void
bs_serve__add_header(bs_req *r, const char *name, const char *value)
{
	g_ptr_array_add(r->reply.headers, g_strdup(name));
	g_ptr_array_add(r->reply.headers, g_strdup(value));
}

void
bs_serve__set_cookie(bs_req *r, const char *name, const char *value, const char *path,
                     int64_t max_age_s, bool http_only)
{
	g_autofree char *v = NULL;

	v = g_strdup_printf("%s=%s; Path=%s; Max-Age=%" G_GINT64_FORMAT "; SameSite=Lax%s%s", name,
	                    value, path, max_age_s, http_only ? "; HttpOnly" : "",
	                    r->srv->tls ? "; Secure" : "");
	bs_serve__add_header(r, "Set-Cookie", v);
}

void
bs_serve__redirect(bs_req *r, const char *location)
{
	r->reply.status = MHD_HTTP_SEE_OTHER;
	bs_serve__add_header(r, "Location", location);
}

void
bs_serve__text_reply(bs_req *r, int status, const char *type, const char *text)
{
	r->reply.status = status;
	r->reply.type = type;
	g_string_assign(r->reply.body, text);
}

void
bs_serve__json_reply(bs_req *r, int status, const char *json)
{
	bs_serve__text_reply(r, status, "application/json", json);
}

void
bs_serve__too_many(bs_req *r, int retry_s)
{
	char v[16];

	g_snprintf(v, sizeof v, "%d", retry_s);
	bs_serve__add_header(r, "Retry-After", v);
	if (g_str_has_prefix(r->path, "/api/"))
		bs_serve__json_reply(r, MHD_HTTP_TOO_MANY_REQUESTS, "{\"error\":\"rate limited\"}");
	else
		bs_serve__error_page(r, MHD_HTTP_TOO_MANY_REQUESTS, "err.rate");
}

GHashTable *
bs_serve__form_parse(const char *body, size_t len, size_t max_fields)
{
	size_t fields = len ? 1 : 0;
	GHashTable *t;

	for (size_t i = 0; i < len; i++)
		if (body[i] == '&')
			fields++;
	if (fields > max_fields || memchr(body, '\0', len))
		return NULL;
	t = g_uri_parse_params(body, (gssize)len, "&", G_URI_PARAMS_WWW_FORM, NULL);
	return t;
}

static void
peer_address(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	g_strlcpy(out, "unknown", len);
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		          (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		          (socklen_t)len);
}

bool
bs_serve__addr_in_list(const char *addr, char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(list[i], addr) == 0)
			return true;
	return false;
}

/* X-Forwarded-For is read only from a configured proxy, right to left,
 * skipping trusted hops: the first untrusted hop is the client. */
void
bs_serve__client_address(bs_srv *srv, struct MHD_Connection *c, char *out, size_t len)
{
	const char *xff;
	g_auto(GStrv) hops = NULL;

	peer_address(c, out, len);
	if (!srv->trusted_proxies || !bs_serve__addr_in_list(out, srv->trusted_proxies))
		return;
	xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
	if (!xff)
		return;
	hops = g_strsplit(xff, ",", 32);
	for (int i = (int)g_strv_length(hops) - 1; i >= 0; i--) {
		const char *h = g_strstrip(hops[i]);
		GInetAddress *ia = g_inet_address_new_from_string(h);
		bool valid = ia != NULL;

		g_clear_object(&ia);
		if (!valid)
			return;
		g_strlcpy(out, h, len);
		if (!bs_serve__addr_in_list(h, srv->trusted_proxies))
			return;
	}
}

bool
bs_serve__ensure_session(bs_req *r)
{
	bool admin = g_str_has_prefix(r->path, "/admin");
	int retry = 0;

	if (r->has_sess)
		return true;
	/* New sessions count against the address's limit: sessions cost memory. */
	if (!bs_serve__ratelimit_take(r->srv->rl_ip, r->client, g_get_monotonic_time(), &retry)) {
		bs_serve__too_many(r, retry);
		return false;
	}
	if (!bs_serve__session_create(r->srv->sessions, SESS_ANON, &r->sess)) {
		bs_serve__error_page(r, MHD_HTTP_SERVICE_UNAVAILABLE, "err.internal");
		return false;
	}
	r->sess.admin_area = admin;
	r->has_sess = true;
	bs_serve__session_put(r->srv->sessions, &r->sess);
	bs_serve__set_cookie(r, admin ? "bs_admin" : "bs_sid", r->sess.id, admin ? "/admin" : "/",
	                     r->srv->cfg.session_max_s, true);
	return true;
}

bool
bs_serve__csrf_ok(bs_req *r)
{
	const char *t = bs_serve__form(r, "csrf");

	return r->has_sess && t && bs_serve__ct_equal(t, r->sess.csrf);
}

void
bs_serve__session_save(bs_req *r)
{
	if (r->has_sess)
		bs_serve__session_put(r->srv->sessions, &r->sess);
}

void
bs_serve__session_login(bs_req *r)
{
	bool admin = r->sess.admin_area;

	bs_serve__session_rotate(r->srv->sessions, &r->sess);
	bs_serve__set_cookie(r, admin ? "bs_admin" : "bs_sid", r->sess.id, admin ? "/admin" : "/",
	                     r->srv->cfg.session_max_s, true);
}

void
bs_serve__session_end(bs_req *r)
{
	bool admin = g_str_has_prefix(r->path, "/admin");

	if (r->has_sess)
		bs_serve__session_drop(r->srv->sessions, r->sess.id);
	r->has_sess = false;
	bs_serve__set_cookie(r, admin ? "bs_admin" : "bs_sid", "", admin ? "/admin" : "/", 0, true);
}
