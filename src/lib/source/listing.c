/* Listing Maildir folders and .eml trees; reading one message file. */
#include "source/source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "source/internal.h"

static bool
is_dir(const char *path)
{
	return g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK);
}

bool
bs_source__is_maildir(const char *dir)
{
	g_autofree char *cur = g_build_filename(dir, "cur", NULL);
	g_autofree char *new_ = g_build_filename(dir, "new", NULL);

	return is_dir(cur) || is_dir(new_);
}

static int
compare_entries(gconstpointer a, gconstpointer b)
{
	const bs_source__entry *x = *(bs_source__entry *const *)a;
	const bs_source__entry *y = *(bs_source__entry *const *)b;

	return strcmp(x->locator, y->locator);
}

static bs_source__entry *
entry_for(const char *path, const struct stat *st)
{
	bs_source__entry *e = g_new0(bs_source__entry, 1);

	e->path = g_strdup(path);
	e->size = (uint64_t)st->st_size;
	e->mtime_us = bs_source__mtime_us(st);
	return e;
}

/* A folder's on-disk name (locator) and its name as people read it. */
typedef struct {
	const char *disk;  /* "INBOX", or the Maildir++ name with "/" for "." */
	const char *shown; /* decoded from modified UTF-7 */
} folder_name;

/* Lists one of cur/ new/ of a folder. Names are "unique:2,FLAGS": the part
 * after ':' changes when flags change, so the locator leaves it out. */
static bool
list_maildir_sub(const char *folder_dir, const folder_name *folder, const char *sub,
                 GPtrArray *entries, GError **error)
{
	g_autofree char *dir = g_build_filename(folder_dir, sub, NULL);
	g_autoptr(GDir) d = NULL;
	GError *local = NULL;
	const char *name;

	if (!is_dir(dir))
		return true;
	d = g_dir_open(dir, 0, &local);
	if (!d) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", dir, local->message);
		g_error_free(local);
		return false;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		const char *colon = strchr(name, ':');
		struct stat st;

		if (name[0] == '.' || g_lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		bs_source__entry *e = entry_for(path, &st);
		e->folder = g_strdup(folder->shown);
		e->locator =
		    g_strdup_printf("%s/%s/%.*s", folder->disk, sub,
		                    (int)(colon ? (size_t)(colon - name) : strlen(name)), name);
		g_ptr_array_add(entries, e);
	}
	return true;
}

static bool
list_folder(const char *folder_dir, const char *disk, GPtrArray *entries, GError **error)
{
	g_autofree char *decoded = bs_source_mutf7_decode_dup(disk, strlen(disk));
	/* Not modified UTF-7 (a server that writes UTF-8 names): kept as it is. */
	g_autofree char *kept = decoded ? NULL : g_utf8_make_valid(disk, -1);
	folder_name f = {disk, decoded ? decoded : kept};

	return list_maildir_sub(folder_dir, &f, "cur", entries, error) &&
	       list_maildir_sub(folder_dir, &f, "new", entries, error);
}

/* Maildir++: the root is INBOX; ".Folder.Sub" beside cur/ is "Folder/Sub". */
bool
bs_source__list_maildir(const char *dir, GPtrArray *entries, GError **error)
{
	g_autoptr(GDir) d = NULL;
	GError *local = NULL;
	const char *name;

	if (!list_folder(dir, "INBOX", entries, error))
		return false;
	d = g_dir_open(dir, 0, &local);
	if (!d) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", dir, local->message);
		g_error_free(local);
		return false;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree char *sub = g_build_filename(dir, name, NULL);

		if (name[0] != '.' || name[1] == '\0' || strcmp(name, "..") == 0 ||
		    !bs_source__is_maildir(sub))
			continue;
		g_autofree char *folder = g_strdelimit(g_strdup(name + 1), ".", '/');
		if (!list_folder(sub, folder, entries, error))
			return false;
	}
	g_ptr_array_sort(entries, compare_entries);
	return true;
}

static bool
walk_tree(const char *root, const char *rel, int depth, GPtrArray *entries, GError **error)
{
	g_autofree char *dir = rel ? g_build_filename(root, rel, NULL) : g_strdup(root);
	g_autoptr(GDir) d = NULL;
	GError *local = NULL;
	const char *name;

	if (depth > BS_SOURCE_TREE_DEPTH)
		return true;
	d = g_dir_open(dir, 0, &local);
	if (!d) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", dir, local->message);
		g_error_free(local);
		return false;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *child = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
		struct stat st;

		if (g_lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!walk_tree(root, child, depth + 1, entries, error))
				return false;
			continue;
		}
		size_t n = strlen(name);
		if (!S_ISREG(st.st_mode) || n < 4 || g_ascii_strcasecmp(name + n - 4, ".eml") != 0)
			continue;
		bs_source__entry *e = entry_for(path, &st);
		e->locator = g_steal_pointer(&child);
		e->folder = g_strdup(rel);
		g_ptr_array_add(entries, e);
	}
	return true;
}

bool
bs_source__list_eml_tree(const char *dir, GPtrArray *entries, GError **error)
{
	if (!walk_tree(dir, NULL, 0, entries, error))
		return false;
	g_ptr_array_sort(entries, compare_entries);
	return true;
}

char *
bs_source__fingerprint_entries(GPtrArray *entries, uint64_t *out_total)
{
	g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);
	uint64_t total = 0;

	for (guint i = 0; i < entries->len; i++) {
		const bs_source__entry *e = g_ptr_array_index(entries, i);
		char num[64];
		int n =
		    g_snprintf(num, sizeof num, "\n%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT "\n",
		               e->size, e->mtime_us);

		g_checksum_update(ck, (const guchar *)e->locator, (gssize)strlen(e->locator));
		g_checksum_update(ck, (const guchar *)num, n);
		total += e->size;
	}
	*out_total = total;
	return g_strdup(g_checksum_get_string(ck));
}

typedef enum { READ_OK, READ_OVER, READ_ERROR } read_result;

/* Reads the whole file, at most max bytes, into *out_data (NUL-terminated,
 * caller g_free()s). The listed size sizes the buffer once (one byte more,
 * so that the end is seen without growing); a file that grew since is read
 * on, doubling, up to max. */
static read_result
read_capped(int fd, size_t hint, size_t max, char **out_data, size_t *out_len)
{
	size_t alloc = MIN(hint, max) + 1, len = 0;
	char *p = g_malloc(alloc + 1);

	for (;;) {
		ssize_t n;

		if (len == alloc) {
			if (alloc > max)
				break;
			alloc = MIN(alloc * 2, max + 1);
			p = g_realloc(p, alloc + 1);
		}
		n = read(fd, p + len, alloc - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 && len <= max) {
				p[len] = '\0';
				*out_data = p;
				*out_len = len;
				return READ_OK;
			}
			g_free(p);
			return n < 0 ? READ_ERROR : READ_OVER;
		}
		len += (size_t)n;
	}
	g_free(p);
	return READ_OVER;
}

static void
read_into(bs_source_msg *m, const char *path, uint64_t hint, size_t max)
{
	int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
	read_result r;

	if (fd < 0) {
		m->status = BS_SOURCE_UNREADABLE;
		m->reason = "cannot open the message file";
		return;
	}
	r = read_capped(fd, (size_t)hint, max, &m->data, &m->len);
	close(fd);
	if (r == READ_ERROR) {
		m->status = BS_SOURCE_UNREADABLE;
		m->reason = "cannot read the message file";
	} else if (r == READ_OVER) {
		m->status = BS_SOURCE_TOO_LARGE;
		m->reason = "message larger than max_message_bytes";
	}
}

bs_source_msg *
bs_source__read_entry(const bs_source__entry *e, size_t max, bool read_now)
{
	bs_source_msg *m = g_new0(bs_source_msg, 1);

	m->locator = g_strdup(e->locator);
	m->folder = g_strdup(e->folder);
	m->raw_bytes = e->size;
	m->mtime_us = e->mtime_us;
	if (e->size > max) {
		m->status = BS_SOURCE_TOO_LARGE;
		m->reason = "message larger than max_message_bytes";
		return m;
	}
	m->unread_path = g_strdup(e->path);
	m->unread_max = max;
	if (read_now)
		bs_source_msg_load(m);
	return m;
}

void
bs_source_msg_load(bs_source_msg *m)
{
	g_autofree char *path = g_steal_pointer(&m->unread_path);

	if (path)
		read_into(m, path, m->raw_bytes, m->unread_max);
}
