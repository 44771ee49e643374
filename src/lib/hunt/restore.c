/* hunt --restore: every unrestored manifest entry goes back, newest first
 * (so that mbox groups re-insert into the file state they left behind). */
#include "hunt/internal.h"

#include "base/base.h"

static gint
by_seq_desc(gconstpointer a, gconstpointer b)
{
	int64_t x = bs_hunt__rec_int(*(json_t *const *)a, "seq");
	int64_t y = bs_hunt__rec_int(*(json_t *const *)b, "seq");

	return x > y ? -1 : x < y;
}

static GPtrArray *
pending_entries(hunt_q *q)
{
	GPtrArray *v = g_ptr_array_new();
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, q->entries);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (!g_hash_table_contains(q->restored, key))
			g_ptr_array_add(v, val);
	g_ptr_array_sort(v, by_seq_desc);
	return v;
}

static bool
restore_one(hunt_q *q, json_t *e, const bs_imap_auth *imap, GHashTable *groups_done,
            bs_hunt_restore_stats *st, GError **error)
{
	const char *kind = bs_hunt__rec_str(e, "kind");
	int64_t seq = bs_hunt__rec_int(e, "seq");

	if (g_hash_table_contains(q->restored, GSIZE_TO_POINTER((gsize)seq)))
		return true; /* restored with its mbox group */
	if (g_strcmp0(kind, "mbox") == 0) {
		int64_t group = bs_hunt__rec_int(e, "group");

		if (g_hash_table_contains(groups_done, GSIZE_TO_POINTER((gsize)group)))
			return true;
		g_hash_table_add(groups_done, GSIZE_TO_POINTER((gsize)group));
		return bs_hunt__restore_mbox(q, group, &st->restored, &st->changed, error);
	}
	if (g_strcmp0(kind, "imap") == 0) {
		if (!bs_hunt__imap_restore(q, e, imap, error))
			return false;
		st->restored++;
		return true;
	}
	if (!bs_hunt__unfile(q, e, error))
		return false;
	st->restored++;
	return true;
}

bool
bs_hunt_restore(const char *manifest_path, const bs_imap_auth *imap, unsigned test_kill_after,
                bs_hunt_restore_stats *out_stats, GError **error)
{
	g_autofree char *base = g_path_get_basename(manifest_path);
	g_autofree char *dir = g_path_get_dirname(manifest_path);
	g_autoptr(GPtrArray) todo = NULL;
	g_autoptr(GHashTable) groups_done = g_hash_table_new(g_direct_hash, g_direct_equal);
	hunt_q *q;
	bool ok = true;

	memset(out_stats, 0, sizeof *out_stats);
	if (strcmp(base, "manifest") != 0 || !g_file_test(manifest_path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, BS_ERROR, BS_ERROR_NOT_FOUND,
		            "\"%s\": not a quarantine manifest (expected DIR/manifest)",
		            manifest_path);
		return false;
	}
	bs_hunt__gmime_init();
	q = bs_hunt__q_open(dir, imap, test_kill_after, &out_stats->recovered, error);
	if (!q)
		return false;
	todo = pending_entries(q);
	for (guint i = 0; i < todo->len && ok; i++) /* entries stay owned by q */
		ok = restore_one(q, todo->pdata[i], imap, groups_done, out_stats, error);
	bs_hunt__q_close(q);
	return ok;
}
