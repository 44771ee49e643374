/* The resident pages: start, log-in (e-ID, test persons), the answer, the
 * request for a copy, and the e-mail code path. */
#include "serve/internal.h"

#include <sodium.h>

/* Appends tmpl with its one "%s" replaced by value (already safe HTML). */
static void
append_fill(GString *o, const char *tmpl, const char *value)
{
	const char *at = strstr(tmpl, "%s");

	if (!at) {
		g_string_append(o, tmpl);
		return;
	}
	g_string_append_len(o, tmpl, at - tmpl);
	g_string_append(o, value);
	g_string_append(o, at + 2);
}

static void
h2(bs_req *r, const char *id, const char *key)
{
	g_string_append_printf(r->reply.body, "<h2 id=\"%s\">", id);
	g_string_append(r->reply.body, T(r->lang, key));
	g_string_append(r->reply.body, "</h2>\n");
}

static void
para(bs_req *r, const char *key, const char *cls)
{
	g_string_append(r->reply.body, cls ? "<p class=\"" : "<p>");
	if (cls) {
		g_string_append(r->reply.body, cls);
		g_string_append(r->reply.body, "\" role=\"alert\">");
	}
	g_string_append(r->reply.body, T(r->lang, key));
	g_string_append(r->reply.body, "</p>\n");
}

static void
email_form(bs_req *r, const char *error_key)
{
	GString *o = r->reply.body;

	g_string_append(o, "<section aria-labelledby=\"email-h\">\n");
	h2(r, "email-h", "email.heading");
	para(r, "email.intro", NULL);
	if (error_key)
		para(r, error_key, "error");
	g_string_append(o, "<form method=\"post\" action=\"/email\">\n");
	bs_serve__csrf_field(r);
	g_string_append(o, "<label for=\"email\">");
	g_string_append(o, T(r->lang, "email.label"));
	g_string_append(o, "</label>\n<input type=\"email\" id=\"email\" name=\"email\" "
	                   "autocomplete=\"email\" required maxlength=\"254\">\n<button>");
	g_string_append(o, T(r->lang, "email.button"));
	g_string_append(o, "</button>\n</form>\n</section>\n");
}

static void
home(bs_req *r, const char *email_error)
{
	GString *o = r->reply.body;

	if (!bs_serve__ensure_session(r))
		return; /* it answered */
	bs_serve__page_begin(r, "site.title");
	g_string_append(o, "<h1>");
	g_string_append(o, T(r->lang, "home.heading"));
	g_string_append(o, "</h1>\n");
	para(r, "home.intro", NULL);
	bs_serve__notice(r);
	g_string_append(o, "<section aria-labelledby=\"eid-h\">\n");
	h2(r, "eid-h", "eid.heading");
	if (r->srv->cfg.dev_login)
		g_string_append_printf(o, "<p><a class=\"button\" href=\"/dev-login\">%s</a></p>\n",
		                       T(r->lang, "dev.button"));
	if (r->srv->oidc)
		g_string_append_printf(o, "<p><a class=\"button\" href=\"/login\">%s</a></p>\n",
		                       T(r->lang, "eid.button"));
	else if (!r->srv->cfg.dev_login)
		para(r, "eid.missing", NULL);
	g_string_append(o, "</section>\n");
	if (r->srv->cfg.smtp_url)
		email_form(r, email_error);
	bs_serve__page_end(r);
}

void
bs_serve__page_home(bs_req *r)
{
	if (r->has_sess && r->sess.kind == SESS_RESIDENT && !r->lang_from_query) {
		bs_serve__redirect(r, "/answer");
		return;
	}
	home(r, NULL);
}

/* ---- log-in ---- */

void
bs_serve__resident_login(bs_req *r, const char *channel, const char *kind,
                         const uint8_t pseudonym[32])
{
	g_autoptr(GError) error = NULL;
	bs_lookup a;
	char phex[65], actor[32];
	int retry = 0;
	sqlite3 *db;
	bool ok;

	bs_serve__hex(pseudonym, 32, phex);
	if (!bs_serve__ratelimit_take(r->srv->rl_identity, phex, g_get_monotonic_time(), &retry)) {
		bs_serve__too_many(r, retry);
		return;
	}
	ok = bs_serve__lookup(r->srv, kind, pseudonym, &a, &error);
	if (!ok) {
		bs_lookup_fini(&a);
		g_warning("lookup failed: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__case_open(db, channel, kind, pseudonym, a.found, r->sess.case_ref, &error);
	bs_serve__db_give(r->srv, db);
	bs_lookup_fini(&a);
	if (!ok) {
		g_warning("case not opened: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	r->sess.kind = SESS_RESIDENT;
	g_strlcpy(r->sess.subject_kind, kind, sizeof r->sess.subject_kind);
	g_strlcpy(r->sess.channel, channel, sizeof r->sess.channel);
	memcpy(r->sess.pseudonym, pseudonym, 32);
	bs_serve__session_login(r);
	g_snprintf(actor, sizeof actor, "session:%s", r->sess.tag);
	bs_serve__audit(r->srv->audit, actor, "login", phex, channel);
	bs_serve__audit(r->srv->audit, actor, "case.open", phex, r->sess.case_ref);
	bs_serve__redirect(r, "/answer");
}

/* Starts an OIDC log-in for r's session (resident or desk): state, nonce
 * and PKCE verifier saved in the session, then the provider. */
void
bs_serve__oidc_begin(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *url = NULL;

	if (!bs_serve__ensure_session(r))
		return; /* it answered */
	url = bs_serve__oidc_auth_url(r->srv->oidc, &r->sess, &error);
	if (!url) {
		g_warning("oidc: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_BAD_GATEWAY, "err.internal");
		return;
	}
	bs_serve__session_save(r);
	bs_serve__redirect(r, url);
}

void
bs_serve__page_login(bs_req *r)
{
	if (!r->srv->oidc) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "eid.missing");
		return;
	}
	bs_serve__oidc_begin(r);
}

static void
login_failed(bs_req *r, const char *action, const char *why, const char *key)
{
	char actor[32];

	g_snprintf(actor, sizeof actor, "session:%s", r->has_sess ? r->sess.tag : "-");
	bs_serve__audit(r->srv->audit, actor, action, "", why);
	bs_serve__error_page(r, MHD_HTTP_FORBIDDEN, key);
}

bool
bs_serve__callback_begin(bs_req *r, const char *fail_action, bs_session *out_pending,
                         const char **out_code)
{
	const char *state = bs_serve__query(r, "state");
	const char *code = bs_serve__query(r, "code");

	if (!r->srv->oidc || !r->has_sess || !r->sess.oidc_state[0] || !state ||
	    !bs_serve__ct_equal(state, r->sess.oidc_state)) {
		login_failed(r, fail_action, "state", "err.login");
		return false;
	}
	*out_pending = r->sess;
	/* One use only: a replayed callback finds no state. */
	memset(r->sess.oidc_state, 0, sizeof r->sess.oidc_state);
	bs_serve__session_save(r);
	if (!code || g_get_real_time() - out_pending->oidc_started_us > 10 * 60 * G_USEC_PER_SEC) {
		login_failed(r, fail_action, "no code or too slow", "err.login");
		return false;
	}
	*out_code = code;
	return true;
}

void
bs_serve__page_callback(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *claim = NULL;
	const char *code = NULL;
	bs_session pending;
	char kind[24];
	uint8_t pseud[32];

	if (!bs_serve__callback_begin(r, "login.fail", &pending, &code))
		return; /* it answered */
	claim = bs_serve__oidc_finish(r->srv->oidc, &pending, code, &error);
	if (!claim) {
		g_message("oidc login refused: %s", error->message);
		login_failed(r, "login.fail", error->message, "err.login");
		return;
	}
	if (!bs_serve__pseudonymise(r->srv, claim, false, kind, pseud)) {
		login_failed(r, "login.fail", "identity claim not a personnummer", "err.noid");
		return;
	}
	bs_serve__resident_login(r, "eid", kind, pseud);
}

void
bs_serve__page_dev_login(bs_req *r)
{
	GString *o = r->reply.body;

	if (!bs_serve__ensure_session(r))
		return; /* it answered */
	bs_serve__page_begin(r, "dev.heading");
	g_string_append_printf(o, "<h1>%s</h1>\n<ul>\n", T(r->lang, "dev.heading"));
	for (guint i = 0; i < r->srv->dev_residents->len; i++) {
		g_auto(GStrv) f = g_strsplit(g_ptr_array_index(r->srv->dev_residents, i), "\t", 2);

		g_string_append(o, "<li><form method=\"post\" action=\"/dev-login\">");
		bs_serve__csrf_field(r);
		g_string_append(o, "<input type=\"hidden\" name=\"pnr\" value=\"");
		bs_serve__esc(o, f[0]);
		g_string_append(o, "\"><button class=\"secondary\">");
		bs_serve__esc(o, f[1]);
		g_string_append(o, " (");
		bs_serve__esc(o, f[0]);
		g_string_append(o, ")</button></form></li>\n");
	}
	g_string_append(o, "</ul>\n<form method=\"post\" action=\"/dev-login\">\n");
	bs_serve__csrf_field(r);
	g_string_append_printf(o, "<label for=\"pnr\">%s</label>\n", T(r->lang, "dev.pnr"));
	g_string_append_printf(o,
	                       "<input type=\"text\" id=\"pnr\" name=\"pnr\" "
	                       "inputmode=\"numeric\" maxlength=\"13\" required>\n"
	                       "<button>%s</button>\n</form>\n",
	                       T(r->lang, "dev.button"));
	bs_serve__page_end(r);
}

void
bs_serve__page_dev_login_post(bs_req *r)
{
	const char *pnr = bs_serve__form(r, "pnr");
	char kind[24];
	uint8_t pseud[32];

	if (!pnr || !bs_serve__pseudonymise(r->srv, pnr, false, kind, pseud)) {
		bs_serve__error_page(r, MHD_HTTP_BAD_REQUEST, "err.noid");
		return;
	}
	bs_serve__resident_login(r, "dev", kind, pseud);
}

void
bs_serve__page_logout(bs_req *r)
{
	bs_serve__session_end(r);
	bs_serve__redirect(r, "/");
}

/* ---- the answer ---- */

void
bs_serve__page_answer(bs_req *r)
{
	bs_serve__render_answer(r);
}

void
bs_serve__page_art15(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	sqlite3 *db = bs_serve__db_take(r->srv);
	bool ok = bs_serve__case_art15(db, r->sess.case_ref, &error);
	char actor[32], phex[65];

	bs_serve__db_give(r->srv, db);
	if (!ok) {
		g_warning("art15: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	g_snprintf(actor, sizeof actor, "session:%s", r->sess.tag);
	bs_serve__hex(r->sess.pseudonym, 32, phex);
	bs_serve__audit(r->srv->audit, actor, "art15", phex, r->sess.case_ref);
	bs_serve__redirect(r, "/answer?copy=1");
}

/* ---- e-mail codes ---- */

static void
code_form(bs_req *r, const char *error_key)
{
	GString *o = r->reply.body;

	bs_serve__page_begin(r, "code.heading");
	g_string_append_printf(o, "<h1>%s</h1>\n", T(r->lang, "code.heading"));
	para(r, "code.sent", NULL);
	if (error_key)
		para(r, error_key, "error");
	g_string_append(o, "<form method=\"post\" action=\"/email/verify\">\n");
	bs_serve__csrf_field(r);
	g_string_append_printf(o,
	                       "<label for=\"code\">%s</label>\n"
	                       "<input type=\"text\" id=\"code\" name=\"code\" "
	                       "inputmode=\"numeric\" autocomplete=\"one-time-code\" "
	                       "pattern=\"[0-9]{6}\" maxlength=\"6\" required>\n"
	                       "<button>%s</button>\n</form>\n",
	                       T(r->lang, "code.label"), T(r->lang, "code.button"));
	bs_serve__page_end(r);
}

/* The code goes out whether or not the address is in the index, so the
 * page and its timing say nothing about the index. */
static bool
send_code(bs_req *r, const char *address, const uint8_t pseud[32])
{
	g_autoptr(GError) error = NULL;
	g_autofree char *body = NULL;
	char code[8];
	int64_t id = 0;
	sqlite3 *db;
	bool ok;

	g_snprintf(code, sizeof code, "%06u", randombytes_uniform(1000000));
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__code_store(
	    db, pseud, code, g_get_real_time() + (int64_t)r->srv->cfg.code_ttl_s * G_USEC_PER_SEC,
	    &id, &error);
	bs_serve__db_give(r->srv, db);
	if (!ok) {
		g_warning("code not stored: %s", error->message);
		return false;
	}
	body = g_strdup(T(r->lang, "code.mail.body"));
	{
		GString *text = g_string_new(NULL);

		append_fill(text, body, code);
		g_free(body);
		body = g_string_free(text, FALSE);
	}
	if (!bs_serve__smtp_send(r->srv, address, T(r->lang, "code.mail.subject"), body, &error))
		g_warning("code mail not sent: %s", error->message);
	r->sess.code_id = id;
	memcpy(r->sess.code_pseudonym, pseud, 32);
	bs_serve__session_save(r);
	return true;
}

void
bs_serve__page_email(bs_req *r)
{
	const char *address = bs_serve__form(r, "email");
	char kind[24], phex[65], actor[32];
	uint8_t pseud[32];
	int retry = 0;

	if (!r->srv->cfg.smtp_url) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		return;
	}
	if (!address || !bs_serve__pseudonymise(r->srv, address, true, kind, pseud)) {
		home(r, "email.bad");
		return;
	}
	bs_serve__hex(pseud, 32, phex);
	if (!bs_serve__ratelimit_take(r->srv->rl_identity, phex, g_get_monotonic_time(), &retry)) {
		bs_serve__too_many(r, retry);
		return;
	}
	if (!send_code(r, address, pseud)) {
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	g_snprintf(actor, sizeof actor, "session:%s", r->sess.tag);
	bs_serve__audit(r->srv->audit, actor, "code.sent", phex, "");
	code_form(r, NULL);
}

void
bs_serve__page_email_verify(bs_req *r)
{
	const char *code = bs_serve__form(r, "code");
	char phex[65], actor[32];
	int retry = 0;
	code_result res;
	sqlite3 *db;

	if (!r->sess.code_id) {
		bs_serve__redirect(r, "/");
		return;
	}
	bs_serve__hex(r->sess.code_pseudonym, 32, phex);
	g_snprintf(actor, sizeof actor, "session:%s", r->sess.tag);
	if (!bs_serve__ratelimit_take(r->srv->rl_code_fail, phex, g_get_monotonic_time(), &retry)) {
		bs_serve__audit(r->srv->audit, actor, "code.locked", phex, "");
		code_form(r, "code.locked");
		return;
	}
	db = bs_serve__db_take(r->srv);
	res = bs_serve__code_check(db, r->sess.code_id, code ? code : "", g_get_real_time(),
	                           r->srv->cfg.code_attempts);
	bs_serve__db_give(r->srv, db);
	static const char *const names[] = {"ok", "wrong", "expired", "locked", "gone"};
	bs_serve__audit(r->srv->audit, actor, "code.check", phex, names[res]);
	if (res == CODE_OK) {
		uint8_t pseud[32];

		memcpy(pseud, r->sess.code_pseudonym, 32);
		r->sess.code_id = 0;
		bs_serve__resident_login(r, "email", "email", pseud);
		return;
	}
	code_form(r, res == CODE_WRONG    ? "code.wrong"
	             : res == CODE_LOCKED ? "code.locked"
	                                  : "code.expired");
}
