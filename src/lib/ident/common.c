/* Helpers shared by the ident parsers: results, calendar, digits, Luhn. */
#include "ident/internal.h"

#include <string.h>

/* Field by field rather than memset: detect calls this for every candidate
 * and the canonical buffer is most of the struct (only its NUL matters). */
void
bs_ident__reset(bs_ident *out)
{
	out->kind = BS_KIND_NONE;
	out->valid = false;
	out->canonical[0] = '\0';
	out->birth_year = out->birth_month = out->birth_day = 0;
	out->sex = BS_SEX_UNKNOWN;
	out->sep = BS_SEP_NONE;
	out->long_form = false;
	out->test_number = false;
	out->reason = "not recognised";
}

bs_status
bs_ident__fail(bs_ident *out, bs_kind kind, const char *reason)
{
	out->kind = kind;
	out->valid = false;
	out->canonical[0] = '\0';
	out->birth_year = out->birth_month = out->birth_day = 0;
	out->sex = BS_SEX_UNKNOWN;
	out->test_number = false;
	out->reason = reason;
	return BS_INVALID;
}

bs_status
bs_ident__ok(bs_ident *out, bs_kind kind)
{
	out->kind = kind;
	out->valid = true;
	out->reason = "ok";
	return BS_OK;
}

bool
bs_ident__leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
bs_ident__days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && bs_ident__leap(year))
		return 29;
	return days[month - 1];
}

bool
bs_ident__date_valid(int year, int month, int day)
{
	return year > 0 && day >= 1 && day <= bs_ident__days_in_month(year, month);
}

int
bs_ident__ymd_cmp(const bs_ymd *a, const bs_ymd *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

int
bs_ident__num(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d =
		    (unsigned char)p[i] - (unsigned)'0'; /* g_ascii_isdigit reads a table */

		if (d > 9)
			return -1;
		v = v * 10 + (int)d;
	}
	return v;
}

/* Luhn's doubled digit: 2d with 9 taken off above 9. */
const uint8_t bs_ident__luhn_doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};

/* Luhn from the right: every second digit doubled, its digits summed. */
bool
bs_luhn_valid(const char *digits, size_t len)
{
	unsigned sum = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)digits[len - 1 - i] - (unsigned)'0';

		if (d > 9)
			return false;
		sum += i & 1 ? bs_ident__luhn_doubled[d] : d;
	}
	return sum % 10 == 0;
}

/* Separators people write between date and serial. Word processors turn
 * '-' into an en dash and spaces into no-break spaces, so those count too. */
static const struct {
	const char *text;
	size_t len;
	bs_sep sep;
} separators[] = {
    {"-", 1, BS_SEP_DASH},
    {"+", 1, BS_SEP_PLUS},
    {" ", 1, BS_SEP_SPACE},
    {"\xe2\x80\x93", 3, BS_SEP_DASH}, /* U+2013 en dash */
    {"\xe2\x80\x90", 3, BS_SEP_DASH}, /* U+2010 hyphen */
    {"\xe2\x80\x91", 3, BS_SEP_DASH}, /* U+2011 non-breaking hyphen */
    {"\xe2\x88\x92", 3, BS_SEP_DASH}, /* U+2212 minus sign */
    {"\xc2\xa0", 2, BS_SEP_SPACE},    /* U+00A0 no-break space */
};

size_t
bs_ident__sep_len(const char *p, size_t len, bs_sep *out_sep)
{
	for (size_t i = 0; i < G_N_ELEMENTS(separators); i++) {
		if (len >= separators[i].len &&
		    memcmp(p, separators[i].text, separators[i].len) == 0) {
			*out_sep = separators[i].sep;
			return separators[i].len;
		}
	}
	*out_sep = BS_SEP_NONE;
	return 0;
}
