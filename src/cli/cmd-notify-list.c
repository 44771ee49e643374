/* breachscope notify-list -w DIR --vault-key FILE --out FILE.csv [--force]
 *                         [--letters DIR [--template FILE] [--lang sv|en]] */
#include "cli/cli.h"

#include <stdio.h>

#include "report/report.h"
#include "serve/serve.h"
#include "store/store.h"

/* The e-service's hash-chained audit log records the export before any
 * plaintext is written; no identifier goes into it, only counts. */
static bool
audit_export(int64_t identifiers, int64_t persons, void *user, GError **error)
{
	const char *db = user;
	g_autofree char *detail = g_strdup_printf(
	    "%" G_GINT64_FORMAT " identifiers, %" G_GINT64_FORMAT " persons", identifiers, persons);

	return bs_audit_append(db, "cli", "notify-list.export", "", detail, error);
}

typedef struct {
	char *key, *out, *letters, *tmpl_path, *lang;
	gboolean force;
} notify_args;

static void
args_clear(notify_args *a)
{
	g_free(a->key);
	g_free(a->out);
	g_free(a->letters);
	g_free(a->tmpl_path);
	g_free(a->lang);
}

static int
run(bs_cli *cli, const notify_args *a)
{
	g_autofree char *db = bs_workspace_path_dup(cli->workspace, BS_WORKSPACE_INDEX);
	g_autofree char *tmpl = NULL;
	g_autoptr(bs_vault_secret) sk = NULL;
	bs_notify_options o = {a->out,       a->force, a->letters, NULL, a->lang ? a->lang : "en",
	                       audit_export, db};
	bs_notify_summary sum;
	GError *error = NULL;
	size_t len = 0;

	if (a->tmpl_path &&
	    !bs_file_read(a->tmpl_path, BS_LIMIT_TEMPLATE_BYTES, &tmpl, &len, &error))
		return bs_cli_fail(cli, error);
	o.template_text = tmpl;
	sk = bs_vault_secret_load(a->key, &error);
	if (!sk)
		return bs_cli_fail(cli, error);
	if (!bs_report_notify_list(bs_workspace_store(cli->workspace),
	                           bs_workspace_config(cli->workspace), sk, &o, &sum, &error))
		return bs_cli_fail(cli, error);
	printf("wrote %" G_GINT64_FORMAT " identifiers to %s", sum.identifiers, a->out);
	if (a->letters)
		printf(", %" G_GINT64_FORMAT " letters to %s", sum.persons, a->letters);
	printf("\n");
	if (sum.protected)
		printf("%" G_GINT64_FORMAT
		       " letters are for people with a protected identity: they "
		       "are in %s/skatteverket and go through Skatteverket, not by post\n",
		       sum.protected, a->letters);
	if (sum.missing)
		printf("%" G_GINT64_FORMAT " exposed identifiers have no vault entry and are not "
		       "in the list\n",
		       sum.missing);
	return sum.missing ? BS_EXIT_FINDINGS : BS_EXIT_OK;
}

int
cmd_notify_list(bs_cli *cli, int argc, char **argv)
{
	notify_args a = {0};
	int st;
	const GOptionEntry entries[] = {
	    {"vault-key", 0, 0, G_OPTION_ARG_FILENAME, &a.key,
	     "the DPO's private key (breachscope vault keygen)", "FILE"},
	    {"out", 0, 0, G_OPTION_ARG_FILENAME, &a.out, "the CSV to write (mode 0600)", "FILE"},
	    {"force", 0, 0, G_OPTION_ARG_NONE, &a.force, "replace an existing list or letters",
	     NULL},
	    {"letters", 0, 0, G_OPTION_ARG_FILENAME, &a.letters,
	     "also write one letter per person into DIR", "DIR"},
	    {"template", 0, 0, G_OPTION_ARG_FILENAME, &a.tmpl_path,
	     "letter template (default: the bundled one)", "FILE"},
	    {"lang", 0, 0, G_OPTION_ARG_STRING, &a.lang, "letters in sv or en (default en)",
	     "LANG"},
	    {NULL}};

	st = bs_cli_parse(cli, entries, NULL,
	                  "The notification list (GDPR Art. 34): opens the vault with the DPO's "
	                  "private key and writes every exposed identifier in plaintext with its "
	                  "categories, grade and risk rank. The export is audited.",
	                  &argc, &argv);
	if (st < 0 && argc > 1)
		st = bs_cli_usage(cli, "unexpected argument \"%s\"", argv[1]);
	else if (st < 0 && (!a.key || !a.out))
		st = bs_cli_usage(cli, "--vault-key FILE and --out FILE are required");
	else if (st < 0 && a.lang && strcmp(a.lang, "sv") != 0 && strcmp(a.lang, "en") != 0)
		st = bs_cli_usage(cli, "--lang must be sv or en");
	else if (st < 0 && a.tmpl_path && !a.letters)
		st = bs_cli_usage(cli, "--template needs --letters DIR");
	if (st < 0)
		st = run(cli, &a);
	args_clear(&a);
	return st;
}
