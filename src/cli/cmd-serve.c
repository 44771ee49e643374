/* breachscope serve -w DIR [--listen ADDR:PORT] [--dev-login] [--threads N] */
#include "cli/cli.h"

#include <stdio.h>

#include "serve/serve.h"
#include "store/store.h"

int
cmd_serve(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *listen = NULL;
	g_autofree char *db_path = NULL;
	g_autofree char *index = NULL;
	g_autoptr(bs_server) srv = NULL;
	gboolean dev_login = FALSE;
	int threads = 0;
	bs_serve_settings s;
	GError *error = NULL;
	int st;
	const GOptionEntry entries[] = {
	    {"listen", 0, 0, G_OPTION_ARG_STRING, &listen,
	     "address and port, e.g. 127.0.0.1:8080 (default from [serve] listen)", "ADDR:PORT"},
	    {"dev-login", 0, 0, G_OPTION_ARG_NONE, &dev_login,
	     "demo only: synthetic residents instead of e-ID; loopback only", NULL},
	    {"threads", 0, 0, G_OPTION_ARG_INT, &threads, "worker threads (default [serve])", "N"},
	    {NULL}};

	st = bs_cli_parse(cli, entries, NULL,
	                  "Runs the resident e-service and the DPO desk over the index until "
	                  "SIGTERM or SIGINT.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc != 1)
		return bs_cli_usage(cli, "unexpected argument \"%s\"", argv[1]);
	db_path = bs_workspace_path_dup(cli->workspace, BS_WORKSPACE_INDEX);
	bs_serve_settings_from_config(&s, bs_workspace_config(cli->workspace));
	s.workspace_dir = bs_workspace_dir(cli->workspace);
	s.db_path = db_path;
	index = bs_workspace_index_dup(cli->workspace);
	s.index = index;
	s.dev_login = dev_login;
	if (listen)
		s.listen = listen;
	if (threads > 0)
		s.threads = threads;
	bs_server_block_signals();
	srv = bs_server_new(&s, bs_workspace_key(cli->workspace), &error);
	if (!srv)
		return bs_cli_fail(cli, error);
	fprintf(stderr, "breachscope serve: listening on port %u%s\n", bs_server_port(srv),
	        dev_login ? " (test mode: --dev-login)" : "");
	bs_server_wait(srv);
	fprintf(stderr, "breachscope serve: stopping\n");
	return BS_EXIT_OK;
}
