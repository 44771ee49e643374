/* The entry points: kind dispatch, auto-detection, birth date and age. */
#include "ident/ident.h"

#include <string.h>
#include <time.h>

#include "ident/internal.h"

/* One parser per kind; the personnummer family shares one. */
static bs_ident__parse_fn *const parsers[BS_KIND_COUNT] = {
    [BS_KIND_PNR] = bs_ident__pnr,         [BS_KIND_SAMORDNING] = bs_ident__pnr,
    [BS_KIND_INTERIM] = bs_ident__interim, [BS_KIND_ORGNR] = bs_ident__orgnr,
    [BS_KIND_PHONE] = bs_ident__phone,     [BS_KIND_EMAIL] = bs_ident__email,
    [BS_KIND_IBAN] = bs_ident__iban,       [BS_KIND_CARD] = bs_ident__card,
    [BS_KIND_NO_FNR] = bs_ident__no_fnr,   [BS_KIND_DK_CPR] = bs_ident__dk_cpr,
    [BS_KIND_FI_HETU] = bs_ident__fi_hetu,
};

void
bs_ident_ref_set(bs_ident_ref *ref, const GDate *date)
{
	GDate today;

	if (!date || !g_date_valid(date)) {
		g_date_clear(&today, 1);
		g_date_set_time_t(&today, time(NULL));
		date = &today;
	}
	ref->year = g_date_get_year(date);
	ref->month = g_date_get_month(date);
	ref->day = g_date_get_day(date);
}

static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && bs_ascii_space(**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && bs_ascii_space((*p)[*len - 1]))
		(*len)--;
}

static bs_status
run(bs_kind kind, const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	if (!parsers[kind]) {
		bs_ident__reset(out);
		return BS_NOMATCH;
	}
	return parsers[kind](p, len, ctx, out);
}

/* Tries the other readings of a Swedish-shaped value whose first reading
 * failed; keeps the first reading unless one of them is valid. */
static bs_status
swedish_fallback(bs_status first, const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	static const bs_kind others[] = {BS_KIND_FI_HETU, BS_KIND_PHONE};
	bs_ident alt;

	/* refused only for how it was written: still that personal number */
	if (out->sep == BS_SEP_SPACE && (ctx->flags & BS_IDENT_STRICT_SEP))
		return first;

	for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
		if (run(others[i], p, len, ctx, &alt) == BS_OK) {
			*out = alt;
			return BS_OK;
		}
	}
	return first;
}

/* The kinds tried in order when the value has no personnummer shape: the
 * first valid reading wins, else the first invalid one is reported. */
static bs_status
parse_rest(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	static const bs_kind rest[] = {BS_KIND_FI_HETU, BS_KIND_NO_FNR, BS_KIND_IBAN, BS_KIND_PHONE,
	                               BS_KIND_CARD};
	bs_status best = BS_NOMATCH;
	bs_ident alt;

	bs_ident__reset(out);
	for (size_t i = 0; i < G_N_ELEMENTS(rest); i++) {
		bs_status st = run(rest[i], p, len, ctx, &alt);

		if (st == BS_OK) {
			*out = alt;
			return BS_OK;
		}
		if (st == BS_INVALID && best == BS_NOMATCH) {
			*out = alt;
			best = st;
		}
	}
	return best;
}

/* Auto-detection; the order is documented at bs_ident_parse() in ident.h. */
static bs_status
parse_any(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	bs_kind sw;
	bs_status st;

	if (memchr(p, '@', len))
		return run(BS_KIND_EMAIL, p, len, ctx, out);
	sw = bs_ident__swedish_kind(p, len);
	if (sw == BS_KIND_NONE)
		return parse_rest(p, len, ctx, out);
	st = run(sw, p, len, ctx, out);
	if (st == BS_OK || sw == BS_KIND_INTERIM)
		return st;
	return swedish_fallback(st, p, len, ctx, out);
}

/* out is reset here only when no parser runs: each parser resets it. */
static bs_status
parse_ctx(bs_kind kind, const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	if (!p || (unsigned)kind >= BS_KIND_COUNT) {
		bs_ident__reset(out);
		return BS_NOMATCH;
	}
	trim(&p, &len);
	if (len == 0 || len > BS_LIMIT_IDENT_LEN) {
		bs_ident__reset(out);
		if (len > 0)
			out->reason = "length";
		return BS_NOMATCH;
	}
	if (kind == BS_KIND_NONE)
		return parse_any(p, len, ctx, out);
	return run(kind, p, len, ctx, out);
}

bs_status
bs_ident_parse_full(bs_kind kind, const char *p, size_t len, const GDate *ref_date, unsigned flags,
                    bs_ident *out)
{
	bs_ident_ref ref;
	bs_ident_ctx ctx;

	bs_ident_ref_set(&ref, ref_date);
	ctx.ref = (bs_ymd){ref.year, ref.month, ref.day};
	ctx.flags = flags;
	return parse_ctx(kind, p, len, &ctx, out);
}

bs_status
bs_ident_parse_ref(bs_kind kind, const char *p, size_t len, const bs_ident_ref *ref, bs_ident *out)
{
	bs_ident_ctx ctx = bs_ident__ctx_of(ref);

	return parse_ctx(kind, p, len, &ctx, out);
}

bs_status
bs_ident_parse_as(bs_kind kind, const char *p, size_t len, const GDate *ref_date, bs_ident *out)
{
	return bs_ident_parse_full(kind, p, len, ref_date, 0, out);
}

bs_status
bs_ident_parse(const char *p, size_t len, const GDate *ref_date, bs_ident *out)
{
	return bs_ident_parse_full(BS_KIND_NONE, p, len, ref_date, 0, out);
}

bool
bs_ident_birth_date(const bs_ident *id, char *buf, size_t buf_len)
{
	if (!id->valid || !bs_ident__date_valid(id->birth_year, id->birth_month, id->birth_day) ||
	    id->birth_year > 9999 || buf_len < 11)
		return false;
	g_snprintf(buf, buf_len, "%04d-%02d-%02d", id->birth_year, id->birth_month, id->birth_day);
	return true;
}

/* Completed years. Someone born on 29 February has their birthday on
 * 28 February in common years: a period counted in years ends on the day
 * of the same number, or on the month's last day when there is none
 * (lag (1930:173) om beräkning av lagstadgad tid, 2 §). */
int
bs_ident_age_at(const bs_ident *id, const GDate *at)
{
	int y, m, d, bday, age;

	if (!id->valid || !at || !g_date_valid(at) ||
	    !bs_ident__date_valid(id->birth_year, id->birth_month, id->birth_day))
		return -1;
	y = g_date_get_year(at);
	m = g_date_get_month(at);
	d = g_date_get_day(at);
	bday = MIN(id->birth_day, bs_ident__days_in_month(y, id->birth_month));
	age = y - id->birth_year;
	if (m < id->birth_month || (m == id->birth_month && d < bday))
		age--;
	return age < 0 ? -1 : age;
}
