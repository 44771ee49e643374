#include "hunt/internal.h"

#include "base/base.h"

hunt_q *
bs_hunt__q_open(const char *dir, unsigned kill_after, size_t *out_recovered, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "quarantine is not built yet");
	return NULL;
}

void
bs_hunt__q_close(hunt_q *q)
{
}

bool
bs_hunt__q_file(hunt_q *q, box_kind kind, const char *path, const hunt_meta *meta, GError **error)
{
	return false;
}

bool
bs_hunt__q_mbox(hunt_q *q, const char *path, int64_t scanned_size, int64_t scanned_mtime_ns,
                const mbox_hit *hits, size_t count, GError **error)
{
	return false;
}

bool
bs_hunt_restore(const char *manifest_path, const bs_imap_auth *imap, unsigned test_kill_after,
                bs_hunt_restore_stats *out_stats, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "restore is not built yet");
	return false;
}
