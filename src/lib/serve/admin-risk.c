/* The high-risk list on the DPO desk: the report's ranking straight from
 * the index (bs_report_high_risk), so the desk and `breachscope report`
 * agree. Pseudonyms and message locators only: the plaintext list comes
 * offline from the vault (`breachscope notify-list`), never from here.
 *
 * Ranking reads every subject (seconds and hundreds of MB on a million),
 * so it runs on a thread of its own, one at a time, and its result is kept
 * for RISK_TTL_US: the desk never holds the workers that answer residents
 * and the API. A page waits RISK_WAIT_US for a run it started, then shows
 * the last list (with its time) or asks to reload. */
#include "serve/internal.h"

#include "report/report.h"

#define RISK_TTL_US (300 * G_USEC_PER_SEC)
#define RISK_WAIT_US (2 * G_USEC_PER_SEC)

struct bs_risk_cache {
	char *index;     /* where the index is (bs_store_open); owned */
	GMutex lock;     /* guards the fields below */
	GCond done;      /* signalled when a run ends */
	GPtrArray *list; /* bs_risk_entry *, shared by reference; NULL before the first run */
	int64_t at_us;   /* real time the list was made */
	GThread *thread; /* the last run; joined before the next */
	bool running;
	bool failed; /* the last run failed */
};

bs_risk_cache *
bs_serve__risk_cache_new(const char *index)
{
	bs_risk_cache *c = g_new0(bs_risk_cache, 1);

	c->index = g_strdup(index);
	g_mutex_init(&c->lock);
	g_cond_init(&c->done);
	return c;
}

void
bs_serve__risk_cache_free(bs_risk_cache *c)
{
	if (!c)
		return;
	if (c->thread)
		g_thread_join(c->thread); /* a run in flight ends first */
	if (c->list)
		g_ptr_array_unref(c->list);
	g_cond_clear(&c->done);
	g_mutex_clear(&c->lock);
	g_free(c->index);
	g_free(c);
}

static gpointer
run_main(gpointer data)
{
	bs_risk_cache *c = data;
	g_autoptr(GError) error = NULL;
	GPtrArray *list = NULL;
	bs_store *s = bs_store_open(c->index, false, &error);
	bool ok = s && bs_report_high_risk(s, BS_REPORT_HIGH_RISK_LIST, &list, &error);

	bs_store_free(s);
	if (!ok)
		g_warning("high-risk list: %s", error->message);
	g_mutex_lock(&c->lock);
	if (ok) {
		if (c->list)
			g_ptr_array_unref(c->list);
		c->list = list;
		c->at_us = g_get_real_time();
	}
	c->failed = !ok;
	c->running = false;
	g_cond_broadcast(&c->done);
	g_mutex_unlock(&c->lock);
	return NULL;
}

GPtrArray *
bs_serve__risk_get(bs_risk_cache *c, int64_t *out_at_us, bool *out_failed)
{
	int64_t until = g_get_monotonic_time() + RISK_WAIT_US;
	GPtrArray *list;

	g_mutex_lock(&c->lock);
	if (!c->running && (!c->list || g_get_real_time() - c->at_us > RISK_TTL_US)) {
		if (c->thread)
			g_thread_join(c->thread); /* it has ended: running is false */
		c->running = true;
		c->thread = g_thread_new("bs-risk", run_main, c);
	}
	while (c->running && g_cond_wait_until(&c->done, &c->lock, until))
		;
	list = c->list ? g_ptr_array_ref(c->list) : NULL;
	*out_at_us = c->at_us;
	*out_failed = c->failed && !c->running;
	g_mutex_unlock(&c->lock);
	return list;
}

static void
reasons_cell(GString *o, lang_id l, unsigned reasons)
{
	bool first = true;

	g_string_append(o, "<td>");
	for (unsigned bit = 1; bit && bit <= BS_RISK_LAST; bit <<= 1) {
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

/* No list yet: the first run is still going. */
static void
risk_pending(bs_req *r)
{
	bs_serve__add_header(r, "Retry-After", "5");
	r->reply.status = MHD_HTTP_SERVICE_UNAVAILABLE;
	bs_serve__page_begin(r, "risk.heading");
	g_string_append_printf(r->reply.body,
	                       "<h1>%s</h1>\n<p role=\"status\">%s</p>\n"
	                       "<p><a href=\"/admin/high-risk\">%s</a></p>\n",
	                       T(r->lang, "risk.heading"), T(r->lang, "risk.pending"),
	                       T(r->lang, "risk.reload"));
	bs_serve__page_end(r);
}

void
bs_serve__admin_high_risk(bs_req *r)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GDateTime) at = NULL;
	g_autofree char *when = NULL;
	int64_t at_us = 0;
	bool failed = false;
	char actor[80];

	list = bs_serve__risk_get(r->srv->risk, &at_us, &failed);
	if (!list && failed) {
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		return;
	}
	g_snprintf(actor, sizeof actor, "admin:%s", r->sess.admin_user);
	bs_serve__audit(r->srv->audit, actor, "admin.high_risk", "", "");
	if (!list) {
		risk_pending(r);
		return;
	}
	at = g_date_time_new_from_unix_utc(at_us / G_USEC_PER_SEC);
	when = g_date_time_format(at, "%Y-%m-%d %H:%M:%S UTC");
	bs_serve__page_begin(r, "risk.heading");
	g_string_append_printf(r->reply.body, "<h1>%s</h1>\n<p>%s</p>\n<p>%s ",
	                       T(r->lang, "risk.heading"), T(r->lang, "risk.intro"),
	                       T(r->lang, "risk.at"));
	bs_serve__esc(r->reply.body, when);
	g_string_append(r->reply.body, "</p>\n");
	risk_table(r, list);
	g_string_append_printf(r->reply.body, "<p><a href=\"/admin\">%s</a></p>\n",
	                       T(r->lang, "admin.back"));
	bs_serve__page_end(r);
}
