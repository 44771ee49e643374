/* detect internals: the pattern table, the compiled detector and the
 * per-thread run. Included only by src/lib/detect/. */
#ifndef BS_DETECT_INTERNAL_H
#define BS_DETECT_INTERNAL_H

#include <hs.h>

#include "detect/detect.h"

/* What a Vectorscan pattern id stands for. */
typedef enum {
	BS_PAT_TERM = 0, /* a category term: whole word, counted */
	BS_PAT_CONTEXT,  /* a context label before a candidate */
	BS_PAT_CAND,     /* an identifier candidate */
} bs_pat_type;

/* Context labels, by what they announce. */
typedef enum {
	BS_CTX_PERSON = 0, /* personnummer, pnr, född, samordningsnummer, cpr, hetu */
	BS_CTX_PHONE,      /* tel, mobil, ring, fax, sms */
	BS_CTX_ORG,        /* org.nr, organisationsnummer */
	BS_CTX_PAYMENT,    /* bankgiro, plusgiro, bg, pg, konto, iban, clearing */
	BS_CTX_INVOICE,    /* faktura, ocr, ärende, dnr, kundnr, order, referens */
	BS_CTX_TIME,       /* kl, klockan, datum */
	BS_CTX_CARD,       /* kort, kortnummer */
	BS_CTX_MAIL,       /* e-post, mejl, mail */
	BS_CTX_COUNT
} bs_ctx_class;

/* Shapes of identifier candidates; each has a fixed byte length or a
 * function that recovers the start from the end (no start-of-match). */
typedef enum {
	BS_CAND_D10 = 0,      /* 6408233234 */
	BS_CAND_D6SEP4,       /* 640823-3234, 121212+1212 */
	BS_CAND_D6SP4,        /* 640823 3234 */
	BS_CAND_D12,          /* 196408233234 */
	BS_CAND_D8SEP4,       /* 19640823-3234 */
	BS_CAND_D8SP4,        /* 19640823 3234 */
	BS_CAND_INT10,        /* 640823T234 */
	BS_CAND_INT11,        /* 640823-T234 */
	BS_CAND_INT12,        /* 19640823T234 */
	BS_CAND_INT13,        /* 19640823-T234 */
	BS_CAND_D11,          /* Norwegian fødselsnummer */
	BS_CAND_D6SP5,        /* 010190 12345 */
	BS_CAND_HETU,         /* 131052-308T, 010120A123B */
	BS_CAND_PHONE,        /* 070-123 45 67, +46 70 123 45 67, 0046 8 123 456 78 */
	BS_CAND_CARD,         /* 13-19 digits, bare */
	BS_CAND_CARD_GROUPED, /* 4111 1111 1111 1111 */
	BS_CAND_IBAN,         /* SE45 5000 0000 0583 9825 7466 */
	BS_CAND_EMAIL,        /* anna@example.se */
	BS_CAND_COUNT
} bs_cand_class;

/* One row per Vectorscan id. */
typedef struct {
	uint8_t type;      /* bs_pat_type */
	uint8_t cls;       /* bs_cand_class or bs_ctx_class */
	uint8_t prefix;    /* context label that may start a compound (mobilnummer) */
	uint8_t nwords;    /* words of a term or label (1 = fixed length) */
	uint16_t category; /* term: index into the detector's categories */
	uint16_t len;      /* byte length when nwords == 1 */
	uint32_t words;    /* multi-word: index of the first word length in word_lens */
} bs_pattern;

struct bs_detector {
	hs_database_t *db;     /* streaming mode; owned */
	GPtrArray *exprs;      /* char *: the expressions, for bench and diagnostics */
	GArray *flags;         /* unsigned: Vectorscan flags per expression */
	GArray *patterns;      /* bs_pattern per id */
	GArray *word_lens;     /* uint16_t: byte length of each word of multi-word terms */
	GPtrArray *categories; /* char *: category names, index = bs_pattern.category */
};

/* A match waiting until the bytes after it have arrived. */
typedef struct {
	uint64_t end;
	uint32_t id;
} bs_item;

struct bs_detect_run {
	const bs_detector *d;
	hs_scratch_t *scratch; /* owned */
	hs_stream_t *stream;   /* owned; reset between streams */
	bs_finding_fn *fn;
	void *user;
	GDate ref; /* reference date for centuries */
	/* Bytes: the chunk being scanned plus a tail of what came before. */
	const char *chunk; /* borrowed for the duration of a feed */
	size_t chunk_len;
	uint64_t chunk_off; /* stream offset of chunk[0] */
	size_t tail_len;    /* tail holds [chunk_off - tail_len, chunk_off) */
	char tail[BS_LIMIT_DETECT_TAIL];
	bool at_end; /* no more bytes: missing bytes are end of text */
	bool open;   /* begin called, end not yet */
	/* Matches waiting for BS_DETECT_LOOK bytes after their end; FIFO. */
	GArray *queue; /* bs_item */
	size_t queue_head;
	/* Context: end offset + 1 of the last label of each class (0 = none). */
	uint64_t ctx_end[BS_CTX_COUNT];
	/* Recovered shapes report several ends for one start (each digit
	 * group, each domain label): the start of the last finding per shape. */
	uint64_t last_start[BS_CAND_COUNT];
	/* Categories: hit counts, and the last counted span to merge overlaps. */
	uint32_t *cat_counts;
	uint64_t *cat_last_end;
};

/* Bytes after a match that decide it (the most any check reads after the
 * end, plus one): a UTF-8 character (word boundary),
 * a following digit group (phone grouping), a longer e-mail domain. */
#define BS_DETECT_LOOK 8

/* terms.c: reads term files into patterns. */
bool bs_detect__load_terms(bs_detector *d, const bs_detect_config *cfg, GError **error);
/* Appends one term or label as a byte-exact caseless expression. */
void bs_detect__add_words(bs_detector *d, const char *lower, bs_pattern pat);

/* patterns.c: the built-in candidate shapes and context labels. */
void bs_detect__add_builtin(bs_detector *d);
/* Candidate class table lookups. */
size_t bs_detect__cand_len(bs_cand_class cls);

/* run.c: byte access for the confirmers. */
int bs_detect__byte(const bs_detect_run *r, uint64_t off); /* -1 when unavailable */
/* Pointer to [start, start+len): into the chunk when possible, else copied
 * into buf (>= len bytes). NULL when some byte is unavailable. */
const char *bs_detect__span(const bs_detect_run *r, uint64_t start, size_t len, char *buf);
bool bs_detect__word_before(const bs_detect_run *r, uint64_t off);
bool bs_detect__word_after(const bs_detect_run *r, uint64_t off);

/* confirm.c: a candidate match ending at end; emits at most one finding. */
void bs_detect__candidate(bs_detect_run *r, const bs_pattern *pat, uint64_t end);

#endif
