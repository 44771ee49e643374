/* The high-risk list on the DPO desk: the report's ranking straight from
 * the index (bs_report_high_risk), so the desk and `breachscope report`
 * agree. Pseudonyms and message locators only: the plaintext list comes
 * offline from the vault (`breachscope notify-list`), never from here. */
#include "serve/internal.h"

#include "report/report.h"

static void
reasons_cell(GString *o, lang_id l, unsigned reasons)
{
	bool first = true;

	g_string_append(o, "<td>");
	for (unsigned bit = 1; bit && bit <= BS_RISK_MANY; bit <<= 1) {
		g_autofree char *key = NULL;

		if (!(reasons & bit))
			continue;
		key = g_strconcat("reason.", bs_risk_reason_name((bs_risk_reason)bit), NULL);
		g_string_append(o, first ? "" : ", ");
		bs_serve__esc(o, T(l, key));
		first = false;
	}
	g_string_append(o, "</td>");
}

static void
identifiers_cell(GString *o, const bs_risk_entry *e)
{
	g_string_append(o, "<td>");
	for (guint i = 0; i < e->identifiers->len; i++) {
		const bs_risk_ident *id = e->identifiers->pdata[i];

		g_string_append(o, i ? "<br>" : "");
		bs_serve__esc(o, id->kind);
		g_string_append(o, " <code class=\"pseud\">");
		bs_serve__esc(o, id->hex);
		g_string_append(o, "</code>");
	}
	g_string_append(o, "</td>");
}

static void
grade_text(GString *o, lang_id l, bs_grade g)
{
	g_autofree char *key = g_strconcat("grade.", bs_grade_name(g), NULL);

	bs_serve__esc(o, T(l, key));
}

/* Mailbox, locator, date and grade of each listed message. */
static void
locators_cell(GString *o, lang_id l, const bs_risk_entry *e)
{
	g_string_append(o, "<td>");
	for (guint i = 0; i < e->locators->len; i++) {
		const bs_message_ref *m = e->locators->pdata[i];

		g_string_append(o, i ? "<br>" : "");
		bs_serve__esc(o, m->mailbox);
		g_string_append(o, " ");
		bs_serve__esc(o, m->locator);
		g_string_append(o, " ");
		bs_serve__esc(o, m->date);
		g_string_append(o, " (");
		grade_text(o, l, m->grade);
		g_string_append(o, ")");
	}
	g_string_append(o, "</td>");
}

static void
risk_row(GString *o, lang_id l, const bs_risk_entry *e)
{
	g_string_append_printf(o, "<tr><td>%d</td><td>%d</td>", e->rank, e->score);
	reasons_cell(o, l, e->reasons);
	g_string_append(o, "<td>");
	grade_text(o, l, e->grade);
	g_string_append_printf(o, "</td><td>%" G_GINT64_FORMAT "</td>", e->messages);
	identifiers_cell(o, e);
	locators_cell(o, l, e);
	g_string_append(o, "</tr>\n");
}

static void
risk_table(bs_req *r, GPtrArray *list)
{
	static const char *const cols[] = {"risk.rank",   "risk.score",    "risk.reasons",
	                                   "admin.grade", "risk.messages", "risk.ids",
	                                   "risk.where"};
	GString *o = r->reply.body;

	if (!list->len) {
		g_string_append_printf(o, "<p>%s</p>\n", T(r->lang, "risk.none"));
		return;
	}
	g_string_append(o, "<table>\n<thead><tr>");
	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++)
		g_string_append_printf(o, "<th scope=\"col\">%s</th>", T(r->lang, cols[i]));
	g_string_append(o, "</tr></thead>\n<tbody>\n");
	for (guint i = 0; i < list->len; i++)
		risk_row(o, r->lang, list->pdata[i]);
	g_string_append(o, "</tbody>\n</table>\n");
}

void
bs_serve__admin_high_risk(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	bs_store *s = g_async_queue_pop(r->srv->stores);
	bool ok = bs_report_high_risk(s, BS_REPORT_HIGH_RISK_LIST, &list, &error);
	char actor[80];

	g_async_queue_push(r->srv->stores, s);
	if (!ok) {
		g_warning("high-risk list: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	g_snprintf(actor, sizeof actor, "admin:%s", r->sess.admin_user);
	bs_serve__audit(r->srv->audit, actor, "admin.high_risk", "", "");
	bs_serve__page_begin(r, "risk.heading");
	g_string_append_printf(r->reply.body, "<h1>%s</h1>\n<p>%s</p>\n",
	                       T(r->lang, "risk.heading"), T(r->lang, "risk.intro"));
	risk_table(r, list);
	g_string_append_printf(r->reply.body, "<p><a href=\"/admin\">%s</a></p>\n",
	                       T(r->lang, "admin.back"));
	bs_serve__page_end(r);
}
