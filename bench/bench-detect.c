/* bench-detect: throughput of the whole detect engine (streaming
 * Vectorscan pass over the term and label literals, digit-run and e-mail
 * ends, confirmation by ident, scoring, category counts) over one text
 * file, against two peers in the same run:
 *   - raw: one Vectorscan block-mode pass over the same bytes with the
 *     engine's own database (the same expressions and flags), counting
 *     matches (no confirmation, no identifier candidates: those are found
 *     outside Vectorscan);
 *   - raw + shapes: the same pass with the identifier shapes added as the
 *     expressions digits.c and email.c implement (one database for
 *     candidates and vocabularies, as a plain Hyperscan design has it);
 *   - grep: GNU grep -E -c with the personnummer pattern, output to a pipe
 *     (to /dev/null grep stops at the first match).
 * Medians of RUNS runs of CPU time (the machine is shared); one core:
 * everything here is single-threaded.
 *
 *     bench-detect FILE TERMS_DIR [RUNS]                                   */
#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "detect/detect.h"

#define CHUNK (256u * 1024) /* as breachscope detect reads */
#define RUNS_MAX 31
#define GREP_PATTERN "[0-9]{6}([0-9]{2})?[-+]?[0-9]{4}"

/* The identifier shapes, as Vectorscan expressions (digits.c recognises
 * exactly these at the ends of digit runs; email.c the last one). */
#define D "[0-9]"
static const char *const shapes[] = {
    "\\b" D "{10}\\b",
    "\\b" D "{6}[-+]" D "{4}\\b",
    "\\b" D "{6} " D "{4}\\b",
    "\\b" D "{12}\\b",
    "\\b" D "{8}[-+]" D "{4}\\b",
    "\\b" D "{8} " D "{4}\\b",
    "\\b" D "{6}[TRSUWXJKLMN]" D "{3}\\b",
    "\\b" D "{6}[-+][TRSUWXJKLMN]" D "{3}\\b",
    "\\b" D "{8}[TRSUWXJKLMN]" D "{3}\\b",
    "\\b" D "{8}[-+][TRSUWXJKLMN]" D "{3}\\b",
    "\\b" D "{11}\\b",
    "\\b" D "{6} " D "{5}\\b",
    "\\b" D "{6}(?:[A-FU-Y]" D "{3}[0-9A-Y]|[-+]" D "{3}[A-Y])\\b",
    "\\+46[ -]?(?:\\(0\\)[ -]?)?[1-9]" D "{0,2}(?:[ -]?" D "{2,4}){1,4}\\b",
    "\\b0046[ -]?[1-9]" D "{0,2}(?:[ -]?" D "{2,4}){1,4}\\b",
    "\\b0[1-9]" D "{0,2}[-/ ]" D "{2,4}(?:[ -]?" D "{2,4}){0,3}\\b",
    "\\(0[1-9]" D "{0,2}\\) ?" D "{2,4}(?:[ -]?" D "{2,4}){0,3}\\b",
    "\\b" D "{13,19}\\b",
    "\\b" D "{4}(?:[ -]" D "{4}){2}[ -]" D "{1,7}\\b",
    "\\b" D "{4}[ -]" D "{6}[ -]" D "{4,5}\\b",
    "\\b[A-Z]{2}" D "{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\\b",
    "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,24}",
};

static int
count_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
            void *ctx)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static void
count_finding(const bs_finding *f, void *user)
{
	if (f->confidence >= BS_CONF_MEDIUM)
		(*(uint64_t *)user)++;
}

/* CPU seconds of this thread: the machine is shared, wall time is not ours. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of waited-for children. */
static double
children_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double
time_engine(bs_detect_run *r, const char *text, size_t len, uint64_t *out_findings)
{
	GDate ref;
	double t0 = now_s();

	*out_findings = 0;
	g_date_clear(&ref, 1);
	g_date_set_dmy(&ref, 1, 5, 2024);
	bs_detect_run_begin(r, &ref, count_finding, out_findings);
	for (size_t off = 0; off < len; off += CHUNK)
		bs_detect_run_feed(r, text + off, MIN(CHUNK, len - off));
	bs_detect_run_end(r);
	return now_s() - t0;
}

static double
time_raw(hs_database_t *db, hs_scratch_t *s, const char *text, size_t len, uint64_t *out_matches)
{
	double t0 = now_s();

	*out_matches = 0;
	if (hs_scan(db, text, (unsigned)len, 0, s, count_match, out_matches) != HS_SUCCESS)
		g_error("raw scan failed");
	return now_s() - t0;
}

static double
time_grep(const char *path, uint64_t *out_lines)
{
	const char *argv[] = {"grep", "-E", "-c", GREP_PATTERN, path, NULL};
	g_autofree char *out = NULL;
	double t0 = children_s();

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
	                  NULL, NULL))
		g_error("cannot run grep");
	*out_lines = g_ascii_strtoull(out, NULL, 10);
	return children_s() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

/* The engine's expressions in block mode; with_shapes: and the shapes. */
static hs_database_t *
compile_block(const bs_detector *d, bool with_shapes)
{
	const char *const *exprs;
	const unsigned *flags;
	size_t n = bs_detector_patterns(d, &exprs, &flags);
	size_t extra = with_shapes ? G_N_ELEMENTS(shapes) : 0;
	g_autofree const char **all = g_new(const char *, n + extra);
	g_autofree unsigned *all_flags = g_new(unsigned, n + extra);
	g_autofree unsigned *ids = g_new(unsigned, n + extra);
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;

	for (size_t i = 0; i < n + extra; i++) {
		all[i] = i < n ? exprs[i] : shapes[i - n];
		all_flags[i] = i < n ? flags[i] : 0;
		ids[i] = (unsigned)i;
	}
	if (hs_compile_multi(all, all_flags, ids, (unsigned)(n + extra), HS_MODE_BLOCK, NULL, &db,
	                     &err) != HS_SUCCESS)
		g_error("block compile: %s", err->message);
	return db;
}

int
main(int argc, char **argv)
{
	const char *dirs[2] = {argc > 2 ? argv[2] : NULL, NULL};
	bs_detect_config cfg = {.term_dirs = dirs};
	g_autoptr(bs_detector) d = NULL;
	g_autoptr(bs_detect_run) r = NULL;
	g_autofree char *text = NULL;
	hs_database_t *db, *db_shapes;
	hs_scratch_t *scratch = NULL;
	double te[RUNS_MAX], tr[RUNS_MAX], ts[RUNS_MAX], tg[RUNS_MAX], mb, t0, compile_s;
	uint64_t findings = 0, matches = 0, shape_matches = 0, lines = 0;
	gsize len = 0;
	int runs = argc > 3 ? (int)g_ascii_strtoll(argv[3], NULL, 10) : 5;

	if (argc < 3 || runs < 1 || runs > RUNS_MAX) {
		fprintf(stderr, "usage: bench-detect FILE TERMS_DIR [RUNS 1..31]\n");
		return 2;
	}
	if (!g_file_get_contents(argv[1], &text, &len, NULL))
		g_error("cannot read %s", argv[1]);
	t0 = now_s();
	d = bs_detector_new(&cfg, NULL);
	compile_s = now_s() - t0;
	r = bs_detect_run_new(d, NULL);
	db = compile_block(d, false);
	db_shapes = compile_block(d, true);
	if (!d || !r || hs_alloc_scratch(db, &scratch) != HS_SUCCESS ||
	    hs_alloc_scratch(db_shapes, &scratch) != HS_SUCCESS)
		g_error("setup failed");
	for (int i = 0; i < runs; i++) {
		te[i] = time_engine(r, text, len, &findings);
		tr[i] = time_raw(db, scratch, text, len, &matches);
		ts[i] = time_raw(db_shapes, scratch, text, len, &shape_matches);
		tg[i] = time_grep(argv[1], &lines);
	}
	mb = (double)len / 1e6;
	printf("input: %s, %.1f MB, %zu expressions (compiled in %.0f ms), median CPU time of %d "
	       "runs, 1 core\n",
	       argv[1], mb,
	       bs_detector_patterns(d, &(const char *const *){NULL}, &(const unsigned *){NULL}),
	       compile_s * 1000, runs);
	printf("detect engine (stream, confirm, score): %8.0f MB/s  %" G_GUINT64_FORMAT
	       " findings >= medium\n",
	       mb / median(te, runs), findings);
	printf("raw Vectorscan block pass, same db:     %8.0f MB/s  %" G_GUINT64_FORMAT
	       " matches\n",
	       mb / median(tr, runs), matches);
	printf("raw Vectorscan block pass, db + shapes:  %8.0f MB/s  %" G_GUINT64_FORMAT
	       " matches\n",
	       mb / median(ts, runs), shape_matches);
	printf("grep -E -c personnummer pattern:        %8.0f MB/s  %" G_GUINT64_FORMAT " lines\n",
	       mb / median(tg, runs), lines);
	printf("engine / raw: %.0f %%   engine / raw + shapes: %.0f %%   engine / grep: %.0f %%\n",
	       100.0 * median(tr, runs) / median(te, runs),
	       100.0 * median(ts, runs) / median(te, runs),
	       100.0 * median(tg, runs) / median(te, runs));
	hs_free_scratch(scratch);
	hs_free_database(db);
	hs_free_database(db_shapes);
	return 0;
}
