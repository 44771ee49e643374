/* breachscope audit verify [--json] */
#include "cli/cli.h"

#include <stdio.h>

#include "serve/serve.h"
#include "store/store.h"

int
cmd_audit(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *db = NULL;
	gboolean json = FALSE;
	bs_audit_report rep;
	GError *error = NULL;
	int st;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object", NULL}, {NULL}};

	st = bs_cli_parse(cli, entries, "verify",
	                  "Checks the e-service's hash-chained audit log and names the first "
	                  "broken entry. Exit 1 when the chain is broken.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc != 2 || strcmp(argv[1], "verify") != 0)
		return bs_cli_usage(cli, "the only action is \"verify\"");
	db = bs_workspace_path_dup(cli->workspace, BS_WORKSPACE_INDEX);
	if (!bs_audit_verify(db, &rep, &error))
		return bs_cli_fail(cli, error);
	if (json) {
		g_autoptr(bs_json) j = bs_json_new();

		bs_json_obj_begin(j, NULL);
		bs_json_bool(j, "intact", rep.broken_seq == 0);
		bs_json_int(j, "entries", rep.entries);
		if (rep.broken_seq) {
			bs_json_int(j, "first_broken", rep.broken_seq);
			bs_json_str(j, "reason", rep.reason);
		}
		bs_json_str(j, "head", rep.head);
		bs_json_obj_end(j);
		bs_json_print_line(j, stdout);
	} else if (rep.broken_seq) {
		printf("audit chain broken at entry %" G_GINT64_FORMAT ": %s\n", rep.broken_seq,
		       rep.reason);
	} else {
		printf("audit chain intact: %" G_GINT64_FORMAT " entries, head %s\n", rep.entries,
		       rep.head);
	}
	return rep.broken_seq ? BS_EXIT_FINDINGS : BS_EXIT_OK;
}
