/* breachscope report -w DIR [--json] [--html FILE] [--lang sv|en] [--scope FILE] */
#include "cli/cli.h"

#include <stdio.h>

#include "report/report.h"
#include "scope/scope.h"
#include "store/store.h"

/* --scope, else [incident] scope (relative to the workspace), else none. */
static bool
load_scope(bs_cli *cli, const char *given, bs_scope **out, GError **error)
{
	const bs_config *cfg = bs_workspace_config(cli->workspace);
	g_autofree char *path = NULL;

	*out = NULL;
	if (given)
		path = g_strdup(given);
	else if (cfg->incident_scope && g_path_is_absolute(cfg->incident_scope))
		path = g_strdup(cfg->incident_scope);
	else if (cfg->incident_scope)
		path =
		    g_build_filename(bs_workspace_dir(cli->workspace), cfg->incident_scope, NULL);
	return !path || bs_scope_load(path, out, error);
}

static bool
write_html(const bs_report *r, const char *path, const char *lang, GError **error)
{
	size_t len = 0;
	g_autofree char *html = bs_report_html_dup(r, lang, &len);
	g_autoptr(GError) e = NULL;

	if (g_file_set_contents(path, html, (gssize)len, &e))
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", path, e->message);
	return false;
}

static void
print_report(const bs_report *r, bool json, const char *lang)
{
	if (json) {
		g_autoptr(bs_json) j = bs_json_new();

		bs_report_write_json(r, NULL, j);
		bs_json_print_line(j, stdout);
	} else {
		g_autofree char *text = bs_report_text_dup(r, lang);

		fputs(text, stdout);
	}
}

int
cmd_report(bs_cli *cli, int argc, char **argv)
{
	gboolean json = FALSE;
	g_autofree char *html = NULL, *lang = NULL, *scope_path = NULL;
	g_autoptr(bs_scope) scope = NULL;
	g_autoptr(bs_report) r = NULL;
	GError *error = NULL;
	int st;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object", NULL},
	    {"html", 0, 0, G_OPTION_ARG_FILENAME, &html, "write the HTML report to FILE", "FILE"},
	    {"lang", 0, 0, G_OPTION_ARG_STRING, &lang, "sv or en (default en)", "LANG"},
	    {"scope", 0, 0, G_OPTION_ARG_FILENAME, &scope_path,
	     "the scope file (default: [incident] scope)", "FILE"},
	    {NULL}};

	st =
	    bs_cli_parse(cli, entries, NULL,
	                 "The breach report: figures for the authority (GDPR Art. 33), people "
	                 "counted once, the high-risk list, coverage. Exit 1 when exposed messages "
	                 "were not fully read.",
	                 &argc, &argv);
	if (st >= 0)
		return st;
	if (argc > 1)
		return bs_cli_usage(cli, "unexpected argument \"%s\"", argv[1]);
	if (lang && strcmp(lang, "sv") != 0 && strcmp(lang, "en") != 0)
		return bs_cli_usage(cli, "--lang must be sv or en");
	if (!load_scope(cli, scope_path, &scope, &error))
		return bs_cli_fail(cli, error);
	r = bs_report_build(bs_workspace_store(cli->workspace), bs_workspace_config(cli->workspace),
	                    scope, &error);
	if (!r)
		return bs_cli_fail(cli, error);
	if (html && !write_html(r, html, lang ? lang : "en", &error))
		return bs_cli_fail(cli, error);
	print_report(r, json, lang ? lang : "en");
	return bs_report_incomplete(r) ? BS_EXIT_FINDINGS : BS_EXIT_OK;
}
