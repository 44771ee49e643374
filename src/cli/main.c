/* breachscope: one binary, one subcommand per pipeline stage. */
#include "cli/cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

struct bs_command {
	const char *name;
	bs_cmd_fn *fn;
	bs_need need;
	const char *help;
};

static const struct bs_command commands[] = {
    /* sorted by name */
    {"admin", cmd_admin, BS_NEED_WORKSPACE_RW, "DPO desk accounts: add USER"},
    {"apikey", cmd_apikey, BS_NEED_WORKSPACE_RW, "keys for the lookup API: add, list, revoke"},
    {"audit", cmd_audit, BS_NEED_WORKSPACE_RO, "check the e-service audit chain: verify"},
    {"detect", cmd_detect, BS_NEED_NONE, "find identifiers and sensitive terms in text"},
    {"hunt", cmd_hunt, BS_NEED_NONE, "find and quarantine phishing mail"},
    {"ident", cmd_ident, BS_NEED_NONE, "parse and validate identifiers"},
    {"init", cmd_init, BS_NEED_NONE, "create a workspace (config, pseudonym key, index)"},
    {"lookup", cmd_lookup, BS_NEED_WORKSPACE_RO, "is a person in the index? (pnr, e-mail, phone)"},
    {"notify-list", cmd_notify_list, BS_NEED_WORKSPACE_RW,
     "plaintext list and letters for Art. 34 (DPO's vault key)"},
    {"report", cmd_report, BS_NEED_WORKSPACE_RO,
     "the breach report: figures, high risk, IMY draft"},
#ifdef BS_HAVE_SCAN /* built once detect is in the tree */
    {"scan", cmd_scan, BS_NEED_WORKSPACE_RW, "index exposed mail (mbox, Maildir, .eml)"},
#endif
    {"serve", cmd_serve, BS_NEED_WORKSPACE_RW, "the resident e-service and the DPO desk"},
    {"signins", cmd_signins, BS_NEED_NONE,
     "compromised accounts and windows from sign-in and audit logs"},
    {"stats", cmd_stats, BS_NEED_WORKSPACE_RO, "counts of messages, subjects, occurrences"},
    {"vault", cmd_vault, BS_NEED_NONE, "vault keys: keygen for the DPO"},
};

static void
print_usage(FILE *fp)
{
	fprintf(fp, "Usage: breachscope [--version] [--help] COMMAND [OPTIONS] [ARGS]\n\n"
	            "After a phishing breach: find out whose personal data was exposed.\n\n"
	            "Commands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(fp, "  %-12s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "\nRun 'breachscope COMMAND --help' for a command's options.\n"
	            "Exit status: 0 ok, 1 findings or partial, 2 usage or fatal error.\n");
}

static const struct bs_command *
find_command(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Takes -w DIR / --workspace DIR / --workspace=DIR out of argv. */
static bool
take_workspace(bs_cli *cli, int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-w") == 0 || strcmp(a, "--workspace") == 0) {
			if (i + 1 >= *argc)
				return false;
			cli->workspace_dir = argv[++i];
			cli->workspace_given = true;
			continue;
		}
		if (g_str_has_prefix(a, "--workspace=")) {
			cli->workspace_dir = a + strlen("--workspace=");
			cli->workspace_given = true;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return true;
}

/* Opens the workspace in the mode the table names, unless the command only
 * prints its help (which must work outside a workspace). */
static int
run_in_workspace(const struct bs_command *cmd, bs_cli *cli, int argc, char **argv)
{
	g_autoptr(bs_workspace) ws = NULL;
	GError *error = NULL;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cmd->fn(cli, argc, argv);
	if (cmd->need != BS_NEED_NONE) {
		ws = bs_workspace_open(cli->workspace_dir, cmd->need == BS_NEED_WORKSPACE_RW,
		                       &error);
		if (!ws)
			return bs_cli_fail(cli, error);
		cli->workspace = ws;
	}
	return cmd->fn(cli, argc, argv);
}

static int
run_command(const struct bs_command *cmd, bs_cli *cli, int argc, char **argv)
{
	const char *env = g_getenv("BREACHSCOPE_WORKSPACE");
	static char prgname[64];

	cli->command = cmd->name;
	g_snprintf(prgname, sizeof prgname, "breachscope %s", cmd->name);
	g_set_prgname(prgname); /* GOption prints "Usage: breachscope NAME" from this */
	if (!take_workspace(cli, &argc, argv))
		return bs_cli_usage(cli, "option -w needs a directory");
	if (!cli->workspace_given)
		cli->workspace_dir = env && *env ? env : ".";
	return run_in_workspace(cmd, cli, argc, argv);
}

int
main(int argc, char **argv)
{
	bs_cli cli = {.prog = "breachscope"};
	const struct bs_command *cmd;

	setlocale(LC_ALL, "C.UTF-8");
	if (argc < 2) {
		print_usage(stderr);
		return BS_EXIT_FATAL;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return BS_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("breachscope %s\n", BS_VERSION);
		return BS_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "breachscope: unknown command \"%s\" (see breachscope --help)\n",
		        argv[1]);
		return BS_EXIT_FATAL;
	}
	return run_command(cmd, &cli, argc - 1, argv + 1);
}
