/* The HTML report: one self-contained file (inline CSS and SVG, no script,
 * no external asset), printable. Markup is literal here; every piece of
 * text, ours or the index's, goes through bs_escape_html_dup(). */
#include "report/report.h"

#include <stdarg.h>

#include "report/internal.h"

#define T(sv_, en_) (lang && strcmp(lang, "sv") == 0 ? (sv_) : (en_))

static const char css[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;"
    "margin:0 auto;max-width:1100px;padding:24px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;"
    "border-bottom:2px solid #d0d7de;padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}"
    ".meta{color:#57606a}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}"
    ".card{border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;min-width:150px}"
    ".card b{display:block;font-size:24px}.card span{color:#57606a;font-size:13px}"
    ".alert{background:#ffebe9;border:2px solid #cf222e;color:#82071e;padding:10px 14px;"
    "border-radius:8px;font-weight:600}.okbox{background:#dafbe1;border:1px solid #2da44e;"
    "padding:10px 14px;border-radius:8px}"
    "table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}"
    "th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-size:12px;word-break:break-all}.charts{display:grid;"
    "grid-template-columns:1fr 1fr;gap:16px}.charts figure{margin:0}"
    "figcaption{font-weight:600;margin-bottom:4px}svg text{font:12px system-ui,sans-serif}"
    "dl.imy dt{font-weight:600;margin-top:10px}dl.imy dd{margin:2px 0 0 16px;"
    "white-space:pre-wrap}.cols{display:grid;grid-template-columns:1fr 1fr;gap:24px}"
    "@media print{body{max-width:none;padding:0;font-size:11pt}h2{break-after:avoid}"
    "section,figure,table,tr{break-inside:avoid}.charts,.cols{display:block}"
    "a{color:inherit;text-decoration:none}}";

void
bs_report__html_text(GString *out, const char *text)
{
	/* Mailbox names and reasons come from the index: make them valid UTF-8. */
	g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
	g_autofree char *e = bs_escape_html_dup(valid, strlen(valid));

	g_string_append(out, e);
}

/* Formats, then escapes: format arguments are never markup. */
void
bs_report__html_printf(GString *out, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *s = NULL;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	bs_report__html_text(out, s);
}

#define TXT(out, s) bs_report__html_text(out, s)
#define PRINTF bs_report__html_printf

static void
tag_text(GString *out, const char *open, const char *text, const char *close)
{
	g_string_append(out, open);
	TXT(out, text);
	g_string_append(out, close);
}

static void
cell_num(GString *out, int64_t n)
{
	g_string_append(out, "<td class=\"n\">");
	PRINTF(out, "%" G_GINT64_FORMAT, n);
	g_string_append(out, "</td>");
}

static void
card(GString *out, const char *value, const char *label)
{
	g_string_append(out, "<div class=\"card\"><b>");
	TXT(out, value);
	g_string_append(out, "</b><span>");
	TXT(out, label);
	g_string_append(out, "</span></div>");
}

static void
html_cards(GString *out, const bs_report *r, const char *lang)
{
	const int64_t *m = r->fig.messages;
	g_autofree char *msgs = g_strdup_printf(
	    "%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT, m[BS_GRADE_ACCESSED] + m[BS_GRADE_SYNCED],
	    m[BS_GRADE_ACCESSED] + m[BS_GRADE_SYNCED] + m[BS_GRADE_WINDOW]);
	g_autofree char *subj =
	    g_strdup_printf("%" G_GINT64_FORMAT " – %" G_GINT64_FORMAT, r->subj_min, r->subj_max);
	g_autofree char *pers =
	    g_strdup_printf("%" G_GINT64_FORMAT " – %" G_GINT64_FORMAT, r->pers_min, r->pers_max);
	g_autofree char *kids = g_strdup_printf("%" G_GINT64_FORMAT, r->children);
	g_autofree char *high = g_strdup_printf("%" G_GINT64_FORMAT, r->high_risk);

	g_string_append(out, "<div class=\"cards\">");
	card(out, msgs,
	     T("meddelanden: öppnade eller synkade / exponerade",
	       "messages: accessed or synced / exposed"));
	card(out, subj,
	     T("identifierare: minst (öppnade) – högst",
	       "identifiers: at least (accessed) – at most"));
	card(out, pers,
	     T("personer (uppskattat): minst – högst", "persons (estimated): at least – at most"));
	card(out, kids, T("barn", "children"));
	card(out, high, T("personer med hög risk", "persons at high risk"));
	g_string_append(out, "</div>");
}

static void
html_coverage(GString *out, const bs_report *r, const char *lang)
{
	const bs_figures *f = &r->fig;

	g_string_append(out, "<section id=\"coverage\">");
	if (bs_report_incomplete(r) == 0) {
		tag_text(out, "<p class=\"okbox\">",
		         T("Alla exponerade meddelanden lästes helt.",
		           "Every exposed message was read in full."),
		         "</p></section>");
		return;
	}
	g_string_append(out, "<p class=\"alert\">");
	PRINTF(out,
	       T("OFULLSTÄNDIG GENOMSÖKNING: %" G_GINT64_FORMAT " exponerade meddelanden lästes "
	         "bara delvis och %" G_GINT64_FORMAT " kunde inte läsas. Siffrorna nedan är därför "
	         "för låga.",
	         "INCOMPLETE SCAN: %" G_GINT64_FORMAT
	         " exposed messages were read only in part and "
	         "%" G_GINT64_FORMAT " could not be read. The figures below are too low."),
	       f->exposed_partial, f->exposed_failed);
	g_string_append(out, "</p><table><tr>");
	tag_text(out, "<th>", T("orsak", "reason"), "</th>");
	tag_text(out, "<th>", T("meddelanden", "messages"), "</th></tr>");
	for (guint i = 0; i < f->reasons->len; i++) {
		const bs_count *c = f->reasons->pdata[i];

		tag_text(out, "<tr><td>", c->name, "</td>");
		cell_num(out, c->count);
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "</table></section>");
}

static void
html_problems(GString *out, const bs_report *r, const char *lang)
{
	const bs_figures *f = &r->fig;

	if (!f->problems->len)
		return;
	tag_text(out, "<h3>", T("Meddelanden som inte lästes helt", "Messages not read in full"),
	         "</h3><table><tr>");
	tag_text(out, "<th>", T("brevlåda", "mailbox"), "</th>");
	tag_text(out, "<th>", T("plats", "locator"), "</th>");
	tag_text(out, "<th>", T("status", "status"), "</th>");
	tag_text(out, "<th>", T("exponering", "exposure"), "</th>");
	tag_text(out, "<th>", T("orsak", "reason"), "</th></tr>");
	for (guint i = 0; i < f->problems->len; i++) {
		const bs_problem_row *p = f->problems->pdata[i];

		tag_text(out, "<tr><td>", p->mailbox, "</td>");
		tag_text(out, "<td><code>", p->locator, "</code></td>");
		tag_text(out, "<td>", p->status, "</td>");
		tag_text(out, "<td>", bs_grade_name(p->grade), "</td>");
		tag_text(out, "<td>", p->reason ? p->reason : "", "</td></tr>");
	}
	g_string_append(out, "</table>");
}

static void
html_categories(GString *out, const bs_report *r, const char *lang)
{
	tag_text(out, "<h3>", T("Registrerade per kategori", "Data subjects by category"),
	         "</h3><table><tr>");
	tag_text(out, "<th>", T("kategori", "category"), "</th>");
	tag_text(out, "<th>", T("identifierare", "identifiers"), "</th></tr>");
	for (int k = 0; k < CAT_COUNT; k++) {
		const bs_report__cat_info *c = &bs_report__cats[k];

		g_string_append(out, "<tr><td>");
		TXT(out, T(c->sv, c->en));
		if (c->art9)
			TXT(out, T(" (art. 9)", " (Art. 9)"));
		else if (k == CAT_CRIMINAL)
			TXT(out, T(" (art. 10)", " (Art. 10)"));
		g_string_append(out, "</td>");
		cell_num(out, r->by_cat[k]);
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "<tr><td>");
	TXT(out, T("barn (under 18 år)", "children (under 18)"));
	g_string_append(out, "</td>");
	cell_num(out, r->children);
	g_string_append(out, "</tr></table>");
}

static void
html_kinds(GString *out, const bs_report *r, const char *lang)
{
	tag_text(out, "<h3>", T("Identifierare per slag", "Identifiers by kind"),
	         "</h3><table><tr>");
	for (guint i = 0; i < r->by_kind->len; i++)
		tag_text(out, "<th>", ((const bs_count *)r->by_kind->pdata[i])->name, "</th>");
	tag_text(out, "<th>", T("invånare", "residents"), "</th>");
	tag_text(out, "<th>", T("personal", "staff"), "</th></tr><tr>");
	for (guint i = 0; i < r->by_kind->len; i++)
		cell_num(out, ((const bs_count *)r->by_kind->pdata[i])->count);
	cell_num(out, r->residents);
	cell_num(out, r->staff);
	g_string_append(out, "</tr></table>");
}

static void
html_mailboxes(GString *out, const bs_report *r, const char *lang)
{
	tag_text(out, "<h3>", T("Per brevlåda", "By mailbox"), "</h3><table><tr>");
	tag_text(out, "<th>", T("brevlåda", "mailbox"), "</th>");
	tag_text(out, "<th>", T("öppnade", "accessed"), "</th>");
	tag_text(out, "<th>", T("synkade", "synced"), "</th>");
	tag_text(out, "<th>", T("brevlåda öppen", "mailbox open"), "</th>");
	tag_text(out, "<th>", T("ej exponerade", "not exposed"), "</th>");
	tag_text(out, "<th>", T("identifierare", "identifiers"), "</th>");
	tag_text(out, "<th>", T("ej lästa helt", "not read in full"), "</th></tr>");
	for (guint i = 0; i < r->fig.mailboxes->len; i++) {
		const bs_mailbox_figures *m = r->fig.mailboxes->pdata[i];

		tag_text(out, "<tr><td>", *m->mailbox ? m->mailbox : "?", "</td>");
		for (int g = BS_GRADE_ACCESSED; g >= BS_GRADE_NONE; g--)
			cell_num(out, m->messages[g]);
		cell_num(out, m->subjects);
		cell_num(out, m->partial + m->failed);
		g_string_append(out, "</tr>");
	}
	g_string_append(out, "</table>");
}

static void
risk_row(GString *out, const bs_risk_entry *e)
{
	g_string_append(out, "<tr>");
	cell_num(out, e->rank);
	cell_num(out, e->score);
	g_string_append(out, "<td>");
	for (unsigned bit = 1, n = 0; bit && bit <= BS_RISK_LAST; bit <<= 1)
		if (e->reasons & bit)
			PRINTF(out, "%s%s", n++ ? ", " : "",
			       bs_risk_reason_name((bs_risk_reason)bit));
	tag_text(out, "</td><td>", bs_grade_name(e->grade), "</td>");
	cell_num(out, e->messages);
	g_string_append(out, "<td>");
	for (guint i = 0; i < e->identifiers->len; i++) {
		const bs_risk_ident *id = e->identifiers->pdata[i];

		PRINTF(out, "%s%s ", i ? "; " : "", id->kind);
		tag_text(out, "<code>", id->hex, "</code>");
	}
	g_string_append(out, "</td><td>");
	for (guint i = 0; i < e->locators->len; i++) {
		const bs_message_ref *m = e->locators->pdata[i];

		PRINTF(out, "%s%s ", i ? "; " : "", m->mailbox);
		tag_text(out, "<code>", m->locator, "</code>");
	}
	g_string_append(out, "</td></tr>");
}

static void
html_risk(GString *out, const bs_report *r, const char *lang)
{
	tag_text(out, "<section id=\"high-risk\"><h2>", T("Hög risk först", "High risk first"),
	         "</h2><p>");
	PRINTF(out,
	       T("%" G_GINT64_FORMAT " personer har riskpoäng %d eller mer (metoden nedan); de "
	         "bör underrättas direkt (art. 34). Pseudonymer och meddelandeplatser, aldrig "
	         "klartext.",
	         "%" G_GINT64_FORMAT
	         " persons score %d or more (method below); they should be told "
	         "directly (Art. 34). Pseudonyms and message locators, never plaintext."),
	       r->high_risk, BS_RISK_HIGH_SCORE);
	if (r->protected_near) {
		g_string_append(out, "</p><p class=\"alert\">");
		PRINTF(out,
		       T("%" G_GINT64_FORMAT " personer har ord om skyddad identitet nära sina "
		         "uppgifter (protected_identity): skicka inga vanliga brev till dem, utan "
		         "genom Skatteverkets förmedling.",
		         "%" G_GINT64_FORMAT " persons have protected-identity words near their "
		         "data (protected_identity): send them no ordinary letter; send it through "
		         "Skatteverket's forwarding."),
		       r->protected_near);
	}
	g_string_append(out, "</p><table><tr>");
	tag_text(out, "<th>", "#", "</th>");
	tag_text(out, "<th>", T("poäng", "score"), "</th>");
	tag_text(out, "<th>", T("skäl", "reasons"), "</th>");
	tag_text(out, "<th>", T("exponering", "exposure"), "</th>");
	tag_text(out, "<th>", T("meddelanden", "messages"), "</th>");
	tag_text(out, "<th>", T("identifierare (pseudonym)", "identifiers (pseudonym)"), "</th>");
	tag_text(out, "<th>", T("meddelanden (plats)", "messages (locator)"), "</th></tr>");
	for (guint i = 0; i < r->risk->len; i++)
		risk_row(out, r->risk->pdata[i]);
	g_string_append(out, "</table></section>");
}

static void
html_method(GString *out, const char *lang)
{
	tag_text(out, "<section id=\"method\"><h2>", T("Metod", "Method"), "</h2><p>");
	TXT(out,
	    T("Personer räknas en gång: en e-postadress och ett personnummer räknas som samma "
	      "person bara när ett meddelande från en invånares adress anger just det enda "
	      "numret som avsändarens eget (t.ex. \"mitt personnummer är …\"). En adress som "
	      "anges med två olika nummer kopplas inte alls. Allt annat räknas var för sig, så "
	      "antalet personer kan vara för högt men aldrig för lågt.",
	      "People are counted once: an e-mail address and a personal identity number are "
	      "one person only when a message from a resident's address gives exactly that one "
	      "number as the sender's own (e.g. \"my personal identity number is …\"). An "
	      "address given with two different numbers links nothing. Everything else counts "
	      "apart, so the person count may be too high but never too low."));
	g_string_append(out, "</p><p>");
	TXT(out, T("Riskpoäng: ord om skyddade personuppgifter nära en identifierare 50, annars "
	           "i samma meddelande 25; art. 9-kategorier 20 vardera (högst "
	           "40); lagöverträdelser 20; socialtjänst 15; barn och skola 5; barn under 18 år "
	           "25; personnummer 10; öppnat 20 eller synkat 15; fler meddelanden +1 vardera "
	           "(högst 10). Hög risk från 50 poäng.",
	           "Risk score: protected-identity words near an identifier 50, elsewhere in the "
	           "message 25; Art. 9 categories 20 each (at most 40); "
	           "criminal offences 20; social services 15; children and school 5; a child under "
	           "18 25; a personal identity number 10; accessed 20 or synced 15; more messages "
	           "+1 each (at most 10). High risk from 50."));
	g_string_append(out, "</p></section>");
}

static void
html_head(GString *out, const bs_report *r, const char *lang)
{
	const char *org = r->cfg && r->cfg->incident_org ? r->cfg->incident_org : "";
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M UTC");

	g_string_append_printf(out,
	                       "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	                       "<meta name=\"viewport\" content=\"width=device-width\"><title>",
	                       T("sv", "en"));
	TXT(out, T("Personuppgiftsincident – rapport", "Personal data breach – report"));
	g_string_append_printf(out, "</title><style>%s</style></head><body><header><h1>", css);
	TXT(out, T("Personuppgiftsincident – rapport", "Personal data breach – report"));
	g_string_append(out, "</h1><p class=\"meta\">");
	PRINTF(out, "%s%s%s %s", org, *org ? " · " : "", T("skapad", "generated"), stamp);
	g_string_append(out, "</p></header>");
}

char *
bs_report_html_dup(const bs_report *r, const char *lang, size_t *out_len)
{
	GString *out = g_string_sized_new(64 * 1024);

	html_head(out, r, lang);
	html_cards(out, r, lang);
	html_coverage(out, r, lang);
	tag_text(out, "<section id=\"charts\"><h2>", T("Översikt", "Overview"),
	         "</h2><div class=\"charts\">");
	bs_report__svg_grades(out, r, lang);
	bs_report__svg_categories(out, r, lang);
	g_string_append(out, "</div>");
	bs_report__svg_timeline(out, r, lang);
	g_string_append(out, "</section><section id=\"figures\">");
	tag_text(out, "<h2>", T("Siffror", "Figures"), "</h2>");
	html_categories(out, r, lang);
	html_kinds(out, r, lang);
	html_mailboxes(out, r, lang);
	html_problems(out, r, lang);
	g_string_append(out, "</section>");
	html_risk(out, r, lang);
	bs_report__html_imy(out, r, lang);
	html_method(out, lang);
	g_string_append(out, "</body></html>\n");
	*out_len = out->len;
	return g_string_free(out, FALSE);
}
