/* URL and domain helpers for indicator matching. Hand-written rather than
 * GUri because mail carries URLs that GUri rejects (spaces, bad escapes)
 * and we only need the scheme and host, compared case-insensitively. */
#include "hunt/internal.h"

#include "base/base.h"

/* Offsets of the host inside url[0..len): after "scheme://" and any
 * user-info, up to a port, path, query or fragment. */
static bool
find_host(const char *url, size_t len, size_t *out_scheme_end, size_t *out_start, size_t *out_end)
{
	size_t i = 0, start, end, at;

	while (i < len &&
	       (g_ascii_isalnum(url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
		i++;
	if (i == 0 || i + 3 > len || memcmp(url + i, "://", 3) != 0 || !g_ascii_isalpha(url[0]))
		return false;
	*out_scheme_end = i;
	start = i + 3;
	end = start;
	while (end < len && !strchr("/?#\\", url[end]) && !g_ascii_isspace(url[end]))
		end++;
	for (at = end; at > start; at--) {
		if (url[at - 1] == '@') {
			start = at;
			break;
		}
	}
	if (start < end && url[start] == '[') {
		const char *close = memchr(url + start, ']', end - start);

		end = close ? (size_t)(close - url) + 1 : end;
	} else {
		const char *colon = memchr(url + start, ':', end - start);

		end = colon ? (size_t)(colon - url) : end;
	}
	while (end > start && url[end - 1] == '.')
		end--;
	if (end == start)
		return false;
	*out_start = start;
	*out_end = end;
	return true;
}

char *
bs_hunt__url_host(const char *url, size_t len)
{
	size_t se, hs, he;

	if (!find_host(url, len, &se, &hs, &he))
		return NULL;
	return g_ascii_strdown(url + hs, (gssize)(he - hs));
}

char *
bs_hunt__url_normalise(const char *url, size_t len)
{
	size_t se, hs, he;
	GString *out;

	while (len > 0 && g_ascii_isspace(*url)) {
		url++;
		len--;
	}
	while (len > 0 && g_ascii_isspace(url[len - 1]))
		len--;
	if (!find_host(url, len, &se, &hs, &he))
		return NULL;
	out = g_string_sized_new(len);
	for (size_t i = 0; i < len; i++)
		g_string_append_c(out,
		                  i < se || (i >= hs && i < he) ? g_ascii_tolower(url[i]) : url[i]);
	return g_string_free(out, FALSE);
}

bool
bs_hunt__domain_covers(const char *domain, const char *host)
{
	size_t dl = strlen(domain), hl = strlen(host);

	if (hl == dl)
		return strcmp(domain, host) == 0;
	return hl > dl && host[hl - dl - 1] == '.' && strcmp(host + hl - dl, domain) == 0;
}

void
bs_hunt__sha256_hex(const void *data, size_t len, char out[65])
{
	g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(ck, data, (gssize)len);
	g_strlcpy(out, g_checksum_get_string(ck), 65);
}
