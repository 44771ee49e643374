/* The answer page: whether the resident's identifier occurs in exposed
 * mail, in plain words. Counts, dates, kinds of data and how close the
 * attacker came; never content, never anyone else's data. */
#include "serve/internal.h"

static void
row(GString *o, const char *term, const char *value)
{
	g_string_append(o, "<dt>");
	g_string_append(o, term);
	g_string_append(o, "</dt><dd>");
	g_string_append(o, value);
	g_string_append(o, "</dd>\n");
}

static void
exposure(bs_req *r, const bs_lookup *a)
{
	GString *o = r->reply.body;
	const struct {
		const char *key;
		int64_t n;
	} grades[] = {{"grade.accessed", a->accessed},
	              {"grade.synced", a->synced},
	              {"grade.window", a->window}};

	g_string_append_printf(o, "<h2>%s</h2>\n<ul>\n", T(r->lang, "answer.exposure"));
	for (size_t i = 0; i < G_N_ELEMENTS(grades); i++)
		if (grades[i].n > 0)
			g_string_append_printf(
			    o, "<li>%" G_GINT64_FORMAT " %s: %s</li>\n", grades[i].n,
			    T(r->lang, grades[i].n == 1 ? "msg.one" : "msg.many"),
			    T(r->lang, grades[i].key));
	g_string_append(o, "</ul>\n");
}

static void
details(bs_req *r, const bs_lookup *a)
{
	GString *o = r->reply.body;
	g_autofree char *count = g_strdup_printf("%" G_GINT64_FORMAT, a->messages);
	g_autofree char *period = g_strdup_printf("%s – %s", a->first, a->last);
	GString *kinds = g_string_new(NULL);

	for (guint i = 0; i < a->categories->len; i++) {
		const bs_count *cat = g_ptr_array_index(a->categories, i);
		g_autofree char *key = g_strconcat("cat.", cat->name, NULL);

		if (i)
			g_string_append(kinds, ", ");
		bs_serve__esc(kinds, T(r->lang, key));
	}
	g_string_append(o, "<dl>\n");
	row(o, T(r->lang, "answer.messages"), count);
	if (a->first[0])
		row(o, T(r->lang, "answer.period"), period);
	row(o, T(r->lang, "answer.kinds"), kinds->len ? kinds->str : T(r->lang, "answer.nokinds"));
	g_string_append(o, "</dl>\n");
	g_string_free(kinds, TRUE);
	exposure(r, a);
}

static void
case_box(bs_req *r, const bs_case *c)
{
	GString *o = r->reply.body;

	g_string_append(o, "<dl>\n");
	row(o, T(r->lang, "answer.case"), c->ref);
	row(o, T(r->lang, "answer.deadline"), c->deadline);
	g_string_append(o, "</dl>\n");
}

static void
next_steps(bs_req *r, const bs_lookup *a, const bs_case *c)
{
	GString *o = r->reply.body;

	g_string_append_printf(o,
	                       "<section aria-labelledby=\"next-h\">\n<h2 id=\"next-h\">%s</h2>\n"
	                       "<p>%s</p>\n",
	                       T(r->lang, "answer.next"),
	                       T(r->lang, a->found ? "answer.next.found" : "answer.next.notfound"));
	if (c->art15) {
		g_string_append_printf(o, "<p class=\"answer\" role=\"status\">%s</p>\n",
		                       T(r->lang, "art15.done"));
	} else {
		g_string_append(o, "<form method=\"post\" action=\"/art15\">\n");
		bs_serve__csrf_field(r);
		g_string_append_printf(o, "<button>%s</button>\n</form>\n",
		                       T(r->lang, "art15.button"));
	}
	g_string_append(o, "</section>\n<form method=\"post\" action=\"/logout\">\n");
	bs_serve__csrf_field(r);
	g_string_append_printf(o, "<button class=\"secondary\">%s</button>\n</form>\n",
	                       T(r->lang, "logout"));
}

static void
answer_page(bs_req *r, const bs_lookup *a, const bs_case *c)
{
	GString *o = r->reply.body;
	g_autofree char *who_key = g_strconcat("who.", r->sess.subject_kind, NULL);
	const char *tmpl = T(r->lang, a->found ? "answer.found" : "answer.notfound");
	const char *at = strstr(tmpl, "%s");

	bs_serve__page_begin(r, "answer.heading");
	g_string_append_printf(o, "<h1>%s</h1>\n", T(r->lang, "answer.heading"));
	case_box(r, c);
	g_string_append(o, "<p class=\"answer\">");
	g_string_append_len(o, tmpl, at ? at - tmpl : (gssize)strlen(tmpl));
	if (at) {
		g_string_append(o, T(r->lang, who_key));
		g_string_append(o, at + 2);
	}
	g_string_append(o, "</p>\n");
	if (a->found)
		details(r, a);
	next_steps(r, a, c);
	bs_serve__page_end(r);
}

void
bs_serve__render_answer(bs_req *r)
{
	g_autoptr(GError) error = NULL;
	bs_lookup a;
	bs_case c = {0};
	sqlite3 *db;
	bool ok;
	char actor[32], phex[65];

	if (!bs_serve__lookup(r->srv, r->sess.subject_kind, r->sess.pseudonym, &a, &error)) {
		g_warning("lookup failed: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
		bs_lookup_fini(&a);
		return;
	}
	db = bs_serve__db_take(r->srv);
	ok = bs_serve__case_get(db, r->sess.case_ref, &c, &error);
	bs_serve__db_give(r->srv, db);
	if (ok) {
		bs_serve__hex(r->sess.pseudonym, 32, phex);
		g_snprintf(actor, sizeof actor, "session:%s", r->sess.tag);
		bs_serve__audit(r->srv->audit, actor, "lookup", phex,
		                a.found ? "found" : "not-found");
		answer_page(r, &a, &c);
	} else {
		g_warning("case: %s", error->message);
		bs_serve__error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "err.internal");
	}
	bs_lookup_fini(&a);
	bs_serve__case_clear(&c);
}
