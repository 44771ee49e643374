/* store: argument checks and dispatch to the backend. The checks keep the
 * index's closed vocabularies closed whatever the backend. */
#include "store/store.h"

#include "store/internal.h"

enum { SCHEMA_VERSION = 4 }; /* 2: the e-service tables; 3: subject_fact; 4: web_session */

int
bs_store_schema_version(void)
{
	return SCHEMA_VERSION;
}

static const char *const grades[] = {"accessed", "synced", "window", "none", NULL};
static const char *const statuses[] = {"ok", "partial", "failed", NULL};
static const char *const locations[] = {"header",     "subject",         "body",
                                        "attachment", "attachment-name", NULL};
static const char *const confidences[] = {"low", "medium", "high", NULL};
static const char *const roles[] = {BS_ROLE_RESIDENT, BS_ROLE_STAFF, NULL};

static bool
one_of(const char *const *set, const char *what, const char *value, GError **error)
{
	for (size_t i = 0; value && set[i]; i++)
		if (strcmp(set[i], value) == 0)
			return true;
	g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: %s \"%s\" is not one of ours", what,
	            value ? value : "(null)");
	return false;
}

bool
bs_store_create(const char *where, GError **error)
{
	bs_store *s = bs_store__is_pg(where) ? bs_store__pg_open(where, true, true, error)
	                                     : bs_store__sqlite_open(where, true, true, error);

	bs_store_free(s);
	return s != NULL;
}

bs_store *
bs_store_open(const char *where, bool writable, GError **error)
{
	if (bs_store__is_pg(where))
		return bs_store__pg_open(where, writable, false, error);
	return bs_store__sqlite_open(where, writable, false, error);
}

const char *
bs_store_backend_name(const bs_store *s)
{
	return s->ops->name;
}

char *
bs_store_where_display_dup(const char *where)
{
	return bs_store__is_pg(where) ? bs_store__pg_display_dup(where) : g_strdup(where);
}

void
bs_store_free(bs_store *s)
{
	char *service_db;

	if (!s)
		return;
	if (s->in_batch)
		s->ops->rollback(s);
	service_db = s->service_db;
	s->ops->free(s);
	g_free(service_db);
}

void
bs_store__set_service_db(bs_store *s, const char *path)
{
	g_free(s->service_db);
	s->service_db = g_strdup(path);
}

bool
bs_store_begin(bs_store *s, GError **error)
{
	if (s->in_batch) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: batch already open");
		return false;
	}
	if (!s->ops->begin(s, error))
		return false;
	s->in_batch = true;
	return true;
}

bool
bs_store_commit(bs_store *s, GError **error)
{
	if (!s->in_batch) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: no batch to commit");
		return false;
	}
	if (!s->ops->commit(s, error)) {
		bs_store_rollback(s);
		return false;
	}
	s->in_batch = false;
	return true;
}

void
bs_store_rollback(bs_store *s)
{
	if (!s->in_batch)
		return;
	s->ops->rollback(s);
	s->in_batch = false;
}

bool
bs_store_source_upsert(bs_store *s, const bs_source_row *row, int64_t *out_id, GError **error)
{
	if (!row->path || !row->format || !row->state) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: source without path");
		return false;
	}
	return s->ops->source_upsert(s, row, out_id, error);
}

bool
bs_store_source_set_state(bs_store *s, int64_t source_id, const char *state, GError **error)
{
	return s->ops->source_set_state(s, source_id, state, error);
}

bool
bs_store_source_find(bs_store *s, const char *path, bool *out_found, int64_t *out_id,
                     char **out_content_hash, char **out_state, GError **error)
{
	return s->ops->source_find(s, path, out_found, out_id, out_content_hash, out_state, error);
}

bool
bs_store_message_exists(bs_store *s, int64_t source_id, const char *locator, bool *out_exists,
                        GError **error)
{
	return s->ops->message_exists(s, source_id, locator, out_exists, error);
}

bool
bs_store_message_prune(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user,
                       int64_t *out_removed, GError **error)
{
	int64_t removed = 0;

	if (!bs_store_begin(s, error))
		return false;
	if (!s->ops->message_prune(s, source_id, keep, user, &removed, error)) {
		bs_store_rollback(s);
		return false;
	}
	if (!bs_store_commit(s, error))
		return false;
	if (out_removed)
		*out_removed = removed;
	return true;
}

bool
bs_store_message_put(bs_store *s, const bs_message_row *row, int64_t *out_id, GError **error)
{
	if (!row->locator) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: message without locator");
		return false;
	}
	if (!one_of(grades, "grade", row->grade, error) ||
	    !one_of(statuses, "status", row->status, error))
		return false;
	return s->ops->message_put(s, row, out_id, error);
}

bool
bs_store_subject_put(bs_store *s, const char *kind, const uint8_t pseudonym[BS_PSEUDONYM_LEN],
                     const char *role, int64_t *out_id, bool *out_created, GError **error)
{
	bool created = false;

	if (!kind || !*kind) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: subject without kind");
		return false;
	}
	if (role && !one_of(roles, "role", role, error))
		return false;
	if (!s->ops->subject_put(s, kind, pseudonym, role, out_id, &created, error))
		return false;
	if (out_created)
		*out_created = created;
	return true;
}

bool
bs_store_occurrence_add(bs_store *s, const bs_occurrence_row *row, GError **error)
{
	if (!one_of(locations, "location", row->location, error) ||
	    !one_of(confidences, "confidence", row->confidence, error))
		return false;
	if (row->count < 1) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: occurrence count below 1");
		return false;
	}
	return s->ops->occurrence_add(s, row, error);
}

bool
bs_store_category_add(bs_store *s, int64_t message_id, const char *category, int64_t count,
                      GError **error)
{
	if (!category || !*category || count < 1) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "store: empty category");
		return false;
	}
	return s->ops->category_add(s, message_id, category, count, error);
}

bool
bs_store_vault_put(bs_store *s, int64_t subject_id, const uint8_t *sealed, size_t len,
                   GError **error)
{
	return s->ops->vault_put(s, subject_id, sealed, len, error);
}

bool
bs_store_lookup(bs_store *s, const uint8_t pseudonym[BS_PSEUDONYM_LEN], const char *kind,
                bs_lookup *out, GError **error)
{
	return s->ops->lookup(s, pseudonym, kind, out, error);
}

bool
bs_store_stats(bs_store *s, bs_stats *out, GError **error)
{
	return s->ops->stats(s, out, error);
}
