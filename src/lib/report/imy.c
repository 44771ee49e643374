/* The draft of IMY's notification fields ("Anmäl personuppgiftsincident",
 * GDPR Art. 33(3)), in Swedish and English, from the figures, the scope and
 * the [incident] settings. A draft: the DPO reads, corrects and files it. */
#include "report/report.h"

#include "report/internal.h"

#define T(sv_, en_) (strcmp(lang, "sv") == 0 ? (sv_) : (en_))
#define FILL(lang) T("(fyll i)", "(to fill in)")

char *
bs_report__time_dup(int64_t us)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);

	return t ? g_date_time_format(t, "%Y-%m-%d %H:%M UTC") : g_strdup("?");
}

static void
field(GString *out, const char *term, const char *value)
{
	g_string_append(out, "<dt>");
	bs_report__html_text(out, term);
	g_string_append(out, "</dt><dd>");
	bs_report__html_text(out, value);
	g_string_append(out, "</dd>");
}

static const char *
cfg_or(const char *value, const char *fallback)
{
	return value && *value ? value : fallback;
}

static char *
when_text(const bs_report *r, const char *lang)
{
	return r->from_us ? bs_report__time_dup(r->from_us) : g_strdup(FILL(lang));
}

/* [incident] ceased_at, else the scope's latest window end. */
static char *
ceased_text(const bs_report *r, const char *lang)
{
	const bs_config *c = r->cfg;

	if (c && c->incident_ceased_at)
		return g_strdup(c->incident_ceased_at);
	if (r->to_us == BS_SCOPE_OPEN_END)
		return g_strdup(T("pågår (ej stängd)", "ongoing (not contained)"));
	return r->to_us ? bs_report__time_dup(r->to_us) : g_strdup(FILL(lang));
}

static char *
discovered_text(const bs_report *r, const char *lang)
{
	const char *at = r->cfg ? r->cfg->incident_discovered_at : NULL;
	g_autoptr(GDateTime) t = at ? g_date_time_new_from_iso8601(at, NULL) : NULL;
	g_autoptr(GDateTime) utc = t ? g_date_time_to_utc(t) : NULL;
	g_autoptr(GDateTime) due = utc ? g_date_time_add_hours(utc, 72) : NULL;
	g_autofree char *when = utc ? g_date_time_format(utc, "%Y-%m-%d %H:%M UTC") : NULL;
	g_autofree char *d = due ? g_date_time_format(due, "%Y-%m-%d %H:%M UTC") : NULL;

	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	if (!d || !when)
		return g_strdup(FILL(lang));
	/* Art. 33(1): a notification after 72 hours gives the reasons for the delay. */
	return g_strdup_printf(
	    T("%s (anmälan senast %s, 72 timmar)%s", "%s (notify by %s, 72 hours)%s"), when, d,
	    g_date_time_compare(now, due) > 0
	        ? T(". Fristen har passerat: ange skälen till dröjsmålet (art. 33.1)",
	            ". The deadline has passed: give the reasons for the delay (Art. 33(1))")
	        : "");
}

static char *
what_text(const bs_report *r, const char *lang)
{
	const char *desc = r->cfg ? r->cfg->incident_description : NULL;
	guint accounts = r->accounts->len ? r->accounts->len : r->fig.mailboxes->len;

	if (desc && *desc)
		return g_strdup(desc);
	return g_strdup_printf(
	    T("Obehöriga fick tillgång till %u e-postkonton (nätfiske). E-posten i kontona "
	      "innehöll personuppgifter om invånare och personal.",
	      "Unauthorised persons gained access to %u mailboxes (phishing). The mail in them "
	      "held personal data about residents and staff."),
	    accounts);
}

static char *
numbers_text(const bs_report *r, const char *lang)
{
	const int64_t *rec = r->fig.records;

	return g_strdup_printf(
	    T("Registrerade: minst %" G_GINT64_FORMAT " och högst %" G_GINT64_FORMAT
	      " identifierare, uppskattat %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " personer. "
	      "Poster: %" G_GINT64_FORMAT " i öppnade meddelanden, %" G_GINT64_FORMAT " i alla "
	      "exponerade.",
	      "Data subjects: at least %" G_GINT64_FORMAT " and at most %" G_GINT64_FORMAT
	      " identifiers, an estimated %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " persons. "
	      "Records: %" G_GINT64_FORMAT " in accessed messages, %" G_GINT64_FORMAT " in all "
	      "exposed ones."),
	    r->subj_min, r->subj_max, r->pers_min, r->pers_max, rec[BS_GRADE_ACCESSED],
	    rec[BS_GRADE_ACCESSED] + rec[BS_GRADE_SYNCED] + rec[BS_GRADE_WINDOW]);
}

static char *
groups_text(const bs_report *r, const char *lang)
{
	return g_strdup_printf(
	    T("Invånare (%" G_GINT64_FORMAT " adresser), personal (%" G_GINT64_FORMAT
	      " adresser), barn under 18 år (%" G_GINT64_FORMAT ").",
	      "Residents (%" G_GINT64_FORMAT " addresses), staff (%" G_GINT64_FORMAT
	      " addresses), children under 18 (%" G_GINT64_FORMAT ")."),
	    r->residents, r->staff, r->children);
}

static char *
kinds_text(const bs_report *r, const char *lang)
{
	GString *s = g_string_new(NULL);

	for (int k = 0; k < CAT_COUNT; k++) {
		if (!r->by_cat[k])
			continue;
		g_string_append_printf(s, "%s%s (%" G_GINT64_FORMAT ")", s->len ? ", " : "",
		                       T(bs_report__cats[k].sv, bs_report__cats[k].en),
		                       r->by_cat[k]);
	}
	if (!s->len)
		g_string_append(s, T("inga funna", "none found"));
	else if (r->osl)
		g_string_append_printf(
		    s,
		    T(". Därav sekretessbelagda uppgifter (OSL): %" G_GINT64_FORMAT,
		      ". Of them under secrecy (OSL): %" G_GINT64_FORMAT),
		    r->osl);
	return g_string_free(s, FALSE);
}

char *
bs_report__consequences_dup(const bs_report *r, const char *lang)
{
	GString *s = g_string_new(NULL);
	int64_t art9 = 0;

	for (int k = 0; k < CAT_COUNT; k++)
		art9 += bs_report__cats[k].art9 ? r->by_cat[k] : 0;
	if (r->by_cat[CAT_PROTECTED])
		g_string_append(s,
		                T("Personer med skyddade personuppgifter kan utsättas för hot och "
		                  "våld om adress eller identitet når fel person. ",
		                  "People with protected identity may face threats and violence if "
		                  "their address or identity reaches the wrong person. "));
	if (r->by_cat[CAT_PERSONNUMMER])
		g_string_append(s,
		                T("Personnummer kan missbrukas för identitetsbedrägeri. ",
		                  "Personal identity numbers can be misused for identity fraud. "));
	if (art9 || r->by_cat[CAT_SOCIAL] || r->by_cat[CAT_CRIMINAL])
		g_string_append(
		    s, T("Uppgifter om hälsa, socialtjänst och andra känsliga förhållanden "
		         "kan leda till utpressning, diskriminering och skada på anseendet. ",
		         "Data on health, social services and other sensitive matters can "
		         "lead to extortion, discrimination and damage to reputation. "));
	if (r->children)
		g_string_append(s, T("Barn berörs och behöver särskilt skydd. ",
		                     "Children are affected and need special protection. "));
	g_string_append(s, T("Kontaktuppgifter kan användas för riktat nätfiske.",
	                     "Contact data can be used for targeted phishing."));
	return g_string_free(s, FALSE);
}

static char *
informed_text(const bs_report *r, const char *lang)
{
	const bs_case_counts *c = &r->cases;

	if (!c->present || c->total == 0)
		return g_strdup_printf(
		    T("Inte ännu. %" G_GINT64_FORMAT " personer med hög risk bör "
		      "underrättas direkt (art. 34).",
		      "Not yet. %" G_GINT64_FORMAT " persons at high risk should be "
		      "told directly (Art. 34)."),
		    r->high_risk);
	return g_strdup_printf(
	    T("E-tjänsten har tagit emot %" G_GINT64_FORMAT
	      " förfrågningar (%s–%s); %" G_GINT64_FORMAT
	      " fanns i den exponerade e-posten; %" G_GINT64_FORMAT
	      " besvarade eller avslutade, %" G_GINT64_FORMAT " öppna. %" G_GINT64_FORMAT
	      " personer med hög risk bör underrättas "
	      "direkt (art. 34).",
	      "The e-service has received %" G_GINT64_FORMAT
	      " requests (%s to %s); %" G_GINT64_FORMAT
	      " were in the exposed mail; %" G_GINT64_FORMAT
	      " answered or closed, %" G_GINT64_FORMAT " open. %" G_GINT64_FORMAT
	      " persons at high risk should be told directly (Art. 34)."),
	    c->total, c->first, c->last, c->found, c->answered + c->closed, c->open, r->high_risk);
}

/* The form's severity estimate "with regard to the data subjects'
 * integrity": high when anyone is at high risk, medium when identity
 * numbers or sensitive data were exposed, else low. A draft for the DPO. */
static const char *
severity_text(const bs_report *r, const char *lang)
{
	int64_t sensitive = r->by_cat[CAT_SOCIAL] + r->by_cat[CAT_CRIMINAL];

	for (int k = 0; k < CAT_COUNT; k++)
		sensitive += bs_report__cats[k].art9 ? r->by_cat[k] : 0;
	if (r->high_risk)
		return T("Hög: personer med hög risk finns (se listan i rapporten).",
		         "High: some people are at high risk (see the list in the report).");
	if (sensitive || r->by_cat[CAT_PERSONNUMMER])
		return T("Medel: personnummer eller känsliga uppgifter exponerades.",
		         "Medium: identity numbers or sensitive data were exposed.");
	return T("Låg.", "Low.");
}

static void
imy_column(GString *out, const bs_report *r, const char *lang)
{
	const bs_config *c = r->cfg;
	g_autofree char *controller =
	    g_strdup_printf("%s, %s", cfg_or(c ? c->incident_org : NULL, FILL(lang)),
	                    cfg_or(c ? c->incident_org_number : NULL,
	                           T("org.nr (fyll i)", "org. no. (to fill in)")));
	g_autofree char *when = when_text(r, lang), *found = discovered_text(r, lang);
	g_autofree char *ceased = ceased_text(r, lang);
	g_autofree char *what = what_text(r, lang), *numbers = numbers_text(r, lang);
	g_autofree char *groups = groups_text(r, lang), *kinds = kinds_text(r, lang);
	g_autofree char *cons = bs_report__consequences_dup(r, lang);
	g_autofree char *informed = informed_text(r, lang);

	g_string_append(out, "<div><h3>");
	bs_report__html_text(out, T("Svenska", "English"));
	g_string_append(out, "</h3><dl class=\"imy\">");
	field(out,
	      T("Personuppgiftsansvarig och organisationsnummer (fråga 1–2)",
	        "Controller and organisation number"),
	      controller);
	field(out, T("Postadress (fråga 3)", "Postal address"),
	      cfg_or(c ? c->incident_address : NULL, FILL(lang)));
	field(out, T("Egen referens", "Own reference"),
	      cfg_or(c ? c->incident_reference : NULL, FILL(lang)));
	field(out, T("Kontaktperson (fråga 9)", "Contact point (DPO)"),
	      cfg_or(c ? c->incident_contact : NULL, FILL(lang)));
	field(out, T("När inträffade incidenten", "When the breach happened"), when);
	field(out, T("När upphörde incidenten (fråga 13)", "When did the breach cease (15a)"),
	      ceased);
	field(out, T("När upptäcktes incidenten", "When it was discovered"), found);
	field(out, T("Typ av incident", "Type of breach"),
	      T("Obehörig åtkomst: kapade e-postkonton efter nätfiske (konfidentialitet).",
	        "Unauthorised access: mailboxes taken over after phishing (confidentiality)."));
	field(out, T("Vad hände", "What happened"), what);
	field(out, T("Antal registrerade och poster", "Number of data subjects and records"),
	      numbers);
	field(out, T("Grupper av registrerade (fråga 25)", "Categories of data subjects (27)"),
	      groups);
	field(out, T("Typer av personuppgifter (fråga 26)", "Categories of personal data (28)"),
	      kinds);
	field(out, T("Sannolika konsekvenser (fråga 28)", "Likely consequences (19)"),
	      c && c->incident_consequences ? c->incident_consequences : cons);
	field(out, T("Bedömd allvarlighet", "Severity estimate"), severity_text(r, lang));
	field(out, T("Vidtagna åtgärder (fråga 30)", "Measures taken or proposed (21)"),
	      cfg_or(c ? c->incident_measures : NULL, FILL(lang)));
	field(out,
	      T("Har de registrerade informerats (fråga 32–35)",
	        "Have the data subjects been informed (23a–d)"),
	      informed);
	g_string_append(out, "</dl></div>");
}

void
bs_report__html_imy(GString *out, const bs_report *r, const char *lang)
{
	g_string_append(out, "<section id=\"imy\"><h2>");
	bs_report__html_text(out, T("Utkast till anmälan till IMY (art. 33)",
	                            "Draft notification to IMY (Art. 33)"));
	g_string_append(out, "</h2><div class=\"cols\">");
	imy_column(out, r, "sv");
	imy_column(out, r, "en");
	g_string_append(out, "</div></section>");
}
