/* report internals: the built report shared by the writers (json.c, text.c,
 * html.c, svg.c, imy.c) and the notification list (notify.c). */
#ifndef BS_REPORT_INTERNAL_H
#define BS_REPORT_INTERNAL_H

#include "report/report.h"

/* The subject categories of the authority form, in output order: identifier
 * classes first, then detect's term categories (term file names). */
typedef enum {
	CAT_PERSONNUMMER,
	CAT_CONTACT,
	CAT_FINANCIAL,
	CAT_HEALTH,
	CAT_SOCIAL,
	CAT_CRIMINAL,
	CAT_PROTECTED,
	CAT_SCHOOL,
	CAT_ETHNICITY,
	CAT_RELIGION,
	CAT_POLITICAL,
	CAT_UNION,
	CAT_SEXUAL,
	CAT_BIOMETRIC,
	CAT_COUNT
} bs_report__cat;

typedef struct {
	const char *name; /* JSON key: "personnummer", "health", ... */
	const char *sv, *en;
	bool art9; /* a special category (Art. 9) */
} bs_report__cat_info;

extern const bs_report__cat_info bs_report__cats[CAT_COUNT];

/* Identifiers of one person (linked on strong evidence; docs/report.md). */
typedef struct {
	GPtrArray *members; /* bs_subject_figures *, borrowed from the report's subjects */
	bs_grade grade;
	bool child;
	bool protected_near; /* protected-identity words near one of its identifiers */
	int64_t messages, occurrences;
	unsigned cats; /* 1u << bs_report__cat */
	int score;
	unsigned reasons; /* bs_risk_reason bits */
	int rank;         /* 1-based after ranking */
} bs_report__person;

/* People: subjects linked into persons, scored and ranked. */
typedef struct {
	GPtrArray *subjects;   /* bs_subject_figures *, owned */
	GPtrArray *persons;    /* bs_report__person *, ranked, owned */
	GHashTable *person_of; /* subject id (int64 *) -> bs_report__person * */
	int64_t linked;        /* identifiers that joined another's person */
	int64_t links;         /* accepted sender/self links */
	int64_t conflicts;     /* addresses refused: linked to two numbers */
} bs_report__people;

bool bs_report__people_load(bs_store *s, bs_report__people *p, GError **error);
void bs_report__people_fini(bs_report__people *p);
/* Category bits of one subject. */
unsigned bs_report__subject_cats(const bs_subject_figures *sf);
bool bs_report__is_national_id(const char *kind);

/* One scope account on the timeline. */
typedef struct {
	char *name;    /* owned */
	GArray *spans; /* bs_scope_span */
} bs_report__account;

struct bs_report {
	const bs_config *cfg;
	bs_figures fig;
	bs_report__people people;
	GPtrArray *risk;   /* bs_risk_entry *: high-risk list, at most BS_REPORT_HIGH_RISK_LIST */
	int64_t high_risk; /* all persons with score >= BS_RISK_HIGH_SCORE */
	int64_t protected_near; /* persons with protected-identity words near an identifier */
	bs_case_counts cases;
	GPtrArray *accounts;    /* bs_report__account *, from the scope; may be empty */
	int64_t from_us, to_us; /* earliest window start, latest end (BS_SCOPE_OPEN_END: open);
	                           0 when no scope */
	/* derived counts */
	int64_t subj_min, subj_max, pers_min, pers_max, children;
	int64_t residents, staff, unknown_role;
	int64_t osl; /* identifiers with data under secrecy: social, school, protected */
	int64_t by_cat[CAT_COUNT];
	GPtrArray *by_kind; /* bs_count *: pnr, samordningsnummer, email, phone, then others */
};

/* Builds a risk entry for person p (locators read from s). */
bs_risk_entry *bs_report__risk_entry(bs_store *s, const bs_report__person *p, GError **error);

/* Writers. */
typedef struct {
	const char *sv, *en;
} bs_report__text;
const char *bs_report__t(const char *lang, const bs_report__text *t);
void bs_report__html_imy(GString *out, const bs_report *r, const char *lang);
void bs_report__svg_grades(GString *out, const bs_report *r, const char *lang);
void bs_report__svg_categories(GString *out, const bs_report *r, const char *lang);
void bs_report__svg_timeline(GString *out, const bs_report *r, const char *lang);
/* Appends text escaped for HTML (bs_escape_html_dup: the one escaper). */
void bs_report__html_text(GString *out, const char *text);
void bs_report__html_printf(GString *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Consequences drafted from the figures when the config gives none. */
char *bs_report__consequences_dup(const bs_report *r, const char *lang);
char *bs_report__time_dup(int64_t us); /* "YYYY-MM-DD HH:MM UTC"; caller g_free()s */

#endif
