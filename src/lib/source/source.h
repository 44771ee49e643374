/* source: read mailbox exports message by message with bounded memory.
 *
 * A SOURCE path is one of: an mbox file (mboxo or mboxrd), a Maildir
 * (cur/ and new/, Maildir++ subfolders ".Folder.Sub"), a directory tree of
 * .eml files, or one .eml file. The format is detected from the path.
 *
 * Memory: an mbox is read in blocks of BS_SOURCE_BLOCK_BYTES and each
 * message is copied out on its own; a message is never larger in memory
 * than max_message_bytes. A bigger one is still reported (status
 * BS_SOURCE_TOO_LARGE, with its size) but its bytes are not kept. Maildir
 * and .eml trees are listed once (names only, sorted, so that the order is
 * the same on every run) and each file is read when its turn comes.
 *
 * mbox variants: a "From " line opens a message when it follows an empty
 * line or starts the file, or when it has the shape of a From_ line
 * ("From sender ... HH:MM ... YYYY") so that writers that omit the empty
 * line are still split. Quoted lines ">From ", ">>From "... are unquoted by
 * one '>' as mboxrd does. mboxo writers quote only "From " and leave
 * ">From " as it was, so ">>From " cannot come from them: the splitter
 * starts as mboxo (">From " loses one '>', ">>From " is kept) and switches
 * to mboxrd for the rest of the file at the first ">>From " line. Both
 * variants unquote every line before that point identically, so the switch
 * needs no look-ahead. Content-Length headers (mboxcl) are not trusted.
 *
 * Maildir++ folder names are IMAP's modified UTF-7 on disk (RFC 3501
 * 5.1.3: ".Sk&AOQ-p" is "Skäp"); the folder a message reports is decoded to
 * UTF-8, while its locator keeps the name as it is on disk (the identity).
 *
 * Thread-safety: a bs_source is used by one thread; the bs_source_msg it
 * hands out owns its data and may go to another thread, and
 * bs_source_msg_load() may run there. */
#ifndef BS_SOURCE_H
#define BS_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"

G_BEGIN_DECLS

/* Bytes read from an mbox per read(2); bounds the splitter's own memory. */
#define BS_SOURCE_BLOCK_BYTES (1u << 20)
/* Longest From_ line looked at to decide whether it separates messages. */
#define BS_SOURCE_FROM_LINE_BYTES 256

typedef enum {
	BS_SOURCE_MBOX = 1, /* "mbox" */
	BS_SOURCE_MAILDIR,  /* "maildir" */
	BS_SOURCE_EML_TREE, /* "eml-tree" */
	BS_SOURCE_EML,      /* "eml" */
} bs_source_format;

const char *bs_source_format_name(bs_source_format f); /* static string */

typedef enum {
	BS_SOURCE_OK = 0,
	BS_SOURCE_TRUNCATED,  /* mbox ended inside this message (no final newline) */
	BS_SOURCE_TOO_LARGE,  /* larger than max_message_bytes: data is empty */
	BS_SOURCE_UNREADABLE, /* the file could not be read: reason says why */
} bs_source_status;

/* One message. Owns everything it points to; free with bs_source_msg_free(). */
typedef struct {
	char *locator; /* mbox "offset:<byte>", Maildir "<folder>/<cur|new>/<name
	                * without flags>", eml tree: path relative to the root */
	char *folder;  /* Maildir: "INBOX" or the Maildir++ name ("Folder/Sub");
	                * eml tree: relative directory or NULL; mbox: NULL */
	char *data;    /* message bytes (mbox: From_ line removed, unquoted);
	                * NUL after data[len]; NULL unless status is OK or
	                * TRUNCATED */
	size_t len;
	uint64_t raw_bytes; /* bytes it took in the source (for MB/s and limits) */
	int64_t mtime_us;   /* file time (mbox: the mbox file's), µs since the epoch */
	bs_source_status status;
	const char *reason; /* static text; NULL when status is BS_SOURCE_OK */
	char *unread_path;  /* bs_source_next_unread(): the file bs_source_msg_load()
	                     * reads; NULL once read (and for mbox messages) */
	size_t unread_max;  /* its max_message_bytes */
} bs_source_msg;

void bs_source_msg_free(bs_source_msg *m); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_source_msg, bs_source_msg_free)

typedef struct bs_source bs_source;

/* Detects the format of path and prepares to iterate. max_message_bytes
 * caps one message in memory. NULL and error (naming the path) when path
 * is missing or is no mailbox we know. */
bs_source *bs_source_open(const char *path, size_t max_message_bytes, GError **error);
void bs_source_free(bs_source *s); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_source, bs_source_free)

bs_source_format bs_source_format_of(const bs_source *s);
/* Total bytes of the messages (file sizes), known at open; for progress. */
uint64_t bs_source_total_bytes(const bs_source *s);
/* A fingerprint of the source's content as listed at open: SHA-256 over
 * the names, sizes and modification times of its files (not their bytes,
 * which would double the reading). Borrowed from s. */
const char *bs_source_fingerprint(const bs_source *s);

/* The next message into *out_msg (caller frees). false at the end (out_msg
 * NULL) or on an I/O error of the source itself (error set). A message that
 * cannot be read is not an error: it comes back with a status. */
bool bs_source_next(bs_source *s, bs_source_msg **out_msg, GError **error);

/* As bs_source_next(), but a Maildir or .eml message comes back unread
 * (data NULL, unread_path set) for bs_source_msg_load() to read, so that a
 * caller can hand out messages under a lock and read the files outside it,
 * in parallel. mbox messages come back read (the splitter reads in order). */
bool bs_source_next_unread(bs_source *s, bs_source_msg **out_msg, GError **error);
/* Reads an unread message's file: data and len, or a status and reason as
 * bs_source_next() would have set them. A read message is left alone. */
void bs_source_msg_load(bs_source_msg *m);

/* Whether locator names a message of s: for Maildir and .eml sources one of
 * the listing; for an mbox one of the messages read, so ask only after
 * bs_source_next() has returned false without an error. A re-scan drops the
 * index rows of the locators that are gone. */
bool bs_source_has_locator(const bs_source *s, const char *locator);

/* A Maildir++ folder name in modified UTF-7 (RFC 3501 5.1.3: printable
 * ASCII as itself, "&-" for "&", other characters as "&" + base64 of
 * UTF-16BE with "," for "/" + "-") as UTF-8. NULL when it is not valid
 * modified UTF-7 (bytes outside printable ASCII, a bad or unterminated
 * run, a lone surrogate, U+0000): the caller keeps the name as it is.
 * Caller g_free()s. */
char *bs_source_mutf7_decode_dup(const char *name, size_t len);

/* The mbox splitter, over data fed in chunks of any size; public for the
 * fuzz harness and the tests. Messages come out through fn; msg is handed
 * over (fn frees it). */
typedef struct bs_mbox_split bs_mbox_split;
typedef void bs_mbox_msg_fn(bs_source_msg *msg, void *user);

bs_mbox_split *bs_mbox_split_new(size_t max_message_bytes, bs_mbox_msg_fn *fn, void *user);
void bs_mbox_split_free(bs_mbox_split *sp); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_mbox_split, bs_mbox_split_free)
void bs_mbox_split_feed(bs_mbox_split *sp, const char *p, size_t len);
/* End of input: hands out the last message (truncated if no final newline). */
void bs_mbox_split_end(bs_mbox_split *sp);
/* True once a ">>From " line switched the splitter to mboxrd. */
bool bs_mbox_split_is_mboxrd(const bs_mbox_split *sp);

/* True when the first bytes look like an mbox ("From " at the start). */
bool bs_mbox_sniff(const char *p, size_t len);

G_END_DECLS
#endif
