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
	json_array_foreach(root, i, rec)
	{
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

	json_array_foreach(values, i, v)
	{
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
	json_object_foreach(root, type, by_form)
	{
		const char *form;
		json_t *groups;

		json_object_foreach(by_form, form, groups)
		{
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
	json_array_foreach(root, i, rec)
	{
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
	json_array_foreach(root, i, v)
	{
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
	GDate ref = date_of("2024-06-01");

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
			/* as pnr: auto-detection may read some as phone numbers */
			bs_ident_parse_as(BS_KIND_PNR, wb, strlen(wb), &ref, &id);
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
		g_autofree char *w =
		    g_strdup_printf("%s%.*s%s%s%s", c->lead, c->ten ? 6 : 8,
		                    canon + (c->ten ? 2 : 0), c->sep, canon + 8, c->trail);
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
    {"212000014", "plain", BS_OK, "ok"},         {"556677889", "dash", BS_OK, "ok"},
    {"802005195", "sixteen", BS_OK, "ok"},       {"802005195", "plus", BS_INVALID, "separator"},
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

	g_assert_cmpint(bs_ident_parse_as(BS_KIND_ORGNR, canon + 2, 10, &ref, &id), ==, BS_INVALID);
	g_assert_cmpstr(id.reason, ==, "personal number");
	g_assert_cmpint(bs_ident_parse(canon + 2, 10, &ref, &id), ==, BS_OK);
	g_assert_cmpint(id.kind, ==, BS_KIND_PNR);
}

/* Parses s as kind (BS_KIND_NONE: auto) at 2024-01-01 and checks the
 * status, kind and canonical form (NULL: not checked). */
static void
expect(bs_kind as, const char *s, bs_status st, bs_kind kind, const char *canon_or_reason)
{
	GDate ref = date_of("2024-01-01");
	bs_ident id;

	g_test_message("\"%s\" as %s", s, as ? bs_kind_name(as) : "any");
	g_assert_cmpint(bs_ident_parse_as(as, s, strlen(s), &ref, &id), ==, st);
	g_assert_cmpint(id.kind, ==, kind);
	g_assert_cmpint(id.valid, ==, st == BS_OK);
	if (canon_or_reason)
		g_assert_cmpstr(st == BS_OK ? id.canonical : id.reason, ==, canon_or_reason);
}

static const struct str_case {
	const char *in;
	bs_status st;
	const char *canon_or_reason;
} phone_cases[] = {
    {"070-123 45 67", BS_OK, "+46701234567"},
    {"0701234567", BS_OK, "+46701234567"},
    {"070 123 45 67", BS_OK, "+46701234567"},
    {"+46 70 123 45 67", BS_OK, "+46701234567"},
    {"+46701234567", BS_OK, "+46701234567"},
    {"0046 70 123 45 67", BS_OK, "+46701234567"},
    {"+46 (0)70 123 45 67", BS_OK, "+46701234567"},
    {"+46 (0)70-123\xc2\xa0"
     "45\xc2\xa0"
     "67",
     BS_OK, "+46701234567"},
    {"08-123 456 78", BS_OK, "+46812345678"},
    {"(08) 123 456 78", BS_OK, "+46812345678"},
    {"031-12 34 56", BS_OK, "+4631123456"},
    {"0980-123 45", BS_OK, "+4698012345"},
    {"020-123 456", BS_OK, "+4620123456"},
    {"010-123 45 67", BS_OK, "+46101234567"},
    {"070-123 45 6", BS_INVALID, "length"},
    {"070-123 45 678", BS_INVALID, "length"},
    {"08-123", BS_INVALID, "length"},
    {"+47 22 12 34 56", BS_INVALID, "country"},
    {"0047 22 12 34 56", BS_INVALID, "country"},
    {"00 70 123 45 67", BS_INVALID, "country"},
    {"701234567", BS_NOMATCH, NULL},
    {"070-123 45 67 ext", BS_NOMATCH, NULL},
    {"070--", BS_NOMATCH, NULL},
};

static void
test_phone_forms_to_e164(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(phone_cases); i++) {
		const struct str_case *c = &phone_cases[i];

		expect(BS_KIND_PHONE, c->in, c->st,
		       c->st == BS_NOMATCH ? BS_KIND_NONE : BS_KIND_PHONE, c->canon_or_reason);
	}
}

static const struct str_case email_cases[] = {
    {"anna.svensson@kommun.example", BS_OK, "anna.svensson@kommun.example"},
    {"Anna.Svensson@Kommun.EXAMPLE", BS_OK, "anna.svensson@kommun.example"},
    {"a+tag@sub.domain.se", BS_OK, "a+tag@sub.domain.se"},
    {"o'brien_1@x-y.se", BS_OK, "o'brien_1@x-y.se"},
    {"\xc3\xa5sa@\xc3\xb6rebro.SE", BS_OK, "\xc3\xa5sa@\xc3\xb6rebro.se"},
    {"a@b", BS_INVALID, "domain"},
    {"a@-b.se", BS_INVALID, "domain"},
    {"a@b-.se", BS_INVALID, "domain"},
    {"a@b..se", BS_INVALID, "domain"},
    {"a@1.2.3.4", BS_INVALID, "domain"},
    {"a@[192.0.2.1]", BS_INVALID, "domain"},
    {"a@b@c.se", BS_INVALID, "domain"},
    {".a@b.se", BS_INVALID, "local part"},
    {"a.@b.se", BS_INVALID, "local part"},
    {"a..b@c.se", BS_INVALID, "local part"},
    {"\"a b\"@c.se", BS_INVALID, "local part"},
    {"@c.se", BS_INVALID, "local part"},
    {"a\xff@c.se", BS_INVALID, "encoding"},
    {"no-at-sign.se", BS_NOMATCH, NULL},
};

static void
test_email_pragmatic_rfc5321(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(email_cases); i++) {
		const struct str_case *c = &email_cases[i];

		expect(BS_KIND_EMAIL, c->in, c->st,
		       c->st == BS_NOMATCH ? BS_KIND_NONE : BS_KIND_EMAIL, c->canon_or_reason);
	}
}

static void
test_email_length_limits(void)
{
	g_autofree char *local64 = g_strnfill(64, 'a');
	g_autofree char *local65 = g_strnfill(65, 'a');
	g_autofree char *label63 = g_strnfill(63, 'b');
	g_autofree char *label64 = g_strnfill(64, 'b');
	g_autofree char *ok = g_strdup_printf("%s@%s.se", local64, label63);
	g_autofree char *long_local = g_strdup_printf("%s@x.se", local65);
	g_autofree char *long_label = g_strdup_printf("a@%s.se", label64);
	g_autofree char *long_all =
	    g_strdup_printf("%s@%s.%s.%s.%s", local64, label63, label63, label63, label63);

	expect(BS_KIND_EMAIL, ok, BS_OK, BS_KIND_EMAIL, ok);
	expect(BS_KIND_EMAIL, long_local, BS_INVALID, BS_KIND_EMAIL, "local part");
	expect(BS_KIND_EMAIL, long_label, BS_INVALID, BS_KIND_EMAIL, "domain");
	expect(BS_KIND_EMAIL, long_all, BS_INVALID, BS_KIND_EMAIL, "length");
}

static const struct iban_case {
	const char *cc;
	size_t len;
} iban_cases[] = {
    {"SE", 24}, {"NO", 15}, {"DK", 18}, {"FI", 18}, {"DE", 22},
    {"GB", 22}, {"FR", 27}, {"MT", 31}, {"LC", 32}, {"RU", 33},
};

static void
test_iban_generated_per_country(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(97);

	for (size_t i = 0; i < G_N_ELEMENTS(iban_cases); i++) {
		const struct iban_case *c = &iban_cases[i];
		g_autofree char *bban = g_strnfill(c->len - 4, '0');
		g_autofree char *iban = NULL, *spaced = NULL, *lower = NULL, *bad = NULL;
		g_autofree char *shorter = NULL;
		GString *g = g_string_new(NULL);

		for (size_t k = 0; k < c->len - 4; k++)
			bban[k] = (char)('0' + g_rand_int_range(r, 0, 10));
		iban = synth_iban(c->cc, bban);
		for (size_t k = 0; iban[k]; k++) {
			if (k && k % 4 == 0)
				g_string_append_c(g, ' ');
			g_string_append_c(g, iban[k]);
		}
		spaced = g_string_free(g, FALSE);
		lower = g_ascii_strdown(spaced, -1);
		bad = g_strdup(iban);
		bad[6] = bad[6] == '9' ? '0' : (char)(bad[6] + 1);
		shorter = g_strndup(iban, c->len - 1);
		expect(BS_KIND_NONE, iban, BS_OK, BS_KIND_IBAN, iban);
		expect(BS_KIND_NONE, spaced, BS_OK, BS_KIND_IBAN, iban);
		expect(BS_KIND_IBAN, lower, BS_OK, BS_KIND_IBAN, iban);
		expect(BS_KIND_NONE, bad, BS_INVALID, BS_KIND_IBAN, "check digit");
		expect(BS_KIND_NONE, shorter, BS_INVALID, BS_KIND_IBAN, "length");
	}
	expect(BS_KIND_IBAN, "QQ12345678901234", BS_INVALID, BS_KIND_IBAN, "country");
	expect(BS_KIND_IBAN, "SE12 3456-7890", BS_INVALID, BS_KIND_IBAN, "characters");
}

static const struct card_case {
	const char *prefix;
	size_t len;
	bs_status st;
	const char *reason;
} card_cases[] = {
    {"4", 16, BS_OK, "ok"},           {"4", 13, BS_OK, "ok"},
    {"4", 19, BS_OK, "ok"},           {"51", 16, BS_OK, "ok"},
    {"2221", 16, BS_OK, "ok"},        {"2720", 16, BS_OK, "ok"},
    {"34", 15, BS_OK, "ok"},          {"37", 15, BS_OK, "ok"},
    {"6011", 16, BS_OK, "ok"},        {"3530", 16, BS_OK, "ok"},
    {"36", 14, BS_OK, "ok"},          {"62", 19, BS_OK, "ok"},
    {"6759", 18, BS_OK, "ok"},        {"4", 15, BS_INVALID, "length"},
    {"37", 16, BS_INVALID, "length"}, {"2721", 16, BS_INVALID, "issuer"},
    {"1", 16, BS_INVALID, "issuer"},
};

static void
test_card_generated_per_issuer(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(4242);

	for (size_t i = 0; i < G_N_ELEMENTS(card_cases); i++) {
		const struct card_case *c = &card_cases[i];
		GString *g = g_string_new(c->prefix);
		g_autofree char *body = NULL, *pan = NULL, *bad = NULL, *grouped = NULL;

		while (g->len < c->len - 1)
			g_string_append_c(g, (char)('0' + g_rand_int_range(r, 0, 10)));
		body = g_string_free(g, FALSE);
		pan = synth_luhn_complete(body);
		grouped = g_strdup_printf("%.4s %.4s-%.4s %s", pan, pan + 4, pan + 8, pan + 12);
		expect(BS_KIND_CARD, pan, c->st, BS_KIND_CARD, c->st == BS_OK ? pan : c->reason);
		if (c->st != BS_OK)
			continue;
		expect(BS_KIND_NONE, grouped, BS_OK, BS_KIND_CARD, pan);
		bad = g_strdup(pan);
		bad[c->len - 1] = (char)('0' + (bad[c->len - 1] - '0' + 1) % 10);
		expect(BS_KIND_CARD, bad, BS_INVALID, BS_KIND_CARD, "check digit");
	}
}

/* First individual number from ind upwards whose control digits exist. */
static char *
no_fnr_from(int dd, int mm, int yy, int ind)
{
	char *s = NULL;

	while (!(s = synth_no_fnr(dd, mm, yy, ind)))
		ind++;
	return s;
}

static const struct no_case {
	int dd, mm, yy, ind;
	const char *birth;
	bool test_number;
} no_cases[] = {
    {17, 5, 88, 123, "1988-05-17", false},  /* 000-499: 1900s */
    {17, 5, 88, 910, "1988-05-17", false},  /* 900-999 and 40-99: 1900s */
    {17, 5, 12, 510, "2012-05-17", false},  /* 500-999 and 00-39: 2000s */
    {17, 5, 88, 600, "1888-05-17", false},  /* 500-749 and 54-99: 1800s */
    {57, 5, 88, 123, "1988-05-17", false},  /* D-number: day + 40 */
    {17, 45, 88, 123, "1988-05-17", false}, /* H-number: month + 40 */
    {17, 85, 88, 123, "1988-05-17", true},  /* synthetic test person: month + 80 */
};

static void
test_no_fnr_generated(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(no_cases); i++) {
		const struct no_case *c = &no_cases[i];
		g_autofree char *fnr = no_fnr_from(c->dd, c->mm, c->yy, c->ind);
		g_autofree char *bad = g_strdup(fnr);
		GDate ref = date_of("2024-01-01");
		bs_ident id;

		bad[10] = (char)('0' + (bad[10] - '0' + 1) % 10);
		g_test_message("row %zu: %s", i, fnr);
		g_assert_cmpint(bs_ident_parse(fnr, 11, &ref, &id), ==, BS_OK);
		g_assert_cmpint(id.kind, ==, BS_KIND_NO_FNR);
		assert_birth(&id, c->birth);
		g_assert_cmpint(id.test_number, ==, c->test_number);
		g_assert_cmpint(id.sex, ==, (fnr[8] - '0') % 2 ? BS_SEX_MALE : BS_SEX_FEMALE);
		expect(BS_KIND_NONE, bad, BS_INVALID, BS_KIND_NO_FNR, "check digit");
	}
}

/* From 2032 the first control digit may leave remainder 1-3: accepted,
 * and such numbers no longer tell the sex. */
static void
test_no_fnr_2032_control_digit(void)
{
	static const int w1[10] = {3, 7, 6, 1, 8, 9, 4, 5, 2, 1};
	static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int found = 0;

	for (int k1 = 0; k1 <= 9 && found < 2; k1++) {
		char d[12] = "020182999";
		int s1 = 0, s2 = 0;

		d[9] = (char)('0' + k1);
		for (int i = 0; i < 10; i++)
			s1 += w1[i] * (d[i] - '0');
		for (int i = 0; i < 10; i++)
			s2 += w2[i] * (d[i] - '0');
		if ((11 - s2 % 11) % 11 == 10)
			continue;
		d[10] = (char)('0' + (11 - s2 % 11) % 11);
		d[11] = '\0';
		g_test_message("%s remainder %d", d, s1 % 11);
		if (s1 % 11 == 0 || s1 % 11 > 3) {
			expect(BS_KIND_NO_FNR, d, s1 % 11 ? BS_INVALID : BS_OK, BS_KIND_NO_FNR,
			       NULL);
			continue;
		}
		expect(BS_KIND_NO_FNR, d, BS_OK, BS_KIND_NO_FNR, d);
		found++;
	}
	g_assert_cmpint(found, >, 0);
}

static const struct dk_case {
	const char *in;
	bs_status st;
	const char *birth_or_reason;
} dk_cases[] = {
    {"010190-1234", BS_OK, "1990-01-01"}, /* 7th digit 0-3: 1900s */
    {"0101901234", BS_OK, "1990-01-01"},
    {"010110-4234", BS_OK, "2010-01-01"}, /* 4 and 00-36: 2000s */
    {"010140-4234", BS_OK, "1940-01-01"}, /* 4 and 37-99: 1900s */
    {"010150-5234", BS_OK, "2050-01-01"}, /* 5-8 and 00-57: 2000s (future at 2024) */
    {"010160-5234", BS_OK, "1860-01-01"}, /* 5-8 and 58-99: 1800s */
    {"010120-9234", BS_OK, "2020-01-01"}, /* 9 and 00-36: 2000s */
    {"300290-1234", BS_INVALID, "date"},
    {"010190-0000", BS_INVALID, "serial 0000"},
};

static void
test_dk_cpr_century_and_date(void)
{
	GDate ref = date_of("2024-01-01");

	for (size_t i = 0; i < G_N_ELEMENTS(dk_cases); i++) {
		const struct dk_case *c = &dk_cases[i];
		bs_ident id;
		bs_status st = bs_ident_parse_as(BS_KIND_DK_CPR, c->in, strlen(c->in), &ref, &id);

		g_test_message("row %zu: %s", i, c->in);
		if (g_str_has_prefix(c->birth_or_reason, "2050")) {
			g_assert_cmpstr(id.reason, ==, "future date");
			continue;
		}
		g_assert_cmpint(st, ==, c->st);
		g_assert_cmpint(id.kind, ==, BS_KIND_DK_CPR);
		if (st == BS_OK)
			assert_birth(&id, c->birth_or_reason);
		else
			g_assert_cmpstr(id.reason, ==, c->birth_or_reason);
	}
	/* never guessed: the same digits read as Swedish */
	bs_ident id;
	bs_ident_parse("010190-1234", 11, &ref, &id);
	g_assert_cmpint(id.kind, !=, BS_KIND_DK_CPR);
}

static const struct fi_case {
	char sign;
	int yy;
	const char *birth;
} fi_cases[] = {
    {'+', 95, "1895-03-14"}, {'-', 95, "1995-03-14"}, {'Y', 95, "1995-03-14"},
    {'X', 95, "1995-03-14"}, {'W', 95, "1995-03-14"}, {'V', 95, "1995-03-14"},
    {'U', 95, "1995-03-14"}, {'A', 5, "2005-03-14"},  {'B', 5, "2005-03-14"},
    {'C', 5, "2005-03-14"},  {'D', 5, "2005-03-14"},  {'E', 5, "2005-03-14"},
    {'F', 5, "2005-03-14"},
};

static void
test_fi_hetu_century_signs(void)
{
	GDate ref = date_of("2024-01-01");

	for (size_t i = 0; i < G_N_ELEMENTS(fi_cases); i++) {
		const struct fi_case *c = &fi_cases[i];
		g_autofree char *h = synth_fi_hetu(14, 3, c->yy, c->sign, 245 + (int)i);
		g_autofree char *bad = g_strdup(h);
		bs_ident id;

		bad[9] = (char)('0' + (bad[9] - '0' + 1) % 10);
		g_test_message("row %zu: %s", i, h);
		g_assert_cmpint(bs_ident_parse(h, 11, &ref, &id), ==, BS_OK);
		g_assert_cmpint(id.kind, ==, BS_KIND_FI_HETU);
		g_assert_cmpstr(id.canonical, ==, h);
		assert_birth(&id, c->birth);
		g_assert_cmpint(id.sex, ==, (245 + i) % 2 ? BS_SEX_MALE : BS_SEX_FEMALE);
		expect(BS_KIND_FI_HETU, bad, BS_INVALID, BS_KIND_FI_HETU, "check digit");
	}
	{
		g_autofree char *h = synth_fi_hetu(14, 3, 95, '-', 1);
		g_autofree char *feb = synth_fi_hetu(29, 2, 95, '-', 245);

		expect(BS_KIND_FI_HETU, h, BS_INVALID, BS_KIND_FI_HETU, "individual number");
		expect(BS_KIND_FI_HETU, feb, BS_INVALID, BS_KIND_FI_HETU, "date");
	}
}

static void
test_parse_auto_order(void)
{
	g_autofree char *pnr = synth_pnr_serial(2007, 1, 23, 457);
	g_autofree char *pnr_bad = synth_pnr_bad_check(pnr);
	g_autofree char *org = synth_orgnr("556677889");
	g_autofree char *hetu = synth_fi_hetu(10, 1, 90, '-', 123);

	/* a valid personnummer wins over the phone reading of the same digits */
	expect(BS_KIND_NONE, pnr + 2, BS_OK, BS_KIND_PNR, pnr);
	/* when it is not one, the digits are a mobile number */
	expect(BS_KIND_NONE, pnr_bad + 2, BS_OK, BS_KIND_PHONE, NULL);
	expect(BS_KIND_NONE, org, BS_OK, BS_KIND_ORGNR, org);
	expect(BS_KIND_NONE, hetu, BS_OK, BS_KIND_FI_HETU, hetu);
	expect(BS_KIND_NONE, "070-123 45 67", BS_OK, BS_KIND_PHONE, "+46701234567");
	expect(BS_KIND_NONE, "x@y.se", BS_OK, BS_KIND_EMAIL, "x@y.se");
	expect(BS_KIND_NONE, "hello", BS_NOMATCH, BS_KIND_NONE, "not recognised");
	expect(BS_KIND_NONE, "", BS_NOMATCH, BS_KIND_NONE, NULL);
	expect(BS_KIND_PNR, "x@y.se", BS_NOMATCH, BS_KIND_NONE, NULL);
}

static void
test_parse_hostile_input(void)
{
	g_autofree char *big = g_strnfill(BS_LIMIT_IDENT_LEN + 1, '1');
	static const char nul[] = "640823\0"
	                          "3234";
	GDate ref = date_of("2024-01-01");
	bs_ident id;

	g_assert_cmpint(bs_ident_parse(big, strlen(big), &ref, &id), ==, BS_NOMATCH);
	g_assert_cmpstr(id.reason, ==, "length");
	g_assert_cmpint(bs_ident_parse(nul, sizeof nul - 1, &ref, &id), ==, BS_NOMATCH);
	g_assert_cmpint(bs_ident_parse(NULL, 0, &ref, &id), ==, BS_NOMATCH);
	g_assert_cmpint(bs_ident_parse_as((bs_kind)99, "1", 1, &ref, &id), ==, BS_NOMATCH);
}

/* bs_ident_parse_ref() with a date read once gives what bs_ident_parse_as()
 * gives with the GDate: the century of a 10-digit number included. */
static void
test_parse_ref_same_as_gdate(void)
{
	g_autoptr(GRand) rng = g_rand_new_with_seed(23);
	GDate ref = date_of("2024-05-01");
	bs_ident_ref once;
	static const struct {
		bs_kind kind;
		const char *form;
	} rows[] = {{BS_KIND_PNR, "short"},     {BS_KIND_PNR, "short-plus"},
	            {BS_KIND_PNR, "long-dash"}, {BS_KIND_ORGNR, "short"},
	            {BS_KIND_PHONE, "short"},   {BS_KIND_DK_CPR, "short"}};

	bs_ident_ref_set(&once, &ref);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *canon = synth_pnr(rng, 1920 + (int)i * 17, 3, 14, false, true);
		g_autofree char *text = synth_pnr_form(canon, rows[i].form);
		bs_ident a, b;

		g_test_message("row %zu: %s", i, rows[i].form);
		g_assert_cmpint(bs_ident_parse_as(rows[i].kind, text, strlen(text), &ref, &a), ==,
		                bs_ident_parse_ref(rows[i].kind, text, strlen(text), &once, &b));
		g_assert_cmpint(a.valid, ==, b.valid);
		g_assert_cmpstr(a.canonical, ==, b.canonical);
		g_assert_cmpint(a.birth_year, ==, b.birth_year);
	}
}

/* bs_ident_parse_personal(): the personnummer family in text whose layout
 * the caller knows. It must give bs_ident_parse_ref()'s answer, field by
 * field, on every text it reads. */
static void
assert_same_ident(const bs_ident *got, const bs_ident *want)
{
	g_assert_cmpint(got->kind, ==, want->kind);
	g_assert_cmpint(got->valid, ==, want->valid);
	g_assert_cmpstr(got->canonical, ==, want->canonical);
	g_assert_cmpint(got->birth_year, ==, want->birth_year);
	g_assert_cmpint(got->birth_month, ==, want->birth_month);
	g_assert_cmpint(got->birth_day, ==, want->birth_day);
	g_assert_cmpint(got->sex, ==, want->sex);
	g_assert_cmpint(got->sep, ==, want->sep);
	g_assert_cmpint(got->long_form, ==, want->long_form);
	g_assert_cmpint(got->test_number, ==, want->test_number);
	g_assert_cmpstr(got->reason, ==, want->reason);
}

/* Text the general parser reads as the personnummer family (interim when
 * the serial has a letter, else pnr) without trimming: exactly one
 * date_len, 6 or 8, gives the same status and fields; the other, and both
 * for any other text, BS_NOMATCH with out reset. out starts stale, so a
 * field left unwritten shows. The text is copied to a buffer of its exact
 * length: ASan sees a read past it. Returns the status agreed on. */
static bs_status
assert_personal_agrees(const char *text, size_t len, const bs_ident_ref *ref)
{
	g_autofree char *s = g_memdup2(text, len);
	bool padded = len > 0 && (bs_ascii_space(s[0]) || bs_ascii_space(s[len - 1]));
	bs_ident want;
	bs_status st = bs_ident_parse_ref(BS_KIND_INTERIM, s, len, ref, &want);
	unsigned hits = 0;

	if (st == BS_NOMATCH)
		st = bs_ident_parse_ref(BS_KIND_PNR, s, len, ref, &want);
	if (padded)
		st = BS_NOMATCH;
	for (size_t date_len = 6; date_len <= 8; date_len += 2) {
		bs_ident got;

		memset(&got, 0x5a, sizeof got);
		got.reason = "stale";
		if (bs_ident_parse_personal(s, len, date_len, ref, &got) == BS_NOMATCH) {
			g_assert_cmpint(got.kind, ==, BS_KIND_NONE);
			g_assert_cmpstr(got.reason, ==, "not recognised");
			continue;
		}
		hits++;
		g_assert_cmpint(st, !=, BS_NOMATCH);
		g_assert_cmpint(bs_ident_parse_personal(s, len, date_len, ref, &got), ==, st);
		assert_same_ident(&got, &want);
	}
	g_assert_cmpuint(hits, ==, st == BS_NOMATCH ? 0 : 1);
	return st;
}

static void
personal_agrees_at(const char *s, const char *ref)
{
	GDate d = date_of(ref);
	bs_ident_ref once;

	g_test_message("\"%s\" at %s", s, ref);
	bs_ident_ref_set(&once, &d);
	assert_personal_agrees(s, strlen(s), &once);
}

/* Reference dates for the conformance files: theirs, and two that move
 * the century of the 10-digit forms. */
static const char *const meta_refs[] = {"2025-01-01", "1950-06-15", "2099-12-31"};

static void
personal_agrees_meta_refs(const char *s)
{
	for (size_t r = 0; r < G_N_ELEMENTS(meta_refs); r++)
		personal_agrees_at(s, meta_refs[r]);
}

static void
personal_meta_list(const char *file)
{
	static const char *const spellings[] = {"long_format", "short_format", "separated_format",
	                                        "separated_long"};
	json_t *root = load_meta(file);
	size_t i;
	json_t *rec;

	json_array_foreach(root, i, rec)
	{
		json_int_t integer = json_integer_value(json_object_get(rec, "integer"));

		for (size_t k = 0; k < G_N_ELEMENTS(spellings); k++)
			personal_agrees_meta_refs(
			    json_string_value(json_object_get(rec, spellings[k])));
		if (integer != 0) {
			g_autofree char *s = g_strdup_printf("%" JSON_INTEGER_FORMAT, integer);

			personal_agrees_meta_refs(s);
		}
	}
	json_decref(root);
}

static void
test_personal_meta_same_as_parse_ref(void)
{
	json_t *root;
	const char *type;
	json_t *by_form;
	size_t i;
	json_t *v;

	personal_meta_list("list.json");
	personal_meta_list("interim.json");
	root = load_meta("structured.json");
	json_object_foreach(root, type, by_form)
	{
		const char *form;
		json_t *groups;

		json_object_foreach(by_form, form, groups)
		{
			static const char *const sets[] = {"valid", "invalid"};

			for (size_t k = 0; k < G_N_ELEMENTS(sets); k++) {
				json_array_foreach(json_object_get(groups, sets[k]), i, v)
				{
					g_autofree char *s =
					    json_is_string(v)
					        ? g_strdup(json_string_value(v))
					        : g_strdup_printf("%" JSON_INTEGER_FORMAT,
					                          json_integer_value(v));

					personal_agrees_meta_refs(s);
				}
			}
		}
	}
	json_decref(root);
	root = load_meta("orgnumber.json");
	json_array_foreach(root, i, v)
	{
		personal_agrees_meta_refs(json_string_value(json_object_get(v, "short_format")));
		personal_agrees_meta_refs(
		    json_string_value(json_object_get(v, "separated_format")));
	}
	json_decref(root);
	root = load_meta("allCoords.json");
	json_array_foreach(root, i, v)
	{
		const char *s = json_string_value(v);
		g_autofree char *dashed = g_strdup_printf("%.8s-%s", s, s + 8);

		personal_agrees_at(s, "2025-01-01");
		personal_agrees_at(dashed, "2025-01-01");
		personal_agrees_at(s + 2, "2025-01-01");
	}
	json_decref(root);
}

/* Every separator the general parser accepts, and none. */
static const char *const personal_seps[] = {"", "-", "+", " ", "\xe2\x80\x93", "\xc2\xa0"};

/* canon12 written with date_len date digits and sep. Caller g_free()s. */
static char *
written_as(const char *canon12, int date_len, const char *sep)
{
	return g_strdup_printf("%.*s%s%s", date_len, canon12 + 8 - date_len, sep, canon12 + 8);
}

/* canon12 in every layout at ref: each must agree; returns how many gave st. */
static unsigned
personal_all_layouts(const char *canon12, const char *ref, bs_status st)
{
	GDate d = date_of(ref);
	bs_ident_ref once;
	unsigned n = 0;

	bs_ident_ref_set(&once, &d);
	for (int date_len = 6; date_len <= 8; date_len += 2) {
		for (size_t k = 0; k < G_N_ELEMENTS(personal_seps); k++) {
			g_autofree char *w = written_as(canon12, date_len, personal_seps[k]);

			g_test_message("\"%s\" at %s", w, ref);
			n += assert_personal_agrees(w, strlen(w), &once) == st;
		}
	}
	return n;
}

/* The century, date, samordning and serial tables above, and generated
 * numbers with right and wrong check digits and interim numbers, in every
 * layout: 10 and 12 digits, '-', '+', space, en dash, no-break space. */
static void
test_personal_forms_same_as_parse_ref(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(20261127);

	for (size_t i = 0; i < G_N_ELEMENTS(century_cases); i++) {
		const struct century_case *c = &century_cases[i];
		g_autofree char *canon = synth_pnr_serial(c->y, c->m, c->d, 123);

		personal_all_layouts(canon, c->ref, BS_OK);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		g_autofree char *canon = synth_pnr_serial(c->y, c->m, c->d_written, c->serial);

		personal_all_layouts(canon, c->ref, BS_OK);
	}
	for (int i = 0; i < 200; i++) {
		int y = g_rand_int_range(r, 1890, 2025), m = g_rand_int_range(r, 1, 13);
		int d = g_rand_int_range(r, 1, 29);
		g_autofree char *canon = synth_pnr(r, y, m, d, i % 3 == 0, i % 2);
		g_autofree char *bad = synth_pnr_bad_check(canon);
		g_autofree char *interim = synth_interim(y, m, d, "TRSUWXJKLMNP"[i % 12], i % 100);
		g_autofree char *interim_bad = synth_pnr_bad_check(interim);

		/* at least the 12-digit layouts are valid (the short ones may
		 * read another century, and the space only loosely) */
		g_assert_cmpuint(personal_all_layouts(canon, "2025-06-01", BS_OK), >=, 6);
		g_assert_cmpuint(personal_all_layouts(bad, "2025-06-01", BS_INVALID), ==, 12);
		personal_all_layouts(interim, "2025-06-01", BS_OK);
		g_assert_cmpuint(personal_all_layouts(interim_bad, "2025-06-01", BS_INVALID), ==,
		                 12);
	}
}

/* Layouts other than the one named, or white space around: BS_NOMATCH,
 * where bs_ident_parse_ref() may still read the text. */
static void
test_personal_other_layout_no_match(void)
{
	g_autofree char *canon = synth_pnr_serial(1964, 8, 23, 323);
	g_autofree char *dashed = written_as(canon, 6, "-");
	g_autofree char *padded = g_strdup_printf(" %s", canon + 2);
	g_autofree char *trailing = g_strdup_printf("%s\n", canon);
	g_autofree char *double_sep = written_as(canon, 6, "--");
	g_autofree char *letter_sep = written_as(canon, 8, "x");
	g_autofree char *lower = g_strdup_printf("%.6st%.3s", canon + 2, canon + 9);
	GDate d = date_of("2024-01-01");
	bs_ident_ref ref;
	static const struct {
		size_t date_len;
		int text; /* index into texts */
	} rows[] = {{8, 0}, {7, 0}, {0, 0}, {6, 1}, {6, 2}, {8, 2}, {6, 3},
	            {8, 3}, {6, 4}, {8, 4}, {8, 5}, {8, 6}, {6, 7}, {6, 8}};
	const char *texts[] = {dashed,     canon,        padded,    trailing,     double_sep,
	                       letter_sep, "640823-323", "6408233", "64082A-3234"};
	bs_ident id;

	bs_ident_ref_set(&ref, &d);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *s = g_strdup(texts[rows[i].text]);

		g_test_message("row %zu: \"%s\" date_len %zu", i, s, rows[i].date_len);
		g_assert_cmpint(bs_ident_parse_personal(s, strlen(s), rows[i].date_len, &ref, &id),
		                ==, BS_NOMATCH);
		g_assert_cmpint(id.kind, ==, BS_KIND_NONE);
		assert_personal_agrees(s, strlen(s), &ref);
	}
	/* a letter where the serial starts, but not a capital: nothing */
	g_assert_cmpint(bs_ident_parse_personal(lower, strlen(lower), 6, &ref, &id), ==,
	                BS_NOMATCH);
	g_assert_cmpint(bs_ident_parse_personal(dashed, strlen(dashed), 6, &ref, &id), ==, BS_OK);
	g_assert_cmpstr(id.canonical, ==, canon);
}

/* Two random digits, or a plausible month or day (+60 sometimes). */
static void
sweep_two(GRand *r, char *out, int lo, int hi, bool con)
{
	int v = g_rand_boolean(r) ? g_rand_int_range(r, 0, 100)
	                          : g_rand_int_range(r, lo, hi) + (con ? 60 : 0);

	out[0] = (char)('0' + v / 10);
	out[1] = (char)('0' + v % 10);
}

/* A random text near the personnummer family: ten characters (mostly
 * plausible dates, a capital letter now and then, a right check digit
 * half the time), written in a random layout, a byte replaced now and
 * then. Returns its length. */
static size_t
sweep_text(GRand *r, char *buf)
{
	static const char centuries[][3] = {"18", "19", "20", "16", "21"};
	char ten[11];
	int date_len = g_rand_boolean(r) ? 6 : 8;
	size_t len;

	sweep_two(r, ten, 0, 100, false);
	sweep_two(r, ten + 2, 0, 14, false);
	sweep_two(r, ten + 4, 0, 33, g_rand_int_range(r, 0, 4) == 0);
	for (int i = 6; i < 10; i++)
		ten[i] = (char)('0' + g_rand_int_range(r, 0, 10));
	if (g_rand_int_range(r, 0, 8) == 0)
		ten[6] = "TRSUWXJKLMNPAZ"[g_rand_int_range(r, 0, 14)];
	if (g_rand_boolean(r)) {
		char digits[10];

		memcpy(digits, ten, 9);
		if (!g_ascii_isdigit(digits[6]))
			digits[6] = '1';
		ten[9] = (char)('0' + synth_luhn_digit(digits, 9));
	}
	ten[10] = '\0';
	len = (size_t)g_snprintf(buf, 32, "%s%.6s%s%s",
	                         date_len == 8 ? centuries[g_rand_int_range(r, 0, 5)] : "", ten,
	                         personal_seps[g_rand_int_range(r, 0, 6)], ten + 6);
	if (g_rand_int_range(r, 0, 16) == 0)
		buf[g_rand_int_range(r, 0, (gint32)len)] = (char)g_rand_int_range(r, 1, 256);
	return len;
}

/* A seeded sweep of random texts at random reference dates: both paths
 * agree on each, and the sweep reaches valid and invalid readings. */
static void
test_personal_random_sweep_same_as_parse_ref(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(1127);
	unsigned count[3] = {0, 0, 0};

	for (int i = 0; i < 300000; i++) {
		char buf[32];
		size_t len = sweep_text(r, buf);
		GDate d;
		bs_ident_ref ref;

		g_date_clear(&d, 1);
		g_date_set_dmy(&d, (GDateDay)g_rand_int_range(r, 1, 29),
		               (GDateMonth)g_rand_int_range(r, 1, 13),
		               (GDateYear)g_rand_int_range(r, 1890, 2101));
		bs_ident_ref_set(&ref, &d);
		count[assert_personal_agrees(buf, len, &ref)]++;
	}
	g_test_message("ok %u invalid %u no match %u", count[BS_OK], count[BS_INVALID],
	               count[BS_NOMATCH]);
	g_assert_cmpuint(count[BS_OK], >, 30000);
	g_assert_cmpuint(count[BS_INVALID], >, 30000);
	g_assert_cmpuint(count[BS_NOMATCH], >, 10000);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_date_clear(&meta_ref, 1);
	g_date_set_dmy(&meta_ref, 1, G_DATE_JANUARY, 2025);
	g_test_add_func("/ident/parse/ref-date-read-once-same-answer",
	                test_parse_ref_same_as_gdate);
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
	g_test_add_func("/ident/phone/written-forms-to-e164", test_phone_forms_to_e164);
	g_test_add_func("/ident/email/pragmatic-rfc5321", test_email_pragmatic_rfc5321);
	g_test_add_func("/ident/email/length-limits", test_email_length_limits);
	g_test_add_func("/ident/iban/generated-per-country", test_iban_generated_per_country);
	g_test_add_func("/ident/card/generated-per-issuer", test_card_generated_per_issuer);
	g_test_add_func("/ident/no-fnr/generated-d-h-and-test-numbers", test_no_fnr_generated);
	g_test_add_func("/ident/no-fnr/2032-control-digit", test_no_fnr_2032_control_digit);
	g_test_add_func("/ident/dk-cpr/century-and-date", test_dk_cpr_century_and_date);
	g_test_add_func("/ident/fi-hetu/century-signs", test_fi_hetu_century_signs);
	g_test_add_func("/ident/parse/auto-detection-order", test_parse_auto_order);
	g_test_add_func("/ident/parse/hostile-input", test_parse_hostile_input);
	g_test_add_func("/ident/personal/meta-same-as-parse-ref",
	                test_personal_meta_same_as_parse_ref);
	g_test_add_func("/ident/personal/forms-same-as-parse-ref",
	                test_personal_forms_same_as_parse_ref);
	g_test_add_func("/ident/personal/other-layout-no-match",
	                test_personal_other_layout_no_match);
	g_test_add_func("/ident/personal/random-sweep-same-as-parse-ref",
	                test_personal_random_sweep_same_as_parse_ref);
	return g_test_run();
}
