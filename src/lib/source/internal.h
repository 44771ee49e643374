/* source internals: the file listings of Maildir and .eml trees. */
#ifndef BS_SOURCE_INTERNAL_H
#define BS_SOURCE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include <glib.h>

/* Deepest directory nesting walked in an .eml tree (symlinks not followed). */
#define BS_SOURCE_TREE_DEPTH 64

typedef struct {
	char *path;    /* owned */
	char *locator; /* owned */
	char *folder;  /* owned, may be NULL */
	uint64_t size;
	int64_t mtime_us;
} bs_source__entry;

void bs_source__entry_free(gpointer p);
int64_t bs_source__mtime_us(const struct stat *st);

/* A directory with cur/ or new/ in it. */
bool bs_source__is_maildir(const char *dir);
/* Appends the messages of the Maildir (INBOX and Maildir++ folders), sorted. */
bool bs_source__list_maildir(const char *dir, GPtrArray *entries, GError **error);
/* Appends every *.eml under dir (case-insensitive suffix), sorted. */
bool bs_source__list_eml_tree(const char *dir, GPtrArray *entries, GError **error);
/* SHA-256 hex over locator, size, mtime of each entry; total size out. */
char *bs_source__fingerprint_entries(GPtrArray *entries, uint64_t *out_total);
/* One listed file as a message, read now (status set when it cannot) or
 * left for bs_source_msg_load(). */
bs_source_msg *bs_source__read_entry(const bs_source__entry *e, size_t max, bool read_now);

#endif
