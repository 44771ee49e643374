/* The writer: batches of results into the store. It has no thread of its
 * own: whichever scan thread holds the run's write lock calls it. A message
 * and its subjects, occurrences and categories go into the same
 * transaction, so a kill between commits loses whole messages only. */
#include "scan/scan.h"

#include <string.h>

#include "scan/internal.h"

/* Commit at the latest this long after a batch began, so that a slow
 * stream of messages still reaches the disk (checked at each write). */
#define WRITER_BATCH_US (500 * 1000)

struct bs_scan__writer {
	bs_store *store;
	const bs_detector *detector;
	bool vault;
	uint8_t vault_pk[BS_VAULT_KEY_LEN];
	bs_scan__done_fn *on_done;
	void *user;
	GHashTable *known; /* known_subject *: subjects written in the open batch */
	GPtrArray *batch;  /* bs_scan__result *, written, not yet committed */
	int64_t batch_start_us;
};

/* A subject written in the open batch, its own hash key. Kept only within
 * one transaction: a rolled-back batch takes its new subjects with it, and
 * between batches another scanner's prune may drop a subject. */
typedef struct {
	uint8_t pseudonym[BS_PSEUDONYM_LEN];
	const char *kind; /* static bs_kind_name() */
	int64_t id;
	const char *role; /* BS_ROLE_* or NULL, as merged so far */
} known_subject;

static guint
known_hash(gconstpointer k)
{
	const known_subject *s = k;
	guint h;

	memcpy(&h, s->pseudonym, sizeof h); /* a keyed hash: its bytes are uniform */
	return h;
}

static gboolean
known_equal(gconstpointer a, gconstpointer b)
{
	const known_subject *x = a, *y = b;

	return x->kind == y->kind && memcmp(x->pseudonym, y->pseudonym, BS_PSEUDONYM_LEN) == 0;
}

/* The store's order-free merge: staff > resident > NULL. */
static const char *
merge_role(const char *a, const char *b)
{
	if (!a || (b && strcmp(b, BS_ROLE_STAFF) == 0))
		return b;
	return a;
}

/* The subject's id from the batch's own memory when its role adds nothing;
 * else from the store (which merges the role), remembered. */
static bool
subject_id(bs_scan__writer *wr, const bs_scan__subject *s, int64_t *out_id, bool *out_created,
           GError **error)
{
	known_subject key = {.kind = s->kind};
	known_subject *k;

	memcpy(key.pseudonym, s->pseudonym, BS_PSEUDONYM_LEN);
	k = g_hash_table_lookup(wr->known, &key);
	*out_created = false;
	if (k && merge_role(k->role, s->role) == k->role) {
		*out_id = k->id;
		return true;
	}
	if (!bs_store_subject_put(wr->store, s->kind, s->pseudonym, s->role, out_id, out_created,
	                          error))
		return false;
	if (!k) {
		k = g_memdup2(&key, sizeof key);
		g_hash_table_add(wr->known, k);
	}
	k->id = *out_id;
	k->role = merge_role(k->role, s->role);
	return true;
}

static bool
seal_subject(bs_scan__writer *wr, const bs_scan__subject *s, int64_t sid, GError **error)
{
	size_t len = 0;
	g_autofree uint8_t *sealed =
	    bs_vault_seal(wr->vault_pk, s->kind, s->canonical, strlen(s->canonical), &len);

	if (!sealed) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO, "cannot seal a vault entry");
		return false;
	}
	return bs_store_vault_put(wr->store, sid, sealed, len, error);
}

static bool
write_subject(bs_scan__writer *wr, const bs_scan__subject *s, int64_t mid, GError **error)
{
	int64_t sid = 0;
	bool created = false;

	if (!subject_id(wr, s, &sid, &created, error))
		return false;
	if (created && wr->vault && s->canonical && !seal_subject(wr, s, sid, error))
		return false;
	for (int where = 0; where < BS_SCAN_WHERE_COUNT; where++) {
		bs_occurrence_row o = {
		    .subject_id = sid,
		    .message_id = mid,
		    .location = bs_where_name((bs_where)where),
		    .confidence = bs_confidence_name((bs_confidence)s->confidence[where]),
		    .child = s->child,
		    .count = s->count[where],
		};

		if (s->count[where] && !bs_store_occurrence_add(wr->store, &o, error))
			return false;
	}
	return bs_scan__facts_write(wr->store, s, mid, sid, error);
}

static bool
write_message(bs_scan__writer *wr, const bs_scan__result *r, GError **error)
{
	bs_message_row row = {
	    .source_id = r->source_id,
	    .locator = r->locator,
	    .message_id = r->message_id,
	    .date = r->date,
	    .mailbox = r->mailbox,
	    .folder = r->folder,
	    .grade = r->grade,
	    .status = r->status,
	    .reason = r->reason,
	    .bytes = (int64_t)r->bytes,
	};
	int64_t mid = 0;

	if (!bs_store_message_put(wr->store, &row, &mid, error))
		return false;
	for (guint i = 0; i < r->subjects->len; i++)
		if (!write_subject(wr, g_ptr_array_index(r->subjects, i), mid, error))
			return false;
	for (guint i = 0; i < r->categories->len; i++) {
		uint32_t n = g_array_index(r->categories, uint32_t, i);
		const char *name = bs_detector_category_name(wr->detector, i);

		if (n && !bs_store_category_add(wr->store, mid, name, n, error))
			return false;
	}
	return true;
}

/* Hands the batch's results to on_done (after a commit or a rollback). */
static void
batch_done(bs_scan__writer *wr)
{
	for (guint i = 0; i < wr->batch->len; i++)
		wr->on_done(g_ptr_array_index(wr->batch, i), wr->user);
	g_ptr_array_set_size(wr->batch, 0);
	g_hash_table_remove_all(wr->known);
}

bool
bs_scan__writer_flush(bs_scan__writer *wr, GError **error)
{
	if (wr->batch->len == 0)
		return true;
	if (!bs_store_commit(wr->store, error)) {
		batch_done(wr);
		return false;
	}
	batch_done(wr);
	return true;
}

bool
bs_scan__writer_put(bs_scan__writer *wr, bs_scan__result *r, GError **error)
{
	if (wr->batch->len == 0) {
		if (!bs_store_begin(wr->store, error)) {
			wr->on_done(r, wr->user);
			return false;
		}
		wr->batch_start_us = g_get_monotonic_time();
	}
	g_ptr_array_add(wr->batch, r);
	if (!write_message(wr, r, error)) {
		bs_store_rollback(wr->store);
		batch_done(wr);
		return false;
	}
	if (wr->batch->len >= BS_SCAN_BATCH_MESSAGES ||
	    g_get_monotonic_time() - wr->batch_start_us >= WRITER_BATCH_US)
		return bs_scan__writer_flush(wr, error);
	return true;
}

bs_scan__writer *
bs_scan__writer_new(bs_store *store, const bs_detector *detector, const uint8_t *vault_pk,
                    bs_scan__done_fn *on_done, void *user)
{
	bs_scan__writer *wr = g_new0(bs_scan__writer, 1);

	wr->store = store;
	wr->detector = detector;
	if (vault_pk) {
		wr->vault = true;
		memcpy(wr->vault_pk, vault_pk, BS_VAULT_KEY_LEN);
	}
	wr->on_done = on_done;
	wr->user = user;
	wr->batch = g_ptr_array_new();
	wr->known = g_hash_table_new_full(known_hash, known_equal, g_free, NULL);
	return wr;
}

void
bs_scan__writer_free(bs_scan__writer *wr)
{
	if (!wr)
		return;
	if (wr->batch->len) {
		bs_store_rollback(wr->store);
		batch_done(wr);
	}
	g_ptr_array_unref(wr->batch);
	g_hash_table_unref(wr->known);
	g_free(wr);
}
