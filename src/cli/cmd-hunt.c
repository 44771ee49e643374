/* breachscope hunt --ioc IOC.json [--quarantine DIR] [--config FILE] [--json] SOURCE...
 * breachscope hunt --restore DIR/manifest [--config FILE] [--json] */
#include "cli/cli.h"

#include <stdio.h>

#include <glib/gstdio.h>

#include "base/config.h"
#include "hunt/hunt.h"

typedef struct {
	bool json;
	bs_json *j;
} hit_printer;

static void
print_hit(const bs_hunt_hit *hit, void *user)
{
	hit_printer *p = user;

	if (!p->json) {
		printf("%-16s %-16s %-20s %s", hit->mailbox, hit->folder,
		       hit->date ? hit->date : "-", hit->quarantined ? "[quarantined] " : "");
		for (guint i = 0; i < hit->matched->len; i++)
			printf("%s%s", i ? ", " : "", (const char *)hit->matched->pdata[i]);
		printf("\n");
		return;
	}
	bs_json_obj_begin(p->j, NULL);
	bs_json_str(p->j, "source", hit->source);
	bs_json_str(p->j, "mailbox", hit->mailbox);
	bs_json_str(p->j, "folder", hit->folder);
	bs_json_str(p->j, "message_id", hit->message_id);
	bs_json_str(p->j, "date", hit->date);
	bs_json_arr_begin(p->j, "matched");
	for (guint i = 0; i < hit->matched->len; i++)
		bs_json_str(p->j, NULL, hit->matched->pdata[i]);
	bs_json_arr_end(p->j);
	bs_json_obj_end(p->j);
	bs_json_print_line(p->j, stdout);
}

static unsigned
test_kill_after(void)
{
	const char *v = g_getenv("BS_TEST_HUNT_KILL_AFTER");
	uint64_t n = 0;

	if (!v || !bs_parse_u64(v, strlen(v), G_MAXUINT, &n))
		return 0;
	return (unsigned)n;
}

/* IMAP credentials: [imap] of --config FILE, else of the workspace's
 * breachscope.conf when -w was given; none otherwise (local sources only).
 * A file that holds a password must not be readable by others. */
static bool
load_imap_auth(bs_cli *cli, const char *config, bs_imap_auth **out, GError **error)
{
	g_autofree char *ws = NULL;
	g_autoptr(bs_config) cfg = bs_config_new();
	const char *path = config;
	GStatBuf st;

	*out = NULL;
	if (!path && cli->workspace_given)
		path = ws = g_build_filename(cli->workspace_dir, "breachscope.conf", NULL);
	if (!path)
		return true;
	if (!bs_config_load_file(cfg, path, error))
		return false;
	if (!cfg->imap_password)
		return true;
	if (g_stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG,
		            "\"%s\": holds [imap] password but is readable by others (chmod 600)",
		            path);
		return false;
	}
	*out = bs_imap_auth_new(cfg, error);
	return *out != NULL;
}

static int
run_restore(bs_cli *cli, const char *manifest, const bs_imap_auth *auth, bool json)
{
	bs_hunt_restore_stats st;
	GError *error = NULL;
	bool ok = bs_hunt_restore(manifest, auth, test_kill_after(), &st, &error);
	g_autoptr(bs_json) j = bs_json_new();

	if (!ok)
		return bs_cli_fail(cli, error);
	if (json) {
		bs_json_obj_begin(j, NULL);
		bs_json_int(j, "restored", (int64_t)st.restored);
		bs_json_int(j, "changed", (int64_t)st.changed);
		bs_json_int(j, "recovered", (int64_t)st.recovered);
		bs_json_obj_end(j);
		bs_json_print_line(j, stdout);
	} else {
		printf("%zu restored (%zu appended because their mbox changed); %zu interrupted "
		       "steps recovered\n",
		       st.restored, st.changed, st.recovered);
	}
	return BS_EXIT_OK;
}

static int
run_hunt(bs_cli *cli, bs_hunt_options *opt, char **sources, size_t count, bool json)
{
	hit_printer p = {.json = json, .j = bs_json_new()};
	bs_hunt_stats st;
	GError *error = NULL;
	bool ok;

	opt->on_hit = print_hit;
	opt->user = &p;
	if (!json)
		printf("%-16s %-16s %-20s %s\n", "MAILBOX", "FOLDER", "DATE", "MATCHED");
	ok = bs_hunt_run(opt, sources, count, &st, &error);
	if (json) {
		bs_json_obj_begin(p.j, NULL);
		bs_json_int(p.j, "hits", (int64_t)st.hits);
		bs_json_int(p.j, "quarantined", (int64_t)st.quarantined);
		bs_json_obj_end(p.j);
		bs_json_print_line(p.j, stdout);
	} else {
		printf("%zu hits in %zu messages, %zu quarantined, %zu not fully checked\n",
		       st.hits, st.messages, st.quarantined, st.partial);
	}
	bs_json_free(p.j);
	if (!ok)
		return bs_cli_fail(cli, error);
	return st.hits > 0 || st.partial > 0 ? BS_EXIT_FINDINGS : BS_EXIT_OK;
}

int
cmd_hunt(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *ioc_path = NULL, *qdir = NULL, *restore = NULL, *config = NULL;
	gboolean json = FALSE;
	g_autoptr(bs_ioc) ioc = NULL;
	g_autoptr(bs_imap_auth) auth = NULL;
	bs_hunt_options opt = {0};
	GError *error = NULL;
	const GOptionEntry entries[] = {
	    {"ioc", 0, 0, G_OPTION_ARG_FILENAME, &ioc_path, "indicators (JSON, version 1)",
	     "IOC.json"},
	    {"quarantine", 0, 0, G_OPTION_ARG_FILENAME, &qdir,
	     "move hits into this quarantine directory (default: dry run)", "DIR"},
	    {"restore", 0, 0, G_OPTION_ARG_FILENAME, &restore,
	     "put back everything a quarantine manifest lists", "DIR/manifest"},
	    {"config", 0, 0, G_OPTION_ARG_FILENAME, &config,
	     "IMAP credentials: a config file with [imap] settings (mode 0600); default with -w: "
	     "the workspace's",
	     "FILE"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object per hit, then totals", NULL},
	    {NULL}};
	int st = bs_cli_parse(cli, entries, "SOURCE...",
	                      "Finds phishing mail by indicators in mbox files, Maildirs, .eml "
	                      "trees and imap:// folders; quarantines and restores it.",
	                      &argc, &argv);

	if (st >= 0)
		return st;
	if (!load_imap_auth(cli, config, &auth, &error))
		return bs_cli_fail(cli, error);
	if (restore) {
		if (ioc_path || qdir || argc > 1)
			return bs_cli_usage(cli,
			                    "--restore takes no --ioc, --quarantine or SOURCE");
		return run_restore(cli, restore, auth, json);
	}
	if (!ioc_path)
		return bs_cli_usage(cli, "--ioc is required");
	if (argc < 2)
		return bs_cli_usage(cli, "no SOURCE given");
	if (!(ioc = bs_ioc_load(ioc_path, &error)))
		return bs_cli_fail(cli, error);
	opt.ioc = ioc;
	opt.quarantine_dir = qdir;
	opt.imap = auth;
	opt.test_kill_after = test_kill_after();
	return run_hunt(cli, &opt, argv + 1, (size_t)argc - 1, json);
}
