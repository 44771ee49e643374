/* The writer thread: the only user of the store while a source is scanned.
 * A message and its subjects, occurrences and categories go into the same
 * transaction, so a kill between commits loses whole messages only. */
#include "scan/scan.h"

#include <string.h>

#include "scan/internal.h"

/* Commit at the latest this long after a batch began, so that a slow
 * stream of messages still reaches the disk. */
#define WRITER_BATCH_US (500 * 1000)
/* A writer with nothing queued sleeps this long before it looks again. */
#define WRITER_NAP_US (2 * 1000)

struct bs_scan__writer {
	bs_store *store;
	const bs_detector *detector;
	bool vault;
	uint8_t vault_pk[BS_VAULT_KEY_LEN];
	GAsyncQueue *q;
	GThread *thread;
	GError *error;
	gint failed;
	bs_scan__done_fn *on_done;
	void *user;
	GPtrArray *batch; /* bs_scan__result *, written, not yet committed */
	int64_t batch_start_us;
};

static bs_scan__result stop_marker;

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

	if (!bs_store_subject_put(wr->store, s->kind, s->pseudonym, s->role, &sid, &created, error))
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
	return true;
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

static bool
commit_batch(bs_scan__writer *wr, GError **error)
{
	if (wr->batch->len == 0)
		return true;
	if (!bs_store_commit(wr->store, error))
		return false;
	for (guint i = 0; i < wr->batch->len; i++)
		wr->on_done(g_ptr_array_index(wr->batch, i), wr->user);
	g_ptr_array_set_size(wr->batch, 0);
	return true;
}

static bool
add_to_batch(bs_scan__writer *wr, bs_scan__result *r, GError **error)
{
	if (wr->batch->len == 0) {
		if (!bs_store_begin(wr->store, error))
			return false;
		wr->batch_start_us = g_get_monotonic_time();
	}
	g_ptr_array_add(wr->batch, r);
	if (!write_message(wr, r, error))
		return false;
	if (wr->batch->len >= BS_SCAN_BATCH_MESSAGES)
		return commit_batch(wr, error);
	return true;
}

/* Pops the next result; with a batch open, waits only until it is due.
 * With a batch open and nothing queued it naps first, so that results are
 * taken in bursts instead of one wakeup per message. */
static bs_scan__result *
next_result(bs_scan__writer *wr)
{
	int64_t left;

	if (wr->batch->len == 0)
		return g_async_queue_pop(wr->q);
	left = wr->batch_start_us + WRITER_BATCH_US - g_get_monotonic_time();
	if (left <= 0)
		return NULL;
	if (g_async_queue_length(wr->q) <= 0) {
		g_usleep((gulong)MIN(left, WRITER_NAP_US));
		left = wr->batch_start_us + WRITER_BATCH_US - g_get_monotonic_time();
	}
	return left > 0 ? g_async_queue_timeout_pop(wr->q, (guint64)left) : NULL;
}

static gpointer
writer_main(gpointer data)
{
	bs_scan__writer *wr = data;
	GError *error = NULL;
	bs_scan__result *r;

	for (;;) {
		r = next_result(wr);
		if (!r) {
			if (!commit_batch(wr, &error))
				break;
			continue;
		}
		if (r == &stop_marker) {
			commit_batch(wr, &error);
			break;
		}
		if (g_atomic_int_get(&wr->failed)) {
			wr->on_done(r, wr->user); /* counted, never written */
			continue;
		}
		if (!add_to_batch(wr, r, &error))
			break;
	}
	if (error) {
		bs_store_rollback(wr->store);
		for (guint i = 0; i < wr->batch->len; i++)
			wr->on_done(g_ptr_array_index(wr->batch, i), wr->user);
		g_ptr_array_set_size(wr->batch, 0);
		wr->error = error;
		g_atomic_int_set(&wr->failed, 1);
		/* Keep draining so that the reader is never left waiting. */
		while ((r = g_async_queue_pop(wr->q)) != &stop_marker)
			wr->on_done(r, wr->user);
	}
	return NULL;
}

bs_scan__writer *
bs_scan__writer_start(bs_store *store, const bs_detector *detector, const uint8_t *vault_pk,
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
	wr->q = g_async_queue_new();
	wr->batch = g_ptr_array_new();
	wr->thread = g_thread_new("bs-writer", writer_main, wr);
	return wr;
}

void
bs_scan__writer_push(bs_scan__writer *wr, bs_scan__result *r)
{
	g_async_queue_push(wr->q, r);
}

bool
bs_scan__writer_failed(bs_scan__writer *wr)
{
	return g_atomic_int_get(&wr->failed) != 0;
}

bool
bs_scan__writer_stop(bs_scan__writer *wr, GError **error)
{
	bool ok;

	g_async_queue_push(wr->q, &stop_marker);
	g_thread_join(wr->thread);
	ok = wr->error == NULL;
	if (!ok)
		g_propagate_error(error, wr->error);
	g_async_queue_unref(wr->q);
	g_ptr_array_unref(wr->batch);
	g_free(wr);
	return ok;
}
