/* breachscope apikey add NAME | list | revoke NAME */
#include "cli/cli.h"

#include <stdio.h>

#include "serve/serve.h"
#include "store/store.h"

static int
apikey_add(bs_cli *cli, const char *db, const char *name)
{
	g_autofree char *key = NULL;
	GError *error = NULL;

	if (!bs_apikey_add(db, name, &key, &error) ||
	    !bs_audit_append(db, "cli", "apikey.add", "", name, &error))
		return bs_cli_fail(cli, error);
	printf("%s\n", key);
	fprintf(stderr, "breachscope apikey: key \"%s\" added; it is shown only this once\n", name);
	return BS_EXIT_OK;
}

static int
apikey_list(bs_cli *cli, const char *db)
{
	g_autoptr(bs_json) j = bs_json_new();
	GError *error = NULL;

	if (!bs_apikey_list(db, j, &error))
		return bs_cli_fail(cli, error);
	bs_json_print_line(j, stdout);
	return BS_EXIT_OK;
}

static int
apikey_revoke(bs_cli *cli, const char *db, const char *name)
{
	GError *error = NULL;

	if (!bs_apikey_revoke(db, name, &error) ||
	    !bs_audit_append(db, "cli", "apikey.revoke", "", name, &error))
		return bs_cli_fail(cli, error);
	return BS_EXIT_OK;
}

int
cmd_apikey(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *db = NULL;
	const GOptionEntry entries[] = {{NULL}};
	int st;

	st = bs_cli_parse(cli, entries, "add NAME | list | revoke NAME",
	                  "Keys for POST /api/v1/lookup. add prints a new key once and stores "
	                  "only its hash; list prints JSON; revoke stops a key.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc < 2)
		return bs_cli_usage(cli, "no action given");
	db = bs_workspace_path_dup(cli->workspace, BS_WORKSPACE_INDEX);
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return apikey_list(cli, db);
	if (argc != 3)
		return bs_cli_usage(cli, "\"%s\" needs exactly one NAME", argv[1]);
	if (strcmp(argv[1], "add") == 0)
		return apikey_add(cli, db, argv[2]);
	if (strcmp(argv[1], "revoke") == 0)
		return apikey_revoke(cli, db, argv[2]);
	return bs_cli_usage(cli, "unknown action \"%s\"", argv[1]);
}
