/* imap:// and imaps:// sources: hunt, quarantine by UID MOVE into a
 * quarantine folder, restore by UID MOVE back, recovery after a kill.
 *
 * SOURCE is imap[s]://[user@]host[:port][/FOLDER]: one folder, or every
 * selectable folder but the quarantine folder. Credentials come from the
 * [imap] settings, never from the URL (a password there is refused).
 *
 * Server-side SEARCH narrows the fetch when every indicator of the IOC can
 * be searched for (senders, sender domains: HEADER From/Sender/Return-Path;
 * Message-IDs: HEADER Message-ID); regexes, URLs, domains and attachment
 * hashes need the whole message, so then every message is fetched. Either
 * way each candidate is matched locally, so IMAP's substring search never
 * decides a hit. Dry runs open folders with EXAMINE and fetch with
 * BODY.PEEK[]: nothing on the server changes, not even \Seen.
 *
 * A moved message keeps its bytes and flags but gets a new UID; the
 * manifest records folder, UID, UIDVALIDITY, Message-ID and SHA-256 on
 * both sides, and recovery and restore find a message by Message-ID and
 * SHA-256 when a UID is stale. */
#include "hunt/internal.h"

#include "base/base.h"

#define FETCH_BATCH 64
#define SEARCH_BATCH 32

void
bs_imap_auth_free(bs_imap_auth *auth)
{
	if (!auth)
		return;
	g_free(auth->user);
	if (auth->password)
		memset(auth->password, 0, strlen(auth->password));
	g_free(auth->password);
	g_free(auth->master_user);
	g_free(auth->ca_file);
	g_free(auth->quarantine_folder);
	g_free(auth);
}

bs_imap_auth *
bs_imap_auth_new(const bs_config *cfg, GError **error)
{
	bs_imap_auth *auth;

	if (!cfg->imap_password) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "[imap] password is not set");
		return NULL;
	}
	auth = g_new0(bs_imap_auth, 1);
	auth->user = g_strdup(cfg->imap_user);
	auth->password = g_strdup(cfg->imap_password);
	auth->master_user = g_strdup(cfg->imap_master_user);
	auth->ca_file = g_strdup(cfg->imap_ca_file);
	auth->quarantine_folder = g_strdup(cfg->imap_quarantine_folder ? cfg->imap_quarantine_folder
	                                                               : "Breachscope-Quarantine");
	return auth;
}

bool
bs_hunt__is_imap_url(const char *s)
{
	return g_ascii_strncasecmp(s, "imap://", 7) == 0 ||
	       g_ascii_strncasecmp(s, "imaps://", 8) == 0;
}

/* ---- URLs and connections ----------------------------------------------- */

typedef struct {
	char *conn_url; /* scheme://host[:port]/ for libcurl */
	char *shown;    /* scheme://[user@]host[:port]/ for reports */
	char *user;     /* the mailbox user */
	char *folder;   /* NULL: every folder */
} imap_url;

static void
imap_url_fini(imap_url *u)
{
	g_free(u->conn_url);
	g_free(u->shown);
	g_free(u->user);
	g_free(u->folder);
}

static bool
parse_url(const char *s, const bs_imap_auth *auth, imap_url *out, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(s, G_URI_FLAGS_HAS_PASSWORD, NULL);
	const char *path, *user;
	int port;

	memset(out, 0, sizeof *out);
	if (!uri || !g_uri_get_host(uri) || g_uri_get_password(uri)) {
		g_set_error(
		    error, BS_ERROR, BS_ERROR_USAGE,
		    "\"%s\": not an imap[s]://[user@]host[:port][/folder] URL (passwords go "
		    "in the [imap] settings)",
		    s);
		return false;
	}
	user = g_uri_get_user(uri) ? g_uri_get_user(uri) : auth ? auth->user : NULL;
	if (!user || !auth) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG,
		            "\"%s\": IMAP needs credentials: --config FILE or -w DIR with [imap] "
		            "user (or a user in the URL) and password",
		            s);
		return false;
	}
	port = g_uri_get_port(uri);
	path = g_uri_get_path(uri);
	out->user = g_strdup(user);
	out->folder = path && path[0] && strcmp(path, "/") ? g_strdup(path + 1) : NULL;
	out->conn_url =
	    port > 0
	        ? g_strdup_printf("%s://%s:%d/", g_uri_get_scheme(uri), g_uri_get_host(uri), port)
	        : g_strdup_printf("%s://%s/", g_uri_get_scheme(uri), g_uri_get_host(uri));
	out->shown =
	    g_strdup_printf("%.*s%s@%s", (int)strcspn(out->conn_url, "/") + 2, out->conn_url, user,
	                    out->conn_url + strcspn(out->conn_url, "/") + 2);
	return true;
}

/* The quarantine's cached connection for (url, user), opened if needed. */
static hunt_imap *
conn_for(hunt_q *q, const bs_imap_auth *auth, const char *conn_url, const char *shown,
         const char *user, hunt_imap **own, GError **error)
{
	g_autofree char *key = g_strconcat(conn_url, "\n", user, NULL);

	if (q && q->conn && g_strcmp0(q->conn_key, key) == 0)
		return q->conn;
	*own = bs_hunt__imap_connect(conn_url, shown, user, auth, error);
	if (!*own || !q)
		return *own;
	bs_hunt__imap_close(q->conn);
	g_free(q->conn_key);
	q->conn = g_steal_pointer(own);
	q->conn_key = g_steal_pointer(&key);
	return q->conn;
}

/* ---- small commands ----------------------------------------------------- */

static char *
quoted(const char *s)
{
	GString *out = g_string_new(NULL);

	if (!bs_hunt__imap_quote(s, out)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/* "[NAME n" anywhere in text: the number, else -1. */
static int64_t
code_number(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	uint64_t v;
	size_t n;

	if (!p)
		return -1;
	p += strlen(name);
	n = strspn(p, "0123456789");
	return bs_parse_u64(p, n, G_MAXUINT32, &v) ? (int64_t)v : -1;
}

static void
on_uidvalidity(const char *text, GPtrArray *lits, void *user)
{
	int64_t v = code_number(text, "[UIDVALIDITY ");

	if (v >= 0)
		*(int64_t *)user = v;
}

/* EXAMINE (read-only) or SELECT a folder; its UIDVALIDITY. */
static bool
open_folder(hunt_imap *c, const char *folder, bool writable, int64_t *out_validity, GError **error)
{
	g_autofree char *q = quoted(folder);
	g_autofree char *cmd = NULL;

	*out_validity = -1;
	if (!q) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "folder name with 8-bit bytes");
		return false;
	}
	cmd = g_strconcat(writable ? "SELECT " : "EXAMINE ", q, NULL);
	return bs_hunt__imap_command(c, cmd, on_uidvalidity, out_validity, error);
}

static void
on_search(const char *text, GPtrArray *lits, void *user)
{
	const char *p = text + strlen("SEARCH");

	if (!g_str_has_prefix(text, "SEARCH"))
		return;
	while (*p == ' ') {
		size_t n = strspn(++p, "0123456789");
		uint64_t v;

		if (bs_parse_u64(p, n, G_MAXUINT32, &v))
			g_array_append_val((GArray *)user, v);
		p += n;
	}
}

static bool
uid_search(hunt_imap *c, const char *criteria, GArray *uids, GError **error)
{
	g_autofree char *cmd = g_strconcat("UID SEARCH ", criteria, NULL);

	return bs_hunt__imap_command(c, cmd, on_search, uids, error);
}

typedef struct {
	GArray *uids;     /* of uint64_t: UIDs fetched, in order */
	GPtrArray *bytes; /* of GBytes: their messages */
} fetched;

static void
on_fetch(const char *text, GPtrArray *lits, void *user)
{
	fetched *f = user;
	const char *fetch = strstr(text, " FETCH (");
	int64_t uid = fetch ? code_number(fetch, "UID ") : -1;
	uint64_t u = (uint64_t)uid;

	if (uid < 0 || lits->len == 0)
		return; /* an unsolicited flag update, or no body */
	g_array_append_val(f->uids, u);
	g_ptr_array_add(f->bytes, g_bytes_ref(lits->pdata[0]));
}

/* Fetches the whole messages of uids[from..to) without setting \Seen. */
static bool
fetch_range(hunt_imap *c, const GArray *uids, guint from, guint to, fetched *out, GError **error)
{
	GString *cmd = g_string_new("UID FETCH ");
	bool ok;

	for (guint i = from; i < to; i++)
		g_string_append_printf(cmd, "%s%" G_GUINT64_FORMAT, i > from ? "," : "",
		                       g_array_index(uids, uint64_t, i));
	g_string_append(cmd, " (UID BODY.PEEK[])");
	ok = bs_hunt__imap_command(c, cmd->str, on_fetch, out, error);
	g_string_free(cmd, TRUE);
	return ok;
}

static void
fetched_init(fetched *f)
{
	f->uids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	f->bytes = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

static void
fetched_fini(fetched *f)
{
	g_array_unref(f->uids);
	g_ptr_array_unref(f->bytes);
}

/* Fetches uids in batches of FETCH_BATCH and hands each batch to fn, which
 * returns false to stop; memory: one batch. */
typedef bool batch_fn(fetched *got, void *user);

static bool
fetch_batches(hunt_imap *c, const GArray *uids, batch_fn *fn, void *user, GError **error)
{
	bool go = true;

	for (guint i = 0; go && i < uids->len; i += FETCH_BATCH) {
		fetched got;
		bool ok;

		fetched_init(&got);
		ok = fetch_range(c, uids, i, MIN(uids->len, i + FETCH_BATCH), &got, error);
		go = ok && fn(&got, user);
		fetched_fini(&got);
		if (!ok)
			return false;
	}
	return true;
}

static void
on_copyuid(const char *text, GPtrArray *lits, void *user)
{
	const char *p = strstr(text, "[COPYUID ");
	const char *last;

	if (!p)
		return;
	p += strlen("[COPYUID ");
	last = strchr(p, ']');
	while (last && last > p && last[-1] != ' ')
		last--;
	if (last)
		*(int64_t *)user = code_number(last - 1, " ");
}

/* UID MOVE one message; the UID it got in dest (-1 if not reported). */
static bool
move_uid(hunt_imap *c, uint64_t uid, const char *dest, int64_t *out_new_uid, GError **error)
{
	g_autofree char *q = quoted(dest);
	g_autofree char *cmd = NULL;

	*out_new_uid = -1;
	if (!bs_hunt__imap_has_move(c)) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "server lacks the MOVE extension");
		return false;
	}
	cmd = g_strdup_printf("UID MOVE %" G_GUINT64_FORMAT " %s", uid, q);
	return bs_hunt__imap_command(c, cmd, on_copyuid, out_new_uid, error);
}

static bool
ensure_folder(hunt_imap *c, const char *folder, GError **error)
{
	g_autofree char *q = quoted(folder);
	g_autofree char *cmd = g_strconcat("CREATE ", q, NULL);
	g_autoptr(GError) local = NULL;

	if (bs_hunt__imap_command(c, cmd, NULL, NULL, &local))
		return true;
	if (strstr(local->message, "ALREADYEXISTS") || strstr(local->message, "exists"))
		return true;
	g_propagate_error(error, g_steal_pointer(&local));
	return false;
}

/* ---- folders ------------------------------------------------------------ */

/* A quoted string at *p (advanced past it), unescaped; NULL if not one. */
static char *
unquote(const char **p)
{
	GString *out = g_string_new(NULL);
	const char *s = *p + 1;

	for (; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		g_string_append_c(out, *s);
	}
	*p = *s ? s + 1 : s;
	return g_string_free(out, FALSE);
}

static void
on_list(const char *text, GPtrArray *lits, void *user)
{
	const char *p = text + strlen("LIST (");
	const char *close = strchr(p, ')');
	g_autofree char *flags = NULL;

	if (!g_str_has_prefix(text, "LIST (") || !close)
		return;
	flags = g_ascii_strdown(p, close - p);
	if (strstr(flags, "\\noselect") || strstr(flags, "\\nonexistent"))
		return;
	p = close + 1;
	p += strspn(p, " ");
	if (*p == '"')
		g_free(unquote(&p)); /* the hierarchy delimiter */
	else
		p += strcspn(p, " ");
	p += strspn(p, " ");
	if (*p == '"')
		g_ptr_array_add(user, unquote(&p));
	else if (*p == '{' && lits->len > 0)
		g_ptr_array_add(user, g_strndup(g_bytes_get_data(lits->pdata[0], NULL),
		                                g_bytes_get_size(lits->pdata[0])));
	else if (*p)
		g_ptr_array_add(user, g_strdup(p));
}

static GPtrArray *
list_folders(hunt_imap *c, const imap_url *u, const bs_imap_auth *auth, GError **error)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	if (u->folder) {
		g_ptr_array_add(names, g_strdup(u->folder));
		return names;
	}
	if (!bs_hunt__imap_command(c, "LIST \"\" \"*\"", on_list, names, error)) {
		g_ptr_array_unref(names);
		return NULL;
	}
	for (guint i = names->len; i > 0; i--)
		if (strcmp(names->pdata[i - 1], auth->quarantine_folder) == 0)
			g_ptr_array_remove_index(names, i - 1);
	g_ptr_array_sort(names, bs_hunt__cmp_names);
	return names;
}

/* ---- candidates --------------------------------------------------------- */

/* true if every indicator can be searched for on the server. */
static bool
searchable(const bs_ioc *ioc)
{
	static const ioc_list local_only[] = {IOC_DISPLAY_NAMES, IOC_SUBJECTS, IOC_URLS,
	                                      IOC_DOMAINS, IOC_ATTACHMENT_SHA256};

	for (size_t i = 0; i < G_N_ELEMENTS(local_only); i++)
		if (ioc->lists[local_only[i]]->len > 0)
			return false;
	return bs_ioc_count(ioc) > 0;
}

/* Search keys, one per indicator and header ("HEADER From \"x\""). */
static GPtrArray *
search_keys(const bs_ioc *ioc)
{
	static const char *const addr_headers[] = {"From", "Sender", "Return-Path"};
	static const ioc_list addr_lists[] = {IOC_SENDERS, IOC_SENDER_DOMAINS};
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);

	for (size_t l = 0; l < G_N_ELEMENTS(addr_lists); l++) {
		GPtrArray *v = ioc->lists[addr_lists[l]];

		for (guint i = 0; i < v->len; i++) {
			g_autofree char *q = quoted(v->pdata[i]);

			for (size_t h = 0; q && h < G_N_ELEMENTS(addr_headers); h++)
				g_ptr_array_add(
				    keys, g_strdup_printf("HEADER %s %s", addr_headers[h], q));
		}
	}
	for (guint i = 0; i < ioc->lists[IOC_MESSAGE_IDS]->len; i++) {
		g_autofree char *q = quoted(ioc->lists[IOC_MESSAGE_IDS]->pdata[i]);

		if (q)
			g_ptr_array_add(keys, g_strdup_printf("HEADER Message-ID %s", q));
	}
	return keys;
}

/* "OR k1 OR k2 k3" over keys[from..to). */
static char *
or_query(GPtrArray *keys, guint from, guint to)
{
	GString *s = g_string_new(NULL);

	for (guint i = from; i < to; i++)
		g_string_append_printf(s, "%s%s ", i + 1 < to ? "OR " : "",
		                       (const char *)keys->pdata[i]);
	g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

static gint
cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs worth fetching, sorted and without repeats. */
static bool
candidates(hunt_imap *c, const bs_ioc *ioc, GArray *uids, GError **error)
{
	g_autoptr(GPtrArray) keys = NULL;
	guint n = 0;

	if (!searchable(ioc))
		return uid_search(c, "ALL", uids, error);
	keys = search_keys(ioc);
	for (guint i = 0; i < keys->len; i += SEARCH_BATCH) {
		g_autofree char *q = or_query(keys, i, MIN(keys->len, i + SEARCH_BATCH));

		if (!uid_search(c, q, uids, error))
			return false;
	}
	g_array_sort(uids, cmp_u64);
	for (guint i = 0; i < uids->len; i++)
		if (n == 0 ||
		    g_array_index(uids, uint64_t, n - 1) != g_array_index(uids, uint64_t, i))
			g_array_index(uids, uint64_t, n++) = g_array_index(uids, uint64_t, i);
	g_array_set_size(uids, n);
	return true;
}

/* ---- hunting one folder ------------------------------------------------- */

typedef struct {
	const bs_hunt_options *opt;
	hunt_q *q;
	bs_hunt_stats *stats;
	const char *source; /* as given */
	const imap_url *url;
	const char *folder;
	int64_t validity;
} folder_ctx;

static void
report(folder_ctx *f, uint64_t uid, const bs_ioc_result *res, bool quarantined)
{
	char loc[32];
	bs_hunt_hit hit = {
	    .source = f->source,
	    .mailbox = f->url->user,
	    .folder = f->folder,
	    .locator = loc,
	    .message_id = res->message_id,
	    .date = res->date,
	    .matched = res->matched,
	    .quarantined = quarantined,
	};

	g_snprintf(loc, sizeof loc, "uid:%" G_GUINT64_FORMAT, uid);
	f->stats->hits++;
	f->stats->quarantined += quarantined;
	if (f->opt->on_hit)
		f->opt->on_hit(&hit, f->opt->user);
}

/* Journal -> UID MOVE -> manifest -> clear, as for files (quarantine.c). */
static bool
quarantine_uid(folder_ctx *f, hunt_imap *c, uint64_t uid, GBytes *raw, const bs_ioc_result *res,
               GError **error)
{
	hunt_meta meta = {f->source, f->url->user, f->folder, res->message_id, res->date};
	json_t *entry = bs_hunt__meta_json("imap", &meta);
	json_t *intent, *recs;
	int64_t new_uid = -1;
	char sha[65];
	bool ok;

	bs_hunt__sha256_hex(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), sha);
	json_object_set_new(entry, "seq", json_integer((json_int_t)f->q->next_seq++));
	json_object_set_new(entry, "url", json_string(f->url->conn_url));
	json_object_set_new(entry, "user", json_string(f->url->user));
	json_object_set_new(entry, "uid", json_integer((json_int_t)uid));
	json_object_set_new(entry, "uidvalidity", json_integer(f->validity));
	json_object_set_new(entry, "quarantine_folder",
	                    json_string(f->opt->imap->quarantine_folder));
	json_object_set_new(entry, "sha256", json_string(sha));
	json_object_set_new(entry, "bytes", json_integer((json_int_t)g_bytes_get_size(raw)));
	intent = json_pack("{s:s, s:O}", "op", "imap", "entry", entry);
	ok = bs_hunt__q_journal(f->q, intent, error) &&
	     move_uid(c, uid, f->opt->imap->quarantine_folder, &new_uid, error);
	if (ok) {
		bs_hunt__q_step(f->q);
		json_object_set_new(entry, "quarantine_uid", json_integer(new_uid));
		recs = json_pack("[O]", entry);
		ok =
		    bs_hunt__q_manifest(f->q, recs, error) && bs_hunt__q_journal_clear(f->q, error);
		json_decref(recs);
	}
	json_decref(intent);
	json_decref(entry);
	return ok;
}

typedef struct {
	uint64_t uid;
	GBytes *raw;
	bs_ioc_result res;
} imap_hit;

static void
imap_hit_clear(gpointer p)
{
	imap_hit *h = p;

	g_bytes_unref(h->raw);
	bs_ioc_result_fini(&h->res);
}

/* Matches fetched messages; hits are kept in hits. */
static void
match_fetched(folder_ctx *f, fetched *got, GArray *hits)
{
	for (guint i = 0; i < got->bytes->len; i++) {
		imap_hit h = {.uid = g_array_index(got->uids, uint64_t, i)};
		gsize len;
		const char *data = g_bytes_get_data(got->bytes->pdata[i], &len);

		f->stats->messages++;
		bs_ioc_match(f->opt->ioc, data, len, &h.res);
		f->stats->partial += h.res.partial;
		if (h.res.matched->len == 0) {
			bs_ioc_result_fini(&h.res);
			continue;
		}
		h.raw = g_bytes_ref(got->bytes->pdata[i]);
		g_array_append_val(hits, h);
	}
}

typedef struct {
	folder_ctx *f;
	GArray *hits;
} match_batch;

static bool
match_batch_fn(fetched *got, void *user)
{
	match_batch *mb = user;

	match_fetched(mb->f, got, mb->hits);
	return true;
}

static bool
scan_folder(folder_ctx *f, hunt_imap *c, GArray *hits, GError **error)
{
	g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	match_batch mb = {f, hits};

	return open_folder(c, f->folder, false, &f->validity, error) &&
	       candidates(c, f->opt->ioc, uids, error) &&
	       fetch_batches(c, uids, match_batch_fn, &mb, error);
}

static bool
hunt_folder(folder_ctx *f, hunt_imap *c, GError **error)
{
	g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(imap_hit));
	int64_t validity;
	bool ok;

	g_array_set_clear_func(hits, imap_hit_clear);
	if (!scan_folder(f, c, hits, error))
		return false;
	ok = true;
	if (hits->len > 0 && f->q)
		ok = ensure_folder(c, f->opt->imap->quarantine_folder, error) &&
		     open_folder(c, f->folder, true, &validity, error) && validity == f->validity;
	for (guint i = 0; i < hits->len && ok; i++) {
		imap_hit *h = &g_array_index(hits, imap_hit, i);

		ok = !f->q || quarantine_uid(f, c, h->uid, h->raw, &h->res, error);
		if (ok)
			report(f, h->uid, &h->res, f->q != NULL);
	}
	if (!ok && error && !*error)
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": UIDVALIDITY changed", f->folder);
	return ok;
}

bool
bs_hunt__imap_hunt(const bs_hunt_options *opt, hunt_q *q, const char *url, bs_hunt_stats *stats,
                   GError **error)
{
	imap_url u;
	hunt_imap *own = NULL, *c;
	g_autoptr(GPtrArray) folders = NULL;
	bool ok;

	if (!parse_url(url, opt->imap, &u, error))
		return false;
	c = conn_for(q, opt->imap, u.conn_url, u.shown, u.user, &own, error);
	ok = c && (folders = list_folders(c, &u, opt->imap, error));
	for (guint i = 0; ok && i < folders->len; i++) {
		folder_ctx f = {opt, q, stats, url, &u, folders->pdata[i], -1};

		ok = hunt_folder(&f, c, error);
	}
	bs_hunt__imap_close(own);
	imap_url_fini(&u);
	return ok;
}

/* ---- restore and recovery ----------------------------------------------- */

typedef struct {
	const char *sha; /* wanted */
	int64_t uid;     /* found, or -1 */
} find_batch;

static bool
find_batch_fn(fetched *got, void *user)
{
	find_batch *fb = user;

	for (guint k = 0; k < got->bytes->len; k++) {
		gsize len;
		const char *data = g_bytes_get_data(got->bytes->pdata[k], &len);
		char sha[65];

		bs_hunt__sha256_hex(data, len, sha);
		if (g_strcmp0(sha, fb->sha) == 0) {
			fb->uid = (int64_t)g_array_index(got->uids, uint64_t, k);
			return false;
		}
	}
	return true;
}

/* The UID of the message with this Message-ID and SHA-256 in folder (opened
 * for writing if asked), or -1. */
static bool
find_message(hunt_imap *c, const char *folder, bool writable, const char *mid, const char *sha,
             int64_t *out_uid, GError **error)
{
	g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g_autofree char *q = mid ? quoted(mid) : NULL;
	g_autofree char *crit = q ? g_strconcat("HEADER Message-ID ", q, NULL) : g_strdup("ALL");
	find_batch fb = {sha, -1};
	int64_t validity;
	bool ok;

	ok = open_folder(c, folder, writable, &validity, error) &&
	     uid_search(c, crit, uids, error) && fetch_batches(c, uids, find_batch_fn, &fb, error);
	*out_uid = fb.uid;
	return ok;
}

static hunt_imap *
entry_conn(hunt_q *q, json_t *e, hunt_imap **own, GError **error)
{
	const char *url = bs_hunt__rec_str(e, "url");
	const char *user = bs_hunt__rec_str(e, "user");

	if (!q->imap) {
		g_set_error(
		    error, BS_ERROR, BS_ERROR_CONFIG,
		    "manifest entry %" G_GINT64_FORMAT
		    " is on an IMAP server: give --config FILE or -w DIR with [imap] settings",
		    bs_hunt__rec_int(e, "seq"));
		return NULL;
	}
	if (!url || !user) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE,
		            "manifest entry %" G_GINT64_FORMAT ": no url or user",
		            bs_hunt__rec_int(e, "seq"));
		return NULL;
	}
	return conn_for(q, q->imap, url, url, user, own, error);
}

static bool
write_restored(hunt_q *q, int64_t seq, GError **error)
{
	g_autofree char *now = bs_hunt__now();
	json_t *recs = json_pack("[{s:I, s:s}]", "restored", (json_int_t)seq, "time", now);
	bool ok = bs_hunt__q_manifest(q, recs, error);

	json_decref(recs);
	return ok;
}

bool
bs_hunt__imap_restore(hunt_q *q, json_t *e, const bs_imap_auth *auth, GError **error)
{
	hunt_imap *own = NULL, *c = entry_conn(q, e, &own, error);
	const char *qfolder = bs_hunt__rec_str(e, "quarantine_folder");
	const char *folder = bs_hunt__rec_str(e, "folder");
	int64_t seq = bs_hunt__rec_int(e, "seq"), uid = -1, new_uid;
	json_t *intent;
	bool ok;

	if (!c)
		return false;
	ok = qfolder && folder &&
	     find_message(c, qfolder, true, bs_hunt__rec_str(e, "message_id"),
	                  bs_hunt__rec_str(e, "sha256"), &uid, error);
	if (ok && uid < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO,
		            "manifest entry %" G_GINT64_FORMAT ": not in the quarantine folder",
		            seq);
		ok = false;
	}
	intent = json_pack("{s:s, s:I}", "op", "unimap", "seq", (json_int_t)seq);
	ok = ok && bs_hunt__q_journal(q, intent, error) &&
	     move_uid(c, (uint64_t)uid, folder, &new_uid, error);
	if (ok)
		bs_hunt__q_step(q);
	ok = ok && write_restored(q, seq, error) && bs_hunt__q_journal_clear(q, error);
	json_decref(intent);
	bs_hunt__imap_close(own);
	return ok;
}

/* An interrupted quarantine move: finished if the UID left its folder and
 * the message is in the quarantine folder. */
static bool
recover_move(hunt_q *q, hunt_imap *c, json_t *e, GError **error)
{
	g_autofree char *crit =
	    g_strdup_printf("UID %" G_GINT64_FORMAT, bs_hunt__rec_int(e, "uid"));
	g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	const char *folder = bs_hunt__rec_str(e, "folder");
	const char *qfolder = bs_hunt__rec_str(e, "quarantine_folder");
	int64_t validity, uid = -1;
	json_t *recs;
	bool ok;

	if (!folder || !qfolder || !open_folder(c, folder, false, &validity, error) ||
	    !uid_search(c, crit, uids, error))
		return false;
	if (validity == bs_hunt__rec_int(e, "uidvalidity") && uids->len > 0)
		return true; /* never moved: nothing to finish */
	if (!find_message(c, qfolder, false, bs_hunt__rec_str(e, "message_id"),
	                  bs_hunt__rec_str(e, "sha256"), &uid, error))
		return false;
	if (uid < 0)
		return true; /* in neither folder: not ours to finish */
	recs = json_pack("[O]", e);
	json_object_set_new(json_array_get(recs, 0), "quarantine_uid", json_integer(uid));
	ok = bs_hunt__q_manifest(q, recs, error);
	json_decref(recs);
	return ok;
}

/* An interrupted restore: finished if the message left the quarantine
 * folder and is back in its own. */
static bool
recover_unmove(hunt_q *q, hunt_imap *c, json_t *e, GError **error)
{
	const char *mid = bs_hunt__rec_str(e, "message_id");
	const char *sha = bs_hunt__rec_str(e, "sha256");
	const char *folder = bs_hunt__rec_str(e, "folder");
	const char *qfolder = bs_hunt__rec_str(e, "quarantine_folder");
	int64_t uid = -1;

	if (!folder || !qfolder || !find_message(c, qfolder, false, mid, sha, &uid, error))
		return false;
	if (uid >= 0)
		return true; /* still in quarantine: the restore will move it */
	if (!find_message(c, folder, false, mid, sha, &uid, error))
		return false;
	return uid < 0 ? true : write_restored(q, bs_hunt__rec_int(e, "seq"), error);
}

bool
bs_hunt__recover_imap(hunt_q *q, json_t *rec, GError **error)
{
	bool unmove = g_strcmp0(bs_hunt__rec_str(rec, "op"), "unimap") == 0;
	int64_t seq = unmove ? bs_hunt__rec_int(rec, "seq")
	                     : bs_hunt__rec_int(json_object_get(rec, "entry"), "seq");
	gpointer key = GSIZE_TO_POINTER((gsize)seq);
	json_t *e = unmove ? g_hash_table_lookup(q->entries, key) : json_object_get(rec, "entry");
	hunt_imap *own = NULL, *c;
	bool ok;

	if (!e || (unmove ? g_hash_table_contains(q->restored, key)
	                  : g_hash_table_contains(q->entries, key)))
		return true; /* committed; only the journal clear was missing */
	c = entry_conn(q, e, &own, error);
	if (!c)
		return false;
	ok = unmove ? recover_unmove(q, c, e, error) : recover_move(q, c, e, error);
	bs_hunt__imap_close(own);
	return ok;
}

/* ---- IMAP as a message source (for scan) -------------------------------- */

typedef struct {
	const char *folder;
	int64_t validity;
	bs_imap_message_fn *fn;
	void *user;
} each_batch;

static bool
each_batch_fn(fetched *got, void *user)
{
	each_batch *eb = user;

	for (guint k = 0; k < got->bytes->len; k++) {
		bs_imap_message m = {.folder = eb->folder,
		                     .uid = g_array_index(got->uids, uint64_t, k),
		                     .uidvalidity = (uint64_t)MAX(eb->validity, 0)};

		m.data = g_bytes_get_data(got->bytes->pdata[k], &m.len);
		if (!eb->fn(&m, eb->user))
			return false;
	}
	return true;
}

static bool
each_in_folder(hunt_imap *c, const char *folder, bs_imap_message_fn *fn, void *user, GError **error)
{
	g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	each_batch eb = {folder, -1, fn, user};

	return open_folder(c, folder, false, &eb.validity, error) &&
	       uid_search(c, "ALL", uids, error) &&
	       fetch_batches(c, uids, each_batch_fn, &eb, error);
}

bool
bs_imap_source_each(const char *url, const bs_imap_auth *auth, bs_imap_message_fn *fn, void *user,
                    GError **error)
{
	imap_url u;
	hunt_imap *c = NULL;
	g_autoptr(GPtrArray) folders = NULL;
	bool ok;

	bs_hunt__gmime_init();
	if (!parse_url(url, auth, &u, error))
		return false;
	c = bs_hunt__imap_connect(u.conn_url, u.shown, u.user, auth, error);
	ok = c && (folders = list_folders(c, &u, auth, error));
	for (guint i = 0; ok && i < folders->len; i++)
		ok = each_in_folder(c, folders->pdata[i], fn, user, error);
	bs_hunt__imap_close(c);
	imap_url_fini(&u);
	return ok;
}
