/* store internals: the backend table. store.c checks arguments and
 * dispatches; each backend (sqlite.c today, a PostgreSQL one later)
 * implements every operation. */
#ifndef BS_STORE_INTERNAL_H
#define BS_STORE_INTERNAL_H

#include "store/store.h"

typedef struct bs_store_ops {
	const char *name;
	void (*free)(bs_store *s);
	bool (*begin)(bs_store *s, GError **error);
	bool (*commit)(bs_store *s, GError **error);
	void (*rollback)(bs_store *s);
	bool (*source_upsert)(bs_store *s, const bs_source_row *row, int64_t *out_id,
	                      GError **error);
	bool (*source_set_state)(bs_store *s, int64_t id, const char *state, GError **error);
	bool (*source_find)(bs_store *s, const char *path, bool *out_found, int64_t *out_id,
	                    char **out_hash, char **out_state, GError **error);
	bool (*message_exists)(bs_store *s, int64_t source_id, const char *locator,
	                       bool *out_exists, GError **error);
	bool (*message_put)(bs_store *s, const bs_message_row *row, int64_t *out_id,
	                    GError **error);
	bool (*subject_put)(bs_store *s, const char *kind, const uint8_t *pseudonym,
	                    const char *role, int64_t *out_id, bool *out_created, GError **error);
	bool (*occurrence_add)(bs_store *s, const bs_occurrence_row *row, GError **error);
	bool (*category_add)(bs_store *s, int64_t message_id, const char *category, int64_t count,
	                     GError **error);
	bool (*vault_put)(bs_store *s, int64_t subject_id, const uint8_t *sealed, size_t len,
	                  GError **error);
	bool (*lookup)(bs_store *s, const uint8_t *pseudonym, const char *kind, bs_lookup *out,
	               GError **error);
	bool (*stats)(bs_store *s, bs_stats *out, GError **error);
} bs_store_ops;

/* Every backend's object starts with this. */
struct bs_store {
	const bs_store_ops *ops;
	bool in_batch;
};

bs_store *bs_store__sqlite_open(const char *path, bool writable, bool create, GError **error);

/* lookup.c: accumulating a lookup from one row per (message) */
void bs_store__lookup_add_message(bs_lookup *l, const char *date, const char *mailbox,
                                  const char *grade);
void bs_store__lookup_add_category(bs_lookup *l, const char *category, int64_t messages);
void bs_store__lookup_finish(bs_lookup *l);
void bs_store__stats_set_kind(bs_stats *st, const char *kind, int64_t count);

#endif
