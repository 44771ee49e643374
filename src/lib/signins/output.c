/* signins: results: summary rows, the scope file, the --json object. */
#include "signins/internal.h"

uint64_t
bs_signins_rows_read(const bs_signins *s)
{
	return s->rows;
}

uint64_t
bs_signins_rows_skipped(const bs_signins *s)
{
	return s->skipped;
}

size_t
bs_signins_compromised_count(const bs_signins *s)
{
	return s->compromised;
}

size_t
bs_signins_row_count(const bs_signins *s)
{
	return s->sorted->len;
}

static size_t
items_graded(const bs_signins__account *a, bs_grade g)
{
	GHashTableIter it;
	gpointer v;
	size_t n = 0;

	g_hash_table_iter_init(&it, a->items);
	while (g_hash_table_iter_next(&it, NULL, &v))
		n += GPOINTER_TO_INT(v) == (int)g;
	return n;
}

bool
bs_signins_row_get(const bs_signins *s, size_t i, bs_signins_row *out_row)
{
	const bs_signins__account *a;
	const bs_signins__span *last;

	if (i >= s->sorted->len)
		return false;
	a = g_ptr_array_index(s->sorted, i);
	memset(out_row, 0, sizeof *out_row);
	out_row->account = a->name;
	out_row->compromised = a->compromised;
	out_row->rules = a->rules;
	out_row->windows = a->windows->len;
	out_row->accessed = items_graded(a, BS_GRADE_ACCESSED);
	out_row->synced = items_graded(a, BS_GRADE_SYNCED) + g_hash_table_size(a->folders);
	out_row->throttled = a->throttled->len;
	if (a->windows->len) {
		last = &g_array_index(a->windows, bs_signins__span, a->windows->len - 1);
		out_row->first_us = g_array_index(a->windows, bs_signins__span, 0).from_us;
		out_row->contained_us = last->to_us;
	}
	return true;
}

static void
json_time(bs_json *j, const char *key, int64_t us)
{
	char buf[BS_SCOPE_TIME_LEN];

	if (us == BS_SCOPE_OPEN_END)
		bs_json_null(j, key);
	else
		bs_json_str(j, key, bs_scope_time_format(us, buf, sizeof buf));
}

static void
json_spans(bs_json *j, const char *key, GArray *spans, const char *account)
{
	bs_json_arr_begin(j, key);
	for (guint i = 0; i < spans->len; i++) {
		const bs_signins__span *w = &g_array_index(spans, bs_signins__span, i);

		bs_json_obj_begin(j, NULL);
		if (account)
			bs_json_str(j, "account", account);
		json_time(j, "from", w->from_us);
		json_time(j, "to", w->to_us);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
}

static int
str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
json_items(bs_json *j, const bs_signins__account *a)
{
	g_autofree gpointer *keys = g_hash_table_get_keys_as_array(a->items, NULL);
	guint n = g_hash_table_size(a->items);

	qsort(keys, n, sizeof *keys, str_ptr_cmp);
	bs_json_arr_begin(j, "items");
	for (guint i = 0; i < n; i++) {
		bs_grade g = (bs_grade)GPOINTER_TO_INT(g_hash_table_lookup(a->items, keys[i]));

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "message_id", keys[i]);
		bs_json_str(j, "grade", bs_grade_name(g));
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
}

static void
json_folders(bs_json *j, const bs_signins__account *a)
{
	g_autofree gpointer *keys = g_hash_table_get_keys_as_array(a->folders, NULL);
	guint n = g_hash_table_size(a->folders);

	qsort(keys, n, sizeof *keys, str_ptr_cmp);
	bs_json_arr_begin(j, "folders");
	for (guint i = 0; i < n; i++) {
		const bs_signins__span *sp = g_hash_table_lookup(a->folders, keys[i]);

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "folder", keys[i]);
		bs_json_str(j, "grade", "synced");
		json_time(j, "from", sp->from_us);
		json_time(j, "to", sp->to_us);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
}

static int
hit_cmp(const void *a, const void *b)
{
	const bs_signins__hit *x = *(bs_signins__hit *const *)a;
	const bs_signins__hit *y = *(bs_signins__hit *const *)b;

	if (x->first_us != y->first_us)
		return (x->first_us > y->first_us) - (x->first_us < y->first_us);
	if (x->rule != y->rule)
		return (int)x->rule - (int)y->rule;
	return strcmp(x->ip, y->ip);
}

static void
json_evidence(bs_json *j, const bs_signins__account *a)
{
	guint n = g_hash_table_size(a->hits);
	g_autofree gpointer *hits = g_new(gpointer, n + 1);
	GHashTableIter it;
	guint k = 0;

	g_hash_table_iter_init(&it, a->hits);
	while (g_hash_table_iter_next(&it, NULL, &hits[k]))
		k++;

	qsort(hits, n, sizeof *hits, hit_cmp);
	bs_json_arr_begin(j, "evidence");
	for (guint i = 0; i < n; i++) {
		const bs_signins__hit *h = hits[i];

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "rule", bs_signins__rule_name(h->rule));
		json_time(j, "time", h->first_us);
		bs_json_str(j, "ip", h->ip[0] ? h->ip : NULL);
		bs_json_str(j, "record", h->id ? h->id : h->source);
		bs_json_str(j, "source", h->source);
		json_time(j, "last", h->last_us);
		bs_json_int(j, "count", (int64_t)h->count);
		bs_json_bool(j, "strong", h->strong);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
}

static void
json_mailboxes(bs_json *j, const bs_signins *s, const bs_signins__account *a)
{
	const char *at = strchr(a->name, '@');
	g_autofree char *local = g_strndup(a->name, at ? (size_t)(at - a->name) : strlen(a->name));

	bs_json_arr_begin(j, "mailboxes");
	if (s->mailbox_root) {
		g_autofree char *path = g_build_filename(s->mailbox_root, local, NULL);

		bs_json_str(j, NULL, path);
	}
	bs_json_arr_end(j);
}

void
bs_signins_write_scope(const bs_signins *s, bs_json *j)
{
	bs_json_obj_begin(j, NULL);
	bs_json_int(j, "version", 1);
	bs_json_arr_begin(j, "accounts");
	for (guint i = 0; i < s->sorted->len; i++) {
		const bs_signins__account *a = g_ptr_array_index(s->sorted, i);

		if (!a->compromised)
			continue;
		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "account", a->name);
		json_mailboxes(j, s, a);
		json_spans(j, "windows", a->windows, NULL);
		bs_json_bool(j, "open", a->open);
		json_items(j, a);
		json_folders(j, a);
		json_evidence(j, a);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
	bs_json_arr_begin(j, "throttled");
	for (guint i = 0; i < s->sorted->len; i++) {
		const bs_signins__account *a = g_ptr_array_index(s->sorted, i);

		for (guint k = 0; a->compromised && k < a->throttled->len; k++) {
			const bs_signins__span *t =
			    &g_array_index(a->throttled, bs_signins__span, k);

			bs_json_obj_begin(j, NULL);
			bs_json_str(j, "account", a->name);
			json_time(j, "from", t->from_us);
			json_time(j, "to", t->to_us);
			bs_json_obj_end(j);
		}
	}
	bs_json_arr_end(j);
	bs_json_obj_end(j);
}

static void
json_rules(bs_json *j, const char *rules)
{
	g_auto(GStrv) names = g_strsplit(rules, ",", -1);

	bs_json_arr_begin(j, "rules");
	for (size_t i = 0; names[i]; i++)
		if (*names[i])
			bs_json_str(j, NULL, names[i]);
	bs_json_arr_end(j);
}

void
bs_signins_write_summary(const bs_signins *s, bs_json *j)
{
	bs_json_obj_begin(j, NULL);
	bs_json_int(j, "compromised", (int64_t)s->compromised);
	bs_json_int(j, "rows", (int64_t)s->rows);
	bs_json_int(j, "skipped", (int64_t)s->skipped);
	bs_json_arr_begin(j, "accounts");
	for (guint i = 0; i < s->sorted->len; i++) {
		const bs_signins__account *a = g_ptr_array_index(s->sorted, i);
		bs_signins_row r;

		bs_signins_row_get(s, i, &r);
		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "account", a->name);
		bs_json_bool(j, "compromised", a->compromised);
		json_rules(j, a->rules);
		json_spans(j, "windows", a->windows, NULL);
		bs_json_bool(j, "open", a->open);
		bs_json_int(j, "accessed", (int64_t)r.accessed);
		bs_json_int(j, "synced", (int64_t)r.synced);
		bs_json_int(j, "throttled", (int64_t)r.throttled);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
	bs_json_obj_end(j);
}
