/* Candidates: recover the start, confirm with ident, score, report.
 *
 * Confidence is layered (docs/internals.md has the table):
 *   1. validator: ident accepts the value (check digit, date, day+60, mod 97,
 *      Luhn + IIN...). Nothing is reported without it.
 *   2. base: medium for every kind except the Danish CPR (low: its check
 *      digit is no longer reliable).
 *   3. context: the nearest label ending at most BS_LIMIT_CONTEXT_BYTES before
 *      the value decides. A label that announces this kind adds one level
 *      (the only way to reach high); one that announces another kind
 *      (tel, org.nr, faktura, OCR... before a personnummer) gives low.
 *   4. formatting (personnummer family): written with a space inside
 *      (640823 3234), or glued into a phone-style digit grouping, takes
 *      one level off.
 * So a check digit alone gives at most medium, never high. */
#include "detect/internal.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h> /* part of x86-64 */
#endif

/* Longest value a shape recovers: an e-mail address (64 + 1 + 255). */
#define SPAN_MAX 384
/* How far back the recovered shapes walk. */
#define CARD_WALK 26
#define IBAN_WALK 44
#define EMAIL_LOCAL_MAX 64

/* Which kinds a shape may be, tried in order; a later one wins only with
 * a strictly higher confidence. */
static const bs_kind chains[BS_CAND_COUNT][4] = {
    [BS_CAND_D10] = {BS_KIND_PNR, BS_KIND_ORGNR, BS_KIND_PHONE, BS_KIND_DK_CPR},
    [BS_CAND_D6SEP4] = {BS_KIND_PNR, BS_KIND_ORGNR, BS_KIND_FI_HETU, BS_KIND_DK_CPR},
    [BS_CAND_D6SP4] = {BS_KIND_PNR},
    [BS_CAND_D12] = {BS_KIND_PNR, BS_KIND_ORGNR},
    [BS_CAND_D8SEP4] = {BS_KIND_PNR},
    [BS_CAND_D8SP4] = {BS_KIND_PNR},
    [BS_CAND_INT10] = {BS_KIND_INTERIM},
    [BS_CAND_INT11] = {BS_KIND_INTERIM},
    [BS_CAND_INT12] = {BS_KIND_INTERIM},
    [BS_CAND_INT13] = {BS_KIND_INTERIM},
    [BS_CAND_D11] = {BS_KIND_NO_FNR},
    [BS_CAND_D6SP5] = {BS_KIND_NO_FNR},
    [BS_CAND_HETU] = {BS_KIND_FI_HETU},
    [BS_CAND_PHONE] = {BS_KIND_PHONE},
    [BS_CAND_CARD] = {BS_KIND_CARD},
    [BS_CAND_CARD_GROUPED] = {BS_KIND_CARD},
    [BS_CAND_IBAN] = {BS_KIND_IBAN},
    [BS_CAND_EMAIL] = {BS_KIND_EMAIL},
};

/* Digits before the serial (YYMMDD: 6, YYYYMMDD: 8) in the shapes that
 * may be personnummer-family numbers: ident checks that layout instead of
 * searching for it (bs_ident_parse_personal). 0: no such shape. */
static const uint8_t date_lens[BS_CAND_COUNT] = {
    [BS_CAND_D10] = 6,    [BS_CAND_D6SEP4] = 6, [BS_CAND_D6SP4] = 6, [BS_CAND_D12] = 8,
    [BS_CAND_D8SEP4] = 8, [BS_CAND_D8SP4] = 8,  [BS_CAND_INT10] = 6, [BS_CAND_INT11] = 6,
    [BS_CAND_INT12] = 8,  [BS_CAND_INT13] = 8,
};

/* Per kind: base level and what each label class says about it
 * (+1 announces this kind, -1 announces another, 0 says nothing). */
typedef struct {
	int8_t base;
	bool formats; /* personnummer family: written form counts */
	int8_t ctx[BS_CTX_COUNT];
} kind_rule;

#define PERSONAL_CTX                                                                               \
	{                                                                                          \
		[BS_CTX_PERSON] = 1, [BS_CTX_PHONE] = -1, [BS_CTX_ORG] = -1,                       \
		[BS_CTX_PAYMENT] = -1, [BS_CTX_INVOICE] = -1, [BS_CTX_TIME] = -1                   \
	}

static const kind_rule rules[BS_KIND_COUNT] = {
    [BS_KIND_PNR] = {BS_CONF_MEDIUM, true, PERSONAL_CTX},
    [BS_KIND_SAMORDNING] = {BS_CONF_MEDIUM, true, PERSONAL_CTX},
    [BS_KIND_INTERIM] = {BS_CONF_MEDIUM, true, PERSONAL_CTX},
    [BS_KIND_NO_FNR] = {BS_CONF_MEDIUM, false, PERSONAL_CTX},
    [BS_KIND_FI_HETU] = {BS_CONF_MEDIUM, false, PERSONAL_CTX},
    [BS_KIND_DK_CPR] = {BS_CONF_LOW, false, PERSONAL_CTX},
    [BS_KIND_ORGNR] = {BS_CONF_MEDIUM,
                       false,
                       {[BS_CTX_ORG] = 1,
                        [BS_CTX_PHONE] = -1,
                        [BS_CTX_PAYMENT] = -1,
                        [BS_CTX_INVOICE] = -1,
                        [BS_CTX_TIME] = -1}},
    [BS_KIND_PHONE] = {BS_CONF_MEDIUM,
                       false,
                       {[BS_CTX_PHONE] = 1,
                        [BS_CTX_PERSON] = -1,
                        [BS_CTX_ORG] = -1,
                        [BS_CTX_PAYMENT] = -1,
                        [BS_CTX_INVOICE] = -1}},
    [BS_KIND_EMAIL] = {BS_CONF_MEDIUM, false, {[BS_CTX_MAIL] = 1}},
    [BS_KIND_IBAN] = {BS_CONF_MEDIUM, false, {[BS_CTX_PAYMENT] = 1}},
    [BS_KIND_CARD] = {BS_CONF_MEDIUM,
                      false,
                      {[BS_CTX_CARD] = 1, [BS_CTX_PERSON] = -1, [BS_CTX_INVOICE] = -1}},
};

static bool
is_digit_at(const bs_detect_run *r, uint64_t off)
{
	int b = bs_detect__byte(r, off);

	return b >= '0' && b <= '9';
}

/* Words that may stand between a label and its value: "Ring mig på",
 * "Ert kundnummer är", "Faktura nr". (W's braced body is kept on one
 * line: clang-format spreads it over four.) */
static const struct {
	const char *word;
	size_t len;
} filler_words[] = {
/* clang-format off */
#define W(s) {s, sizeof s - 1}
    /* clang-format on */
    W("nr"),   W("no"),  W("nummer"), W("numret"), W("är"), W("Är"),     W("mig"),  W("oss"),
    W("på"),   W("På"),  W("till"),   W("med"),    W("er"), W("ert"),    W("ditt"), W("mitt"),
    W("vårt"), W("kan"), W("du"),     W("ni"),     W("nu"), W("direkt"),
#undef W
};

/* ":.,;()#/", all within '#' .. ';': one bit each */
static bool
is_filler_punct(char c)
{
	const uint32_t set = 1u << (':' - '#') | 1u << ('.' - '#') | 1u << (',' - '#') |
	                     1u << (';' - '#') | 1u << ('(' - '#') | 1u << (')' - '#') | 1u << 0 |
	                     1u << ('/' - '#');

	return (unsigned)(c - '#') < 32 && (set >> (c - '#') & 1);
}

static bool
is_filler(const char *p, size_t len)
{
	while (len > 0 && is_filler_punct(p[len - 1]))
		len--;
	while (len > 0 && is_filler_punct(p[0])) {
		p++;
		len--;
	}
	if (len == 0)
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(filler_words); i++)
		if (filler_words[i].len == len &&
		    g_ascii_strncasecmp(filler_words[i].word, p, len) == 0)
			return true;
	return false;
}

/* A label that announces another kind (tel, faktura, OCR...) applies only
 * when nothing but filler words and punctuation stand between it and the
 * value: "Ärendet gäller 640823-3234" is not a case number, and in
 * "OCR 8403148888 640823-3234" the label went to the first number. */
static bool
label_adjacent(const bs_detect_run *r, uint64_t label_end, uint64_t start)
{
	char buf[BS_LIMIT_CONTEXT_BYTES + 1];
	size_t len = (size_t)(start - label_end);
	const char *p = bs_detect__span(r, label_end, len, buf);
	size_t i = 0;

	if (!p)
		return false;
	while (i < len && !bs_ascii_space(p[i])) /* rest of the label's word */
		i++;
	while (i < len) {
		size_t w;

		while (i < len && bs_ascii_space(p[i]))
			i++;
		for (w = i; w < len && !bs_ascii_space(p[w]);)
			w++;
		if (w > i && !is_filler(p + i, w - i))
			return false;
		i = w;
	}
	return true;
}

/* The end of the last label of class c that ends at or before start
 * (0 = none). */
static uint64_t
label_before(const bs_detect_run *r, int c, uint64_t start)
{
	uint64_t best = 0;

	/* without branches: which of the ring's ends qualify is not predictable */
	for (int i = 0; i < BS_CTX_KEEP; i++) {
		uint64_t e = r->ctx_end[c][i];

		best = MAX(best, e <= start ? e : 0);
	}
	return best;
}

#ifdef __SSE2__
/* Classes whose latest label ends at most BS_LIMIT_CONTEXT_BYTES before
 * start or later: ctx_max + BS_LIMIT_CONTEXT_BYTES - start >= 0, two
 * classes per SSE2 subtraction (offsets stay far below 2^63). */
static unsigned
classes_near(const bs_detect_run *r, uint64_t start)
{
	const __m128i *m = (const __m128i *)(const void *)r->ctx_max;
	__m128i lim = _mm_set1_epi64x((long long)(start - BS_LIMIT_CONTEXT_BYTES));
	unsigned neg = 0;

	G_STATIC_ASSERT(BS_CTX_COUNT % 2 == 0);
	for (int k = 0; k < BS_CTX_COUNT / 2; k++) {
		__m128d d = _mm_castsi128_pd(_mm_sub_epi64(_mm_loadu_si128(m + k), lim));

		neg |= (unsigned)_mm_movemask_pd(d) << (2 * k);
	}
	return ~neg & ((1u << BS_CTX_COUNT) - 1);
}

/* Classes a label of which says something about the rule's kind. */
static unsigned
classes_of(const kind_rule *rule)
{
	__m128i ctx = _mm_loadl_epi64((const __m128i *)(const void *)rule->ctx);

	G_STATIC_ASSERT(sizeof rule->ctx == 8);
	return ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(ctx, _mm_setzero_si128())) & 0xffu;
}
#else
static unsigned
classes_near(const bs_detect_run *r, uint64_t start)
{
	unsigned m = 0;

	for (int c = 0; c < BS_CTX_COUNT; c++)
		if (r->ctx_max[c] + BS_LIMIT_CONTEXT_BYTES >= start)
			m |= 1u << c;
	return m;
}

static unsigned
classes_of(const kind_rule *rule)
{
	unsigned m = 0;

	for (int c = 0; c < BS_CTX_COUNT; c++)
		if (rule->ctx[c])
			m |= 1u << c;
	return m;
}
#endif

/* The nearest label at most BS_LIMIT_CONTEXT_BYTES before start that says
 * something about this kind; a label of another kind that is not next to
 * the value is passed over. Ties go to the lower class. */
static int
context_polarity(const bs_detect_run *r, const kind_rule *rule, uint64_t start)
{
	uint64_t end[BS_CTX_COUNT];
	unsigned cand = 0;

	for (unsigned m = classes_near(r, start) & classes_of(rule); m; m &= m - 1) {
		int c = __builtin_ctz(m);
		uint64_t e = label_before(r, c, start);

		if (e == 0 || start - e > BS_LIMIT_CONTEXT_BYTES)
			continue;
		cand |= 1u << c;
		end[c] = e;
	}
	while (cand) {
		uint64_t best = 0;
		int cls = -1;

		for (unsigned m = cand; m; m &= m - 1) {
			int c = __builtin_ctz(m);

			if (end[c] > best) {
				best = end[c];
				cls = c;
			}
		}
		if (rule->ctx[cls] > 0 || label_adjacent(r, best, start))
			return rule->ctx[cls];
		cand &= ~(1u << cls);
	}
	return 0;
}

/* Digits in [from, to) of the run's bytes. */
static size_t
digits_back(const bs_detect_run *r, uint64_t end, size_t max)
{
	size_t n = 0;

	while (n < end && n <= max && is_digit_at(r, end - n - 1))
		n++;
	return n;
}

/* Part of a phone-style digit grouping: a short group right after
 * ("070123 45 67") or before ("08 6408233234"), and the whole starts like
 * a Swedish phone number (0, +46, (0)). */
static bool
phone_grouped(const bs_detect_run *r, uint64_t start, uint64_t end)
{
	int a = bs_detect__byte(r, end);
	int p1 = start > 0 ? bs_detect__byte(r, start - 1) : -1;
	size_t after = 0;
	size_t before = 0;

	if (p1 == '+' || p1 == ')')
		return true;
	if (a == ' ' || a == '-')
		while (after < 4 && is_digit_at(r, end + 1 + after))
			after++;
	if ((p1 == ' ' || p1 == '-') && start > 1)
		before = digits_back(r, start - 1, 4);
	if (before >= 1 && before <= 4) {
		uint64_t g = start - 1 - before;
		int pre = g > 0 ? bs_detect__byte(r, g - 1) : ' ';

		if (pre != ' ' && pre != '-' && pre != '+' && pre != '(' && pre != '\n')
			return false;
		return bs_detect__byte(r, g) == '0' || pre == '+';
	}
	return after >= 2 && after <= 3 && bs_detect__byte(r, start) == '0';
}

static unsigned
format_reasons(const bs_detect_run *r, const bs_ident *id, uint64_t start, uint64_t end)
{
	unsigned reasons = 0;

	if (id->long_form)
		reasons |= BS_REASON_LONG_FORM;
	if (id->sep == BS_SEP_DASH || id->sep == BS_SEP_PLUS)
		reasons |= BS_REASON_SEPARATOR;
	if (id->sep == BS_SEP_SPACE)
		reasons |= BS_REASON_SPACE_SEP;
	if (phone_grouped(r, start, end))
		reasons |= BS_REASON_PHONE_FORMAT;
	return reasons;
}

/* Scores a valid identifier; fills f's confidence and reasons. */
static void
score(const bs_detect_run *r, bs_finding *f)
{
	const kind_rule *rule = &rules[f->id.kind];
	int pol = context_polarity(r, rule, f->start);
	int level = rule->base;

	f->reasons = BS_REASON_VALID;
	if (f->id.test_number)
		f->reasons |= BS_REASON_TEST_NUMBER;
	if (rule->formats)
		f->reasons |= format_reasons(r, &f->id, f->start, f->end);
	if (f->reasons & BS_REASON_PHONE_FORMAT)
		level--;
	if (f->reasons & BS_REASON_SPACE_SEP)
		level--;
	if (pol > 0) {
		f->reasons |= BS_REASON_POS_CONTEXT;
		level++;
	} else if (pol < 0) {
		f->reasons |= BS_REASON_NEG_CONTEXT;
		level = BS_CONF_LOW;
	}
	if (level >= BS_CONF_HIGH && pol <= 0)
		level = BS_CONF_MEDIUM;
	f->confidence = (bs_confidence)CLAMP(level, BS_CONF_LOW, BS_CONF_HIGH);
}

/* Reads [p, p + len) as kind. pnr heads the chains of the all-digit
 * shapes and interim those of the lettered ones, so the reading
 * bs_ident_parse_personal() picks from the serial is the kind asked for. */
static bs_status
parse_kind(const bs_detect_run *r, bs_cand_class cls, bs_kind kind, const char *p, size_t len,
           bs_ident *out)
{
	if ((kind == BS_KIND_PNR || kind == BS_KIND_INTERIM) && date_lens[cls])
		return bs_ident_parse_personal(p, len, date_lens[cls], &r->ident, out);
	return bs_ident_parse_ref(kind, p, len, &r->ident, out);
}

/* Tries the shape's kinds on [start, end); reports the best. */
static bool
confirm(bs_detect_run *r, bs_cand_class cls, uint64_t start, uint64_t end)
{
	char buf[SPAN_MAX];
	bs_finding f[2];
	int best = -1;
	size_t len = end - start;
	const char *p = len <= sizeof buf ? bs_detect__span(r, start, len, buf) : NULL;

	if (!p)
		return false;
	for (int i = 0; i < 4 && chains[cls][i] != BS_KIND_NONE; i++) {
		bs_finding *cur = &f[best == 0 ? 1 : 0];

		if (parse_kind(r, cls, chains[cls][i], p, len, &cur->id) != BS_OK || !cur->id.valid)
			continue;
		cur->start = start;
		cur->end = end;
		score(r, cur);
		if (best < 0 || cur->confidence > f[best].confidence)
			best = (int)(cur - f);
		if (f[best].confidence >= BS_CONF_MEDIUM)
			break;
	}
	if (best < 0)
		return false;
	if (r->fn)
		r->fn(&f[best], r->user);
	return true;
}

/* Cards: starts at digit groups, 13-19 digits to the end. */
static size_t
recover_card(const bs_detect_run *r, uint64_t end, uint64_t *starts)
{
	uint64_t s = end;
	size_t n = 0;

	while (s > 0 && end - s < CARD_WALK) {
		int b = bs_detect__byte(r, s - 1);

		if (!(b >= '0' && b <= '9') && b != ' ' && b != '-')
			break;
		s--;
	}
	for (uint64_t p = s; p < end && n < BS_DETECT_STARTS_MAX; p++) {
		int prev = p > s ? bs_detect__byte(r, p - 1) : ' ';
		size_t digits = 0;

		if (!is_digit_at(r, p) || (prev != ' ' && prev != '-'))
			continue;
		for (uint64_t q = p; q < end; q++)
			digits += is_digit_at(r, q);
		if (digits >= 13 && digits <= 19)
			starts[n++] = p;
	}
	return n;
}

static bool
is_upper_or_digit(int b)
{
	return (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
}

static size_t
recover_iban(const bs_detect_run *r, uint64_t end, uint64_t *starts)
{
	uint64_t s = end;
	size_t n = 0;

	while (s > 0 && end - s < IBAN_WALK) {
		int b = bs_detect__byte(r, s - 1);

		if (!is_upper_or_digit(b) && b != ' ')
			break;
		s--;
	}
	for (uint64_t p = s; p + 4 <= end && n < BS_DETECT_STARTS_MAX; p++) {
		int prev = p > s ? bs_detect__byte(r, p - 1) : ' ';

		if (prev == ' ' && g_ascii_isupper(bs_detect__byte(r, p)) &&
		    g_ascii_isupper(bs_detect__byte(r, p + 1)) && is_digit_at(r, p + 2) &&
		    is_digit_at(r, p + 3))
			starts[n++] = p;
	}
	return n;
}

bool
bs_detect__is_domain_char(int b)
{
	return g_ascii_isalnum(b) || b == '-' || b == '.';
}

bool
bs_detect__is_local_char(int b)
{
	return g_ascii_isalnum(b) || (b > 0 && strchr("._%+-", b));
}

/* E-mail: the domain may go on (anna@mail.example.se reports after
 * "example" too); the start is found by walking back over the domain to
 * '@' and over the local part. */
static size_t
recover_email(const bs_detect_run *r, uint64_t end, uint64_t *starts)
{
	int a = bs_detect__byte(r, end);
	uint64_t at = end;
	uint64_t s;

	if (g_ascii_isalnum(a) || a == '-' ||
	    (a == '.' && g_ascii_isalnum(bs_detect__byte(r, end + 1))))
		return 0;
	while (at > 0 && end - at < BS_DETECT_DOMAIN_MAX &&
	       bs_detect__is_domain_char(bs_detect__byte(r, at - 1)))
		at--;
	if (at == 0 || bs_detect__byte(r, at - 1) != '@')
		return 0;
	s = at - 1;
	while (s > 0 && at - 1 - s < EMAIL_LOCAL_MAX &&
	       bs_detect__is_local_char(bs_detect__byte(r, s - 1)))
		s--;
	if (s == at - 1 || (s > 0 && bs_detect__is_local_char(bs_detect__byte(r, s - 1))))
		return 0;
	starts[0] = s;
	return 1;
}

/* Apart from bs_detect__candidate(): most candidates have a fixed length,
 * and its frame stays small without these walks and their buffers. */
G_GNUC_NO_INLINE static size_t
recover(const bs_detect_run *r, bs_cand_class cls, uint64_t end, uint64_t *starts)
{
	uint64_t s = end;

	switch (cls) {
	case BS_CAND_CARD:
		while (s > 0 && end - s < 19 && is_digit_at(r, s - 1))
			s--;
		starts[0] = s;
		return 1;
	case BS_CAND_CARD_GROUPED:
		return recover_card(r, end, starts);
	case BS_CAND_IBAN:
		return recover_iban(r, end, starts);
	case BS_CAND_EMAIL:
		return recover_email(r, end, starts);
	default:
		return 0;
	}
}

void
bs_detect__candidate_from(bs_detect_run *r, bs_cand_class cls, uint64_t end, const uint64_t *starts,
                          size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (starts[i] == r->last_start[cls])
			return;
		if (confirm(r, cls, starts[i], end)) {
			r->last_start[cls] = starts[i];
			return;
		}
	}
}

void
bs_detect__candidate(bs_detect_run *r, bs_cand_class cls, uint64_t end)
{
	size_t len = bs_detect__cand_len(cls);
	uint64_t starts[BS_DETECT_STARTS_MAX];
	size_t n;

	if (len) {
		if (end < len)
			return;
		starts[0] = end - len;
		n = 1;
	} else {
		n = recover(r, cls, end, starts);
	}
	bs_detect__candidate_from(r, cls, end, starts, n);
}
