/* One case on the DPO desk: its facts, the messages where its subject
 * occurs (locators only: source, Message-ID, date, mailbox, grade), the
 * answer/close form; and the CSV export of all cases. */
#include "serve/internal.h"

#define LOCATORS_MAX 500 /* rows on one case page */
#define NOTE_MAX 4000    /* characters of a DPO note */

static const char locator_sql[] =
    "SELECT s.path, m.locator, m.message_id, m.date, m.mailbox, m.grade "
    "FROM subject su JOIN occurrence o ON o.subject_id = su.id "
    "JOIN message m ON m.id = o.message_id JOIN source s ON s.id = m.source_id "
    "WHERE su.kind = ? AND su.pseudonym = ? AND m.grade <> 'none' "
    "GROUP BY m.id ORDER BY m.date, m.id LIMIT ?";

static void
cell(GString *o, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	g_string_append(o, "<td>");
	bs_serve__esc(o, t ? (const char *)t : "");
	g_string_append(o, "</td>");
}

/* The grade in the desk's language, the stored word as a fallback. */
static void
grade_cell(bs_req *r, GString *o, sqlite3_stmt *st)
{
	const unsigned char *g = sqlite3_column_text(st, 5);
	g_autofree char *key = g_strconcat("grade.", g ? (const char *)g : "", NULL);

	g_string_append(o, "<td>");
	bs_serve__esc(o, T(r->lang, key));
	g_string_append(o, "</td>");
}

static void
locators(bs_req *r, const bs_case *c)
{
	static const char *const cols[] = {"admin.source", "admin.locator", "admin.msgid",
	                                   "admin.date",   "admin.mailbox", "admin.grade"};
	GString *o = r->reply.body;
	uint8_t pseud[32];
	sqlite3_stmt *st = NULL;
	sqlite3 *db;

	if (!bs_pseudonym_from_hex(c->pseudonym_hex, pseud))
		return;
	g_string_append_printf(o, "<h2>%s</h2>\n<table>\n<thead><tr>",
	                       T(r->lang, "admin.messages"));
	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++)
		g_string_append_printf(o, "<th scope=\"col\">%s</th>", T(r->lang, cols[i]));
	g_string_append(o, "</tr></thead>\n<tbody>\n");
	db = bs_serve__db_take(r->srv);
	if (sqlite3_prepare_v2(db, locator_sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, c->subject_kind, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, pseud, 32, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, LOCATORS_MAX);
		while (sqlite3_step(st) == SQLITE_ROW) {
			g_string_append(o, "<tr>");
			for (int i = 0; i < 5; i++)
				cell(o, st, i);
			grade_cell(r, o, st);
			g_string_append(o, "</tr>\n");
		}
	}
	sqlite3_finalize(st);
	bs_serve__db_give(r->srv, db);
	g_string_append(o, "</tbody>\n</table>\n");
}

static void
facts(bs_req *r, const bs_case *c)
{
	GString *o = r->reply.body;
	g_autofree char *state_key = g_strconcat("state.", c->state, NULL);
	const struct {
		const char *key, *value;
	} rows[] = {
	    {"admin.opened", c->opened},
	    {"admin.deadline", c->deadline},
	    {"admin.channel", c->channel},
	    {"admin.state", T(r->lang, state_key)},
	    {"admin.found", T(r->lang, c->found ? "admin.yes" : "admin.no")},
	    {"admin.copy", T(r->lang, c->art15 ? "admin.yes" : "admin.no")},
	    {"admin.closed_by", c->closed_by},
	    {"admin.note", c->note ? c->note : ""},
	};

	g_string_append(o, "<dl>\n");
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_string_append_printf(o, "<dt>%s</dt><dd>", T(r->lang, rows[i].key));
		bs_serve__esc(o, rows[i].value);
		g_string_append(o, "</dd>\n");
	}
	g_string_append(o, "</dl>\n");
}

static void
close_form(bs_req *r, const bs_case *c)
{
	GString *o = r->reply.body;

	g_string_append(o, "<form method=\"post\" action=\"/admin/case\">\n");
	bs_serve__csrf_field(r);
	g_string_append(o, "<input type=\"hidden\" name=\"ref\" value=\"");
	bs_serve__esc(o, c->ref);
	g_string_append_printf(o,
	                       "\">\n<label for=\"note\">%s</label>\n"
	                       "<textarea id=\"note\" name=\"note\" rows=\"4\" maxlength=\"%d\">",
	                       T(r->lang, "admin.note"), NOTE_MAX);
	bs_serve__esc(o, c->note ? c->note : "");
	g_string_append_printf(
	    o,
	    "</textarea>\n<button name=\"state\" value=\"answered\">%s</button>\n"
	    "<button name=\"state\" value=\"closed\">%s</button>\n</form>\n"
	    "<p><a href=\"/admin\">%s</a></p>\n",
	    T(r->lang, "admin.answer"), T(r->lang, "admin.close"), T(r->lang, "admin.back"));
}

void
bs_serve__admin_case(bs_req *r)
{
	const char *ref = bs_serve__query(r, "ref");
	g_autoptr(GError) error = NULL;
	bs_case c = {0};
	char actor[80];
	sqlite3 *db;
	bool ok;

	if (!ref) {
		bs_serve__redirect(r, "/admin");
		return;
	}
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__case_get(db, ref, &c, &error);
	bs_serve__db_give(r->srv, db);
	if (!ok) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		return;
	}
	g_snprintf(actor, sizeof actor, "admin:%s", r->sess.admin_user);
	bs_serve__audit(r->srv->audit, actor, "admin.view", c.pseudonym_hex, c.ref);
	bs_serve__page_begin(r, "admin.title");
	g_string_append_printf(r->reply.body, "<h1>%s ", T(r->lang, "admin.ref"));
	bs_serve__esc(r->reply.body, c.ref);
	g_string_append(r->reply.body, "</h1>\n");
	facts(r, &c);
	locators(r, &c);
	close_form(r, &c);
	bs_serve__page_end(r);
	bs_serve__case_clear(&c);
}

void
bs_serve__admin_close(bs_req *r)
{
	const char *ref = bs_serve__form(r, "ref");
	const char *state = bs_serve__form(r, "state");
	const char *note = bs_serve__form(r, "note");
	g_autoptr(GError) error = NULL;
	g_autofree char *location = NULL;
	g_autofree char *url = NULL;
	char actor[80];
	sqlite3 *db;
	bool ok;

	if (!ref || !state || (strcmp(state, "answered") != 0 && strcmp(state, "closed") != 0) ||
	    (note && g_utf8_strlen(note, -1) > NOTE_MAX) ||
	    (note && !g_utf8_validate(note, -1, NULL))) {
		bs_serve__error_page(r, MHD_HTTP_BAD_REQUEST, "err.form");
		return;
	}
	g_snprintf(actor, sizeof actor, "admin:%s", r->sess.admin_user);
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__case_close(db, ref, state, note, r->sess.admin_user, &error);
	bs_serve__db_give(r->srv, db);
	if (!ok) {
		bs_serve__error_page(r, MHD_HTTP_NOT_FOUND, "err.notfound");
		return;
	}
	bs_serve__audit(r->srv->audit, actor,
	                strcmp(state, "closed") == 0 ? "admin.close" : "admin.answer", "", ref);
	location = g_uri_escape_string(ref, NULL, FALSE);
	url = g_strconcat("/admin/case?ref=", location, NULL);
	bs_serve__redirect(r, url);
}

/* RFC 4180 quoting; a leading = + - @ gets a quote mark so that a
 * spreadsheet never runs a note as a formula. */
static void
csv_field(GString *o, const char *s, bool last)
{
	g_string_append_c(o, '"');
	if (s && strchr("=+-@\t\r", s[0]) && s[0])
		g_string_append_c(o, '\'');
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '"')
			g_string_append_c(o, '"');
		g_string_append_c(o, *p);
	}
	g_string_append(o, last ? "\"\r\n" : "\",");
}

static void
csv_row(const bs_case *c, void *user)
{
	GString *o = user;
	const char *f[] = {c->ref,
	                   c->opened,
	                   c->deadline,
	                   c->channel,
	                   c->subject_kind,
	                   c->state,
	                   c->found ? "yes" : "no",
	                   c->art15 ? "yes" : "no",
	                   c->closed,
	                   c->closed_by,
	                   c->note};

	for (size_t i = 0; i < G_N_ELEMENTS(f); i++)
		csv_field(o, f[i], i + 1 == G_N_ELEMENTS(f));
}

void
bs_serve__admin_export(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	bs_case_filter f = {0};
	char actor[80];
	sqlite3 *db;
	bool ok;

	g_string_assign(r->reply.body, "ref,opened,deadline,channel,kind,state,found,copy,closed,"
	                               "closed_by,note\r\n");
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__case_list(db, &f, csv_row, r->reply.body, &error);
	bs_serve__db_give(r->srv, db);
	if (!ok) {
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	r->reply.type = "text/csv; charset=utf-8";
	bs_serve__add_header(r, "Content-Disposition", "attachment; filename=\"cases.csv\"");
	g_snprintf(actor, sizeof actor, "admin:%s", r->sess.admin_user);
	bs_serve__audit(r->srv->audit, actor, "admin.export", "", "");
}
