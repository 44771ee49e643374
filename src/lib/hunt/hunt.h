/* hunt: find phishing mail by indicators of compromise (an IOC file) in
 * mbox files, Maildirs, .eml trees and live IMAP folders; optionally move
 * every hit into a quarantine that a manifest and a journal make restorable
 * byte for byte and safe against a kill at any moment.
 *
 * A bs_ioc is read-only once loaded: share it between threads. A hunt run
 * and a restore each work on one quarantine directory at a time (they take
 * its lock file); nothing here keeps global mutable state except GMime's
 * and libxml2's one-time initialisation. Nothing here prints: hits reach
 * the caller through a callback, problems through GError. */
#ifndef BS_HUNT_H
#define BS_HUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "base/config.h"

G_BEGIN_DECLS

/* ---- the IOC file ------------------------------------------------------ */

typedef struct bs_ioc bs_ioc;

/* Loads and validates an IOC file (JSON, "version": 1). Errors name
 * file:line:col and the field. NULL and error set on failure. */
bs_ioc *bs_ioc_load(const char *path, GError **error);
/* The same from memory; name is used in error messages. */
bs_ioc *bs_ioc_parse(const char *name, const char *text, size_t len, GError **error);
void bs_ioc_free(bs_ioc *ioc); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_ioc, bs_ioc_free)

/* Number of indicators over all lists. */
size_t bs_ioc_count(const bs_ioc *ioc);

/* The result of matching one message. */
typedef struct {
	char *message_id;   /* owned; "<id>" as in the header; NULL if absent */
	char *date;         /* owned; "YYYY-MM-DDTHH:MM:SSZ" (Date header) or NULL */
	GPtrArray *matched; /* owned; owned "kind:indicator" strings, deduplicated */
	bool partial;       /* a limit (regex budget, size, depth) cut a check short */
} bs_ioc_result;

/* Matches one raw message (RFC 5322 bytes, no mbox From_ line) against ioc.
 * Never fails: broken mail is matched as far as it parses. out is
 * initialised here; release with bs_ioc_result_fini(). */
void bs_ioc_match(const bs_ioc *ioc, const char *data, size_t len, bs_ioc_result *out);
void bs_ioc_result_fini(bs_ioc_result *r);

/* ---- IMAP credentials -------------------------------------------------- */

/* From the [imap] settings of a bs_config (user, password, master_user,
 * ca_file, quarantine_folder). With master_user set, hunt logs in as
 * master_user with password and acts for each URL's user (SASL PLAIN
 * authorisation id, as Dovecot master users and Exchange/Cyrus admins
 * expect). NULL and error set if no password is configured. */
typedef struct bs_imap_auth bs_imap_auth;

bs_imap_auth *bs_imap_auth_new(const bs_config *cfg, GError **error);
void bs_imap_auth_free(bs_imap_auth *auth); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_imap_auth, bs_imap_auth_free)

/* ---- IMAP as a message source ------------------------------------------ */

/* One message of an IMAP folder; everything borrowed for the callback. A
 * scanner's locator for it: "<folder>/<uidvalidity>/<uid>". */
typedef struct {
	const char *folder;
	uint64_t uid;
	uint64_t uidvalidity;
	const char *data; /* the raw message (RFC 5322 bytes) */
	size_t len;
} bs_imap_message;

/* Return false to stop the walk early. */
typedef bool bs_imap_message_fn(const bs_imap_message *m, void *user);

/* Calls fn for every message of an imap[s]:// URL (its folder, or every
 * folder except the quarantine folder), fetched 64 at a time with EXAMINE
 * and BODY.PEEK[]: nothing on the server changes. For `scan` (which sits
 * left of hunt, so its CLI command wires this in). */
bool bs_imap_source_each(const char *url, const bs_imap_auth *auth, bs_imap_message_fn *fn,
                         void *user, GError **error);

/* ---- hunting ----------------------------------------------------------- */

typedef struct {
	const char *source;       /* the SOURCE argument as given */
	const char *mailbox;      /* owner: first path component below SOURCE, or its name */
	const char *folder;       /* "INBOX", a Maildir++ folder, an IMAP folder */
	const char *locator;      /* mbox "offset:N", Maildir "<folder>/<cur|new>/<name>", eml
	                             relative path, IMAP "uid:N" */
	const char *message_id;   /* NULL if absent */
	const char *date;         /* NULL if absent */
	const GPtrArray *matched; /* of "kind:indicator" strings */
	bool quarantined;         /* moved into the quarantine by this run */
} bs_hunt_hit;

/* Called once per hit; everything borrowed for the call only. */
typedef void bs_hunt_hit_fn(const bs_hunt_hit *hit, void *user);

typedef struct {
	const bs_ioc *ioc;
	const char *quarantine_dir; /* NULL: dry run */
	const bs_imap_auth *imap;   /* for imap:// sources; NULL if none */
	bs_hunt_hit_fn *on_hit;
	void *user;
	/* Test hook (tests/cli/test-hunt.sh): SIGKILL ourselves after this many
	 * durable journal steps; 0 = never. Set by the CLI from
	 * BS_TEST_HUNT_KILL_AFTER; the library reads no environment. */
	unsigned test_kill_after;
} bs_hunt_options;

typedef struct {
	size_t messages; /* messages looked at */
	size_t hits;
	size_t quarantined;
	size_t partial;   /* messages or folders not fully checked (limits, read errors) */
	size_t recovered; /* interrupted journal steps completed or rolled back first */
} bs_hunt_stats;

/* Hunts every source (paths or imap[s]:// URLs). With a quarantine
 * directory, first completes or rolls back any interrupted earlier run
 * recorded in its journal. Returns false only on a fatal error (bad
 * quarantine directory, unreadable SOURCE); unreadable messages count as
 * partial. out_stats is set in both cases. */
bool bs_hunt_run(const bs_hunt_options *opt, char *const *sources, size_t count,
                 bs_hunt_stats *out_stats, GError **error);

typedef struct {
	size_t restored;  /* messages put back */
	size_t changed;   /* mbox messages put back at the end because the file changed */
	size_t recovered; /* interrupted journal steps completed or rolled back first */
} bs_hunt_restore_stats;

/* Puts every message of DIR/manifest back where it came from, newest
 * first, byte-identical. Safe to re-run; restored entries are skipped. */
bool bs_hunt_restore(const char *manifest_path, const bs_imap_auth *imap, unsigned test_kill_after,
                     bs_hunt_restore_stats *out_stats, GError **error);

G_END_DECLS
#endif
