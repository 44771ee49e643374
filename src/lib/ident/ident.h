/* ident: parse, validate and normalise identifiers found in mail.
 * Swedish personnummer, samordningsnummer, interim (T-) numbers,
 * organisation numbers, Swedish phone numbers, e-mail addresses, IBAN,
 * payment cards, Norwegian fødselsnummer, Danish CPR, Finnish HETU.
 *
 * Hot path: every function here is pure, thread-safe and allocates nothing.
 * Input is a byte slice (not NUL-terminated, not necessarily UTF-8). */
#ifndef BS_IDENT_H
#define BS_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "base/base.h"

G_BEGIN_DECLS

typedef enum {
	BS_KIND_NONE = 0,
	BS_KIND_PNR,        /* "pnr" */
	BS_KIND_SAMORDNING, /* "samordningsnummer" */
	BS_KIND_INTERIM,    /* "interim" */
	BS_KIND_ORGNR,      /* "orgnr": not personal data */
	BS_KIND_PHONE,      /* "phone": Swedish, canonical E.164 */
	BS_KIND_EMAIL,      /* "email": lower-cased, local part too */
	BS_KIND_IBAN,       /* "iban" */
	BS_KIND_CARD,       /* "card" */
	BS_KIND_NO_FNR,     /* "no_fnr" */
	BS_KIND_DK_CPR,     /* "dk_cpr" */
	BS_KIND_FI_HETU,    /* "fi_hetu" */
	BS_KIND_COUNT
} bs_kind;

/* Contract names ("pnr", "samordningsnummer", ...); NULL for BS_KIND_NONE. */
const char *bs_kind_name(bs_kind kind);
bool bs_kind_from_name(const char *name, bs_kind *out_kind);

typedef enum { BS_SEX_UNKNOWN = 0, BS_SEX_MALE, BS_SEX_FEMALE } bs_sex;
const char *bs_sex_name(bs_sex sex); /* "male", "female", NULL */

/* How a personnummer-shaped number was written: feeds detect's confidence. */
typedef enum {
	BS_SEP_NONE = 0, /* 6408233234, 196408233234 */
	BS_SEP_DASH,     /* 640823-3234 */
	BS_SEP_PLUS,     /* 121212+1212 */
	BS_SEP_SPACE,    /* 640823 3234: accepted, scored lower */
} bs_sep;

#define BS_IDENT_CANON_MAX 320 /* e-mail is the longest (RFC 5321: 254) */

typedef struct {
	bs_kind kind;                           /* best reading; BS_KIND_NONE if nothing fits */
	bool valid;                             /* passes every check of that kind */
	char canonical[BS_IDENT_CANON_MAX + 1]; /* "" when invalid; pnr: 12 digits */
	int birth_year;                         /* 0 when unknown or not applicable */
	int birth_month;                        /* 1..12, 0 unknown (samordningsnummer month 00) */
	int birth_day;                          /* 1..31, 0 unknown */
	bs_sex sex;
	bs_sep sep;         /* personnummer family only */
	bool long_form;     /* written with the century (12 digits) */
	bool test_number;   /* a known fictitious test series (Skatteverket) */
	const char *reason; /* static text: "ok" or what failed first */
} bs_ident;

/* Recognises the kind of value and validates it. The century of a 10-digit
 * personnummer is inferred from ref_date (the message date; NULL = today).
 * Surrounding ASCII white space is ignored; more than BS_LIMIT_IDENT_LEN
 * bytes is BS_NOMATCH with reason "length".
 *
 * Order of recognition (the first reading that applies is reported, even
 * when invalid, unless a later one in brackets is valid):
 *   1. contains '@': email;
 *   2. personnummer shape (YYMMDD or YYYYMMDD, optional '-', '+' or space,
 *      four characters): a capital letter in the serial: interim; a third
 *      digit of 2 or more, or the 12-digit prefix 16: orgnr; otherwise pnr,
 *      or samordningsnummer when the day is 60 or more
 *      [then fi_hetu, phone: "0701234567" is a phone only if it is not a
 *      valid personnummer];
 *   3. otherwise fi_hetu, no_fnr (11 digits), iban, phone, card: the first
 *      valid reading, else the first that recognised the shape.
 * dk_cpr is never guessed: DDMMYY-SSSS has the personnummer shape and no
 * reliable check digit, so only bs_ident_parse_as(BS_KIND_DK_CPR) reads it.
 * Returns BS_OK when out->valid, BS_INVALID when the shape is recognised
 * but a check fails (out->kind set, out->reason says why), BS_NOMATCH when
 * nothing fits (out->kind == BS_KIND_NONE). out is always filled. */
bs_status bs_ident_parse(const char *p, size_t len, const GDate *ref_date, bs_ident *out);

/* Same, but only tries one kind. BS_KIND_PNR and BS_KIND_SAMORDNING both
 * try the personnummer family; the day (+60 or not) decides which kind is
 * reported. BS_KIND_NONE is the same as bs_ident_parse(). */
bs_status bs_ident_parse_as(bs_kind kind, const char *p, size_t len, const GDate *ref_date,
                            bs_ident *out);

/* Options for bs_ident_parse_full(). */
enum {
	/* A personnummer-family number written with a space separator is
	 * invalid (reason "space separator"), as in the personnummer spec's
	 * test data (meta#41). Without it, a space is accepted as BS_SEP_SPACE. */
	BS_IDENT_STRICT_SEP = 1u << 0,
};

/* bs_ident_parse_as() with option flags (BS_IDENT_*). */
bs_status bs_ident_parse_full(bs_kind kind, const char *p, size_t len, const GDate *ref_date,
                              unsigned flags, bs_ident *out);

/* A reference date read once, for callers that parse many values against
 * one date (detect's hot path): bs_ident_parse_ref() is bs_ident_parse_as()
 * without reading the GDate on every call. */
typedef struct {
	int year;
	int month;
	int day;
} bs_ident_ref;

/* date NULL or invalid: today. */
void bs_ident_ref_set(bs_ident_ref *ref, const GDate *date);
bs_status bs_ident_parse_ref(bs_kind kind, const char *p, size_t len, const bs_ident_ref *ref,
                             bs_ident *out);

/* The personnummer family (pnr, samordningsnummer, interim) in text whose
 * layout the caller already knows, as detect does from the shape it
 * matched: date_len ASCII digits (6: YYMMDD, 8: YYYYMMDD), an optional
 * separator (any bs_ident_parse() accepts: '-', '+', ' ', en dash...),
 * then the serial: four digits, or a capital letter and three digits
 * (interim). For such text, the same answer as bs_ident_parse_ref() with
 * BS_KIND_INTERIM when the serial starts with a letter, else BS_KIND_PNR,
 * without trimming, kind dispatch or searching for the date part. Any
 * other text (surrounding white space too) is BS_NOMATCH, out reset. */
bs_status bs_ident_parse_personal(const char *p, size_t len, size_t date_len,
                                  const bs_ident_ref *ref, bs_ident *out);

/* Birth date as "YYYY-MM-DD" into buf (>= 11 bytes); false when unknown. */
bool bs_ident_birth_date(const bs_ident *id, char *buf, size_t buf_len);

/* Completed years at date at; -1 when the birth date is unknown. */
int bs_ident_age_at(const bs_ident *id, const GDate *at);

/* Luhn over ASCII digits (non-digits are an error: returns false). */
bool bs_luhn_valid(const char *digits, size_t len);

G_END_DECLS
#endif
