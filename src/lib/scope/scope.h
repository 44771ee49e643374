/* scope: which messages were exposed, and how surely. Loads and validates a
 * scope file (docs/scope.md; written by `breachscope signins` or by hand) and
 * grades messages against it:
 *   accessed  the message is named by a MailItemsAccessed Bind record
 *   synced    named as synced, or its folder was synced by the attacker
 *   window    the mailbox was open to the attacker while it held the message
 *             (a window or a throttled period), access unlogged
 *   none      not exposed as far as the evidence goes
 * A loaded bs_scope is read-only: share it between threads freely. */
#ifndef BS_SCOPE_H
#define BS_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* Ordered by strength: a stronger grade always wins. */
typedef enum {
	BS_GRADE_NONE = 0,
	BS_GRADE_WINDOW,
	BS_GRADE_SYNCED,
	BS_GRADE_ACCESSED,
} bs_grade;

/* "none", "window", "synced", "accessed"; static strings. */
const char *bs_grade_name(bs_grade grade);
/* false when name is none of the four. */
bool bs_grade_from_name(const char *name, bs_grade *out_grade);

/* A message whose date is not known: graded as if inside every window. */
#define BS_SCOPE_DATE_UNKNOWN INT64_MIN
/* An open window ("to": null) ends here. */
#define BS_SCOPE_OPEN_END INT64_MAX

typedef struct bs_scope bs_scope;

/* Loads and validates the scope file at path. NULL-safe outputs: on failure
 * returns false and error says "FILE:LINE:COL: what" pointing at the bad
 * field (BS_ERROR_PARSE), or names the file (BS_ERROR_IO, BS_ERROR_LIMIT). */
bool bs_scope_load(const char *path, bs_scope **out_scope, GError **error);
/* The same from memory; name is used in error messages only. */
bool bs_scope_load_data(const char *name, const char *text, size_t len, bs_scope **out_scope,
                        GError **error);
void bs_scope_free(bs_scope *scope); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_scope, bs_scope_free)

/* Number of accounts and the i-th account's name (as written in the file);
 * borrowed, valid until bs_scope_free(). */
size_t bs_scope_account_count(const bs_scope *scope);
const char *bs_scope_account_name(const bs_scope *scope, size_t i);

/* The i-th account's windows and throttled periods (when its mail was open
 * to the attacker), in file order: copies at most max into out and returns
 * how many there are. to_us is BS_SCOPE_OPEN_END while not contained. */
typedef struct {
	int64_t from_us;
	int64_t to_us;
} bs_scope_span;
size_t bs_scope_account_spans(const bs_scope *scope, size_t i, bs_scope_span *out, size_t max);

/* The mailbox source paths (or imap URLs) of an account, matched without
 * regard to ASCII case: a NULL-terminated array, borrowed, valid until
 * bs_scope_free(). NULL when the account is not in the scope. */
const char *const *bs_scope_mailboxes_for(const bs_scope *scope, const char *account);

/* The account whose "mailboxes" contain path: equal to an entry, or under
 * it (entry "mail/anna" owns "mail/anna/cur/1:2,S"). Trailing slashes and a
 * leading "./" are ignored. Borrowed; NULL when no account owns the path. */
const char *bs_scope_account_for_path(const bs_scope *scope, const char *path);

/* Grades one message. account_or_mailbox is an account name or a source
 * path (resolved as bs_scope_account_for_path()); message_id may carry angle
 * brackets or be NULL; date_us is the message date in µs since the epoch or
 * BS_SCOPE_DATE_UNKNOWN; folder is the folder path inside the mailbox or
 * NULL ("\Inkorgen", "INBOX/Projekt", ".Sent" are all understood).
 * Precedence, strongest first:
 *  1. the Message-ID is in the account's "items": that item's grade
 *     (whatever the date: a Bind record proves access);
 *  2. the folder matches one of the account's synced "folders" and the
 *     message is dated before that folder's last sync ("to"): synced;
 *  3. the message is dated before the end of one of the account's windows
 *     or throttled periods (an open window never ends): window. A window
 *     exposes every message the mailbox held while it was open, so old
 *     mail counts; mail that arrived after containment does not;
 *  4. otherwise, and for accounts or paths not in the scope: none.
 * Without a scope (scope NULL) every message is window. */
bs_grade bs_scope_grade(const bs_scope *scope, const char *account_or_mailbox,
                        const char *message_id, int64_t date_us, const char *folder);

/* Parses an RFC 3339 / ISO-8601 time ("2024-03-05T10:11:12Z", with offset
 * or fraction; no zone means UTC) into µs since the epoch. */
bool bs_scope_time_parse(const char *text, int64_t *out_us);
/* Formats µs since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (seconds, UTC) into
 * buf of at least BS_SCOPE_TIME_LEN bytes; returns buf. */
#define BS_SCOPE_TIME_LEN 32
char *bs_scope_time_format(int64_t us, char *buf, size_t buf_len);

G_END_DECLS
#endif
