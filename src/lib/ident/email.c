/* E-mail addresses, pragmatic RFC 5321: a dot-atom local part (UTF-8
 * allowed, RFC 6531) of at most 64 bytes, '@', a domain of at least two
 * labels (letters, digits, hyphens or UTF-8; 1..63 bytes each; no hyphen at
 * either end) of at most 253 bytes, 254 in all. Quoted local parts and
 * address literals are refused: they do not occur in the mail we scan.
 * Canonical: the address lower-cased (ASCII letters), the local part too:
 * RFC 5321 2.4 lets a server treat local parts case-sensitively but says
 * exploiting it "impedes interoperability and is discouraged", no mail
 * system we meet does, and a resident asking about "Anna.Svensson@..."
 * must find the mail that wrote "anna.svensson@..." (one pseudonym). */
#include "ident/internal.h"

#include <string.h>

#define EMAIL_LOCAL_MAX 64
#define EMAIL_DOMAIN_MAX 253
#define EMAIL_MAX 254
#define EMAIL_LABEL_MAX 63

static bool
atext(unsigned char c)
{
	return g_ascii_isalnum(c) || c >= 0x80 || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static const char *
check_local(const char *p, size_t len)
{
	if (len == 0 || len > EMAIL_LOCAL_MAX)
		return "local part";
	if (p[0] == '.' || p[len - 1] == '.')
		return "local part";
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '.' ? p[i + 1] == '.' : !atext((unsigned char)p[i]))
			return "local part";
	}
	return NULL;
}

static bool
label_char(unsigned char c)
{
	return g_ascii_isalnum(c) || c == '-' || c >= 0x80;
}

/* Checks each label; the last one (top-level domain) has no digits only. */
static const char *
check_domain(const char *p, size_t len)
{
	size_t start = 0, labels = 0;
	bool all_digits = true;

	if (len == 0 || len > EMAIL_DOMAIN_MAX)
		return "domain";
	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] != '.') {
			if (!label_char((unsigned char)p[i]))
				return "domain";
			all_digits = all_digits && g_ascii_isdigit(p[i]);
			continue;
		}
		if (i == start || i - start > EMAIL_LABEL_MAX || p[start] == '-' || p[i - 1] == '-')
			return "domain";
		labels++;
		start = i + 1;
		if (i < len)
			all_digits = true;
	}
	return labels >= 2 && !all_digits ? NULL : "domain";
}

bs_status
bs_ident__email(const char *p, size_t len, const bs_ident_ctx *ctx, bs_ident *out)
{
	const char *at;
	size_t local_len;
	const char *why;

	bs_ident__reset(out);
	at = memchr(p, '@', len);
	if (!at)
		return BS_NOMATCH;
	local_len = (size_t)(at - p);
	if (len > EMAIL_MAX)
		return bs_ident__fail(out, BS_KIND_EMAIL, "length");
	if (memchr(at + 1, '@', len - local_len - 1))
		return bs_ident__fail(out, BS_KIND_EMAIL, "domain");
	if (!g_utf8_validate(p, (gssize)len, NULL))
		return bs_ident__fail(out, BS_KIND_EMAIL, "encoding");
	if ((why = check_local(p, local_len)) || (why = check_domain(at + 1, len - local_len - 1)))
		return bs_ident__fail(out, BS_KIND_EMAIL, why);
	for (size_t i = 0; i < len; i++)
		out->canonical[i] = g_ascii_tolower(p[i]);
	out->canonical[len] = '\0';
	return bs_ident__ok(out, BS_KIND_EMAIL);
}
