/* IBAN (ISO 13616): country code, two check digits, the BBAN; length per
 * country from the SWIFT IBAN registry; mod 97 == 1. Spaces between
 * characters are ignored, letters may be written in lower case.
 * Canonical: upper case without spaces ("SE45 5000 ..." -> "SE455000..."). */
#include "ident/internal.h"

#include <stdlib.h>
#include <string.h>

#define IBAN_MAX 34

/* The SWIFT IBAN registry: country and total length (checked against
 * python-stdnum's iban.dat, generated from the registry). Sorted by country
 * for bsearch. */
static const struct iban_country {
	char cc[3];
	unsigned char len;
} iban_countries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
    {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
    {"YE", 30},
};

static int
cmp_country(const void *key, const void *elem)
{
	return memcmp(key, ((const struct iban_country *)elem)->cc, 2);
}

/* Copies the alphanumerics of p into buf in upper case, skipping single
 * spaces between them. Returns the length, or 0 on any other character. */
static size_t
compact(const char *p, size_t len, char *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == ' ' && i > 0 && p[i - 1] != ' ')
			continue;
		if (!g_ascii_isalnum(p[i]) || n == IBAN_MAX)
			return 0;
		buf[n++] = g_ascii_toupper(p[i]);
	}
	return n;
}

/* ISO 7064 mod 97-10 over the rearranged IBAN (BBAN, country, check),
 * letters as 10..35, computed digit by digit. */
static bool
mod97_ok(const char *s, size_t n)
{
	unsigned r = 0;

	for (size_t k = 0; k < n; k++) {
		char c = s[(k + 4) % n];

		if (g_ascii_isdigit(c))
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return r == 1;
}

bs_status
bs_ident__iban(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	char buf[IBAN_MAX];
	const struct iban_country *c;
	size_t n;

	bs_ident__reset(out);
	if (len < 4 || !g_ascii_isalpha(p[0]) || !g_ascii_isalpha(p[1]) || !g_ascii_isdigit(p[2]) ||
	    !g_ascii_isdigit(p[3]))
		return BS_NOMATCH;
	n = compact(p, len, buf);
	if (n == 0)
		return bs_ident__fail(out, BS_KIND_IBAN, "characters");
	c = bsearch(buf, iban_countries, G_N_ELEMENTS(iban_countries), sizeof iban_countries[0],
	            cmp_country);
	if (!c)
		return bs_ident__fail(out, BS_KIND_IBAN, "country");
	if (n != c->len)
		return bs_ident__fail(out, BS_KIND_IBAN, "length");
	if (!mod97_ok(buf, n))
		return bs_ident__fail(out, BS_KIND_IBAN, "check digit");
	memcpy(out->canonical, buf, n);
	out->canonical[n] = '\0';
	return bs_ident__ok(out, BS_KIND_IBAN);
}
