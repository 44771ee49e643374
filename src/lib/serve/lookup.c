/* Lookups against the index through the store's one lookup, so the page,
 * the API and `breachscope lookup` give one answer. A bs_store is one
 * connection for one thread at a time: a pool holds one per worker. */
#include "serve/internal.h"

#include "ident/ident.h"

bool
bs_serve__lookup_open(bs_srv *srv, GError **error)
{
	const char *index = srv->cfg.index ? srv->cfg.index : srv->db_path;

	srv->stores = g_async_queue_new();
	for (int i = 0; i < srv->cfg.threads + 2; i++) {
		bs_store *s = bs_store_open(index, false, error);

		if (!s)
			return false;
		g_async_queue_push(srv->stores, s);
	}
	return true;
}

void
bs_serve__lookup_close(bs_srv *srv)
{
	bs_store *s;

	if (!srv->stores)
		return;
	while ((s = g_async_queue_try_pop(srv->stores)))
		bs_store_free(s);
	g_async_queue_unref(srv->stores);
	srv->stores = NULL;
}

bool
bs_serve__lookup(bs_srv *srv, const char *kind, const uint8_t pseudonym[32], bs_lookup *out,
                 GError **error)
{
	bs_store *s = g_async_queue_pop(srv->stores);
	bool ok;

	bs_lookup_init(out);
	ok = bs_store_lookup(s, pseudonym, kind, out, error);
	g_async_queue_push(srv->stores, s);
	return ok;
}

bool
bs_serve__pseudonymise(bs_srv *srv, const char *text, bool want_email, char out_kind[24],
                       uint8_t out_pseudonym[32])
{
	size_t len = strlen(text);
	bs_ident id;
	bs_status st;

	if (len == 0 || len > BS_LIMIT_IDENT_LEN)
		return false;
	st = want_email ? bs_ident_parse_as(BS_KIND_EMAIL, text, len, NULL, &id)
	                : bs_ident_parse(text, len, NULL, &id);
	if (st != BS_OK || !id.valid)
		return false;
	if (want_email ? id.kind != BS_KIND_EMAIL
	               : id.kind != BS_KIND_PNR && id.kind != BS_KIND_SAMORDNING)
		return false;
	g_strlcpy(out_kind, bs_kind_name(id.kind), 24);
	bs_pseudonym(srv->key, out_kind, id.canonical, strlen(id.canonical), out_pseudonym);
	return true;
}

char *
bs_serve__lookup_json_dup(bs_srv *srv, const char *kind, const uint8_t pseudonym[32],
                          bool *out_found, GError **error)
{
	g_autoptr(bs_json) j = NULL;
	bs_lookup l;
	char *text = NULL;

	if (bs_serve__lookup(srv, kind, pseudonym, &l, error)) {
		j = bs_json_new();
		bs_lookup_write_json(&l, NULL, j);
		text = g_strdup(bs_json_text(j));
		*out_found = l.found;
	}
	bs_lookup_fini(&l);
	return text;
}
