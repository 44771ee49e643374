/* scan: mailboxes into the pseudonymised index.
 *
 * For each SOURCE (source module) every message is walked (mail + extract),
 * each text segment goes through detect with the message date as reference
 * date (else the first Received, else the file time), and what is found at
 * medium confidence or above becomes subjects (keyed pseudonyms, crypto),
 * occurrences (where, best confidence, child, count) and the message's
 * categories; the message gets its exposure grade from the scope (scope)
 * and a row ok / partial / failed with the reason. With a vault public key
 * in the config each new subject is also sealed to it.
 *
 * Threads: N threads of work in all, the calling thread and N-1 others
 * (--threads 1 is the calling thread alone). Each claims the next message
 * of the source under a lock, reads, walks and detects it unlocked, and
 * queues the result; whichever thread finds the store free writes what is
 * queued (one writer at a time, commits in batches). Memory in flight is
 * one message per thread plus a bounded queue of results, so peak memory
 * does not grow with the size of a source.
 *
 * Resume and idempotence: a source row carries a fingerprint of its
 * listing (bs_source_fingerprint) and a state. An unchanged source whose
 * state is "done" is skipped whole; an unfinished one is resumed, skipping
 * each message whose (source, locator) row exists; a message and all its
 * occurrences are written in one transaction. A killed run started again
 * therefore ends with exactly the rows a clean run gives (row ids aside).
 * A changed source is scanned again whole (each message row replaced) and,
 * once read to its end, loses the rows of messages that are no longer in it
 * and the subjects left without occurrences (bs_store_message_prune): the
 * index then equals a clean scan of the new input.
 *
 * Mailbox owner of a source: the scope account whose "mailboxes" holds the
 * path; else the path's base name without ".mbox"/".mbx"/".eml" (a Maildir
 * called "Maildir" or "mail" takes its parent directory's name); an
 * imap[s]:// source: the URL's user, else its host.
 *
 * Remote sources (imap:// and imaps:// URLs) are read through
 * opts->remote_each, which the CLI wires to hunt's IMAP client (scan sits
 * left of hunt). The calling thread fetches and scans them, the fetch being
 * what bounds them. A remote message's locator never changes its content
 * (IMAP: folder, UIDVALIDITY and UID), so a re-scan skips every locator in
 * the index and drops those the server no longer has; the reference date of
 * a message without Date or Received is the time of the scan.
 *
 * Addresses: people-header addresses and addresses in text are e-mail
 * subjects; those in one of the config's org_domains (or a subdomain) are
 * staff, the others residents. Organisation numbers are not personal data
 * and are not indexed. */
#ifndef BS_SCAN_H
#define BS_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"
#include "detect/detect.h"
#include "scope/scope.h"
#include "store/store.h"

G_BEGIN_DECLS

/* The writer commits after this many messages (or half a second). */
#define BS_SCAN_BATCH_MESSAGES 2000
/* Results waiting for the store, at most: a thread that finds more queued
 * waits for the store and writes them instead of scanning on. */
#define BS_SCAN_PENDING_MAX (2 * BS_SCAN_BATCH_MESSAGES)

typedef struct {
	uint64_t messages;    /* messages walked and detected in this run */
	uint64_t bytes;       /* their raw bytes */
	uint64_t total_bytes; /* bytes of all sources (for the ETA) */
	double seconds;       /* since the scan began */
} bs_scan_progress;

/* Called from the calling thread, at most every 200 ms and once at the end. */
typedef void bs_scan_progress_fn(const bs_scan_progress *p, void *user);

/* One message of a remote source, borrowed for the call. */
typedef struct {
	const char *locator; /* stable: IMAP "<folder>/<uidvalidity>/<uid>" */
	const char *folder;
	const char *data; /* the raw message */
	size_t len;
} bs_scan_remote_msg;

/* Takes one message; false stops the source. */
typedef bool bs_scan_remote_msg_fn(const bs_scan_remote_msg *m, void *fn_user);

/* Reads the remote source url: fn once per message, from the calling
 * thread. false and error when the source cannot be read (false without
 * error when fn stopped it). */
typedef bool bs_scan_remote_each_fn(const char *url, bs_scan_remote_msg_fn *fn, void *fn_user,
                                    void *user, GError **error);

/* True for the SOURCE arguments that are remote (imap://, imaps://). */
bool bs_scan_source_is_remote(const char *source);

typedef struct {
	const bs_detector *detector; /* borrowed; required */
	const bs_scope *scope;       /* borrowed; NULL: every message is window */
	unsigned threads;            /* threads in all; 0: config, then one per core */
	unsigned shard_k, shard_n;   /* scan only messages of shard k of n (1-based); n 0: all */
	bs_scan_progress_fn *progress;
	void *progress_user;
	bs_scan_remote_each_fn *remote_each; /* reads remote sources; NULL: they are refused */
	void *remote_user;
} bs_scan_options;

typedef struct {
	uint64_t sources;           /* sources named */
	uint64_t sources_unchanged; /* skipped: done and unchanged */
	uint64_t messages;          /* messages scanned in this run */
	uint64_t ok, partial, failed;
	uint64_t resumed_skipped; /* already in the index from an earlier run */
	uint64_t removed;         /* rows dropped: gone from their changed source */
	uint64_t bytes;           /* raw bytes scanned */
	uint64_t occurrences;     /* occurrence rows written (subject x message x where) */
	double seconds;
	unsigned threads;
} bs_scan_summary;

/* Scans the sources into the workspace's index. false with error only when
 * the scan cannot go on (a source path that is no mailbox, the store
 * failing); broken messages are rows with a status, never an error. The
 * summary is filled in both cases as far as the scan got. */
bool bs_scan_run(bs_workspace *ws, const char *const *sources, const bs_scan_options *opts,
                 bs_scan_summary *out_summary, GError **error);

/* The summary as one JSON object (key NULL at top level). */
void bs_scan_summary_write_json(const bs_scan_summary *s, const char *key, bs_json *j);

/* The mailbox owner of a source path by the rule above (scope may be NULL).
 * Caller g_free()s. */
char *bs_scan_owner_dup(const bs_scope *scope, const char *path);

G_END_DECLS
#endif
