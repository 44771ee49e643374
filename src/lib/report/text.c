/* The report as plain text for a terminal (Swedish or English). */
#include "report/report.h"

#include "report/internal.h"

const char *
bs_report__t(const char *lang, const bs_report__text *t)
{
	return lang && strcmp(lang, "sv") == 0 ? t->sv : t->en;
}

/* Both branches literal: the compiler still checks the formats. */
#define T(sv_, en_) (lang && strcmp(lang, "sv") == 0 ? (sv_) : (en_))

static void
text_messages(GString *out, const bs_report *r, const char *lang)
{
	const int64_t *m = r->fig.messages, *rec = r->fig.records;

	g_string_append_printf(out,
	                       T("Meddelanden: %" G_GINT64_FORMAT " öppnade, %" G_GINT64_FORMAT
	                         " synkade, %" G_GINT64_FORMAT
	                         " i öppen brevlåda, %" G_GINT64_FORMAT " ej exponerade\n",
	                         "Messages: %" G_GINT64_FORMAT " accessed, %" G_GINT64_FORMAT
	                         " synced, %" G_GINT64_FORMAT
	                         " in an open mailbox, %" G_GINT64_FORMAT " not exposed\n"),
	                       m[BS_GRADE_ACCESSED], m[BS_GRADE_SYNCED], m[BS_GRADE_WINDOW],
	                       m[BS_GRADE_NONE]);
	g_string_append_printf(
	    out,
	    T("Poster (identifierare x meddelande): %" G_GINT64_FORMAT " öppnade, %" G_GINT64_FORMAT
	      " synkade, %" G_GINT64_FORMAT " i öppen brevlåda\n",
	      "Records (identifier x message): %" G_GINT64_FORMAT " accessed, %" G_GINT64_FORMAT
	      " synced, %" G_GINT64_FORMAT " in an open mailbox\n"),
	    rec[BS_GRADE_ACCESSED], rec[BS_GRADE_SYNCED], rec[BS_GRADE_WINDOW]);
}

static void
text_subjects(GString *out, const bs_report *r, const char *lang)
{
	g_string_append_printf(
	    out,
	    T("Registrerade: minst %" G_GINT64_FORMAT " (öppnade), högst %" G_GINT64_FORMAT
	      " (brevlådan öppen) identifierare; uppskattat minst %" G_GINT64_FORMAT
	      ", högst %" G_GINT64_FORMAT " personer\n",
	      "Data subjects: at least %" G_GINT64_FORMAT " (accessed), at most %" G_GINT64_FORMAT
	      " (mailbox open) identifiers; estimated at least %" G_GINT64_FORMAT
	      ", at most %" G_GINT64_FORMAT " persons\n"),
	    r->subj_min, r->subj_max, r->pers_min, r->pers_max);
	g_string_append(out, T("  per slag:", "  by kind:"));
	for (guint i = 0; i < r->by_kind->len; i++) {
		const bs_count *c = r->by_kind->pdata[i];

		g_string_append_printf(out, "%s %s %" G_GINT64_FORMAT, i ? "," : "", c->name,
		                       c->count);
	}
	g_string_append(out, T("\n  per kategori:", "\n  by category:"));
	for (int k = 0; k < CAT_COUNT; k++)
		g_string_append_printf(out, "%s %s %" G_GINT64_FORMAT, k ? "," : "",
		                       bs_report__cats[k].name, r->by_cat[k]);
	g_string_append_printf(out,
	                       T("\n  invånare %" G_GINT64_FORMAT ", personal %" G_GINT64_FORMAT
	                         ", barn %" G_GINT64_FORMAT "\n",
	                         "\n  residents %" G_GINT64_FORMAT ", staff %" G_GINT64_FORMAT
	                         ", children %" G_GINT64_FORMAT "\n"),
	                       r->residents, r->staff, r->children);
}

static void
text_risk(GString *out, const bs_report *r, const char *lang)
{
	g_string_append_printf(out,
	                       T("Hög risk: %" G_GINT64_FORMAT " personer (poäng >= %d)\n",
	                         "High risk: %" G_GINT64_FORMAT " persons (score >= %d)\n"),
	                       r->high_risk, BS_RISK_HIGH_SCORE);
	if (r->protected_near)
		g_string_append_printf(
		    out,
		    T("  %" G_GINT64_FORMAT " med skyddad identitet: inga vanliga brev, via "
		      "Skatteverket\n",
		      "  %" G_GINT64_FORMAT " with a protected identity: no ordinary letters, "
		      "through Skatteverket\n"),
		    r->protected_near);
	for (guint i = 0; i < r->risk->len && i < 10; i++) {
		const bs_risk_entry *e = r->risk->pdata[i];
		const bs_risk_ident *id = e->identifiers->pdata[0];

		g_string_append_printf(out, "  #%d %d %s %.16s…", e->rank, e->score, id->kind,
		                       id->hex);
		for (unsigned bit = 1; bit && bit <= BS_RISK_LAST; bit <<= 1)
			if (e->reasons & bit)
				g_string_append_printf(out, " %s",
				                       bs_risk_reason_name((bs_risk_reason)bit));
		g_string_append_c(out, '\n');
	}
}

static void
text_coverage(GString *out, const bs_report *r, const char *lang)
{
	const bs_figures *f = &r->fig;

	if (bs_report_incomplete(r) == 0) {
		g_string_append(out, T("Täckning: alla exponerade meddelanden lästa helt\n",
		                       "Coverage: every exposed message read in full\n"));
		return;
	}
	g_string_append_printf(out,
	                       T("OFULLSTÄNDIG: %" G_GINT64_FORMAT " exponerade meddelanden delvis "
	                         "lästa, %" G_GINT64_FORMAT " olästa; siffrorna är för låga\n",
	                         "INCOMPLETE: %" G_GINT64_FORMAT " exposed messages partly read, "
	                         "%" G_GINT64_FORMAT " unread; the figures are too low\n"),
	                       f->exposed_partial, f->exposed_failed);
	for (guint i = 0; i < f->reasons->len; i++) {
		const bs_count *c = f->reasons->pdata[i];

		g_string_append_printf(out, "  %s: %" G_GINT64_FORMAT "\n", c->name, c->count);
	}
}

char *
bs_report_text_dup(const bs_report *r, const char *lang)
{
	GString *out = g_string_new(NULL);

	text_messages(out, r, lang);
	text_subjects(out, r, lang);
	text_risk(out, r, lang);
	text_coverage(out, r, lang);
	return g_string_free(out, FALSE);
}
