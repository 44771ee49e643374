/* Unit tests for report: figures equal to a known index written through
 * the store API, person linking within the documented rules, the risk
 * ranking, HTML escaping, CSV quoting, the notification list's vault round
 * trip and refusals. */
#include "report/report.h"

#include <glib/gstdio.h>
#include <jansson.h>
#include <sys/stat.h>

#include "synth.h"
#include "fsutil.h"

/* ---- a small incident */

typedef struct {
	const char *name, *kind, *role; /* kind "pnr" | "email" */
	int birth_year;                 /* pnr: born then (2015: a child in 2024) */
} who_row;

static const who_row people[] = {
    {"P1", "pnr", NULL, 1980},
    {"E1", "email", BS_ROLE_RESIDENT, 0},
    {"P2", "pnr", NULL, 2015},
    {"E2", "email", BS_ROLE_RESIDENT, 0},
    {"P3", "pnr", NULL, 1971},
    {"P4", "pnr", NULL, 1972},
    {"E3", "email", BS_ROLE_RESIDENT, 0},
    {"P5", "pnr", NULL, 1961},
    {"P6", "pnr", NULL, 1962},
    {"E4", "email", BS_ROLE_STAFF, 0},
    {"P7", "pnr", NULL, 1950},
    {"P8", "pnr", NULL, 1990},
    {"P9", "pnr", NULL, 1985},
};

typedef struct {
	const char *locator, *mailbox, *grade, *status;
	const char *cats;   /* space-separated categories, or NULL */
	const char *who;    /* space-separated people in it */
	const char *sender; /* the From address (fact "sender"), or NULL */
	const char *selves; /* numbers given as the sender's own (fact "self") */
	const char *near;   /* with protected-identity words close by (fact "protected") */
} msg_row;

/* m0: L1 links E1-P1.  m2: two selves, no link.  m3+m4: E3 with two
 * numbers, no link (L2).  m5: not exposed.  m6: staff sender, no link.
 * m8: P9 written next to protected-identity words. */
static const msg_row incident[] = {
    {"offset:0", "ekonomi", "accessed", "ok", "health", "P1 E1", "E1", "P1", NULL},
    {"offset:100", "skola", "window", "ok", "social children_school", "P1 P2", NULL, NULL, NULL},
    {"offset:200", "skola", "window", "ok", NULL, "E2 P3 P4", "E2", "P3 P4", NULL},
    {"offset:300", "skola", "window", "ok", NULL, "E3 P5", "E3", "P5", NULL},
    {"offset:400", "skola", "window", "ok", NULL, "E3 P6", "E3", "P6", NULL},
    {"offset:500", "ekonomi", "none", "ok", "criminal", "P7", NULL, NULL, NULL},
    {"offset:600", "ekonomi", "synced", "partial", NULL, "E4 P8", "E4", "P8", NULL},
    {"offset:700", "ekonomi", "window", "failed", NULL, "", NULL, NULL, NULL},
    {"offset:800", "<b>&\"x", "window", "ok", "protected_identity", "P9", NULL, NULL, "P9"},
};

typedef struct {
	char *dir;
	bs_workspace *ws;
	bs_store *s;
	GHashTable *ids;   /* name -> int64_t * subject id */
	GHashTable *plain; /* name -> canonical */
} fixture;

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
	bs_message_row row = {source,     m->locator, NULL,     "2024-09-02T08:00:00Z",
	                      m->mailbox, "INBOX",    m->grade, m->status,
	                      NULL,       100};
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
	put_words(f, mid, m->near, BS_FACT_PROTECTED);
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
	test_rm_tree(f->dir);
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
	test_rm_tree(f.dir);
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
	g_assert_cmpstr(
	    ((bs_message_ref *)((bs_risk_entry *)list->pdata[0])->locators->pdata[0])->locator, ==,
	    "offset:0"); /* accessed first */
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
	g_assert_nonnull(strstr(html, "What happened")); /* the IMY draft in both languages */
	g_assert_nonnull(strstr(html, "Vad hände"));
	g_assert_nonnull(strstr(html, "Utkast till anmälan till IMY"));
	g_assert_nonnull(strstr(html, "OFULLSTÄNDIG"));
}

/* The IMY draft takes the [incident] settings and the scope's windows. */
static void
test_imy_draft_from_config_and_scope(fixture *f, gconstpointer data)
{
	static const char scope_json[] =
	    "{\"version\": 1, \"accounts\": [{\"account\": \"ekonomi\", \"mailboxes\": [],"
	    " \"windows\": [{\"from\": \"2024-09-02T06:10:00Z\", \"to\": "
	    "\"2024-09-04T15:30:00Z\"}],"
	    " \"items\": [], \"evidence\": [{\"rule\": \"manual\"}]}], \"throttled\": []}";
	static const struct {
		const char *key, *value;
	} settings[] = {
	    {"discovered_at", "2024-09-05T09:00:00Z"}, {"description", "Nätfiske <img src=x>"},
	    {"measures", "Lösenord byttes"},           {"org", "Exempel kommun"},
	    {"address", "Box 1, 123 45 Exempelby"},
	};
	static const char *const want[] = {
	    "2024-09-02 06:10 UTC",                        /* occurred: the window's start */
	    "2024-09-04 15:30 UTC",                        /* ceased: its end */
	    "2024-09-08 09:00 UTC",                        /* the 72-hour deadline */
	    "give the reasons for the delay (Art. 33(1))", /* it has passed */
	    "Nätfiske &lt;img src=x&gt;",
	    "Lösenord byttes",
	    "Exempel kommun",
	    "Box 1, 123 45 Exempelby",
	    /* the form's fields, numbered as in IMY's Swedish and English forms
	       (domain-facts §4.2) */
	    "Personuppgiftsansvarig och organisationsnummer (fråga 1–2)",
	    "Postadress (fråga 3)",
	    "Kontaktperson (fråga 9)",
	    "När upphörde incidenten (fråga 13)",
	    "När upptäcktes incidenten",
	    "Typ av incident",
	    "Antal registrerade och poster",
	    "Grupper av registrerade (fråga 25)",
	    "Typer av personuppgifter (fråga 26)",
	    "Sannolika konsekvenser (fråga 28)",
	    "Bedömd allvarlighet",
	    "Vidtagna åtgärder (fråga 30)",
	    "Har de registrerade informerats (fråga 32–35)",
	    "Controller and organisation number",
	    "Postal address",
	    "Own reference",
	    "When did the breach cease (15a)",
	    "When it was discovered",
	    "Categories of data subjects (27)",
	    "Categories of personal data (28)",
	    "Likely consequences (19)",
	    "Severity estimate",
	    "Measures taken or proposed (21)",
	    "Have the data subjects been informed (23a–d)",
	};
	bs_config *cfg = bs_workspace_config_mut(f->ws);
	g_autoptr(bs_scope) scope = NULL;
	g_autoptr(bs_report) r = NULL;
	g_autofree char *html = NULL;
	GError *error = NULL;
	size_t len = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(settings); i++)
		g_assert_true(bs_config_set(cfg, "incident", settings[i].key, settings[i].value,
		                            "test", &error));
	g_assert_true(
	    bs_scope_load_data("scope.json", scope_json, strlen(scope_json), &scope, &error));
	g_assert_no_error(error);
	r = bs_report_build(f->s, cfg, scope, &error);
	g_assert_no_error(error);
	html = bs_report_html_dup(r, "en", &len);
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		g_test_message("row %zu", i);
		g_assert_nonnull(strstr(html, want[i]));
	}
	g_assert_null(strstr(html, "<img"));
}

/* ---- the notification list */

typedef struct {
	int calls;
	int64_t identifiers, persons;
	bool refuse;
} audit_probe;

static bool
probe_audit(int64_t identifiers, int64_t persons, void *user, GError **error)
{
	audit_probe *a = user;

	a->calls++;
	a->identifiers = identifiers;
	a->persons = persons;
	if (a->refuse)
		g_set_error(error, BS_ERROR, BS_ERROR_STORE, "audit log unavailable");
	return !a->refuse;
}

typedef struct {
	fixture f;
	char *key_path, *wrong_path, *csv, *letters;
} vault_fixture;

static void
vault_setup(vault_fixture *v, gconstpointer data)
{
	g_autofree char *keys = g_dir_make_tmp("bs-report-keys-XXXXXX", NULL);
	g_autofree char *pub = NULL, *wrong_pub = NULL;
	uint8_t pk[BS_VAULT_KEY_LEN];
	GError *error = NULL;

	v->key_path = g_build_filename(keys, "dpo.key", NULL);
	v->wrong_path = g_build_filename(keys, "other.key", NULL);
	pub = bs_vault_keygen(v->key_path, &error);
	wrong_pub = bs_vault_keygen(v->wrong_path, &error);
	g_assert_no_error(error);
	g_assert_true(bs_vault_public_from_base64(pub, pk, &error));
	fixture_setup_vault(&v->f, pk);
	v->csv = g_build_filename(v->f.dir, "list.csv", NULL);
	v->letters = g_build_filename(v->f.dir, "letters", NULL);
}

static void
vault_teardown(vault_fixture *v, gconstpointer data)
{
	g_autofree char *keys = g_path_get_dirname(v->key_path);

	test_rm_tree(keys);
	fixture_teardown(&v->f, NULL);
	g_free(v->key_path);
	g_free(v->wrong_path);
	g_free(v->csv);
	g_free(v->letters);
}

static bool
notify(vault_fixture *v, const char *key_path, audit_probe *a, bool letters, bs_notify_summary *sum,
       GError **error)
{
	g_autoptr(bs_vault_secret) sk = bs_vault_secret_load(key_path, error);
	bs_notify_options o = {v->csv,      false, letters ? v->letters : NULL, NULL, "sv",
	                       probe_audit, a};

	g_assert_nonnull(sk);
	return bs_report_notify_list(v->f.s, bs_workspace_config(v->f.ws), sk, &o, sum, error);
}

static void
test_notify_round_trip(vault_fixture *v, gconstpointer data)
{
	audit_probe a = {0};
	bs_notify_summary sum;
	GError *error = NULL;
	g_autofree char *csv = NULL, *letter = NULL, *first = NULL;
	g_autofree char *letter1 = g_build_filename(v->letters, "000001.txt", NULL);
	g_auto(GStrv) lines = NULL;
	GStatBuf st;

	g_assert_true(notify(v, v->key_path, &a, true, &sum, &error));
	g_assert_no_error(error);
	g_assert_cmpint(sum.identifiers, ==, 12); /* every exposed subject, P7 not */
	g_assert_cmpint(sum.persons, ==, 11);
	g_assert_cmpint(a.calls, ==, 1);
	g_assert_cmpint(a.identifiers, ==, 12);
	g_assert_cmpint(g_stat(v->csv, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_true(g_file_get_contents(v->csv, &csv, NULL, NULL));
	lines = g_strsplit(csv, "\r\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 14); /* head, 12 rows, "" */
	g_assert_true(g_str_has_prefix(lines[0], "rank,score,high_risk,kind,identifier,"));
	first = g_strdup_printf("1,");
	g_assert_true(g_str_has_prefix(lines[1], first));
	g_assert_nonnull(strstr(csv, (char *)g_hash_table_lookup(v->f.plain, "P1")));
	g_assert_null(strstr(csv, (char *)g_hash_table_lookup(v->f.plain, "P7")));
	g_assert_cmpint(g_stat(letter1, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_true(g_file_get_contents(letter1, &letter, NULL, NULL));
	g_assert_nonnull(strstr(letter, (char *)g_hash_table_lookup(v->f.plain, "P1")));
	g_assert_nonnull(strstr(letter, (char *)g_hash_table_lookup(v->f.plain, "E1")));
	g_assert_null(strstr(letter, "{{"));
	g_assert_nonnull(strstr(csv, ",near,skatteverket,")); /* P9 */
}

/* A protected person's letter is no ordinary letter: it lies apart, under
 * skatteverket/, headed by the notice to send it through Skatteverket. */
static void
test_notify_protected_letter_apart(vault_fixture *v, gconstpointer data)
{
	audit_probe a = {0};
	bs_notify_summary sum;
	GError *error = NULL;
	g_autofree char *apart = g_build_filename(v->letters, "skatteverket", "000002.txt", NULL);
	g_autofree char *ordinary = g_build_filename(v->letters, "000002.txt", NULL);
	g_autofree char *dir = g_path_get_dirname(apart);
	g_autofree char *letter = NULL;
	GStatBuf st;

	g_assert_true(notify(v, v->key_path, &a, true, &sum, &error));
	g_assert_no_error(error);
	g_assert_cmpint(sum.persons, ==, 11);
	g_assert_cmpint(sum.protected, ==, 1);
	g_assert_false(g_file_test(ordinary, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_get_contents(apart, &letter, NULL, NULL));
	g_assert_true(g_str_has_prefix(letter, "SKYDDADE PERSONUPPGIFTER"));
	g_assert_nonnull(strstr(letter, "Skatteverkets förmedling"));
	g_assert_nonnull(strstr(letter, (char *)g_hash_table_lookup(v->f.plain, "P9")));
	g_assert_cmpint(g_stat(dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
}

static void
test_notify_refusals_write_nothing(vault_fixture *v, gconstpointer data)
{
	audit_probe a = {0}, refusing = {.refuse = true};
	bs_notify_summary sum;
	GError *error = NULL;

	g_assert_false(notify(v, v->wrong_path, &a, true, &sum, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_CRYPTO);
	g_clear_error(&error);
	g_assert_cmpint(a.calls, ==, 0);
	g_assert_false(g_file_test(v->csv, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(v->letters, G_FILE_TEST_EXISTS));

	g_assert_false(notify(v, v->key_path, &refusing, true, &sum, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_STORE);
	g_clear_error(&error);
	g_assert_false(g_file_test(v->csv, G_FILE_TEST_EXISTS));

	g_assert_true(g_file_set_contents(v->csv, "keep", -1, NULL));
	g_assert_false(notify(v, v->key_path, &a, false, &sum, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_USAGE);
	g_clear_error(&error);
	{
		g_autofree char *kept = NULL;

		g_assert_true(g_file_get_contents(v->csv, &kept, NULL, NULL));
		g_assert_cmpstr(kept, ==, "keep");
	}
}

static void
test_notify_without_vault_is_not_found(fixture *f, gconstpointer data)
{
	g_autofree char *keys = g_dir_make_tmp("bs-report-keys-XXXXXX", NULL);
	g_autofree char *key = g_build_filename(keys, "dpo.key", NULL);
	g_autofree char *out = g_build_filename(f->dir, "list.csv", NULL);
	g_autofree char *pub = bs_vault_keygen(key, NULL);
	g_autoptr(bs_vault_secret) sk = NULL;
	audit_probe a = {0};
	bs_notify_options o = {out, false, NULL, NULL, "en", probe_audit, &a};
	bs_notify_summary sum;
	GError *error = NULL;

	g_assert_nonnull(pub);
	sk = bs_vault_secret_load(key, &error);
	g_assert_no_error(error);
	g_assert_false(
	    bs_report_notify_list(f->s, bs_workspace_config(f->ws), sk, &o, &sum, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	test_rm_tree(keys);
}

static const struct {
	const char *in, *out;
} csv_cases[] = {
    {"plain", "plain"},
    {"", ""},
    {"a,b", "\"a,b\""},
    {"say \"hi\"", "\"say \"\"hi\"\"\""},
    {"two\nlines", "\"two\nlines\""},
    {"cr\rhere", "\"cr\rhere\""},
    {"semi;colon", "semi;colon"},
};

static void
test_csv_field_rfc4180(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(csv_cases); i++) {
		g_autoptr(GString) s = g_string_new(NULL);

		g_test_message("row %zu", i);
		bs_csv_field_append(s, csv_cases[i].in);
		g_assert_cmpstr(s->str, ==, csv_cases[i].out);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/report/figures/match-the-index", fixture, NULL, fixture_setup,
	           test_figures_match_the_index, fixture_teardown);
	g_test_add_func("/report/figures/empty-index-reports-zeros",
	                test_empty_index_reports_zeros);
	g_test_add("/report/high-risk/ranked-and-linked-within-the-rules", fixture, NULL,
	           fixture_setup, test_high_risk_ranked_and_linked, fixture_teardown);
	g_test_add("/report/html/escapes-index-text", fixture, NULL, fixture_setup,
	           test_html_escapes_index_text, fixture_teardown);
	g_test_add("/report/html/imy-draft-from-config-and-scope", fixture, NULL, fixture_setup,
	           test_imy_draft_from_config_and_scope, fixture_teardown);
	g_test_add("/report/notify/vault-round-trip-csv-0600-and-letters", vault_fixture, NULL,
	           vault_setup, test_notify_round_trip, vault_teardown);
	g_test_add("/report/notify/protected-letter-apart-through-skatteverket", vault_fixture,
	           NULL, vault_setup, test_notify_protected_letter_apart, vault_teardown);
	g_test_add("/report/notify/wrong-key-audit-failure-or-existing-file-write-nothing",
	           vault_fixture, NULL, vault_setup, test_notify_refusals_write_nothing,
	           vault_teardown);
	g_test_add("/report/notify/no-vault-entries-is-not-found", fixture, NULL, fixture_setup,
	           test_notify_without_vault_is_not_found, fixture_teardown);
	g_test_add_func("/report/csv/field-quoting-rfc4180", test_csv_field_rfc4180);
	return g_test_run();
}
