/* source: format detection and iteration over mbox, Maildir, .eml trees. */
#include "source/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "source/internal.h"

struct bs_source {
	bs_source_format fmt;
	char *path;
	size_t max;
	uint64_t total;
	char *fingerprint;
	GPtrArray *entries; /* bs_source__entry, sorted by locator (Maildir, eml) */
	guint next;
	int fd;            /* mbox */
	bs_mbox_split *sp; /* mbox */
	GQueue ready;      /* mbox: bs_source_msg ready to hand out */
	bool eof;
	char *block;      /* mbox: BS_SOURCE_BLOCK_BYTES */
	int64_t mtime_us; /* mbox file time */
	GArray *offsets;  /* mbox: uint64_t offset of each message read, rising */
};

const char *
bs_source_format_name(bs_source_format f)
{
	switch (f) {
	case BS_SOURCE_MBOX:
		return "mbox";
	case BS_SOURCE_MAILDIR:
		return "maildir";
	case BS_SOURCE_EML_TREE:
		return "eml-tree";
	case BS_SOURCE_EML:
		return "eml";
	}
	return "unknown";
}

void
bs_source_msg_free(bs_source_msg *m)
{
	if (!m)
		return;
	g_free(m->locator);
	g_free(m->folder);
	g_free(m->data);
	g_free(m->unread_path);
	g_free(m);
}

void
bs_source__entry_free(gpointer p)
{
	bs_source__entry *e = p;

	if (!e)
		return;
	g_free(e->path);
	g_free(e->locator);
	g_free(e->folder);
	g_free(e);
}

int64_t
bs_source__mtime_us(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

/* A lone message: the first line is a header field ("Name: value"). */
static bool
sniff_eml(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] > ' ' && p[i] < 127 && p[i] != ':')
		i++;
	return i > 0 && i < len && p[i] == ':';
}

static bool
read_head(const char *path, char *buf, size_t cap, size_t *out_len, GError **error)
{
	int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot open: %s", path,
		            g_strerror(errno));
		return false;
	}
	n = read(fd, buf, cap);
	close(fd);
	if (n < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot read: %s", path,
		            g_strerror(errno));
		return false;
	}
	*out_len = (size_t)n;
	return true;
}

static void
fingerprint_file(bs_source *s, const struct stat *st)
{
	g_autofree char *text =
	    g_strdup_printf("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT,
	                    (gint64)st->st_size, bs_source__mtime_us(st), (guint64)st->st_ino);

	s->fingerprint = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

static bool
open_mbox(bs_source *s, const struct stat *st, GError **error)
{
	s->fd = g_open(s->path, O_RDONLY | O_CLOEXEC, 0);
	if (s->fd < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot open: %s", s->path,
		            g_strerror(errno));
		return false;
	}
	s->fmt = BS_SOURCE_MBOX;
	s->total = (uint64_t)st->st_size;
	s->mtime_us = bs_source__mtime_us(st);
	s->block = g_malloc(BS_SOURCE_BLOCK_BYTES);
	s->offsets = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	fingerprint_file(s, st);
	return true;
}

static bool
open_file(bs_source *s, const struct stat *st, GError **error)
{
	char head[512];
	size_t n = 0;

	if (!read_head(s->path, head, sizeof head, &n, error))
		return false;
	/* An empty file is an empty mbox: mail clients keep one per empty folder. */
	if (n == 0 || bs_mbox_sniff(head, n))
		return open_mbox(s, st, error);
	if (!sniff_eml(head, n)) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE,
		            "\"%s\": neither an mbox nor a message (.eml)", s->path);
		return false;
	}
	s->fmt = BS_SOURCE_EML;
	s->entries = g_ptr_array_new_with_free_func(bs_source__entry_free);
	bs_source__entry *e = g_new0(bs_source__entry, 1);
	e->path = g_strdup(s->path);
	e->locator = g_path_get_basename(s->path);
	e->size = (uint64_t)st->st_size;
	e->mtime_us = bs_source__mtime_us(st);
	g_ptr_array_add(s->entries, e);
	s->total = e->size;
	fingerprint_file(s, st);
	return true;
}

static bool
open_dir(bs_source *s, GError **error)
{
	bool ok;

	s->entries = g_ptr_array_new_with_free_func(bs_source__entry_free);
	if (bs_source__is_maildir(s->path)) {
		s->fmt = BS_SOURCE_MAILDIR;
		ok = bs_source__list_maildir(s->path, s->entries, error);
	} else {
		s->fmt = BS_SOURCE_EML_TREE;
		ok = bs_source__list_eml_tree(s->path, s->entries, error);
	}
	if (!ok)
		return false;
	s->fingerprint = bs_source__fingerprint_entries(s->entries, &s->total);
	return true;
}

bs_source *
bs_source_open(const char *path, size_t max_message_bytes, GError **error)
{
	g_autoptr(bs_source) s = g_new0(bs_source, 1);
	struct stat st;

	s->fd = -1;
	s->path = g_strdup(path);
	s->max = max_message_bytes;
	g_queue_init(&s->ready);
	if (g_stat(path, &st) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", path, g_strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!open_dir(s, error))
			return NULL;
	} else if (S_ISREG(st.st_mode)) {
		if (!open_file(s, &st, error))
			return NULL;
	} else {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "\"%s\": not a file or directory",
		            path);
		return NULL;
	}
	return g_steal_pointer(&s);
}

void
bs_source_free(bs_source *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	bs_mbox_split_free(s->sp);
	g_queue_clear_full(&s->ready, (GDestroyNotify)bs_source_msg_free);
	if (s->entries)
		g_ptr_array_unref(s->entries);
	g_free(s->block);
	if (s->offsets)
		g_array_unref(s->offsets);
	g_free(s->fingerprint);
	g_free(s->path);
	g_free(s);
}

bs_source_format
bs_source_format_of(const bs_source *s)
{
	return s->fmt;
}

uint64_t
bs_source_total_bytes(const bs_source *s)
{
	return s->total;
}

const char *
bs_source_fingerprint(const bs_source *s)
{
	return s->fingerprint;
}

static void
queue_message(bs_source_msg *m, void *user)
{
	bs_source *s = user;

	uint64_t off = 0;

	m->mtime_us = s->mtime_us;
	/* The splitter's locators are "offset:N": 8 bytes a message are what
	 * bs_source_has_locator() keeps of an mbox, not the strings. */
	if (bs_parse_u64(m->locator + 7, strlen(m->locator + 7), G_MAXUINT64, &off))
		g_array_append_val(s->offsets, off);
	g_queue_push_tail(&s->ready, m);
}

static bool
next_mbox(bs_source *s, bs_source_msg **out_msg, GError **error)
{
	if (!s->sp)
		s->sp = bs_mbox_split_new(s->max, queue_message, s);
	while (g_queue_is_empty(&s->ready) && !s->eof) {
		ssize_t n = read(s->fd, s->block, BS_SOURCE_BLOCK_BYTES);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot read: %s",
			            s->path, g_strerror(errno));
			return false;
		}
		if (n == 0) {
			s->eof = true;
			bs_mbox_split_end(s->sp);
		} else {
			bs_mbox_split_feed(s->sp, s->block, (size_t)n);
		}
	}
	*out_msg = g_queue_pop_head(&s->ready);
	return *out_msg != NULL;
}

static bool
next_message(bs_source *s, bs_source_msg **out_msg, bool read_now, GError **error)
{
	*out_msg = NULL;
	if (s->fmt == BS_SOURCE_MBOX)
		return next_mbox(s, out_msg, error);
	if (s->next >= s->entries->len)
		return false;
	*out_msg =
	    bs_source__read_entry(g_ptr_array_index(s->entries, s->next++), s->max, read_now);
	return true;
}

bool
bs_source_next(bs_source *s, bs_source_msg **out_msg, GError **error)
{
	return next_message(s, out_msg, true, error);
}

bool
bs_source_next_unread(bs_source *s, bs_source_msg **out_msg, GError **error)
{
	return next_message(s, out_msg, false, error);
}

static int
compare_offset(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
compare_locator(gconstpointer key, gconstpointer elem)
{
	return strcmp(key, (*(bs_source__entry *const *)elem)->locator);
}

bool
bs_source_has_locator(const bs_source *s, const char *locator)
{
	uint64_t off = 0;

	if (s->fmt != BS_SOURCE_MBOX)
		return bsearch(locator, s->entries->pdata, s->entries->len, sizeof(gpointer),
		               compare_locator) != NULL;
	if (strncmp(locator, "offset:", 7) != 0 ||
	    !bs_parse_u64(locator + 7, strlen(locator + 7), G_MAXUINT64, &off))
		return false;
	return bsearch(&off, s->offsets->data, s->offsets->len, sizeof(uint64_t), compare_offset) !=
	       NULL;
}
