/* hunt internals: shared between the files of the hunt module only. */
#ifndef BS_HUNT_INTERNAL_H
#define BS_HUNT_INTERNAL_H

#include "hunt/hunt.h"

#include <gmime/gmime.h>

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

typedef struct hunt_q hunt_q;

/* Opens (creating) a quarantine directory, locks it and completes or rolls
 * back whatever its journal says was interrupted. */
hunt_q *bs_hunt__q_open(const char *dir, unsigned kill_after, size_t *out_recovered,
                        GError **error);
void bs_hunt__q_close(hunt_q *q); /* NULL is a no-op */

/* Moves one message file (Maildir or .eml) into the quarantine. */
bool bs_hunt__q_file(hunt_q *q, box_kind kind, const char *path, const hunt_meta *meta,
                     GError **error);
/* Rewrites an mbox without the hits (sorted by offset, not overlapping),
 * appending them to the quarantine mbox. The file must still have the size
 * and modification time it had when it was scanned. */
bool bs_hunt__q_mbox(hunt_q *q, const char *path, int64_t scanned_size, int64_t scanned_mtime_ns,
                     const mbox_hit *hits, size_t count, GError **error);

/* ---- IMAP -------------------------------------------------------------- */

bool bs_hunt__is_imap_url(const char *s);
/* Hunts one imap[s]:// source; with q, moves hits into the quarantine
 * folder and records them in q's manifest. */
bool bs_hunt__imap_hunt(const bs_hunt_options *opt, hunt_q *q, const char *url,
                        bs_hunt_stats *stats, GError **error);

#endif
