/* cli: the thin front-end. main.c finds the command in its table, opens
 * the workspace in the mode the table names, runs it and maps the result
 * to the exit status. Commands parse options, call the library, print. */
#ifndef BS_CLI_H
#define BS_CLI_H

#include <stdbool.h>

#include <glib.h>

#include "base/base.h"
#include "base/json.h"

typedef enum {
	BS_NEED_NONE = 0,
	BS_NEED_WORKSPACE_RO,
	BS_NEED_WORKSPACE_RW,
} bs_need;

typedef struct bs_cli {
	const char *prog;               /* "breachscope" */
	const char *command;            /* the command's name */
	const char *workspace_dir;      /* -w DIR, else $BREACHSCOPE_WORKSPACE, else "." */
	bool workspace_given;           /* -w was on the command line */
	struct bs_workspace *workspace; /* opened by main for BS_NEED_WORKSPACE_*; owned by main */
} bs_cli;

typedef int bs_cmd_fn(bs_cli *cli, int argc, char **argv);

/* Prints "breachscope COMMAND: message" for error to stderr, frees it and
 * returns the exit status from the error table. */
int bs_cli_fail(bs_cli *cli, GError *error);

/* Prints a usage error and returns BS_EXIT_FATAL. */
int bs_cli_usage(bs_cli *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Parses argv with entries; handles --help (exit 0). Returns -1 to go on,
 * else the exit status to return. */
int bs_cli_parse(bs_cli *cli, const GOptionEntry *entries, const char *params, const char *summary,
                 int *argc, char ***argv);

bs_cmd_fn cmd_admin, cmd_apikey, cmd_audit, cmd_detect, cmd_hunt, cmd_ident, cmd_init, cmd_lookup,
    cmd_serve, cmd_signins, cmd_stats, cmd_vault;
bs_cmd_fn cmd_notify_list, cmd_report; /* report module */
bs_cmd_fn cmd_scan;                    /* scan module */

#endif
