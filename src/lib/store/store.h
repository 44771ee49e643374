/* store: the workspace (config + pseudonym key + index) and the index
 * behind one interface, two backends: SQLite (the default, DIR/index.sqlite,
 * WAL) and PostgreSQL ([store] backend = postgresql, dsn = postgresql://…:
 * one index for several scanners, scan --shard K/N). The operations go
 * through a table of functions (internal.h); callers never know which.
 *
 * Schema: store/schema.sql (SQLite) and store/schema-pg.sql (the same in
 * PostgreSQL's dialect), embedded at build time, versioned (PRAGMA
 * user_version / table schema_version); docs/contracts.md has it in full.
 *
 * Threads: a bs_store is one database connection. Use it from one thread
 * at a time (the scanner funnels writes through one writer; the server
 * opens one bs_store per worker with bs_store_open()). A bs_workspace's
 * config and key are read-only and may be shared between threads.
 *
 * Idempotence: every write converges. Writing the same message again
 * (same source and locator) keeps its id, replaces its fields and drops its
 * occurrences and categories, which the caller then writes again; a
 * subject is keyed by (kind, pseudonym); occurrences and categories of one
 * message add up within that message. A scan killed between batches and
 * run again therefore yields exactly the index of a clean run, provided a
 * message and its occurrences go into the same batch.
 *
 * Strings in: borrowed for the call. Nothing here logs a value. */
#ifndef BS_STORE_H
#define BS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"
#include "base/config.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "ident/ident.h"
#include "scope/scope.h"

G_BEGIN_DECLS

/* ---- Workspace: DIR/breachscope.conf, DIR/pseudonym.key, DIR/index.sqlite.
 * With [store] backend = postgresql the index is in PostgreSQL and
 * DIR/index.sqlite keeps only the e-service's own tables (cases, audit). */

#define BS_WORKSPACE_CONFIG "breachscope.conf"
#define BS_WORKSPACE_KEY "pseudonym.key"
#define BS_WORKSPACE_INDEX "index.sqlite"
#define BS_WORKSPACE_NOTICE_SV "notice.sv.txt"
#define BS_WORKSPACE_NOTICE_EN "notice.en.txt"

typedef struct bs_workspace bs_workspace;
typedef struct bs_store bs_store;

/* Creates DIR (mode 0700 if missing) with the config file written from cfg,
 * a new pseudonym key, an empty index and the two notice templates.
 * Refuses when any of these files exists already, or when cfg names a
 * PostgreSQL database that holds an index already; on failure removes what
 * it created. */
bool bs_workspace_create(const char *dir, const bs_config *cfg, GError **error);

/* Opens DIR: loads and validates the config, loads the key (missing or
 * unreadable is an error naming the file, never a new key), opens the index
 * read-only or writable. Caller frees with bs_workspace_free(). */
bs_workspace *bs_workspace_open(const char *dir, bool writable, GError **error);
void bs_workspace_free(bs_workspace *ws); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_workspace, bs_workspace_free)

/* Borrowed, valid until bs_workspace_free(ws). */
const char *bs_workspace_dir(const bs_workspace *ws);
const bs_config *bs_workspace_config(const bs_workspace *ws);
bs_config *bs_workspace_config_mut(bs_workspace *ws); /* command-line overrides only */
const bs_key *bs_workspace_key(const bs_workspace *ws);
bs_store *bs_workspace_store(bs_workspace *ws);
bool bs_workspace_writable(const bs_workspace *ws);

/* DIR/name; caller g_free()s. For the notice files and the e-service's
 * own tables (DIR/index.sqlite); open further index connections with
 * bs_workspace_index_dup(). */
char *bs_workspace_path_dup(const bs_workspace *ws, const char *name);

/* Where the index is, for bs_store_open() (per-thread stores, readers
 * beside the writer): DIR/index.sqlite or the PostgreSQL URI. Caller
 * g_free()s. May hold a password: show it only through
 * bs_store_where_display_dup(). */
char *bs_workspace_index_dup(const bs_workspace *ws);

/* ---- The index */

/* where: an index file (SQLite) or a PostgreSQL URI (postgresql://… or
 * postgres://…; libpq reads a password from PGPASSWORD or ~/.pgpass).
 * Errors name it with any password masked. */

/* Creates a new index at where with the current schema (refuses an existing
 * file, or a database that holds an index already). */
bool bs_store_create(const char *where, GError **error);

/* Opens an existing index. A writable open brings an older schema up to date
 * (the schema file is additive and idempotent); a newer schema than this
 * program knows is an error. Caller frees with bs_store_free(). */
bs_store *bs_store_open(const char *where, bool writable, GError **error);

/* "sqlite" | "postgresql" (static). */
const char *bs_store_backend_name(const bs_store *s);

/* where as it may be shown: a URI's password masked. Caller g_free()s. */
char *bs_store_where_display_dup(const char *where);
void bs_store_free(bs_store *s); /* rolls back an open batch; NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_store, bs_store_free)

/* Schema version this program writes (PRAGMA user_version). */
int bs_store_schema_version(void);

/* Batches: writes between begin and commit are one transaction. The
 * scanner commits every few thousand rows; at ~150k rows/s, batching is
 * what makes that speed. Writes outside a batch each commit alone. */
bool bs_store_begin(bs_store *s, GError **error);
bool bs_store_commit(bs_store *s, GError **error);
void bs_store_rollback(bs_store *s); /* no-op without an open batch */

/* ---- Writes (scanner) */

typedef struct {
	const char *path;         /* unique key of the source */
	const char *format;       /* "mbox" | "maildir" | "eml-tree" | "eml" | ... */
	const char *mailbox;      /* owner account, or NULL */
	const char *content_hash; /* whatever the scanner uses to see change; or NULL */
	const char *state;        /* "pending" | "scanning" | "done" (scanner's choice) */
} bs_source_row;

/* Inserts or updates the source with this path; *out_id is its stable id. */
bool bs_store_source_upsert(bs_store *s, const bs_source_row *row, int64_t *out_id, GError **error);
bool bs_store_source_set_state(bs_store *s, int64_t source_id, const char *state, GError **error);

/* Finds a source by path. *out_found false when absent (not an error).
 * Strings returned are caller g_free()d (NULL when the column is NULL). */
bool bs_store_source_find(bs_store *s, const char *path, bool *out_found, int64_t *out_id,
                          char **out_content_hash, char **out_state, GError **error);

/* Resume: whether a message row for (source, locator) exists. */
bool bs_store_message_exists(bs_store *s, int64_t source_id, const char *locator, bool *out_exists,
                             GError **error);

typedef struct {
	int64_t source_id;
	const char *locator;    /* per docs/contracts.md "Sources" */
	const char *message_id; /* Message-ID header, or NULL */
	const char *date;       /* "YYYY-MM-DDTHH:MM:SSZ" UTC, or NULL */
	const char *mailbox;
	const char *folder;
	const char *grade;  /* "accessed" | "synced" | "window" | "none" */
	const char *status; /* "ok" | "partial" | "failed" */
	const char *reason; /* NULL when ok */
	int64_t bytes;      /* raw message bytes; -1 unknown */
} bs_message_row;

/* Writes the message (insert, or replace fields of the existing row with
 * that source and locator, dropping its occurrences and categories);
 * *out_id is its stable id. */
bool bs_store_message_put(bs_store *s, const bs_message_row *row, int64_t *out_id, GError **error);

/* Whether a locator of the source is still there (bs_store_message_prune). */
typedef bool bs_store_keep_fn(const char *locator, void *user);

/* Drops the messages of a source whose locator keep() refuses (gone from
 * the source), with their occurrences, categories and facts; then (SQLite)
 * every subject that no occurrence points at any more, with its vault entry
 * and facts (a message written again drops its old occurrences and may
 * leave such subjects). After a scan of the whole source the index then
 * equals a clean scan of the source as it is now. PostgreSQL keeps subjects
 * without occurrences: there another scanner may have committed a subject
 * whose occurrences are still in its open batch; nothing counts a subject
 * without occurrences. One transaction; refused inside an open batch.
 * *out_removed (may be NULL): messages dropped. */
bool bs_store_message_prune(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user,
                            int64_t *out_removed, GError **error);

/* Subject roles: resident or staff for addresses; NULL when not an address
 * in a people header. Merging is order-free: staff > resident > NULL. */
#define BS_ROLE_RESIDENT "resident"
#define BS_ROLE_STAFF "staff"

/* Inserts the subject (kind, pseudonym) or merges its role; *out_id is its
 * stable id, *out_created (may be NULL) true when the row is new, so the
 * caller seals a vault entry only then. PostgreSQL commits subjects apart
 * from the batch (parallel writers would deadlock otherwise): there it is
 * also true for a subject that has no vault entry yet, so that one whose
 * writer died before sealing is sealed by the next; a second seal is kept
 * out by vault_put. */
bool bs_store_subject_put(bs_store *s, const char *kind, const uint8_t pseudonym[BS_PSEUDONYM_LEN],
                          const char *role, int64_t *out_id, bool *out_created, GError **error);

typedef struct {
	int64_t subject_id;
	int64_t message_id;
	const char *location;   /* header | subject | body | attachment | attachment-name */
	const char *confidence; /* "medium" | "high" (low is not indexed) */
	bool child;             /* pnr: under 18 at the message date */
	int64_t count;          /* occurrences seen, >= 1 */
} bs_occurrence_row;

/* Adds to the occurrence (subject, message, location): counts add up, the
 * best confidence and child stay. */
bool bs_store_occurrence_add(bs_store *s, const bs_occurrence_row *row, GError **error);

/* Adds count hits of category (detect's name: "health", ...) to a message. */
bool bs_store_category_add(bs_store *s, int64_t message_id, const char *category, int64_t count,
                           GError **error);

/* Stores the sealed identifier of a subject once; later calls keep the
 * first (seals are randomised, so any one is as good). */
bool bs_store_vault_put(bs_store *s, int64_t subject_id, const uint8_t *sealed, size_t len,
                        GError **error);

/* ---- Reads (lookup, serve, report) */

typedef struct {
	char *name;    /* owned */
	int64_t count; /* messages */
} bs_count;

/* The answer for one subject, counting exposed messages only (grade other
 * than "none"). */
typedef struct {
	bool found;
	int64_t messages;
	char first[11]; /* "YYYY-MM-DD", "" when no dated message */
	char last[11];
	GPtrArray *mailboxes;             /* char *, sorted, owned */
	GPtrArray *categories;            /* bs_count *, sorted by name, owned */
	int64_t accessed, synced, window; /* messages by grade */
} bs_lookup;

void bs_lookup_init(bs_lookup *out);
void bs_lookup_fini(bs_lookup *out);

/* Fills out (call bs_lookup_init() first; fini after) for the subject
 * (kind, pseudonym). Not found is found = false, not an error. */
bool bs_store_lookup(bs_store *s, const uint8_t pseudonym[BS_PSEUDONYM_LEN], const char *kind,
                     bs_lookup *out, GError **error);

/* The `lookup --json` shape of issue 3, as one object (key NULL at top
 * level): {"found":…, "messages":…, "first":…|null, "last":…|null,
 * "mailboxes":[…], "categories":{…}, "exposure":{"accessed":…,"synced":…,
 * "window":…}}. */
void bs_lookup_write_json(const bs_lookup *l, const char *key, bs_json *j);

/* Looks a written value up: normalises it through ident (any written form),
 * takes its pseudonym with the workspace key and asks the store. want is
 * BS_KIND_PNR (a samordningsnummer is accepted and looked up as one: the kind
 * follows ident), BS_KIND_EMAIL or BS_KIND_PHONE. A value that is not valid
 * for want is BS_ERROR_USAGE; the message never repeats the value. Used by
 * lookup and serve. */
bool bs_workspace_lookup(bs_workspace *ws, bs_kind want, const char *value, size_t len,
                         bs_lookup *out, GError **error);

typedef struct {
	int64_t messages, ok, partial, failed;
	GPtrArray *subjects; /* bs_count * by kind: pnr, samordningsnummer, email,
	                        phone always, then any other kind present, sorted */
	int64_t occurrences; /* rows: subject x message x location */
} bs_stats;

void bs_stats_init(bs_stats *out);
void bs_stats_fini(bs_stats *out);
bool bs_store_stats(bs_store *s, bs_stats *out, GError **error);

/* {"messages":{"total":…,"ok":…,"partial":…,"failed":…},
 *  "subjects":{"pnr":…,…}, "occurrences":…} */
void bs_stats_write_json(const bs_stats *st, const char *key, bs_json *j);

/* ---- Reads for the breach report (report; the e-service's DPO desk).
 * Arrays indexed by grade use bs_grade (scope.h): BS_GRADE_NONE ..
 * BS_GRADE_ACCESSED. "Exposed" means a grade other than none. */

#define BS_GRADE_COUNT 4

/* Facts that link identifiers of one person (docs/report.md), written by
 * the scanner with the message's other rows (message_put drops them too). */
#define BS_FACT_SENDER "sender" /* the e-mail subject is the top message's From address */
#define BS_FACT_SELF                                                                               \
	"self"                        /* a personal number written with self-referring context     \
	                                 ("mitt personnummer", "jag är född") in the top message */
#define BS_FACT_PROTECTED "protected" /* protected-identity words near the identifier */

bool bs_store_fact_add(bs_store *s, int64_t message_id, int64_t subject_id, const char *fact,
                       GError **error);

typedef struct {
	char *mailbox;                    /* owned; "" when unknown */
	int64_t messages[BS_GRADE_COUNT]; /* by grade */
	int64_t subjects;                 /* distinct subjects in its exposed messages */
	int64_t partial, failed;          /* its exposed messages not fully read */
} bs_mailbox_figures;

typedef struct {
	char *mailbox;                    /* owned; "" when unknown */
	char day[11];                     /* "YYYY-MM-DD" */
	int64_t messages[BS_GRADE_COUNT]; /* by grade */
} bs_day_figures;

typedef struct {
	char *source, *locator, *mailbox; /* owned */
	char *status;                     /* owned: "partial" | "failed" */
	char *reason;                     /* owned; NULL when none was recorded */
	bs_grade grade;
} bs_problem_row;

typedef struct {
	int64_t messages[BS_GRADE_COUNT]; /* by grade */
	int64_t records[BS_GRADE_COUNT];  /* (subject, message) pairs by the message's grade */
	int64_t ok, partial, failed;      /* all messages by status */
	int64_t exposed_partial, exposed_failed;
	GPtrArray *mailboxes; /* bs_mailbox_figures *, sorted by name, owned */
	GPtrArray *days;      /* bs_day_figures *, exposed dated messages, by mailbox and day */
	GPtrArray *problems;  /* bs_problem_row *: partial and failed messages, exposed first,
	                         at most max_problems, owned */
	GPtrArray *reasons;   /* bs_count *: defect name -> partial/failed messages, by name */
} bs_figures;

void bs_count_free(bs_count *c); /* for arrays of bs_count * built by callers; NULL no-op */

void bs_figures_init(bs_figures *f);
void bs_figures_fini(bs_figures *f);

/* Message and record figures of the whole index. */
bool bs_store_figures(bs_store *s, size_t max_problems, bs_figures *out, GError **error);

/* One subject with its exposure (exposed messages only). */
typedef struct {
	int64_t id;
	const char *kind; /* interned (g_intern_string) */
	uint8_t pseudonym[BS_PSEUDONYM_LEN];
	const char *role; /* BS_ROLE_* or NULL */
	bs_grade grade;   /* best grade of its messages */
	int64_t messages; /* exposed messages */
	int64_t messages_by_grade[BS_GRADE_COUNT];
	int64_t occurrences;      /* sum of counts */
	bool child;               /* under 18 at some message date */
	char first[11], last[11]; /* "YYYY-MM-DD"; "" when undated */
	GPtrArray *categories;    /* bs_count *: category -> its messages with it, by name;
	                             NULL when none; owned */
} bs_subject_figures;

void bs_subject_figures_free(bs_subject_figures *f); /* NULL is a no-op */

/* Every subject with at least one exposed message, by id. *out is a
 * GPtrArray of bs_subject_figures * that frees its elements. */
bool bs_store_subjects(bs_store *s, GPtrArray **out, GError **error);

typedef struct {
	int64_t message_id, subject_id;
	const char *fact; /* BS_FACT_SENDER | BS_FACT_SELF | BS_FACT_PROTECTED (static) */
} bs_fact_row;

/* Every fact, by message. *out is a GArray of bs_fact_row. */
bool bs_store_facts(bs_store *s, GArray **out, GError **error);

typedef struct {
	char *mailbox, *locator; /* owned */
	char date[11];           /* "YYYY-MM-DD" or "" */
	bs_grade grade;
} bs_message_ref;

void bs_message_ref_free(bs_message_ref *r); /* NULL is a no-op */

/* The exposed messages of one subject, strongest grade first, then by date;
 * at most limit. *out frees its elements. */
bool bs_store_subject_messages(bs_store *s, int64_t subject_id, size_t limit, GPtrArray **out,
                               GError **error);

/* The sealed vault entry of a subject; *out_found false when none (not an
 * error). *out_sealed: caller g_free()s. */
bool bs_store_vault_get(bs_store *s, int64_t subject_id, bool *out_found, uint8_t **out_sealed,
                        size_t *out_len, GError **error);

/* The e-service's cases (table request), when the e-service has run. */
typedef struct {
	bool present; /* the table exists */
	int64_t total, found, open, answered, closed;
	char first[11], last[11]; /* dates cases were opened; "" when none */
} bs_case_counts;

bool bs_store_case_counts(bs_store *s, bs_case_counts *out, GError **error);

G_END_DECLS
#endif
