/* workspace: DIR/breachscope.conf + DIR/pseudonym.key + DIR/index.sqlite
 * (+ the e-service's notice texts), or the index in PostgreSQL ([store]).
 * Created once by init; opened by every other command through main.c. */
#include "store/store.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "store/internal.h"

struct bs_workspace {
	char *dir;
	bs_config *config;
	bs_key *key;
	bs_store *store;
	char *index; /* DIR/index.sqlite or the PostgreSQL URI */
	bool writable;
};

/* Templates an operator edits before opening the e-service. */
static const char notice_sv[] =
    "Vad har hänt?\n"
    "Obehöriga har haft tillgång till några av våra e-postlådor. Beskriv här vad som\n"
    "hände, när det upptäcktes och vad organisationen har gjort.\n\n"
    "Vad ska du göra?\n"
    "Beskriv här vad den enskilde bör göra och vart frågor skickas.\n";
static const char notice_en[] =
    "What happened?\n"
    "Unauthorised persons had access to some of our mailboxes. Describe here what\n"
    "happened, when it was discovered and what the organisation has done.\n\n"
    "What should you do?\n"
    "Describe here what a person should do and where to send questions.\n";

static const char *const workspace_files[] = {BS_WORKSPACE_CONFIG, BS_WORKSPACE_KEY,
                                              BS_WORKSPACE_INDEX, BS_WORKSPACE_NOTICE_SV,
                                              BS_WORKSPACE_NOTICE_EN};

static bool
refuse_existing(const char *dir, GError **error)
{
	for (size_t i = 0; i < G_N_ELEMENTS(workspace_files); i++) {
		g_autofree char *p = g_build_filename(dir, workspace_files[i], NULL);

		if (g_file_test(p, G_FILE_TEST_EXISTS)) {
			g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE,
			            "\"%s\": exists already: \"%s\" is a workspace", p, dir);
			return false;
		}
	}
	return true;
}

static bool
write_text(const char *dir, const char *name, const char *text, GError **error)
{
	g_autofree char *p = g_build_filename(dir, name, NULL);
	GError *local = NULL;

	if (!g_file_set_contents(p, text, -1, &local)) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot write: %s", p,
		            local->message);
		g_error_free(local);
		return false;
	}
	return true;
}

/* Where the index of a workspace with this config is; caller g_free()s. */
static char *
index_where_dup(const char *dir, const bs_config *cfg, GError **error)
{
	bool pg = g_strcmp0(cfg->store_backend, "postgresql") == 0;

	if (pg && !cfg->store_dsn) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG,
		            "%s: [store] backend = postgresql: no [store] dsn",
		            BS_WORKSPACE_CONFIG);
		return NULL;
	}
	if (!pg && cfg->store_dsn) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG,
		            "%s: [store] dsn is set but backend = %s", BS_WORKSPACE_CONFIG,
		            cfg->store_backend ? cfg->store_backend : "sqlite");
		return NULL;
	}
	return pg ? g_strdup(cfg->store_dsn) : g_build_filename(dir, BS_WORKSPACE_INDEX, NULL);
}

/* DIR/index.sqlite is made for either backend: with PostgreSQL it holds the
 * e-service's tables. The PostgreSQL index comes last: nothing removes it
 * again, so everything that can fail here fails before it. */
static bool
create_files(const char *dir, const bs_config *cfg, GError **error)
{
	g_autofree char *conf = g_build_filename(dir, BS_WORKSPACE_CONFIG, NULL);
	g_autofree char *key = g_build_filename(dir, BS_WORKSPACE_KEY, NULL);
	g_autofree char *local = g_build_filename(dir, BS_WORKSPACE_INDEX, NULL);
	g_autofree char *index = index_where_dup(dir, cfg, error);

	if (!index)
		return false;
	return bs_key_create(key, error) && bs_store_create(local, error) &&
	       write_text(dir, BS_WORKSPACE_NOTICE_SV, notice_sv, error) &&
	       write_text(dir, BS_WORKSPACE_NOTICE_EN, notice_en, error) &&
	       bs_config_write_new(cfg, conf, error) &&
	       (strcmp(index, local) == 0 || bs_store_create(index, error));
}

/* Removes what a failed create left; only our own file names. */
static void
remove_created(const char *dir)
{
	static const char *const extra[] = {"index.sqlite-wal", "index.sqlite-shm"};

	for (size_t i = 0; i < G_N_ELEMENTS(workspace_files); i++) {
		g_autofree char *p = g_build_filename(dir, workspace_files[i], NULL);

		g_unlink(p);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(extra); i++) {
		g_autofree char *p = g_build_filename(dir, extra[i], NULL);

		g_unlink(p);
	}
}

bool
bs_workspace_create(const char *dir, const bs_config *cfg, GError **error)
{
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot create: %s", dir,
		            g_strerror(errno));
		return false;
	}
	if (!refuse_existing(dir, error))
		return false;
	if (!create_files(dir, cfg, error)) {
		remove_created(dir);
		return false;
	}
	return true;
}

static bool
check_dir(const char *dir, GError **error)
{
	g_autofree char *conf = g_build_filename(dir, BS_WORKSPACE_CONFIG, NULL);

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE,
		            "\"%s\": no such workspace directory (create one with breachscope "
		            "init)",
		            dir);
		return false;
	}
	if (!g_file_test(conf, G_FILE_TEST_EXISTS)) {
		g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE,
		            "\"%s\": not a workspace: no %s (give -w DIR or create one with "
		            "breachscope init)",
		            dir, BS_WORKSPACE_CONFIG);
		return false;
	}
	return true;
}

bs_workspace *
bs_workspace_open(const char *dir, bool writable, GError **error)
{
	g_autoptr(bs_workspace) ws = g_new0(bs_workspace, 1);
	g_autofree char *conf = g_build_filename(dir, BS_WORKSPACE_CONFIG, NULL);
	g_autofree char *key = g_build_filename(dir, BS_WORKSPACE_KEY, NULL);
	g_autofree char *local = g_build_filename(dir, BS_WORKSPACE_INDEX, NULL);

	if (!check_dir(dir, error))
		return NULL;
	ws->dir = g_strdup(dir);
	ws->writable = writable;
	ws->config = bs_config_new();
	if (!bs_config_load_file(ws->config, conf, error))
		return NULL;
	ws->index = index_where_dup(dir, ws->config, error);
	if (!ws->index)
		return NULL;
	ws->key = bs_key_load(key, error);
	if (!ws->key)
		return NULL;
	ws->store = bs_store_open(ws->index, writable, error);
	if (!ws->store)
		return NULL;
	if (strcmp(ws->index, local) != 0)
		bs_store__set_service_db(ws->store, local);
	return g_steal_pointer(&ws);
}

void
bs_workspace_free(bs_workspace *ws)
{
	if (!ws)
		return;
	bs_store_free(ws->store);
	bs_key_free(ws->key);
	bs_config_free(ws->config);
	g_free(ws->index);
	g_free(ws->dir);
	g_free(ws);
}

const char *
bs_workspace_dir(const bs_workspace *ws)
{
	return ws->dir;
}

const bs_config *
bs_workspace_config(const bs_workspace *ws)
{
	return ws->config;
}

bs_config *
bs_workspace_config_mut(bs_workspace *ws)
{
	return ws->config;
}

const bs_key *
bs_workspace_key(const bs_workspace *ws)
{
	return ws->key;
}

bs_store *
bs_workspace_store(bs_workspace *ws)
{
	return ws->store;
}

bool
bs_workspace_writable(const bs_workspace *ws)
{
	return ws->writable;
}

char *
bs_workspace_path_dup(const bs_workspace *ws, const char *name)
{
	return g_build_filename(ws->dir, name, NULL);
}

char *
bs_workspace_index_dup(const bs_workspace *ws)
{
	return g_strdup(ws->index);
}

static bool
kind_accepts(bs_kind want, bs_kind got)
{
	if (want == BS_KIND_PNR)
		return got == BS_KIND_PNR || got == BS_KIND_SAMORDNING;
	return want == got;
}

bool
bs_workspace_lookup(bs_workspace *ws, bs_kind want, const char *value, size_t len, bs_lookup *out,
                    GError **error)
{
	uint8_t pseudonym[BS_PSEUDONYM_LEN];
	const char *kind_name;
	bs_ident id;

	/* A phone number can look like a personnummer: ask ident for the one
	 * kind wanted; for --pnr let ident tell pnr from samordningsnummer. */
	if (want == BS_KIND_PNR)
		bs_ident_parse(value, len, NULL, &id);
	else
		bs_ident_parse_as(want, value, len, NULL, &id);
	if (!id.valid || !kind_accepts(want, id.kind)) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "not a valid %s: %s",
		            want == BS_KIND_PNR     ? "personnummer or samordningsnummer"
		            : want == BS_KIND_EMAIL ? "e-mail address"
		                                    : "phone number",
		            id.kind == want || !id.valid ? id.reason
		                                         : "another kind of identifier");
		return false;
	}
	kind_name = bs_kind_name(id.kind);
	bs_pseudonym(ws->key, kind_name, id.canonical, strlen(id.canonical), pseudonym);
	return bs_store_lookup(ws->store, pseudonym, kind_name, out, error);
}
