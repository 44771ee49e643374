/* scan internals: what a worker hands the writer for one message. */
#ifndef BS_SCAN_INTERNAL_H
#define BS_SCAN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "crypto/crypto.h"
#include "detect/detect.h"
#include "mail/mail.h"
#include "scan/scan.h"
#include "scope/scope.h"
#include "source/source.h"
#include "store/store.h"

/* Occurrence locations: the mail walk's bs_where, one slot each. */
#define BS_SCAN_WHERE_COUNT BS_WHERE_COUNT

/* One subject found in a message, with its occurrences per location. */
typedef struct {
	const char *kind; /* static bs_kind_name() */
	char *canonical;  /* owned; kept only to seal the vault entry */
	uint8_t pseudonym[BS_PSEUDONYM_LEN];
	const char *role; /* BS_ROLE_*, or NULL */
	uint32_t count[BS_SCAN_WHERE_COUNT];
	uint8_t confidence[BS_SCAN_WHERE_COUNT]; /* bs_confidence, 0 = none */
	bool child;
	bool sender, self, protected_near; /* facts (facts.c, docs/report.md) */
} bs_scan__subject;

/* ---- facts.c: what links and ranks subjects in the report */

/* A finding of the current text, kept until the text ends. */
typedef struct {
	bs_scan__subject *subject; /* borrowed from the message's result */
	size_t start, end;         /* bytes in the text */
} bs_scan__near;

/* True when the text before start ends with a self-referring phrase
 * ("mitt personnummer är", "my personal identity number"). */
bool bs_scan__self_context(const char *text, size_t len, size_t start);
/* For each finding kept as s: sets s->self and remembers it in near. */
void bs_scan__facts_finding(const bs_segment *seg, const bs_finding *f, bs_scan__subject *s,
                            GArray *near);
/* For each people-header address kept as s: sets s->sender. */
void bs_scan__facts_address(const bs_mail_address *ad, bs_scan__subject *s);
/* After a text, once its category counts are taken: when it holds
 * protected-identity words, sets protected_near on the subjects of near
 * with such words close by (re-runs run over small windows). Empties near. */
void bs_scan__facts_protected(bs_detect_run *run, const bs_detector *d, const GDate *ref,
                              const bs_segment *seg, GArray *near);
/* Writes s's facts for message_id (in the message's batch). */
bool bs_scan__facts_write(bs_store *store, const bs_scan__subject *s, int64_t message_id,
                          int64_t subject_id, GError **error);

/* A scanned message on its way to the writer. Owns everything. */
typedef struct {
	int64_t source_id;
	char *locator;
	char *folder;
	char *message_id;
	char *date; /* "YYYY-MM-DDTHH:MM:SSZ" or NULL */
	const char *grade;
	const char *status;
	char *reason;
	uint64_t bytes;
	const char *mailbox; /* borrowed from the job's source, outlives the result */
	GPtrArray *subjects; /* bs_scan__subject *, owned */
	GArray *categories;  /* uint32_t per detector category */
} bs_scan__result;

void bs_scan__result_free(bs_scan__result *r);

/* Read-only for workers: shared by every job of a run. */
typedef struct {
	const bs_detector *detector;
	const bs_key *key;
	const bs_scope *scope;
	const bs_config *config;
	bs_mail_limits limits;
	bool vault; /* keep canonical forms for sealing */
} bs_scan__shared;

/* One worker's own state (detect run, walk info); not shareable. */
typedef struct bs_scan__worker bs_scan__worker;

bs_scan__worker *bs_scan__worker_new(const bs_scan__shared *sh, GError **error);
void bs_scan__worker_free(bs_scan__worker *w);

/* What the reader knows of a message's source. */
typedef struct {
	int64_t source_id;
	const char *mailbox;  /* owner, borrowed (lives as long as the run) */
	const char *grade_as; /* scope account or the source path, borrowed */
} bs_scan__source_ctx;

/* Walks and detects one message; hands back the result (caller frees). */
bs_scan__result *bs_scan__process(bs_scan__worker *w, const bs_scan__source_ctx *src,
                                  bs_source_msg *msg);

/* The writer: results into the store in batches (BS_SCAN_BATCH_MESSAGES,
 * or half a second). Not thread-safe and no thread of its own: the scan's
 * write lock makes one thread at a time its user. */
typedef struct bs_scan__writer bs_scan__writer;

/* on_done(r, user) runs once r's batch is committed (or rolled back after
 * a failure) and takes r (frees it). */
typedef void bs_scan__done_fn(bs_scan__result *r, void *user);

/* vault_pk NULL: no vault. detector names the categories. */
bs_scan__writer *bs_scan__writer_new(bs_store *store, const bs_detector *detector,
                                     const uint8_t *vault_pk, bs_scan__done_fn *on_done,
                                     void *user);
/* Writes r into the open batch (beginning one), commits when the batch is
 * full or due; takes r. false and error when a write failed: the batch is
 * rolled back and every result in it handed to on_done. */
bool bs_scan__writer_put(bs_scan__writer *wr, bs_scan__result *r, GError **error);
/* Commits the open batch, if any. */
bool bs_scan__writer_flush(bs_scan__writer *wr, GError **error);
/* Rolls back a batch still open (results to on_done); NULL is a no-op. */
void bs_scan__writer_free(bs_scan__writer *wr);

#endif
