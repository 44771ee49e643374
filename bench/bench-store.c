/* bench-store: the scanner's write path, keyed pseudonym + index writes
 * through the store API (subject_put + occurrence_add per identifier, one
 * message row per 5 identifiers, batches of 5000), on SQLite and on
 * PostgreSQL (a throwaway server on a Unix socket, tests/lib/pg-start.sh,
 * started here), against a named peer in the same run: the same rows by
 * plain prepared INSERTs on a bare SQLite connection with the same pragmas
 * (no hash, no upsert: the ceiling). Prints rows/s medians of 5 runs each
 * and the ratios; reference figure ≈ 148k rows/s
 * (../shared/reference/performance.md).
 * Usage: bench-store [ROWS_PER_RUN] (default 200000). */
#include <inttypes.h>
#include <stdio.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store/store.h"
#include "fsutil.h"
#include "pgtest.h"

enum { RUNS = 5, PER_MESSAGE = 5, BATCH = 5000, DISTINCT = 50000 };

/* Synthetic e-mail addresses: a pool of DISTINCT, reused as in real mail. */
static void
ident_of(size_t i, char *buf, size_t len)
{
	g_snprintf(buf, len, "person%zu@example.org", (i * 7919) % DISTINCT);
}

static void
check(bool ok, GError *error)
{
	if (!ok)
		g_error("bench-store: %s", error ? error->message : "failed");
}

/* pg_uri: a database for the index; NULL: SQLite in the workspace. */
static double
run_store(const char *dir, const char *pg_uri, size_t rows)
{
	g_autofree char *ws_dir = g_build_filename(dir, "ws", NULL);
	g_autoptr(bs_config) cfg = bs_config_new();
	g_autoptr(bs_workspace) ws = NULL;
	bs_source_row src = {"/bench", "mbox", NULL, NULL, "scanning"};
	GError *error = NULL;
	int64_t sid = 0, mid = 0;
	gint64 t0;
	bs_store *s;

	if (pg_uri)
		check(bs_config_set(cfg, "store", "backend", "postgresql", "bench", &error) &&
		          bs_config_set(cfg, "store", "dsn", pg_uri, "bench", &error),
		      error);
	check(bs_workspace_create(ws_dir, cfg, &error), error);
	ws = bs_workspace_open(ws_dir, true, &error);
	check(ws != NULL, error);
	s = bs_workspace_store(ws);
	t0 = g_get_monotonic_time();
	check(bs_store_begin(s, &error) && bs_store_source_upsert(s, &src, &sid, &error), error);
	for (size_t i = 0; i < rows; i++) {
		char id[64], loc[32];
		uint8_t p[BS_PSEUDONYM_LEN];
		bs_occurrence_row occ = {0, 0, "body", "high", false, 1};

		if (i % PER_MESSAGE == 0) {
			bs_message_row m = {sid,       loc,     NULL,     "2024-01-05T08:00:00Z",
			                    "ekonomi", "INBOX", "window", "ok",
			                    NULL,      4000};

			g_snprintf(loc, sizeof loc, "offset:%zu", i * 800);
			check(bs_store_message_put(s, &m, &mid, &error), error);
		}
		if (i % BATCH == BATCH - 1)
			check(bs_store_commit(s, &error) && bs_store_begin(s, &error), error);
		ident_of(i, id, sizeof id);
		bs_pseudonym(bs_workspace_key(ws), "email", id, strlen(id), p);
		occ.message_id = mid;
		check(bs_store_subject_put(s, "email", p, NULL, &occ.subject_id, NULL, &error) &&
		          bs_store_occurrence_add(s, &occ, &error),
		      error);
	}
	check(bs_store_commit(s, &error), error);
	return (double)rows * 1e6 / (double)(g_get_monotonic_time() - t0);
}

static void
exec_or_die(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		g_error("bench-store: %s", sqlite3_errmsg(db));
}

static double
run_peer(const char *dir, size_t rows)
{
	g_autofree char *path = g_build_filename(dir, "peer.sqlite", NULL);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	gint64 t0;

	sqlite3_open(path, &db);
	exec_or_die(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	                "PRAGMA cache_size = -32768;"
	                "CREATE TABLE t(kind TEXT, ident TEXT, message INTEGER, location TEXT)");
	sqlite3_prepare_v2(db, "INSERT INTO t VALUES ('email', ?1, ?2, 'body')", -1, &st, NULL);
	t0 = g_get_monotonic_time();
	exec_or_die(db, "BEGIN");
	for (size_t i = 0; i < rows; i++) {
		char id[64];

		if (i % BATCH == BATCH - 1)
			exec_or_die(db, "COMMIT; BEGIN");
		ident_of(i, id, sizeof id);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)(i / PER_MESSAGE));
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	exec_or_die(db, "COMMIT");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (double)rows * 1e6 / (double)(g_get_monotonic_time() - t0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v)
{
	qsort(v, RUNS, sizeof v[0], cmp_double);
	return v[RUNS / 2];
}

int
main(int argc, char **argv)
{
	uint64_t rows = 200000;
	double ours[RUNS], pg[RUNS], peer[RUNS];
	g_autofree char *why = NULL;
	test_pg *server;

	if (argc > 1 && !bs_parse_u64(argv[1], strlen(argv[1]), 100000000, &rows))
		g_error("usage: bench-store [ROWS_PER_RUN]");
	server = test_pg_start(&why);
	if (!server)
		g_error("bench-store: %s", why);
	for (int r = 0; r < RUNS; r++) {
		g_autofree char *dir = g_dir_make_tmp("bs-bench-store-XXXXXX", NULL);
		g_autofree char *ws = g_build_filename(dir, "ws", NULL);
		g_autofree char *uri = test_pg_new_db(server);

		ours[r] = run_store(dir, NULL, rows);
		test_rm_tree(ws);
		pg[r] = run_store(dir, uri, rows);
		peer[r] = run_peer(dir, rows);
		test_rm_tree(ws);
		test_rm_tree(dir);
	}
	test_pg_stop(server);
	printf("rows per run: %" PRIu64
	       " (%d identifiers per message, batches of %d, %d distinct)\n",
	       rows, PER_MESSAGE, BATCH, DISTINCT);
	printf("store on sqlite     (keyed hash + subject_put + occurrence_add): %.0f rows/s "
	       "(median of %d)\n",
	       median(ours), RUNS);
	printf("store on postgresql (the same calls, one server on a Unix socket): %.0f rows/s "
	       "(median of %d)\n",
	       median(pg), RUNS);
	printf("peer  (bare SQLite INSERT, no hash, no upsert):                  %.0f rows/s "
	       "(median of %d)\n",
	       median(peer), RUNS);
	printf("ratio sqlite/peer: %.2f; postgresql/sqlite: %.2f; sqlite vs reference 148k rows/s: "
	       "%.2f\n",
	       ours[RUNS / 2] / peer[RUNS / 2], pg[RUNS / 2] / ours[RUNS / 2],
	       ours[RUNS / 2] / 148000.0);
	return 0;
}
