/* Unit tests for scope: loading, validation errors with their place, grading
 * precedence, mailbox mapping, times. */
#include "scope/scope.h"

#include "base/base.h"

static const char good_scope[] =
    "{\"version\": 1,\n"
    " \"accounts\": [\n"
    "  {\"account\": \"Anna@Kommun.example\",\n"
    "   \"mailboxes\": [\"mail/anna\", \"imaps://imap.kommun.example/anna\"],\n"
    "   \"windows\": [{\"from\": \"2024-03-05T10:00:00Z\", \"to\": \"2024-03-07T12:00:00Z\"}],\n"
    "   \"items\": [{\"message_id\": \"<a1@x.example>\", \"grade\": \"accessed\"},\n"
    "             {\"message_id\": \"s1@x.example\", \"grade\": \"synced\"}],\n"
    "   \"folders\": [{\"folder\": \"\\\\Inkorgen\\\\Projekt\", \"grade\": \"synced\",\n"
    "                \"from\": \"2024-03-05T11:00:00Z\", \"to\": \"2024-03-05T11:30:00Z\"}],\n"
    "   \"evidence\": [{\"rule\": \"ioc-ip\", \"time\": \"2024-03-05T10:00:00Z\",\n"
    "                  \"ip\": \"203.0.113.7\", \"record\": \"r1\"}]},\n"
    "  {\"account\": \"bo@kommun.example\", \"mailboxes\": [\"mail/bo/\"],\n"
    "   \"windows\": [{\"from\": \"2024-03-06T08:00:00Z\", \"to\": null}],\n"
    "   \"items\": [], \"evidence\": []},\n"
    "  {\"account\": \"cia@kommun.example\", \"mailboxes\": [],\n"
    "   \"windows\": [], \"items\": [], \"evidence\": [], \"extra\": {\"a\": [1, 2]}}\n"
    " ],\n"
    " \"throttled\": [{\"account\": \"cia@kommun.example\",\n"
    "                \"from\": \"2024-03-06T09:00:00Z\", \"to\": \"2024-03-07T00:00:00Z\"}]\n"
    "}\n";

static bs_scope *
load_good(void)
{
	GError *error = NULL;
	bs_scope *s = NULL;

	g_assert_true(bs_scope_load_data("scope.json", good_scope, strlen(good_scope), &s, &error));
	g_assert_no_error(error);
	return s;
}

static int64_t
t(const char *iso)
{
	int64_t us = 0;

	g_assert_true(bs_scope_time_parse(iso, &us));
	return us;
}

static const struct grade_case {
	const char *who;
	const char *message_id;
	const char *date; /* NULL: unknown */
	const char *folder;
	bs_grade expect;
} grade_cases[] = {
    /* named items win whatever the date and folder */
    {"anna@kommun.example", "<a1@x.example>", "2030-01-01T00:00:00Z", NULL, BS_GRADE_ACCESSED},
    {"ANNA@kommun.example", "a1@x.example", "2024-03-06T00:00:00Z", "Inbox", BS_GRADE_ACCESSED},
    {"anna@kommun.example", "<s1@x.example>", "2030-01-01T00:00:00Z", NULL, BS_GRADE_SYNCED},
    /* synced folder: before its last sync only */
    {"anna@kommun.example", "<n@x>", "2024-03-05T11:29:00Z", "INBOX/Projekt", BS_GRADE_SYNCED},
    {"anna@kommun.example", "<n@x>", "2020-01-01T00:00:00Z", ".Inkorgen.Projekt", BS_GRADE_SYNCED},
    {"anna@kommun.example", "<n@x>", "2024-03-05T11:31:00Z", "Inbox/Projekt", BS_GRADE_WINDOW},
    {"anna@kommun.example", "<n@x>", "2024-03-05T11:00:00Z", "Projekt", BS_GRADE_WINDOW},
    /* windows: everything the mailbox held before the window closed */
    {"anna@kommun.example", "<n@x>", "2019-06-01T00:00:00Z", NULL, BS_GRADE_WINDOW},
    {"anna@kommun.example", "<n@x>", "2024-03-07T12:00:00Z", NULL, BS_GRADE_WINDOW},
    {"anna@kommun.example", "<n@x>", "2024-03-07T12:00:01Z", NULL, BS_GRADE_NONE},
    {"anna@kommun.example", NULL, NULL, NULL, BS_GRADE_WINDOW},
    /* by mailbox path */
    {"mail/anna", "<a1@x.example>", NULL, NULL, BS_GRADE_ACCESSED},
    {"./mail/anna/cur/123:2,S", "<n@x>", "2024-03-01T00:00:00Z", NULL, BS_GRADE_WINDOW},
    {"mail/annabel", "<a1@x.example>", NULL, NULL, BS_GRADE_NONE},
    {"mail/bo", "<n@x>", "2031-01-01T00:00:00Z", NULL, BS_GRADE_WINDOW}, /* open */
    /* throttled periods are windows for the whole mailbox */
    {"cia@kommun.example", "<n@x>", "2024-03-06T23:00:00Z", NULL, BS_GRADE_WINDOW},
    {"cia@kommun.example", "<n@x>", "2024-03-07T00:00:01Z", NULL, BS_GRADE_NONE},
    /* unknown accounts and paths */
    {"dan@kommun.example", "<a1@x.example>", NULL, NULL, BS_GRADE_NONE},
    {"mail/dan", "<a1@x.example>", NULL, NULL, BS_GRADE_NONE},
    {NULL, "<a1@x.example>", NULL, NULL, BS_GRADE_NONE},
};

static void
test_grade_precedence_table(void)
{
	g_autoptr(bs_scope) s = load_good();

	for (size_t i = 0; i < G_N_ELEMENTS(grade_cases); i++) {
		const struct grade_case *c = &grade_cases[i];
		int64_t date = c->date ? t(c->date) : BS_SCOPE_DATE_UNKNOWN;

		g_test_message("row %zu: %s", i, c->who ? c->who : "(null)");
		g_assert_cmpstr(
		    bs_grade_name(bs_scope_grade(s, c->who, c->message_id, date, c->folder)), ==,
		    bs_grade_name(c->expect));
	}
}

static void
test_grade_without_scope_is_window(void)
{
	g_assert_cmpint(bs_scope_grade(NULL, "x", "<a@b>", 0, NULL), ==, BS_GRADE_WINDOW);
}

static void
test_mailboxes_for_account(void)
{
	g_autoptr(bs_scope) s = load_good();
	const char *const *m = bs_scope_mailboxes_for(s, "anna@KOMMUN.example");

	g_assert_nonnull(m);
	g_assert_cmpstr(m[0], ==, "mail/anna");
	g_assert_cmpstr(m[1], ==, "imaps://imap.kommun.example/anna");
	g_assert_null(m[2]);
	m = bs_scope_mailboxes_for(s, "cia@kommun.example");
	g_assert_nonnull(m);
	g_assert_null(m[0]);
	g_assert_null(bs_scope_mailboxes_for(s, "dan@kommun.example"));
	g_assert_cmpstr(bs_scope_account_for_path(s, "mail/bo/new/1"), ==, "bo@kommun.example");
	g_assert_null(bs_scope_account_for_path(s, "mail/b"));
	g_assert_cmpuint(bs_scope_account_count(s), ==, 3);
	g_assert_cmpstr(bs_scope_account_name(s, 0), ==, "Anna@Kommun.example");
}

static const struct error_case {
	const char *text;
	const char *expect; /* the whole error message */
} error_cases[] = {
    {"{\"version\":1,\n \"accounts\":[],\n \"throttled\":[],\n \"x\":1,\"x\":2}",
     "scope.json:4:10: duplicate object key near '\"x\"'"},
    {"{\"version\":2, \"accounts\":[], \"throttled\":[]}",
     "scope.json:1:12: \"version\" 2 is not supported (only 1)"},
    {"[1]", "scope.json:1:1: the scope is not a JSON object"},
    {"{\"version\":1, \"throttled\":[]}", "scope.json:1:1: \"accounts\" is missing"},
    {"{\"version\":1, \"accounts\":{}, \"throttled\":[]}",
     "scope.json:1:26: \"accounts\" is not an array"},
    {"{\"version\":1, \"accounts\":[\n  {\"account\":\"a@b\", \"mailboxes\":[],\n"
     "   \"windows\":[{\"from\":\"2024-03-05T10:00:00Z\",\"to\":null},\n"
     "              {\"from\":\"5 March\", \"to\":null}],\n"
     "   \"items\":[], \"evidence\":[]}], \"throttled\":[]}",
     "scope.json:4:23: \"from\" is not an RFC 3339 time"},
    {"{\"version\":1, \"accounts\":[{\"account\":\"a@b\", \"mailboxes\":[],\n"
     " \"windows\":[{\"from\":\"2024-03-05T10:00:00Z\",\"to\":\"2024-03-04T10:00:00Z\"}],\n"
     " \"items\":[], \"evidence\":[]}], \"throttled\":[]}",
     "scope.json:2:49: \"to\" is before \"from\""},
    {"{\"version\":1, \"accounts\":[{\"account\":\"a@b\", \"mailboxes\":[3],\n"
     " \"windows\":[], \"items\":[], \"evidence\":[]}], \"throttled\":[]}",
     "scope.json:1:58: element 0 of \"mailboxes\" is not a string"},
    {"{\"version\":1, \"accounts\":[{\"account\":\"a@b\", \"mailboxes\":[],\n"
     " \"windows\":[], \"items\":[{\"message_id\":\"<x>\",\"grade\":\"window\"}],\n"
     " \"evidence\":[]}], \"throttled\":[]}",
     "scope.json:2:53: \"grade\" is not \"accessed\" or \"synced\""},
    {"{\"version\":1, \"accounts\":[{\"account\":\"a@b\", \"mailboxes\":[],\n"
     " \"windows\":[], \"items\":[]}], \"throttled\":[]}",
     "scope.json:1:27: \"evidence\" is missing"},
    {"{\"version\":1, \"accounts\":[{\"account\":\"a@b\", \"mailboxes\":[],\n"
     " \"windows\":[], \"items\":[], \"evidence\":[{\"time\":null}]}], \"throttled\":[]}",
     "scope.json:2:40: \"rule\" is missing"},
    {"{\"version\":1, \"accounts\":[], \"throttled\":[{\"account\":\"a@b\",\n"
     "  \"from\":\"2024-03-05T10:00:00Z\", \"to\":null}]}",
     "scope.json:2:39: \"to\" is not a string"},
    {"{\"version\":1, \"accounts\":[{\"account\":\"\", \"mailboxes\":[],\n"
     " \"windows\":[], \"items\":[], \"evidence\":[]}], \"throttled\":[]}",
     "scope.json:1:38: \"account\" is empty"},
    {"{\"version\":1, \"accounts\":[", "scope.json:1:26: ']' expected near end of file"},
};

static void
test_errors_point_at_the_field(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		GError *error = NULL;
		bs_scope *s = NULL;

		g_test_message("row %zu", i);
		g_assert_false(
		    bs_scope_load_data("scope.json", c->text, strlen(c->text), &s, &error));
		g_assert_null(s);
		g_assert_error(error, BS_ERROR, BS_ERROR_PARSE);
		g_assert_cmpstr(error->message, ==, c->expect);
		g_error_free(error);
	}
}

static void
test_load_missing_file_names_it(void)
{
	GError *error = NULL;
	bs_scope *s = NULL;

	g_assert_false(bs_scope_load("/nonexistent/scope.json", &s, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_IO);
	g_assert_nonnull(strstr(error->message, "/nonexistent/scope.json"));
	g_error_free(error);
}

static const struct time_case {
	const char *in;
	bool ok;
	const char *out;
} time_cases[] = {
    {"2024-03-05T10:11:12Z", true, "2024-03-05T10:11:12Z"},
    {"2024-03-05T11:11:12+01:00", true, "2024-03-05T10:11:12Z"},
    {"2024-03-05T10:11:12.5Z", true, "2024-03-05T10:11:12Z"},
    {"2024-03-05T10:11:12", true, "2024-03-05T10:11:12Z"},
    {"1969-12-31T23:59:59.5Z", true, "1969-12-31T23:59:59Z"},
    {"2024-02-30T10:11:12Z", false, NULL},
    {"2024-065T10:11:12Z", false, NULL},
    {"5 March 2024", false, NULL},
    {"", false, NULL},
};

static void
test_time_parse_and_format(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(time_cases); i++) {
		const struct time_case *c = &time_cases[i];
		char buf[BS_SCOPE_TIME_LEN];
		int64_t us = 0;

		g_test_message("row %zu: %s", i, c->in);
		g_assert_cmpint(bs_scope_time_parse(c->in, &us), ==, c->ok);
		if (c->ok)
			g_assert_cmpstr(bs_scope_time_format(us, buf, sizeof buf), ==, c->out);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/scope/grade/precedence", test_grade_precedence_table);
	g_test_add_func("/scope/grade/no-scope-is-window", test_grade_without_scope_is_window);
	g_test_add_func("/scope/mailboxes/for-account-and-path", test_mailboxes_for_account);
	g_test_add_func("/scope/load/errors-point-at-the-field", test_errors_point_at_the_field);
	g_test_add_func("/scope/load/missing-file-named", test_load_missing_file_names_it);
	g_test_add_func("/scope/time/parse-and-format", test_time_parse_and_format);
	return g_test_run();
}
