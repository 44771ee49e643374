/* Swedish phone numbers in national and international writing, to E.164
 * ("+46" and the national number without its leading 0).
 * Facts: shared/reference/domain-facts.md §2.1 (PTS numbering plan,
 * libphonenumber's SE metadata). Hand-written rather than libphonenumber
 * (C++ only, not in Debian as a C library) and because detect needs an
 * allocation-free check. */
#include "ident/internal.h"

#include <string.h>

/* Longest digit run we look at: 0046 + 12 digits, with room to spare. */
#define PHONE_DIGITS_MAX 20

typedef struct {
	char d[PHONE_DIGITS_MAX];
	size_t n;
	bool plus; /* began with '+' */
} phone_text;

/* Characters allowed between digits: space, '-', '/', '.', parentheses,
 * and the UTF-8 no-break space and dashes word processors insert. */
static size_t
filler_len(const char *p, size_t len)
{
	bs_sep sep;
	size_t n;

	if (*p == ' ' || *p == '-' || *p == '/' || *p == '.' || *p == '(' || *p == ')')
		return 1;
	n = bs_ident__sep_len(p, len, &sep);
	return sep != BS_SEP_PLUS ? n : 0;
}

static bool
read_phone(const char *p, size_t len, phone_text *t)
{
	size_t i = 0;

	memset(t, 0, sizeof *t);
	if (len > 0 && p[0] == '+') {
		t->plus = true;
		i = 1;
	}
	while (i < len) {
		size_t f;

		if (g_ascii_isdigit(p[i])) {
			if (t->n == PHONE_DIGITS_MAX)
				return false;
			t->d[t->n++] = p[i++];
			continue;
		}
		f = filler_len(p + i, len - i);
		if (f == 0)
			return false;
		i += f;
	}
	return t->n > 0 && (g_ascii_isdigit(p[len - 1]) || p[len - 1] == ')');
}

/* Length rules per number range (national number without the trunk 0):
 * mobile and other 07 ranges 9 digits; freephone 020 and premium 09 six
 * to nine; geographic and 010 seven to nine. */
static const char *
check_national(const char *n, size_t len)
{
	if (len == 0 || n[0] == '0')
		return "prefix";
	if (n[0] == '7')
		return len == 9 ? NULL : "length";
	if ((len >= 2 && n[0] == '2' && n[1] == '0') || n[0] == '9')
		return len >= 6 && len <= 9 ? NULL : "length";
	return len >= 7 && len <= 9 ? NULL : "length";
}

/* Finds the national number: after +46 / 0046 (dropping a written trunk 0)
 * or after the trunk 0. Returns false when the text is not a Swedish
 * phone number at all (no + or 0 in front). */
static bool
national_part(const phone_text *t, const char **out_n, size_t *out_len, bool *out_foreign)
{
	size_t skip;

	*out_foreign = false;
	if (t->plus || (t->n > 2 && t->d[0] == '0' && t->d[1] == '0')) {
		skip = t->plus ? 0 : 2;
		if (t->n < skip + 2 || memcmp(t->d + skip, "46", 2) != 0) {
			*out_foreign = true;
			return true;
		}
		skip += 2;
		if (t->n > skip && t->d[skip] == '0')
			skip++; /* +46 (0)70 ..., or the common +46070 ... */
	} else if (t->d[0] == '0') {
		skip = 1;
	} else {
		return false;
	}
	*out_n = t->d + skip;
	*out_len = t->n - skip;
	return true;
}

bs_status
bs_ident__phone(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	phone_text t;
	const char *n = NULL;
	size_t nlen = 0;
	bool foreign;
	const char *why;

	bs_ident__reset(out);
	/* a first digit other than 0 is neither +46 nor a trunk 0: no phone
	 * number (national_part() would say so after reading all of it) */
	if (len > 0 && p[0] >= '1' && p[0] <= '9')
		return BS_NOMATCH;
	if (!read_phone(p, len, &t) || !national_part(&t, &n, &nlen, &foreign))
		return BS_NOMATCH;
	if (foreign)
		return bs_ident__fail(out, BS_KIND_PHONE, "country");
	if ((why = check_national(n, nlen)))
		return bs_ident__fail(out, BS_KIND_PHONE, why);
	memcpy(out->canonical, "+46", 3);
	memcpy(out->canonical + 3, n, nlen);
	out->canonical[3 + nlen] = '\0';
	return bs_ident__ok(out, BS_KIND_PHONE);
}
