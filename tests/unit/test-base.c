/* Unit tests for base: capped buffers, number parsing, the JSON writer,
 * the config table. */
#include "base/base.h"
#include "base/config.h"
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

/* Integers are formatted by hand and plain bytes copied in runs: the
 * extremes, and escapes between and around runs. */
static void
test_json_ints_and_plain_runs(void)
{
	g_autoptr(bs_json) j = bs_json_new();

	bs_json_arr_begin(j, NULL);
	bs_json_int(j, NULL, 0);
	bs_json_int(j, NULL, 7);
	bs_json_int(j, NULL, -10);
	bs_json_int(j, NULL, G_MAXINT64);
	bs_json_int(j, NULL, G_MININT64);
	bs_json_str(j, NULL, "");
	bs_json_str(j, NULL, "abc\"def\\");
	bs_json_str(j, NULL, "\tx y\x7f~ \xc3\xa5z");
	bs_json_arr_end(j);
	g_assert_cmpstr(bs_json_text(j), ==,
	                "[0,7,-10,9223372036854775807,-9223372036854775808,\"\","
	                "\"abc\\\"def\\\\\",\"\\tx y\\u007f~ \xc3\xa5z\"]");
}

/* A pre-escaped value goes in as it is; strings far past the writer's
 * first allocation (256 bytes) and exactly at its edge grow it whole. */
static void
test_json_raw_and_growth(void)
{
	g_autoptr(bs_json) j = bs_json_new();
	g_autoptr(GString) file = g_string_new(NULL);
	g_autoptr(GString) want = g_string_new(NULL);

	bs_json_escape_append(file, "a \"b\".txt", 9);
	for (size_t n = 250; n <= 1100; n += 425) {
		g_autofree char *s = g_strnfill(n, 'x');

		bs_json_obj_begin(j, NULL);
		bs_json_raw(j, "file", file->str, file->len);
		bs_json_str(j, "s", s);
		bs_json_int(j, "n", (int64_t)n);
		bs_json_obj_end(j);
		g_string_printf(want, "{\"file\":\"a \\\"b\\\".txt\",\"s\":\"%s\",\"n\":%zu}", s,
		                n);
		g_assert_cmpstr(bs_json_text(j), ==, want->str);
		bs_json_reset(j);
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

static void
test_config_defaults_come_from_the_table(void)
{
	g_autoptr(bs_config) cfg = bs_config_new();
	size_t n = 0;
	const bs_conf_setting *t = bs_config_settings(&n);

	g_assert_cmpuint(n, >=, 7);
	g_assert_cmpuint(cfg->scan_max_depth, ==, BS_LIMIT_DEPTH_DEFAULT);
	g_assert_cmpuint(cfg->scan_max_message_bytes, ==, BS_LIMIT_MESSAGE_BYTES_DEFAULT);
	g_assert_cmpuint(cfg->scan_max_ratio, ==, BS_LIMIT_RATIO_DEFAULT);
	g_assert_cmpuint(cfg->scan_attachment_ms, ==, BS_LIMIT_ATTACHMENT_MS_DEFAULT);
	g_assert_cmpuint(cfg->scan_threads, ==, 0);
	g_assert_nonnull(cfg->org_domains);
	g_assert_null(cfg->org_domains[0]);
	g_assert_null(cfg->vault_public_key);
	for (size_t i = 0; i < n; i++) {
		g_test_message("row %zu: [%s] %s", i, t[i].group, t[i].key);
		g_assert_nonnull(t[i].help);
		if (t[i].type == BS_CONF_UINT)
			g_assert_cmpuint(t[i].min, <=, t[i].max);
	}
}

static const struct config_case {
	const char *text;
	const char *error; /* NULL: accepted */
} config_cases[] = {
    {"[scan]\nmax_depth = 12\n", NULL},
    {"[scan]\nmax_depth = 99\n", "t.conf: [scan] max_depth = 99: above the ceiling 32"},
    {"[scan]\nmax_depth = 0\n", "t.conf: [scan] max_depth = 0: below the minimum 1"},
    {"[scan]\nmax_depth = -1\n", "t.conf: [scan] max_depth = -1: not a whole number"},
    {"[scan]\nmax_depth = 8x\n", "t.conf: [scan] max_depth = 8x: not a whole number"},
    {"[scan]\nmax_depht = 8\n", "t.conf: [scan] max_depht: unknown key"},
    {"[scna]\nmax_depth = 8\n", "t.conf: [scna]: unknown group"},
    {"[workspace]\norg_domains = kommun.example, skola.example\n", NULL},
    {"[workspace]\norg_domains = kommun example\n",
     "t.conf: [workspace] org_domains = kommun example: not a mail domain"},
    {"[workspace]\norg_domains = a@kommun.example\n",
     "t.conf: [workspace] org_domains = a@kommun.example: not a mail domain"},
    {"[vault]\npublic_key = AAAA\n",
     "t.conf: [vault] public_key = AAAA: not the base64 of a 32-byte key"},
    {"[vault]\npublic_key = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", NULL},
    {"just words\n", "t.conf: "},
};

static void
test_config_errors_name_file_group_and_key(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(config_cases); i++) {
		const struct config_case *c = &config_cases[i];
		g_autoptr(bs_config) cfg = bs_config_new();
		GError *error = NULL;
		bool ok = bs_config_load_data(cfg, "t.conf", c->text, strlen(c->text), &error);

		g_test_message("row %zu: %s", i, c->text);
		if (!c->error) {
			g_assert_no_error(error);
			g_assert_true(ok);
			continue;
		}
		g_assert_false(ok);
		g_assert_error(error, BS_ERROR, BS_ERROR_CONFIG);
		g_assert_true(g_str_has_prefix(error->message, c->error));
		g_error_free(error);
	}
}

static void
test_config_written_file_reads_back(void)
{
	g_autoptr(bs_config) cfg = bs_config_new();
	g_autoptr(bs_config) back = bs_config_new();
	g_autofree char *text = NULL;
	size_t len = 0;
	GError *error = NULL;

	g_assert_true(bs_config_set(cfg, "workspace", "org_domains", "kommun.example,skola.example",
	                            "test", &error));
	g_assert_true(bs_config_set(cfg, "scan", "threads", "2", "test", &error));
	g_assert_false(bs_config_set(cfg, "scan", "threads", "999", "--threads", &error));
	g_assert_cmpstr(error->message, ==,
	                "--threads: [scan] threads = 999: above the ceiling 256");
	g_clear_error(&error);
	text = bs_config_to_data(cfg, &len);
	g_assert_nonnull(strstr(text, "\n#max_depth = 8\n"));
	g_assert_nonnull(strstr(text, "\nthreads = 2\n"));
	g_assert_true(bs_config_load_data(back, "written", text, len, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(back->scan_threads, ==, 2);
	g_assert_cmpuint(back->scan_max_depth, ==, 8);
	g_assert_cmpstr(back->org_domains[0], ==, "kommun.example");
	g_assert_cmpstr(back->org_domains[1], ==, "skola.example");
	g_assert_null(back->org_domains[2]);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/base/buf/append-past-cap-fails-unchanged",
	                test_buf_append_past_cap_fails_unchanged);
	g_test_add_func("/base/parse-u64/table", test_parse_u64_table);
	g_test_add_func("/base/json/escapes-and-repairs-utf8", test_json_escapes_and_repairs_utf8);
	g_test_add_func("/base/json/ints-and-plain-runs", test_json_ints_and_plain_runs);
	g_test_add_func("/base/json/raw-and-growth", test_json_raw_and_growth);
	g_test_add_func("/base/date/rejects-impossible-dates",
	                test_date_parse_rejects_impossible_dates);
	g_test_add_func("/base/config/defaults-come-from-the-table",
	                test_config_defaults_come_from_the_table);
	g_test_add_func("/base/config/errors-name-file-group-and-key",
	                test_config_errors_name_file_group_and_key);
	g_test_add_func("/base/config/written-file-reads-back",
	                test_config_written_file_reads_back);
	return g_test_run();
}
