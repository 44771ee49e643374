/* report: the breach report over the index. Figures for the supervisory
 * authority (GDPR Art. 33: categories and approximate numbers of data
 * subjects and records, by exposure grade), people counted once where
 * identifiers are linked on strong evidence, the high-risk people first
 * (Art. 34), a draft of IMY's notification fields in Swedish and English,
 * and the notification list with letters, opened from the sealed vault
 * with the DPO's private key. Rules, scoring and shapes: docs/report.md.
 *
 * Nothing here prints or logs an identifier: the report holds pseudonyms
 * and locators only; plaintext exists only inside bs_report_notify_list(),
 * which writes it to mode-0600 files and wipes its copies.
 *
 * Threads: a bs_report is read-only once built; share it freely. Building
 * uses the given bs_store from the calling thread. */
#ifndef BS_REPORT_H
#define BS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"
#include "base/config.h"
#include "base/json.h"
#include "crypto/crypto.h"
#include "scope/scope.h"
#include "store/store.h"

G_BEGIN_DECLS

/* Risk reasons: bits; bs_risk_reason_name() gives the stable string. */
typedef enum {
	BS_RISK_PROTECTED = 1u << 0, /* "protected_identity": protected-identity words near one
	                                of its identifiers: letters go through Skatteverket */
	BS_RISK_ART9 = 1u << 1,      /* "art9": a special category (Art. 9) */
	BS_RISK_ART10 = 1u << 2,     /* "criminal": offences (Art. 10) */
	BS_RISK_SOCIAL = 1u << 3,    /* "social": social services (OSL 26 kap.) */
	BS_RISK_SCHOOL = 1u << 4,    /* "children_school": school and pupil welfare (OSL 23 kap.) */
	BS_RISK_CHILD = 1u << 5,     /* "child": under 18 at the message date */
	BS_RISK_NATIONAL_ID = 1u << 6, /* "national_id": a personal identity number exposed */
	BS_RISK_ACCESSED = 1u << 7, /* "accessed": the attacker opened a message (or synced it) */
	BS_RISK_MANY = 1u << 8,     /* "many": in several messages */
	BS_RISK_PROTECTED_MESSAGE = 1u << 9, /* "protected_message": protected-identity words
	                                        elsewhere in one of its messages */
} bs_risk_reason;
#define BS_RISK_LAST BS_RISK_PROTECTED_MESSAGE /* for loops over the bits */

const char *bs_risk_reason_name(bs_risk_reason bit); /* static string */

/* A person is high risk from this score on (docs/report.md). */
#define BS_RISK_HIGH_SCORE 50
/* The high-risk list in the report (JSON and HTML) holds at most this many. */
#define BS_REPORT_HIGH_RISK_LIST 100
/* Message locators shown per person in the list. */
#define BS_REPORT_LOCATORS 5
/* Partial and failed messages listed by name (all are counted). */
#define BS_REPORT_PROBLEMS 200

typedef struct {
	const char *kind;                   /* interned */
	char hex[BS_PSEUDONYM_HEX_LEN + 1]; /* the pseudonym */
	int64_t subject_id;
} bs_risk_ident;

/* One person of the ranked list. */
typedef struct {
	int rank; /* 1 = most dangerous; ties share nothing: ordered by score,
	             then best grade, then messages, then first pseudonym */
	int score;
	unsigned reasons; /* bs_risk_reason bits */
	bs_grade grade;   /* best grade of its messages */
	int64_t messages; /* exposed messages (the largest of its identifiers') */
	int64_t occurrences;
	bool high;              /* score >= BS_RISK_HIGH_SCORE */
	GPtrArray *identifiers; /* bs_risk_ident *, owned */
	GPtrArray *locators;    /* bs_message_ref *, at most BS_REPORT_LOCATORS, owned */
} bs_risk_entry;

void bs_risk_entry_free(bs_risk_entry *e); /* NULL is a no-op */

/* The ranked high-risk list straight from the index, for the e-service's DPO
 * desk: every person with score >= BS_RISK_HIGH_SCORE, at most limit, most
 * dangerous first. *out frees its elements. */
bool bs_report_high_risk(bs_store *s, size_t limit, GPtrArray **out, GError **error);

typedef struct bs_report bs_report;

/* Reads the index and builds the report. cfg (the [incident] settings) and
 * scope (timeline, when it happened; may be NULL) are borrowed and must
 * outlive the report. */
bs_report *bs_report_build(bs_store *s, const bs_config *cfg, const bs_scope *scope,
                           GError **error);
void bs_report_free(bs_report *r); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_report, bs_report_free)

/* Exposed messages that were not fully read (partial or failed). A report
 * with any is incomplete: the CLI exits 1. */
int64_t bs_report_incomplete(const bs_report *r);

/* The `report --json` shape of issue 6, one object (key NULL at top level):
 * {"messages":{"accessed","synced","window","none","total"},
 *  "subjects":{"min","max","by_kind":{…},"by_category":{…},…},
 *  "persons":{"min","max",…}, "children", "high_risk",
 *  "coverage":{"ok","partial","failed",…}, …extra fields (docs/report.md)}. */
void bs_report_write_json(const bs_report *r, const char *key, bs_json *j);

/* The report as plain text for a terminal; lang "sv" or "en". Caller
 * g_free()s. */
char *bs_report_text_dup(const bs_report *r, const char *lang);

/* The self-contained HTML report (inline CSS and SVG, no script, no
 * external assets, printable); lang "sv" or "en" for the body, the IMY
 * draft in both. Caller g_free()s; *out_len its length. */
char *bs_report_html_dup(const bs_report *r, const char *lang, size_t *out_len);

/* ---- The notification list (Art. 34) */

/* Called once every entry is opened and before anything is written: a
 * false return (error set) stops the export with nothing written, so no
 * list exists unaudited. identifiers and persons are the counts to write. */
typedef bool bs_report_audit_fn(int64_t identifiers, int64_t persons, void *user, GError **error);

typedef struct {
	const char *out_csv;       /* the list; refused if it exists unless force */
	bool force;                /* replace an existing list */
	const char *letters_dir;   /* NULL: no letters; else one file per person, NNNNNN.txt by
	                              rank (directory created 0700, files 0600); a protected
	                              person's in the subdirectory skatteverket, headed by
	                              the routing notice */
	const char *template_text; /* NULL: the bundled template of lang */
	const char *lang;          /* "sv" | "en" (letters) */
	bs_report_audit_fn *audit; /* required */
	void *audit_user;
} bs_notify_options;

typedef struct {
	int64_t identifiers; /* rows written */
	int64_t persons;     /* letters written (0 without letters_dir) */
	int64_t protected;   /* of them, written to letters_dir/skatteverket: protected
	                        identity, to be sent through Skatteverket, never by post */
	int64_t missing;     /* exposed subjects without a vault entry (not in the list) */
} bs_notify_summary;

/* Opens every exposed subject's vault entry with sk and writes the CSV (RFC
 * 4180; mode 0600; columns in docs/report.md) ranked by risk, and letters
 * when asked. A wrong key or a damaged seal fails before anything is
 * written (BS_ERROR_CRYPTO); an index without vault entries is
 * BS_ERROR_NOT_FOUND. */
bool bs_report_notify_list(bs_store *s, const bs_config *cfg, const bs_vault_secret *sk,
                           const bs_notify_options *opts, bs_notify_summary *out, GError **error);

/* The bundled letter template of lang ("sv" | "en"); static. Placeholders
 * are listed in docs/report.md. */
const char *bs_report_letter_template(const char *lang);

/* One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF;
 * quotes doubled. Appends to out. The one CSV escaping function. */
void bs_csv_field_append(GString *out, const char *value);

G_END_DECLS
#endif
