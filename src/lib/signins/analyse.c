/* signins: state and the passes over the inputs.
 *   0  CSV sign-in files only: how the file writes dates (day or month first)
 *   1  signals: rule hits per account, places, resets, MailItemsAccessed counts
 *   2  sessions: every session id used from an attacker address
 *   3  attribution: activity from attacker addresses or sessions, items
 * Between 1 and 2 the attacker's addresses are decided; after 3 the
 * accounts, windows and throttled periods. */
#include "signins/internal.h"

#include <gio/gio.h>

static void
account_free(gpointer p)
{
	bs_signins__account *a = p;

	for (guint i = 0; i < a->places->len; i++) {
		g_free(g_array_index(a->places, bs_signins__place, i).ip);
		g_free(g_array_index(a->places, bs_signins__place, i).id);
	}
	g_array_unref(a->places);
	g_hash_table_unref(a->hits);
	g_array_unref(a->contain_us);
	g_array_unref(a->mia_us);
	g_array_unref(a->throttled_us);
	g_array_unref(a->attack_us);
	g_hash_table_unref(a->items);
	g_hash_table_unref(a->folders);
	g_array_unref(a->windows);
	g_array_unref(a->throttled);
	g_free(a->rules);
	g_free(a->name);
	g_free(a);
}

static void
hit_free(gpointer p)
{
	bs_signins__hit *h = p;

	g_free(h->ip);
	g_free(h->source);
	g_free(h->id);
	g_free(h);
}

bs_signins__account *
bs_signins__account_get(bs_signins *s, const char *name)
{
	bs_signins__account *a = g_hash_table_lookup(s->accounts, name);

	if (a)
		return a;
	a = g_new0(bs_signins__account, 1);
	a->name = g_strdup(name);
	a->hits = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, hit_free);
	a->places = g_array_new(FALSE, FALSE, sizeof(bs_signins__place));
	a->contain_us = g_array_new(FALSE, FALSE, sizeof(int64_t));
	a->mia_us = g_array_new(FALSE, FALSE, sizeof(int64_t));
	a->throttled_us = g_array_new(FALSE, FALSE, sizeof(int64_t));
	a->attack_us = g_array_new(FALSE, FALSE, sizeof(int64_t));
	a->items = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	a->folders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	a->windows = g_array_new(FALSE, FALSE, sizeof(bs_signins__span));
	a->throttled = g_array_new(FALSE, FALSE, sizeof(bs_signins__span));
	g_hash_table_insert(s->accounts, a->name, a);
	return a;
}

static void
input_free(gpointer p)
{
	bs_signins__input *in = p;

	g_free(in->path);
	g_free(in);
}

bs_signins *
bs_signins_new(const bs_signins_options *opts)
{
	static const char *const home_default[] = {"SE", NULL};
	bs_signins *s = g_new0(bs_signins, 1);
	const char *const *home =
	    opts && opts->home_countries ? opts->home_countries : home_default;

	s->home = g_new0(char *, g_strv_length((char **)home) + 1);
	for (size_t i = 0; home[i]; i++)
		s->home[i] = g_ascii_strup(home[i], -1);
	s->contained_at_us = opts ? opts->contained_at_us : 0;
	s->mailbox_root = opts ? g_strdup(opts->mailbox_root) : NULL;
	s->inputs = g_ptr_array_new_with_free_func(input_free);
	s->ioc = g_ptr_array_new_with_free_func(g_object_unref);
	s->accounts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, account_free);
	s->sorted = g_ptr_array_new();
	s->attacker_ips = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->attacker_sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s->needles = g_ptr_array_new_with_free_func(g_free);
	return s;
}

void
bs_signins_free(bs_signins *s)
{
	if (!s)
		return;
	g_strfreev(s->home);
	g_free(s->mailbox_root);
	g_ptr_array_unref(s->inputs);
	g_ptr_array_unref(s->ioc);
	g_ptr_array_unref(s->sorted);
	g_hash_table_unref(s->accounts);
	g_hash_table_unref(s->attacker_ips);
	g_hash_table_unref(s->attacker_sessions);
	g_ptr_array_unref(s->needles);
	g_free(s);
}

void
bs_signins_add_file(bs_signins *s, const char *path, bool audit)
{
	bs_signins__input *in = g_new0(bs_signins__input, 1);

	in->path = g_strdup(path);
	in->audit = audit;
	g_ptr_array_add(s->inputs, in);
}

void
bs_signins__add_data(bs_signins *s, const char *name, const char *data, size_t len, bool audit)
{
	bs_signins_add_file(s, name, audit);
	((bs_signins__input *)g_ptr_array_index(s->inputs, s->inputs->len - 1))->data = data;
	((bs_signins__input *)g_ptr_array_index(s->inputs, s->inputs->len - 1))->len = len;
}

/* --- one event, by pass --- */

static bool
is_home(const bs_signins *s, const char *country)
{
	for (size_t i = 0; s->home[i]; i++)
		if (g_ascii_strcasecmp(s->home[i], country) == 0)
			return true;
	return false;
}

/* Consecutive sign-ins from one place become one place with a time span. */
static void
place_add(bs_signins *s, bs_signins__account *a, const bs_signins__event *ev)
{
	bs_signins__place *last =
	    a->places->len ? &g_array_index(a->places, bs_signins__place, a->places->len - 1)
	                   : NULL;
	bs_signins__place p = {ev->time_us, ev->time_us, ev->lat, ev->lon, true, NULL, NULL, 0};

	if (last && bs_signins__haversine_km(last->lat, last->lon, ev->lat, ev->lon) < 50 &&
	    llabs(ev->time_us - last->last_us) < (int64_t)24 * 3600 * G_USEC_PER_SEC) {
		last->first_us = MIN(last->first_us, ev->time_us);
		last->last_us = MAX(last->last_us, ev->time_us);
		return;
	}
	p.home = !ev->country || is_home(s, ev->country);
	p.ip = g_strdup(ev->ip);
	p.file = s->cur->path;
	p.line = ev->line;
	p.id = g_strdup(ev->id);
	g_array_append_val(a->places, p);
}

static void
hit(bs_signins *s, bs_signins__account *a, bs_signins__rule rule, bool strong,
    const bs_signins__event *ev)
{
	bs_signins__seen seen = {ev->ip, ev->time_us, s->cur->path, ev->line, ev->id};

	bs_signins__hit_add(a, rule, strong, &seen);
}

static void
signals_signin(bs_signins *s, bs_signins__account *a, const bs_signins__event *ev)
{
	if (!ev->success)
		return;
	if (ev->country && !is_home(s, ev->country))
		hit(s, a, BS_RULE_FOREIGN_COUNTRY, false, ev);
	if (bs_signins__legacy_client(ev->client_app))
		hit(s, a, BS_RULE_LEGACY_PROTOCOL, false, ev);
	if (ev->has_geo)
		place_add(s, a, ev);
}

static void
signals(bs_signins *s, const bs_signins__event *ev)
{
	bs_signins__account *a = bs_signins__account_get(s, ev->account);

	if (ev->success && ev->kind != BS_EV_CONTAIN && bs_signins__ioc_match(s, ev->ip)) {
		hit(s, a, BS_RULE_IOC_IP, true, ev);
		if (!g_hash_table_contains(s->attacker_ips, ev->ip))
			g_hash_table_add(s->attacker_ips, g_strdup(ev->ip));
	}
	switch (ev->kind) {
	case BS_EV_SIGNIN:
		signals_signin(s, a, ev);
		break;
	case BS_EV_MAIL_ACCESS:
		g_array_append_val(a->mia_us, ev->time_us);
		if (ev->throttled)
			g_array_append_val(a->throttled_us, ev->time_us);
		break;
	case BS_EV_INBOX_RULE:
		if (ev->suspicious)
			hit(s, a, BS_RULE_INBOX_RULE,
			    ev->strong || (ev->target && bs_signins__external(ev->target, a->name)),
			    ev);
		break;
	case BS_EV_FORWARDING:
		if (bs_signins__external(ev->target, a->name))
			hit(s, a, BS_RULE_FORWARDING, true, ev);
		break;
	case BS_EV_CONTAIN:
		g_array_append_val(a->contain_us, ev->time_us);
		break;
	case BS_EV_ACTIVITY:
		break;
	}
}

static bool
from_attacker_ip(const bs_signins *s, const bs_signins__event *ev)
{
	return ev->ip[0] &&
	       (g_hash_table_contains(s->attacker_ips, ev->ip) || bs_signins__ioc_match(s, ev->ip));
}

static void
sessions(bs_signins *s, const bs_signins__event *ev)
{
	if (ev->success && ev->kind != BS_EV_CONTAIN && ev->session && from_attacker_ip(s, ev) &&
	    !g_hash_table_contains(s->attacker_sessions, ev->session))
		g_hash_table_add(s->attacker_sessions, g_strdup(ev->session));
}

/* Whether the account's own hits made ip the attacker's: then the rules
 * that fired say why, and "attacker-ip" would add nothing. */
static bool
own_attribution(bs_signins__account *a, const char *ip)
{
	GHashTableIter it;
	gpointer v;
	guint weak = 0;

	g_hash_table_iter_init(&it, a->hits);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const bs_signins__hit *h = v;

		if (h->rule == BS_RULE_ATTACKER_IP || strcmp(h->ip, ip) != 0)
			continue;
		if (h->strong)
			return true;
		weak |= 1u << h->rule;
	}
	return __builtin_popcount(weak) >= 2;
}

static void
item_add(bs_signins__account *a, const char *id, bs_grade g)
{
	g_autofree char *key = NULL;
	gpointer old;

	if (!id || !*id)
		return;
	key = g_strdup(id);
	old = g_hash_table_lookup(a->items, key);
	if (GPOINTER_TO_INT(old) < (int)g)
		g_hash_table_replace(a->items, g_steal_pointer(&key), GINT_TO_POINTER(g));
}

static void
folder_add(bs_signins__account *a, const char *path, int64_t t)
{
	bs_signins__span *sp = g_hash_table_lookup(a->folders, path);

	if (!sp) {
		sp = g_new(bs_signins__span, 1);
		sp->from_us = sp->to_us = t;
		g_hash_table_insert(a->folders, g_strdup(path), sp);
	}
	sp->from_us = MIN(sp->from_us, t);
	sp->to_us = MAX(sp->to_us, t);
}

/* MailItemsAccessed in an attacker's context: Bind names the items read,
 * Sync names the folders downloaded (and sometimes their items). */
static void
collect_items(bs_signins__account *a, const bs_signins__event *ev)
{
	size_t i, k;
	json_t *f, *item;

	json_array_foreach(ev->folders, i, f)
	{
		const char *path = bs_signins__get_str(f, "Path");
		json_t *items = bs_signins__get(f, "FolderItems");

		if (ev->sync && path)
			folder_add(a, path, ev->time_us);
		json_array_foreach(items, k, item)
		    item_add(a, bs_signins__get_str(item, "InternetMessageId"),
		             ev->bind ? BS_GRADE_ACCESSED : BS_GRADE_SYNCED);
	}
}

static void
attribute(bs_signins *s, const bs_signins__event *ev)
{
	bs_signins__account *a;
	bool by_ip = from_attacker_ip(s, ev);

	if (!ev->success || ev->kind == BS_EV_CONTAIN)
		return;
	if (!by_ip && !(ev->session && g_hash_table_contains(s->attacker_sessions, ev->session)))
		return;
	a = bs_signins__account_get(s, ev->account);
	g_array_append_val(a->attack_us, ev->time_us);
	if (!by_ip)
		hit(s, a, BS_RULE_ATTACKER_SESSION, true, ev);
	else if (!bs_signins__ioc_match(s, ev->ip) && !own_attribution(a, ev->ip))
		hit(s, a, BS_RULE_ATTACKER_IP, true, ev); /* found through another account */
	if (ev->kind == BS_EV_MAIL_ACCESS && (ev->bind || ev->sync))
		collect_items(a, ev);
}

static void
handle(bs_signins *s, const bs_signins__event *ev)
{
	if (s->pass == 1)
		signals(s, ev);
	else if (s->pass == 2)
		sessions(s, ev);
	else if (s->pass == 3)
		attribute(s, ev);
}

/* --- reading --- */

static void
skip_row(bs_signins *s, uint64_t line, const char *reason)
{
	if (s->pass != 1)
		return; /* reported once */
	s->skipped++;
	if (s->skip)
		s->skip(s->cur->path, line, reason, s->skip_user);
}

static void
decoded(bs_signins *s, bool ok, bs_signins__event *ev, uint64_t line, const char *reason)
{
	if (!ok) {
		skip_row(s, line, reason);
		return;
	}
	if (s->pass == 1)
		s->rows++;
	ev->line = line;
	handle(s, ev);
}

static void
decode_json(bs_signins *s, json_t *rec, uint64_t line)
{
	bs_signins__event ev = {0};
	const char *reason = NULL;
	bool ok;

	if (s->cur->audit)
		ok = bs_signins__decode_audit_json(rec, &ev, &reason);
	else
		ok = bs_signins__decode_signin_json(rec, &ev, &reason);
	decoded(s, ok, &ev, line, reason);
}

static bool
fast_signin(bs_signins *s, const char *text, size_t len, uint64_t line)
{
	bs_signins__event ev = {0};
	bs_signins__fast_buf buf;

	if (!bs_signins__fast_signin(text, len, &ev, &buf))
		return false;
	decoded(s, true, &ev, line, NULL);
	return true;
}

/* Passes 2 and 3 look only at records that mention an attacker address or
 * session: a cheap search in the raw text spares parsing the rest. Needles
 * are the exact strings (plus an upper-case copy for IPv6 letters), so a
 * miss is never a record that could match. */
static void
make_needles(bs_signins *s)
{
	GHashTable *sets[] = {s->attacker_ips, s->attacker_sessions};

	g_ptr_array_set_size(s->needles, 0);
	for (size_t k = 0; k < G_N_ELEMENTS(sets); k++) {
		GHashTableIter it;
		gpointer key;

		g_hash_table_iter_init(&it, sets[k]);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			g_ptr_array_add(s->needles, g_strdup(key));
			if (k == 0)
				g_ptr_array_add(s->needles, g_ascii_strup(key, -1));
		}
	}
}

static bool
maybe_attacker(const bs_signins *s, const char *text, size_t len)
{
	if (s->needles->len > BS_SIGNINS_NEEDLES_MAX)
		return true; /* too many to search one by one: parse everything */
	for (guint i = 0; i < s->needles->len; i++) {
		const char *n = g_ptr_array_index(s->needles, i);

		if (memmem(text, len, n, strlen(n)))
			return true;
	}
	return false;
}

static bool
on_json(void *user, const char *text, size_t len, uint64_t line, const char *broken)
{
	bs_signins *s = user;
	json_error_t err;
	json_t *rec;

	if (s->pass == 0)
		return false; /* JSON has ISO dates: nothing to decide */
	if (s->pass >= 2 && (broken || !maybe_attacker(s, text, len)))
		return true;
	if (broken) {
		skip_row(s, line, broken);
		return true;
	}
	if (!s->cur->audit && fast_signin(s, text, len, line))
		return true;
	rec = json_loadb(text, len, 0, &err);
	if (!json_is_object(rec))
		skip_row(s, line, "not a JSON object");
	else
		decode_json(s, rec, line);
	json_decref(rec);
	return true;
}

static bool
csv_head(bs_signins *s, const bs_signins__csv_row *row)
{
	bs_signins__input *in = s->cur;
	bs_signins__date_order order = in->order;

	bs_signins__csv_header(row, &in->cols);
	in->cols.order = order;
	in->header_done = true;
	if (in->audit ? in->cols.audit_data >= 0 : (in->cols.time >= 0 && in->cols.user >= 0))
		return true;
	skip_row(s, row->line,
	         in->audit ? "header has no AuditData column"
	                   : "header has no date or user column");
	return false;
}

static void
csv_vote(bs_signins__input *in, const bs_signins__csv_row *row)
{
	bool ampm = false;
	int c = in->cols.time;

	if (c >= 0 && (size_t)c < row->count)
		in->votes[bs_signins__date_vote(row->data.data + row->off[c], &ampm)]++;
	in->ampm |= ampm;
}

static void
csv_audit(bs_signins *s, const bs_signins__csv_row *row)
{
	int c = s->cur->cols.audit_data;
	json_t *rec = NULL;

	if ((size_t)c < row->count)
		rec = json_loads(row->data.data + row->off[c], 0, NULL);
	if (!json_is_object(rec))
		skip_row(s, row->line, "AuditData is not a JSON object");
	else
		decode_json(s, rec, row->line);
	json_decref(rec);
}

static void
csv_signin(bs_signins *s, const bs_signins__csv_row *row)
{
	bs_signins__event ev = {0};
	const char *reason = NULL;
	bool ok = bs_signins__decode_signin_csv(row, &s->cur->cols, &ev, &reason);

	decoded(s, ok, &ev, row->line, reason);
}

static bool
on_csv(void *user, const bs_signins__csv_row *row)
{
	bs_signins *s = user;

	if (!s->cur->header_done)
		return csv_head(s, row);
	if (row->too_big) {
		skip_row(s, row->line, "row above the size limit");
		return true;
	}
	if (s->pass >= 2 && !maybe_attacker(s, row->data.data, row->data.len))
		return true;
	if (s->pass == 0)
		csv_vote(s->cur, row);
	else if (s->cur->audit)
		csv_audit(s, row);
	else
		csv_signin(s, row);
	return true;
}

/* Day or month first: what the values said; when none could tell, en-US
 * (AM/PM) is month first and everything else day first. */
static void
decide_order(bs_signins__input *in)
{
	uint64_t dmy = in->votes[BS_DATE_ORDER_DMY], mdy = in->votes[BS_DATE_ORDER_MDY];

	if (dmy || mdy)
		in->order = dmy >= mdy ? BS_DATE_ORDER_DMY : BS_DATE_ORDER_MDY;
	else
		in->order = in->ampm ? BS_DATE_ORDER_MDY : BS_DATE_ORDER_DMY;
}

static bool
run_pass(bs_signins *s, int pass, GError **error)
{
	s->pass = pass;
	for (guint i = 0; i < s->inputs->len; i++) {
		bs_signins__input *in = g_ptr_array_index(s->inputs, i);

		if (pass == 0 && in->audit)
			continue;
		s->cur = in;
		in->header_done = false;
		if (in->data)
			bs_signins__read_data(in->data, in->len, 0, on_json, on_csv, s);
		else if (!bs_signins__read_file(in->path, on_json, on_csv, s, error))
			return false;
		if (pass == 0)
			decide_order(in);
	}
	s->cur = NULL;
	return true;
}

bool
bs_signins_run(bs_signins *s, bs_signins_skip_fn *skip, void *user, GError **error)
{
	s->skip = skip;
	s->skip_user = user;
	if (!run_pass(s, 0, error) || !run_pass(s, 1, error))
		return false;
	bs_signins__decide_addresses(s);
	/* nothing to attribute: a clean tenant is read once */
	if (g_hash_table_size(s->attacker_ips) || s->ioc->len) {
		make_needles(s);
		if (!run_pass(s, 2, error))
			return false;
		make_needles(s);
		if (!run_pass(s, 3, error))
			return false;
	}
	bs_signins__decide_accounts(s);
	return true;
}
