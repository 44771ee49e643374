/* Unit tests for report: figures equal to a known index written through
 * the store API, person linking within the documented rules, the risk
 * ranking, HTML escaping, CSV quoting, the notification list's vault round
 * trip and refusals. */
#include "report/report.h"

#include <glib/gstdio.h>
#include <jansson.h>
#include <sys/stat.h>

#include "synth.h"

/* ---- a small incident */

typedef struct {
	const char *name, *kind, *role; /* kind "pnr" | "email" */
	int birth_year;                 /* pnr: born then (2015: a child in 2024) */
} who_row;

static const who_row people[] = {
    {"P1", "pnr", NULL, 1980},         {"E1", "email", BS_ROLE_RESIDENT, 0},
    {"P2", "pnr", NULL, 2015},         {"E2", "email", BS_ROLE_RESIDENT, 0},
    {"P3", "pnr", NULL, 1971},         {"P4", "pnr", NULL, 1972},
    {"E3", "email", BS_ROLE_RESIDENT, 0}, {"P5", "pnr", NULL, 1961},
    {"P6", "pnr", NULL, 1962},         {"E4", "email", BS_ROLE_STAFF, 0},
    {"P7", "pnr", NULL, 1950},         {"P8", "pnr", NULL, 1990},
    {"P9", "pnr", NULL, 1985},
};

typedef struct {
	const char *locator, *mailbox, *grade, *status;
	const char *cats;    /* space-separated categories, or NULL */
	const char *who;     /* space-separated people in it */
	const char *sender;  /* the From address (fact "sender"), or NULL */
	const char *selves;  /* numbers given as the sender's own (fact "self") */
} msg_row;

/* m0: L1 links E1-P1.  m2: two selves, no link.  m3+m4: E3 with two
 * numbers, no link (L2).  m5: not exposed.  m6: staff sender, no link. */
static const msg_row incident[] = {
    {"offset:0", "ekonomi", "accessed", "ok", "health", "P1 E1", "E1", "P1"},
    {"offset:100", "skola", "window", "ok", "social children_school", "P1 P2", NULL, NULL},
    {"offset:200", "skola", "window", "ok", NULL, "E2 P3 P4", "E2", "P3 P4"},
    {"offset:300", "skola", "window", "ok", NULL, "E3 P5", "E3", "P5"},
    {"offset:400", "skola", "window", "ok", NULL, "E3 P6", "E3", "P6"},
    {"offset:500", "ekonomi", "none", "ok", "criminal", "P7", NULL, NULL},
    {"offset:600", "ekonomi", "synced", "partial", NULL, "E4 P8", "E4", "P8"},
    {"offset:700", "ekonomi", "window", "failed", NULL, "", NULL, NULL},
    {"offset:800", "<b>&\"x", "window", "ok", "protected_identity", "P9", NULL, NULL},
};

typedef struct {
	char *dir;
	bs_workspace *ws;
	bs_store *s;
	GHashTable *ids;   /* name -> int64_t * subject id */
	GHashTable *plain; /* name -> canonical */
} fixture;

static void
rm_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			rm_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(dir);
}

static int64_t
id_of(fixture *f, const char *name)
{
	int64_t *id = g_hash_table_lookup(f->ids, name);

	g_assert_nonnull(id);
	return *id;
}

static void
put_people(fixture *f, const uint8_t *vault_pk, GRand *r)
{
	for (size_t i = 0; i < G_N_ELEMENTS(people); i++) {
		const who_row *w = &people[i];
		char *canon = strcmp(w->kind, "pnr") == 0
		                  ? synth_pnr(r, w->birth_year, 3, 1 + (int)i, false, i % 2)
		                  : g_strdup_printf("%s.person@example.org", w->name);
		uint8_t p[BS_PSEUDONYM_LEN];
		int64_t *id = g_new0(int64_t, 1);
		GError *error = NULL;

		bs_pseudonym(bs_workspace_key(f->ws), w->kind, canon, strlen(canon), p);
		g_assert_true(bs_store_subject_put(f->s, w->kind, p, w->role, id, NULL, &error));
		g_assert_no_error(error);
		if (vault_pk) {
			size_t len = 0;
			g_autofree uint8_t *sealed =
			    bs_vault_seal(vault_pk, w->kind, canon, strlen(canon), &len);

			g_assert_true(bs_store_vault_put(f->s, *id, sealed, len, &error));
		}
		g_hash_table_insert(f->ids, g_strdup(w->name), id);
		g_hash_table_insert(f->plain, g_strdup(w->name), canon);
	}
}

static void
put_words(fixture *f, int64_t mid, const char *words, const char *fact)
{
	g_auto(GStrv) v = g_strsplit(words ? words : "", " ", -1);
	GError *error = NULL;

	for (char **w = v; *w; w++) {
		if (!**w)
			continue;
		g_assert_true(bs_store_fact_add(f->s, mid, id_of(f, *w), fact, &error));
		g_assert_no_error(error);
	}
}

static void
put_message(fixture *f, int64_t source, const msg_row *m)
{
	bs_message_row row = {source, m->locator, NULL, "2024-09-02T08:00:00Z", m->mailbox,
	                      "INBOX", m->grade, m->status, NULL, 100};
	g_auto(GStrv) who = g_strsplit(m->who, " ", -1);
	g_auto(GStrv) cats = g_strsplit(m->cats ? m->cats : "", " ", -1);
	GError *error = NULL;
	int64_t mid = 0;

	if (strcmp(m->status, "ok") != 0)
		row.reason = "truncated at 1 offset 12";
	g_assert_true(bs_store_message_put(f->s, &row, &mid, &error));
	for (char **w = who; *w; w++) {
		bs_occurrence_row occ = {0, mid, "body", "high", false, 1};

		if (!**w)
			continue;
		occ.subject_id = id_of(f, *w);
		occ.child = strcmp(*w, "P2") == 0;
		g_assert_true(bs_store_occurrence_add(f->s, &occ, &error));
	}
	for (char **c = cats; *c; c++)
		if (**c)
			g_assert_true(bs_store_category_add(f->s, mid, *c, 2, &error));
	g_assert_no_error(error);
	if (m->sender)
		put_words(f, mid, m->sender, BS_FACT_SENDER);
	put_words(f, mid, m->selves, BS_FACT_SELF);
}

static void
fixture_setup_vault(fixture *f, const uint8_t *vault_pk)
{
	g_autoptr(bs_config) cfg = bs_config_new();
	g_autoptr(GRand) r = g_rand_new_with_seed(6);
	bs_source_row src = {"/test/mail", "mbox", NULL, NULL, "done"};
	GError *error = NULL;
	int64_t source = 0;

	f->dir = g_dir_make_tmp("bs-report-XXXXXX", NULL);
	{
		g_autofree char *ws = g_build_filename(f->dir, "ws", NULL);

		g_assert_true(bs_workspace_create(ws, cfg, &error));
		f->ws = bs_workspace_open(ws, true, &error);
	}
	g_assert_no_error(error);
	f->s = bs_workspace_store(f->ws);
	f->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	f->plain = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_assert_true(bs_store_begin(f->s, &error));
	g_assert_true(bs_store_source_upsert(f->s, &src, &source, &error));
	put_people(f, vault_pk, r);
	for (size_t i = 0; i < G_N_ELEMENTS(incident); i++)
		put_message(f, source, &incident[i]);
	g_assert_true(bs_store_commit(f->s, &error));
	g_assert_no_error(error);
}

static void
fixture_setup(fixture *f, gconstpointer data)
{
	fixture_setup_vault(f, NULL);
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
	bs_workspace_free(f->ws);
	rm_tree(f->dir);
	g_free(f->dir);
	g_hash_table_unref(f->ids);
	g_hash_table_unref(f->plain);
}

/* ---- JSON helpers */

static json_t *
report_json(fixture *f)
{
	g_autoptr(bs_report) r = NULL;
	g_autoptr(bs_json) j = bs_json_new();
	GError *error = NULL;
	json_t *root;

	r = bs_report_build(f->s, bs_workspace_config(f->ws), NULL, &error);
	g_assert_no_error(error);
	bs_report_write_json(r, NULL, j);
	root = json_loads(bs_json_text(j), 0, NULL);
	g_assert_nonnull(root);
	return root;
}

/* "a.b.c" inside root; the value must be an integer. */
static int64_t
jint(json_t *root, const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, ".", -1);
	json_t *v = root;

	for (char **p = parts; *p && v; p++)
		v = json_object_get(v, *p);
	if (!v || !json_is_integer(v))
		g_error("no integer at %s", path);
	return json_integer_value(v);
}

typedef struct {
	const char *path;
	int64_t want;
} figure_case;

/* Counted by hand from the incident table above. */
static const figure_case figures[] = {
    {"messages.accessed", 1},
    {"messages.synced", 1},
    {"messages.window", 6},
    {"messages.none", 1},
    {"messages.total", 9},
    {"records.accessed", 2},
    {"records.synced", 2},
    {"records.window", 10},
    {"subjects.min", 2},
    {"subjects.max", 12},
    {"subjects.by_kind.pnr", 8},
    {"subjects.by_kind.email", 4},
    {"subjects.by_kind.samordningsnummer", 0},
    {"subjects.by_category.personnummer", 8},
    {"subjects.by_category.contact", 4},
    {"subjects.by_category.health", 2},
    {"subjects.by_category.social", 2},
    {"subjects.by_category.children_school", 2},
    {"subjects.by_category.protected_identity", 1},
    {"subjects.by_category.criminal", 0}, /* only in a message not exposed */
    {"subjects.by_role.resident", 3},
    {"subjects.by_role.staff", 1},
    {"persons.min", 1},
    {"persons.max", 11},
    {"persons.links", 1},
    {"persons.conflicts", 1},
    {"children", 1},
    {"high_risk", 3},
    {"coverage.ok", 7},
    {"coverage.partial", 1},
    {"coverage.failed", 1},
    {"coverage.exposed_partial", 1},
    {"coverage.exposed_failed", 1},
};

static void
test_figures_match_the_index(fixture *f, gconstpointer data)
{
	json_t *root = report_json(f);

	for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
		g_test_message("row %zu: %s", i, figures[i].path);
		g_assert_cmpint(jint(root, figures[i].path), ==, figures[i].want);
	}
	json_decref(root);
}

static void
test_empty_index_reports_zeros(void)
{
	fixture f = {0};
	g_autoptr(bs_config) cfg = bs_config_new();
	GError *error = NULL;
	json_t *root;

	f.dir = g_dir_make_tmp("bs-report-XXXXXX", NULL);
	{
		g_autofree char *ws = g_build_filename(f.dir, "ws", NULL);

		g_assert_true(bs_workspace_create(ws, cfg, &error));
		f.ws = bs_workspace_open(ws, false, &error);
	}
	g_assert_no_error(error);
	f.s = bs_workspace_store(f.ws);
	root = report_json(&f);
	g_assert_cmpint(jint(root, "subjects.max"), ==, 0);
	g_assert_cmpint(jint(root, "persons.max"), ==, 0);
	g_assert_cmpint(jint(root, "high_risk"), ==, 0);
	g_assert_true(json_is_true(json_object_get(json_object_get(root, "coverage"), "complete")));
	json_decref(root);
	bs_workspace_free(f.ws);
	rm_tree(f.dir);
	g_free(f.dir);
}

/* ---- linking and ranking */

static void
hex_of(fixture *f, const char *name, char out[BS_PSEUDONYM_HEX_LEN + 1])
{
	const char *canon = g_hash_table_lookup(f->plain, name);
	const char *kind = name[0] == 'P' ? "pnr" : "email";
	uint8_t p[BS_PSEUDONYM_LEN];

	bs_pseudonym(bs_workspace_key(f->ws), kind, canon, strlen(canon), p);
	bs_pseudonym_hex(p, out);
}

static void
test_high_risk_ranked_and_linked(fixture *f, gconstpointer data)
{
	static const struct {
		const char *members; /* in subject order */
		unsigned reasons;
	} want[] = {
	    {"P1 E1", BS_RISK_ART9 | BS_RISK_SOCIAL | BS_RISK_SCHOOL | BS_RISK_NATIONAL_ID |
	                  BS_RISK_ACCESSED},
	    {"P9", BS_RISK_PROTECTED | BS_RISK_NATIONAL_ID},
	    {"P2", BS_RISK_CHILD | BS_RISK_SOCIAL | BS_RISK_SCHOOL | BS_RISK_NATIONAL_ID},
	};
	g_autoptr(GPtrArray) list = NULL;
	GError *error = NULL;

	g_assert_true(bs_report_high_risk(f->s, 10, &list, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < list->len; i++) {
		const bs_risk_entry *e = list->pdata[i];
		g_auto(GStrv) names = g_strsplit(want[i].members, " ", -1);

		g_test_message("rank %u", i + 1);
		g_assert_cmpint(e->rank, ==, (int)i + 1);
		g_assert_cmpuint(e->reasons, ==, want[i].reasons);
		g_assert_cmpint(e->score, >=, BS_RISK_HIGH_SCORE);
		g_assert_cmpuint(e->identifiers->len, ==, g_strv_length(names));
		for (guint k = 0; names[k]; k++) {
			char hex[BS_PSEUDONYM_HEX_LEN + 1];

			hex_of(f, names[k], hex);
			g_assert_cmpstr(((bs_risk_ident *)e->identifiers->pdata[k])->hex, ==, hex);
		}
		g_assert_cmpuint(e->locators->len, >, 0);
	}
	g_assert_cmpstr(((bs_message_ref *)((bs_risk_entry *)list->pdata[0])->locators->pdata[0])
	                    ->locator,
	                ==, "offset:0"); /* accessed first */
	g_assert_true(bs_report_high_risk(f->s, 1, &list, &error) && list->len == 1);
}

static void
test_html_escapes_index_text(fixture *f, gconstpointer data)
{
	g_autoptr(bs_report) r = bs_report_build(f->s, bs_workspace_config(f->ws), NULL, NULL);
	size_t len = 0;
	g_autofree char *html = bs_report_html_dup(r, "sv", &len);

	g_assert_cmpuint(strlen(html), ==, len);
	g_assert_nonnull(strstr(html, "&lt;b&gt;&amp;&quot;x"));
	g_assert_null(strstr(html, "<b>&"));
	g_assert_null(strstr(html, "<script"));
	g_assert_null(strstr(html, "http")); /* no external asset */
	g_assert_nonnull(strstr(html, "@media print"));
	g_assert_nonnull(strstr(html, "Draft notification to IMY") ||
	                 strstr(html, "Utkast till anmälan till IMY"));
	g_assert_nonnull(strstr(html, "OFULLSTÄNDIG"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/report/figures/match-the-index", fixture, NULL, fixture_setup,
	           test_figures_match_the_index, fixture_teardown);
	g_test_add_func("/report/figures/empty-index-reports-zeros", test_empty_index_reports_zeros);
	g_test_add("/report/high-risk/ranked-and-linked-within-the-rules", fixture, NULL,
	           fixture_setup, test_high_risk_ranked_and_linked, fixture_teardown);
	g_test_add("/report/html/escapes-index-text", fixture, NULL, fixture_setup,
	           test_html_escapes_index_text, fixture_teardown);
	return g_test_run();
}
