/* breachscope admin add USER  (password: first line of standard input) */
#include "cli/cli.h"

#include <stdio.h>

#include <sodium.h>

#include "serve/serve.h"
#include "store/store.h"

#define PASSWORD_MAX 1024

int
cmd_admin(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *db = NULL;
	char password[PASSWORD_MAX];
	GError *error = NULL;
	const GOptionEntry entries[] = {{NULL}};
	bool ok;
	int st;

	st = bs_cli_parse(cli, entries, "add USER",
	                  "Creates (or resets) a DPO desk account; reads the password, at least "
	                  "12 characters, from the first line of standard input.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc != 3 || strcmp(argv[1], "add") != 0)
		return bs_cli_usage(cli, "expected: add USER");
	if (!fgets(password, sizeof password, stdin))
		return bs_cli_usage(cli, "no password on standard input");
	password[strcspn(password, "\r\n")] = '\0';
	db = bs_workspace_path_dup(cli->workspace, BS_WORKSPACE_INDEX);
	ok = bs_admin_add(db, argv[2], password, &error) &&
	     bs_audit_append(db, "cli", "admin.add", "", argv[2], &error);
	sodium_memzero(password, sizeof password);
	if (!ok)
		return bs_cli_fail(cli, error);
	return BS_EXIT_OK;
}
