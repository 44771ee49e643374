/* index-fill DIR < SPEC: writes a small synthetic index through the store
 * API, for CLI tests that need an index before (or without) a scan. One
 * row per line, fields separated by blanks, "-" for none:
 *   message LOCATOR DATE MAILBOX GRADE STATUS
 *   occurrence KIND CANONICAL LOCATOR LOCATION CONFIDENCE [ROLE [child]]
 *   category LOCATOR NAME COUNT
 *   fact LOCATOR KIND CANONICAL FACT          (sender | self)
 * Pseudonyms are computed with the workspace key, as the scanner does; with
 * a [vault] public_key in the config each new subject is sealed to it. */
#include <stdio.h>

#include "store/store.h"

typedef struct {
	bs_workspace *ws;
	bs_store *s;
	int64_t source_id;
	GHashTable *messages; /* locator -> int64_t * */
} filler;

static const char *
opt(const char *f)
{
	return strcmp(f, "-") == 0 ? NULL : f;
}

static int64_t
message_id(filler *f, const char *locator)
{
	int64_t *id = g_hash_table_lookup(f->messages, locator);

	if (!id) {
		fprintf(stderr, "index-fill: unknown message %s\n", locator);
		exit(2);
	}
	return *id;
}

static bool
fill_message(filler *f, char **v, GError **error)
{
	bs_message_row row = {f->source_id, v[1], NULL, opt(v[2]), opt(v[3]),
	                      "INBOX",      v[4], v[5], NULL,      -1};
	int64_t *id = g_new0(int64_t, 1);

	g_hash_table_insert(f->messages, g_strdup(v[1]), id);
	return bs_store_message_put(f->s, &row, id, error);
}

static bool
subject(filler *f, const char *kind, const char *canonical, const char *role, int64_t *out_id,
        GError **error)
{
	const char *b64 = bs_workspace_config(f->ws)->vault_public_key;
	uint8_t p[BS_PSEUDONYM_LEN], pk[BS_VAULT_KEY_LEN];
	bool created = false;

	bs_pseudonym(bs_workspace_key(f->ws), kind, canonical, strlen(canonical), p);
	if (!bs_store_subject_put(f->s, kind, p, role, out_id, &created, error))
		return false;
	if (created && b64 && bs_vault_public_from_base64(b64, pk, error)) {
		size_t len = 0;
		g_autofree uint8_t *sealed =
		    bs_vault_seal(pk, kind, canonical, strlen(canonical), &len);

		return bs_store_vault_put(f->s, *out_id, sealed, len, error);
	}
	return !error || !*error;
}

static bool
fill_occurrence(filler *f, char **v, guint n, GError **error)
{
	bs_occurrence_row occ = {0, message_id(f, v[3]), v[4], v[5], false, 1};

	occ.child = n > 7 && strcmp(v[7], "child") == 0;
	return subject(f, v[1], v[2], n > 6 ? opt(v[6]) : NULL, &occ.subject_id, error) &&
	       bs_store_occurrence_add(f->s, &occ, error);
}

static bool
fill_fact(filler *f, char **v, GError **error)
{
	int64_t id = 0;

	return subject(f, v[2], v[3], NULL, &id, error) &&
	       bs_store_fact_add(f->s, message_id(f, v[1]), id, v[4], error);
}

static bool
fill_line(filler *f, const char *line, GError **error)
{
	g_auto(GStrv) v = g_strsplit_set(line, " \t", -1);
	guint n = g_strv_length(v);
	uint64_t count = 0;

	if (n == 6 && strcmp(v[0], "message") == 0)
		return fill_message(f, v, error);
	if (n >= 6 && n <= 8 && strcmp(v[0], "occurrence") == 0)
		return fill_occurrence(f, v, n, error);
	if (n == 5 && strcmp(v[0], "fact") == 0)
		return fill_fact(f, v, error);
	if (n == 4 && strcmp(v[0], "category") == 0 &&
	    bs_parse_u64(v[3], strlen(v[3]), 1000, &count))
		return bs_store_category_add(f->s, message_id(f, v[1]), v[2], (int64_t)count,
		                             error);
	g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "bad spec line: %s", line);
	return false;
}

int
main(int argc, char **argv)
{
	filler f = {0};
	bs_source_row src = {"/test/index-fill", "mbox", NULL, NULL, "done"};
	char line[1024];
	GError *error = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: index-fill DIR < SPEC\n");
		return 2;
	}
	f.messages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	f.ws = bs_workspace_open(argv[1], true, &error);
	if (!f.ws)
		goto out;
	f.s = bs_workspace_store(f.ws);
	if (!bs_store_begin(f.s, &error) ||
	    !bs_store_source_upsert(f.s, &src, &f.source_id, &error))
		goto out;
	while (fgets(line, sizeof line, stdin)) {
		g_strstrip(line);
		if (*line && *line != '#' && !fill_line(&f, line, &error))
			goto out;
	}
	bs_store_commit(f.s, &error);
out:
	bs_workspace_free(f.ws);
	g_hash_table_unref(f.messages);
	if (error) {
		fprintf(stderr, "index-fill: %s\n", error->message);
		g_error_free(error);
		return 2;
	}
	return 0;
}
