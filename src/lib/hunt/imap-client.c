/* A small IMAP client for hunt: libcurl opens the connection (TLS for
 * imaps://, STARTTLS where offered, SASL login including a master user's
 * PLAIN authorisation id) with CURLOPT_CONNECT_ONLY, and this file speaks
 * the few commands hunt needs over curl_easy_send/recv.
 *
 * Why not libcurl's CUSTOMREQUEST: its custom-command reader passes only
 * untagged lines through and drops the lines of a literal, so a message
 * fetched with UID FETCH BODY.PEEK[] arrives broken (and a literal line
 * that looks like a tagged reply ends the response early); its own FETCH
 * uses BODY[], which sets \Seen on every message a dry run looks at. Here
 * literals are read by their announced length, folders are opened with
 * EXAMINE for a dry run, and bodies fetched with BODY.PEEK[]. */
#include "hunt/internal.h"

#include <curl/curl.h>

#include <errno.h>
#include <poll.h>

#include "base/base.h"

#define IMAP_TIMEOUT_MS (120 * 1000)

struct hunt_imap {
	CURL *curl;
	GByteArray *in; /* received, not yet consumed (from in_pos) */
	size_t in_pos;
	unsigned tag;
	char *shown; /* the URL for messages (no password) */
	bool has_move;
};

static bool
fail(hunt_imap *c, GError **error, const char *what)
{
	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", c->shown, what);
	return false;
}

static bool
wait_socket(hunt_imap *c, short events, GError **error)
{
	curl_socket_t s = CURL_SOCKET_BAD;
	struct pollfd pfd;
	int n;

	curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &s);
	if (s == CURL_SOCKET_BAD)
		return fail(c, error, "connection closed");
	pfd = (struct pollfd){.fd = s, .events = events};
	do
		n = poll(&pfd, 1, IMAP_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	return n > 0 ? true : fail(c, error, "server timed out");
}

static bool
send_all(hunt_imap *c, const char *p, size_t len, GError **error)
{
	while (len > 0) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(c->curl, p, len, &n);

		if (rc == CURLE_AGAIN) {
			if (!wait_socket(c, POLLOUT, error))
				return false;
			continue;
		}
		if (rc != CURLE_OK)
			return fail(c, error, curl_easy_strerror(rc));
		p += n;
		len -= n;
	}
	return true;
}

/* Reads more bytes into c->in, compacting what was consumed. */
static bool
fill(hunt_imap *c, GError **error)
{
	char buf[65536];

	if (c->in_pos > 0) {
		g_byte_array_remove_range(c->in, 0, (guint)c->in_pos);
		c->in_pos = 0;
	}
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(c->curl, buf, sizeof buf, &n);

		if (rc == CURLE_AGAIN) {
			if (!wait_socket(c, POLLIN, error))
				return false;
			continue;
		}
		if (rc != CURLE_OK || n == 0)
			return fail(c, error, rc ? curl_easy_strerror(rc) : "connection closed");
		g_byte_array_append(c->in, (const guint8 *)buf, (guint)n);
		return true;
	}
}

/* One line without its CRLF into line; false on error or overlong line. */
static bool
read_line(hunt_imap *c, GString *line, GError **error)
{
	for (;;) {
		size_t avail = c->in->len - c->in_pos;
		const char *start = avail ? (const char *)c->in->data + c->in_pos : NULL;
		const char *nl = avail ? memchr(start, '\n', avail) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - start);

			g_string_append_len(line, start,
			                    (gssize)(n > 0 && nl[-1] == '\r' ? n - 1 : n));
			c->in_pos += n + 1;
			return true;
		}
		if (avail > BS_LIMIT_IMAP_LINE_BYTES)
			return fail(c, error, "response line too long");
		if (!fill(c, error))
			return false;
	}
}

static bool
read_literal(hunt_imap *c, uint64_t n, GPtrArray *literals, GError **error)
{
	while (c->in->len - c->in_pos < n)
		if (!fill(c, error))
			return false;
	g_ptr_array_add(literals, g_bytes_new(n ? c->in->data + c->in_pos : NULL, n));
	c->in_pos += n;
	return true;
}

/* A line ending in {N} (or {N+}) announces a literal of N bytes. */
static bool
literal_size(const GString *line, uint64_t *out_n)
{
	const char *open;
	size_t end = line->len;

	if (end < 3 || line->str[end - 1] != '}')
		return false;
	open = g_strrstr_len(line->str, (gssize)end, "{");
	if (!open)
		return false;
	end -= (line->str[end - 2] == '+') ? 2 : 1;
	return bs_parse_u64(open + 1, (size_t)(line->str + end - open - 1),
	                    BS_LIMIT_MESSAGE_BYTES_DEFAULT, out_n);
}

/* One whole response: text with each literal left as its {N} marker, and
 * the literals in order. */
static bool
read_response(hunt_imap *c, GString *text, GPtrArray *literals, GError **error)
{
	uint64_t n;

	g_string_truncate(text, 0);
	g_ptr_array_set_size(literals, 0);
	for (;;) {
		if (!read_line(c, text, error))
			return false;
		if (!literal_size(text, &n))
			return true;
		if (!read_literal(c, n, literals, error))
			return false;
	}
}

bool
bs_hunt__imap_command(hunt_imap *c, const char *cmd, hunt_imap_resp_fn *fn, void *user,
                      GError **error)
{
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GPtrArray) lits = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	char tag[16];
	g_autofree char *line = NULL;

	g_snprintf(tag, sizeof tag, "H%u ", ++c->tag);
	line = g_strconcat(tag, cmd, "\r\n", NULL);
	if (!send_all(c, line, strlen(line), error))
		return false;
	for (;;) {
		if (!read_response(c, text, lits, error))
			return false;
		if (g_str_has_prefix(text->str, tag)) {
			const char *st = text->str + strlen(tag);

			if (fn)
				fn(st, lits, user);
			if (g_str_has_prefix(st, "OK"))
				return true;
			g_set_error(error, BS_ERROR, BS_ERROR_IO,
			            "\"%s\": %.*s: server said %.200s", c->shown,
			            (int)strcspn(cmd, " "), cmd, st);
			return false;
		}
		if (g_str_has_prefix(text->str, "* ") && fn)
			fn(text->str + 2, lits, user);
	}
}

bool
bs_hunt__imap_quote(const char *s, GString *out)
{
	g_string_append_c(out, '"');
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
		if (*p == '"' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
	return true;
}

static void
on_capability(const char *text, GPtrArray *lits, void *user)
{
	hunt_imap *c = user;

	if (g_str_has_prefix(text, "CAPABILITY ") && strstr(text, " MOVE"))
		c->has_move = true;
}

static void
set_login(CURL *curl, const char *user, const bs_imap_auth *auth)
{
	if (auth->master_user) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, auth->master_user);
		curl_easy_setopt(curl, CURLOPT_SASL_AUTHZID, user);
	} else {
		curl_easy_setopt(curl, CURLOPT_USERNAME, user);
	}
	curl_easy_setopt(curl, CURLOPT_PASSWORD, auth->password);
	if (auth->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, auth->ca_file);
}

hunt_imap *
bs_hunt__imap_connect(const char *conn_url, const char *shown, const char *user,
                      const bs_imap_auth *auth, GError **error)
{
	hunt_imap *c = g_new0(hunt_imap, 1);
	CURLcode rc;

	c->shown = g_strdup(shown);
	c->in = g_byte_array_new();
	c->curl = curl_easy_init();
	if (!c->curl) {
		fail(c, error, "cannot start libcurl");
		goto bad;
	}
	curl_easy_setopt(c->curl, CURLOPT_URL, conn_url);
	curl_easy_setopt(c->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
	set_login(c->curl, user, auth);
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK) {
		fail(c, error, rc == CURLE_LOGIN_DENIED ? "login denied" : curl_easy_strerror(rc));
		goto bad;
	}
	if (!bs_hunt__imap_command(c, "CAPABILITY", on_capability, c, error))
		goto bad;
	return c;
bad:
	bs_hunt__imap_close(c);
	return NULL;
}

bool
bs_hunt__imap_has_move(const hunt_imap *c)
{
	return c->has_move;
}

void
bs_hunt__imap_close(hunt_imap *c)
{
	if (!c)
		return;
	if (c->curl) {
		size_t n;

		curl_easy_send(c->curl, "HZ LOGOUT\r\n", 11, &n); /* best effort */
		curl_easy_cleanup(c->curl);
	}
	g_byte_array_unref(c->in);
	g_free(c->shown);
	g_free(c);
}
