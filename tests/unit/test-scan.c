/* Unit tests for scan: the mailbox-owner rule. The scan itself is tested
 * end to end by tests/cli/test-scan.sh (accuracy, resume, idempotence). */
#include "scan/scan.h"

#include <stdio.h>

#ifdef BS_HAVE_SCAN

static const struct owner_case {
	const char *path;
	const char *expect;
} owner_cases[] = {
    {"mail/anna.lindberg", "anna.lindberg"},  {"mail/anna.lindberg/", "anna.lindberg"},
    {"/exports/bo.strand.mbox", "bo.strand"}, {"/exports/bo.strand.MBOX", "bo.strand"},
    {"/exports/cecilia/Maildir", "cecilia"},  {"/home/david/mail/", "david"},
    {"one-message.eml", "one-message"},       {"inbox", "inbox"},
};

static void
test_owner_from_path(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(owner_cases); i++) {
		g_autofree char *got = bs_scan_owner_dup(NULL, owner_cases[i].path);

		g_test_message("row %zu (%s)", i, owner_cases[i].path);
		g_assert_cmpstr(got, ==, owner_cases[i].expect);
	}
}

static void
test_owner_from_scope_mapping(void)
{
	static const char scope_json[] =
	    "{\"version\":1,\"accounts\":[{\"account\":\"anna@kommun.example\","
	    "\"mailboxes\":[\"exports/a1\"],\"windows\":[],\"items\":[],\"evidence\":[]}],"
	    "\"throttled\":[]}";
	g_autoptr(bs_scope) scope = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *mapped = NULL;
	g_autofree char *unmapped = NULL;

	g_assert_true(
	    bs_scope_load_data("scope.json", scope_json, strlen(scope_json), &scope, &error));
	g_assert_no_error(error);
	mapped = bs_scan_owner_dup(scope, "exports/a1");
	unmapped = bs_scan_owner_dup(scope, "exports/b2.mbox");
	g_assert_cmpstr(mapped, ==, "anna@kommun.example");
	g_assert_cmpstr(unmapped, ==, "b2");
}

#endif

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#ifndef BS_HAVE_SCAN
	puts("1..0 # SKIP no detect module in this build: scan is not built");
	return 0;
#else
	g_test_add_func("/scan/owner/from-path", test_owner_from_path);
	g_test_add_func("/scan/owner/from-scope-mapping", test_owner_from_scope_mapping);
	return g_test_run();
#endif
}
