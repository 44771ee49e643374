/* store backend: SQLite side of bs_store_message_prune(). Runs once per
 * scanned source, so statements are prepared per call. */
#include "store/store.h"

#include <sqlite3.h>

#include "store/internal.h"

static bool
prune_fail(sqlite3 *db, const char *path, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_STORE, "\"%s\": %s", path, sqlite3_errmsg(db));
	return false;
}

/* Ids of the source's messages whose locator keep() refuses. */
static bool
collect_gone(sqlite3 *db, const char *path, int64_t source_id, bs_store_keep_fn *keep, void *user,
             GArray *gone, GError **error)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, locator FROM message WHERE source_id = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return prune_fail(db, path, error);
	sqlite3_bind_int64(st, 1, source_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *locator = (const char *)sqlite3_column_text(st, 1);
		int64_t id = sqlite3_column_int64(st, 0);

		if (!locator || !keep(locator, user))
			g_array_append_val(gone, id);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? true : prune_fail(db, path, error);
}

/* Each statement runs once per gone message id (?1). */
static const char *const drop_sql[] = {
    "DELETE FROM occurrence WHERE message_id = ?1",
    "DELETE FROM message_category WHERE message_id = ?1",
    "DELETE FROM subject_fact WHERE message_id = ?1",
    "DELETE FROM message WHERE id = ?1",
};

static bool
drop_messages(sqlite3 *db, const char *path, const GArray *gone, GError **error)
{
	for (size_t k = 0; k < G_N_ELEMENTS(drop_sql); k++) {
		sqlite3_stmt *st = NULL;
		int rc = SQLITE_DONE;

		if (sqlite3_prepare_v2(db, drop_sql[k], -1, &st, NULL) != SQLITE_OK)
			return prune_fail(db, path, error);
		for (guint i = 0; i < gone->len && rc == SQLITE_DONE; i++) {
			sqlite3_bind_int64(st, 1, g_array_index(gone, int64_t, i));
			rc = sqlite3_step(st);
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return prune_fail(db, path, error);
	}
	return true;
}

/* Subjects no occurrence points at any more, and their vault entries. */
#define ORPHAN                                                                                     \
	"SELECT id FROM subject s WHERE NOT EXISTS"                                                \
	" (SELECT 1 FROM occurrence o WHERE o.subject_id = s.id)"

static bool
drop_orphans(sqlite3 *db, const char *path, GError **error)
{
	static const char sql[] = "DELETE FROM vault WHERE subject_id IN (" ORPHAN ");"
	                          "DELETE FROM subject_fact WHERE subject_id IN (" ORPHAN ");"
	                          "DELETE FROM subject WHERE id IN (" ORPHAN ");";

	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? true
	                                                            : prune_fail(db, path, error);
}

/* Called by store.c inside a batch (one transaction). */
bool
bs_store__sqlite_message_prune(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user,
                               int64_t *out_removed, GError **error)
{
	const char *path = NULL;
	sqlite3 *db = bs_store__sqlite_db(s, &path);
	g_autoptr(GArray) gone = g_array_new(FALSE, FALSE, sizeof(int64_t));

	if (!collect_gone(db, path, source_id, keep, user, gone, error) ||
	    !drop_messages(db, path, gone, error) || !drop_orphans(db, path, error))
		return false;
	*out_removed = gone->len;
	return true;
}
