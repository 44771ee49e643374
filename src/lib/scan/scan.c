/* scan: N threads of work over each source in turn. Every thread (the
 * calling one and N-1 others) claims the next message under the claim
 * lock, reads, walks and detects it outside any lock and queues the result;
 * whichever thread finds the store free writes all that is queued (the
 * combining pattern: no writer or reader thread of its own, so N threads
 * are N threads, and no hand-off wakes a sleeping thread per message). */
#include "scan/scan.h"

#include <string.h>

#include "extract/extract.h"
#include "scan/internal.h"

/* Progress callbacks at most this often. */
#define PROGRESS_US (200 * 1000)

typedef struct {
	bs_source *src; /* NULL for a remote source */
	char *path;     /* canonical absolute path, or the URL: the source's key */
	bs_scan__source_ctx ctx;
	char *owner;
	bool resume;
	int64_t id;
	GHashTable *seen;   /* remote: the locators the server listed */
	GError *open_error; /* why it could not be opened */
	bool new_row;       /* its source row was created by this run */
} scan_source;

typedef struct {
	bs_workspace *ws;
	const bs_scan_options *opts;
	bs_scan__shared sh;
	uint8_t vault_pk[BS_VAULT_KEY_LEN];
	unsigned threads;
	GPtrArray *workers; /* bs_scan__worker *, one per thread */
	bs_store *reader;   /* resume checks, under claim_lock */
	bs_scan_summary *sum;
	uint64_t total_bytes;
	int64_t start_us, last_progress_us;
	/* Claiming messages of the current source: under claim_lock. */
	GMutex claim_lock;
	scan_source *cur;
	bool claim_end; /* no more messages to hand out */
	GError *claim_error;
	/* Results waiting for the store and the progress counters: under lock. */
	GMutex lock;
	GQueue pending;
	uint64_t processed, processed_bytes;
	/* Writing: the holder of write_lock is the writer's one user; the
	 * summary's counters are counted there too. */
	GMutex write_lock;
	bs_scan__writer *writer;
	GError *write_error;
	gint failed; /* a write failed: claims stop, results are dropped */
} scan_run;

/* Counts a result once its batch is committed (or dropped after a failed
 * write); runs under write_lock. */
static void
on_written(bs_scan__result *r, void *user)
{
	scan_run *run = user;
	bs_scan_summary *s = run->sum;

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
	bs_scan__result_free(r);
}

/* From the calling thread only (the callback's contract). */
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

bool
bs_scan_source_is_remote(const char *source)
{
	return g_ascii_strncasecmp(source, "imap://", 7) == 0 ||
	       g_ascii_strncasecmp(source, "imaps://", 8) == 0;
}

/* imap[s]://[user@]host[:port][/folder]: the user, else the host. */
static char *
remote_owner_dup(const char *url)
{
	const char *p = strstr(url, "://") + 3;
	size_t n = strcspn(p, "/");
	const char *at = memchr(p, '@', n);

	char *user = at ? g_uri_unescape_segment(p, at, NULL) : NULL;

	return user ? user : g_strndup(at ? at + 1 : p, strcspn(at ? at + 1 : p, ":/"));
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
	if (bs_scan_source_is_remote(path))
		return remote_owner_dup(path);
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

static void
scan_source_free(gpointer p)
{
	scan_source *s = p;

	bs_source_free(s->src);
	g_free(s->path);
	g_free(s->owner);
	if (s->seen)
		g_hash_table_unref(s->seen);
	g_clear_error(&s->open_error);
	g_free(s);
}

/* A remote source: nothing to open until it is scanned. */
static bool
open_remote(scan_run *run, scan_source *s, const char *url, GError **error)
{
	if (!run->opts->remote_each) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "\"%s\": remote sources are not available", url);
		return false;
	}
	s->path = g_strdup(url);
	s->owner = bs_scan_owner_dup(run->sh.scope, url);
	s->ctx.mailbox = s->owner;
	s->ctx.grade_as = s->owner;
	s->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return true;
}

/* A local source: listed (Maildir, .eml tree) or opened (mbox). */
static void
open_local(scan_run *run, scan_source *s, const char *path)
{
	uint64_t max = bs_workspace_config(run->ws)->scan_max_message_bytes;

	s->src = bs_source_open(path, max, &s->open_error);
	if (!s->src)
		return;
	s->path = g_canonicalize_filename(path, NULL);
	s->owner = bs_scan_owner_dup(run->sh.scope, path);
	if (run->sh.scope && !bs_scope_account_for_path(run->sh.scope, path) &&
	    bs_scope_account_for_path(run->sh.scope, s->path)) {
		g_free(s->owner);
		s->owner = bs_scan_owner_dup(run->sh.scope, s->path);
	}
	s->ctx.mailbox = s->owner;
	s->ctx.grade_as = s->owner;
}

typedef struct {
	scan_run *run;
	GPtrArray *sources;
	const char *const *paths;
	gint next;
} open_job;

static gpointer
open_thread(gpointer p)
{
	open_job *job = p;
	guint i;

	while ((i = (guint)g_atomic_int_add(&job->next, 1)) < job->sources->len) {
		scan_source *s = g_ptr_array_index(job->sources, i);

		if (!s->seen)
			open_local(job->run, s, job->paths[i]);
	}
	return NULL;
}

/* Opens every source first: a bad path is fatal before anything is written,
 * and the total size is known for the ETA. Listing a large Maildir is
 * mostly stat calls, so the run's threads list sources side by side. */
static bool
open_sources(scan_run *run, const char *const *paths, GPtrArray *out, GError **error)
{
	open_job job = {run, out, paths, 0};
	g_autoptr(GPtrArray) helpers = g_ptr_array_new();

	for (size_t i = 0; paths[i]; i++) {
		scan_source *s = g_new0(scan_source, 1);

		g_ptr_array_add(out, s);
		if (bs_scan_source_is_remote(paths[i]) && !open_remote(run, s, paths[i], error))
			return false;
	}
	for (unsigned i = 1; i < run->threads && i < out->len; i++) {
		GThread *t = g_thread_try_new("bs-scan", open_thread, &job, NULL);

		if (t)
			g_ptr_array_add(helpers, t);
	}
	open_thread(&job);
	for (guint i = 0; i < helpers->len; i++)
		g_thread_join(g_ptr_array_index(helpers, i));
	for (guint i = 0; i < out->len; i++) {
		scan_source *s = g_ptr_array_index(out, i);

		if (s->open_error) {
			g_propagate_error(error, g_steal_pointer(&s->open_error));
			return false;
		}
		run->total_bytes += s->src ? bs_source_total_bytes(s->src) : 0;
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
	const char *fp = s->src ? bs_source_fingerprint(s->src) : NULL;
	bool found = false, same = false;
	bs_source_row row = {s->path,
	                     s->src ? bs_source_format_name(bs_source_format_of(s->src)) : "imap",
	                     s->owner, fp, "scanning"};

	*out_skip = false;
	if (!bs_store_source_find(store, s->path, &found, &s->id, &hash, &state, error))
		return false;
	same = found && hash && fp && strcmp(hash, fp) == 0;
	if (same && state && strcmp(state, done) == 0) {
		*out_skip = true;
		return true;
	}
	/* Same listing, not finished: keep what an earlier run wrote. A changed
	 * source is scanned again whole; each message row is replaced. A remote
	 * message never changes under its locator: what is indexed stays. */
	s->resume = same || (found && !s->src);
	s->new_row = !found;
	if (!bs_store_source_upsert(store, &row, &s->id, error))
		return false;
	s->ctx.source_id = s->id;
	return true;
}

/* In this run's shard and not in the index yet (under claim_lock). */
static bool
wanted(scan_run *run, const bs_source_msg *msg)
{
	bool indexed = false;

	if (!in_shard(run->opts, msg->locator))
		return false;
	if (run->cur->resume && !bs_store_message_exists(run->reader, run->cur->id, msg->locator,
	                                                 &indexed, &run->claim_error)) {
		run->claim_end = true;
		return false;
	}
	run->sum->resumed_skipped += indexed ? 1 : 0;
	return !indexed;
}

/* The next message to scan, unread; NULL at the end of the source or once
 * something failed. Listing order, so that runs are repeatable. */
static bs_source_msg *
claim(scan_run *run)
{
	bs_source_msg *msg = NULL;

	g_mutex_lock(&run->claim_lock);
	while (!run->claim_end && !g_atomic_int_get(&run->failed)) {
		if (!bs_source_next_unread(run->cur->src, &msg, &run->claim_error)) {
			run->claim_end = true;
			break;
		}
		if (wanted(run, msg))
			break;
		g_clear_pointer(&msg, bs_source_msg_free);
	}
	g_mutex_unlock(&run->claim_lock);
	return msg;
}

/* Under write_lock. After a failed write the rest is counted, not written. */
static void
write_one(scan_run *run, bs_scan__result *r)
{
	GError *error = NULL;

	if (g_atomic_int_get(&run->failed)) {
		on_written(r, run);
		return;
	}
	if (!bs_scan__writer_put(run->writer, r, &error)) {
		run->write_error = error;
		g_atomic_int_set(&run->failed, 1);
	}
}

/* Writes every queued result. wait false: only when no other thread is
 * writing; that one takes what this one queued before it lets go. */
static void
write_pending(scan_run *run, bool wait)
{
	bs_scan__result *r;

	if (wait)
		g_mutex_lock(&run->write_lock);
	else if (!g_mutex_trylock(&run->write_lock))
		return;
	for (;;) {
		g_mutex_lock(&run->lock);
		r = g_queue_pop_head(&run->pending);
		g_mutex_unlock(&run->lock);
		if (!r)
			break;
		write_one(run, r);
	}
	g_mutex_unlock(&run->write_lock);
}

static void
queue_result(scan_run *run, bs_scan__result *r)
{
	guint queued;

	g_mutex_lock(&run->lock);
	run->processed++;
	run->processed_bytes += r->bytes;
	g_queue_push_tail(&run->pending, r);
	queued = run->pending.length;
	g_mutex_unlock(&run->lock);
	/* A full queue: this thread waits for the store rather than scan on. */
	write_pending(run, queued >= BS_SCAN_PENDING_MAX);
}

static void
work(scan_run *run, bs_scan__worker *w, bool calling)
{
	bs_source_msg *msg;

	while ((msg = claim(run))) {
		bs_scan__result *r;

		bs_source_msg_load(msg);
		r = bs_scan__process(w, &run->cur->ctx, msg);
		bs_source_msg_free(msg);
		queue_result(run, r);
		if (calling)
			report_progress(run, false);
	}
}

typedef struct {
	scan_run *run;
	bs_scan__worker *w;
} work_arg;

static gpointer
work_thread(gpointer p)
{
	work_arg *a = p;

	work(a->run, a->w, false);
	return NULL;
}

/* The calling thread and threads-1 others work the current source out. A
 * thread that cannot be started leaves its share to the others. */
static void
work_all(scan_run *run)
{
	g_autofree work_arg *args = g_new0(work_arg, run->threads);
	g_autoptr(GPtrArray) started = g_ptr_array_new();

	for (unsigned i = 1; i < run->threads; i++) {
		GThread *t;

		args[i].run = run;
		args[i].w = g_ptr_array_index(run->workers, i);
		t = g_thread_try_new("bs-scan", work_thread, &args[i], NULL);
		if (t)
			g_ptr_array_add(started, t);
	}
	work(run, g_ptr_array_index(run->workers, 0), true);
	for (guint i = 0; i < started->len; i++)
		g_thread_join(g_ptr_array_index(started, i));
}

/* Writes what is left and commits; the first error of the source, if any. */
static bool
finish_writes(scan_run *run, GError **error)
{
	GError *flush_error = NULL;

	write_pending(run, true);
	if (!g_atomic_int_get(&run->failed) && !bs_scan__writer_flush(run->writer, &flush_error)) {
		run->write_error = flush_error;
		g_atomic_int_set(&run->failed, 1);
	}
	g_clear_pointer(&run->writer, bs_scan__writer_free);
	if (run->write_error) {
		g_clear_error(&run->claim_error);
		g_propagate_error(error, g_steal_pointer(&run->write_error));
		return false;
	}
	if (run->claim_error) {
		g_propagate_error(error, g_steal_pointer(&run->claim_error));
		return false;
	}
	return true;
}

static bool
keep_locator(const char *locator, void *user)
{
	const scan_source *s = user;

	if (!s->src)
		return g_hash_table_contains(s->seen, locator);
	return bs_source_has_locator(s->src, locator);
}

/* A remote message as the reader hands one out (copied: the fetch buffer
 * is not ours). */
static bs_source_msg *
remote_msg_new(scan_run *run, const bs_scan_remote_msg *m)
{
	bs_source_msg *msg = g_new0(bs_source_msg, 1);

	msg->locator = g_strdup(m->locator);
	msg->folder = g_strdup(m->folder);
	msg->raw_bytes = m->len;
	msg->mtime_us = g_get_real_time();
	if (m->len > run->sh.limits.max_bytes) {
		msg->status = BS_SOURCE_TOO_LARGE;
		msg->reason = "message larger than max_message_bytes";
		return msg;
	}
	msg->data = g_malloc(m->len + 1);
	memcpy(msg->data, m->data, m->len);
	msg->data[m->len] = '\0';
	msg->len = m->len;
	return msg;
}

static bool
on_remote_msg(const bs_scan_remote_msg *m, void *user)
{
	scan_run *run = user;
	bs_source_msg *msg;
	bool want;

	g_hash_table_add(run->cur->seen, g_strdup(m->locator));
	if (g_atomic_int_get(&run->failed))
		return false;
	msg = remote_msg_new(run, m);
	g_mutex_lock(&run->claim_lock);
	want = wanted(run, msg);
	g_mutex_unlock(&run->claim_lock);
	if (want) {
		bs_scan__result *r =
		    bs_scan__process(g_ptr_array_index(run->workers, 0), &run->cur->ctx, msg);

		bs_source_msg_free(msg);
		queue_result(run, r);
		report_progress(run, false);
	} else {
		bs_source_msg_free(msg);
	}
	return run->claim_error == NULL;
}

/* The calling thread fetches and scans; the fetch is what bounds it. */
static void
scan_remote(scan_run *run, scan_source *s)
{
	GError *error = NULL;

	if (run->opts->remote_each(s->path, on_remote_msg, run, run->opts->remote_user, &error)) {
		run->claim_end = true;
		return;
	}
	if (error && !run->claim_error)
		run->claim_error = error;
	else
		g_clear_error(&error);
	if (!run->claim_error && !g_atomic_int_get(&run->failed))
		run->claim_error =
		    g_error_new(BS_ERROR, BS_ERROR_IO, "\"%s\": read stopped", s->path);
}

static bool
scan_one(scan_run *run, scan_source *s, GError **error)
{
	bs_store *store = bs_workspace_store(run->ws);
	g_autofree char *done = done_state_dup(run->opts);
	int64_t removed = 0;
	bool skip = false;

	if (!prepare_source(run, s, &skip, error))
		return false;
	if (skip) {
		run->sum->sources_unchanged++;
		return true;
	}
	run->cur = s;
	run->claim_end = false;
	run->writer = bs_scan__writer_new(store, run->sh.detector,
	                                  run->sh.vault ? run->vault_pk : NULL, on_written, run);
	if (s->src)
		work_all(run);
	else
		scan_remote(run, s);
	if (!finish_writes(run, error))
		return false;
	/* Read to the end: what the index holds beyond the source is gone. A
	 * source new to the index has nothing to drop. */
	if (!s->new_row && !bs_store_message_prune(store, s->id, keep_locator, s, &removed, error))
		return false;
	run->sum->removed += (uint64_t)removed;
	return bs_store_source_set_state(store, s->id, done, error);
}

static bool
start_workers(scan_run *run, GError **error)
{
	run->workers = g_ptr_array_new_with_free_func((GDestroyNotify)bs_scan__worker_free);
	for (unsigned i = 0; i < run->threads; i++) {
		bs_scan__worker *w = bs_scan__worker_new(&run->sh, error);

		if (!w)
			return false;
		g_ptr_array_add(run->workers, w);
	}
	return true;
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
	run->reader = reader;
	for (guint i = 0; i < sources->len; i++)
		if (!scan_one(run, g_ptr_array_index(sources, i), error))
			return false;
	return true;
}

bool
bs_scan_run(bs_workspace *ws, const char *const *sources, const bs_scan_options *opts,
            bs_scan_summary *out_summary, GError **error)
{
	scan_run run = {.ws = ws, .opts = opts, .sum = out_summary};
	bool ok;

	memset(out_summary, 0, sizeof *out_summary);
	run.threads = thread_count(opts, bs_workspace_config(ws));
	out_summary->threads = run.threads;
	g_mutex_init(&run.claim_lock);
	g_mutex_init(&run.lock);
	g_mutex_init(&run.write_lock);
	g_queue_init(&run.pending);
	run.start_us = g_get_monotonic_time();
	ok = setup_shared(&run, error) && start_workers(&run, error) &&
	     scan_all(&run, sources, error);
	if (run.workers)
		g_ptr_array_unref(run.workers);
	report_progress(&run, true);
	out_summary->seconds = (double)(g_get_monotonic_time() - run.start_us) / G_USEC_PER_SEC;
	g_mutex_clear(&run.claim_lock);
	g_mutex_clear(&run.lock);
	g_mutex_clear(&run.write_lock);
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
	bs_json_int(j, "removed", (int64_t)s->removed);
	bs_json_obj_end(j);
	bs_json_int(j, "occurrences", (int64_t)s->occurrences);
	bs_json_int(j, "bytes", (int64_t)s->bytes);
	bs_json_double(j, "seconds", s->seconds);
	bs_json_double(j, "mb_per_s", s->seconds > 0 ? mb / s->seconds : 0);
	bs_json_int(j, "threads", s->threads);
	bs_json_obj_end(j);
}
