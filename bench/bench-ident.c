/* bench-ident: the cost of confirming one candidate, as detect does for
 * every match. A pool of synthetic candidates (personnummer and
 * samordningsnummer in every written form, half with a wrong check digit,
 * phone numbers, organisation numbers) goes through bs_ident_parse() and
 * bs_ident_parse_as(BS_KIND_PNR) with a reference date, against a named
 * peer in the same run: bs_luhn_valid() over the same candidates' digits
 * (the cheapest possible check, a floor rather than a competitor).
 * Prints calls/s medians of 5 runs each and the ratios.
 * Usage: bench-ident [CALLS_PER_RUN] (default 2000000). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ident/ident.h"

enum { RUNS = 5, POOL = 4096 };

typedef struct {
	char text[24];
	size_t len;
	char digits[16]; /* separators removed, last ten digits for the peer */
} candidate;

static int
luhn_digit(const char *s, size_t len)
{
	int sum = 0;

	for (size_t i = 0; i < len; i++) {
		int d = (s[i] - '0') * ((i % 2 == 0) ? 2 : 1);

		sum += d > 9 ? d - 9 : d;
	}
	return (10 - sum % 10) % 10;
}

/* One synthetic candidate; kind i % 8 picks the form. */
static void
make_candidate(GRand *r, size_t i, candidate *c)
{
	char ten[11];
	int y = g_rand_int_range(r, 30, 100), m = g_rand_int_range(r, 1, 13);
	int d = g_rand_int_range(r, 1, 29) + (i % 5 == 0 ? 60 : 0);

	g_snprintf(ten, sizeof ten, "%02d%02d%02d%03d", y, m, d, g_rand_int_range(r, 1, 1000));
	ten[9] = (char)('0' + (luhn_digit(ten, 9) + (i % 2)) % 10);
	ten[10] = '\0';
	switch (i % 8) {
	case 0:
		g_snprintf(c->text, sizeof c->text, "%.6s-%s", ten, ten + 6);
		break;
	case 1:
		g_snprintf(c->text, sizeof c->text, "19%s", ten);
		break;
	case 2:
		g_snprintf(c->text, sizeof c->text, "19%.6s-%s", ten, ten + 6);
		break;
	case 3:
		g_snprintf(c->text, sizeof c->text, "%s", ten);
		break;
	case 4:
		g_snprintf(c->text, sizeof c->text, "070-%.3s %.2s %.2s", ten, ten + 3, ten + 5);
		break;
	case 5:
		g_snprintf(c->text, sizeof c->text, "55%.4s-%s", ten + 2, ten + 6);
		break;
	case 6:
		g_snprintf(c->text, sizeof c->text, "%.6s %s", ten, ten + 6);
		break;
	default:
		g_snprintf(c->text, sizeof c->text, "%.6s+%s", ten, ten + 6);
		break;
	}
	c->len = strlen(c->text);
	memcpy(c->digits, ten, 11);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

typedef size_t run_fn(const candidate *pool, size_t calls, const GDate *ref);

static size_t
run_parse(const candidate *pool, size_t calls, const GDate *ref)
{
	size_t valid = 0;
	bs_ident id;

	for (size_t i = 0; i < calls; i++) {
		const candidate *c = &pool[i % POOL];

		valid += bs_ident_parse(c->text, c->len, ref, &id) == BS_OK;
	}
	return valid;
}

static size_t
run_parse_pnr(const candidate *pool, size_t calls, const GDate *ref)
{
	size_t valid = 0;
	bs_ident id;

	for (size_t i = 0; i < calls; i++) {
		const candidate *c = &pool[i % POOL];

		valid += bs_ident_parse_as(BS_KIND_PNR, c->text, c->len, ref, &id) == BS_OK;
	}
	return valid;
}

static size_t
run_luhn(const candidate *pool, size_t calls, const GDate *ref)
{
	size_t valid = 0;

	for (size_t i = 0; i < calls; i++)
		valid += bs_luhn_valid(pool[i % POOL].digits, 10);
	return valid;
}

/* Median calls/s over RUNS runs. */
static double
measure(run_fn *fn, const candidate *pool, size_t calls, const GDate *ref, size_t *out_valid)
{
	double rate[RUNS];

	for (int k = 0; k < RUNS; k++) {
		gint64 t0 = g_get_monotonic_time();

		*out_valid = fn(pool, calls, ref);
		rate[k] = (double)calls / ((double)(g_get_monotonic_time() - t0) / 1e6);
	}
	qsort(rate, RUNS, sizeof rate[0], cmp_double);
	return rate[RUNS / 2];
}

int
main(int argc, char **argv)
{
	size_t calls = argc > 1 ? (size_t)g_ascii_strtoull(argv[1], NULL, 10) : 2000000;
	g_autoptr(GRand) r = g_rand_new_with_seed(1967);
	g_autofree candidate *pool = g_new0(candidate, POOL);
	size_t v_parse, v_pnr, v_luhn;
	double parse, pnr, luhn;
	GDate ref;

	if (calls == 0)
		calls = 2000000;
	for (size_t i = 0; i < POOL; i++)
		make_candidate(r, i, &pool[i]);
	g_date_clear(&ref, 1);
	g_date_set_dmy(&ref, 1, G_DATE_JUNE, 2024);
	parse = measure(run_parse, pool, calls, &ref, &v_parse);
	pnr = measure(run_parse_pnr, pool, calls, &ref, &v_pnr);
	luhn = measure(run_luhn, pool, calls, &ref, &v_luhn);
	printf("bench-ident: %zu calls per run, %d runs, medians\n", calls, RUNS);
	printf("bs_ident_parse (auto)        %12.0f calls/s  %6.1f ns/call  (%zu valid)\n", parse,
	       1e9 / parse, v_parse);
	printf("bs_ident_parse_as(PNR)       %12.0f calls/s  %6.1f ns/call  (%zu valid)\n", pnr,
	       1e9 / pnr, v_pnr);
	printf("peer: bs_luhn_valid (10 dig) %12.0f calls/s  %6.1f ns/call  (%zu valid)\n", luhn,
	       1e9 / luhn, v_luhn);
	printf("ratio parse / luhn %.2f, parse_as(PNR) / luhn %.2f\n", parse / luhn, pnr / luhn);
	return 0;
}
