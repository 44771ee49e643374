/* breachscope vault keygen --out FILE */
#include "cli/cli.h"

#include <stdio.h>

#include "crypto/crypto.h"

static int
vault_keygen(bs_cli *cli, const char *out)
{
	g_autofree char *pub_path = g_strconcat(out, ".pub", NULL);
	g_autofree char *pub = NULL;
	g_autofree char *line = NULL;
	GError *error = NULL;

	if (g_file_test(pub_path, G_FILE_TEST_EXISTS))
		return bs_cli_usage(cli, "\"%s\" exists already", pub_path);
	pub = bs_vault_keygen(out, &error);
	if (!pub)
		return bs_cli_fail(cli, error);
	line = g_strconcat(pub, "\n", NULL);
	if (!g_file_set_contents(pub_path, line, -1, &error))
		return bs_cli_fail(cli, error);
	printf("%s\n", pub);
	fprintf(stderr,
	        "secret key written to \"%s\" (mode 0600): keep it off the workspace machine\n"
	        "public key written to \"%s\": give it to breachscope init --vault-pubkey\n",
	        out, pub_path);
	return BS_EXIT_OK;
}

int
cmd_vault(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *out = NULL;
	int st;
	const GOptionEntry entries[] = {
	    {"out", 0, 0, G_OPTION_ARG_FILENAME, &out,
	     "secret key file to create (mode 0600); the public key goes to FILE.pub", "FILE"},
	    {NULL}};

	st = bs_cli_parse(cli, entries, "keygen",
	                  "keygen: makes the DPO's vault key pair and prints the public key.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc != 2 || strcmp(argv[1], "keygen") != 0)
		return bs_cli_usage(cli, "the only action is keygen");
	if (!out)
		return bs_cli_usage(cli, "keygen needs --out FILE");
	return vault_keygen(cli, out);
}
