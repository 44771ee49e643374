/* breachscope scan -w DIR [--scope FILE] [--threads N] [--json] [--shard K/N] SOURCE... */
#include "cli/cli.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* Where detect's bundled vocabularies are. Included outright: an optional
 * include (__has_include) left a build compiled before the header existed
 * without any category terms, silently, since ninja saw no dependency. */
#include "cli/bs-paths.h"
#include "hunt/hunt.h"
#include "scan/scan.h"
#include "scope/scope.h"
#include "source/source.h"
#include "store/store.h"

#ifdef BS_HAVE_SCAN
/* One line, rewritten in place on a terminal: messages, MB, MB/s, ETA. */
static void
print_progress(const bs_scan_progress *p, void *user)
{
	double mb = (double)p->bytes / 1e6, total = (double)p->total_bytes / 1e6;
	double rate = p->seconds > 0 ? mb / p->seconds : 0;
	double eta = rate > 0 && total > mb ? (total - mb) / rate : 0;

	fprintf(stderr,
	        "\r%" G_GUINT64_FORMAT " messages, %.1f of %.1f MB, %.1f MB/s, ETA %d:%02d  ",
	        p->messages, mb, total, rate, (int)eta / 60, (int)eta % 60);
	fflush(stderr);
}

/* The detector with the bundled vocabularies: the source tree's data/terms
 * when running from a build directory, else the installed copy (as detect). */
static bs_detector *
detector_new(GError **error)
{
	const char *dirs[2] = {NULL, NULL};
	bs_detect_config cfg = {0};

	/* A missing directory is an error of bs_detector_new(), never a scan
	 * without categories. */
	dirs[0] = g_file_test(BS_TERMS_DIR_SOURCE, G_FILE_TEST_IS_DIR) ? BS_TERMS_DIR_SOURCE
	                                                               : BS_TERMS_DIR_INSTALLED;
	cfg.term_dirs = dirs;
	return bs_detector_new(&cfg, error);
}

static bool
parse_shard(const char *text, unsigned *out_k, unsigned *out_n)
{
	const char *slash = text ? strchr(text, '/') : NULL;
	uint64_t k, n;

	if (!slash || !bs_parse_u64(text, (size_t)(slash - text), 1u << 20, &k) ||
	    !bs_parse_u64(slash + 1, strlen(slash + 1), 1u << 20, &n) || k < 1 || k > n)
		return false;
	*out_k = (unsigned)k;
	*out_n = (unsigned)n;
	return true;
}

/* IMAP sources: hunt's client read through scan's remote-source hook. */
typedef struct {
	bs_scan_remote_msg_fn *fn;
	void *fn_user;
} imap_relay;

static bool
relay_imap_message(const bs_imap_message *m, void *user)
{
	imap_relay *relay = user;
	g_autofree char *locator = g_strdup_printf("%s/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
	                                           m->folder, m->uidvalidity, m->uid);
	/* IMAP names folders in modified UTF-7, as Maildir++ does on disk. */
	g_autofree char *folder = bs_source_mutf7_decode_dup(m->folder, strlen(m->folder));
	bs_scan_remote_msg rm = {locator, folder ? folder : m->folder, m->data, m->len};

	return relay->fn(&rm, relay->fn_user);
}

static bool
imap_each(const char *url, bs_scan_remote_msg_fn *fn, void *fn_user, void *user, GError **error)
{
	imap_relay relay = {fn, fn_user};

	return bs_imap_source_each(url, user, relay_imap_message, &relay, error);
}

/* The credentials of imap[s]:// sources: [imap] of the workspace's config,
 * never the command line; a config holding a password must be mode 0600. */
static bool
imap_auth_for(bs_cli *cli, char **sources, bs_imap_auth **out, GError **error)
{
	g_autofree char *conf =
	    g_build_filename(bs_workspace_dir(cli->workspace), BS_WORKSPACE_CONFIG, NULL);
	const bs_config *cfg = bs_workspace_config(cli->workspace);
	bool remote = false;
	GStatBuf st;

	*out = NULL;
	for (char **p = sources; *p; p++)
		remote = remote || bs_scan_source_is_remote(*p);
	if (!remote)
		return true;
	if (cfg->imap_password && g_stat(conf, &st) == 0 && (st.st_mode & 077) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG,
		            "\"%s\": holds [imap] password but is readable by others (chmod 600)",
		            conf);
		return false;
	}
	*out = bs_imap_auth_new(cfg, error);
	return *out != NULL;
}

static void
print_text(const bs_scan_summary *s)
{
	printf("scanned %" G_GUINT64_FORMAT " messages (%" G_GUINT64_FORMAT
	       " ok, %" G_GUINT64_FORMAT " partial, %" G_GUINT64_FORMAT
	       " failed), %.1f MB in %.1f s, threads: %u\n",
	       s->messages, s->ok, s->partial, s->failed, (double)s->bytes / 1e6, s->seconds,
	       s->threads);
	if (s->resumed_skipped || s->sources_unchanged)
		printf("already indexed: %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT
		       " unchanged sources\n",
		       s->resumed_skipped, s->sources_unchanged);
	if (s->removed)
		printf("removed: %" G_GUINT64_FORMAT " messages no longer in their source\n",
		       s->removed);
}

static int
report(bs_cli *cli, const bs_scan_summary *s, bool json, bool ok, GError *error)
{
	g_autoptr(bs_json) j = bs_json_new();

	if (json) {
		bs_scan_summary_write_json(s, NULL, j);
		bs_json_print_line(j, stdout);
	} else {
		print_text(s);
	}
	if (!ok)
		return bs_cli_fail(cli, error);
	return s->partial || s->failed ? BS_EXIT_FINDINGS : BS_EXIT_OK;
}

int
cmd_scan(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *scope_file = NULL;
	g_autofree char *shard = NULL;
	gboolean json = FALSE;
	gint threads = 0;
	const GOptionEntry entries[] = {
	    {"scope", 0, 0, G_OPTION_ARG_FILENAME, &scope_file,
	     "scope file: exposure grades and mailbox owners", "FILE"},
	    {"threads", 0, 0, G_OPTION_ARG_INT, &threads,
	     "threads in all, reading and writing included (default: config, then cores)", "N"},
	    {"shard", 0, 0, G_OPTION_ARG_STRING, &shard, "scan only shard K of N", "K/N"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "print the summary as JSON", NULL},
	    {NULL}};
	g_autoptr(bs_scope) scope = NULL;
	g_autoptr(bs_detector) detector = NULL;
	g_autoptr(bs_imap_auth) imap = NULL;
	GError *error = NULL;
	bs_scan_options opts = {0};
	bs_scan_summary sum;
	int st;
	bool ok;

	st = bs_cli_parse(cli, entries, "SOURCE...",
	                  "Indexes mailboxes (mbox, Maildir, .eml tree, .eml, or "
	                  "imap[s]://[user@]host[:port][/FOLDER] "
	                  "with [imap] credentials from the workspace config) into the workspace.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc < 2)
		return bs_cli_usage(cli, "no SOURCE given");
	if (threads < 0 || threads > 256)
		return bs_cli_usage(cli, "--threads %d is not between 1 and 256", threads);
	if (shard && !parse_shard(shard, &opts.shard_k, &opts.shard_n))
		return bs_cli_usage(cli, "--shard \"%s\" is not K/N with 1 <= K <= N", shard);
	if (scope_file && !bs_scope_load(scope_file, &scope, &error))
		return bs_cli_fail(cli, error);
	if (!imap_auth_for(cli, argv + 1, &imap, &error))
		return bs_cli_fail(cli, error);
	detector = detector_new(&error);
	if (!detector)
		return bs_cli_fail(cli, error);
	opts.detector = detector;
	opts.scope = scope;
	opts.threads = (unsigned)threads;
	opts.remote_each = imap_each;
	opts.remote_user = imap;
	if (isatty(fileno(stderr)))
		opts.progress = print_progress;
	ok = bs_scan_run(cli->workspace, (const char *const *)argv + 1, &opts, &sum, &error);
	if (opts.progress)
		fputc('\n', stderr);
	return report(cli, &sum, json, ok, error);
}

#else /* the scan module is built once detect's implementation is in the tree */

int
cmd_scan(bs_cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return bs_cli_usage(cli, "this build has no detect module: scan is unavailable");
}

#endif
