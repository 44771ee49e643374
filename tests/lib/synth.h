/* synth: synthetic identifiers for tests and generators. Every number is
 * computed (valid check digit unless asked otherwise); none is copied. */
#ifndef BS_TEST_SYNTH_H
#define BS_TEST_SYNTH_H

#include <stdbool.h>

#include <glib.h>

/* Luhn check digit for the first len digits of s. */
int synth_luhn_digit(const char *s, size_t len);

/* 12-digit canonical personnummer (samordning: day + 60) with a valid check
 * digit, serial 001..999 chosen by r, odd for male. Caller g_free()s. */
char *synth_pnr(GRand *r, int year, int month, int day, bool samordning, bool male);

/* The same number in a written form: "long", "long-dash", "short",
 * "short-dash", "short-plus". Caller g_free()s. */
char *synth_pnr_form(const char *canon12, const char *form);

/* Replaces the check digit with a wrong one. Caller g_free()s. */
char *synth_pnr_bad_check(const char *canon12);

/* 12-digit personnummer with the given serial (1..999, or 0 to get the
 * invalid serial 000) and written day (add 60 for samordningsnummer; month
 * and day are not checked, so impossible dates can be made). Caller g_free()s. */
char *synth_pnr_serial(int year, int month, int day_written, int serial);

/* 12-character interim number YYYYMMDD + letter + two digits + check
 * digit (the letter counts 1 in Luhn). Caller g_free()s. */
char *synth_interim(int year, int month, int day, char letter, int serial2);

/* 10-digit organisation number: group digit, five digits, third digit
 * forced to >= 2, Luhn check digit. body is 9 digits. Caller g_free()s. */
char *synth_orgnr(const char *body9);

/* digits followed by their Luhn check digit (cards). Caller g_free()s. */
char *synth_luhn_complete(const char *digits);

/* IBAN for country cc and BBAN (upper case), with computed check digits,
 * written without spaces. Caller g_free()s. */
char *synth_iban(const char *cc, const char *bban);

/* Norwegian fødselsnummer DDMMYY + individual number + both control digits
 * (old rule), day/month written as given (D-number: day + 40). NULL when a
 * control digit would be 10 (no such number). Caller g_free()s. */
char *synth_no_fnr(int day_written, int month_written, int yy, int individual);

/* Finnish HETU with the given century sign and individual number.
 * Caller g_free()s. */
char *synth_fi_hetu(int day, int month, int yy, char sign, int individual);

#endif
