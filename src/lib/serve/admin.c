/* The DPO desk under /admin: its own cookie (Path=/admin) and sessions made
 * only there; log-in with a local account (argon2id) or by e-ID through the
 * configured provider when its subject is allowed (a list of subjects or a
 * group claim). Case list with deadlines and filters, case detail with the
 * matching message locators, answer/close with a note, CSV export, the
 * high-risk list (admin-risk.c). Every action is audited. */
#include "serve/internal.h"

static void
admin_actor(bs_req *r, char *out, size_t len)
{
	g_snprintf(out, len, "admin:%s", r->sess.admin_user[0] ? r->sess.admin_user : "-");
}

static void
login_form(bs_req *r, bool failed)
{
	GString *o = r->reply.body;

	bs_serve__page_begin(r, "admin.title");
	g_string_append_printf(o, "<h1>%s</h1>\n", T(r->lang, "admin.title"));
	if (failed)
		g_string_append_printf(o, "<p class=\"error\" role=\"alert\">%s</p>\n",
		                       T(r->lang, "admin.badlogin"));
	if (bs_serve__admin_oidc_enabled(r->srv))
		g_string_append_printf(o, "<p><a class=\"button\" href=\"/admin/eid\">%s</a></p>\n",
		                       T(r->lang, "admin.eid"));
	g_string_append(o, "<form method=\"post\" action=\"/admin/login\">\n");
	bs_serve__csrf_field(r);
	g_string_append_printf(
	    o,
	    "<label for=\"user\">%s</label>\n<input type=\"text\" id=\"user\" "
	    "name=\"user\" autocomplete=\"username\" required>\n"
	    "<label for=\"password\">%s</label>\n<input type=\"password\" "
	    "id=\"password\" name=\"password\" autocomplete=\"current-password\" "
	    "required>\n<button>%s</button>\n</form>\n",
	    T(r->lang, "admin.user"), T(r->lang, "admin.password"), T(r->lang, "admin.login"));
	bs_serve__page_end(r);
}

typedef struct {
	bs_req *r;
	char today[11];
	int rows;
} list_ctx;

static void
case_row(const bs_case *c, void *user)
{
	list_ctx *lc = user;
	GString *o = lc->r->reply.body;
	lang_id l = lc->r->lang;
	g_autofree char *state_key = g_strconcat("state.", c->state, NULL);
	bool overdue = strcmp(c->state, "open") == 0 && strcmp(c->deadline, lc->today) < 0;

	g_string_append(o, "<tr><td><a href=\"/admin/case?ref=");
	bs_serve__esc(o, c->ref);
	g_string_append(o, "\">");
	bs_serve__esc(o, c->ref);
	g_string_append(o, "</a></td><td>");
	bs_serve__esc(o, c->opened);
	g_string_append_printf(o, "</td><td%s>", overdue ? " class=\"overdue\"" : "");
	bs_serve__esc(o, c->deadline);
	g_string_append(o, "</td><td>");
	bs_serve__esc(o, c->channel);
	g_string_append_printf(o, "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", T(l, state_key),
	                       T(l, c->found ? "admin.yes" : "admin.no"),
	                       T(l, c->art15 ? "admin.yes" : "admin.no"));
	lc->rows++;
}

static void
filter_form(bs_req *r, const bs_case_filter *f)
{
	GString *o = r->reply.body;
	static const char *const states[] = {"open", "answered", "closed"};

	g_string_append_printf(o,
	                       "<form method=\"get\" action=\"/admin\">\n<label for=\"state\">%s"
	                       "</label>\n<select id=\"state\" name=\"state\">\n"
	                       "<option value=\"\">%s</option>\n",
	                       T(r->lang, "admin.state"), T(r->lang, "admin.any"));
	for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
		g_autofree char *key = g_strconcat("state.", states[i], NULL);

		g_string_append_printf(o, "<option value=\"%s\"%s>%s</option>\n", states[i],
		                       g_strcmp0(f->state, states[i]) == 0 ? " selected" : "",
		                       T(r->lang, key));
	}
	g_string_append_printf(o,
	                       "</select>\n<label><input type=\"checkbox\" name=\"overdue\" "
	                       "value=\"1\"%s> %s</label>\n<label><input type=\"checkbox\" "
	                       "name=\"art15\" value=\"1\"%s> %s</label>\n<button>%s</button>\n"
	                       "</form>\n",
	                       f->overdue_only ? " checked" : "", T(r->lang, "admin.overdue"),
	                       f->art15_only ? " checked" : "", T(r->lang, "admin.art15"),
	                       T(r->lang, "admin.filter"));
}

static void
read_filter(bs_req *r, bs_case_filter *f)
{
	const char *state = bs_serve__query(r, "state");

	memset(f, 0, sizeof *f);
	if (state && (strcmp(state, "open") == 0 || strcmp(state, "answered") == 0 ||
	              strcmp(state, "closed") == 0))
		f->state = state;
	f->overdue_only = bs_serve__query(r, "overdue") != NULL;
	f->art15_only = bs_serve__query(r, "art15") != NULL;
}

static void
table_head(GString *o, lang_id l, const char *const *keys, size_t n)
{
	g_string_append(o, "<table>\n<thead><tr>");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(o, "<th scope=\"col\">%s</th>", T(l, keys[i]));
	g_string_append(o, "</tr></thead>\n<tbody>\n");
}

static void
case_list(bs_req *r)
{
	static const char *const cols[] = {"admin.ref",     "admin.opened", "admin.deadline",
	                                   "admin.channel", "admin.state",  "admin.found",
	                                   "admin.copy"};
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
	GString *o = r->reply.body;
	list_ctx lc = {.r = r};
	bs_case_filter f;
	sqlite3 *db;

	read_filter(r, &f);
	f.limit = 1000;
	g_strlcpy(lc.today, today, sizeof lc.today);
	bs_serve__page_begin(r, "admin.title");
	g_string_append_printf(o, "<h1>%s</h1>\n<h2>%s</h2>\n", T(r->lang, "admin.title"),
	                       T(r->lang, "admin.cases"));
	filter_form(r, &f);
	table_head(o, r->lang, cols, G_N_ELEMENTS(cols));
	db = bs_serve__db_take(r->srv);
	if (!bs_serve__case_list(db, &f, case_row, &lc, &error))
		g_warning("admin: %s", error->message);
	bs_serve__db_give(r->srv, db);
	g_string_append(o, "</tbody>\n</table>\n");
	if (!lc.rows)
		g_string_append_printf(o, "<p>%s</p>\n", T(r->lang, "admin.none"));
	g_string_append_printf(o,
	                       "<p><a href=\"/admin/export.csv\">%s</a></p>\n"
	                       "<p><a href=\"/admin/high-risk\">%s</a></p>\n"
	                       "<form method=\"post\" action=\"/admin/logout\">\n",
	                       T(r->lang, "admin.export"), T(r->lang, "risk.link"));
	bs_serve__csrf_field(r);
	g_string_append_printf(o, "<button class=\"secondary\">%s</button>\n</form>\n",
	                       T(r->lang, "logout"));
	bs_serve__page_end(r);
}

void
bs_serve__admin_home(bs_req *r)
{
	char actor[80];

	if (r->has_sess && r->sess.kind == SESS_ADMIN && r->sess.admin_user[0]) {
		admin_actor(r, actor, sizeof actor);
		bs_serve__audit(r->srv->audit, actor, "admin.list", "", "");
		case_list(r);
		return;
	}
	if (!bs_serve__ensure_session(r))
		return; /* it answered */
	login_form(r, false);
}

void
bs_serve__admin_login(bs_req *r)
{
	const char *user = bs_serve__form(r, "user");
	const char *password = bs_serve__form(r, "password");
	g_autofree char *key = g_strconcat("admin:", user ? user : "", NULL);
	char actor[80];
	int retry = 0;
	sqlite3 *db;
	bool ok;

	if (!bs_serve__ratelimit_take(r->srv->rl_identity, key, g_get_monotonic_time(), &retry)) {
		bs_serve__too_many(r, retry);
		return;
	}
	if (!user || !password || strlen(user) >= sizeof r->sess.admin_user) {
		login_form(r, true);
		return;
	}
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__admin_check(db, user, password);
	bs_serve__db_give(r->srv, db);
	if (!ok) {
		bs_serve__audit(r->srv->audit, "admin:-", "admin.login.fail", "", "");
		login_form(r, true);
		return;
	}
	r->sess.kind = SESS_ADMIN;
	g_strlcpy(r->sess.admin_user, user, sizeof r->sess.admin_user);
	bs_serve__session_login(r);
	admin_actor(r, actor, sizeof actor);
	bs_serve__audit(r->srv->audit, actor, "admin.login", "", "");
	bs_serve__redirect(r, "/admin");
}

bool
bs_serve__admin_oidc_enabled(const bs_srv *srv)
{
	const bs_serve_settings *c = &srv->cfg;

	return srv->oidc && ((c->oidc_admin_subjects && c->oidc_admin_subjects[0]) ||
	                     (c->oidc_admin_groups && c->oidc_admin_groups[0]));
}

void
bs_serve__admin_eid(bs_req *r)
{
	if (!bs_serve__admin_oidc_enabled(r->srv)) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		return;
	}
	bs_serve__oidc_begin(r);
}

/* How the officer is named in the audit log: "oidc:SUB" when the
 * allow-list names SUB (the operator wrote it down); else a keyed hash of
 * it, since a provider's sub may be a personal number. */
static void
oidc_user(bs_req *r, const char *sub, char out[64])
{
	char *const *list = r->srv->cfg.oidc_admin_subjects;
	uint8_t p[32];
	char hex[65];

	for (size_t i = 0; list && list[i]; i++) {
		if (strcmp(list[i], sub) == 0 && strlen(sub) <= 58) {
			g_snprintf(out, 64, "oidc:%s", sub);
			return;
		}
	}
	bs_pseudonym(r->srv->key, "oidc-sub", sub, strlen(sub), p);
	bs_serve__hex(p, 8, hex);
	g_snprintf(out, 64, "oidc:~%s", hex);
}

void
bs_serve__admin_callback(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sub = NULL;
	const char *code = NULL;
	bs_session pending;
	bool allowed = false;
	char user[64], actor[80];

	if (!bs_serve__admin_oidc_enabled(r->srv)) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		return;
	}
	if (!bs_serve__callback_begin(r, "admin.login.fail", &pending, &code))
		return; /* it answered */
	if (!bs_serve__oidc_admin_finish(r->srv->oidc, &pending, code, &sub, &allowed, &error)) {
		g_message("oidc desk login refused: %s", error->message);
		bs_serve__audit(r->srv->audit, "admin:-", "admin.login.fail", "", error->message);
		bs_serve__error_page(r, MHD_HTTP_FORBIDDEN, "err.login");
		return;
	}
	oidc_user(r, sub, user);
	g_snprintf(actor, sizeof actor, "admin:%s", user);
	if (!allowed) {
		bs_serve__audit(r->srv->audit, actor, "admin.login.denied", "", "eid");
		bs_serve__error_page(r, MHD_HTTP_FORBIDDEN, "admin.denied");
		return;
	}
	r->sess.kind = SESS_ADMIN;
	g_strlcpy(r->sess.admin_user, user, sizeof r->sess.admin_user);
	bs_serve__session_login(r);
	bs_serve__audit(r->srv->audit, actor, "admin.login", "", "eid");
	bs_serve__redirect(r, "/admin");
}

void
bs_serve__admin_logout(bs_req *r)
{
	char actor[80];

	admin_actor(r, actor, sizeof actor);
	bs_serve__audit(r->srv->audit, actor, "admin.logout", "", "");
	bs_serve__session_end(r);
	bs_serve__redirect(r, "/admin");
}
