/* Token buckets keyed by strings (client address, identity pseudonym, API
 * key name). Sharded so that the API path at tens of thousands of calls a
 * second does not serialise on one lock; each shard is bounded and drops
 * full buckets (idle long enough to have refilled) when it grows. */
#include "serve/internal.h"

#include <math.h>

#define SHARDS 16
#define SHARD_MAX 65536 /* keys per shard before full buckets are dropped */

typedef struct {
	double tokens;
	int64_t at_us;
} bucket;

typedef struct {
	GMutex lock;
	GHashTable *keys; /* char* → bucket*, both owned */
} shard;

struct bs_ratelimit {
	double per_us; /* refill rate */
	double burst;
	shard shards[SHARDS];
};

bs_ratelimit *
bs_serve__ratelimit_new(double per_minute, double burst)
{
	bs_ratelimit *rl = g_new0(bs_ratelimit, 1);

	rl->per_us = (per_minute > 0 ? per_minute : 1e-3) / 60e6;
	rl->burst = burst < 1 ? 1 : burst;
	for (int i = 0; i < SHARDS; i++) {
		g_mutex_init(&rl->shards[i].lock);
		rl->shards[i].keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	}
	return rl;
}

void
bs_serve__ratelimit_free(bs_ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < SHARDS; i++) {
		g_hash_table_destroy(rl->shards[i].keys);
		g_mutex_clear(&rl->shards[i].lock);
	}
	g_free(rl);
}

static double
refill(const bs_ratelimit *rl, const bucket *b, int64_t now_us)
{
	double t = b->tokens + (double)(now_us - b->at_us) * rl->per_us;

	return t > rl->burst ? rl->burst : t;
}

static void
prune(bs_ratelimit *rl, shard *sh, int64_t now_us)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, sh->keys);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (refill(rl, v, now_us) >= rl->burst)
			g_hash_table_iter_remove(&it);
}

bool
bs_serve__ratelimit_take(bs_ratelimit *rl, const char *key, int64_t now_us, int *out_retry_s)
{
	shard *sh = &rl->shards[g_str_hash(key) % SHARDS];
	bucket *b;
	bool ok;

	g_mutex_lock(&sh->lock);
	b = g_hash_table_lookup(sh->keys, key);
	if (!b) {
		if (g_hash_table_size(sh->keys) >= SHARD_MAX)
			prune(rl, sh, now_us);
		b = g_new0(bucket, 1);
		b->tokens = rl->burst;
		b->at_us = now_us;
		g_hash_table_insert(sh->keys, g_strdup(key), b);
	}
	b->tokens = refill(rl, b, now_us);
	b->at_us = now_us;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else if (out_retry_s)
		*out_retry_s = MAX(1, (int)ceil((1.0 - b->tokens) / rl->per_us / 1e6));
	g_mutex_unlock(&sh->lock);
	return ok;
}
