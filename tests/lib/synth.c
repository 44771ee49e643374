#include "synth.h"

#include <string.h>

int
synth_luhn_digit(const char *s, size_t len)
{
	int sum = 0;

	for (size_t i = 0; i < len; i++) {
		int d = (s[i] - '0') * ((i % 2 == 0) ? 2 : 1);

		sum += d > 9 ? d - 9 : d;
	}
	return (10 - sum % 10) % 10;
}

char *
synth_pnr(GRand *r, int year, int month, int day, bool samordning, bool male)
{
	int serial = g_rand_int_range(r, 1, 500) * 2 - (male ? 1 : 0);
	char buf[16];

	if (serial < 1)
		serial = 2;
	g_snprintf(buf, sizeof buf, "%04d%02d%02d%03d", year, month, day + (samordning ? 60 : 0),
	           serial);
	buf[11] = (char)('0' + synth_luhn_digit(buf + 2, 9));
	buf[12] = '\0';
	return g_strdup(buf);
}

char *
synth_pnr_form(const char *c, const char *form)
{
	if (strcmp(form, "long") == 0)
		return g_strdup(c);
	if (strcmp(form, "long-dash") == 0)
		return g_strdup_printf("%.8s-%.4s", c, c + 8);
	if (strcmp(form, "short") == 0)
		return g_strdup(c + 2);
	if (strcmp(form, "short-dash") == 0)
		return g_strdup_printf("%.6s-%.4s", c + 2, c + 8);
	if (strcmp(form, "short-plus") == 0)
		return g_strdup_printf("%.6s+%.4s", c + 2, c + 8);
	g_assert_not_reached();
}

char *
synth_pnr_bad_check(const char *c)
{
	char *s = g_strdup(c);

	s[11] = (char)('0' + (s[11] - '0' + 1) % 10);
	return s;
}

char *
synth_pnr_serial(int year, int month, int day_written, int serial)
{
	char buf[16];

	g_snprintf(buf, sizeof buf, "%04d%02d%02d%03d", year, month, day_written, serial);
	buf[11] = (char)('0' + synth_luhn_digit(buf + 2, 9));
	buf[12] = '\0';
	return g_strdup(buf);
}

char *
synth_interim(int year, int month, int day, char letter, int serial2)
{
	char buf[16];
	char luhn[9];

	g_snprintf(buf, sizeof buf, "%04d%02d%02d%c%02d", year, month, day, letter, serial2);
	memcpy(luhn, buf + 2, 9);
	luhn[6] = '1';
	buf[11] = (char)('0' + synth_luhn_digit(luhn, 9));
	buf[12] = '\0';
	return g_strdup(buf);
}

char *
synth_orgnr(const char *body9)
{
	char buf[11];

	memcpy(buf, body9, 9);
	if (buf[2] < '2')
		buf[2] = '2';
	buf[9] = (char)('0' + synth_luhn_digit(buf, 9));
	buf[10] = '\0';
	return g_strdup(buf);
}

char *
synth_luhn_complete(const char *digits)
{
	size_t n = strlen(digits);
	int sum = 0;

	/* Luhn from the right: the digit next to the check digit is doubled. */
	for (size_t i = 0; i < n; i++) {
		int d = (digits[n - 1 - i] - '0') * (i % 2 == 0 ? 2 : 1);

		sum += d > 9 ? d - 9 : d;
	}
	return g_strdup_printf("%s%d", digits, (10 - sum % 10) % 10);
}

char *
synth_iban(const char *cc, const char *bban)
{
	g_autofree char *moved = g_strdup_printf("%s%s00", bban, cc);
	unsigned r = 0;

	for (const char *c = moved; *c; c++) {
		if (g_ascii_isdigit(*c))
			r = (r * 10 + (unsigned)(*c - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(*c - 'A' + 10)) % 97;
	}
	return g_strdup_printf("%s%02u%s", cc, 98 - r, bban);
}

static int
synth_mod11(const char *d, const int *w, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += w[i] * (d[i] - '0');
	return (11 - sum % 11) % 11;
}

char *
synth_no_fnr(int day_written, int month_written, int yy, int individual)
{
	static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
	static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	char buf[16];
	int k;

	g_snprintf(buf, sizeof buf, "%02d%02d%02d%03d", day_written, month_written, yy, individual);
	if ((k = synth_mod11(buf, w1, 9)) == 10)
		return NULL;
	buf[9] = (char)('0' + k);
	if ((k = synth_mod11(buf, w2, 10)) == 10)
		return NULL;
	buf[10] = (char)('0' + k);
	buf[11] = '\0';
	return g_strdup(buf);
}

char *
synth_fi_hetu(int day, int month, int yy, char sign, int individual)
{
	static const char chars[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
	long v = ((long)day * 10000 + month * 100 + yy) * 1000 + individual;

	return g_strdup_printf("%02d%02d%02d%c%03d%c", day, month, yy, sign, individual,
	                       chars[v % 31]);
}
