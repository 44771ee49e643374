/* detect: one Vectorscan pass over text finds identifier candidates and
 * sensitive-category terms; candidates are confirmed by ident and scored.
 *
 * A bs_detector is read-only once built: share it between threads. Each
 * thread scans with its own bs_detect_run (Vectorscan scratch + stream
 * state), which is not shareable. Text arrives in chunks of any size; a
 * match spanning a chunk boundary is reported exactly once. Offsets are
 * bytes from the start of the stream. */
#ifndef BS_DETECT_H
#define BS_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"
#include "ident/ident.h"

G_BEGIN_DECLS

typedef struct bs_detector bs_detector;
typedef struct bs_detect_run bs_detect_run;

typedef enum {
	BS_CONF_LOW = 1,
	BS_CONF_MEDIUM = 2,
	BS_CONF_HIGH = 3,
} bs_confidence;

const char *bs_confidence_name(bs_confidence c); /* "low" | "medium" | "high" */
bool bs_confidence_from_name(const char *name, bs_confidence *out_c);

/* Reasons are bits; bs_reason_name() gives the stable string for output. */
typedef enum {
	BS_REASON_VALID = 1u << 0,        /* "checksum" / validator passed */
	BS_REASON_POS_CONTEXT = 1u << 1,  /* "context:+" personnummer, pnr, född… nearby */
	BS_REASON_NEG_CONTEXT = 1u << 2,  /* "context:-" tel, org.nr, faktura, OCR… nearby */
	BS_REASON_PHONE_FORMAT = 1u << 3, /* "format:phone" grouping like 070-123 45 67 */
	BS_REASON_LONG_FORM = 1u << 4,    /* "format:long" written with the century */
	BS_REASON_SEPARATOR = 1u << 5,    /* "format:separator" written YYMMDD-NNNC */
	BS_REASON_SPACE_SEP = 1u << 6,    /* "format:space" written YYMMDD NNNC */
	BS_REASON_CATEGORY = 1u << 7,     /* "category" a sensitive term in the same text */
	BS_REASON_HEADER = 1u << 8,       /* "header" found in a people header */
	BS_REASON_TEST_NUMBER = 1u << 9,  /* "test-number" a known fictitious series */
} bs_reason;

const char *bs_reason_name(bs_reason bit); /* static string; NULL for no single bit */
size_t bs_reason_count(void);              /* bits in use: 1u << 0 .. 1u << (count - 1) */

typedef struct {
	const char *const *term_dirs;  /* NULL-terminated; every *.txt; category = base name */
	const char *const *term_files; /* NULL-terminated extra files (user terms) */
	bool skip_categories;          /* identifiers only */
} bs_detect_config;

typedef struct {
	bs_ident id;    /* kind, canonical, birth date… */
	uint64_t start; /* byte offset of the first byte in the stream */
	uint64_t end;   /* one past the last byte */
	bs_confidence confidence;
	unsigned reasons; /* bs_reason bits */
} bs_finding;

/* Called for each confirmed finding (any confidence; the caller filters),
 * in order of end offset, from inside feed/end. f is borrowed for the call
 * only. Scoring (validator, base level, context labels, formatting) is
 * tabled in docs/internals.md and at the top of detect/confirm.c.
 * Findings of kind orgnr are not personal data; the caller decides. */
typedef void bs_finding_fn(const bs_finding *f, void *user);

/* Compiles the patterns of cfg. NULL and error set on a bad term file
 * (named with its line). */
bs_detector *bs_detector_new(const bs_detect_config *cfg, GError **error);
void bs_detector_free(bs_detector *d); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_detector, bs_detector_free)

size_t bs_detector_category_count(const bs_detector *d);
const char *bs_detector_category_name(const bs_detector *d, size_t i); /* borrowed from d */

/* The Vectorscan expressions and flags the detector compiled, for the
 * benchmark's raw pass and for diagnostics. Borrowed from d. */
size_t bs_detector_patterns(const bs_detector *d, const char *const **out_exprs,
                            const unsigned **out_flags);

/* Per-thread state; d must outlive it. */
bs_detect_run *bs_detect_run_new(const bs_detector *d, GError **error);
void bs_detect_run_free(bs_detect_run *r); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_detect_run, bs_detect_run_free)

/* Starts a stream; ref_date (copied) decides personnummer centuries. */
bs_status bs_detect_run_begin(bs_detect_run *r, const GDate *ref_date, bs_finding_fn *fn,
                              void *user);
bs_status bs_detect_run_feed(bs_detect_run *r, const char *p, size_t len);
/* Ends the stream: reports what was pending. */
bs_status bs_detect_run_end(bs_detect_run *r);

/* Whole-word term hits per category in the current/last stream; index as
 * bs_detector_category_name(). Borrowed, valid until the next begin. */
const uint32_t *bs_detect_run_category_counts(const bs_detect_run *r);

G_END_DECLS
#endif
