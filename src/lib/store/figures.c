/* Reads for the breach report: argument checks, dispatch to the backend,
 * and the accumulation any backend shares (problem list, defect reasons,
 * per-subject categories). */
#include "store/store.h"

#include "store/internal.h"

static const char *const facts[] = {BS_FACT_SENDER, BS_FACT_SELF, BS_FACT_PROTECTED, NULL};

const char *
bs_store__fact_name(const char *stored)
{
	for (size_t i = 0; stored && facts[i]; i++)
		if (strcmp(stored, facts[i]) == 0)
			return facts[i];
	return NULL;
}

void
bs_store__count_free(gpointer p)
{
	bs_count_free(p);
}

void
bs_count_free(bs_count *c)
{
	if (!c)
		return;
	g_free(c->name);
	g_free(c);
}

static void
mailbox_figures_free(gpointer p)
{
	bs_mailbox_figures *m = p;

	g_free(m->mailbox);
	g_free(m);
}

static void
day_figures_free(gpointer p)
{
	bs_day_figures *d = p;

	g_free(d->mailbox);
	g_free(d);
}

static void
problem_free(gpointer p)
{
	bs_problem_row *r = p;

	g_free(r->source);
	g_free(r->locator);
	g_free(r->mailbox);
	g_free(r->status);
	g_free(r->reason);
	g_free(r);
}

void
bs_figures_init(bs_figures *f)
{
	memset(f, 0, sizeof *f);
	f->mailboxes = g_ptr_array_new_with_free_func(mailbox_figures_free);
	f->days = g_ptr_array_new_with_free_func(day_figures_free);
	f->problems = g_ptr_array_new_with_free_func(problem_free);
	f->reasons = g_ptr_array_new_with_free_func(bs_store__count_free);
}

void
bs_figures_fini(bs_figures *f)
{
	g_clear_pointer(&f->mailboxes, g_ptr_array_unref);
	g_clear_pointer(&f->days, g_ptr_array_unref);
	g_clear_pointer(&f->problems, g_ptr_array_unref);
	g_clear_pointer(&f->reasons, g_ptr_array_unref);
}

static void
count_add(GPtrArray *counts, const char *name, size_t len, int64_t n)
{
	bs_count *c;

	for (guint i = 0; i < counts->len; i++) {
		c = counts->pdata[i];
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0) {
			c->count += n;
			return;
		}
	}
	c = g_new0(bs_count, 1);
	c->name = g_strndup(name, len);
	c->count = n;
	g_ptr_array_add(counts, c);
}

/* Reason text is "code at part offset N; code at part" (mail walk): each
 * code counts once per message. */
static void
add_reasons(GPtrArray *reasons, const char *reason)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) parts = g_strsplit(reason ? reason : "", ";", -1);

	for (char **p = parts; *p; p++) {
		const char *code = *p + strspn(*p, " ");
		size_t len = strcspn(code, " ");

		if (len == 0)
			continue;
		if (g_ptr_array_find_with_equal_func(seen, code, NULL, NULL))
			continue;
		g_ptr_array_add(seen, g_strndup(code, len));
		count_add(reasons, code, len, 1);
	}
	if (!reason || !*reason)
		count_add(reasons, "unrecorded", strlen("unrecorded"), 1);
}

/* The mailbox's figures: rows come ordered by mailbox, so only the last
 * one can match. */
bs_mailbox_figures *
bs_store__mailbox_get(bs_figures *f, const char *name)
{
	bs_mailbox_figures *m =
	    f->mailboxes->len ? f->mailboxes->pdata[f->mailboxes->len - 1] : NULL;

	if (m && strcmp(m->mailbox, name) == 0)
		return m;
	m = g_new0(bs_mailbox_figures, 1);
	m->mailbox = g_strdup(name);
	g_ptr_array_add(f->mailboxes, m);
	return m;
}

/* Takes row. Exposed problems go before unexposed ones in the list. */
void
bs_store__figures_add_problem(bs_figures *f, size_t max_problems, bs_problem_row *row)
{
	add_reasons(f->reasons, row->reason);
	if (f->problems->len < max_problems)
		g_ptr_array_add(f->problems, row);
	else
		problem_free(row);
}

void
bs_store__subject_add_category(bs_subject_figures *sf, const char *category, int64_t messages)
{
	if (!sf->categories)
		sf->categories = g_ptr_array_new_with_free_func(bs_store__count_free);
	count_add(sf->categories, category, strlen(category), messages);
}

void
bs_subject_figures_free(bs_subject_figures *f)
{
	if (!f)
		return;
	if (f->categories)
		g_ptr_array_unref(f->categories);
	g_free(f);
}

void
bs_message_ref_free(bs_message_ref *r)
{
	if (!r)
		return;
	g_free(r->mailbox);
	g_free(r->locator);
	g_free(r);
}

static int
count_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp((*(const bs_count *const *)a)->name, (*(const bs_count *const *)b)->name);
}

bool
bs_store_fact_add(bs_store *s, int64_t message_id, int64_t subject_id, const char *fact,
                  GError **error)
{
	for (size_t i = 0; fact && facts[i]; i++)
		if (strcmp(facts[i], fact) == 0)
			return s->ops->fact_add(s, message_id, subject_id, facts[i], error);
	g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: fact \"%s\" is not one of ours",
	            fact ? fact : "(null)");
	return false;
}

bool
bs_store_figures(bs_store *s, size_t max_problems, bs_figures *out, GError **error)
{
	if (!s->ops->figures(s, max_problems, out, error))
		return false;
	g_ptr_array_sort(out->reasons, count_cmp);
	return true;
}

bool
bs_store_subjects(bs_store *s, GPtrArray **out, GError **error)
{
	g_autoptr(GPtrArray) a =
	    g_ptr_array_new_with_free_func((GDestroyNotify)bs_subject_figures_free);

	if (!s->ops->subjects(s, a, error))
		return false;
	for (guint i = 0; i < a->len; i++) {
		bs_subject_figures *sf = a->pdata[i];

		if (sf->categories)
			g_ptr_array_sort(sf->categories, count_cmp);
	}
	*out = g_steal_pointer(&a);
	return true;
}

bool
bs_store_facts(bs_store *s, GArray **out, GError **error)
{
	g_autoptr(GArray) a = g_array_new(FALSE, TRUE, sizeof(bs_fact_row));

	if (!s->ops->facts(s, a, error))
		return false;
	*out = g_steal_pointer(&a);
	return true;
}

bool
bs_store_subject_messages(bs_store *s, int64_t subject_id, size_t limit, GPtrArray **out,
                          GError **error)
{
	g_autoptr(GPtrArray) a =
	    g_ptr_array_new_with_free_func((GDestroyNotify)bs_message_ref_free);

	if (!s->ops->subject_messages(s, subject_id, limit, a, error))
		return false;
	*out = g_steal_pointer(&a);
	return true;
}

bool
bs_store_vault_get(bs_store *s, int64_t subject_id, bool *out_found, uint8_t **out_sealed,
                   size_t *out_len, GError **error)
{
	return s->ops->vault_get(s, subject_id, out_found, out_sealed, out_len, error);
}

/* The e-service keeps its cases where it runs (serve/db.c): with the index
 * in PostgreSQL, in the workspace's SQLite file; none when that file is not
 * on this machine. */
bool
bs_store_case_counts(bs_store *s, bs_case_counts *out, GError **error)
{
	g_autoptr(bs_store) service = NULL;

	memset(out, 0, sizeof *out);
	if (!s->service_db)
		return s->ops->case_counts(s, out, error);
	if (!g_file_test(s->service_db, G_FILE_TEST_EXISTS))
		return true;
	service = bs_store_open(s->service_db, false, error);
	return service && service->ops->case_counts(service, out, error);
}
