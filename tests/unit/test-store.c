/* Unit tests for store: the workspace, writes that converge, lookup and
 * stats answers, readers beside a writer; every case against both
 * backends, PostgreSQL on a real server (tests/lib/pg-start.sh), plus the
 * PostgreSQL backend's own: parallel writers, schema versions, masked
 * passwords. */
#include "store/store.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "synth.h"
#include "fsutil.h"
#include "pgtest.h"

static test_pg *pg_server;   /* NULL: no PostgreSQL here */
static char *pg_skip_reason; /* why, then */

typedef struct {
	char *dir;
	bs_workspace *ws;
	bs_store *s;
	GRand *rand;
	char *pg_uri; /* the test's own database; NULL for SQLite */
} fixture;

static void
fixture_setup(fixture *f, gconstpointer data)
{
	g_autoptr(bs_config) cfg = bs_config_new();
	g_autofree char *top = g_dir_make_tmp("bs-store-XXXXXX", NULL);
	GError *error = NULL;

	if (strcmp(data, "postgresql") == 0) {
		f->pg_uri = test_pg_new_db(pg_server);
		g_assert_true(bs_config_set(cfg, "store", "backend", "postgresql", "test", &error));
		g_assert_true(bs_config_set(cfg, "store", "dsn", f->pg_uri, "test", &error));
		g_assert_no_error(error);
	}
	f->dir = g_build_filename(top, "ws", NULL);
	g_assert_true(bs_workspace_create(f->dir, cfg, &error));
	g_assert_no_error(error);
	f->ws = bs_workspace_open(f->dir, true, &error);
	g_assert_no_error(error);
	f->s = bs_workspace_store(f->ws);
	g_assert_cmpstr(bs_store_backend_name(f->s), ==, data); /* the config chose it */
	f->rand = g_rand_new_with_seed(42);
	g_free(f->dir);
	f->dir = g_steal_pointer(&top);
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
	bs_workspace_free(f->ws);
	test_rm_tree(f->dir);
	g_free(f->dir);
	g_free(f->pg_uri);
	g_rand_free(f->rand);
}

static char *
ws_dir(fixture *f)
{
	return g_build_filename(f->dir, "ws", NULL);
}

/* One message of a small synthetic incident. */
typedef struct {
	const char *locator, *date, *mailbox, *grade, *status;
	const char *category; /* or NULL */
	bool has_anna;        /* the pnr subject occurs in it */
	bool has_bo;          /* the e-mail subject occurs in it */
} msg_case;

static const msg_case incident[] = {
    {"offset:0", "2024-01-05T08:00:00Z", "ekonomi", "accessed", "ok", "health", true, true},
    {"offset:900", "2024-03-01T10:00:00Z", "socialtjanst", "window", "ok", "health", true, false},
    {"offset:1800", "2024-02-11T09:00:00Z", "ekonomi", "synced", "partial", NULL, true, true},
    {"offset:2700", "2023-12-24T12:00:00Z", "ekonomi", "none", "ok", "criminal", true, false},
    {"offset:3600", NULL, "ekonomi", "window", "failed", NULL, false, false},
};

static void
pseudonym_of(fixture *f, const char *kind, const char *canon, uint8_t out[BS_PSEUDONYM_LEN])
{
	bs_pseudonym(bs_workspace_key(f->ws), kind, canon, strlen(canon), out);
}

static void
put_subject_occurrence(fixture *f, const char *kind, const char *canon, const char *role,
                       int64_t msg_id)
{
	uint8_t p[BS_PSEUDONYM_LEN];
	int64_t subj = 0;
	GError *error = NULL;
	bs_occurrence_row occ = {0, msg_id, "body", "medium", false, 1};

	pseudonym_of(f, kind, canon, p);
	g_assert_true(bs_store_subject_put(f->s, kind, p, role, &subj, NULL, &error));
	g_assert_no_error(error);
	occ.subject_id = subj;
	g_assert_true(bs_store_occurrence_add(f->s, &occ, &error));
	occ.confidence = "high"; /* a second sighting in the same place: counts add up */
	g_assert_true(bs_store_occurrence_add(f->s, &occ, &error));
	g_assert_no_error(error);
}

static void
write_incident(fixture *f, const char *anna, size_t upto)
{
	bs_source_row src = {"/mail/ekonomi.mbox", "mbox", "ekonomi", "h1", "scanning"};
	int64_t source_id = 0;
	GError *error = NULL;

	g_assert_true(bs_store_begin(f->s, &error));
	g_assert_true(bs_store_source_upsert(f->s, &src, &source_id, &error));
	for (size_t i = 0; i < upto; i++) {
		const msg_case *m = &incident[i];
		bs_message_row row = {source_id,  m->locator, "<id@example.org>", m->date,
		                      m->mailbox, "INBOX",    m->grade,           m->status,
		                      NULL,       1000};
		int64_t msg_id = 0;

		g_assert_true(bs_store_message_put(f->s, &row, &msg_id, &error));
		if (m->category)
			g_assert_true(bs_store_category_add(f->s, msg_id, m->category, 2, &error));
		if (m->has_anna)
			put_subject_occurrence(f, "pnr", anna, NULL, msg_id);
		if (m->has_bo)
			put_subject_occurrence(f, "email", "bo@example.org", BS_ROLE_RESIDENT,
			                       msg_id);
	}
	g_assert_true(bs_store_commit(f->s, &error));
	g_assert_no_error(error);
}

static char *
lookup_json(fixture *f, bs_store *s, const char *kind, const char *canon)
{
	uint8_t p[BS_PSEUDONYM_LEN];
	g_autoptr(bs_json) j = bs_json_new();
	GError *error = NULL;
	bs_lookup l;

	pseudonym_of(f, kind, canon, p);
	bs_lookup_init(&l);
	g_assert_true(bs_store_lookup(s, p, kind, &l, &error));
	g_assert_no_error(error);
	bs_lookup_write_json(&l, NULL, j);
	bs_lookup_fini(&l);
	return g_strdup(bs_json_text(j));
}

static char *
stats_json(bs_store *s)
{
	g_autoptr(bs_json) j = bs_json_new();
	GError *error = NULL;
	bs_stats st;

	bs_stats_init(&st);
	g_assert_true(bs_store_stats(s, &st, &error));
	g_assert_no_error(error);
	bs_stats_write_json(&st, NULL, j);
	bs_stats_fini(&st);
	return g_strdup(bs_json_text(j));
}

#define ANNA_JSON                                                                                  \
	"{\"found\":true,\"messages\":3,\"first\":\"2024-01-05\",\"last\":\"2024-03-01\","         \
	"\"mailboxes\":[\"ekonomi\",\"socialtjanst\"],\"categories\":{\"health\":2},"              \
	"\"exposure\":{\"accessed\":1,\"synced\":1,\"window\":1}}"
#define STATS_JSON                                                                                 \
	"{\"messages\":{\"total\":5,\"ok\":3,\"partial\":1,\"failed\":1},"                         \
	"\"subjects\":{\"pnr\":1,\"samordningsnummer\":0,\"email\":1,\"phone\":0},"                \
	"\"occurrences\":6}"

static void
test_lookup_counts_exposed_messages_only(fixture *f, gconstpointer data)
{
	g_autofree char *anna = synth_pnr(f->rand, 1984, 3, 14, false, false);
	g_autofree char *a = NULL, *b = NULL, *nobody = NULL, *st = NULL;

	write_incident(f, anna, G_N_ELEMENTS(incident));
	a = lookup_json(f, f->s, "pnr", anna);
	g_assert_cmpstr(a, ==, ANNA_JSON);
	b = lookup_json(f, f->s, "email", "bo@example.org");
	g_assert_true(g_str_has_prefix(b, "{\"found\":true,\"messages\":2,"));
	nobody = lookup_json(f, f->s, "email", "nobody@example.org");
	g_assert_cmpstr(nobody, ==,
	                "{\"found\":false,\"messages\":0,\"first\":null,\"last\":null,"
	                "\"mailboxes\":[],\"categories\":{},"
	                "\"exposure\":{\"accessed\":0,\"synced\":0,\"window\":0}}");
	st = stats_json(f->s);
	g_assert_cmpstr(st, ==, STATS_JSON);
}

/* One number from the index, read behind the store's back. */
static int64_t
sql_number(fixture *f, const char *sql)
{
	g_autofree char *dir = ws_dir(f);
	g_autofree char *index = g_build_filename(dir, BS_WORKSPACE_INDEX, NULL);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (f->pg_uri)
		return test_pg_number(f->pg_uri, sql);
	g_assert_cmpint(sqlite3_open_v2(index, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* A scan killed after some batches and run again over everything gives the
 * index of one clean run. */
static void
test_rewrite_converges_to_the_clean_index(fixture *f, gconstpointer data)
{
	g_autofree char *anna = synth_pnr(f->rand, 1990, 7, 1, true, true);
	g_autofree char *a = NULL, *st = NULL;

	write_incident(f, anna, 2);
	write_incident(f, anna, G_N_ELEMENTS(incident));
	write_incident(f, anna, G_N_ELEMENTS(incident));
	/* 6 occurrences seen twice each, 3 categories of 2 hits, best confidence */
	g_assert_cmpint(sql_number(f, "SELECT sum(count) FROM occurrence"), ==, 12);
	g_assert_cmpint(sql_number(f, "SELECT sum(count) FROM message_category"), ==, 6);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM occurrence WHERE confidence = 'high'"),
	                ==, 6);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM message"), ==, 5);
	if (!f->pg_uri)
		g_assert_cmpint(
		    sql_number(f, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), ==, 1);
	a = lookup_json(f, f->s, "pnr", anna);
	g_assert_cmpstr(a, ==, ANNA_JSON);
	st = stats_json(f->s);
	g_assert_cmpstr(st, ==, STATS_JSON);
}

static void
test_resume_sees_committed_messages_only(fixture *f, gconstpointer data)
{
	g_autofree char *anna = synth_pnr(f->rand, 1975, 11, 30, false, true);
	bs_source_row src = {"/mail/ekonomi.mbox", "mbox", "ekonomi", "h1", "scanning"};
	bs_message_row row = {0, "offset:42", NULL, NULL, NULL, NULL, "window", "ok", NULL, -1};
	int64_t sid = 0, mid = 0;
	bool exists = true, found = false;
	g_autofree char *hash = NULL, *state = NULL;
	GError *error = NULL;

	write_incident(f, anna, 1);
	g_assert_true(bs_store_source_find(f->s, src.path, &found, &sid, &hash, &state, &error));
	g_assert_true(found);
	g_assert_cmpstr(hash, ==, "h1");
	g_assert_cmpstr(state, ==, "scanning");
	g_assert_true(bs_store_message_exists(f->s, sid, "offset:0", &exists, &error));
	g_assert_true(exists);
	row.source_id = sid;
	g_assert_true(bs_store_begin(f->s, &error));
	g_assert_true(bs_store_message_put(f->s, &row, &mid, &error));
	bs_store_rollback(f->s); /* the kill */
	g_assert_true(bs_store_message_exists(f->s, sid, "offset:42", &exists, &error));
	g_assert_false(exists);
	g_assert_true(bs_store_source_set_state(f->s, sid, "done", &error));
	g_assert_no_error(error);
}

static bool
keep_unless_bo(const char *locator, void *user)
{
	/* the two messages in which bo occurs are gone from the source */
	return strcmp(locator, "offset:0") != 0 && strcmp(locator, "offset:1800") != 0;
}

/* Messages gone from their source go with what hangs off them; on SQLite
 * so do subjects no occurrence points at any more, with their vault
 * entries (PostgreSQL keeps them; nothing counts them). */
static void
test_prune_drops_gone_messages_and_orphans(fixture *f, gconstpointer data)
{
	g_autofree char *anna = synth_pnr(f->rand, 1961, 5, 2, false, true);
	g_autofree char *st = NULL;
	const uint8_t sealed[4] = {1, 2, 3, 4};
	int64_t removed = 0, orphans = f->pg_uri ? 1 : 0;
	GError *error = NULL;

	write_incident(f, anna, G_N_ELEMENTS(incident));
	g_assert_true(bs_store_vault_put(f->s, 2, sealed, sizeof sealed, &error));
	g_assert_true(bs_store_vault_put(f->s, 1, sealed, sizeof sealed, &error));
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM subject WHERE kind = 'email'"), ==, 1);
	g_assert_true(bs_store_message_prune(f->s, 1, keep_unless_bo, NULL, &removed, &error));
	g_assert_no_error(error);
	g_assert_cmpint(removed, ==, 2);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM message"), ==, 3);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM message_category"), ==, 2);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM occurrence"), ==, 2);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM subject WHERE kind = 'email'"), ==,
	                orphans);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM subject WHERE kind = 'pnr'"), ==, 1);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM vault"), ==, 1 + orphans);
	st = stats_json(f->s);
	g_assert_true(strstr(st, "\"email\":0,") != NULL);
	/* Nothing more to drop the second time. */
	g_assert_true(bs_store_message_prune(f->s, 1, keep_unless_bo, NULL, &removed, &error));
	g_assert_cmpint(removed, ==, 0);
	/* Refused inside an open batch. */
	g_assert_true(bs_store_begin(f->s, &error));
	g_assert_false(bs_store_message_prune(f->s, 1, keep_unless_bo, NULL, NULL, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_INTERNAL);
	g_clear_error(&error);
	bs_store_rollback(f->s);
}

static void
test_subject_role_merge_is_order_free(fixture *f, gconstpointer data)
{
	static const char *const orders[][3] = {
	    {NULL, BS_ROLE_RESIDENT, BS_ROLE_STAFF},
	    {BS_ROLE_STAFF, BS_ROLE_RESIDENT, NULL},
	    {BS_ROLE_RESIDENT, BS_ROLE_STAFF, BS_ROLE_RESIDENT},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(orders); i++) {
		g_autofree char *addr = g_strdup_printf("person%zu@example.org", i);
		uint8_t p[BS_PSEUDONYM_LEN];
		int64_t id = 0, first = 0;
		bool created = false;
		GError *error = NULL;

		g_test_message("row %zu", i);
		pseudonym_of(f, "email", addr, p);
		for (size_t k = 0; k < 3; k++) {
			g_assert_true(bs_store_subject_put(f->s, "email", p, orders[i][k], &id,
			                                   &created, &error));
			g_assert_cmpint(created, ==, k == 0);
			if (k == 0)
				first = id;
			g_assert_cmpint(id, ==, first);
		}
		g_assert_no_error(error);
	}
}

static const struct bad_write_case {
	const char *grade, *status, *location, *confidence;
} bad_writes[] = {
    {"exposed", "ok", "body", "high"},
    {"window", "fine", "body", "high"},
    {"window", "ok", "footer", "high"},
    {"window", "ok", "body", "certain"},
};

static void
test_closed_vocabularies_refuse_other_words(fixture *f, gconstpointer data)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_writes); i++) {
		const struct bad_write_case *c = &bad_writes[i];
		bs_message_row row = {1,    "x",      NULL,      NULL, NULL,
		                      NULL, c->grade, c->status, NULL, -1};
		bs_occurrence_row occ = {1, 1, c->location, c->confidence, false, 1};
		int64_t id;
		GError *error = NULL;
		bool ok;

		g_test_message("row %zu", i);
		ok = bs_store_message_put(f->s, &row, &id, &error) &&
		     bs_store_occurrence_add(f->s, &occ, &error);
		g_assert_false(ok);
		g_assert_error(error, BS_ERROR, BS_ERROR_INTERNAL);
		g_error_free(error);
	}
}

/* WAL (or MVCC): a reader opened beside the writer sees each committed
 * batch and never waits for an open one. */
static void
test_reader_beside_writer_sees_commits(fixture *f, gconstpointer data)
{
	g_autofree char *index = bs_workspace_index_dup(f->ws);
	g_autofree char *anna = synth_pnr(f->rand, 2001, 5, 5, false, false);
	g_autoptr(bs_store) reader = NULL;
	g_autofree char *before = NULL, *after = NULL;
	bs_message_row row = {1, "offset:9", NULL, NULL, NULL, NULL, "window", "ok", NULL, -1};
	int64_t id = 0;
	GError *error = NULL;

	write_incident(f, anna, 1);
	reader = bs_store_open(index, false, &error);
	g_assert_no_error(error);
	g_assert_true(bs_store_begin(f->s, &error));
	g_assert_true(bs_store_message_put(f->s, &row, &id, &error));
	before = stats_json(reader); /* the writer's batch is open: no wait, old snapshot */
	g_assert_true(g_str_has_prefix(before, "{\"messages\":{\"total\":1,"));
	g_assert_true(bs_store_commit(f->s, &error));
	after = stats_json(reader);
	g_assert_true(g_str_has_prefix(after, "{\"messages\":{\"total\":2,"));
	g_assert_false(bs_store_message_put(reader, &row, &id, &error)); /* read-only */
	g_assert_error(error, BS_ERROR, BS_ERROR_STORE);
	g_clear_error(&error);
}

static void
test_workspace_refuses_missing_key_and_reinit(fixture *f, gconstpointer data)
{
	g_autofree char *dir = ws_dir(f);
	g_autofree char *key = g_build_filename(dir, BS_WORKSPACE_KEY, NULL);
	g_autoptr(bs_config) cfg = bs_config_new();
	GError *error = NULL;

	g_assert_false(bs_workspace_create(dir, cfg, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_WORKSPACE);
	g_clear_error(&error);
	g_assert_cmpint(g_unlink(key), ==, 0);
	g_assert_null(bs_workspace_open(dir, false, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_WORKSPACE);
	g_assert_nonnull(strstr(error->message, key));
	g_clear_error(&error);
	g_assert_false(g_file_test(key, G_FILE_TEST_EXISTS)); /* never a silent new key */
}

/* ---- PostgreSQL only */

static void
test_pg_create_refuses_a_database_with_an_index(fixture *f, gconstpointer data)
{
	GError *error = NULL;

	g_assert_false(bs_store_create(f->pg_uri, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_STORE);
	g_assert_nonnull(strstr(error->message, "holds a breachscope index already"));
	g_clear_error(&error);
}

static void
test_pg_schema_version_is_checked_and_brought_up(fixture *f, gconstpointer data)
{
	g_autoptr(bs_store) old = NULL;
	GError *error = NULL;

	test_pg_exec(f->pg_uri, "UPDATE schema_version SET version = 99");
	g_assert_null(bs_store_open(f->pg_uri, false, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_STORE);
	g_assert_nonnull(strstr(error->message, "index schema 99 is newer"));
	g_clear_error(&error);
	test_pg_exec(f->pg_uri, "UPDATE schema_version SET version = 2; DROP TABLE subject_fact");
	old = bs_store_open(f->pg_uri, true, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sql_number(f, "SELECT version FROM schema_version"), ==,
	                bs_store_schema_version());
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM subject_fact"), ==, 0);
	test_pg_exec(f->pg_uri, "DROP TABLE schema_version");
	g_assert_null(bs_store_open(f->pg_uri, false, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_STORE);
	g_assert_nonnull(strstr(error->message, "not a breachscope index"));
	g_clear_error(&error);
}

static void
test_pg_errors_never_show_the_password(fixture *f, gconstpointer data)
{
	const char *query = strchr(f->pg_uri, '?');
	g_autofree char *uri =
	    g_strdup_printf("postgresql://nobody:s3cret@/nodb%s&password=t0psecret", query);
	g_autofree char *shown = bs_store_where_display_dup(uri);
	GError *error = NULL;

	g_assert_null(bs_store_open(uri, false, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_STORE);
	g_assert_null(strstr(error->message, "s3cret"));
	g_assert_null(strstr(error->message, "t0psecret"));
	g_assert_nonnull(strstr(error->message, "nobody:***@/nodb"));
	g_assert_nonnull(strstr(shown, "&password=***"));
	g_assert_null(strstr(shown, "secret"));
	g_clear_error(&error);
}

/* Parallel writers: subjects shared, met in opposite orders. */
enum { PAR_WRITERS = 2, PAR_MESSAGES = 20, PAR_SUBJECTS = 60, PAR_BATCH = 5 };

typedef struct {
	fixture *f;
	int n;       /* writer number */
	int created; /* subjects this writer created */
} par_writer;

static void
par_message(par_writer *w, bs_store *s, int64_t source_id, int m)
{
	g_autofree char *loc = g_strdup_printf("offset:%d", m);
	bs_message_row row = {source_id, loc,     NULL,     "2024-01-05T08:00:00Z",
	                      "ekonomi", "INBOX", "window", "ok",
	                      NULL,      100};
	bs_occurrence_row occ = {0, 0, "body", "high", false, 1};
	GError *error = NULL;

	g_assert_true(bs_store_message_put(s, &row, &occ.message_id, &error));
	for (int k = 0; k < PAR_SUBJECTS; k++) {
		int who = w->n == 0 ? k : PAR_SUBJECTS - 1 - k;
		g_autofree char *addr = g_strdup_printf("p%d@example.org", who);
		uint8_t p[BS_PSEUDONYM_LEN], sealed[48] = {1};
		bool created = false;

		pseudonym_of(w->f, "email", addr, p);
		g_assert_true(
		    bs_store_subject_put(s, "email", p, NULL, &occ.subject_id, &created, &error));
		if (created && bs_store_vault_put(s, occ.subject_id, sealed, sizeof sealed, &error))
			w->created++;
		g_assert_true(bs_store_occurrence_add(s, &occ, &error));
		g_assert_no_error(error);
	}
}

static gpointer
par_write(gpointer data)
{
	par_writer *w = data;
	g_autofree char *path = g_strdup_printf("/mail/box%d.mbox", w->n);
	bs_source_row src = {path, "mbox", "ekonomi", "h", "scanning"};
	g_autoptr(bs_store) s = NULL;
	int64_t sid = 0;
	GError *error = NULL;

	s = bs_store_open(w->f->pg_uri, true, &error);
	g_assert_no_error(error);
	g_assert_true(bs_store_source_upsert(s, &src, &sid, &error));
	for (int m = 0; m < PAR_MESSAGES; m++) {
		if (m % PAR_BATCH == 0)
			g_assert_true(bs_store_begin(s, &error));
		par_message(w, s, sid, m);
		if (m % PAR_BATCH == PAR_BATCH - 1)
			g_assert_true(bs_store_commit(s, &error));
		g_assert_no_error(error);
	}
	return NULL;
}

/* Shard scanners: batches that meet the same new subjects in opposite
 * orders neither deadlock nor duplicate; each subject is one row with one
 * vault entry (two writers may both be told to seal it in the moment
 * between one's insert and its seal: the first seal stays). */
static void
test_pg_parallel_writers_converge(fixture *f, gconstpointer data)
{
	par_writer w[PAR_WRITERS];
	GThread *t[PAR_WRITERS];
	int created = 0;

	for (int i = 0; i < PAR_WRITERS; i++) {
		w[i] = (par_writer){f, i, 0};
		t[i] = g_thread_new("writer", par_write, &w[i]);
	}
	for (int i = 0; i < PAR_WRITERS; i++) {
		g_thread_join(t[i]);
		created += w[i].created;
	}
	g_assert_cmpint(created, >=, PAR_SUBJECTS);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM subject"), ==, PAR_SUBJECTS);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM vault"), ==, PAR_SUBJECTS);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM message"), ==,
	                PAR_WRITERS * PAR_MESSAGES);
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM occurrence"), ==,
	                PAR_WRITERS * PAR_MESSAGES * PAR_SUBJECTS);
}

/* A writer killed between a new subject and its seal: the next writer
 * that meets the subject is told to seal it; once sealed, nobody is. */
static void
test_pg_unsealed_subject_is_sealed_by_the_next_writer(fixture *f, gconstpointer data)
{
	g_autofree char *pnr = synth_pnr(f->rand, 1940, 1, 1, false, false);
	uint8_t p[BS_PSEUDONYM_LEN], sealed[48] = {7};
	int64_t id = 0, again = 0;
	bool created = false;
	GError *error = NULL;

	pseudonym_of(f, "pnr", pnr, p);
	for (int writer = 0; writer < 3; writer++) {
		g_autoptr(bs_store) s = bs_store_open(f->pg_uri, true, &error);

		g_assert_no_error(error);
		g_assert_true(bs_store_subject_put(s, "pnr", p, NULL, &again, &created, &error));
		g_assert_no_error(error);
		g_assert_cmpint(created, ==, writer < 2); /* writer 0 dies unsealed */
		if (writer == 0)
			id = again;
		g_assert_cmpint(again, ==, id);
		if (writer == 1)
			g_assert_true(bs_store_vault_put(s, id, sealed, sizeof sealed, &error));
	}
	g_assert_cmpint(sql_number(f, "SELECT count(*) FROM vault"), ==, 1);
}

static void
test_pg_skipped(void)
{
	g_test_skip(pg_skip_reason);
}

typedef struct {
	const char *path;
	void (*fn)(fixture *, gconstpointer);
} test_case;

static const test_case both[] = {
    {"/lookup/counts-exposed-messages-only", test_lookup_counts_exposed_messages_only},
    {"/write/rewrite-converges-to-the-clean-index", test_rewrite_converges_to_the_clean_index},
    {"/write/resume-sees-committed-messages-only", test_resume_sees_committed_messages_only},
    {"/write/prune-drops-gone-messages-and-orphans", test_prune_drops_gone_messages_and_orphans},
    {"/write/subject-role-merge-is-order-free", test_subject_role_merge_is_order_free},
    {"/write/closed-vocabularies-refuse-other-words", test_closed_vocabularies_refuse_other_words},
    {"/wal/reader-beside-writer-sees-commits", test_reader_beside_writer_sees_commits},
    {"/workspace/refuses-missing-key-and-reinit", test_workspace_refuses_missing_key_and_reinit},
};

static const test_case pg_only[] = {
    {"/create-refuses-a-database-with-an-index", test_pg_create_refuses_a_database_with_an_index},
    {"/schema-version-is-checked-and-brought-up", test_pg_schema_version_is_checked_and_brought_up},
    {"/errors-never-show-the-password", test_pg_errors_never_show_the_password},
    {"/write/parallel-writers-converge", test_pg_parallel_writers_converge},
    {"/write/unsealed-subject-is-sealed-by-the-next-writer",
     test_pg_unsealed_subject_is_sealed_by_the_next_writer},
};

static void
add_cases(const char *prefix, const test_case *cases, size_t count, const char *backend)
{
	for (size_t i = 0; i < count; i++) {
		g_autofree char *path = g_strconcat(prefix, cases[i].path, NULL);

		g_test_add(path, fixture, backend, fixture_setup, cases[i].fn, fixture_teardown);
	}
}

/* The SQLite cases keep their paths (/store/...); the same cases against
 * PostgreSQL run as /store/postgresql/... on a server of their own. */
int
main(int argc, char **argv)
{
	int st;

	g_test_init(&argc, &argv, NULL);
	add_cases("/store", both, G_N_ELEMENTS(both), "sqlite");
	pg_server = test_pg_start(&pg_skip_reason);
	if (pg_server) {
		add_cases("/store/postgresql", both, G_N_ELEMENTS(both), "postgresql");
		add_cases("/store/postgresql", pg_only, G_N_ELEMENTS(pg_only), "postgresql");
	} else if (test_pg_required()) {
		g_error("BS_REQUIRE_PG=1 but %s", pg_skip_reason);
	} else {
		g_test_add_func("/store/postgresql/skipped", test_pg_skipped);
	}
	st = g_test_run();
	test_pg_stop(pg_server);
	g_free(pg_skip_reason);
	return st;
}
