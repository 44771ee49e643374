/* breachscope detect [--date YYYY-MM-DD] [--min-confidence low|medium|high]
 *                    [--terms FILE]... [--terms-dir DIR]... [FILE...|-]
 * One JSON line per finding, then one categories line per input. Exit 0
 * when nothing at or above the minimum confidence was found, 1 when
 * something was, 2 on a usage error or an unreadable input (named). */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/bs-paths.h"
#include "detect/detect.h"

/* Read size per chunk: memory stays bounded on 100 MB single lines. */
#define CHUNK_BYTES (256u * 1024)

typedef struct {
	const char *file;   /* as named on the command line; "-" for stdin */
	GString *file_json; /* file as a JSON string, escaped once per input */
	bs_confidence min;
	bs_json *json;
	size_t printed; /* findings printed, all inputs */
} detect_out;

static void
print_finding(const bs_finding *f, void *user)
{
	detect_out *o = user;
	bs_json *j = o->json;

	if (f->confidence < o->min)
		return;
	bs_json_obj_begin(j, NULL);
	bs_json_raw(j, "file", o->file_json->str, o->file_json->len);
	bs_json_str(j, "kind", bs_kind_name(f->id.kind));
	bs_json_str(j, "value", f->id.canonical);
	bs_json_int(j, "start", (int64_t)f->start);
	bs_json_int(j, "end", (int64_t)f->end);
	bs_json_str(j, "confidence", bs_confidence_name(f->confidence));
	bs_json_arr_begin(j, "reasons");
	for (size_t i = 0; i < bs_reason_count(); i++)
		if (f->reasons & (1u << i))
			bs_json_str(j, NULL, bs_reason_name((bs_reason)(1u << i)));
	bs_json_arr_end(j);
	bs_json_obj_end(j);
	bs_json_print_line(j, stdout);
	o->printed++;
}

static void
print_categories(const bs_detector *d, const bs_detect_run *r, detect_out *o)
{
	const uint32_t *counts = bs_detect_run_category_counts(r);
	bs_json *j = o->json;

	bs_json_obj_begin(j, NULL);
	bs_json_raw(j, "file", o->file_json->str, o->file_json->len);
	bs_json_obj_begin(j, "categories");
	for (size_t i = 0; i < bs_detector_category_count(d); i++)
		if (counts[i] > 0)
			bs_json_int(j, bs_detector_category_name(d, i), counts[i]);
	bs_json_obj_end(j);
	bs_json_obj_end(j);
	bs_json_print_line(j, stdout);
}

/* Streams one input through the run. */
static bool
scan_input(const bs_detector *d, bs_detect_run *r, const GDate *ref, detect_out *o, GError **error)
{
	bool is_stdin = strcmp(o->file, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(o->file, "rb");
	g_autofree char *buf = NULL;
	size_t n;
	bool ok = true;

	if (!fp) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "cannot open \"%s\": %s", o->file,
		            g_strerror(errno));
		return false;
	}
	buf = g_malloc(CHUNK_BYTES);
	g_string_truncate(o->file_json, 0);
	bs_json_escape_append(o->file_json, o->file, strlen(o->file));
	bs_detect_run_begin(r, ref, print_finding, o);
	while ((n = fread(buf, 1, CHUNK_BYTES, fp)) > 0)
		if (bs_detect_run_feed(r, buf, n) != BS_OK)
			ok = false;
	if (ferror(fp)) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "cannot read \"%s\": %s", o->file,
		            g_strerror(errno));
		ok = false;
	} else if (bs_detect_run_end(r) != BS_OK || !ok) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "\"%s\": the scan failed", o->file);
		ok = false;
	}
	if (!is_stdin)
		fclose(fp);
	if (ok)
		print_categories(d, r, o);
	return ok;
}

/* The bundled vocabularies: the source tree's data/terms when running from
 * a build directory, else the installed copy. */
static const char *
default_terms_dir(void)
{
	if (g_file_test(BS_TERMS_DIR_SOURCE, G_FILE_TEST_IS_DIR))
		return BS_TERMS_DIR_SOURCE;
	return BS_TERMS_DIR_INSTALLED;
}

static bs_detector *
make_detector(char **terms, char **dirs, bool no_default, GError **error)
{
	g_autoptr(GPtrArray) all = g_ptr_array_new();
	bs_detect_config cfg = {0};

	if (!no_default)
		g_ptr_array_add(all, (char *)default_terms_dir());
	for (char **p = dirs; p && *p; p++)
		g_ptr_array_add(all, *p);
	g_ptr_array_add(all, NULL);
	cfg.term_dirs = (const char *const *)all->pdata;
	cfg.term_files = (const char *const *)terms;
	return bs_detector_new(&cfg, error);
}

static int
run_inputs(bs_cli *cli, const bs_detector *d, const GDate *ref, detect_out *o, int argc,
           char **argv)
{
	g_autoptr(bs_detect_run) r = NULL;
	GError *error = NULL;
	int status = BS_EXIT_OK;
	char *stdin_only[] = {"-", NULL};
	char **inputs = argc > 1 ? argv + 1 : stdin_only;

	r = bs_detect_run_new(d, &error);
	if (!r)
		return bs_cli_fail(cli, error);
	for (char **in = inputs; *in; in++) {
		o->file = *in;
		if (!scan_input(d, r, ref, o, &error)) {
			status = bs_cli_fail(cli, error);
			error = NULL;
		}
	}
	if (status == BS_EXIT_OK && o->printed > 0)
		status = BS_EXIT_FINDINGS;
	return status;
}

int
cmd_detect(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *date = NULL;
	g_autofree char *min = NULL;
	g_auto(GStrv) terms = NULL;
	g_auto(GStrv) dirs = NULL;
	gboolean no_default = FALSE;
	const GOptionEntry entries[] = {
	    {"date", 0, 0, G_OPTION_ARG_STRING, &date,
	     "reference date for 10-digit personnummer centuries (default today)", "YYYY-MM-DD"},
	    {"min-confidence", 0, 0, G_OPTION_ARG_STRING, &min,
	     "report findings at or above this level (default medium)", "low|medium|high"},
	    {"terms", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &terms,
	     "add a term file (category = its base name); repeatable", "FILE"},
	    {"terms-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dirs,
	     "add every *.txt of a directory; repeatable", "DIR"},
	    {"no-default-terms", 0, 0, G_OPTION_ARG_NONE, &no_default,
	     "do not load the bundled vocabularies", NULL},
	    {NULL}};
	g_autoptr(bs_json) j = bs_json_new();
	g_autoptr(GString) file_json = g_string_new(NULL);
	g_autoptr(bs_detector) d = NULL;
	detect_out o = {.min = BS_CONF_MEDIUM, .json = j, .file_json = file_json};
	GError *error = NULL;
	GDate ref;
	int st;

	st = bs_cli_parse(cli, entries, "[FILE...|-]",
	                  "Finds identifiers and sensitive-category terms in text. Prints one JSON "
	                  "object per finding\nand one categories object per input. Exit status: 0 "
	                  "nothing found, 1 findings, 2 error.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (date && !bs_date_parse(date, &ref))
		return bs_cli_usage(cli, "--date \"%s\" is not a YYYY-MM-DD date", date);
	if (!date) {
		g_date_clear(&ref, 1);
		g_date_set_time_t(&ref, time(NULL));
	}
	if (min && !bs_confidence_from_name(min, &o.min))
		return bs_cli_usage(cli, "--min-confidence \"%s\" is not low, medium or high", min);
	d = make_detector(terms, dirs, no_default, &error);
	if (!d)
		return bs_cli_fail(cli, error);
	return run_inputs(cli, d, &ref, &o, argc, argv);
}
