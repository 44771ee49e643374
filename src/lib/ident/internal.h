/* ident internals: the per-kind parsers and the helpers they share.
 * Every parser has the bs_ident__parse_fn shape, fills out completely and
 * allocates nothing. */
#ifndef BS_IDENT_INTERNAL_H
#define BS_IDENT_INTERNAL_H

#include "ident/ident.h"

/* A calendar date as plain numbers; 0 in a field means unknown. */
typedef struct {
	int year;
	int month;
	int day;
} bs_ymd;

/* Parse context handed to every parser. */
typedef struct {
	bs_ymd ref;     /* reference date (message date, else today) */
	unsigned flags; /* BS_IDENT_* */
} bs_ident_ctx;

/* The context of a reference read once (bs_ident_ref), no flags: what
 * bs_ident_parse_ref() and bs_ident_parse_personal() parse with. */
static inline bs_ident_ctx
bs_ident__ctx_of(const bs_ident_ref *ref)
{
	return (bs_ident_ctx){.ref = {ref->year, ref->month, ref->day}, .flags = 0};
}

typedef bs_status bs_ident__parse_fn(const char *p, size_t len, const bs_ident_ctx *ctx,
                                     bs_ident *out);

bs_ident__parse_fn bs_ident__pnr, bs_ident__interim, bs_ident__orgnr, bs_ident__phone,
    bs_ident__email, bs_ident__iban, bs_ident__card, bs_ident__no_fnr, bs_ident__dk_cpr,
    bs_ident__fi_hetu;

/* The Swedish kind a personnummer-shaped text is read as first
 * (interim, orgnr, pnr or samordningsnummer); BS_KIND_NONE if not that shape. */
bs_kind bs_ident__swedish_kind(const char *p, size_t len);

/* Resets out to "nothing recognised" (kind NONE, reason "not recognised"). */
void bs_ident__reset(bs_ident *out);

/* Marks out as an invalid reading of kind: clears canonical, birth date
 * and sex (only kind, sep, long_form and reason stay meaningful).
 * reason must be static. Returns BS_INVALID. */
bs_status bs_ident__fail(bs_ident *out, bs_kind kind, const char *reason);

/* Marks out as valid (reason "ok"). Returns BS_OK. */
bs_status bs_ident__ok(bs_ident *out, bs_kind kind);

/* Calendar helpers (proleptic Gregorian). */
bool bs_ident__leap(int year);
int bs_ident__days_in_month(int year, int month); /* 0 for a bad month */
bool bs_ident__date_valid(int year, int month, int day);
int bs_ident__ymd_cmp(const bs_ymd *a, const bs_ymd *b);

/* Parses n ASCII digits at p; -1 if any is not a digit. */
int bs_ident__num(const char *p, size_t n);

/* Luhn's doubled digit, by digit (bs_luhn_valid() in ident.h sums them;
 * pnr.c eight at a time, an interim letter counting 1). */
extern const uint8_t bs_ident__luhn_doubled[10];

/* Length of a separator at p (ASCII '-', '+', ' ', or the UTF-8 en dash,
 * hyphens and no-break space that word processors put in), 0 if none. */
size_t bs_ident__sep_len(const char *p, size_t len, bs_sep *out_sep);

#endif
