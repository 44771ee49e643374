/* breachscope signins [--audit FILE...] [--ioc FILE] [--home-countries SE,…]
 *   [--contained-at TIME] [--mailbox-root DIR] [--json] --out SCOPE.json SIGNIN_FILE... */
#include "cli/cli.h"

#include <stdio.h>

#include "scope/scope.h"
#include "signins/signins.h"

struct opts {
	char **audit;
	char *ioc;
	char *home;
	char *contained_at;
	char *mailbox_root;
	char *out;
	gboolean json;
};

static void
opts_clear(struct opts *o)
{
	g_strfreev(o->audit);
	g_free(o->ioc);
	g_free(o->home);
	g_free(o->contained_at);
	g_free(o->mailbox_root);
	g_free(o->out);
}

/* Row numbers and reasons only: a skipped row's content may be personal. */
static void
report_skip(const char *file, uint64_t line, const char *reason, void *user)
{
	bs_cli *cli = user;

	fprintf(stderr, "%s %s: %s:%" G_GUINT64_FORMAT ": skipped: %s\n", cli->prog, cli->command,
	        file, line, reason);
}

static void
print_table(const bs_signins *s)
{
	char from[BS_SCOPE_TIME_LEN], to[BS_SCOPE_TIME_LEN];
	bs_signins_row r;

	printf("%-32s %-11s %-20s %-20s %8s %6s %9s  %s\n", "ACCOUNT", "VERDICT", "FIRST",
	       "CONTAINED", "ACCESSED", "SYNCED", "THROTTLED", "RULES");
	for (size_t i = 0; bs_signins_row_get(s, i, &r); i++) {
		bool open = r.compromised && r.contained_us == BS_SCOPE_OPEN_END;

		printf("%-32s %-11s %-20s %-20s %8zu %6zu %9zu  %s\n", r.account,
		       r.compromised ? "compromised" : "suspicious",
		       r.compromised ? bs_scope_time_format(r.first_us, from, sizeof from) : "-",
		       !r.compromised ? "-"
		       : open         ? "OPEN"
		                      : bs_scope_time_format(r.contained_us, to, sizeof to),
		       r.accessed, r.synced, r.throttled, r.rules);
	}
	printf("%zu compromised account(s), %" G_GUINT64_FORMAT " rows read, %" G_GUINT64_FORMAT
	       " skipped\n",
	       bs_signins_compromised_count(s), bs_signins_rows_read(s),
	       bs_signins_rows_skipped(s));
}

static bool
write_scope(const bs_signins *s, const char *path, GError **error)
{
	g_autoptr(bs_json) j = bs_json_new();
	g_autoptr(GError) local = NULL;
	g_autofree char *text = NULL;

	bs_signins_write_scope(s, j);
	text = g_strconcat(bs_json_text(j), "\n", NULL);
	if (g_file_set_contents(path, text, -1, &local))
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot write: %s", path, local->message);
	return false;
}

static int
check_opts(bs_cli *cli, const struct opts *o, int argc, bs_signins_options *so, char ***home)
{
	if (!o->out)
		return bs_cli_usage(cli, "--out SCOPE.json is required");
	if (argc < 2 && !o->audit)
		return bs_cli_usage(cli, "no SIGNIN_FILE or --audit FILE given");
	if (o->contained_at && !bs_scope_time_parse(o->contained_at, &so->contained_at_us))
		return bs_cli_usage(cli, "--contained-at \"%s\" is not an RFC 3339 time",
		                    o->contained_at);
	if (o->home) {
		*home = g_strsplit(o->home, ",", -1);
		for (size_t i = 0; (*home)[i]; i++)
			if (strlen(g_strstrip((*home)[i])) != 2)
				return bs_cli_usage(cli,
				                    "--home-countries \"%s\": not a list of "
				                    "two-letter codes",
				                    o->home);
		so->home_countries = (const char *const *)*home;
	}
	so->mailbox_root = o->mailbox_root;
	return -1;
}

static int
run(bs_cli *cli, const struct opts *o, const bs_signins_options *so, int argc, char **argv)
{
	g_autoptr(bs_signins) s = bs_signins_new(so);
	GError *error = NULL;

	if (o->ioc && !bs_signins_load_ioc(s, o->ioc, &error))
		return bs_cli_fail(cli, error);
	for (size_t i = 0; o->audit && o->audit[i]; i++)
		bs_signins_add_file(s, o->audit[i], true);
	for (int i = 1; i < argc; i++)
		bs_signins_add_file(s, argv[i], false);
	if (!bs_signins_run(s, report_skip, cli, &error) || !write_scope(s, o->out, &error))
		return bs_cli_fail(cli, error);
	if (o->json) {
		g_autoptr(bs_json) j = bs_json_new();

		bs_signins_write_summary(s, j);
		bs_json_print_line(j, stdout);
	} else {
		print_table(s);
	}
	return bs_signins_compromised_count(s) || bs_signins_rows_skipped(s) ? BS_EXIT_FINDINGS
	                                                                     : BS_EXIT_OK;
}

int
cmd_signins(bs_cli *cli, int argc, char **argv)
{
	struct opts o = {0};
	bs_signins_options so = {0};
	g_auto(GStrv) home = NULL;
	int st;
	const GOptionEntry entries[] = {
	    {"audit", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.audit,
	     "Unified Audit Log export (JSON or CSV); repeatable", "FILE"},
	    {"ioc", 0, 0, G_OPTION_ARG_FILENAME, &o.ioc, "IOC file with \"ips\"", "FILE"},
	    {"home-countries", 0, 0, G_OPTION_ARG_STRING, &o.home,
	     "countries that are not foreign (default SE)", "SE,..."},
	    {"contained-at", 0, 0, G_OPTION_ARG_STRING, &o.contained_at,
	     "end of windows the logs leave open", "TIME"},
	    {"mailbox-root", 0, 0, G_OPTION_ARG_FILENAME, &o.mailbox_root,
	     "map each account to DIR/<local part> in the scope", "DIR"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "print one JSON object", NULL},
	    {"out", 0, 0, G_OPTION_ARG_FILENAME, &o.out, "scope file to write", "SCOPE.json"},
	    {NULL}};

	st = bs_cli_parse(cli, entries, "SIGNIN_FILE...",
	                  "Finds compromised accounts and their windows in sign-in and audit "
	                  "logs; writes a scope file.\nExit status 1 when an account is "
	                  "compromised or a row was skipped.",
	                  &argc, &argv);
	if (st < 0)
		st = check_opts(cli, &o, argc, &so, &home);
	if (st < 0)
		st = run(cli, &o, &so, argc, argv);
	opts_clear(&o);
	return st;
}
