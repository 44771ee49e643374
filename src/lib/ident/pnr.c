/* Swedish personnummer, samordningsnummer, interim (T-) numbers and
 * organisation numbers: one written shape, four readings.
 * Facts: shared/reference/domain-facts.md §1. */
#include "ident/internal.h"

#include <string.h>

/* The letters the personnummer spec (v3.1) allows in interim numbers. */
static const char interim_letters[] = "TRSUWXJKLMN";

/* A personnummer-shaped text: YYMMDD or YYYYMMDD, an optional separator,
 * then four characters (NNNC, or for interim numbers a letter and NNC). */
typedef struct {
	char ten[10]; /* YYMMDD and the last four characters */
	int century;  /* from the 12-digit form; -1 for the 10-digit form */
	bs_sep sep;
	bool letter; /* ten[6] is a letter (interim shape) */
} pnr_text;

/* Two bytes that read_pnr_text() counted as digits (the date part). */
static int
two_digits(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* A byte of the 8 at x (little-endian) with a bit set unless it is an
 * ASCII digit: after x ^ '0', a digit is 0..9, so its high nibble is 0
 * and adding 6 does not reach 16. A carry out of a non-digit only
 * changes bytes after it, which the caller does not read. */
static uint64_t
non_digits(uint64_t x)
{
	uint64_t t = x ^ 0x3030303030303030ull;

	return (t & 0xf0f0f0f0f0f0f0f0ull) | ((t + 0x0606060606060606ull) & 0x1010101010101010ull);
}

static uint64_t
load8(const char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return GUINT64_FROM_LE(x);
}

/* Leading digits, eight at a time: every candidate detect confirms is
 * read here, and a byte loop mispredicts its exit (6, 8, 10 or 12). */
static size_t
count_digits(const char *p, size_t len)
{
	size_t n = 0;
	uint64_t bad;

	for (; n + 8 <= len; n += 8)
		if ((bad = non_digits(load8(p + n))))
			return n + (size_t)__builtin_ctzll(bad) / 8;
	if (n == len)
		return n;
	if (len < 8) {
		while (n < len && g_ascii_isdigit(p[n]))
			n++;
		return n;
	}
	/* the last 8 bytes, without those already read */
	bad = non_digits(load8(p + len - 8)) >> (8 * (n + 8 - len));
	return bad ? n + (size_t)__builtin_ctzll(bad) / 8 : len;
}

/* Reads the last four characters: a digit or capital letter, then three digits. */
static bool
read_tail(const char *p, size_t len, pnr_text *t)
{
	if (len != 4 || !(g_ascii_isdigit(p[0]) || g_ascii_isupper(p[0])))
		return false;
	if (count_digits(p + 1, 3) != 3)
		return false;
	t->letter = g_ascii_isupper(p[0]);
	memcpy(t->ten + 6, p, 4);
	return true;
}

static bool
read_pnr_text(const char *p, size_t len, pnr_text *t)
{
	size_t n = count_digits(p, len);
	size_t sl;

	memset(t, 0, sizeof *t);
	t->century = -1;
	if (n == len && (n == 10 || n == 12)) {
		if (n == 12)
			t->century = two_digits(p);
		memcpy(t->ten, p + n - 10, 10);
		return true;
	}
	if (n != 6 && n != 8)
		return false;
	sl = bs_ident__sep_len(p + n, len - n, &t->sep);
	if (!read_tail(p + n + sl, len - n - sl, t))
		return false;
	if (n == 8)
		t->century = two_digits(p);
	memcpy(t->ten, p + n - 6, 6);
	return true;
}

/* read_pnr_text() for text whose date part the caller says is date_len
 * digits: the layout is checked, not searched for. */
static bool
read_pnr_laid_out(const char *p, size_t len, size_t date_len, pnr_text *t)
{
	size_t sl;
	char c;

	if ((date_len != 6 && date_len != 8) || len < date_len + 4)
		return false;
	/* len >= 10: both 8-byte loads lie inside the text. A carry out of a
	 * non-digit only changes bytes after it, so each mask sees its own
	 * bytes: the date's date_len, the serial's last three. */
	if (non_digits(load8(p)) & (date_len == 8 ? ~0ull : 0xffffffffffffull))
		return false;
	if (non_digits(load8(p + len - 8) >> 40) & 0xffffffull)
		return false;
	c = p[len - 4];
	t->letter = (unsigned char)(c - 'A') < 26; /* g_ascii_isupper() reads a table */
	if (!t->letter && (unsigned char)(c - '0') > 9)
		return false;
	t->sep = BS_SEP_NONE;
	sl = len - date_len - 4;
	if (sl > 0 && bs_ident__sep_len(p + date_len, sl, &t->sep) != sl)
		return false;
	t->century = date_len == 8 ? two_digits(p) : -1;
	memcpy(t->ten, p + date_len - 6, 6);
	memcpy(t->ten + 6, p + len - 4, 4);
	return true;
}

/* Century of a 10-digit form. With '-' or no separator: the latest year
 * that does not put the birth date after the reference date. With '+'
 * (written from the calendar year the person turns 100): the latest year
 * at least 100 before the reference year. python-stdnum instead subtracts
 * one more century from the '-' reading, which is wrong by 100 years for
 * someone turning 100 later in the reference year. */
static int
infer_year(int yy, const bs_ymd *birth, bs_sep sep, const bs_ymd *ref)
{
	bs_ymd b = {ref->year / 100 * 100 + yy, birth->month ? birth->month : 1,
	            birth->day ? birth->day : 1};

	if (sep == BS_SEP_PLUS) {
		int limit = ref->year - 100;
		int y = limit / 100 * 100 + yy;

		return y > limit ? y - 100 : y;
	}
	if (bs_ident__ymd_cmp(&b, ref) > 0)
		b.year -= 100;
	return b.year;
}

/* Month and day of the written date: samordningsnummer add 60 to the day
 * and, in Skatteverket's own test series, use month 00 and day 60 (= 00)
 * for unknown parts. Returns a reason on failure. */
static const char *
read_month_day(const pnr_text *t, bs_kind kind, bs_ymd *birth)
{
	birth->month = two_digits(t->ten + 2);
	birth->day = two_digits(t->ten + 4);
	if (kind == BS_KIND_SAMORDNING) {
		birth->day -= 60;
		if (birth->month > 12 || birth->day > 31)
			return "date";
		return NULL;
	}
	if (birth->month < 1 || birth->month > 12 || birth->day < 1 || birth->day > 31)
		return "date";
	return NULL;
}

/* Whole-date checks once the year is known. An impossible samordningsnummer
 * date (30 Feb, 31 Jun) occurs in Skatteverket's test series: accepted with
 * the day unknown. */
static const char *
check_date(bs_kind kind, bs_ymd *birth, const bs_ymd *ref)
{
	bs_ymd lowest = {birth->year, birth->month ? birth->month : 1, birth->day ? birth->day : 1};

	if (birth->month && birth->day &&
	    !bs_ident__date_valid(birth->year, birth->month, birth->day)) {
		if (kind != BS_KIND_SAMORDNING)
			return "date";
		birth->day = 0;
	}
	if (bs_ident__ymd_cmp(&lowest, ref) > 0)
		return "future date";
	return NULL;
}

static const char *
resolve_year(const pnr_text *t, bs_ymd *birth, const bs_ymd *ref)
{
	int yy = two_digits(t->ten);

	if (t->century < 0) {
		birth->year = infer_year(yy, birth, t->sep, ref);
		return NULL;
	}
	if (t->century < 18 || t->century > 20)
		return "century";
	birth->year = t->century * 100 + yy;
	return NULL;
}

/* Luhn over the ten characters, an interim letter counting 1 (the text
 * is read: the others are digits). From the right, ten[9]
 * counts once and ten[8] doubled: the doubled ones are the even places.
 * The first eight at once, a byte each: a doubled d counts 2d, less 9
 * when d >= 5 (then bit 3 of d + 3 is set); the bytes, at most 72 in
 * all, add up in the top byte of one multiplication. */
static bool
luhn_ten(const pnr_text *t)
{
	const uint64_t even_bytes = 0x00ff00ff00ff00ffull;
	uint64_t x = load8(t->ten) - 0x3030303030303030ull;
	uint64_t even, ge5, s;

	if (t->letter)
		x = (x & ~(0xffull << 48)) | 1ull << 48;
	even = x & even_bytes;
	ge5 = ((even + 0x0003000300030003ull) >> 3) & 0x0001000100010001ull;
	s = x + even - 9 * ge5;
	s = (s * 0x0101010101010101ull) >> 56;
	return (s + bs_ident__luhn_doubled[t->ten[8] - '0'] + (unsigned)(t->ten[9] - '0')) % 10 ==
	       0;
}

static void
fill_valid(const pnr_text *t, const bs_ymd *birth, bs_ident *out)
{
	int century = birth->year / 100;

	out->canonical[0] = (char)('0' + century / 10);
	out->canonical[1] = (char)('0' + century % 10);
	memcpy(out->canonical + 2, t->ten, 10);
	out->canonical[12] = '\0';
	out->birth_year = birth->year;
	out->birth_month = birth->month;
	out->birth_day = birth->month ? birth->day : 0;
	out->sex = t->ten[8] & 1 ? BS_SEX_MALE : BS_SEX_FEMALE; /* '0' is even */
}

/* Validates a personal number (pnr, samordningsnummer or interim) in
 * the order: separator, date, century, future, serial, letter, check digit. */
static bs_status
check_personal(const pnr_text *t, bs_kind kind, const bs_ident_ctx *ctx, bs_ident *out)
{
	bs_ymd birth = {0, 0, 0};
	const char *why;

	/* every field is written: bs_ident_parse_personal() does not reset out */
	out->sep = t->sep;
	out->long_form = t->century >= 0;
	out->test_number = false;
	if (t->sep == BS_SEP_SPACE && (ctx->flags & BS_IDENT_STRICT_SEP))
		return bs_ident__fail(out, kind, "space separator");
	if ((why = read_month_day(t, kind, &birth)) || (why = resolve_year(t, &birth, &ctx->ref)) ||
	    (why = check_date(kind, &birth, &ctx->ref)))
		return bs_ident__fail(out, kind, why);
	if (kind != BS_KIND_INTERIM && memcmp(t->ten + 6, "000", 3) == 0)
		return bs_ident__fail(out, kind, "serial 000");
	if (kind == BS_KIND_INTERIM && !strchr(interim_letters, t->ten[6]))
		return bs_ident__fail(out, kind, "letter");
	if (!luhn_ten(t))
		return bs_ident__fail(out, kind, "check digit");
	fill_valid(t, &birth, out);
	return bs_ident__ok(out, kind);
}

/* The day decides: 60 and above is a samordningsnummer. */
static bs_kind
personal_kind(const pnr_text *t)
{
	return t->ten[4] >= '6' ? BS_KIND_SAMORDNING : BS_KIND_PNR;
}

bs_status
bs_ident__pnr(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	pnr_text t;

	bs_ident__reset(out);
	if (!read_pnr_text(p, len, &t) || t.letter)
		return BS_NOMATCH;
	return check_personal(&t, personal_kind(&t), ctx, out);
}

bs_status
bs_ident__interim(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	pnr_text t;

	bs_ident__reset(out);
	if (!read_pnr_text(p, len, &t) || !t.letter)
		return BS_NOMATCH;
	return check_personal(&t, BS_KIND_INTERIM, ctx, out);
}

bs_status
bs_ident_parse_personal(const char *p, size_t len, size_t date_len, const bs_ident_ref *ref,
                        bs_ident *out)
{
	bs_ident_ctx ctx = bs_ident__ctx_of(ref);
	pnr_text t;

	if (!p || !read_pnr_laid_out(p, len, date_len, &t)) {
		bs_ident__reset(out);
		return BS_NOMATCH;
	}
	return check_personal(&t, t.letter ? BS_KIND_INTERIM : personal_kind(&t), &ctx, out);
}

/* Organisation numbers: ten digits, the third (the "month" tens) 2 or
 * more, Luhn; the 12-digit register form prefixes 16. A number whose third
 * digit is 0 or 1 is a personnummer (a sole trader's organisation number)
 * and so personal: invalid here. The first digit is the legal-form group
 * 1-9; 0 is not used (and is how Swedish phone numbers start). */
bs_status
bs_ident__orgnr(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	pnr_text t;

	bs_ident__reset(out);
	if (!read_pnr_text(p, len, &t) || t.letter)
		return BS_NOMATCH;
	out->sep = t.sep;
	out->long_form = t.century >= 0;
	if (t.sep == BS_SEP_SPACE && (ctx->flags & BS_IDENT_STRICT_SEP))
		return bs_ident__fail(out, BS_KIND_ORGNR, "space separator");
	if (t.sep == BS_SEP_PLUS)
		return bs_ident__fail(out, BS_KIND_ORGNR, "separator");
	if (t.ten[2] < '2')
		return bs_ident__fail(out, BS_KIND_ORGNR, "personal number");
	if (t.century >= 0 && t.century != 16)
		return bs_ident__fail(out, BS_KIND_ORGNR, "century");
	if (t.ten[0] == '0')
		return bs_ident__fail(out, BS_KIND_ORGNR, "group");
	if (!luhn_ten(&t))
		return bs_ident__fail(out, BS_KIND_ORGNR, "check digit");
	memcpy(out->canonical, t.ten, 10);
	out->canonical[10] = '\0';
	return bs_ident__ok(out, BS_KIND_ORGNR);
}

/* Which Swedish reading a personnummer-shaped text gets first when the
 * kind is not given: interim for a letter, orgnr for a third digit of 2 or
 * more (or the 16 prefix), else the personnummer family. */
bs_kind
bs_ident__swedish_kind(const char *p, size_t len)
{
	pnr_text t;

	if (!read_pnr_text(p, len, &t))
		return BS_KIND_NONE;
	if (t.letter)
		return BS_KIND_INTERIM;
	if (t.ten[2] >= '2' || t.century == 16)
		return BS_KIND_ORGNR;
	return personal_kind(&t);
}
