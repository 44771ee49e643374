/* Payment card numbers (PAN): 12 to 19 digits, optionally grouped by
 * single spaces or hyphens, Luhn, and an issuer range (IIN) whose lengths
 * fit. Canonical: the digits. */
#include "ident/internal.h"

#include <string.h>

#define CARD_MIN 12
#define CARD_MAX 19

/* Issuer ranges: the first digits (as a number of `digits` digits) from
 * lo to hi, and the allowed lengths as a bit mask (bit n = n digits).
 * First match wins, so narrower ranges come first. */
#define LEN(n) (1u << (n))
#define LEN_16_19 (LEN(16) | LEN(17) | LEN(18) | LEN(19))
#define LEN_12_19 (LEN(12) | LEN(13) | LEN(14) | LEN(15) | LEN_16_19)
static const struct iin {
	unsigned char digits;
	unsigned lo, hi;
	unsigned lengths;
} iins[] = {
    {2, 34, 34, LEN(15)},                   /* American Express */
    {2, 37, 37, LEN(15)},                   /* American Express */
    {3, 300, 305, LEN(14) | LEN(16)},       /* Diners Club */
    {2, 36, 36, LEN(14) | LEN_16_19},       /* Diners Club International */
    {2, 38, 39, LEN(14) | LEN(16)},         /* Diners Club */
    {4, 3528, 3589, LEN_16_19},             /* JCB */
    {1, 4, 4, LEN(13) | LEN(16) | LEN(19)}, /* Visa */
    {4, 2221, 2720, LEN(16)},               /* Mastercard */
    {2, 51, 55, LEN(16)},                   /* Mastercard */
    {4, 6011, 6011, LEN_16_19},             /* Discover */
    {3, 644, 649, LEN_16_19},               /* Discover */
    {2, 65, 65, LEN_16_19},                 /* Discover */
    {2, 62, 62, LEN_16_19},                 /* UnionPay */
    {2, 50, 50, LEN_12_19},                 /* Maestro */
    {2, 56, 69, LEN_12_19},                 /* Maestro */
};

static size_t
card_digits(const char *p, size_t len, char *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if ((p[i] == ' ' || p[i] == '-') && i > 0 && i + 1 < len &&
		    g_ascii_isdigit(p[i - 1]) && g_ascii_isdigit(p[i + 1]))
			continue;
		if (!g_ascii_isdigit(p[i]) || n == CARD_MAX)
			return 0;
		buf[n++] = p[i];
	}
	return n;
}

static const struct iin *
find_iin(const char *d)
{
	for (size_t i = 0; i < G_N_ELEMENTS(iins); i++) {
		unsigned v = (unsigned)bs_ident__num(d, iins[i].digits);

		if (v >= iins[i].lo && v <= iins[i].hi)
			return &iins[i];
	}
	return NULL;
}

bs_status
bs_ident__card(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	char d[CARD_MAX];
	const struct iin *iin;
	size_t n;

	bs_ident__reset(out);
	n = card_digits(p, len, d);
	if (n < CARD_MIN)
		return BS_NOMATCH;
	iin = find_iin(d);
	if (!iin)
		return bs_ident__fail(out, BS_KIND_CARD, "issuer");
	if (!(iin->lengths & LEN(n)))
		return bs_ident__fail(out, BS_KIND_CARD, "length");
	if (!bs_luhn_valid(d, n))
		return bs_ident__fail(out, BS_KIND_CARD, "check digit");
	memcpy(out->canonical, d, n);
	out->canonical[n] = '\0';
	return bs_ident__ok(out, BS_KIND_CARD);
}
