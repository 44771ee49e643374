/* Unit tests for hunt: IOC validation with positions, matching each
 * indicator kind (and the traps that must not match), URL helpers, mbox
 * framing. Quarantine, restore, kills and IMAP run in tests/cli/test-hunt.sh. */
#include "hunt/hunt.h"
#include "hunt/internal.h"

#include "base/base.h"

static const struct ioc_error_case {
	const char *json;
	const char *message; /* expected substring */
} ioc_error_cases[] = {
    {"", "t.json\":1:1: not valid JSON"},
    {"[]", "t.json\":1:1: the top level is not an object"},
    {"{}", "\"version\" is missing"},
    {"{\"version\":\"1\"}", "t.json\":1:12: \"version\" is a string"},
    {"{\"version\":1.0}", "\"version\" is 1.0"},
    {"{\"version\":1,\"version\":1}", "1:14: \"version\" appears twice"},
    {"{\"version\":1,\n\"senders\":[\"x\"]}", "2:12: senders[0]: not an e-mail address"},
    {"{\"version\":1,\"senders\":[\"a@b.test\"],\"senders\":[]}", "\"senders\" appears twice"},
    {"{\"version\":1,\"sender_domains\":[\"bad domain\"]}", "sender_domains[0]: not a domain"},
    {"{\"version\":1,\"urls\":[\"evil.test/x\"]}", "urls[0]: not an absolute URL"},
    {"{\"version\":1,\"urls\":{}}", "\"urls\" is not an array"},
    {"{\"version\":1,\"message_ids\":[\"<a b>\"]}", "message_ids[0]: not a Message-ID"},
    {"{\"version\":1,\"display_names\":[\"[z-a]\"]}", "display_names[0]: bad regular"},
    {"{\"version\":1,\"domains\":[[\"a.test\"]]}", "domains[0]: not a string"},
    {"{\"version\":1,\"domains\":[\"a.test\", null]}", "1:35: domains[1]: not a string"},
};

static void
test_ioc_errors_name_place_and_field(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ioc_error_cases); i++) {
		const struct ioc_error_case *c = &ioc_error_cases[i];
		g_autoptr(GError) error = NULL;
		bs_ioc *ioc = bs_ioc_parse("t.json", c->json, strlen(c->json), &error);

		g_test_message("row %zu: %s", i, c->json);
		g_assert_null(ioc);
		g_assert_error(error, BS_ERROR, BS_ERROR_PARSE);
		if (!strstr(error->message, c->message))
			g_error("row %zu: \"%s\" lacks \"%s\"", i, error->message, c->message);
	}
}

static void
test_ioc_extra_fields_allowed_and_deep_nesting_refused(void)
{
	const char *ok = "{\"version\":1,\"note\":{\"a\":[1,{\"b\":null}]},\"senders\":"
	                 "[\" It@Evil.TEST \"],\"sender_domains\":[\"@Evil.test\"]}";
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_ioc) ioc = bs_ioc_parse("t.json", ok, strlen(ok), &error);
	GString *deep = g_string_new("{\"version\":1,\"x\":");

	g_assert_no_error(error);
	g_assert_cmpuint(bs_ioc_count(ioc), ==, 2);
	g_assert_cmpstr(ioc->lists[IOC_SENDERS]->pdata[0], ==, "it@evil.test");
	g_assert_cmpstr(ioc->lists[IOC_SENDER_DOMAINS]->pdata[0], ==, "evil.test");
	for (int i = 0; i < BS_LIMIT_JSON_DEPTH + 2; i++)
		g_string_append_c(deep, '[');
	g_assert_null(bs_ioc_parse("t.json", deep->str, deep->len, &error) ? (void *)1 : NULL);
	g_assert_nonnull(strstr(error->message, "nested deeper"));
	g_string_free(deep, TRUE);
}

#define HDR "To: a@kommun.test\nDate: Mon, 2 Mar 2026 08:00:00 +0100\nMIME-Version: 1.0\n"

static const char IOC_ALL[] =
    "{\"version\":1,\"senders\":[\"it@evil.test\"],\"sender_domains\":[\"phish.test\"],"
    "\"display_names\":[\"^Microsoft 365$\"],\"subjects\":[\"l\\u00f6senord\"],"
    "\"urls\":[\"https://login.evil.test/reset\"],\"domains\":[\"link.test\"],"
    "\"attachment_sha256\":[\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    "\"],\"message_ids\":[\"<c7@x.test>\"]}";

static const struct match_case {
	const char *name;
	const char *raw;
	const char *expect; /* matched entries joined by '|', "" for none */
} match_cases[] = {
    {"sender any case", "From: IT <IT@Evil.Test>\n" HDR "\nhi\n", "sender:it@evil.test"},
    {"sender domain covers subdomains", "From: x@mail.phish.test\n" HDR "\nhi\n",
     "sender_domain:phish.test"},
    {"look-alike domain is not covered", "From: x@notphish.test\n" HDR "\nhi\n", ""},
    {"Sender and Return-Path count",
     "From: a@ok.test\nSender: b@x.phish.test\n"
     "Return-Path: <IT@evil.test>\n" HDR "\nhi\n",
     "sender:it@evil.test|sender_domain:phish.test"},
    {"display name decoded", "From: =?UTF-8?Q?Microsoft_365?= <n@ok.test>\n" HDR "\nhi\n",
     "display_name:^Microsoft 365$"},
    {"subject decoded", "From: a@ok.test\nSubject: =?ISO-8859-1?Q?Ditt_l=F6senord?=\n" HDR "\nhi\n",
     "subject:l\303\266senord"},
    {"url in QP html with entity",
     "From: a@ok.test\n" HDR
     "Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
     "<a href=3D\"https://LOGIN.evil.test/reset?a=3D1&amp;b=3D2\">x</a>\n",
     "url:https://login.evil.test/reset"},
    {"url prefix stops at a boundary",
     "From: a@ok.test\n" HDR "\nsee https://login.evil.test/resetpassword now\n", ""},
    {"domain through a text URL", "From: a@ok.test\n" HDR "\ngo to http://a.b.link.test:8080/x.\n",
     "domain:link.test"},
    {"domain named in running text is no hit",
     "From: a@ok.test\n" HDR "\nnever click link.test or www.link.test\n", ""},
    {"domain in base64 html href with entity",
     "From: a@ok.test\n" HDR "Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
     "PGEgaHJlZj0iaHR0cHMmIzU4Oy8vbGluay50ZXN0L3giPnk8L2E+\n",
     "domain:link.test"},
    {"attachment sha256 of decoded bytes",
     "From: a@ok.test\n" HDR
     "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n"
     "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
     "aGVsbG8=\n--b--\n",
     "attachment_sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e7"
     "3043362938b9824"},
    {"message id", "From: a@ok.test\nMessage-ID: <c7@x.test>\n" HDR "\nhi\n",
     "message_id:<c7@x.test>"},
    {"url inside a forwarded message",
     "From: a@ok.test\n" HDR "Content-Type: message/rfc822\n\nFrom: b@ok.test\nSubject: fw\n\n"
     "https://login.evil.test/reset\n",
     "url:https://login.evil.test/reset"},
    {"garbage is no hit", "\001\002\003 not mail at all", ""},
};

static char *
join_matched(const GPtrArray *m)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < m->len; i++)
		g_string_append_printf(s, "%s%s", i ? "|" : "", (const char *)m->pdata[i]);
	return g_string_free(s, FALSE);
}

static void
test_match_each_indicator_kind(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_ioc) ioc = bs_ioc_parse("t.json", IOC_ALL, strlen(IOC_ALL), &error);

	g_assert_no_error(error);
	for (size_t i = 0; i < G_N_ELEMENTS(match_cases); i++) {
		const struct match_case *c = &match_cases[i];
		bs_ioc_result r;
		g_autofree char *got = NULL;

		g_test_message("row %zu: %s", i, c->name);
		bs_ioc_match(ioc, c->raw, strlen(c->raw), &r);
		g_ptr_array_sort(r.matched, bs_hunt__cmp_names);
		got = join_matched(r.matched);
		if (strcmp(got, c->expect) != 0)
			g_error("row %zu (%s): got \"%s\", expected \"%s\"", i, c->name, got,
			        c->expect);
		bs_ioc_result_fini(&r);
	}
}

static void
test_match_reports_id_and_utc_date(void)
{
	const char *raw = "From: a@ok.test\nMessage-ID: <m1@ok.test>\n" HDR "\nhi\n";
	g_autoptr(bs_ioc) ioc = bs_ioc_parse("t.json", IOC_ALL, strlen(IOC_ALL), NULL);
	bs_ioc_result r;

	bs_ioc_match(ioc, raw, strlen(raw), &r);
	g_assert_cmpstr(r.message_id, ==, "<m1@ok.test>");
	g_assert_cmpstr(r.date, ==, "2026-03-02T07:00:00Z");
	g_assert_false(r.partial);
	bs_ioc_result_fini(&r);
}

static void
test_match_catastrophic_regex_is_cut_short(void)
{
	const char *json = "{\"version\":1,\"subjects\":[\"^(a|aa)+$\"]}";
	g_autoptr(bs_ioc) ioc = bs_ioc_parse("t.json", json, strlen(json), NULL);
	GString *raw = g_string_new("From: a@ok.test\nSubject: ");
	bs_ioc_result r;

	for (int i = 0; i < 4000; i++)
		g_string_append_c(raw, 'a');
	g_string_append(raw, "b\n\nhi\n");
	bs_ioc_match(ioc, raw->str, raw->len, &r);
	g_assert_cmpuint(r.matched->len, ==, 0);
	g_assert_true(r.partial);
	bs_ioc_result_fini(&r);
	g_string_free(raw, TRUE);
}

static const struct host_case {
	const char *url;
	const char *host; /* NULL: not a URL */
} host_cases[] = {
    {"https://Evil.Test/x", "evil.test"},
    {"http://user:pw@a.evil.test:8080/p?q#f", "a.evil.test"},
    {"https://evil.test.", "evil.test"},
    {"https://[::1]:443/", "[::1]"},
    {"mailto:a@b.test", NULL},
    {"://nohost", NULL},
    {"https:///path", NULL},
};

static void
test_url_host(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(host_cases); i++) {
		const struct host_case *c = &host_cases[i];
		g_autofree char *h = bs_hunt__url_host(c->url, strlen(c->url));

		g_test_message("row %zu: %s", i, c->url);
		g_assert_cmpstr(h, ==, c->host);
	}
	g_assert_true(bs_hunt__domain_covers("evil.test", "evil.test"));
	g_assert_true(bs_hunt__domain_covers("evil.test", "a.b.evil.test"));
	g_assert_false(bs_hunt__domain_covers("evil.test", "notevil.test"));
	g_assert_false(bs_hunt__domain_covers("evil.test", "evil.test.example"));
}

static const struct mbox_case {
	const char *text;
	size_t ends[4]; /* message end offsets, 0-terminated */
} mbox_cases[] = {
    {"From a\nx\n\nFrom b\ny\n", {10, 19, 0}},
    {"From a\nx\nFrom b\ny\n", {18, 0}},                 /* no empty line: one message */
    {"From a\r\nx\r\n\r\nFrom b\r\ny\r\n", {13, 24, 0}}, /* CRLF */
    {"From a\nx\n\n>From b\n\nFrom c\n", {19, 26, 0}},
    {"From a", {6, 0}},
};

static void
test_mbox_framing(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mbox_cases); i++) {
		const struct mbox_case *c = &mbox_cases[i];
		size_t len = strlen(c->text), start = 0, k = 0;

		g_test_message("row %zu", i);
		while (start < len) {
			size_t end = bs_hunt__mbox_end(c->text, len, start);

			g_assert_cmpuint(end, ==, c->ends[k]);
			k++;
			start = end;
		}
		g_assert_cmpuint(c->ends[k], ==, 0);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hunt/ioc/errors-name-place-and-field",
	                test_ioc_errors_name_place_and_field);
	g_test_add_func("/hunt/ioc/extra-fields-allowed-deep-nesting-refused",
	                test_ioc_extra_fields_allowed_and_deep_nesting_refused);
	g_test_add_func("/hunt/match/each-indicator-kind", test_match_each_indicator_kind);
	g_test_add_func("/hunt/match/reports-id-and-utc-date", test_match_reports_id_and_utc_date);
	g_test_add_func("/hunt/match/catastrophic-regex-is-cut-short",
	                test_match_catastrophic_regex_is_cut_short);
	g_test_add_func("/hunt/url/host-and-domain-cover", test_url_host);
	g_test_add_func("/hunt/mbox/framing-needs-empty-line", test_mbox_framing);
	return g_test_run();
}
