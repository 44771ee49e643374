/* store backend: SQLite reads for the breach report. One pass per figure,
 * statements prepared per call (the report runs them once). */
#include "store/store.h"

#include <sqlite3.h>

#include "store/internal.h"

/* An SQL expression ordering grades strongest first. */
#define GRADE_ORDER "CASE m.grade WHEN 'accessed' THEN 0 WHEN 'synced' THEN 1 ELSE 2 END"

typedef struct {
	sqlite3 *db;
	const char *path;
	sqlite3_stmt *st;
	bool failed; /* a step or prepare failed; error set */
} query;

static bool
q_fail(query *q, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": %s", q->path, sqlite3_errmsg(q->db));
	sqlite3_finalize(q->st);
	q->st = NULL;
	q->failed = true;
	return false;
}

static bool
q_prepare(bs_store *s, query *q, const char *sql, GError **error)
{
	q->db = bs_store__sqlite_db(s, &q->path);
	q->st = NULL;
	q->failed = false;
	if (sqlite3_prepare_v2(q->db, sql, -1, &q->st, NULL) != SQLITE_OK)
		return q_fail(q, error);
	return true;
}

/* Steps: true with *out_row for a row; at the end finalizes. */
static bool
q_step(query *q, bool *out_row, GError **error)
{
	int rc = sqlite3_step(q->st);

	*out_row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		return true;
	if (rc != SQLITE_DONE)
		return q_fail(q, error);
	sqlite3_finalize(q->st);
	q->st = NULL;
	return true;
}

static const char *
col(query *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q->st, i);

	return t ? (const char *)t : "";
}

static char *
col_dup_or_null(query *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q->st, i);

	return t ? g_strdup((const char *)t) : NULL;
}

static bs_grade
col_grade(query *q, int i)
{
	bs_grade g = BS_GRADE_NONE;

	bs_grade_from_name(col(q, i), &g);
	return g;
}

static void
col_day(query *q, int i, char out[11])
{
	g_strlcpy(out, col(q, i), 11);
}

static bool
table_exists(bs_store *s, const char *name, bool *out_exists, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	               error))
		return false;
	sqlite3_bind_text(q.st, 1, name, -1, SQLITE_STATIC);
	if (!q_step(&q, &row, error))
		return false;
	*out_exists = row;
	sqlite3_finalize(q.st);
	return true;
}

bool
bs_store__sqlite_fact_add(bs_store *s, int64_t message_id, int64_t subject_id, const char *fact,
                          GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q,
	               "INSERT INTO subject_fact(message_id, subject_id, fact) VALUES (?1, ?2, ?3)"
	               " ON CONFLICT DO NOTHING",
	               error))
		return false;
	sqlite3_bind_int64(q.st, 1, message_id);
	sqlite3_bind_int64(q.st, 2, subject_id);
	sqlite3_bind_text(q.st, 3, fact, -1, SQLITE_STATIC);
	return q_step(&q, &row, error);
}

static bool
figures_messages(bs_store *s, bs_figures *f, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q, "SELECT grade, status, count(*) FROM message GROUP BY 1, 2", error))
		return false;
	while (q_step(&q, &row, error) && row) {
		bs_grade g = col_grade(&q, 0);
		const char *st = col(&q, 1);
		int64_t n = sqlite3_column_int64(q.st, 2);

		f->messages[g] += n;
		if (strcmp(st, "ok") == 0) {
			f->ok += n;
		} else if (strcmp(st, "partial") == 0) {
			f->partial += n;
			f->exposed_partial += g != BS_GRADE_NONE ? n : 0;
		} else {
			f->failed += n;
			f->exposed_failed += g != BS_GRADE_NONE ? n : 0;
		}
	}
	return !q.failed;
}

static bool
figures_records(bs_store *s, bs_figures *f, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q,
	               "SELECT m.grade, count(*) FROM (SELECT DISTINCT subject_id, message_id"
	               " FROM occurrence) o JOIN message m ON m.id = o.message_id GROUP BY 1",
	               error))
		return false;
	while (q_step(&q, &row, error) && row)
		f->records[col_grade(&q, 0)] += sqlite3_column_int64(q.st, 1);
	return !q.failed;
}

static bool
figures_mailboxes(bs_store *s, bs_figures *f, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q,
	               "SELECT coalesce(mailbox, ''), grade, count(*), sum(status = 'partial'),"
	               " sum(status = 'failed') FROM message GROUP BY 1, 2 ORDER BY 1",
	               error))
		return false;
	while (q_step(&q, &row, error) && row) {
		bs_mailbox_figures *m = bs_store__mailbox_get(f, col(&q, 0));
		bs_grade g = col_grade(&q, 1);

		m->messages[g] += sqlite3_column_int64(q.st, 2);
		if (g != BS_GRADE_NONE) {
			m->partial += sqlite3_column_int64(q.st, 3);
			m->failed += sqlite3_column_int64(q.st, 4);
		}
	}
	return !q.failed;
}

static bool
figures_mailbox_subjects(bs_store *s, bs_figures *f, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(
	        s, &q,
	        "SELECT coalesce(m.mailbox, ''), count(DISTINCT o.subject_id) FROM occurrence"
	        " o JOIN message m ON m.id = o.message_id WHERE m.grade <> 'none' GROUP BY 1",
	        error))
		return false;
	while (q_step(&q, &row, error) && row) {
		for (guint i = 0; i < f->mailboxes->len; i++) {
			bs_mailbox_figures *m = f->mailboxes->pdata[i];

			if (strcmp(m->mailbox, col(&q, 0)) == 0)
				m->subjects = sqlite3_column_int64(q.st, 1);
		}
	}
	return !q.failed;
}

static bool
figures_days(bs_store *s, bs_figures *f, GError **error)
{
	query q;
	bool row = false;
	bs_day_figures *d = NULL;

	if (!q_prepare(s, &q,
	               "SELECT coalesce(mailbox, ''), substr(date, 1, 10), grade, count(*) FROM"
	               " message WHERE grade <> 'none' AND date IS NOT NULL GROUP BY 1, 2, 3"
	               " ORDER BY 1, 2",
	               error))
		return false;
	while (q_step(&q, &row, error) && row) {
		if (!d || strcmp(d->mailbox, col(&q, 0)) != 0 || strcmp(d->day, col(&q, 1)) != 0) {
			d = g_new0(bs_day_figures, 1);
			d->mailbox = g_strdup(col(&q, 0));
			col_day(&q, 1, d->day);
			g_ptr_array_add(f->days, d);
		}
		d->messages[col_grade(&q, 2)] += sqlite3_column_int64(q.st, 3);
	}
	return !q.failed;
}

/* Ordered by locator, never by row id: one list whatever order the writers
 * went in (threads, shards, either backend). */
static bool
figures_problems(bs_store *s, size_t max_problems, bs_figures *f, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q,
	               "SELECT s.path, m.locator, coalesce(m.mailbox, ''), m.status, m.reason,"
	               " m.grade FROM message m JOIN source s ON s.id = m.source_id"
	               " WHERE m.status <> 'ok' ORDER BY m.grade = 'none', s.path, m.locator",
	               error))
		return false;
	while (q_step(&q, &row, error) && row) {
		bs_problem_row *r = g_new0(bs_problem_row, 1);

		r->source = g_strdup(col(&q, 0));
		r->locator = g_strdup(col(&q, 1));
		r->mailbox = g_strdup(col(&q, 2));
		r->status = g_strdup(col(&q, 3));
		r->reason = col_dup_or_null(&q, 4);
		r->grade = col_grade(&q, 5);
		bs_store__figures_add_problem(f, max_problems, r);
	}
	return !q.failed;
}

bool
bs_store__sqlite_figures(bs_store *s, size_t max_problems, bs_figures *out, GError **error)
{
	return figures_messages(s, out, error) && figures_records(s, out, error) &&
	       figures_mailboxes(s, out, error) && figures_mailbox_subjects(s, out, error) &&
	       figures_days(s, out, error) && figures_problems(s, max_problems, out, error);
}

static const char *
role_of(query *q, int i)
{
	const char *r = col(q, i);

	if (strcmp(r, BS_ROLE_STAFF) == 0)
		return BS_ROLE_STAFF;
	return strcmp(r, BS_ROLE_RESIDENT) == 0 ? BS_ROLE_RESIDENT : NULL;
}

/* One row per subject: its messages by grade in columns 4..6. */
static void
subject_row(query *q, GPtrArray *out, GHashTable *by_id)
{
	static const bs_grade cols[] = {BS_GRADE_ACCESSED, BS_GRADE_SYNCED, BS_GRADE_WINDOW};
	bs_subject_figures *sf = g_new0(bs_subject_figures, 1);

	sf->id = sqlite3_column_int64(q->st, 0);
	sf->kind = g_intern_string(col(q, 1));
	if (sqlite3_column_bytes(q->st, 2) == BS_PSEUDONYM_LEN)
		memcpy(sf->pseudonym, sqlite3_column_blob(q->st, 2), BS_PSEUDONYM_LEN);
	sf->role = role_of(q, 3);
	for (size_t i = 0; i < G_N_ELEMENTS(cols); i++) {
		int64_t n = sqlite3_column_int64(q->st, 4 + (int)i);

		sf->messages_by_grade[cols[i]] = n;
		sf->messages += n;
		sf->grade = MAX(sf->grade, n ? cols[i] : BS_GRADE_NONE);
	}
	sf->occurrences = sqlite3_column_int64(q->st, 7);
	sf->child = sqlite3_column_int(q->st, 8) != 0;
	g_strlcpy(sf->first, col(q, 9), sizeof sf->first);
	g_strlcpy(sf->last, col(q, 10), sizeof sf->last);
	g_ptr_array_add(out, sf);
	g_hash_table_insert(by_id, &sf->id, sf);
}

static bool
subjects_categories(bs_store *s, GHashTable *by_id, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q,
	               "SELECT o.subject_id, c.category, count(DISTINCT o.message_id) FROM"
	               " occurrence o JOIN message m ON m.id = o.message_id JOIN message_category c"
	               " ON c.message_id = o.message_id WHERE m.grade <> 'none' GROUP BY 1, 2",
	               error))
		return false;
	while (q_step(&q, &row, error) && row) {
		int64_t id = sqlite3_column_int64(q.st, 0);
		bs_subject_figures *sf = g_hash_table_lookup(by_id, &id);

		if (sf)
			bs_store__subject_add_category(sf, col(&q, 1),
			                               sqlite3_column_int64(q.st, 2));
	}
	return !q.failed;
}

bool
bs_store__sqlite_subjects(bs_store *s, GPtrArray *out, GError **error)
{
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	query q;
	bool row = false;

	/* Walks occurrence in its key order (by subject): no sort, one row
	 * per subject; a message may hold a subject at several locations. */
	if (!q_prepare(s, &q,
	               "SELECT o.subject_id, s.kind, s.pseudonym, s.role,"
	               " count(DISTINCT CASE m.grade WHEN 'accessed' THEN m.id END),"
	               " count(DISTINCT CASE m.grade WHEN 'synced' THEN m.id END),"
	               " count(DISTINCT CASE m.grade WHEN 'window' THEN m.id END),"
	               " sum(o.count), max(o.child), min(substr(m.date, 1, 10)),"
	               " max(substr(m.date, 1, 10)) FROM occurrence o JOIN message m ON m.id ="
	               " o.message_id JOIN subject s ON s.id = o.subject_id"
	               " WHERE m.grade <> 'none' GROUP BY o.subject_id",
	               error))
		return false;
	while (q_step(&q, &row, error) && row)
		subject_row(&q, out, by_id);
	if (q.failed)
		return false;
	return subjects_categories(s, by_id, error);
}

bool
bs_store__sqlite_facts(bs_store *s, GArray *out, GError **error)
{
	query q;
	bool row = false, exists = false;

	/* An index of schema 2 opened read-only has no fact table: no facts. */
	if (!table_exists(s, "subject_fact", &exists, error))
		return false;
	if (!exists)
		return true;
	if (!q_prepare(s, &q, "SELECT message_id, subject_id, fact FROM subject_fact ORDER BY 1, 2",
	               error))
		return false;
	while (q_step(&q, &row, error) && row) {
		bs_fact_row r = {sqlite3_column_int64(q.st, 0), sqlite3_column_int64(q.st, 1),
		                 bs_store__fact_name(col(&q, 2))};

		if (r.fact)
			g_array_append_val(out, r);
	}
	return !q.failed;
}

bool
bs_store__sqlite_subject_messages(bs_store *s, int64_t subject_id, size_t limit, GPtrArray *out,
                                  GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q,
	               "SELECT DISTINCT m.id, coalesce(m.mailbox, ''), m.locator, substr(m.date, 1,"
	               " 10), m.grade, " GRADE_ORDER " FROM occurrence o JOIN message m ON m.id ="
	               " o.message_id WHERE o.subject_id = ?1 AND m.grade <> 'none'"
	               " ORDER BY 6, m.date, 2, 3 LIMIT ?2",
	               error))
		return false;
	sqlite3_bind_int64(q.st, 1, subject_id);
	sqlite3_bind_int64(q.st, 2, (sqlite3_int64)MIN(limit, (size_t)G_MAXINT64));
	while (q_step(&q, &row, error) && row) {
		bs_message_ref *r = g_new0(bs_message_ref, 1);

		r->mailbox = g_strdup(col(&q, 1));
		r->locator = g_strdup(col(&q, 2));
		col_day(&q, 3, r->date);
		r->grade = col_grade(&q, 4);
		g_ptr_array_add(out, r);
	}
	return !q.failed;
}

bool
bs_store__sqlite_vault_get(bs_store *s, int64_t subject_id, bool *out_found, uint8_t **out_sealed,
                           size_t *out_len, GError **error)
{
	query q;
	bool row = false;

	if (!q_prepare(s, &q, "SELECT sealed FROM vault WHERE subject_id = ?1", error))
		return false;
	sqlite3_bind_int64(q.st, 1, subject_id);
	if (!q_step(&q, &row, error))
		return false;
	*out_found = row;
	if (row) {
		int len = sqlite3_column_bytes(q.st, 0);

		*out_sealed = g_memdup2(sqlite3_column_blob(q.st, 0), (gsize)len);
		*out_len = (size_t)len;
		sqlite3_finalize(q.st);
	}
	return true;
}

bool
bs_store__sqlite_case_counts(bs_store *s, bs_case_counts *out, GError **error)
{
	query q;
	bool row = false;

	if (!table_exists(s, "request", &out->present, error))
		return false;
	if (!out->present)
		return true;
	if (!q_prepare(s, &q,
	               "SELECT count(*), coalesce(sum(found), 0), coalesce(sum(state = 'open'), 0),"
	               " coalesce(sum(state = 'answered'), 0), coalesce(sum(state = 'closed'), 0),"
	               " min(substr(opened, 1, 10)), max(substr(opened, 1, 10)) FROM request",
	               error))
		return false;
	if (!q_step(&q, &row, error))
		return false;
	if (row) {
		out->total = sqlite3_column_int64(q.st, 0);
		out->found = sqlite3_column_int64(q.st, 1);
		out->open = sqlite3_column_int64(q.st, 2);
		out->answered = sqlite3_column_int64(q.st, 3);
		out->closed = sqlite3_column_int64(q.st, 4);
		col_day(&q, 5, out->first);
		col_day(&q, 6, out->last);
		sqlite3_finalize(q.st);
	}
	return true;
}
