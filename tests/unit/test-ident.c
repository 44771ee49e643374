/* Unit tests for ident: conformance with the personnummer org's shared test
 * data (read from $BS_SHARED/samples/personnummer-meta/), then table-driven
 * cases per kind with generated values. */
#include "ident/ident.h"

#include <jansson.h>

#include "synth.h"

/* Fixed reference date for the conformance files (all numbers before it). */
static GDate meta_ref;

static json_t *
load_meta(const char *name)
{
	const char *shared = g_getenv("BS_SHARED");
	g_autofree char *path = NULL;
	json_error_t err;
	json_t *root;

	g_assert_nonnull(shared);
	path = g_build_filename(shared, "samples", "personnummer-meta", name, NULL);
	root = json_load_file(path, 0, &err);
	if (!root)
		g_error("%s:%d: %s", path, err.line, err.text);
	return root;
}

static bs_kind
kind_of_meta_type(const char *type)
{
	if (g_str_equal(type, "ssn"))
		return BS_KIND_PNR;
	if (g_str_equal(type, "con"))
		return BS_KIND_SAMORDNING;
	if (g_str_equal(type, "interim"))
		return BS_KIND_INTERIM;
	if (g_str_equal(type, "org"))
		return BS_KIND_ORGNR;
	g_assert_not_reached();
}

/* Strict parse, as the spec's test data expect (space separator invalid). */
static bs_status
parse_strict(const char *s, bs_ident *id)
{
	return bs_ident_parse_full(BS_KIND_NONE, s, strlen(s), &meta_ref, BS_IDENT_STRICT_SEP, id);
}

/* One spelling of a list.json / interim.json record. */
static void
check_spelling(const char *s, bool valid, bs_kind kind, bool male)
{
	bs_ident id;

	g_test_message("spelling \"%s\"", s);
	parse_strict(s, &id);
	g_assert_cmpint(id.valid, ==, valid);
	g_assert_cmpstr(bs_kind_name(id.kind), ==, bs_kind_name(kind));
	if (valid)
		g_assert_cmpint(id.sex, ==, male ? BS_SEX_MALE : BS_SEX_FEMALE);
}

static void
check_meta_list(const char *file)
{
	static const char *const spellings[] = {"long_format", "short_format", "separated_format",
						"separated_long"};
	json_t *root = load_meta(file);
	size_t i;
	json_t *rec;

	g_assert_true(json_is_array(root));
	g_assert_cmpuint(json_array_size(root), >, 0);
	json_array_foreach (root, i, rec) {
		bool valid = json_is_true(json_object_get(rec, "valid"));
		bool male = json_is_true(json_object_get(rec, "isMale"));
		bs_kind kind = kind_of_meta_type(json_string_value(json_object_get(rec, "type")));
		json_int_t integer = json_integer_value(json_object_get(rec, "integer"));

		g_test_message("%s record %zu", file, i);
		for (size_t k = 0; k < G_N_ELEMENTS(spellings); k++)
			check_spelling(json_string_value(json_object_get(rec, spellings[k])), valid,
				       kind, male);
		if (integer != 0) {
			g_autofree char *s = g_strdup_printf("%" JSON_INTEGER_FORMAT, integer);

			check_spelling(s, valid, kind, male);
		}
	}
	json_decref(root);
}

static void
test_meta_list(void)
{
	check_meta_list("list.json");
}

static void
test_meta_interim(void)
{
	check_meta_list("interim.json");
}

/* structured.json: {type: {integer|string: {valid: [...], invalid: [...]}}}. */
static void
check_structured_group(const char *type, json_t *values, bool valid)
{
	size_t i;
	json_t *v;

	json_array_foreach (values, i, v) {
		g_autofree char *s = json_is_string(v) ? g_strdup(json_string_value(v))
						       : g_strdup_printf("%" JSON_INTEGER_FORMAT,
									 json_integer_value(v));
		bs_ident id;

		g_test_message("structured %s %s \"%s\"", type, valid ? "valid" : "invalid", s);
		parse_strict(s, &id);
		g_assert_cmpint(id.valid, ==, valid);
		if (!g_str_equal(s, "0"))
			g_assert_cmpint(id.kind, ==, kind_of_meta_type(type));
	}
}

static void
test_meta_structured(void)
{
	json_t *root = load_meta("structured.json");
	const char *type;
	json_t *by_form;

	g_assert_cmpuint(json_object_size(root), ==, 2);
	json_object_foreach (root, type, by_form) {
		const char *form;
		json_t *groups;

		json_object_foreach (by_form, form, groups) {
			check_structured_group(type, json_object_get(groups, "valid"), true);
			check_structured_group(type, json_object_get(groups, "invalid"), false);
		}
	}
	json_decref(root);
}

/* orgnumber.json: "valid organisationsnummer, invalid personnummer". */
static void
test_meta_orgnumber(void)
{
	static const char *const spellings[] = {"short_format", "separated_format"};
	json_t *root = load_meta("orgnumber.json");
	size_t i;
	json_t *rec;

	g_assert_cmpuint(json_array_size(root), >, 0);
	json_array_foreach (root, i, rec) {
		g_assert_false(json_is_true(json_object_get(rec, "valid")));
		for (size_t k = 0; k < G_N_ELEMENTS(spellings); k++) {
			const char *s = json_string_value(json_object_get(rec, spellings[k]));
			bs_ident id;

			g_test_message("orgnumber record %zu \"%s\"", i, s);
			g_assert_cmpint(parse_strict(s, &id), ==, BS_OK);
			g_assert_cmpint(id.kind, ==, BS_KIND_ORGNR);
			g_assert_cmpint(id.sex, ==, BS_SEX_UNKNOWN);
			bs_ident_parse_as(BS_KIND_PNR, s, strlen(s), &meta_ref, &id);
			g_assert_false(id.valid);
		}
	}
	json_decref(root);
}

/* allCoords.json: Skatteverket's test samordningsnummer, including month
 * 00, day 60 and impossible dates; all valid. */
static void
test_meta_all_coords(void)
{
	json_t *root = load_meta("allCoords.json");
	size_t i;
	json_t *v;

	g_assert_cmpuint(json_array_size(root), >, 2000);
	json_array_foreach (root, i, v) {
		const char *s = json_string_value(v);
		g_autofree char *dashed = g_strdup_printf("%.8s-%s", s, s + 8);
		bs_ident id;

		g_test_message("allCoords %zu \"%s\"", i, s);
		g_assert_cmpint(parse_strict(s, &id), ==, BS_OK);
		g_assert_cmpint(id.kind, ==, BS_KIND_SAMORDNING);
		g_assert_cmpstr(id.canonical, ==, s);
		g_assert_cmpint(parse_strict(dashed, &id), ==, BS_OK);
		g_assert_cmpstr(id.canonical, ==, s);
	}
	json_decref(root);
}

static GDate
date_of(const char *s)
{
	GDate d;

	g_assert_true(bs_date_parse(s, &d));
	return d;
}

/* Parses s loosely (as detect does) at reference date ref. */
static bs_status
parse_at(const char *s, const char *ref, bs_ident *id)
{
	GDate d = date_of(ref);

	return bs_ident_parse(s, strlen(s), &d, id);
}

static void
assert_birth(const bs_ident *id, const char *expect)
{
	char buf[16];

	if (!expect) {
		g_assert_false(bs_ident_birth_date(id, buf, sizeof buf));
		return;
	}
	g_assert_true(bs_ident_birth_date(id, buf, sizeof buf));
	g_assert_cmpstr(buf, ==, expect);
}

static const struct century_case {
	int y, m, d;
	const char *form; /* synth_pnr_form() name */
	const char *ref;
	const char *birth; /* expected birth date; NULL when invalid */
	const char *reason;
} century_cases[] = {
	{1990, 5, 17, "short-dash", "2024-01-01", "1990-05-17", "ok"},
	{2010, 3, 1, "short", "2024-01-01", "2010-03-01", "ok"},
	{2023, 12, 31, "short-dash", "2024-01-01", "2023-12-31", "ok"},
	{2024, 1, 1, "short-dash", "2024-01-01", "2024-01-01", "ok"},
	/* 240601 would be in the future in 2024: the century before */
	{1924, 6, 1, "short-dash", "2024-01-01", "1924-06-01", "ok"},
	/* '+' from the calendar year of the 100th birthday, even before the day */
	{1924, 6, 1, "short-plus", "2024-01-01", "1924-06-01", "ok"},
	{1909, 5, 27, "short-plus", "2024-01-01", "1909-05-27", "ok"},
	{1825, 1, 1, "short-plus", "2024-12-31", "1825-01-01", "ok"},
	/* old mail: the message date decides, not today */
	{1899, 12, 31, "short", "1999-12-30", "1899-12-31", "ok"},
	{1999, 12, 30, "short-dash", "1999-12-30", "1999-12-30", "ok"},
	{1964, 8, 23, "long-dash", "2024-01-01", "1964-08-23", "ok"},
	{1964, 8, 23, "long", "1960-01-01", NULL, "future date"},
	{2030, 1, 1, "long", "2024-01-01", NULL, "future date"},
	{1764, 8, 23, "long", "2024-01-01", NULL, "century"},
	{2164, 8, 23, "long", "2024-01-01", NULL, "century"},
};

static void
test_pnr_century_from_reference_date(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(century_cases); i++) {
		const struct century_case *c = &century_cases[i];
		g_autofree char *canon = synth_pnr_serial(c->y, c->m, c->d, 123);
		g_autofree char *written = synth_pnr_form(canon, c->form);
		bs_ident id;

		g_test_message("row %zu: %s at %s", i, c->form, c->ref);
		parse_at(written, c->ref, &id);
		g_assert_cmpstr(id.reason, ==, c->reason);
		g_assert_cmpint(id.kind, ==, BS_KIND_PNR);
		assert_birth(&id, c->birth);
		if (c->birth) {
			g_assert_cmpstr(id.canonical, ==, canon);
			g_assert_cmpint(id.sex, ==, BS_SEX_MALE);
		}
	}
}

static const struct date_case {
	int y, m, d_written, serial;
	const char *form;
	const char *ref;
	bs_kind kind;
	const char *reason;
	const char *birth;
} date_cases[] = {
	{2000, 2, 29, 239, "long", "2024-01-01", BS_KIND_PNR, "ok", "2000-02-29"},
	{2000, 2, 29, 239, "short-dash", "2024-01-01", BS_KIND_PNR, "ok", "2000-02-29"},
	{2004, 2, 29, 239, "short", "2024-01-01", BS_KIND_PNR, "ok", "2004-02-29"},
	/* in 1999 "000229" reads as 1900, not a leap year */
	{2000, 2, 29, 239, "short-dash", "1999-06-01", BS_KIND_PNR, "date", NULL},
	{1900, 2, 29, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{2001, 2, 29, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{1980, 13, 1, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{1980, 0, 1, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{1980, 4, 0, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{1980, 4, 31, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{1980, 4, 45, 239, "long", "2024-01-01", BS_KIND_PNR, "date", NULL},
	{1980, 4, 12, 0, "long", "2024-01-01", BS_KIND_PNR, "serial 000", NULL},
	/* samordningsnummer: day + 60 */
	{1970, 10, 63, 239, "short-dash", "2024-01-01", BS_KIND_SAMORDNING, "ok", "1970-10-03"},
	{2000, 2, 89, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", "2000-02-29"},
	{1980, 4, 70, 0, "long", "2024-01-01", BS_KIND_SAMORDNING, "serial 000", NULL},
	/* Skatteverket's test series: month 00, day 60 and impossible dates
	 * are valid with the birth date unknown */
	{1931, 0, 60, 239, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{1931, 0, 75, 239, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{1931, 5, 60, 239, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{1930, 2, 90, 239, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{2013, 2, 89, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{1981, 6, 91, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{1981, 6, 92, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "date", NULL},
	{1981, 13, 70, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "date", NULL},
	{2024, 0, 60, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "ok", NULL},
	{2025, 0, 60, 238, "long", "2024-01-01", BS_KIND_SAMORDNING, "future date", NULL},
};

static void
test_pnr_dates_and_samordning(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		g_autofree char *canon = synth_pnr_serial(c->y, c->m, c->d_written, c->serial);
		g_autofree char *written = synth_pnr_form(canon, c->form);
		bs_ident id;

		g_test_message("row %zu: %s at %s", i, written, c->ref);
		parse_at(written, c->ref, &id);
		g_assert_cmpstr(id.reason, ==, c->reason);
		g_assert_cmpint(id.kind, ==, c->kind);
		g_assert_cmpint(id.valid, ==, g_str_equal(c->reason, "ok"));
		assert_birth(&id, c->birth);
		if (id.valid)
			g_assert_cmpstr(id.canonical, ==, canon);
	}
}

static void
test_pnr_generated_forms_and_sex(void)
{
	static const char *const forms[] = {"long", "long-dash", "short", "short-dash"};
	g_autoptr(GRand) r = g_rand_new_with_seed(20240501);

	for (int i = 0; i < 400; i++) {
		int y = g_rand_int_range(r, 1926, 2024), m = g_rand_int_range(r, 1, 13);
		int d = g_rand_int_range(r, 1, 29);
		bool male = i % 2, con = i % 3 == 0;
		g_autofree char *canon = synth_pnr(r, y, m, d, con, male);
		g_autofree char *bad = synth_pnr_bad_check(canon);

		for (size_t k = 0; k < G_N_ELEMENTS(forms); k++) {
			g_autofree char *w = synth_pnr_form(canon, forms[k]);
			g_autofree char *wb = synth_pnr_form(bad, forms[k]);
			bs_ident id;

			g_test_message("%s", w);
			g_assert_cmpint(parse_at(w, "2024-06-01", &id), ==, BS_OK);
			g_assert_cmpint(id.kind, ==, con ? BS_KIND_SAMORDNING : BS_KIND_PNR);
			g_assert_cmpstr(id.canonical, ==, canon);
			g_assert_cmpint(id.sex, ==, male ? BS_SEX_MALE : BS_SEX_FEMALE);
			g_assert_cmpint(id.birth_year, ==, y);
			g_assert_cmpint(id.birth_day, ==, d);
			g_assert_cmpint(id.long_form, ==, forms[k][0] == 'l');
			parse_at(wb, "2024-06-01", &id);
			g_assert_false(id.valid);
			g_assert_cmpstr(id.reason, ==, "check digit");
		}
	}
}

static const struct sep_case {
	const char *lead, *sep, *trail;
	bool ten; /* YYMMDD (else YYYYMMDD) */
	bs_sep expect;
	bool strict_ok;
} sep_cases[] = {
	{"", "", "", true, BS_SEP_NONE, true},
	{"", "-", "", true, BS_SEP_DASH, true},
	{"", "-", "", false, BS_SEP_DASH, true},
	{"", "+", "", false, BS_SEP_PLUS, true},
	{"", " ", "", true, BS_SEP_SPACE, false},
	{"", " ", "", false, BS_SEP_SPACE, false},
	{"", "\xc2\xa0", "", true, BS_SEP_SPACE, false},
	{"", "\xe2\x80\x93", "", true, BS_SEP_DASH, true},
	{"  ", "-", "\n", true, BS_SEP_DASH, true},
};

static void
test_pnr_separators_strict_and_loose(void)
{
	g_autofree char *canon = synth_pnr_serial(1984, 3, 14, 242);

	for (size_t i = 0; i < G_N_ELEMENTS(sep_cases); i++) {
		const struct sep_case *c = &sep_cases[i];
		g_autofree char *w = g_strdup_printf("%s%.*s%s%s%s", c->lead, c->ten ? 6 : 8,
						     canon + (c->ten ? 2 : 0), c->sep, canon + 8,
						     c->trail);
		GDate ref = date_of("2024-01-01");
		bs_ident id;

		g_test_message("row %zu: \"%s\"", i, w);
		g_assert_cmpint(bs_ident_parse(w, strlen(w), &ref, &id), ==, BS_OK);
		g_assert_cmpint(id.sep, ==, c->expect);
		g_assert_cmpstr(id.canonical, ==, canon);
		g_assert_cmpint(id.sex, ==, BS_SEX_FEMALE);
		bs_ident_parse_full(BS_KIND_NONE, w, strlen(w), &ref, BS_IDENT_STRICT_SEP, &id);
		g_assert_cmpint(id.valid, ==, c->strict_ok);
		g_assert_cmpint(id.kind, ==, BS_KIND_PNR);
		if (!c->strict_ok)
			g_assert_cmpstr(id.reason, ==, "space separator");
	}
}

static const struct age_case {
	int y, m, d;
	const char *at;
	int age;
} age_cases[] = {
	{1990, 5, 17, "2024-05-16", 33},
	{1990, 5, 17, "2024-05-17", 34},
	{1990, 5, 17, "1990-05-17", 0},
	{1990, 5, 17, "1990-05-16", -1},
	/* 29 February: the birthday is 28 February in common years */
	{2008, 2, 29, "2026-02-27", 17},
	{2008, 2, 29, "2026-02-28", 18},
	{2008, 2, 29, "2028-02-28", 19},
	{2008, 2, 29, "2028-02-29", 20},
	{2008, 2, 29, "2026-03-01", 18},
};

static void
test_pnr_age_at_date(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(age_cases); i++) {
		const struct age_case *c = &age_cases[i];
		g_autofree char *canon = synth_pnr_serial(c->y, c->m, c->d, 321);
		GDate at = date_of(c->at);
		bs_ident id;

		g_test_message("row %zu: at %s", i, c->at);
		g_assert_cmpint(parse_at(canon, "2030-01-01", &id), ==, BS_OK);
		g_assert_cmpint(bs_ident_age_at(&id, &at), ==, c->age);
	}
}

static void
test_samordning_unknown_birth_has_no_age(void)
{
	g_autofree char *canon = synth_pnr_serial(1931, 0, 60, 239);
	GDate at = date_of("2024-01-01");
	bs_ident id;

	g_assert_cmpint(parse_at(canon, "2024-01-01", &id), ==, BS_OK);
	g_assert_cmpint(id.birth_year, ==, 1931);
	g_assert_cmpint(id.birth_month, ==, 0);
	g_assert_cmpint(bs_ident_age_at(&id, &at), ==, -1);
}

static void
test_interim_letters_and_check(void)
{
	static const char letters[] = "TRSUWXJKLMN";

	for (size_t i = 0; letters[i]; i++) {
		g_autofree char *canon = synth_interim(1988, 5, 27, letters[i], (int)i * 7);
		g_autofree char *dashed = g_strdup_printf("%.6s-%s", canon + 2, canon + 8);
		g_autofree char *bad = synth_pnr_bad_check(canon);
		bs_ident id;

		g_test_message("%s", dashed);
		g_assert_cmpint(parse_at(dashed, "2024-01-01", &id), ==, BS_OK);
		g_assert_cmpint(id.kind, ==, BS_KIND_INTERIM);
		g_assert_cmpstr(id.canonical, ==, canon);
		assert_birth(&id, "1988-05-27");
		g_assert_cmpint(parse_at(bad, "2024-01-01", &id), ==, BS_INVALID);
		g_assert_cmpstr(id.reason, ==, "check digit");
	}
}

static void
test_interim_other_letter_invalid(void)
{
	g_autofree char *canon = synth_interim(1988, 5, 27, 'P', 12);
	bs_ident id;

	g_assert_cmpint(parse_at(canon, "2024-01-01", &id), ==, BS_INVALID);
	g_assert_cmpint(id.kind, ==, BS_KIND_INTERIM);
	g_assert_cmpstr(id.reason, ==, "letter");
}

static const struct orgnr_case {
	const char *body9;
	const char *form; /* "%s" of the 10 digits, with a dash or a 16 prefix */
	bs_status st;
	const char *reason;
} orgnr_cases[] = {
	{"212000014", "plain", BS_OK, "ok"},
	{"556677889", "dash", BS_OK, "ok"},
	{"802005195", "sixteen", BS_OK, "ok"},
	{"802005195", "plus", BS_INVALID, "separator"},
	{"023456789", "plain", BS_INVALID, "group"},
};

static char *
orgnr_written(const char *ten, const char *form)
{
	if (g_str_equal(form, "dash"))
		return g_strdup_printf("%.6s-%s", ten, ten + 6);
	if (g_str_equal(form, "plus"))
		return g_strdup_printf("%.6s+%s", ten, ten + 6);
	if (g_str_equal(form, "sixteen"))
		return g_strdup_printf("16%s", ten);
	return g_strdup(ten);
}

static void
test_orgnr_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(orgnr_cases); i++) {
		const struct orgnr_case *c = &orgnr_cases[i];
		g_autofree char *ten = synth_orgnr(c->body9);
		g_autofree char *w = orgnr_written(ten, c->form);
		GDate ref = date_of("2024-01-01");
		bs_ident id;

		g_test_message("row %zu: %s", i, w);
		g_assert_cmpint(bs_ident_parse_as(BS_KIND_ORGNR, w, strlen(w), &ref, &id), ==,
				c->st);
		g_assert_cmpstr(id.reason, ==, c->reason);
		if (c->st == BS_OK) {
			g_assert_cmpstr(id.canonical, ==, ten);
			g_assert_cmpint(parse_at(w, "2024-01-01", &id), ==, BS_OK);
			g_assert_cmpint(id.kind, ==, BS_KIND_ORGNR);
		}
	}
}

static void
test_orgnr_personnummer_is_personal(void)
{
	g_autofree char *canon = synth_pnr_serial(1984, 3, 14, 242);
	GDate ref = date_of("2024-01-01");
	bs_ident id;

	g_assert_cmpint(bs_ident_parse_as(BS_KIND_ORGNR, canon + 2, 10, &ref, &id), ==,
			BS_INVALID);
	g_assert_cmpstr(id.reason, ==, "personal number");
	g_assert_cmpint(bs_ident_parse(canon + 2, 10, &ref, &id), ==, BS_OK);
	g_assert_cmpint(id.kind, ==, BS_KIND_PNR);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_date_clear(&meta_ref, 1);
	g_date_set_dmy(&meta_ref, 1, G_DATE_JANUARY, 2025);
	g_test_add_func("/ident/meta/list-all-spellings-agree", test_meta_list);
	g_test_add_func("/ident/meta/interim-letters", test_meta_interim);
	g_test_add_func("/ident/meta/structured-valid-and-invalid", test_meta_structured);
	g_test_add_func("/ident/meta/orgnumber-not-personal", test_meta_orgnumber);
	g_test_add_func("/ident/meta/all-coords-valid-samordningsnummer", test_meta_all_coords);
	g_test_add_func("/ident/pnr/century-from-reference-date",
			test_pnr_century_from_reference_date);
	g_test_add_func("/ident/pnr/dates-leap-day-serial-and-samordning",
			test_pnr_dates_and_samordning);
	g_test_add_func("/ident/pnr/generated-forms-sex-and-bad-check",
			test_pnr_generated_forms_and_sex);
	g_test_add_func("/ident/pnr/separators-strict-and-loose",
			test_pnr_separators_strict_and_loose);
	g_test_add_func("/ident/pnr/age-at-date", test_pnr_age_at_date);
	g_test_add_func("/ident/samordning/unknown-birth-has-no-age",
			test_samordning_unknown_birth_has_no_age);
	g_test_add_func("/ident/interim/letters-count-one-in-luhn", test_interim_letters_and_check);
	g_test_add_func("/ident/interim/other-letter-invalid", test_interim_other_letter_invalid);
	g_test_add_func("/ident/orgnr/forms-and-checks", test_orgnr_table);
	g_test_add_func("/ident/orgnr/personnummer-is-personal",
			test_orgnr_personnummer_is_personal);
	return g_test_run();
}
