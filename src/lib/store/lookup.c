/* lookup and stats answers: built from rows any backend yields, written as
 * the JSON shapes of issue 3 (shared by lookup, serve's API and report). */
#include "store/store.h"

#include "store/internal.h"

static void
count_free(gpointer p)
{
	bs_count *c = p;

	g_free(c->name);
	g_free(c);
}

static int
count_cmp(gconstpointer a, gconstpointer b)
{
	const bs_count *x = *(const bs_count *const *)a;
	const bs_count *y = *(const bs_count *const *)b;

	return strcmp(x->name, y->name);
}

static int
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
bs_lookup_init(bs_lookup *out)
{
	memset(out, 0, sizeof *out);
	out->mailboxes = g_ptr_array_new_with_free_func(g_free);
	out->categories = g_ptr_array_new_with_free_func(count_free);
}

void
bs_lookup_fini(bs_lookup *out)
{
	g_clear_pointer(&out->mailboxes, g_ptr_array_unref);
	g_clear_pointer(&out->categories, g_ptr_array_unref);
}

static bool
has_str(GPtrArray *a, const char *s)
{
	for (guint i = 0; i < a->len; i++)
		if (strcmp(a->pdata[i], s) == 0)
			return true;
	return false;
}

void
bs_store__lookup_add_message(bs_lookup *l, const char *date, const char *mailbox, const char *grade)
{
	l->found = true;
	l->messages++;
	if (date && strlen(date) >= 10) {
		if (!l->first[0] || strncmp(date, l->first, 10) < 0)
			g_strlcpy(l->first, date, sizeof l->first);
		if (!l->last[0] || strncmp(date, l->last, 10) > 0)
			g_strlcpy(l->last, date, sizeof l->last);
	}
	if (mailbox && !has_str(l->mailboxes, mailbox))
		g_ptr_array_add(l->mailboxes, g_strdup(mailbox));
	if (g_strcmp0(grade, "accessed") == 0)
		l->accessed++;
	else if (g_strcmp0(grade, "synced") == 0)
		l->synced++;
	else if (g_strcmp0(grade, "window") == 0)
		l->window++;
}

void
bs_store__lookup_add_category(bs_lookup *l, const char *category, int64_t messages)
{
	bs_count *c = g_new0(bs_count, 1);

	c->name = g_strdup(category);
	c->count = messages;
	g_ptr_array_add(l->categories, c);
}

void
bs_store__lookup_finish(bs_lookup *l)
{
	g_ptr_array_sort(l->mailboxes, str_cmp);
	g_ptr_array_sort(l->categories, count_cmp);
}

void
bs_lookup_write_json(const bs_lookup *l, const char *key, bs_json *j)
{
	bs_json_obj_begin(j, key);
	bs_json_bool(j, "found", l->found);
	bs_json_int(j, "messages", l->messages);
	bs_json_str(j, "first", l->first[0] ? l->first : NULL);
	bs_json_str(j, "last", l->last[0] ? l->last : NULL);
	bs_json_arr_begin(j, "mailboxes");
	for (guint i = 0; i < l->mailboxes->len; i++)
		bs_json_str(j, NULL, l->mailboxes->pdata[i]);
	bs_json_arr_end(j);
	bs_json_obj_begin(j, "categories");
	for (guint i = 0; i < l->categories->len; i++) {
		const bs_count *c = l->categories->pdata[i];

		bs_json_int(j, c->name, c->count);
	}
	bs_json_obj_end(j);
	bs_json_obj_begin(j, "exposure");
	bs_json_int(j, "accessed", l->accessed);
	bs_json_int(j, "synced", l->synced);
	bs_json_int(j, "window", l->window);
	bs_json_obj_end(j);
	bs_json_obj_end(j);
}

/* Kinds stats always shows, in this order, even at zero. */
static const char *const main_kinds[] = {"pnr", "samordningsnummer", "email", "phone"};

void
bs_stats_init(bs_stats *out)
{
	memset(out, 0, sizeof *out);
	out->subjects = g_ptr_array_new_with_free_func(count_free);
	for (size_t i = 0; i < G_N_ELEMENTS(main_kinds); i++)
		bs_store__stats_set_kind(out, main_kinds[i], 0);
}

void
bs_stats_fini(bs_stats *out)
{
	g_clear_pointer(&out->subjects, g_ptr_array_unref);
}

/* Sets a kind's count; kinds other than the main ones are added in the order
 * given (backends yield them sorted). */
void
bs_store__stats_set_kind(bs_stats *st, const char *kind, int64_t count)
{
	bs_count *c;

	for (guint i = 0; i < st->subjects->len; i++) {
		c = st->subjects->pdata[i];
		if (strcmp(c->name, kind) == 0) {
			c->count = count;
			return;
		}
	}
	c = g_new0(bs_count, 1);
	c->name = g_strdup(kind);
	c->count = count;
	g_ptr_array_add(st->subjects, c);
}

void
bs_stats_write_json(const bs_stats *st, const char *key, bs_json *j)
{
	bs_json_obj_begin(j, key);
	bs_json_obj_begin(j, "messages");
	bs_json_int(j, "total", st->messages);
	bs_json_int(j, "ok", st->ok);
	bs_json_int(j, "partial", st->partial);
	bs_json_int(j, "failed", st->failed);
	bs_json_obj_end(j);
	bs_json_obj_begin(j, "subjects");
	for (guint i = 0; i < st->subjects->len; i++) {
		const bs_count *c = st->subjects->pdata[i];

		bs_json_int(j, c->name, c->count);
	}
	bs_json_obj_end(j);
	bs_json_int(j, "occurrences", st->occurrences);
	bs_json_obj_end(j);
}
