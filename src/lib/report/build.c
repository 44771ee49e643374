/* Building the report: figures from the store, people, the high-risk list,
 * the scope's timeline and the e-service's cases. */
#include "report/report.h"

#include "report/internal.h"

/* by_kind always names these, then any other kind present (sorted). */
static const char *const main_kinds[] = {"pnr", "samordningsnummer", "email", "phone", NULL};

static void
account_free(gpointer p)
{
	bs_report__account *a = p;

	g_free(a->name);
	g_array_unref(a->spans);
	g_free(a);
}

void
bs_report_free(bs_report *r)
{
	if (!r)
		return;
	bs_figures_fini(&r->fig);
	bs_report__people_fini(&r->people);
	if (r->risk)
		g_ptr_array_unref(r->risk);
	if (r->accounts)
		g_ptr_array_unref(r->accounts);
	if (r->by_kind)
		g_ptr_array_unref(r->by_kind);
	g_free(r);
}

int64_t
bs_report_incomplete(const bs_report *r)
{
	return r->fig.exposed_partial + r->fig.exposed_failed;
}

static void
kind_add(GPtrArray *by_kind, const char *kind)
{
	bs_count *c;

	for (guint i = 0; i < by_kind->len; i++) {
		c = by_kind->pdata[i];
		if (strcmp(c->name, kind) == 0) {
			c->count++;
			return;
		}
	}
	c = g_new0(bs_count, 1);
	c->name = g_strdup(kind);
	c->count = 1;
	g_ptr_array_add(by_kind, c);
}

static int
kind_cmp(gconstpointer a, gconstpointer b)
{
	const bs_count *x = *(const bs_count *const *)a, *y = *(const bs_count *const *)b;
	int ix = 4, iy = 4;

	for (int i = 0; main_kinds[i]; i++) {
		if (strcmp(main_kinds[i], x->name) == 0)
			ix = i;
		if (strcmp(main_kinds[i], y->name) == 0)
			iy = i;
	}
	return ix != iy ? ix - iy : strcmp(x->name, y->name);
}

static void
count_subject(bs_report *r, const bs_subject_figures *sf)
{
	unsigned cats = bs_report__subject_cats(sf);

	r->subj_max++;
	r->subj_min += sf->grade == BS_GRADE_ACCESSED;
	r->children += sf->child;
	if (g_strcmp0(sf->role, BS_ROLE_RESIDENT) == 0)
		r->residents++;
	else if (g_strcmp0(sf->role, BS_ROLE_STAFF) == 0)
		r->staff++;
	else
		r->unknown_role++;
	for (int k = 0; k < CAT_COUNT; k++)
		r->by_cat[k] += (cats >> k) & 1u;
	r->osl += (cats & ((1u << CAT_SOCIAL) | (1u << CAT_SCHOOL) | (1u << CAT_PROTECTED))) != 0;
	kind_add(r->by_kind, sf->kind);
}

static void
count_people(bs_report *r)
{
	GPtrArray *subjects = r->people.subjects, *persons = r->people.persons;

	r->by_kind = g_ptr_array_new_with_free_func((GDestroyNotify)bs_count_free);
	for (int i = 0; main_kinds[i]; i++) {
		bs_count *c = g_new0(bs_count, 1);

		c->name = g_strdup(main_kinds[i]);
		g_ptr_array_add(r->by_kind, c);
	}
	for (guint i = 0; i < subjects->len; i++)
		count_subject(r, subjects->pdata[i]);
	g_ptr_array_sort(r->by_kind, kind_cmp);
	for (guint i = 0; i < persons->len; i++) {
		const bs_report__person *p = persons->pdata[i];

		r->pers_max++;
		r->pers_min += p->grade == BS_GRADE_ACCESSED;
		r->high_risk += p->score >= BS_RISK_HIGH_SCORE;
		r->protected_near += p->protected_near;
	}
}

static bool
build_risk(bs_report *r, bs_store *s, GError **error)
{
	r->risk = g_ptr_array_new_with_free_func((GDestroyNotify)bs_risk_entry_free);
	for (guint i = 0; i < r->people.persons->len && r->risk->len < BS_REPORT_HIGH_RISK_LIST;
	     i++) {
		const bs_report__person *p = r->people.persons->pdata[i];
		bs_risk_entry *e;

		if (p->score < BS_RISK_HIGH_SCORE)
			break;
		e = bs_report__risk_entry(s, p, error);
		if (!e)
			return false;
		g_ptr_array_add(r->risk, e);
	}
	return true;
}

/* The scope's accounts and spans; from/to the earliest start and latest end. */
static void
build_accounts(bs_report *r, const bs_scope *scope)
{
	r->accounts = g_ptr_array_new_with_free_func(account_free);
	for (size_t i = 0; i < bs_scope_account_count(scope); i++) {
		bs_report__account *a = g_new0(bs_report__account, 1);
		size_t n = bs_scope_account_spans(scope, i, NULL, 0);

		a->name = g_strdup(bs_scope_account_name(scope, i));
		a->spans = g_array_sized_new(FALSE, TRUE, sizeof(bs_scope_span), (guint)n);
		g_array_set_size(a->spans, (guint)n);
		bs_scope_account_spans(scope, i, (bs_scope_span *)(void *)a->spans->data, n);
		for (size_t k = 0; k < n; k++) {
			const bs_scope_span *sp = &g_array_index(a->spans, bs_scope_span, k);

			if (!r->from_us || sp->from_us < r->from_us)
				r->from_us = sp->from_us;
			if (sp->to_us > r->to_us)
				r->to_us = sp->to_us;
		}
		g_ptr_array_add(r->accounts, a);
	}
}

bs_report *
bs_report_build(bs_store *s, const bs_config *cfg, const bs_scope *scope, GError **error)
{
	g_autoptr(bs_report) r = g_new0(bs_report, 1);

	r->cfg = cfg;
	bs_figures_init(&r->fig);
	if (!bs_store_figures(s, BS_REPORT_PROBLEMS, &r->fig, error) ||
	    !bs_report__people_load(s, &r->people, error) ||
	    !bs_store_case_counts(s, &r->cases, error))
		return NULL;
	count_people(r);
	if (!build_risk(r, s, error))
		return NULL;
	build_accounts(r, scope);
	return g_steal_pointer(&r);
}
