/* pgtest: a throwaway PostgreSQL server for tests and benchmarks, started
 * by tests/lib/pg-start.sh (Unix socket in a temp dir, no TCP), and fresh
 * databases in it. Not thread-safe; one server per process. */
#ifndef BS_TEST_PGTEST_H
#define BS_TEST_PGTEST_H

#include <stdbool.h>
#include <stdint.h>

typedef struct test_pg test_pg;

/* Starts a server. NULL when the PostgreSQL binaries are missing, with
 * *out_reason set (caller g_free()s); any other failure is fatal. The
 * server also stops by itself once this process is gone. */
test_pg *test_pg_start(char **out_reason);
void test_pg_stop(test_pg *pg); /* stops it and removes its files; NULL no-op */

/* A new empty database; its URI, caller g_free()s. */
char *test_pg_new_db(test_pg *pg);

/* The first column of the first row of sql on the database at uri; -1 when
 * there is no row. Fatal on error. */
int64_t test_pg_number(const char *uri, const char *sql);

/* Runs sql on the database at uri; fatal on error. */
void test_pg_exec(const char *uri, const char *sql);

/* Whether tests must not skip when PostgreSQL is missing (BS_REQUIRE_PG=1,
 * set by tools/test). */
bool test_pg_required(void);

#endif
