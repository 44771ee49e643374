/* The hunt over local sources: every message of every box is matched;
 * hits are reported, and with a quarantine moved out (files one by one,
 * each mbox in one atomic rewrite after its scan). */
#include "hunt/internal.h"

#include <sys/stat.h>

#include "base/base.h"

typedef struct {
	const bs_hunt_options *opt;
	hunt_q *q; /* NULL: dry run */
	bs_hunt_stats *stats;
	const char *source;
} run_ctx;

static void
report(run_ctx *r, const hunt_box *b, const char *locator, const bs_ioc_result *res,
       bool quarantined)
{
	bs_hunt_hit hit = {
	    .source = r->source,
	    .mailbox = b->mailbox,
	    .folder = b->folder,
	    .locator = locator,
	    .message_id = res->message_id,
	    .date = res->date,
	    .matched = res->matched,
	    .quarantined = quarantined,
	};

	r->stats->hits++;
	if (quarantined)
		r->stats->quarantined++;
	if (r->opt->on_hit)
		r->opt->on_hit(&hit, r->opt->user);
}

/* One message file (Maildir or .eml): match, maybe move, report. */
static bool
hunt_file(run_ctx *r, const hunt_box *b, const char *path, const char *locator, GError **error)
{
	g_autofree char *data = NULL;
	size_t len = 0;
	bs_ioc_result res;
	bool moved = false;

	if (!bs_file_read(path, BS_LIMIT_MESSAGE_BYTES_DEFAULT, &data, &len, NULL)) {
		r->stats->partial++;
		return true;
	}
	r->stats->messages++;
	bs_ioc_match(r->opt->ioc, data, len, &res);
	if (res.partial)
		r->stats->partial++;
	if (res.matched->len > 0 && r->q) {
		hunt_meta meta = {r->source, b->mailbox, b->folder, res.message_id, res.date};

		if (!bs_hunt__q_file(r->q, b->kind, path, &meta, &moved, error)) {
			bs_ioc_result_fini(&res);
			return false;
		}
		if (!moved)
			r->stats->partial++;
	}
	if (res.matched->len > 0)
		report(r, b, locator, &res, moved);
	bs_ioc_result_fini(&res);
	return true;
}

/* Maildir message name without its ":2,FLAGS" info part. */
static char *
maildir_locator(const hunt_box *b, const char *sub, const char *name)
{
	const char *colon = strchr(name, ':');
	g_autofree char *base = colon ? g_strndup(name, (gsize)(colon - name)) : g_strdup(name);

	return g_strconcat(b->folder, "/", sub, "/", base, NULL);
}

static bool
hunt_maildir(run_ctx *r, const hunt_box *b, GError **error)
{
	static const char *const subs[] = {"new", "cur"};

	for (size_t s = 0; s < G_N_ELEMENTS(subs); s++) {
		g_autofree char *dir = g_build_filename(b->path, subs[s], NULL);
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		const char *name;

		while (d && (name = g_dir_read_name(d)))
			if (name[0] != '.')
				g_ptr_array_add(names, g_strdup(name));
		g_ptr_array_sort(names, bs_hunt__cmp_names);
		for (guint i = 0; i < names->len; i++) {
			g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
			g_autofree char *loc = maildir_locator(b, subs[s], names->pdata[i]);

			if (g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
			    !hunt_file(r, b, path, loc, error))
				return false;
		}
	}
	return true;
}

typedef struct {
	size_t offset;
	size_t len;
	bs_ioc_result res;
} mbox_found;

static void
mbox_found_clear(gpointer p)
{
	bs_ioc_result_fini(&((mbox_found *)p)->res);
}

/* Matches every message of a mapped mbox; hits go to found. */
static void
scan_mbox(run_ctx *r, const char *text, size_t len, GArray *found)
{
	for (size_t start = 0; start < len;) {
		size_t end = bs_hunt__mbox_end(text, len, start);
		const char *nl = memchr(text + start, '\n', end - start);
		size_t body = nl ? (size_t)(nl - text) + 1 : end;
		mbox_found f = {.offset = start, .len = end - start};

		r->stats->messages++;
		bs_ioc_match(r->opt->ioc, text + body, end - body, &f.res);
		if (f.res.partial)
			r->stats->partial++;
		if (f.res.matched->len > 0)
			g_array_append_val(found, f);
		else
			bs_ioc_result_fini(&f.res);
		start = end;
	}
}

static bool
quarantine_mbox(run_ctx *r, const hunt_box *b, const struct stat *st, GArray *found, GError **error)
{
	g_autofree mbox_hit *hits = g_new0(mbox_hit, found->len);

	for (guint i = 0; i < found->len; i++) {
		mbox_found *f = &g_array_index(found, mbox_found, i);
		hunt_meta meta = {r->source, b->mailbox, b->folder, f->res.message_id, f->res.date};

		hits[i].offset = f->offset;
		hits[i].len = f->len;
		hits[i].meta = meta;
	}
	return bs_hunt__q_mbox(r->q, b->path, (int64_t)st->st_size,
	                       (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec, hits,
	                       found->len, error);
}

static bool
hunt_mbox(run_ctx *r, const hunt_box *b, GError **error)
{
	g_autoptr(GMappedFile) mf = NULL;
	g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(mbox_found));
	const char *text;
	size_t len;
	bool moved = false;
	struct stat st;

	if (stat(b->path, &st) == 0)
		mf = g_mapped_file_new(b->path, FALSE, NULL);
	if (!mf) {
		r->stats->partial++;
		return true;
	}
	g_array_set_clear_func(found, mbox_found_clear);
	text = g_mapped_file_get_contents(mf);
	len = g_mapped_file_get_length(mf);
	if (len > 0 && bs_hunt__is_mbox(text, len))
		scan_mbox(r, text, len, found);
	if (found->len > 0 && r->q) {
		g_clear_pointer(&mf, g_mapped_file_unref);
		if (!quarantine_mbox(r, b, &st, found, error))
			return false;
		moved = true;
	}
	for (guint i = 0; i < found->len; i++) {
		mbox_found *f = &g_array_index(found, mbox_found, i);
		char loc[40];

		g_snprintf(loc, sizeof loc, "offset:%zu", f->offset);
		report(r, b, loc, &f->res, moved);
	}
	return true;
}

/* A quarantine inside a SOURCE tree is not hunted again (its Maildir and
 * quarantine.mbox hold exactly the hits). */
static bool
in_quarantine(const run_ctx *r, const char *path)
{
	g_autofree char *abs = NULL;
	size_t n;

	if (!r->q)
		return false;
	abs = g_canonicalize_filename(path, NULL);
	n = strlen(r->q->dir);
	return strncmp(abs, r->q->dir, n) == 0 && (abs[n] == '/' || abs[n] == '\0');
}

static bool
hunt_local(run_ctx *r, const char *source, GError **error)
{
	g_autoptr(GPtrArray) boxes =
	    g_ptr_array_new_with_free_func((GDestroyNotify)bs_hunt__box_free);
	bool ok = true;

	if (!bs_hunt__collect_boxes(source, boxes, error))
		return false;
	for (guint i = 0; i < boxes->len && ok; i++) {
		const hunt_box *b = boxes->pdata[i];
		g_autofree char *base = NULL;

		if (in_quarantine(r, b->path))
			continue;
		switch (b->kind) {
		case BOX_MAILDIR:
			ok = hunt_maildir(r, b, error);
			break;
		case BOX_MBOX:
			ok = hunt_mbox(r, b, error);
			break;
		case BOX_EML:
			base = g_path_get_basename(b->path);
			ok = hunt_file(r, b, b->path, b->rel[0] ? b->rel : base, error);
			break;
		}
	}
	return ok;
}

bool
bs_hunt_run(const bs_hunt_options *opt, char *const *sources, size_t count,
            bs_hunt_stats *out_stats, GError **error)
{
	run_ctx r = {.opt = opt, .stats = out_stats};
	bool ok = true;

	memset(out_stats, 0, sizeof *out_stats);
	bs_hunt__gmime_init();
	if (opt->quarantine_dir) {
		r.q = bs_hunt__q_open(opt->quarantine_dir, opt->imap, opt->test_kill_after,
		                      &out_stats->recovered, error);
		if (!r.q)
			return false;
	}
	for (size_t i = 0; i < count && ok; i++) {
		r.source = sources[i];
		if (bs_hunt__is_imap_url(sources[i]))
			ok = bs_hunt__imap_hunt(opt, r.q, sources[i], out_stats, error);
		else
			ok = hunt_local(&r, sources[i], error);
	}
	bs_hunt__q_close(r.q);
	return ok;
}
