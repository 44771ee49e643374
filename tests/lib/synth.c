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
