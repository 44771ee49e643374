/* Sessions in memory: one table behind one lock; handlers work on copies.
 * A restart logs everyone out, which is what a breach-lookup service wants.
 * Replicas behind a load balancer need sticky sessions (docs/serve.md). */
#include "serve/internal.h"

#include <sodium.h>

struct bs_sessions {
	GMutex lock;
	GHashTable *by_id; /* id → bs_session*, owned */
	int64_t idle_us;
	int64_t absolute_us;
	size_t max_count; /* memory bound: new sessions refused beyond it */
	int64_t last_sweep_us;
};

void
bs_serve__hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

void
bs_serve__random_hex(char *out, size_t bytes)
{
	uint8_t buf[64];

	g_assert(bytes <= sizeof buf);
	randombytes_buf(buf, bytes);
	bs_serve__hex(buf, bytes, out);
}

void
bs_serve__b64url(const uint8_t *p, size_t len, char *out, size_t out_len)
{
	sodium_bin2base64(out, out_len, p, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
bs_serve__b64url_decode(const char *p, size_t len, uint8_t **out, size_t *out_len)
{
	size_t cap = len * 3 / 4 + 3;
	g_autofree uint8_t *buf = g_malloc(cap);
	size_t n = 0;
	const char *end = NULL;

	if (sodium_base642bin(buf, cap, p, len, NULL, &n, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != p + len)
		return false;
	*out = g_steal_pointer(&buf);
	*out_len = n;
	return true;
}

bool
bs_serve__ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb || la == 0)
		return false;
	return sodium_memcmp(a, b, la) == 0;
}

char *
bs_serve__now_rfc3339_dup(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	return g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
session_tag(const char *id, char tag[17])
{
	uint8_t h[8];

	crypto_generichash(h, sizeof h, (const uint8_t *)id, strlen(id), NULL, 0);
	bs_serve__hex(h, sizeof h, tag);
}

bs_sessions *
bs_serve__sessions_new(int64_t idle_us, int64_t absolute_us, size_t max_count)
{
	bs_sessions *ss = g_new0(bs_sessions, 1);

	g_mutex_init(&ss->lock);
	ss->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	ss->idle_us = idle_us;
	ss->absolute_us = absolute_us;
	ss->max_count = max_count;
	return ss;
}

void
bs_serve__sessions_free(bs_sessions *ss)
{
	if (!ss)
		return;
	g_hash_table_destroy(ss->by_id);
	g_mutex_clear(&ss->lock);
	g_free(ss);
}

static bool
expired(const bs_sessions *ss, const bs_session *s, int64_t now)
{
	return now - s->seen_us > ss->idle_us || now - s->created_us > ss->absolute_us;
}

static gboolean
sweep_one(gpointer key, gpointer value, gpointer user)
{
	bs_sessions *ss = user;

	return expired(ss, value, g_get_monotonic_time());
}

/* Caller holds the lock. Sweeps at most once a second. */
static void
sweep(bs_sessions *ss, int64_t now)
{
	if (now - ss->last_sweep_us < G_USEC_PER_SEC)
		return;
	ss->last_sweep_us = now;
	g_hash_table_foreach_remove(ss->by_id, sweep_one, ss);
}

bool
bs_serve__session_create(bs_sessions *ss, sess_kind kind, bs_session *out)
{
	bs_session *s = g_new0(bs_session, 1);
	int64_t now = g_get_monotonic_time();
	bool ok = false;

	bs_serve__random_hex(s->id, 32);
	bs_serve__random_hex(s->csrf, 32);
	session_tag(s->id, s->tag);
	s->kind = kind;
	s->created_us = s->seen_us = now;
	g_mutex_lock(&ss->lock);
	sweep(ss, now);
	if (g_hash_table_size(ss->by_id) < ss->max_count) {
		*out = *s;
		g_hash_table_insert(ss->by_id, s->id, s);
		ok = true;
	}
	g_mutex_unlock(&ss->lock);
	if (!ok)
		g_free(s);
	return ok;
}

bool
bs_serve__session_get(bs_sessions *ss, const char *id, bs_session *out)
{
	int64_t now = g_get_monotonic_time();
	bs_session *s;
	bool ok = false;

	if (!id || strlen(id) != SESS_ID_HEX)
		return false;
	g_mutex_lock(&ss->lock);
	s = g_hash_table_lookup(ss->by_id, id);
	if (s && expired(ss, s, now)) {
		g_hash_table_remove(ss->by_id, id);
		s = NULL;
	}
	if (s) {
		s->seen_us = now;
		*out = *s;
		ok = true;
	}
	g_mutex_unlock(&ss->lock);
	return ok;
}

void
bs_serve__session_put(bs_sessions *ss, const bs_session *s)
{
	bs_session *live;

	g_mutex_lock(&ss->lock);
	live = g_hash_table_lookup(ss->by_id, s->id);
	if (live)
		*live = *s;
	g_mutex_unlock(&ss->lock);
}

void
bs_serve__session_drop(bs_sessions *ss, const char *id)
{
	g_mutex_lock(&ss->lock);
	g_hash_table_remove(ss->by_id, id);
	g_mutex_unlock(&ss->lock);
}

bool
bs_serve__session_rotate(bs_sessions *ss, bs_session *s)
{
	bs_session *fresh = g_new0(bs_session, 1);

	*fresh = *s;
	bs_serve__random_hex(fresh->id, 32);
	bs_serve__random_hex(fresh->csrf, 32);
	session_tag(fresh->id, fresh->tag);
	fresh->created_us = fresh->seen_us = g_get_monotonic_time();
	g_mutex_lock(&ss->lock);
	g_hash_table_remove(ss->by_id, s->id);
	g_hash_table_insert(ss->by_id, fresh->id, fresh);
	*s = *fresh;
	g_mutex_unlock(&ss->lock);
	return true;
}
