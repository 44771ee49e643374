/* What a local SOURCE holds: a Maildir (with Maildir++ subfolders), an
 * mbox file, an .eml file, or a directory tree of those (one mailbox per
 * first-level entry, e.g. export/alice/ or export/alice.mbox). The hunt
 * keeps its own walk rather than the source module's iterator because
 * quarantine needs exact byte ranges and file names, not just messages.
 * Mailbox: the first path component below SOURCE (without .mbox/.eml),
 * or SOURCE's own name. Folder: the Maildir++ folder ("INBOX" for the
 * top), or for mbox and .eml files the path between mailbox and file. */
#include "hunt/internal.h"

#include <errno.h>
#include <sys/stat.h>

#include "base/base.h"

void
bs_hunt__box_free(hunt_box *b)
{
	if (!b)
		return;
	g_free(b->path);
	g_free(b->mailbox);
	g_free(b->folder);
	g_free(b->rel);
	g_free(b);
}

bool
bs_hunt__is_mbox(const char *text, size_t len)
{
	return len >= 5 && memcmp(text, "From ", 5) == 0;
}

static bool
is_separator(const char *t, size_t len, size_t p)
{
	if (len - p < 5 || memcmp(t + p, "From ", 5) != 0)
		return false;
	if (p == 0)
		return true;
	if (t[p - 1] != '\n')
		return false;
	if (p >= 2 && t[p - 2] == '\n')
		return true;
	return p >= 3 && t[p - 2] == '\r' && t[p - 3] == '\n';
}

size_t
bs_hunt__mbox_end(const char *text, size_t len, size_t start)
{
	size_t p = start + 1;

	while (p < len) {
		const char *nl = memmem(text + p, len - p, "\nFrom ", 6);

		if (!nl)
			return len;
		p = (size_t)(nl - text) + 1;
		if (is_separator(text, len, p))
			return p;
	}
	return len;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_maildir(const char *path)
{
	g_autofree char *cur = g_build_filename(path, "cur", NULL);
	g_autofree char *new = g_build_filename(path, "new", NULL);

	return is_dir(cur) || is_dir(new);
}

/* First bytes of a regular file: mbox, .eml, or neither. */
static bool
file_kind(const char *path, const char *name, box_kind *out_kind)
{
	char head[5];
	FILE *fp;
	size_t n;

	if (g_str_has_suffix(name, ".eml")) {
		*out_kind = BOX_EML;
		return true;
	}
	fp = fopen(path, "rb");
	if (!fp)
		return false;
	n = fread(head, 1, sizeof head, fp);
	fclose(fp);
	*out_kind = BOX_MBOX;
	return bs_hunt__is_mbox(head, n);
}

static char *
strip_ext(const char *name)
{
	if (g_str_has_suffix(name, ".mbox"))
		return g_strndup(name, strlen(name) - 5);
	if (g_str_has_suffix(name, ".eml"))
		return g_strndup(name, strlen(name) - 4);
	return g_strdup(name);
}

typedef struct {
	const char *source;
	char *source_name; /* SOURCE's base name without extension */
	GPtrArray *boxes;
} walk_ctx;

/* Mailbox and folder names from the path relative to SOURCE. */
static void
name_box(const walk_ctx *w, hunt_box *b, const char *maildir_folder)
{
	g_auto(GStrv) parts = g_strsplit(b->rel, "/", -1);
	guint n = g_strv_length(parts);

	b->mailbox = n == 0 || b->rel[0] == '\0' ? g_strdup(w->source_name) : strip_ext(parts[0]);
	if (maildir_folder) {
		b->folder = g_strdup(maildir_folder);
	} else if (n <= 1) {
		b->folder = g_strdup("INBOX");
	} else {
		g_autofree char *last = strip_ext(parts[n - 1]);
		g_autofree char *mid = NULL;

		g_free(parts[n - 1]);
		parts[n - 1] = g_steal_pointer(&last);
		mid = g_strjoinv("/", parts + 1);
		b->folder = g_steal_pointer(&mid);
	}
}

static void
add_box(walk_ctx *w, box_kind kind, const char *path, const char *rel, const char *mfolder)
{
	hunt_box *b = g_new0(hunt_box, 1);

	b->kind = kind;
	b->path = g_strdup(path);
	b->rel = g_strdup(rel);
	name_box(w, b, mfolder);
	g_ptr_array_add(w->boxes, b);
}

int
bs_hunt__cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static GPtrArray *
sorted_names(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	while (d && (name = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, bs_hunt__cmp_names);
	return names;
}

/* A Maildir: its top is INBOX, each ".Name" child with cur/ a folder. */
static void
add_maildir(walk_ctx *w, const char *path, const char *rel)
{
	g_autoptr(GPtrArray) names = sorted_names(path);

	add_box(w, BOX_MAILDIR, path, rel, "INBOX");
	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *sub = g_build_filename(path, name, NULL);

		if (name[0] == '.' && name[1] && strcmp(name, "..") != 0 && is_maildir(sub))
			add_box(w, BOX_MAILDIR, sub, rel, name + 1);
	}
}

static void
walk_dir(walk_ctx *w, const char *path, const char *rel, int depth)
{
	g_autoptr(GPtrArray) names = NULL;

	if (is_maildir(path)) {
		add_maildir(w, path, rel);
		return;
	}
	if (depth >= BS_LIMIT_HUNT_TREE_DEPTH)
		return;
	names = sorted_names(path);
	for (guint i = 0; i < names->len; i++) {
		const char *name = names->pdata[i];
		g_autofree char *child = g_build_filename(path, name, NULL);
		g_autofree char *crel = rel[0] ? g_strconcat(rel, "/", name, NULL) : g_strdup(name);
		struct stat st;
		box_kind kind;

		if (name[0] == '.' || lstat(child, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk_dir(w, child, crel, depth + 1);
		else if (S_ISREG(st.st_mode) && file_kind(child, name, &kind))
			add_box(w, kind, child, crel, NULL);
	}
}

bool
bs_hunt__collect_boxes(const char *source, GPtrArray *boxes, GError **error)
{
	g_autofree char *base = g_path_get_basename(source);
	walk_ctx w = {.source = source, .boxes = boxes};
	struct stat st;
	box_kind kind;

	w.source_name = strip_ext(base);
	if (stat(source, &st) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", source, g_strerror(errno));
		g_free(w.source_name);
		return false;
	}
	if (S_ISDIR(st.st_mode))
		walk_dir(&w, source, "", 0);
	else if (file_kind(source, base, &kind))
		add_box(&w, kind, source, "", NULL);
	else
		add_box(&w, BOX_EML, source, "", NULL); /* a lone file: one message */
	g_free(w.source_name);
	return true;
}
