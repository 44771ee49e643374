#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>

int
bs_cli_fail(bs_cli *cli, GError *error)
{
	int status = BS_EXIT_FATAL;

	if (error) {
		if (error->domain == BS_ERROR)
			status = bs_error_exit_status(error->code);
		fprintf(stderr, "%s %s: %s\n", cli->prog, cli->command ? cli->command : "",
		        error->message);
		g_error_free(error);
	}
	return status;
}

int
bs_cli_usage(bs_cli *cli, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s (see %s %s --help)\n", cli->prog,
	        cli->command ? cli->command : "", msg, cli->prog, cli->command ? cli->command : "");
	return BS_EXIT_FATAL;
}

int
bs_cli_parse(bs_cli *cli, const GOptionEntry *entries, const char *params, const char *summary,
             int *argc, char ***argv)
{
	g_autoptr(GOptionContext) ctx = NULL;
	g_autofree char *title = g_strdup(params ? params : "");
	GError *error = NULL;

	ctx = g_option_context_new(title);
	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		int st = bs_cli_usage(cli, "%s", error->message);

		g_error_free(error);
		return st;
	}
	return -1;
}
