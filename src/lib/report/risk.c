/* The high-risk list: ranked persons as pseudonyms and message locators. */
#include "report/report.h"

#include "report/internal.h"

static const struct {
	bs_risk_reason bit;
	const char *name;
} reason_names[] = {
    {BS_RISK_PROTECTED, "protected_identity"},
    {BS_RISK_ART9, "art9"},
    {BS_RISK_ART10, "criminal"},
    {BS_RISK_SOCIAL, "social"},
    {BS_RISK_SCHOOL, "children_school"},
    {BS_RISK_CHILD, "child"},
    {BS_RISK_NATIONAL_ID, "national_id"},
    {BS_RISK_ACCESSED, "accessed"},
    {BS_RISK_MANY, "many"},
    {BS_RISK_PROTECTED_MESSAGE, "protected_message"},
};

const char *
bs_risk_reason_name(bs_risk_reason bit)
{
	for (size_t i = 0; i < G_N_ELEMENTS(reason_names); i++)
		if (reason_names[i].bit == bit)
			return reason_names[i].name;
	return "unknown";
}

void
bs_risk_entry_free(bs_risk_entry *e)
{
	if (!e)
		return;
	if (e->identifiers)
		g_ptr_array_unref(e->identifiers);
	if (e->locators)
		g_ptr_array_unref(e->locators);
	g_free(e);
}

static int
ref_cmp(gconstpointer a, gconstpointer b)
{
	const bs_message_ref *x = *(const bs_message_ref *const *)a;
	const bs_message_ref *y = *(const bs_message_ref *const *)b;
	int c;

	if (x->grade != y->grade)
		return x->grade > y->grade ? -1 : 1;
	c = strcmp(x->date, y->date);
	if (c)
		return c;
	c = strcmp(x->mailbox, y->mailbox);
	return c ? c : strcmp(x->locator, y->locator);
}

static bool
has_ref(GPtrArray *refs, const bs_message_ref *r)
{
	for (guint i = 0; i < refs->len; i++) {
		const bs_message_ref *q = refs->pdata[i];

		if (strcmp(q->mailbox, r->mailbox) == 0 && strcmp(q->locator, r->locator) == 0)
			return true;
	}
	return false;
}

/* The strongest messages of every identifier of p, merged, at most
 * BS_REPORT_LOCATORS. */
static bool
collect_locators(bs_store *s, const bs_report__person *p, GPtrArray *out, GError **error)
{
	for (guint i = 0; i < p->members->len; i++) {
		const bs_subject_figures *sf = p->members->pdata[i];
		g_autoptr(GPtrArray) refs = NULL;

		if (!bs_store_subject_messages(s, sf->id, BS_REPORT_LOCATORS, &refs, error))
			return false;
		for (guint k = 0; k < refs->len; k++) {
			if (has_ref(out, refs->pdata[k]))
				continue;
			g_ptr_array_add(out, refs->pdata[k]);
			refs->pdata[k] = NULL;
		}
	}
	g_ptr_array_sort(out, ref_cmp);
	if (out->len > BS_REPORT_LOCATORS)
		g_ptr_array_set_size(out, BS_REPORT_LOCATORS);
	return true;
}

bs_risk_entry *
bs_report__risk_entry(bs_store *s, const bs_report__person *p, GError **error)
{
	bs_risk_entry *e = g_new0(bs_risk_entry, 1);

	e->rank = p->rank;
	e->score = p->score;
	e->reasons = p->reasons;
	e->grade = p->grade;
	e->messages = p->messages;
	e->occurrences = p->occurrences;
	e->high = p->score >= BS_RISK_HIGH_SCORE;
	e->identifiers = g_ptr_array_new_with_free_func(g_free);
	e->locators = g_ptr_array_new_with_free_func((GDestroyNotify)bs_message_ref_free);
	for (guint i = 0; i < p->members->len; i++) {
		const bs_subject_figures *sf = p->members->pdata[i];
		bs_risk_ident *id = g_new0(bs_risk_ident, 1);

		id->kind = sf->kind;
		id->subject_id = sf->id;
		bs_pseudonym_hex(sf->pseudonym, id->hex);
		g_ptr_array_add(e->identifiers, id);
	}
	if (!collect_locators(s, p, e->locators, error)) {
		bs_risk_entry_free(e);
		return NULL;
	}
	return e;
}

bool
bs_report_high_risk(bs_store *s, size_t limit, GPtrArray **out, GError **error)
{
	g_autoptr(GPtrArray) list =
	    g_ptr_array_new_with_free_func((GDestroyNotify)bs_risk_entry_free);
	bs_report__people people;
	bool ok = bs_report__people_load(s, &people, error);

	for (guint i = 0; ok && i < people.persons->len && list->len < limit; i++) {
		const bs_report__person *p = people.persons->pdata[i];
		bs_risk_entry *e;

		if (p->score < BS_RISK_HIGH_SCORE)
			break; /* ranked: the rest score lower */
		e = bs_report__risk_entry(s, p, error);
		if (!e)
			ok = false;
		else
			g_ptr_array_add(list, e);
	}
	bs_report__people_fini(&people);
	if (ok)
		*out = g_steal_pointer(&list);
	return ok;
}
