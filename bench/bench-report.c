/* bench-report: building the breach report (figures, subjects, linking,
 * ranking, the high-risk list) and rendering its HTML, over an index of a
 * large incident written through the store API, against a named peer in
 * the same run: bs_store_stats() on the same index (one counting pass per
 * table, the least a report can do). Medians of 5 runs each.
 * Usage: bench-report [MESSAGES] (default 100000; 4 identifiers each from
 * a pool of MESSAGES / 2 people, a category on every third message). */
#include <inttypes.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include "report/report.h"
#include "store/store.h"
#include "fsutil.h"

enum { RUNS = 5, PER_MESSAGE = 4, BATCH = 5000 };

static const char *const grades[] = {"accessed", "synced", "window", "window", "none"};
static const char *const cats[] = {"health", "social", "children_school", "protected_identity"};

static void
check(bool ok, GError *error)
{
	if (!ok)
		g_error("bench-report: %s", error ? error->message : "failed");
}

static void
put_message(bs_workspace *ws, int64_t sid, size_t i, size_t people)
{
	bs_store *s = bs_workspace_store(ws);
	char loc[32], date[32], who[64];
	bs_message_row m = {sid,
	                    loc,
	                    NULL,
	                    date,
	                    i % 3 ? "ekonomi" : "skola",
	                    "INBOX",
	                    grades[i % 5],
	                    i % 97 ? "ok" : "partial",
	                    NULL,
	                    4000};
	GError *error = NULL;
	int64_t mid = 0;

	g_snprintf(loc, sizeof loc, "offset:%zu", i * 800);
	g_snprintf(date, sizeof date, "2024-%02zu-%02zuT08:00:00Z", 1 + i % 12, 1 + i % 28);
	check(bs_store_message_put(s, &m, &mid, &error), error);
	for (size_t k = 0; k < PER_MESSAGE; k++) {
		size_t p = (i * 7919 + k * 104729) % people;
		const char *kind = k % 2 ? "email" : "pnr";
		uint8_t ps[BS_PSEUDONYM_LEN];
		bs_occurrence_row occ = {0, mid, "body", "high", p % 11 == 0, 1};

		g_snprintf(who, sizeof who, "%s-%zu", kind, p);
		bs_pseudonym(bs_workspace_key(ws), kind, who, strlen(who), ps);
		check(bs_store_subject_put(s, kind, ps, k % 2 ? BS_ROLE_RESIDENT : NULL,
		                           &occ.subject_id, NULL, &error) &&
		          bs_store_occurrence_add(s, &occ, &error),
		      error);
	}
	if (i % 3 == 0)
		check(bs_store_category_add(s, mid, cats[(i / 3) % 4], 1, &error), error);
}

static bs_workspace *
make_index(const char *dir, size_t messages)
{
	g_autofree char *ws_dir = g_build_filename(dir, "ws", NULL);
	g_autoptr(bs_config) cfg = bs_config_new();
	bs_source_row src = {"/bench", "mbox", NULL, NULL, "done"};
	GError *error = NULL;
	bs_workspace *ws;
	int64_t sid = 0;

	check(bs_workspace_create(ws_dir, cfg, &error), error);
	ws = bs_workspace_open(ws_dir, true, &error);
	check(ws != NULL, error);
	check(bs_store_begin(bs_workspace_store(ws), &error) &&
	          bs_store_source_upsert(bs_workspace_store(ws), &src, &sid, &error),
	      error);
	for (size_t i = 0; i < messages; i++) {
		put_message(ws, sid, i, messages / 2 + 1);
		if (i % BATCH == BATCH - 1)
			check(bs_store_commit(bs_workspace_store(ws), &error) &&
			          bs_store_begin(bs_workspace_store(ws), &error),
			      error);
	}
	check(bs_store_commit(bs_workspace_store(ws), &error), error);
	return ws;
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

typedef enum { WHAT_STATS, WHAT_REPORT, WHAT_HTML } what;

static double
time_once(bs_workspace *ws, what w)
{
	GError *error = NULL;
	gint64 t0 = g_get_monotonic_time();

	if (w == WHAT_STATS) {
		bs_stats st;

		bs_stats_init(&st);
		check(bs_store_stats(bs_workspace_store(ws), &st, &error), error);
		bs_stats_fini(&st);
	} else {
		g_autoptr(bs_report) r =
		    bs_report_build(bs_workspace_store(ws), bs_workspace_config(ws), NULL, &error);
		size_t len = 0;

		check(r != NULL, error);
		if (w == WHAT_HTML)
			g_free(bs_report_html_dup(r, "en", &len));
	}
	return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static double
median(bs_workspace *ws, what w)
{
	double t[RUNS];

	for (int i = 0; i < RUNS; i++)
		t[i] = time_once(ws, w);
	qsort(t, RUNS, sizeof t[0], cmp_double);
	return t[RUNS / 2];
}

int
main(int argc, char **argv)
{
	uint64_t messages = 100000;
	g_autofree char *dir = g_dir_make_tmp("bench-report-XXXXXX", NULL);
	bs_workspace *ws;
	double stats, report, html;

	if (argc > 1 && !bs_parse_u64(argv[1], strlen(argv[1]), 100000000, &messages))
		g_error("usage: bench-report [MESSAGES]");
	ws = make_index(dir, messages);
	stats = median(ws, WHAT_STATS);
	report = median(ws, WHAT_REPORT);
	html = median(ws, WHAT_HTML);
	printf("index: %" PRIu64 " messages, %d identifiers each, pool of %" PRIu64 " people\n",
	       messages, PER_MESSAGE, messages / 2 + 1);
	printf("peer  bs_store_stats:            %8.3f s\n", stats);
	printf("      bs_report_build:           %8.3f s  (%.1f x stats)\n", report,
	       report / stats);
	printf("      build + bs_report_html_dup: %7.3f s\n", html);
	bs_workspace_free(ws);
	test_rm_tree(dir);
	return 0;
}
