/* The listener: libmicrohttpd with an internal thread pool, connection
 * limits and timeouts; one dispatcher does the shared setup (body, session,
 * language, CSRF, rate limit) and the security headers for every route. */
#include "serve/internal.h"

#include <signal.h>
#include <sodium.h>

#include <gio/gio.h>

#define CSP                                                                                        \
	"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "               \
	"frame-ancestors 'none'; base-uri 'none'"

enum {
	F_FORM = 1 << 0,     /* parse an x-www-form-urlencoded body */
	F_CSRF = 1 << 1,     /* the form's token must match the session */
	F_RESIDENT = 1 << 2, /* a logged-in resident session */
	F_ADMIN = 1 << 3,    /* a logged-in DPO desk session */
	F_DEV = 1 << 4,      /* only with --dev-login */
	F_LIMIT = 1 << 5,    /* counts against the per-address rate limit */
	F_RAW = 1 << 6,      /* no session, no page setup (API, health, CSS) */
};

typedef struct {
	const char *method;
	const char *path;
	bs_handler *fn;
	unsigned flags;
} route;

static void serve_healthz(bs_req *r);
static void serve_css(bs_req *r);

static const route routes[] = {
    {"GET", "/", bs_serve__page_home, 0},
    {"GET", "/healthz", serve_healthz, F_RAW},
    {"GET", "/static/style.css", serve_css, F_RAW},
    {"GET", "/login", bs_serve__page_login, F_LIMIT},
    {"GET", "/callback", bs_serve__page_callback, F_LIMIT},
    {"GET", "/dev-login", bs_serve__page_dev_login, F_DEV},
    {"POST", "/dev-login", bs_serve__page_dev_login_post, F_DEV | F_FORM | F_CSRF | F_LIMIT},
    {"GET", "/answer", bs_serve__page_answer, F_RESIDENT},
    {"POST", "/art15", bs_serve__page_art15, F_RESIDENT | F_FORM | F_CSRF},
    {"POST", "/logout", bs_serve__page_logout, F_FORM | F_CSRF},
    {"POST", "/email", bs_serve__page_email, F_FORM | F_CSRF | F_LIMIT},
    {"POST", "/email/verify", bs_serve__page_email_verify, F_FORM | F_CSRF | F_LIMIT},
    {"POST", "/api/v1/lookup", bs_serve__api_lookup, F_RAW},
    {"GET", "/admin", bs_serve__admin_home, 0},
    {"POST", "/admin/login", bs_serve__admin_login, F_FORM | F_CSRF | F_LIMIT},
    {"GET", "/admin/eid", bs_serve__admin_eid, F_LIMIT},
    {"GET", "/admin/callback", bs_serve__admin_callback, F_LIMIT},
    {"GET", "/admin/high-risk", bs_serve__admin_high_risk, F_ADMIN},
    {"POST", "/admin/logout", bs_serve__admin_logout, F_FORM | F_CSRF},
    {"GET", "/admin/case", bs_serve__admin_case, F_ADMIN},
    {"POST", "/admin/case", bs_serve__admin_close, F_ADMIN | F_FORM | F_CSRF},
    {"GET", "/admin/export.csv", bs_serve__admin_export, F_ADMIN},
};

/* ---- fixed routes ---- */

static void
serve_healthz(bs_req *r)
{
	bs_serve__text_reply(r, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n");
}

static void
serve_css(bs_req *r)
{
	bs_serve__text_reply(r, MHD_HTTP_OK, "text/css; charset=utf-8", bs_serve__css);
	r->reply.cacheable = true;
}

/* ---- per-request state across MHD calls ---- */

typedef struct {
	bs_buf body;
	bool too_big;
	int64_t start_us;
} conn_state;

static const route *
find_route(const char *method, const char *path, bool *out_path_known)
{
	*out_path_known = false;
	for (size_t i = 0; i < G_N_ELEMENTS(routes); i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		*out_path_known = true;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
			return &routes[i];
	}
	return NULL;
}

static void
pick_language(bs_req *r)
{
	const char *q = bs_serve__query(r, "lang");
	const char *c = bs_serve__cookie(r, "bs_lang");

	r->lang = LANG_SV;
	if (q && bs_serve__lang_parse(q, &r->lang)) {
		r->lang_from_query = true;
		bs_serve__set_cookie(r, "bs_lang", bs_serve__lang_code(r->lang), "/", 365 * 86400,
		                     true);
		return;
	}
	if (c)
		bs_serve__lang_parse(c, &r->lang);
}

static void
load_session(bs_req *r)
{
	bool admin = g_str_has_prefix(r->path, "/admin");
	const char *id = bs_serve__cookie(r, admin ? "bs_admin" : "bs_sid");

	r->has_sess = id && bs_serve__session_get(r->srv->sessions, id, &r->sess);
	/* A cookie made in the other area never counts. */
	if (r->has_sess && r->sess.admin_area != admin)
		r->has_sess = false;
}

/* Shared checks before a handler; false when they already answered. */
static bool
precheck(bs_req *r, const route *rt, const conn_state *cs)
{
	int retry = 0;

	if ((rt->flags & F_DEV) && !r->srv->cfg.dev_login) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		return false;
	}
	if ((rt->flags & F_LIMIT) &&
	    !bs_serve__ratelimit_take(r->srv->rl_ip, r->client, g_get_monotonic_time(), &retry)) {
		bs_serve__too_many(r, retry);
		return false;
	}
	if (rt->flags & F_FORM) {
		r->form = bs_serve__form_parse(cs->body.data ? cs->body.data : "", cs->body.len,
		                               BS_LIMIT_FORM_FIELDS);
		if (!r->form) {
			bs_serve__error_page(r, MHD_HTTP_BAD_REQUEST, "err.form");
			return false;
		}
	}
	if ((rt->flags & F_CSRF) && !bs_serve__csrf_ok(r)) {
		bs_serve__error_page(r, MHD_HTTP_FORBIDDEN, "err.csrf");
		return false;
	}
	if ((rt->flags & F_RESIDENT) && (!r->has_sess || r->sess.kind != SESS_RESIDENT)) {
		bs_serve__redirect(r, "/");
		return false;
	}
	if ((rt->flags & F_ADMIN) &&
	    (!r->has_sess || r->sess.kind != SESS_ADMIN || !r->sess.admin_user[0])) {
		bs_serve__redirect(r, "/admin");
		return false;
	}
	return true;
}

static void
dispatch(bs_req *r, const conn_state *cs)
{
	bool path_known;
	const route *rt = find_route(r->method, r->path, &path_known);

	r->route = rt ? rt->path : "-";
	if (!rt) {
		if (path_known) {
			bs_serve__add_header(r, "Allow", "GET, HEAD, POST");
			bs_serve__text_reply(r, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			                     "method not allowed\n");
		} else {
			bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		}
		return;
	}
	if (!(rt->flags & F_RAW)) {
		pick_language(r);
		load_session(r);
	}
	if (cs->too_big) {
		bs_serve__error_page(r, MHD_HTTP_CONTENT_TOO_LARGE, "err.toobig");
		return;
	}
	if (precheck(r, rt, cs))
		rt->fn(r);
}

static void
security_headers(struct MHD_Response *resp, const bs_req *r)
{
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
	                        "camera=(), microphone=(), geolocation=(), interest-cohort=()");
	MHD_add_response_header(resp, "Cache-Control",
	                        r->reply.cacheable ? "public, max-age=3600" : "no-store");
	if (r->srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		                        "max-age=31536000; includeSubDomains");
}

static enum MHD_Result
send_reply(bs_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	size_t len = r->reply.body->len;
	char *body = g_string_free(g_steal_pointer(&r->reply.body), FALSE);

	/* The body is handed over, not copied: MHD frees it with g_free. */
	resp = MHD_create_response_from_buffer_with_free_callback(len, body, g_free);
	if (!resp) {
		g_free(body);
		return MHD_NO;
	}
	if (r->reply.type)
		MHD_add_response_header(resp, "Content-Type", r->reply.type);
	security_headers(resp, r);
	for (guint i = 0; i + 1 < r->reply.headers->len; i += 2)
		MHD_add_response_header(resp, g_ptr_array_index(r->reply.headers, i),
		                        g_ptr_array_index(r->reply.headers, i + 1));
	ret = MHD_queue_response(r->conn, (unsigned)r->reply.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* One line per request: route (not the URL: no query strings), status,
 * duration and the session's pseudonymous tag; nothing personal. */
static void
access_log(const bs_req *r, const conn_state *cs)
{
	if (!r->srv->cfg.access_log)
		return;
	g_log_structured("bs-serve", G_LOG_LEVEL_MESSAGE, "BS_ROUTE", r->route, "MESSAGE",
	                 "access method=%s route=%s status=%d us=%" G_GINT64_FORMAT " session=%s",
	                 r->method, r->route, r->reply.status,
	                 g_get_monotonic_time() - cs->start_us, r->has_sess ? r->sess.tag : "-");
}

static enum MHD_Result
handle(bs_srv *srv, struct MHD_Connection *c, const char *url, const char *method, conn_state *cs)
{
	bs_req r = {.srv = srv, .conn = c, .method = method, .path = url};
	enum MHD_Result ret;

	r.reply.status = MHD_HTTP_OK;
	r.reply.type = "text/html; charset=utf-8";
	r.reply.body = g_string_sized_new(4096);
	r.reply.headers = g_ptr_array_new_with_free_func(g_free);
	r.body = cs->body.data ? cs->body.data : "";
	r.body_len = cs->body.len;
	bs_serve__client_address(srv, c, r.client, sizeof r.client);
	dispatch(&r, cs);
	if (strcmp(method, "HEAD") == 0)
		g_string_truncate(r.reply.body, 0);
	ret = send_reply(&r);
	access_log(&r, cs);
	if (r.reply.body)
		g_string_free(r.reply.body, TRUE);
	g_ptr_array_unref(r.reply.headers);
	if (r.form)
		g_hash_table_unref(r.form);
	return ret;
}

/* The body is consumed fully before the response is queued: queueing early
 * makes libmicrohttpd close the connection (no keep-alive). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	conn_state *cs = *con_cls;

	if (!cs) {
		cs = g_new0(conn_state, 1);
		bs_buf_init(&cs->body, BS_LIMIT_HTTP_BODY);
		cs->start_us = g_get_monotonic_time();
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_len) {
		if (!cs->too_big && !bs_buf_append(&cs->body, upload, *upload_len))
			cs->too_big = true;
		*upload_len = 0;
		return MHD_YES;
	}
	return handle(cls, c, url, method, cs);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	conn_state *cs = *con_cls;

	if (!cs)
		return;
	bs_buf_fini(&cs->body);
	g_free(cs);
	*con_cls = NULL;
}

/* ---- startup and shutdown ---- */

sqlite3 *
bs_serve__db_take(bs_srv *srv)
{
	return g_async_queue_pop(srv->dbs);
}

void
bs_serve__db_give(bs_srv *srv, sqlite3 *db)
{
	g_async_queue_push(srv->dbs, db);
}

static bool
parse_listen(const char *listen, GSocketAddress **out, GError **error)
{
	g_autoptr(GSocketConnectable) na = NULL;
	g_autoptr(GInetAddress) ia = NULL;
	const char *host;

	na = g_network_address_parse(listen, 0, NULL);
	if (!na || !(host = g_network_address_get_hostname(G_NETWORK_ADDRESS(na))) ||
	    !(ia = g_inet_address_new_from_string(host))) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "listen address \"%s\" is not ADDR:PORT with a numeric address",
		            listen);
		return false;
	}
	*out = g_inet_socket_address_new(ia, g_network_address_get_port(G_NETWORK_ADDRESS(na)));
	return true;
}

static void
load_texts(bs_srv *srv)
{
	static const char *const names[LANG_COUNT] = {"notice.sv.txt", "notice.en.txt"};
	g_autofree char *dev = NULL;
	g_autofree char *devtext = NULL;
	size_t len;

	for (int i = 0; i < LANG_COUNT; i++) {
		g_autofree char *p = g_build_filename(srv->cfg.workspace_dir, names[i], NULL);

		if (!bs_file_read(p, BS_LIMIT_NOTICE_BYTES, &srv->notice[i], &len, NULL))
			srv->notice[i] = NULL;
	}
	srv->dev_residents = g_ptr_array_new_with_free_func(g_free);
	dev = g_build_filename(srv->cfg.workspace_dir, "dev-residents.txt", NULL);
	if (srv->cfg.dev_login && bs_file_read(dev, BS_LIMIT_NOTICE_BYTES, &devtext, &len, NULL)) {
		g_auto(GStrv) lines = g_strsplit(devtext, "\n", 200);

		for (int i = 0; lines[i]; i++)
			if (strchr(lines[i], '\t'))
				g_ptr_array_add(srv->dev_residents, g_strdup(lines[i]));
	}
}

static bool
open_pools(bs_srv *srv, GError **error)
{
	srv->dbs = g_async_queue_new();
	for (int i = 0; i < srv->cfg.threads + 2; i++) {
		sqlite3 *db = bs_serve__db_open(srv->db_path, error);

		if (!db)
			return false;
		g_async_queue_push(srv->dbs, db);
	}
	srv->sessions = bs_serve__sessions_new(
	    srv->db_path, srv->cfg.threads + 2, (int64_t)srv->cfg.session_idle_s * G_USEC_PER_SEC,
	    (int64_t)srv->cfg.session_max_s * G_USEC_PER_SEC, BS_LIMIT_SESSIONS, error);
	if (!srv->sessions)
		return false;
	srv->audit = bs_serve__audit_new(srv->db_path, error);
	return srv->audit != NULL && bs_serve__lookup_open(srv, error);
}

static void
make_limiters(bs_srv *srv)
{
	const bs_serve_settings *c = &srv->cfg;

	srv->rl_ip = bs_serve__ratelimit_new(c->rate_ip_per_min, MAX(10, c->rate_ip_per_min / 4));
	srv->rl_identity = bs_serve__ratelimit_new(c->rate_identity_per_hour / 60.0,
	                                           MAX(3, c->rate_identity_per_hour / 3));
	/* Bursts of two seconds' worth: a platform's retries do not trip it. */
	srv->rl_api = c->rate_api_per_min > 0
	                  ? bs_serve__ratelimit_new(c->rate_api_per_min, c->rate_api_per_min / 30.0)
	                  : NULL;
	srv->rl_code_fail =
	    bs_serve__ratelimit_new(c->code_lockout_per_hour / 60.0, c->code_lockout_per_hour);
}

static bool
read_pem(const char *path, char **out, GError **error)
{
	size_t len;

	return bs_file_read(path, BS_LIMIT_CONFIG_BYTES, out, &len, error);
}

static bool
start_daemon(bs_srv *srv, GSocketAddress *sa, GError **error)
{
	struct sockaddr_storage ss;
	g_autofree char *cert = NULL, *key = NULL;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	const bs_serve_settings *c = &srv->cfg;

	if (!g_socket_address_to_native(sa, &ss, sizeof ss, error))
		return false;
	if (g_socket_address_get_family(sa) == G_SOCKET_FAMILY_IPV6)
		flags |= MHD_USE_IPv6;
	if (srv->tls) {
		if (!read_pem(c->tls_cert, &cert, error) || !read_pem(c->tls_key, &key, error))
			return false;
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem opts[] = {
	    {MHD_OPTION_SOCK_ADDR, 0, &ss},
	    {MHD_OPTION_THREAD_POOL_SIZE, c->threads, NULL},
	    {MHD_OPTION_CONNECTION_LIMIT, c->connection_limit, NULL},
	    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->per_ip_limit, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, c->timeout_s, NULL},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
	    {srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
	    {MHD_OPTION_END, 0, NULL},
	};

	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY,
	                               opts, MHD_OPTION_END);
	if (!srv->daemon) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "cannot listen on %s (in use?)",
		            c->listen);
		return false;
	}
	srv->port = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
	return true;
}

static bool
check_settings(const bs_serve_settings *s, GSocketAddress *sa, GError **error)
{
	GInetAddress *ia = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa));

	if (s->dev_login && !g_inet_address_get_is_loopback(ia)) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "--dev-login is refused unless the server listens on loopback");
		return false;
	}
	if (s->threads < 1 || s->threads > 256) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "[serve] threads must be 1..256");
		return false;
	}
	if (!!s->tls_cert != !!s->tls_key) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG,
		            "[serve] tls_cert and tls_key go together");
		return false;
	}
	return true;
}

bs_server *
bs_server_new(const bs_serve_settings *s, const bs_key *key, GError **error)
{
	g_autoptr(GSocketAddress) sa = NULL;
	g_autoptr(bs_server) srv = NULL;

	if (sodium_init() < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO, "libsodium failed to start");
		return NULL;
	}
	if (!parse_listen(s->listen, &sa, error) || !check_settings(s, sa, error))
		return NULL;
	srv = g_new0(bs_srv, 1);
	srv->cfg = *s;
	srv->key = key;
	srv->db_path = g_strdup(s->db_path);
	srv->tls = s->tls_cert && s->tls_key;
	if (s->trusted_proxies && s->trusted_proxies[0])
		srv->trusted_proxies = g_strdupv((char **)s->trusted_proxies);
	g_mutex_init(&srv->key_lock);
	srv->key_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	load_texts(srv);
	make_limiters(srv);
	if (!bs_serve_db_prepare(srv->db_path, error) || !open_pools(srv, error))
		return NULL;
	srv->risk = bs_serve__risk_cache_new(s->index ? s->index : s->db_path);
	srv->oidc = s->oidc_issuer && *s->oidc_issuer ? bs_serve__oidc_new(&srv->cfg) : NULL;
	if (!start_daemon(srv, sa, error))
		return NULL;
	return g_steal_pointer(&srv);
}

guint16
bs_server_port(const bs_server *srv)
{
	return srv->port;
}

void
bs_server_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* A client that hangs up mid-answer must not kill the server. */
	signal(SIGPIPE, SIG_IGN);
}

void
bs_server_wait(bs_server *srv)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	if (srv->daemon)
		MHD_quiesce_daemon(srv->daemon); /* no new connections while we finish */
}

void
bs_server_free(bs_server *srv)
{
	sqlite3 *db;

	if (!srv)
		return;
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	bs_serve__oidc_free(srv->oidc);
	bs_serve__risk_cache_free(srv->risk);
	bs_serve__audit_free(srv->audit);
	bs_serve__lookup_close(srv);
	while (srv->dbs && (db = g_async_queue_try_pop(srv->dbs)))
		sqlite3_close(db);
	if (srv->dbs)
		g_async_queue_unref(srv->dbs);
	bs_serve__sessions_free(srv->sessions);
	bs_serve__ratelimit_free(srv->rl_ip);
	bs_serve__ratelimit_free(srv->rl_identity);
	bs_serve__ratelimit_free(srv->rl_api);
	bs_serve__ratelimit_free(srv->rl_code_fail);
	for (int i = 0; i < LANG_COUNT; i++)
		g_free(srv->notice[i]);
	if (srv->dev_residents)
		g_ptr_array_unref(srv->dev_residents);
	g_strfreev(srv->trusted_proxies);
	if (srv->key_cache) {
		g_hash_table_destroy(srv->key_cache);
		g_mutex_clear(&srv->key_lock);
	}
	g_free(srv->db_path);
	g_free(srv);
}
