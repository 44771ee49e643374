/* pgtest: see pgtest.h. */
#include "pgtest.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

struct test_pg {
	char *dir; /* the server's directory (socket, data) */
	char *uri; /* of its database "postgres" */
	int next;  /* databases made */
};

static char *
script(const char *name)
{
	const char *root = g_getenv("BS_SOURCE_ROOT");

	return g_build_filename(root ? root : BS_TEST_SOURCE_ROOT, "tests", "lib", name, NULL);
}

bool
test_pg_required(void)
{
	return g_strcmp0(g_getenv("BS_REQUIRE_PG"), "1") == 0;
}

test_pg *
test_pg_start(char **out_reason)
{
	g_autofree char *start = script("pg-start.sh");
	g_autofree char *owner = g_strdup_printf("%d", (int)getpid());
	g_autofree char *out = NULL, *err = NULL;
	GError *error = NULL;
	test_pg *pg = g_new0(test_pg, 1);
	const char *argv[] = {"sh", start, NULL, owner, NULL};
	int status = 0;

	/* Directly under the temp dir: the server's user must reach it. */
	pg->dir = g_dir_make_tmp("bs-pg-XXXXXX", &error);
	g_assert_no_error(error);
	argv[2] = pg->dir;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
	                  &status, &error))
		g_error("pg-start.sh: %s", error->message);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		*out_reason = g_strdup(g_strstrip(err));
		g_rmdir(pg->dir);
		g_free(pg->dir);
		g_free(pg);
		return NULL;
	}
	if (!g_spawn_check_wait_status(status, &error))
		g_error("pg-start.sh: %s: %s", error->message, err);
	pg->uri = g_strdup(g_strstrip(out));
	return pg;
}

void
test_pg_stop(test_pg *pg)
{
	g_autofree char *stop = script("pg-stop.sh");
	const char *argv[] = {"sh", stop, pg ? pg->dir : NULL, NULL};

	if (!pg)
		return;
	g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
	             NULL);
	g_free(pg->dir);
	g_free(pg->uri);
	g_free(pg);
}

static PGconn *
connect_or_die(const char *uri)
{
	PGconn *c = PQconnectdb(uri);

	if (PQstatus(c) != CONNECTION_OK)
		g_error("pgtest: cannot connect: %s", PQerrorMessage(c));
	return c;
}

void
test_pg_exec(const char *uri, const char *sql)
{
	PGconn *c = connect_or_die(uri);
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		g_error("pgtest: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

char *
test_pg_new_db(test_pg *pg)
{
	g_autofree char *name = g_strdup_printf("t%d", ++pg->next);
	g_autofree char *create = g_strdup_printf("CREATE DATABASE %s", name);
	const char *q = strchr(pg->uri, '?');

	test_pg_exec(pg->uri, create);
	return g_strdup_printf("postgresql:///%s%s", name, q);
}

int64_t
test_pg_number(const char *uri, const char *sql)
{
	PGconn *c = connect_or_die(uri);
	PGresult *r = PQexec(c, sql);
	int64_t v = -1;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		g_error("pgtest: %s: %s", sql, PQerrorMessage(c));
	if (PQntuples(r) > 0)
		v = PQgetisnull(r, 0, 0) ? 0 : g_ascii_strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}
