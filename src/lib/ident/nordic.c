/* Nordic identity numbers: Norwegian fødselsnummer (incl. D-, H- and
 * synthetic test numbers), Danish CPR, Finnish HETU.
 * Facts: shared/reference/domain-facts.md §2.5. */
#include "ident/internal.h"

#include <string.h>

/* DDMMYY, an optional separator from seps, then tail_len characters.
 * Copies date and tail into buf (6 + tail_len) and returns the separator
 * character (0 for none); -1 when the shape does not fit. */
static int
read_ddmmyy(const char *p, size_t len, const char *seps, size_t tail_len, char *buf)
{
	int sep = 0;

	if (len == 6 + tail_len + 1 && p[6] && strchr(seps, p[6]))
		sep = (unsigned char)p[6];
	else if (len != 6 + tail_len)
		return -1;
	if (bs_ident__num(p, 6) < 0)
		return -1;
	memcpy(buf, p, 6);
	memcpy(buf + 6, p + 6 + (sep ? 1 : 0), tail_len);
	return sep;
}

static bs_status
fill_date(bs_ident *out, bs_kind kind, int y, int m, int d, const bs_ident_ctx *ctx)
{
	bs_ymd b = {y, m, d};

	if (!bs_ident__date_valid(y, m, d))
		return bs_ident__fail(out, kind, "date");
	if (bs_ident__ymd_cmp(&b, &ctx->ref) > 0)
		return bs_ident__fail(out, kind, "future date");
	out->birth_year = y;
	out->birth_month = m;
	out->birth_day = d;
	return BS_OK;
}

/* ---- Norway ---------------------------------------------------------- */

static int
weighted_mod11(const char *d, const int *w, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += w[i] * (d[i] - '0');
	return sum % 11;
}

/* Both control digits. From 2032 the first may leave a remainder of 0-3
 * (Skatteetaten, "Nytt fødselsnummer fra 2032"); *out_new says it did not
 * pass the old rule, so the number is gender-neutral. */
static bool
no_checks_ok(const char *d, bool *out_new)
{
	static const int w1[10] = {3, 7, 6, 1, 8, 9, 4, 5, 2, 1};
	static const int w2[11] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1};
	int r1 = weighted_mod11(d, w1, 10);

	*out_new = r1 != 0;
	return r1 <= 3 && weighted_mod11(d, w2, 11) == 0;
}

/* Century from the individual number (valid for numbers issued before 2032). */
static int
no_year(int yy, int ind)
{
	if (ind < 500)
		return 1900 + yy;
	if (ind >= 900 && yy >= 40)
		return 1900 + yy;
	if (yy < 40)
		return 2000 + yy;
	if (ind < 750 && yy >= 54)
		return 1800 + yy;
	return -1;
}

bs_status
bs_ident__no_fnr(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	char d[11];
	int dd, mm, year;
	bool new_rule;

	bs_ident__reset(out);
	if (read_ddmmyy(p, len, " ", 5, d) < 0 || bs_ident__num(d + 6, 5) < 0)
		return BS_NOMATCH;
	if (!no_checks_ok(d, &new_rule))
		return bs_ident__fail(out, BS_KIND_NO_FNR, "check digit");
	dd = bs_ident__num(d, 2);
	mm = bs_ident__num(d + 2, 2);
	year = no_year(bs_ident__num(d + 4, 2), bs_ident__num(d + 6, 3));
	if (d[0] < '8') {
		dd -= dd > 40 ? 40 : 0;                /* D-number */
		mm -= mm > 80 ? 80 : mm > 40 ? 40 : 0; /* synthetic test, H-number */
		if (year < 0)
			return bs_ident__fail(out, BS_KIND_NO_FNR, "individual number");
		if (fill_date(out, BS_KIND_NO_FNR, year, mm, dd, ctx) != BS_OK)
			return BS_INVALID;
		/* Skatteetaten's synthetic test persons (Tenor) have month + 80 */
		out->test_number = bs_ident__num(d + 2, 2) > 80;
	} /* FH-numbers (first digit 8 or 9) carry no date */
	if (!new_rule)
		out->sex = (d[8] - '0') % 2 ? BS_SEX_MALE : BS_SEX_FEMALE;
	memcpy(out->canonical, d, 11);
	out->canonical[11] = '\0';
	return bs_ident__ok(out, BS_KIND_NO_FNR);
}

/* ---- Denmark --------------------------------------------------------- */

/* Century from the seventh digit and the year (CPR-kontoret's table). */
static int
dk_year(int yy, int d7)
{
	if (d7 <= 3)
		return 1900 + yy;
	if (d7 == 4 || d7 == 9)
		return yy <= 36 ? 2000 + yy : 1900 + yy;
	return yy <= 57 ? 2000 + yy : 1800 + yy;
}

/* The modulus-11 check is deliberately not required: CPR has issued
 * numbers without it since 2007 and requires systems to accept them. */
bs_status
bs_ident__dk_cpr(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	char d[10];
	int year;

	bs_ident__reset(out);
	if (read_ddmmyy(p, len, "- ", 4, d) < 0 || bs_ident__num(d + 6, 4) < 0)
		return BS_NOMATCH;
	if (memcmp(d + 6, "0000", 4) == 0)
		return bs_ident__fail(out, BS_KIND_DK_CPR, "serial 0000");
	year = dk_year(bs_ident__num(d + 4, 2), d[6] - '0');
	if (fill_date(out, BS_KIND_DK_CPR, year, bs_ident__num(d + 2, 2), bs_ident__num(d, 2),
	              ctx) != BS_OK)
		return BS_INVALID;
	out->sex = (d[9] - '0') % 2 ? BS_SEX_MALE : BS_SEX_FEMALE;
	memcpy(out->canonical, d, 10);
	out->canonical[10] = '\0';
	return bs_ident__ok(out, BS_KIND_DK_CPR);
}

/* ---- Finland --------------------------------------------------------- */

/* Century signs: '+' 1800s; '-' and, from 2023, Y X W V U 1900s; 'A' and
 * B C D E F 2000s. */
static int
fi_century(char c)
{
	if (c == '+')
		return 1800;
	if (c && strchr("-YXWVU", c))
		return 1900;
	if (c && strchr("ABCDEF", c))
		return 2000;
	return -1;
}

/* Temporary individual numbers 900-999 are accepted: they still identify
 * a person in the mail we scan. 000 and 001 are not issued. */
bs_status
bs_ident__fi_hetu(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	static const char check_chars[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
	int century, ind, value;

	bs_ident__reset(out);
	if (len != 11 || bs_ident__num(p, 6) < 0 || (century = fi_century(p[6])) < 0 ||
	    (ind = bs_ident__num(p + 7, 3)) < 0 || !g_ascii_isalnum(p[10]))
		return BS_NOMATCH;
	if (ind < 2)
		return bs_ident__fail(out, BS_KIND_FI_HETU, "individual number");
	value = bs_ident__num(p, 6) % 31 * 1000 + ind;
	if (check_chars[value % 31] != p[10])
		return bs_ident__fail(out, BS_KIND_FI_HETU, "check digit");
	if (fill_date(out, BS_KIND_FI_HETU, century + bs_ident__num(p + 4, 2),
	              bs_ident__num(p + 2, 2), bs_ident__num(p, 2), ctx) != BS_OK)
		return BS_INVALID;
	out->sex = ind % 2 ? BS_SEX_MALE : BS_SEX_FEMALE;
	memcpy(out->canonical, p, 11);
	out->canonical[11] = '\0';
	return bs_ident__ok(out, BS_KIND_FI_HETU);
}
