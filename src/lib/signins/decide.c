/* signins: deciding. Which addresses are the attacker's, which accounts
 * are compromised, their windows and throttled periods (docs/signins.md). */
#include "signins/internal.h"

#include <gio/gio.h>

#define HOUR_US ((int64_t)3600 * G_USEC_PER_SEC)
#define DAY_US (24 * HOUR_US)
/* Microsoft: more than 1,000 MailItemsAccessed records in 24 hours stop the
 * logging of the mailbox for 24 hours. */
#define THROTTLE_RECORDS 1000
/* Faster than an airliner between two sign-ins. */
#define TRAVEL_KMH 1000.0
/* Geolocation of an address is rough: nearer places are one place. */
#define TRAVEL_MIN_KM 100.0

static const bool rule_strong[BS_RULE_COUNT] = {
    [BS_RULE_IOC_IP] = true,      [BS_RULE_INBOX_RULE] = true,       [BS_RULE_FORWARDING] = true,
    [BS_RULE_ATTACKER_IP] = true, [BS_RULE_ATTACKER_SESSION] = true,
};

void
bs_signins__hit_add(bs_signins__account *a, bs_signins__rule rule, bool strong,
                    const bs_signins__seen *seen)
{
	const char *ip = seen->ip;
	int64_t time_us = seen->time_us;
	g_autofree char *key = g_strdup_printf("%s %s", bs_signins__rule_name(rule), ip);
	bs_signins__hit *h = g_hash_table_lookup(a->hits, key);

	if (!h) {
		h = g_new0(bs_signins__hit, 1);
		h->rule = rule;
		h->ip = g_strdup(ip);
		h->first_us = h->last_us = time_us;
		g_hash_table_insert(a->hits, g_steal_pointer(&key), h);
	}
	h->strong |= strong && rule_strong[rule];
	h->count++;
	h->last_us = MAX(h->last_us, time_us);
	if (time_us <= h->first_us || !h->source) {
		h->first_us = time_us;
		g_free(h->source);
		g_free(h->id);
		h->source = g_strdup_printf("%s:%" G_GUINT64_FORMAT, seen->file, seen->line);
		h->id = g_strdup(seen->id);
	}
}

bool
bs_signins__external(const char *target, const char *account)
{
	const char *at = target ? strrchr(target, '@') : NULL;
	const char *home = strrchr(account, '@');
	size_t len;

	if (!at || !home)
		return false;
	at++;
	len = strcspn(at, " >;,");
	return !(strlen(home + 1) == len && g_ascii_strncasecmp(at, home + 1, len) == 0);
}

bool
bs_signins__ioc_match(const bs_signins *s, const char *ip)
{
	g_autoptr(GInetAddress) addr = NULL;

	if (!ip || !*ip || s->ioc->len == 0)
		return false;
	addr = g_inet_address_new_from_string(ip);
	if (!addr)
		return false;
	for (guint i = 0; i < s->ioc->len; i++)
		if (g_inet_address_mask_matches(g_ptr_array_index(s->ioc, i), addr))
			return true;
	return false;
}

bool
bs_signins_load_ioc(bs_signins *s, const char *path, GError **error)
{
	json_error_t err;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	json_t *ips, *v;
	size_t i;
	bool ok = true;

	if (!root) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "%s:%d:%d: %s", path, err.line,
		            err.column, err.text);
		return false;
	}
	ips = json_object_get(root, "ips");
	if (!json_is_integer(json_object_get(root, "version")) ||
	    json_integer_value(json_object_get(root, "version")) != 1) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "%s: \"version\" is not 1", path);
		ok = false;
	}
	json_array_foreach(ips, i, v)
	{
		GInetAddressMask *m = NULL;
		g_autofree char *text = NULL;

		if (!ok)
			break;
		if (json_is_string(v))
			text = strchr(json_string_value(v), '/')
			           ? g_strdup(json_string_value(v))
			           : g_strdup_printf("%s/%d", json_string_value(v),
			                             strchr(json_string_value(v), ':') ? 128 : 32);
		if (text)
			m = g_inet_address_mask_new_from_string(text, NULL);
		if (!m) {
			g_set_error(error, BS_ERROR, BS_ERROR_PARSE,
			            "%s: element %zu of \"ips\" is not an address or range", path,
			            i);
			ok = false;
			break;
		}
		g_ptr_array_add(s->ioc, m);
	}
	json_decref(root);
	return ok;
}

/* --- impossible travel --- */

static int
place_cmp(gconstpointer a, gconstpointer b)
{
	const bs_signins__place *x = a, *y = b;

	return (x->first_us > y->first_us) - (x->first_us < y->first_us);
}

/* From p to q faster than an airliner: the place that is abroad is the odd
 * one out (an attacker between two home sign-ins makes two jumps). */
static void
travel(bs_signins__account *a)
{
	g_array_sort(a->places, place_cmp);
	for (guint i = 1; i < a->places->len; i++) {
		bs_signins__place *p = &g_array_index(a->places, bs_signins__place, i - 1);
		bs_signins__place *q = &g_array_index(a->places, bs_signins__place, i);
		double km = bs_signins__haversine_km(p->lat, p->lon, q->lat, q->lon);
		double hours = (double)(q->first_us - p->last_us) / HOUR_US;
		bs_signins__place *odd = (!p->home && q->home) ? p : q;
		bs_signins__seen seen = {odd->ip, odd == p ? p->last_us : q->first_us, odd->file,
		                         odd->line, odd->id};

		if (km < TRAVEL_MIN_KM || (hours > 0 && km / hours <= TRAVEL_KMH))
			continue;
		bs_signins__hit_add(a, BS_RULE_IMPOSSIBLE_TRAVEL, false, &seen);
	}
}

/* --- the attacker's addresses --- */

static void
addresses_of(bs_signins *s, bs_signins__account *a)
{
	g_autoptr(GHashTable) weak = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, a->hits);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		bs_signins__hit *h = v;
		guint mask;

		if (!h->ip[0])
			continue;
		if (h->strong) {
			g_hash_table_add(s->attacker_ips, g_strdup(h->ip));
			continue;
		}
		mask = GPOINTER_TO_UINT(g_hash_table_lookup(weak, h->ip));
		g_hash_table_insert(weak, h->ip, GUINT_TO_POINTER(mask | 1u << h->rule));
	}
	/* two different weak rules from one address, e.g. abroad and IMAP */
	g_hash_table_iter_init(&it, weak);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (__builtin_popcount(GPOINTER_TO_UINT(v)) >= 2 &&
		    !g_hash_table_contains(s->attacker_ips, k))
			g_hash_table_add(s->attacker_ips, g_strdup(k));
}

void
bs_signins__decide_addresses(bs_signins *s)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->accounts);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		travel(v);
		addresses_of(s, v);
	}
}

/* --- accounts --- */

static int
i64_cmp(gconstpointer a, gconstpointer b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static bool
hit_is_attacker(const bs_signins *s, const bs_signins__hit *h)
{
	return h->strong || (h->ip[0] && g_hash_table_contains(s->attacker_ips, h->ip));
}

/* Compromised: a strong hit, or an address the attacker used (two weak
 * rules from it). Also collects the first times of those hits as activity. */
static bool
judge_account(const bs_signins *s, bs_signins__account *a)
{
	GHashTableIter it;
	gpointer v;
	bool found = false;

	g_hash_table_iter_init(&it, a->hits);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const bs_signins__hit *h = v;

		if (hit_is_attacker(s, h)) {
			found = true;
			g_array_append_val(a->attack_us, h->first_us);
		}
	}
	return found;
}

static void
add_window(bs_signins__account *a, int64_t from, int64_t to)
{
	bs_signins__span w = {from, to};

	g_array_append_val(a->windows, w);
}

/* From the first attacker activity to the first reset or revocation at or
 * after it; activity after that opens the next window. */
static void
make_windows(const bs_signins *s, bs_signins__account *a)
{
	const int64_t *t = (const int64_t *)(void *)a->attack_us->data;
	const int64_t *c = (const int64_t *)(void *)a->contain_us->data;
	guint i = 0, k = 0;

	g_array_sort(a->attack_us, i64_cmp);
	g_array_sort(a->contain_us, i64_cmp);
	while (i < a->attack_us->len) {
		int64_t from = t[i];

		while (k < a->contain_us->len && c[k] < from)
			k++;
		if (k == a->contain_us->len) {
			bool given = s->contained_at_us && s->contained_at_us >= from;

			add_window(a, from, given ? s->contained_at_us : BS_SCOPE_OPEN_END);
			a->open = !given;
			return;
		}
		add_window(a, from, c[k]);
		while (i < a->attack_us->len && t[i] <= c[k])
			i++;
	}
}

static bool
overlaps_window(const bs_signins__account *a, int64_t from, int64_t to)
{
	for (guint i = 0; i < a->windows->len; i++) {
		const bs_signins__span *w = &g_array_index(a->windows, bs_signins__span, i);

		if (from <= w->to_us && to >= w->from_us)
			return true;
	}
	return false;
}

static void
add_throttled(bs_signins__account *a, int64_t from)
{
	bs_signins__span *last = a->throttled->len ? &g_array_index(a->throttled, bs_signins__span,
	                                                            a->throttled->len - 1)
	                                           : NULL;
	bs_signins__span sp = {from, from + DAY_US};

	if (!overlaps_window(a, sp.from_us, sp.to_us))
		return;
	if (last && sp.from_us <= last->to_us) {
		last->to_us = MAX(last->to_us, sp.to_us);
		return;
	}
	g_array_append_val(a->throttled, sp);
}

/* The record that reached 1000 in 24 hours, or one marked IsThrottled,
 * starts 24 hours in which the mailbox's access went unlogged. */
static void
make_throttled(bs_signins__account *a)
{
	g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(int64_t));
	const int64_t *t = (const int64_t *)(void *)a->mia_us->data;
	int64_t until = G_MININT64;

	g_array_sort(a->mia_us, i64_cmp);
	for (guint j = THROTTLE_RECORDS - 1; j < a->mia_us->len; j++) {
		if (t[j] <= until || t[j] - t[j - (THROTTLE_RECORDS - 1)] >= DAY_US)
			continue;
		g_array_append_val(starts, t[j]);
		until = t[j] + DAY_US;
	}
	g_array_append_vals(starts, a->throttled_us->data, a->throttled_us->len);
	g_array_sort(starts, i64_cmp);
	for (guint j = 0; j < starts->len; j++)
		add_throttled(a, g_array_index(starts, int64_t, j));
}

static void
name_rules(bs_signins__account *a)
{
	bool seen[BS_RULE_COUNT] = {false};
	GString *out = g_string_new(NULL);
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, a->hits);
	while (g_hash_table_iter_next(&it, NULL, &v))
		seen[((bs_signins__hit *)v)->rule] = true;
	for (int r = 0; r < BS_RULE_COUNT; r++)
		if (seen[r])
			g_string_append_printf(out, "%s%s", out->len ? "," : "",
			                       bs_signins__rule_name((bs_signins__rule)r));
	a->rules = g_string_free(out, FALSE);
}

static int
account_cmp(gconstpointer a, gconstpointer b)
{
	const bs_signins__account *x = *(bs_signins__account *const *)a;
	const bs_signins__account *y = *(bs_signins__account *const *)b;

	return strcmp(x->name, y->name);
}

void
bs_signins__decide_accounts(bs_signins *s)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, s->accounts);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		bs_signins__account *a = v;

		if (g_hash_table_size(a->hits) == 0)
			continue;
		g_ptr_array_add(s->sorted, a);
		name_rules(a);
		a->compromised = judge_account(s, a);
		if (!a->compromised)
			continue;
		s->compromised++;
		make_windows(s, a);
		make_throttled(a);
	}
	g_ptr_array_sort(s->sorted, account_cmp);
}
