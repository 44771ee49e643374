/* Unit tests for base: capped buffers, number parsing, the JSON writer. */
#include "base/base.h"
#include "base/json.h"

static void
test_buf_append_past_cap_fails_unchanged(void)
{
	bs_buf b;

	bs_buf_init(&b, 8);
	g_assert_true(bs_buf_append(&b, "12345", 5));
	g_assert_false(bs_buf_append(&b, "6789", 4));
	g_assert_cmpuint(b.len, ==, 5);
	g_assert_cmpstr(b.data, ==, "12345");
	g_assert_true(bs_buf_append(&b, "678", 3));
	g_assert_cmpstr(b.data, ==, "12345678");
	bs_buf_fini(&b);
}

static const struct u64_case {
	const char *in;
	uint64_t max;
	bool ok;
	uint64_t value;
} u64_cases[] = {
	{"0", 10, true, 0},
	{"42", 100, true, 42},
	{"", 100, false, 0},
	{"4a", 100, false, 0},
	{"-1", 100, false, 0},
	{"101", 100, false, 0},
	{"18446744073709551615", G_MAXUINT64, true, G_MAXUINT64},
	{"18446744073709551616", G_MAXUINT64, false, 0},
};

static void
test_parse_u64_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(u64_cases); i++) {
		const struct u64_case *c = &u64_cases[i];
		uint64_t v = 0;

		g_test_message("row %zu: \"%s\"", i, c->in);
		g_assert_cmpint(bs_parse_u64(c->in, strlen(c->in), c->max, &v), ==, c->ok);
		if (c->ok)
			g_assert_cmpuint(v, ==, c->value);
	}
}

static void
test_json_escapes_and_repairs_utf8(void)
{
	g_autoptr(bs_json) j = bs_json_new();

	bs_json_obj_begin(j, NULL);
	bs_json_str(j, "a", "q\"\\\n\x01");
	bs_json_strn(j, "b", "\xc3\xa5\xff", 3);
	bs_json_null(j, "c");
	bs_json_arr_begin(j, "d");
	bs_json_int(j, NULL, -3);
	bs_json_bool(j, NULL, true);
	bs_json_arr_end(j);
	bs_json_obj_end(j);
	g_assert_cmpstr(bs_json_text(j), ==,
			"{\"a\":\"q\\\"\\\\\\n\\u0001\",\"b\":\"\xc3\xa5\xef\xbf\xbd\","
			"\"c\":null,\"d\":[-3,true]}");
}

static void
test_date_parse_rejects_impossible_dates(void)
{
	GDate d;

	g_assert_true(bs_date_parse("2024-02-29", &d));
	g_assert_false(bs_date_parse("2023-02-29", &d));
	g_assert_false(bs_date_parse("2023-13-01", &d));
	g_assert_false(bs_date_parse("2023-1-01", &d));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/base/buf/append-past-cap-fails-unchanged",
			test_buf_append_past_cap_fails_unchanged);
	g_test_add_func("/base/parse-u64/table", test_parse_u64_table);
	g_test_add_func("/base/json/escapes-and-repairs-utf8", test_json_escapes_and_repairs_utf8);
	g_test_add_func("/base/date/rejects-impossible-dates",
			test_date_parse_rejects_impossible_dates);
	return g_test_run();
}
