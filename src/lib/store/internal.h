/* store internals: the backend table. store.c checks arguments and
 * dispatches; each backend (sqlite.c, pg.c) implements every operation. */
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
	bool (*message_prune)(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user,
	                      int64_t *out_removed, GError **error);
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
	/* the breach report (figures.c dispatches) */
	bool (*fact_add)(bs_store *s, int64_t message_id, int64_t subject_id, const char *fact,
	                 GError **error);
	bool (*figures)(bs_store *s, size_t max_problems, bs_figures *out, GError **error);
	bool (*subjects)(bs_store *s, GPtrArray *out, GError **error);
	bool (*facts)(bs_store *s, GArray *out, GError **error);
	bool (*subject_messages)(bs_store *s, int64_t subject_id, size_t limit, GPtrArray *out,
	                         GError **error);
	bool (*vault_get)(bs_store *s, int64_t subject_id, bool *out_found, uint8_t **out_sealed,
	                  size_t *out_len, GError **error);
	bool (*case_counts)(bs_store *s, bs_case_counts *out, GError **error);
} bs_store_ops;

/* Every backend's object starts with this. */
struct bs_store {
	const bs_store_ops *ops;
	bool in_batch;
	char *service_db; /* owned: the e-service's tables when they are not in this index
	                     (PostgreSQL: the workspace's index.sqlite); NULL: here */
};

/* Where bs_store_case_counts() reads the e-service's cases (workspace.c). */
void bs_store__set_service_db(bs_store *s, const char *path);

bs_store *bs_store__sqlite_open(const char *path, bool writable, bool create, GError **error);
/* dsn: a postgresql:// URI (bs_store__is_pg()). */
bs_store *bs_store__pg_open(const char *dsn, bool writable, bool create, GError **error);
bool bs_store__is_pg(const char *where);
char *bs_store__pg_display_dup(const char *dsn); /* the URI with its password masked */

/* lookup.c: accumulating a lookup from one row per (message) */
void bs_store__lookup_add_message(bs_lookup *l, const char *date, const char *mailbox,
                                  const char *grade);
void bs_store__lookup_add_category(bs_lookup *l, const char *category, int64_t messages);
void bs_store__lookup_finish(bs_lookup *l);
void bs_store__stats_set_kind(bs_stats *st, const char *kind, int64_t count);

/* figures.c: accumulating report figures from rows any backend yields */
void bs_store__count_free(gpointer p);
/* The static name (BS_FACT_*) of a stored fact; NULL for one this build
 * does not know (a backend skips it). */
const char *bs_store__fact_name(const char *stored);
bs_mailbox_figures *bs_store__mailbox_get(bs_figures *f, const char *name);
void bs_store__figures_add_problem(bs_figures *f, size_t max_problems, bs_problem_row *row);
void bs_store__subject_add_category(bs_subject_figures *sf, const char *category, int64_t messages);

/* sqlite-figures.c: the SQLite side of the report's reads */
struct sqlite3;
struct sqlite3 *bs_store__sqlite_db(bs_store *s, const char **out_path);
bool bs_store__sqlite_fact_add(bs_store *s, int64_t message_id, int64_t subject_id,
                               const char *fact, GError **error);
bool bs_store__sqlite_figures(bs_store *s, size_t max_problems, bs_figures *out, GError **error);
bool bs_store__sqlite_subjects(bs_store *s, GPtrArray *out, GError **error);
bool bs_store__sqlite_facts(bs_store *s, GArray *out, GError **error);
bool bs_store__sqlite_subject_messages(bs_store *s, int64_t subject_id, size_t limit,
                                       GPtrArray *out, GError **error);
bool bs_store__sqlite_vault_get(bs_store *s, int64_t subject_id, bool *out_found,
                                uint8_t **out_sealed, size_t *out_len, GError **error);
bool bs_store__sqlite_case_counts(bs_store *s, bs_case_counts *out, GError **error);
/* sqlite-prune.c */
bool bs_store__sqlite_message_prune(bs_store *s, int64_t source_id, bs_store_keep_fn *keep,
                                    void *user, int64_t *out_removed, GError **error);

/* pg.c, for pg-figures.c: one query with bound parameters on the store's
 * connection. Text parameters and results, bytea parameters binary. */
enum { BS_PG_PARAMS_MAX = 12 };
typedef struct {
	int n;
	const char *value[BS_PG_PARAMS_MAX]; /* borrowed; NULL binds NULL */
	int len[BS_PG_PARAMS_MAX];
	int format[BS_PG_PARAMS_MAX]; /* 0 text, 1 binary */
	char num[BS_PG_PARAMS_MAX][24];
} bs_pg_params;

void bs_store__pg_param_str(bs_pg_params *p, const char *v);
void bs_store__pg_param_int(bs_pg_params *p, int64_t v);
void bs_store__pg_param_bin(bs_pg_params *p, const void *v, size_t len);
struct pg_result;
/* The result of a query (rows or none), or NULL and error set. Caller
 * PQclear()s. p may be NULL. */
struct pg_result *bs_store__pg_query(bs_store *s, const char *sql, const bs_pg_params *p,
                                     GError **error);
int64_t bs_store__pg_int(const struct pg_result *r, int row, int col);      /* NULL is 0 */
const char *bs_store__pg_text(const struct pg_result *r, int row, int col); /* NULL is "" */

/* pg-figures.c: the PostgreSQL side of the report's reads */
bool bs_store__pg_figures(bs_store *s, size_t max_problems, bs_figures *out, GError **error);
bool bs_store__pg_subjects(bs_store *s, GPtrArray *out, GError **error);
bool bs_store__pg_facts(bs_store *s, GArray *out, GError **error);
bool bs_store__pg_subject_messages(bs_store *s, int64_t subject_id, size_t limit, GPtrArray *out,
                                   GError **error);
bool bs_store__pg_vault_get(bs_store *s, int64_t subject_id, bool *out_found, uint8_t **out_sealed,
                            size_t *out_len, GError **error);
bool bs_store__pg_case_counts(bs_store *s, bs_case_counts *out, GError **error);
/* pg-prune.c */
bool bs_store__pg_message_prune(bs_store *s, int64_t source_id, bs_store_keep_fn *keep, void *user,
                                int64_t *out_removed, GError **error);

#endif
