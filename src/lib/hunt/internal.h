/* hunt internals: shared between the files of the hunt module only. */
#ifndef BS_HUNT_INTERNAL_H
#define BS_HUNT_INTERNAL_H

#include "hunt/hunt.h"

#include <gmime/gmime.h>
#include <jansson.h>

#include "base/json.h"

typedef struct hunt_imap hunt_imap; /* an IMAP connection, imap-client.c */

/* The IOC lists; kinds index bs_ioc.lists. */
typedef enum {
	IOC_SENDERS,
	IOC_SENDER_DOMAINS,
	IOC_DISPLAY_NAMES,
	IOC_SUBJECTS,
	IOC_URLS,
	IOC_DOMAINS,
	IOC_ATTACHMENT_SHA256,
	IOC_MESSAGE_IDS,
	IOC_N_LISTS
} ioc_list;

struct bs_ioc {
	GPtrArray *lists[IOC_N_LISTS]; /* of owned normalised strings */
	GPtrArray *regex[IOC_N_LISTS]; /* GRegex per string for regex lists, else NULL */
	GHashTable *set[IOC_N_LISTS];  /* exact lists: set of the strings (keys borrowed) */
};

/* The kind a hit names for a list ("sender", ...), static. */
const char *bs_hunt__kind_name(ioc_list l);

/* Lower-case host of an absolute URL (scheme://[user@]host[:port]...);
 * NULL if it has none. Caller g_free()s. */
char *bs_hunt__url_host(const char *url, size_t len);

/* URL in comparable form: scheme and host lower-cased, surrounding space
 * trimmed. NULL if not an absolute URL with a host. Caller g_free()s. */
char *bs_hunt__url_normalise(const char *url, size_t len);

/* true if host equals domain or is a subdomain of it (both lower-case). */
bool bs_hunt__domain_covers(const char *domain, const char *host);

/* GMime is initialised once per process (thread-safe). */
void bs_hunt__gmime_init(void);

/* Lower-case hex SHA-256 of data into out (65 bytes). */
void bs_hunt__sha256_hex(const void *data, size_t len, char out[65]);

/* ---- sources: what a SOURCE argument holds ----------------------------- */

typedef enum { BOX_MAILDIR, BOX_MBOX, BOX_EML } box_kind;

/* One folder-like unit of a source. */
typedef struct {
	box_kind kind;
	char *path;    /* owned: Maildir folder (holds cur/, new/), mbox file or .eml file */
	char *mailbox; /* owned */
	char *folder;  /* owned */
	char *rel;     /* owned: path relative to SOURCE ("" for SOURCE itself) */
} hunt_box;

void bs_hunt__box_free(hunt_box *b);

/* GPtrArray sort function for arrays of strings. */
int bs_hunt__cmp_names(gconstpointer a, gconstpointer b);

/* Appends the boxes of a local SOURCE (Maildir, mbox file, .eml file or a
 * directory tree of them) to boxes (of hunt_box *), sorted by path.
 * Symbolic links are not followed. false if SOURCE cannot be read. */
bool bs_hunt__collect_boxes(const char *source, GPtrArray *boxes, GError **error);

/* mbox framing: a message starts with "From " at offset 0 or after an
 * empty line (LF or CRLF); it ends where the next one starts. Returns the
 * end of the message that starts at start. */
size_t bs_hunt__mbox_end(const char *text, size_t len, size_t start);
/* true if text looks like an mbox (starts with a From_ line). */
bool bs_hunt__is_mbox(const char *text, size_t len);

/* ---- quarantine -------------------------------------------------------- */

/* What a manifest records about a message besides where it was. */
typedef struct {
	const char *source;
	const char *mailbox;
	const char *folder;
	const char *message_id; /* may be NULL */
	const char *date;       /* may be NULL */
} hunt_meta;

/* One hit inside an mbox file. */
typedef struct {
	size_t offset;  /* start of the From_ line */
	size_t len;     /* through the end of the message, blank line included */
	hunt_meta meta; /* strings owned by the caller */
} mbox_hit;

/* An open quarantine directory:
 *   DIR/lock             flock()ed while a hunt or restore runs
 *   DIR/journal          intents (JSON lines), fsync()ed before each step
 *   DIR/manifest         what was quarantined and what restored (JSON lines)
 *   DIR/Maildir/         quarantined Maildir messages (<seq>.<name>)
 *   DIR/eml/             quarantined .eml files (<seq>.<name>)
 *   DIR/quarantine.mbox  quarantined mbox messages, appended
 * The manifest line is the commit point of every move; the journal says
 * what was under way, so that opening the directory after a kill either
 * completes a step whose effect is visible or undoes one whose is not. */
typedef struct hunt_q {
	char *dir; /* owned, absolute */
	int lock_fd;
	int journal_fd;      /* O_APPEND */
	int manifest_fd;     /* O_APPEND */
	uint64_t next_seq;   /* next free sequence number */
	unsigned kill_after; /* test hook: SIGKILL after this many steps (0 never) */
	unsigned steps;
	GHashTable *entries;      /* seq -> json_t manifest entry (owned) */
	GHashTable *restored;     /* set of restored seqs */
	const bs_imap_auth *imap; /* borrowed; NULL: no IMAP credentials */
	hunt_imap *conn;          /* cached connection (owned) for conn_key */
	char *conn_key;           /* "url\nuser" of conn */
} hunt_q;

/* Durable-step helpers shared by quarantine.c, qmbox.c, restore.c, imap.c. */
void bs_hunt__q_step(hunt_q *q);
bool bs_hunt__q_journal(hunt_q *q, json_t *rec, GError **error); /* rec borrowed */
bool bs_hunt__q_journal_clear(hunt_q *q, GError **error);
/* Appends manifest records (array of objects, borrowed) in one write. */
bool bs_hunt__q_manifest(hunt_q *q, json_t *recs, GError **error);
/* fsync()s the directory that holds path. */
bool bs_hunt__fsync_parent(const char *path, GError **error);
/* SHA-256 and size of a whole file; false if it cannot be read. */
bool bs_hunt__sha256_file(const char *path, char out_hex[65], int64_t *out_size);
/* "YYYY-MM-DDTHH:MM:SSZ" now, caller g_free()s. */
char *bs_hunt__now(void);
const char *bs_hunt__rec_str(const json_t *rec, const char *key); /* NULL if absent */
int64_t bs_hunt__rec_int(const json_t *rec, const char *key);     /* -1 if absent */
/* The metadata part of a manifest entry. Caller json_decref()s. */
json_t *bs_hunt__meta_json(const char *kind, const hunt_meta *meta);

/* Recovery of mbox steps (qmbox.c); rec is the intent, written the
 * matching "written" record or NULL. */
bool bs_hunt__recover_mbox(hunt_q *q, json_t *rec, json_t *written, GError **error);
bool bs_hunt__recover_unmbox(hunt_q *q, json_t *rec, json_t *written, GError **error);
/* Recovery of IMAP moves, and moving one back (imap.c). */
bool bs_hunt__recover_imap(hunt_q *q, json_t *rec, GError **error);
bool bs_hunt__imap_restore(hunt_q *q, json_t *entry, const bs_imap_auth *auth, GError **error);
/* Restores one mbox group (all unrestored entries of group); qmbox.c. */
bool bs_hunt__restore_mbox(hunt_q *q, int64_t group, size_t *out_restored, size_t *out_changed,
                           GError **error);

/* Opens (creating) a quarantine directory, locks it and completes or rolls
 * back whatever its journal says was interrupted. */
hunt_q *bs_hunt__q_open(const char *dir, const bs_imap_auth *imap, unsigned kill_after,
                        size_t *out_recovered, GError **error);
void bs_hunt__q_close(hunt_q *q); /* NULL is a no-op */

/* Moves one message file (Maildir or .eml) into the quarantine; *out_moved
 * false (and true returned) if it vanished meanwhile. */
bool bs_hunt__q_file(hunt_q *q, box_kind kind, const char *path, const hunt_meta *meta,
                     bool *out_moved, GError **error);
/* Moves a quarantined file back (restore) and records it. */
bool bs_hunt__unfile(hunt_q *q, json_t *entry, GError **error);
/* Rewrites an mbox without the hits (sorted by offset, not overlapping),
 * appending them to the quarantine mbox. The file must still have the size
 * and modification time it had when it was scanned. */
bool bs_hunt__q_mbox(hunt_q *q, const char *path, int64_t scanned_size, int64_t scanned_mtime_ns,
                     const mbox_hit *hits, size_t count, GError **error);

/* ---- IMAP -------------------------------------------------------------- */

struct bs_imap_auth {
	char *user;              /* owned; login when the URL names none */
	char *password;          /* owned; wiped on free */
	char *master_user;       /* owned; NULL: log in as the user */
	char *ca_file;           /* owned; NULL: system CAs */
	char *quarantine_folder; /* owned */
};

/* An authenticated connection (imap-client.c). */

/* Connects to conn_url ("imap[s]://host[:port]/") and logs in for user.
 * shown names the source in errors. NULL and error set on failure. */
hunt_imap *bs_hunt__imap_connect(const char *conn_url, const char *shown, const char *user,
                                 const bs_imap_auth *auth, GError **error);
void bs_hunt__imap_close(hunt_imap *c); /* NULL is a no-op */
bool bs_hunt__imap_has_move(const hunt_imap *c);

/* Called for each untagged response (text after "* ") and for the tagged
 * status (text after the tag); literals (GBytes) in order, their places
 * in text marked {N}. Everything borrowed for the call. */
typedef void hunt_imap_resp_fn(const char *text, GPtrArray *literals, void *user);

/* Sends one command (without tag and CRLF) and reads to its tagged reply;
 * false unless OK. */
bool bs_hunt__imap_command(hunt_imap *c, const char *cmd, hunt_imap_resp_fn *fn, void *user,
                           GError **error);
/* Appends s as an IMAP quoted string; false if s holds control or 8-bit bytes. */
bool bs_hunt__imap_quote(const char *s, GString *out);

bool bs_hunt__is_imap_url(const char *s);
/* Hunts one imap[s]:// source; with q, moves hits into the quarantine
 * folder and records them in q's manifest. */
bool bs_hunt__imap_hunt(const bs_hunt_options *opt, hunt_q *q, const char *url,
                        bs_hunt_stats *stats, GError **error);

#endif
