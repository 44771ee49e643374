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

/* A term or a context label. It is matched by one of its words, the key
 * (its longest that is not a stop word), as plain caseless literals (one
 * per case variant of its non-ASCII letters); the other words of a phrase
 * and the gaps between them are checked from the bytes (a gap regex in
 * the database cost a fifth of the scan). Patterns whose key word holds
 * the same literal share it: a group. The literal is the key word itself
 * or a shorter key word inside it, at byte koff (barn in barnet, kurator
 * in skolkurator), the rest of the key word checked from the bytes; or,
 * for a short phrase key or label, the key word with the gap or separator
 * byte next to it (terms.c). */
typedef struct {
	uint8_t type;      /* bs_pat_type */
	uint8_t cls;       /* bs_cand_class or bs_ctx_class */
	uint8_t prefix;    /* context label that may start a compound (mobilnummer) */
	uint8_t nwords;    /* words of a term or label */
	uint8_t key;       /* index of the word the database matches */
	uint16_t category; /* term: index into the detector's categories */
	uint16_t len;      /* byte length of the key word */
	uint16_t koff;     /* byte offset of the group's literal in the key word */
	uint32_t words;    /* index of the first word in the detector's words */
	uint32_t next;     /* while building: next pattern of the same group */
} bs_pattern;

#define BS_NO_PATTERN UINT32_MAX

/* A pattern needs a word boundary (no ASCII letter, digit or '_') right
 * before/after its group's literal: the literal starts/ends its key word. */
#define BS_EDGE_PRE_BOUND 1u
#define BS_EDGE_POST_BOUND 2u
/* The masks compare every byte of the key word outside the literal, each
 * exactly: a fit spells the key word (no byte check needed). */
#define BS_EDGE_EXACT 4u
/* The member's second place in its group (see bs_group.bucket). */
#define BS_EDGE_AGAIN 8u

/* A pattern as a member of its group: what the bytes around the literal
 * must be. Up to 4 bytes of the key word right before and after the
 * literal, as little-endian words: a byte of the text t fits when
 * (t & mask) == val (mask 0xff: one case; 0xdf: cases that differ in bit
 * 0x20, as ASCII letters and å a5/Å 85 do; 0: not compared). A group's
 * members lie together, so that a match tests them in one tight loop. */
typedef struct {
	uint32_t pre_val, pre_mask;
	uint32_t post_val, post_mask;
	uint32_t pat;  /* index into the detector's patterns */
	uint16_t rest; /* bytes of the key word after the literal */
	uint8_t edge;  /* BS_EDGE_* */
} bs_member;

/* Patterns sharing a literal. */
typedef struct {
	uint32_t head;   /* while building: first pattern */
	uint32_t member; /* first of count members in the detector's members */
	uint32_t count;
	/* Members by what the bytes right before and after the literal are:
	 * bucket b = 2 * (before is an ASCII word byte) + (after is one)
	 * holds members [bucket[b], bucket[b + 1]) from member; most matches,
	 * inside other words, find theirs empty. A member that takes any
	 * byte after (a prefix label) is in both buckets of its side, the
	 * second time marked BS_EDGE_AGAIN. */
	uint32_t bucket[5];
	uint16_t len; /* byte length of the literal's key word part */
	uint8_t trim; /* bytes of the literal after that part (a gap byte) */
	bool masked;  /* some member's key word goes on around the literal */
} bs_group;

/* A word of a multi-word term: its bytes lower-cased and upper-cased
 * (same length per character), in the detector's word_bytes. */
typedef struct {
	uint32_t lower; /* offset of the lower-case bytes */
	uint32_t upper; /* offset of the upper-case bytes */
	uint16_t len;
	bool bytewise; /* each character's cases differ in one byte, by 0x20, at most */
} bs_word;

/* A Vectorscan id: its group, and what of the group decides most
 * matches, in one load (in-word matches end at the bucket test). */
typedef struct {
	uint32_t group;
	uint16_t len;  /* the group's len */
	uint8_t trim;  /* the group's trim */
	uint8_t flags; /* bit b (0..3): bucket b holds members; BS_INFO_MASKED */
} bs_id_info;

#define BS_INFO_MASKED 0x10u

/* The instructions of digits.c's pass over each piece: SSE2 (part of
 * x86-64) or AVX-512BW where the CPU has it. BS_DETECT_SIMD=sse2 in the
 * environment pins SSE2 (tests compare the two). */
typedef enum {
	BS_SIMD_SSE2 = 0,
	BS_SIMD_AVX512,
} bs_detect_simd;

struct bs_detector {
	hs_database_t *db;      /* streaming mode; owned */
	bs_detect_simd simd;    /* digits.c's pass over each piece */
	bool all_ends;          /* BS_DETECT_ENDS=all: every run end listed */
	GPtrArray *exprs;       /* char *: the expressions, for bench and diagnostics */
	GArray *flags;          /* unsigned: Vectorscan flags per expression */
	GArray *patterns;       /* bs_pattern */
	GArray *groups;         /* bs_group */
	GArray *members;        /* bs_member, by group */
	GArray *id_info;        /* bs_id_info: per Vectorscan id */
	GArray *words;          /* bs_word: the words of multi-word terms and labels */
	GByteArray *word_bytes; /* their bytes */
	GPtrArray *categories;  /* char *: category names, index = bs_pattern.category */
	size_t terms;           /* distinct terms loaded, for BS_LIMIT_TERMS */
};

/* Label ends kept per class: a label inside a candidate (mail in
 * info@mail.example.se) ends after its start and must not hide the one
 * before it. */
#define BS_CTX_KEEP 4

/* A match waiting until the bytes after it have arrived. id is a
 * Vectorscan id, BS_ID_DIGITS (the end of a run of digits) or BS_ID_EMAIL
 * (the end of the domain after an '@'). */
typedef struct {
	uint64_t end;
	uint32_t id;
} bs_item;

#define BS_ID_DIGITS UINT32_MAX
#define BS_ID_EMAIL (UINT32_MAX - 1)

/* Text is scanned in pieces of at most this many bytes: the digit runs of
 * a piece are listed before Vectorscan scans it (bounded memory). Fewer,
 * larger pieces turn less often between Vectorscan's scan and the
 * decisions: 128 KiB against 32 KiB, 372 against 361 MB/s (dense text of
 * bench/detect.sh); 256 KiB gains nothing more. */
#define BS_DETECT_PIECE (128u * 1024)
/* Room for the digit-run ends of a piece: one after every other byte and
 * one at its start, and four more that digits.c may write past the last
 * (list_bits). */
#define BS_DETECT_ENDS (BS_DETECT_PIECE / 2 + 1 + 4)
/* Vectorscan matches listed before they are decided (a piece has fewer,
 * mostly: when full, the list is decided at once). */
#define BS_DETECT_HITS 4096u

struct bs_detect_run {
	const bs_detector *d;
	hs_scratch_t *scratch; /* owned */
	hs_stream_t *stream;   /* owned; reset between streams */
	bs_finding_fn *fn;
	void *user;
	GDate ref;          /* reference date for centuries */
	bs_ident_ref ident; /* the same, read once for ident */
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
	/* Ends of digit runs and of e-mail domains in the piece being
	 * scanned (offsets into it), merged into the match order as
	 * Vectorscan reports. */
	uint32_t *digit_ends; /* BS_DETECT_ENDS entries */
	uint64_t *masks;      /* the piece's byte masks: BS_DETECT_PIECE / 16 entries */
	size_t digit_count;
	size_t digit_next;
	bool last_digit;     /* the byte before the piece is a digit */
	uint32_t *mail_ends; /* BS_DETECT_PIECE / 2 + 2 entries */
	size_t mail_count;
	size_t mail_next;
	bool mail_open; /* a domain after an '@' runs into the next piece */
	bs_item *hits;  /* Vectorscan's matches not yet decided: BS_DETECT_HITS */
	size_t hit_count;
	size_t mail_len; /* its bytes so far */
	/* Context: end offset + 1 of the last label of each class (0 = none). */
	uint64_t ctx_end[BS_CTX_COUNT][BS_CTX_KEEP];
	uint8_t ctx_next[BS_CTX_COUNT]; /* ring position of the next label */
	uint64_t ctx_max[BS_CTX_COUNT]; /* the latest end of each class */
	/* Recovered shapes report several ends for one start (each digit
	 * group, each domain label): the start of the last finding per shape. */
	uint64_t last_start[BS_CAND_COUNT];
	/* Categories: hit counts, and the last counted span to merge overlaps. */
	uint32_t *cat_counts;
	uint64_t *cat_last_end;
};

/* Bytes after a match that decide it (the most any check reads after the
 * end, plus one): the words of a phrase after its key word, with gaps
 * (BS_LIMIT_TERM_BYTES + 7 gaps of 4 no-break spaces), then a UTF-8
 * character (word boundary); for digits, a letter group ending an IBAN
 * and a following digit group (phone grouping). */
#define BS_DETECT_LOOK (BS_LIMIT_TERM_BYTES + 7 * 8 + 8)

/* ASCII letters, digits and '_' (b: a byte value, 0..255): Vectorscan's
 * \b. terms.c puts a group's members in buckets by it and run.c picks the
 * bucket by it: one definition, from a table (a compare chain measured
 * slower on the path of every match). */
static inline bool
bs_detect__ascii_word(int b)
{
	static const bool word[256] = {
	    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	    ['8'] = 1, ['9'] = 1, ['_'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
	    ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
	    ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,
	    ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
	    ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
	    ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	};

	return word[(uint8_t)b];
}

/* terms.c: reads term files into patterns. */
bool bs_detect__load_terms(bs_detector *d, const bs_detect_config *cfg, GError **error);
/* Appends one term or label (lower-case, single spaces between words):
 * its words, and which of them is the key. */
void bs_detect__add_words(bs_detector *d, const char *lower, bs_pattern pat);
/* Once every pattern is added: the groups and their literals. */
void bs_detect__build_keys(bs_detector *d);

/* patterns.c: the built-in candidate shapes and context labels. */
void bs_detect__add_builtin(bs_detector *d);
/* Candidate class table lookups. */
size_t bs_detect__cand_len(bs_cand_class cls);

/* digits.c: ends of digit runs in p[0..len) (offsets i where p[i] is the
 * first byte after a run; an end at 0 when prev_digit, the byte before p
 * is a digit; out: BS_DETECT_ENDS entries; in a block full of ends, not
 * those where no shape can end unless d->all_ends), and four bit masks
 * per 64 bytes into masks (digits, phone characters, '0', '+' or '(';
 * BS_DETECT_PIECE / 16 entries) for the shapes' windows; then the
 * candidates that end at the end of a run. */
size_t bs_detect__digit_ends(const bs_detector *d, const char *p, size_t len, bool prev_digit,
                             uint32_t *out, uint64_t *masks);
bs_detect_simd bs_detect__simd_pick(void);
void bs_detect__digits(bs_detect_run *r, uint64_t end);

/* An e-mail domain: "b.se" at least, 255 bytes at most (RFC 5321). */
#define BS_DETECT_DOMAIN_MIN 4
#define BS_DETECT_DOMAIN_MAX 255

/* How far back a phone number's start is looked for (digits.c hands
 * confirm the starts this far back, and skips shapes none of them can
 * confirm). */
#define BS_DETECT_PHONE_WALK 28
/* Starts tried per candidate whose start is recovered, earliest first. */
#define BS_DETECT_STARTS_MAX 4

/* email.c: ends of the domains after each '@' of the piece p (the run's
 * chunk), and the e-mail candidates within a domain ending at end. */
size_t bs_detect__mail_ends(bs_detect_run *r, const char *p, size_t len, uint32_t *out);
void bs_detect__email(bs_detect_run *r, uint64_t end);
bool bs_detect__is_domain_char(int b);
bool bs_detect__is_local_char(int b);

/* run.c: byte access for the confirmers. */
int bs_detect__byte(const bs_detect_run *r, uint64_t off); /* -1 when unavailable */
/* Pointer to [start, start+len): into the chunk when possible, else copied
 * into buf (>= len bytes). NULL when some byte is unavailable. */
const char *bs_detect__span(const bs_detect_run *r, uint64_t start, size_t len, char *buf);
bool bs_detect__word_before(const bs_detect_run *r, uint64_t off);
bool bs_detect__word_after(const bs_detect_run *r, uint64_t off);

/* confirm.c: a candidate of class cls ending at end; emits at most one
 * finding. Phone numbers come with their starts (n <= BS_DETECT_STARTS_MAX,
 * earliest first), which digits.c reads from its masks. */
void bs_detect__candidate(bs_detect_run *r, bs_cand_class cls, uint64_t end);
void bs_detect__candidate_from(bs_detect_run *r, bs_cand_class cls, uint64_t end,
                               const uint64_t *starts, size_t n);

#endif
