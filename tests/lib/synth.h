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

#endif
