/* store backend: PostgreSQL reads for the breach report, the same figures
 * as sqlite-figures.c from the same rows. Each query runs once per report,
 * unprepared; text is ordered bytewise (COLLATE "C") as SQLite orders it,
 * so both backends give one report. */
#include "store/store.h"

#include <libpq-fe.h>

#include "store/internal.h"

/* An SQL expression ordering grades strongest first. */
#define GRADE_ORDER "CASE m.grade WHEN 'accessed' THEN 0 WHEN 'synced' THEN 1 ELSE 2 END"

static bs_grade
grade_at(const PGresult *r, int row, int col)
{
	bs_grade g = BS_GRADE_NONE;

	bs_grade_from_name(bs_store__pg_text(r, row, col), &g);
	return g;
}

static void
day_at(const PGresult *r, int row, int col, char out[11])
{
	g_strlcpy(out, bs_store__pg_text(r, row, col), 11);
}

static bool
figures_messages(bs_store *s, bs_figures *f, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s, "SELECT grade, status, count(*) FROM message GROUP BY 1, 2", NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		bs_grade g = grade_at(r, i, 0);
		const char *st = bs_store__pg_text(r, i, 1);
		int64_t n = bs_store__pg_int(r, i, 2);

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
	PQclear(r);
	return true;
}

static bool
figures_records(bs_store *s, bs_figures *f, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT m.grade, count(*) FROM (SELECT DISTINCT subject_id, message_id FROM occurrence)"
	    " o JOIN message m ON m.id = o.message_id GROUP BY 1",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		f->records[grade_at(r, i, 0)] += bs_store__pg_int(r, i, 1);
	PQclear(r);
	return true;
}

static bool
figures_mailboxes(bs_store *s, bs_figures *f, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT coalesce(mailbox, '') COLLATE \"C\", grade, count(*),"
	    " count(*) FILTER (WHERE status = 'partial'), count(*) FILTER (WHERE status = 'failed')"
	    " FROM message GROUP BY 1, 2 ORDER BY 1",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		bs_mailbox_figures *m = bs_store__mailbox_get(f, bs_store__pg_text(r, i, 0));
		bs_grade g = grade_at(r, i, 1);

		m->messages[g] += bs_store__pg_int(r, i, 2);
		if (g != BS_GRADE_NONE) {
			m->partial += bs_store__pg_int(r, i, 3);
			m->failed += bs_store__pg_int(r, i, 4);
		}
	}
	PQclear(r);
	return true;
}

static bool
figures_mailbox_subjects(bs_store *s, bs_figures *f, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT coalesce(m.mailbox, ''), count(DISTINCT o.subject_id) FROM occurrence o"
	    " JOIN message m ON m.id = o.message_id WHERE m.grade <> 'none' GROUP BY 1",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		for (guint k = 0; k < f->mailboxes->len; k++) {
			bs_mailbox_figures *m = f->mailboxes->pdata[k];

			if (strcmp(m->mailbox, bs_store__pg_text(r, i, 0)) == 0)
				m->subjects = bs_store__pg_int(r, i, 1);
		}
	}
	PQclear(r);
	return true;
}

static bool
figures_days(bs_store *s, bs_figures *f, GError **error)
{
	bs_day_figures *d = NULL;
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT coalesce(mailbox, '') COLLATE \"C\", substr(date, 1, 10) COLLATE \"C\","
	    " grade, count(*) FROM message WHERE grade <> 'none' AND date IS NOT NULL"
	    " GROUP BY 1, 2, 3 ORDER BY 1, 2",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *mailbox = bs_store__pg_text(r, i, 0);
		const char *day = bs_store__pg_text(r, i, 1);

		if (!d || strcmp(d->mailbox, mailbox) != 0 || strcmp(d->day, day) != 0) {
			d = g_new0(bs_day_figures, 1);
			d->mailbox = g_strdup(mailbox);
			day_at(r, i, 1, d->day);
			g_ptr_array_add(f->days, d);
		}
		d->messages[grade_at(r, i, 2)] += bs_store__pg_int(r, i, 3);
	}
	PQclear(r);
	return true;
}

/* Ordered by locator, never by row id: one list whatever order the writers
 * went in (threads, shards, either backend). */
static bool
figures_problems(bs_store *s, size_t max_problems, bs_figures *f, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT s.path, m.locator, coalesce(m.mailbox, ''), m.status, m.reason, m.grade"
	    " FROM message m JOIN source s ON s.id = m.source_id WHERE m.status <> 'ok'"
	    " ORDER BY m.grade = 'none', s.path COLLATE \"C\", m.locator COLLATE \"C\"",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		bs_problem_row *p = g_new0(bs_problem_row, 1);

		p->source = g_strdup(bs_store__pg_text(r, i, 0));
		p->locator = g_strdup(bs_store__pg_text(r, i, 1));
		p->mailbox = g_strdup(bs_store__pg_text(r, i, 2));
		p->status = g_strdup(bs_store__pg_text(r, i, 3));
		p->reason = PQgetisnull(r, i, 4) ? NULL : g_strdup(PQgetvalue(r, i, 4));
		p->grade = grade_at(r, i, 5);
		bs_store__figures_add_problem(f, max_problems, p);
	}
	PQclear(r);
	return true;
}

bool
bs_store__pg_figures(bs_store *s, size_t max_problems, bs_figures *out, GError **error)
{
	return figures_messages(s, out, error) && figures_records(s, out, error) &&
	       figures_mailboxes(s, out, error) && figures_mailbox_subjects(s, out, error) &&
	       figures_days(s, out, error) && figures_problems(s, max_problems, out, error);
}

static const char *
role_at(const PGresult *r, int row, int col)
{
	const char *v = bs_store__pg_text(r, row, col);

	if (strcmp(v, BS_ROLE_STAFF) == 0)
		return BS_ROLE_STAFF;
	return strcmp(v, BS_ROLE_RESIDENT) == 0 ? BS_ROLE_RESIDENT : NULL;
}

/* The pseudonym column, text as "\x<hex>". */
static void
pseudonym_at(const PGresult *r, int row, int col, uint8_t out[BS_PSEUDONYM_LEN])
{
	size_t len = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &len);

	memset(out, 0, BS_PSEUDONYM_LEN);
	if (raw && len == BS_PSEUDONYM_LEN)
		memcpy(out, raw, BS_PSEUDONYM_LEN);
	PQfreemem(raw);
}

/* One row per subject: its messages by grade in columns 4..6. */
static void
subject_row(const PGresult *r, int i, GPtrArray *out, GHashTable *by_id)
{
	static const bs_grade cols[] = {BS_GRADE_ACCESSED, BS_GRADE_SYNCED, BS_GRADE_WINDOW};
	bs_subject_figures *sf = g_new0(bs_subject_figures, 1);

	sf->id = bs_store__pg_int(r, i, 0);
	sf->kind = g_intern_string(bs_store__pg_text(r, i, 1));
	pseudonym_at(r, i, 2, sf->pseudonym);
	sf->role = role_at(r, i, 3);
	for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
		int64_t n = bs_store__pg_int(r, i, 4 + (int)k);

		sf->messages_by_grade[cols[k]] = n;
		sf->messages += n;
		sf->grade = MAX(sf->grade, n ? cols[k] : BS_GRADE_NONE);
	}
	sf->occurrences = bs_store__pg_int(r, i, 7);
	sf->child = bs_store__pg_int(r, i, 8) != 0;
	g_strlcpy(sf->first, bs_store__pg_text(r, i, 9), sizeof sf->first);
	g_strlcpy(sf->last, bs_store__pg_text(r, i, 10), sizeof sf->last);
	g_ptr_array_add(out, sf);
	g_hash_table_insert(by_id, &sf->id, sf);
}

static bool
subjects_categories(bs_store *s, GHashTable *by_id, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT o.subject_id, c.category, count(DISTINCT o.message_id) FROM occurrence o"
	    " JOIN message m ON m.id = o.message_id JOIN message_category c"
	    " ON c.message_id = o.message_id WHERE m.grade <> 'none' GROUP BY 1, 2"
	    " ORDER BY 1, c.category COLLATE \"C\"",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		int64_t id = bs_store__pg_int(r, i, 0);
		bs_subject_figures *sf = g_hash_table_lookup(by_id, &id);

		if (sf)
			bs_store__subject_add_category(sf, bs_store__pg_text(r, i, 1),
			                               bs_store__pg_int(r, i, 2));
	}
	PQclear(r);
	return true;
}

bool
bs_store__pg_subjects(bs_store *s, GPtrArray *out, GError **error)
{
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
	PGresult *r = bs_store__pg_query(
	    s,
	    "SELECT o.subject_id, s.kind, s.pseudonym, s.role,"
	    " count(DISTINCT CASE m.grade WHEN 'accessed' THEN m.id END),"
	    " count(DISTINCT CASE m.grade WHEN 'synced' THEN m.id END),"
	    " count(DISTINCT CASE m.grade WHEN 'window' THEN m.id END),"
	    " sum(o.count), max(o.child), min(substr(m.date, 1, 10) COLLATE \"C\"),"
	    " max(substr(m.date, 1, 10) COLLATE \"C\") FROM occurrence o JOIN message m"
	    " ON m.id = o.message_id JOIN subject s ON s.id = o.subject_id"
	    " WHERE m.grade <> 'none' GROUP BY o.subject_id, s.kind, s.pseudonym, s.role"
	    " ORDER BY o.subject_id",
	    NULL, error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++)
		subject_row(r, i, out, by_id);
	PQclear(r);
	return subjects_categories(s, by_id, error);
}

bool
bs_store__pg_facts(bs_store *s, GArray *out, GError **error)
{
	PGresult *r = bs_store__pg_query(
	    s, "SELECT message_id, subject_id, fact FROM subject_fact ORDER BY 1, 2, 3", NULL,
	    error);

	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		bs_fact_row f = {bs_store__pg_int(r, i, 0), bs_store__pg_int(r, i, 1),
		                 bs_store__fact_name(bs_store__pg_text(r, i, 2))};

		if (f.fact)
			g_array_append_val(out, f);
	}
	PQclear(r);
	return true;
}

bool
bs_store__pg_subject_messages(bs_store *s, int64_t subject_id, size_t limit, GPtrArray *out,
                              GError **error)
{
	bs_pg_params p = {0};
	PGresult *r;

	bs_store__pg_param_int(&p, subject_id);
	bs_store__pg_param_int(&p, (int64_t)MIN(limit, (size_t)G_MAXINT64));
	r = bs_store__pg_query(
	    s,
	    "SELECT DISTINCT m.id, coalesce(m.mailbox, '') COLLATE \"C\", m.locator COLLATE \"C\","
	    " substr(m.date, 1, 10), m.grade, " GRADE_ORDER " AS g, m.date FROM occurrence o"
	    " JOIN message m ON m.id = o.message_id WHERE o.subject_id = $1"
	    " AND m.grade <> 'none' ORDER BY g, m.date, 2, 3 LIMIT $2",
	    &p, error);
	if (!r)
		return false;
	for (int i = 0; i < PQntuples(r); i++) {
		bs_message_ref *ref = g_new0(bs_message_ref, 1);

		ref->mailbox = g_strdup(bs_store__pg_text(r, i, 1));
		ref->locator = g_strdup(bs_store__pg_text(r, i, 2));
		day_at(r, i, 3, ref->date);
		ref->grade = grade_at(r, i, 4);
		g_ptr_array_add(out, ref);
	}
	PQclear(r);
	return true;
}

bool
bs_store__pg_vault_get(bs_store *s, int64_t subject_id, bool *out_found, uint8_t **out_sealed,
                       size_t *out_len, GError **error)
{
	bs_pg_params p = {0};
	PGresult *r;
	unsigned char *raw;
	size_t len = 0;

	bs_store__pg_param_int(&p, subject_id);
	r = bs_store__pg_query(s, "SELECT sealed FROM vault WHERE subject_id = $1", &p, error);
	if (!r)
		return false;
	*out_found = PQntuples(r) == 1;
	if (*out_found) {
		raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &len);
		*out_sealed = raw ? g_memdup2(raw, len) : g_new0(uint8_t, 1);
		*out_len = raw ? len : 0;
		PQfreemem(raw);
	}
	PQclear(r);
	return true;
}

bool
bs_store__pg_case_counts(bs_store *s, bs_case_counts *out, GError **error)
{
	PGresult *r =
	    bs_store__pg_query(s, "SELECT to_regclass('request') IS NOT NULL", NULL, error);

	if (!r)
		return false;
	out->present = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!out->present)
		return true;
	r = bs_store__pg_query(
	    s,
	    "SELECT count(*), coalesce(sum(found), 0), count(*) FILTER (WHERE state = 'open'),"
	    " count(*) FILTER (WHERE state = 'answered'), count(*) FILTER (WHERE state = 'closed'),"
	    " min(substr(opened, 1, 10) COLLATE \"C\"), max(substr(opened, 1, 10) COLLATE \"C\")"
	    " FROM request",
	    NULL, error);
	if (!r)
		return false;
	out->total = bs_store__pg_int(r, 0, 0);
	out->found = bs_store__pg_int(r, 0, 1);
	out->open = bs_store__pg_int(r, 0, 2);
	out->answered = bs_store__pg_int(r, 0, 3);
	out->closed = bs_store__pg_int(r, 0, 4);
	day_at(r, 0, 5, out->first);
	day_at(r, 0, 6, out->last);
	PQclear(r);
	return true;
}
