/* store backend: PostgreSQL side of bs_store_message_prune(). Subjects left
 * without occurrences stay here: on this backend a subject is committed on
 * its own connection before its occurrences (pg.c), so another scanner may
 * hold occurrences of such a subject in a batch not yet committed, and
 * scanners remember subject ids. Counts and answers (stats, lookup, the
 * report) go through occurrences and never see such a subject. */
#include "store/store.h"

#include <libpq-fe.h>

#include "store/internal.h"

/* Each runs once with the array of gone message ids ($1). */
static const char *const drop_sql[] = {
    "DELETE FROM occurrence WHERE message_id = ANY($1::bigint[])",
    "DELETE FROM message_category WHERE message_id = ANY($1::bigint[])",
    "DELETE FROM subject_fact WHERE message_id = ANY($1::bigint[])",
    "DELETE FROM message WHERE id = ANY($1::bigint[])",
};

/* "{id,id,...}" of the source's messages whose locator keep() refuses. */
static bool
collect_gone(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user, GString *ids,
             int64_t *out_count, GError **error)
{
	bs_pg_params p = {0};
	PGresult *r;

	bs_store__pg_param_int(&p, source_id);
	r = bs_store__pg_query(s, "SELECT id, locator FROM message WHERE source_id = $1", &p,
	                       error);
	if (!r)
		return false;
	*out_count = 0;
	g_string_assign(ids, "{");
	for (int i = 0; i < PQntuples(r); i++) {
		if (keep(bs_store__pg_text(r, i, 1), user))
			continue;
		g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, *out_count ? "," : "",
		                       bs_store__pg_int(r, i, 0));
		(*out_count)++;
	}
	g_string_append_c(ids, '}');
	PQclear(r);
	return true;
}

/* Called by store.c inside a batch (one transaction). */
bool
bs_store__pg_message_prune(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user,
                           int64_t *out_removed, GError **error)
{
	g_autoptr(GString) ids = g_string_new(NULL);
	int64_t count = 0;

	if (!collect_gone(s, source_id, keep, user, ids, &count, error))
		return false;
	for (size_t k = 0; count > 0 && k < G_N_ELEMENTS(drop_sql); k++) {
		bs_pg_params p = {0};
		PGresult *r;

		bs_store__pg_param_str(&p, ids->str);
		r = bs_store__pg_query(s, drop_sql[k], &p, error);
		if (!r)
			return false;
		PQclear(r);
	}
	*out_removed = count;
	return true;
}
