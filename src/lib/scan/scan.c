/* scan: the reader loop, the worker pool and the bounds between them. */
#include "scan/scan.h"

#include <string.h>

#include "extract/extract.h"
#include "scan/internal.h"

/* Progress callbacks at most this often. */
#define PROGRESS_US (200 * 1000)
/* Results written but not yet handed to the writer, at most. */
#define UNWRITTEN_MAX (2 * BS_SCAN_BATCH_MESSAGES)

typedef struct {
	bs_workspace *ws;
	const bs_scan_options *opts;
	bs_scan__shared sh;
	uint8_t vault_pk[BS_VAULT_KEY_LEN];
	GThreadPool *pool;
	GAsyncQueue *idle; /* bs_scan__worker *: one per thread */
	GPtrArray *workers;
	bs_scan__writer *writer;
	GMutex lock;
	GCond cond;
	unsigned inflight, max_inflight, unwritten;
	uint64_t inflight_bytes;
	uint64_t processed, processed_bytes; /* by the workers: the progress line */
	/* The reader waits for room in batches (wake when in-flight messages
	 * fall to wake_inflight) rather than once per message: fewer wakeups. */
	bool waiting;
	unsigned wake_inflight;
	bs_scan_summary *sum; /* counters under lock */
	uint64_t total_bytes;
	int64_t start_us, last_progress_us;
} scan_run;

typedef struct {
	bs_source_msg *msg;
	const bs_scan__source_ctx *src;
} scan_job;

static void
run_job(gpointer data, gpointer user)
{
	scan_job *job = data;
	scan_run *run = user;
	bs_scan__worker *w = g_async_queue_pop(run->idle);
	size_t len = job->msg->len;
	uint64_t raw = job->msg->raw_bytes;
	bs_scan__result *r = bs_scan__process(w, job->src, job->msg);

	g_async_queue_push(run->idle, w);
	bs_source_msg_free(job->msg);
	g_free(job);
	g_mutex_lock(&run->lock);
	run->unwritten++;
	g_mutex_unlock(&run->lock);
	/* Queued to the writer before it stops counting as in flight: drain()
	 * then never lets the writer stop ahead of this result. */
	bs_scan__writer_push(run->writer, r);
	g_mutex_lock(&run->lock);
	run->inflight--;
	run->inflight_bytes -= len;
	run->processed++;
	run->processed_bytes += raw;
	if (run->waiting && run->inflight <= run->wake_inflight)
		g_cond_broadcast(&run->cond);
	g_mutex_unlock(&run->lock);
}

static void
on_written(bs_scan__result *r, void *user)
{
	scan_run *run = user;
	bs_scan_summary *s = run->sum;

	g_mutex_lock(&run->lock);
	run->unwritten--;
	s->messages++;
	s->bytes += r->bytes;
	if (strcmp(r->status, "ok") == 0)
		s->ok++;
	else if (strcmp(r->status, "partial") == 0)
		s->partial++;
	else
		s->failed++;
	for (guint i = 0; i < r->subjects->len; i++) {
		const bs_scan__subject *sub = g_ptr_array_index(r->subjects, i);

		for (int k = 0; k < BS_SCAN_WHERE_COUNT; k++)
			s->occurrences += sub->count[k] ? 1 : 0;
	}
	if (run->waiting && run->unwritten == UNWRITTEN_MAX / 2)
		g_cond_broadcast(&run->cond);
	g_mutex_unlock(&run->lock);
	bs_scan__result_free(r);
}

static void
report_progress(scan_run *run, bool force)
{
	int64_t now = g_get_monotonic_time();
	bs_scan_progress p;

	if (!run->opts->progress || (!force && now - run->last_progress_us < PROGRESS_US))
		return;
	run->last_progress_us = now;
	g_mutex_lock(&run->lock);
	p.messages = run->processed;
	p.bytes = run->processed_bytes;
	g_mutex_unlock(&run->lock);
	p.total_bytes = run->total_bytes;
	p.seconds = (double)(now - run->start_us) / G_USEC_PER_SEC;
	run->opts->progress(&p, run->opts->progress_user);
}

/* Blocks until one more message (of len bytes) may go to the workers. */
static void
wait_for_room(scan_run *run, size_t len)
{
	g_mutex_lock(&run->lock);
	while (run->inflight >= run->max_inflight || run->unwritten >= UNWRITTEN_MAX ||
	       (run->inflight > 0 && run->inflight_bytes + len > BS_SCAN_INFLIGHT_BYTES)) {
		run->waiting = true;
		run->wake_inflight = run->inflight / 2;
		g_cond_wait_until(&run->cond, &run->lock, g_get_monotonic_time() + PROGRESS_US);
	}
	run->waiting = false;
	run->inflight++;
	run->inflight_bytes += len;
	g_mutex_unlock(&run->lock);
}

/* Waits until every message handed out is processed and queued. */
static void
drain(scan_run *run)
{
	g_mutex_lock(&run->lock);
	while (run->inflight > 0) {
		run->waiting = true;
		run->wake_inflight = 0;
		g_cond_wait(&run->cond, &run->lock);
	}
	run->waiting = false;
	g_mutex_unlock(&run->lock);
}

char *
bs_scan_owner_dup(const bs_scope *scope, const char *path)
{
	const char *acct = scope ? bs_scope_account_for_path(scope, path) : NULL;
	g_autofree char *trimmed = NULL;
	g_autofree char *base = NULL;
	static const char *const exts[] = {".mbox", ".mbx", ".eml"};

	if (acct)
		return g_strdup(acct);
	trimmed = g_strdup(path);
	while (strlen(trimmed) > 1 && g_str_has_suffix(trimmed, "/"))
		trimmed[strlen(trimmed) - 1] = '\0';
	base = g_path_get_basename(trimmed);
	if (g_ascii_strcasecmp(base, "Maildir") == 0 || g_ascii_strcasecmp(base, "mail") == 0) {
		g_autofree char *parent = g_path_get_dirname(trimmed);

		g_free(base);
		base = g_path_get_basename(parent);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(exts); i++) {
		size_t bl = strlen(base), el = strlen(exts[i]);

		if (bl > el && g_ascii_strcasecmp(base + bl - el, exts[i]) == 0)
			base[bl - el] = '\0';
	}
	return g_steal_pointer(&base);
}

/* The state a finished source is left in; a shard marks only its share. */
static char *
done_state_dup(const bs_scan_options *opts)
{
	if (opts->shard_n > 1)
		return g_strdup_printf("done %u/%u", opts->shard_k, opts->shard_n);
	return g_strdup("done");
}

static bool
in_shard(const bs_scan_options *opts, const char *locator)
{
	if (opts->shard_n <= 1)
		return true;
	/* A fixed hash: the same message lands in the same shard on every run. */
	return g_str_hash(locator) % opts->shard_n == opts->shard_k - 1;
}

typedef struct {
	bs_source *src;
	char *path; /* canonical absolute path: the source's key in the index */
	bs_scan__source_ctx ctx;
	char *owner;
	bool resume;
	int64_t id;
} scan_source;

static void
scan_source_free(gpointer p)
{
	scan_source *s = p;

	bs_source_free(s->src);
	g_free(s->path);
	g_free(s->owner);
	g_free(s);
}

/* Opens every source first: a bad path is fatal before anything is written,
 * and the total size is known for the ETA. */
static bool
open_sources(scan_run *run, const char *const *paths, GPtrArray *out, GError **error)
{
	uint64_t max = bs_workspace_config(run->ws)->scan_max_message_bytes;

	for (size_t i = 0; paths[i]; i++) {
		scan_source *s = g_new0(scan_source, 1);

		g_ptr_array_add(out, s);
		s->src = bs_source_open(paths[i], max, error);
		if (!s->src)
			return false;
		s->path = g_canonicalize_filename(paths[i], NULL);
		s->owner = bs_scan_owner_dup(run->sh.scope, paths[i]);
		if (run->sh.scope && !bs_scope_account_for_path(run->sh.scope, paths[i]) &&
		    bs_scope_account_for_path(run->sh.scope, s->path)) {
			g_free(s->owner);
			s->owner = bs_scan_owner_dup(run->sh.scope, s->path);
		}
		s->ctx.mailbox = s->owner;
		s->ctx.grade_as = s->owner;
		run->total_bytes += bs_source_total_bytes(s->src);
	}
	return true;
}

/* Decides skip / resume / full scan and writes the source row. *out_skip
 * when the source is done and unchanged. */
static bool
prepare_source(scan_run *run, scan_source *s, bool *out_skip, GError **error)
{
	bs_store *store = bs_workspace_store(run->ws);
	g_autofree char *hash = NULL;
	g_autofree char *state = NULL;
	g_autofree char *done = done_state_dup(run->opts);
	const char *fp = bs_source_fingerprint(s->src);
	bool found = false;
	bs_source_row row = {s->path, bs_source_format_name(bs_source_format_of(s->src)), s->owner,
	                     fp, "scanning"};

	*out_skip = false;
	if (!bs_store_source_find(store, s->path, &found, &s->id, &hash, &state, error))
		return false;
	if (found && hash && strcmp(hash, fp) == 0 && state && strcmp(state, done) == 0) {
		*out_skip = true;
		return true;
	}
	/* Same listing, not finished: keep what an earlier run wrote. A changed
	 * source is scanned again whole; each message row is replaced. */
	s->resume = found && hash && strcmp(hash, fp) == 0;
	if (!bs_store_source_upsert(store, &row, &s->id, error))
		return false;
	s->ctx.source_id = s->id;
	return true;
}

static bool
already_indexed(bs_store *reader, const scan_source *s, const char *locator, bool *out_yes,
                GError **error)
{
	*out_yes = false;
	if (!s->resume)
		return true;
	return bs_store_message_exists(reader, s->id, locator, out_yes, error);
}

/* Hands every message of the source to the workers. */
static bool
feed_source(scan_run *run, scan_source *s, bs_store *reader, GError **error)
{
	bs_source_msg *msg = NULL;

	while (bs_source_next(s->src, &msg, error)) {
		bool skip = !in_shard(run->opts, msg->locator);
		bool indexed = false;

		/* A failed writer reports its own error at stop. */
		if (bs_scan__writer_failed(run->writer)) {
			bs_source_msg_free(msg);
			return true;
		}
		if (!skip && !already_indexed(reader, s, msg->locator, &indexed, error)) {
			bs_source_msg_free(msg);
			return false;
		}
		if (skip || indexed) {
			run->sum->resumed_skipped += indexed ? 1 : 0;
			bs_source_msg_free(msg);
			continue;
		}
		scan_job *job = g_new0(scan_job, 1);

		job->msg = msg;
		job->src = &s->ctx;
		wait_for_room(run, msg->len);
		g_thread_pool_push(run->pool, job, NULL);
		report_progress(run, false);
	}
	return *error == NULL;
}

static bool
scan_one(scan_run *run, scan_source *s, bs_store *reader, GError **error)
{
	GError *feed_error = NULL;
	g_autofree char *done = done_state_dup(run->opts);
	bool skip = false, ok;

	if (!prepare_source(run, s, &skip, error))
		return false;
	if (skip) {
		run->sum->sources_unchanged++;
		return true;
	}
	run->writer = bs_scan__writer_start(bs_workspace_store(run->ws), run->sh.detector,
	                                    run->sh.vault ? run->vault_pk : NULL, on_written, run);
	ok = feed_source(run, s, reader, &feed_error);
	drain(run);
	if (!bs_scan__writer_stop(run->writer, error)) {
		g_clear_error(&feed_error);
		run->writer = NULL;
		return false;
	}
	run->writer = NULL;
	if (!ok) {
		g_propagate_error(error, feed_error);
		return false;
	}
	return bs_store_source_set_state(bs_workspace_store(run->ws), s->id, done, error);
}

static bool
start_workers(scan_run *run, unsigned threads, GError **error)
{
	run->idle = g_async_queue_new();
	run->workers = g_ptr_array_new_with_free_func((GDestroyNotify)bs_scan__worker_free);
	for (unsigned i = 0; i < threads; i++) {
		bs_scan__worker *w = bs_scan__worker_new(&run->sh, error);

		if (!w)
			return false;
		g_ptr_array_add(run->workers, w);
		g_async_queue_push(run->idle, w);
	}
	run->max_inflight = threads * BS_SCAN_INFLIGHT_COUNT_PER_THREAD;
	run->pool = g_thread_pool_new(run_job, run, (gint)threads, TRUE, error);
	return run->pool != NULL;
}

static void
stop_workers(scan_run *run)
{
	if (run->pool)
		g_thread_pool_free(run->pool, FALSE, TRUE);
	if (run->workers)
		g_ptr_array_unref(run->workers);
	if (run->idle)
		g_async_queue_unref(run->idle);
}

static bool
setup_shared(scan_run *run, GError **error)
{
	const bs_config *cfg = bs_workspace_config(run->ws);

	run->sh.detector = run->opts->detector;
	run->sh.key = bs_workspace_key(run->ws);
	run->sh.scope = run->opts->scope;
	run->sh.config = cfg;
	bs_extract_limits_init(&run->sh.limits);
	run->sh.limits.max_depth = (unsigned)cfg->scan_max_depth;
	run->sh.limits.max_bytes = cfg->scan_max_message_bytes;
	run->sh.limits.max_ratio = (unsigned)cfg->scan_max_ratio;
	run->sh.limits.attachment_ms = (unsigned)cfg->scan_attachment_ms;
	if (cfg->vault_public_key && *cfg->vault_public_key) {
		if (!bs_vault_public_from_base64(cfg->vault_public_key, run->vault_pk, error))
			return false;
		run->sh.vault = true;
	}
	return true;
}

static unsigned
thread_count(const bs_scan_options *opts, const bs_config *cfg)
{
	if (opts->threads)
		return opts->threads;
	if (cfg->scan_threads)
		return (unsigned)cfg->scan_threads;
	return (unsigned)MAX(1, g_get_num_processors());
}

static bool
scan_all(scan_run *run, const char *const *paths, GError **error)
{
	g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func(scan_source_free);
	g_autoptr(bs_store) reader = NULL;
	g_autofree char *index = bs_workspace_index_dup(run->ws);

	if (!open_sources(run, paths, sources, error))
		return false;
	run->sum->sources = sources->len;
	reader = bs_store_open(index, false, error);
	if (!reader)
		return false;
	for (guint i = 0; i < sources->len; i++)
		if (!scan_one(run, g_ptr_array_index(sources, i), reader, error))
			return false;
	return true;
}

bool
bs_scan_run(bs_workspace *ws, const char *const *sources, const bs_scan_options *opts,
            bs_scan_summary *out_summary, GError **error)
{
	scan_run run = {.ws = ws, .opts = opts, .sum = out_summary};
	unsigned threads = thread_count(opts, bs_workspace_config(ws));
	bool ok;

	memset(out_summary, 0, sizeof *out_summary);
	out_summary->threads = threads;
	g_mutex_init(&run.lock);
	g_cond_init(&run.cond);
	run.start_us = g_get_monotonic_time();
	ok = setup_shared(&run, error) && start_workers(&run, threads, error) &&
	     scan_all(&run, sources, error);
	stop_workers(&run);
	report_progress(&run, true);
	out_summary->seconds = (double)(g_get_monotonic_time() - run.start_us) / G_USEC_PER_SEC;
	g_mutex_clear(&run.lock);
	g_cond_clear(&run.cond);
	return ok;
}

void
bs_scan_summary_write_json(const bs_scan_summary *s, const char *key, bs_json *j)
{
	double mb = (double)s->bytes / 1e6;

	bs_json_obj_begin(j, key);
	bs_json_int(j, "sources", (int64_t)s->sources);
	bs_json_int(j, "sources_unchanged", (int64_t)s->sources_unchanged);
	bs_json_obj_begin(j, "messages");
	bs_json_int(j, "scanned", (int64_t)s->messages);
	bs_json_int(j, "ok", (int64_t)s->ok);
	bs_json_int(j, "partial", (int64_t)s->partial);
	bs_json_int(j, "failed", (int64_t)s->failed);
	bs_json_int(j, "already_indexed", (int64_t)s->resumed_skipped);
	bs_json_obj_end(j);
	bs_json_int(j, "occurrences", (int64_t)s->occurrences);
	bs_json_int(j, "bytes", (int64_t)s->bytes);
	bs_json_double(j, "seconds", s->seconds);
	bs_json_double(j, "mb_per_s", s->seconds > 0 ? mb / s->seconds : 0);
	bs_json_int(j, "threads", s->threads);
	bs_json_obj_end(j);
}
