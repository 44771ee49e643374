/* IMAP's modified UTF-7 (RFC 3501 5.1.3), the encoding of Maildir++ folder
 * names on disk (Dovecot, Courier). Written here because GLib's "UTF-7"
 * (iconv) is RFC 2152 UTF-7, which differs: "+" opens a run there, "&" here,
 * and the base64 alphabet has "," for "/". */
#include "source/source.h"

#include <string.h>

/* The modified base64 alphabet's value of c, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

/* Appends one UTF-16 unit, pairing surrogates; false on a lone one. */
static bool
put_unit(GString *out, uint32_t unit, uint32_t *high)
{
	if (unit >= 0xD800 && unit <= 0xDBFF) {
		if (*high)
			return false;
		*high = unit;
		return true;
	}
	if (unit >= 0xDC00 && unit <= 0xDFFF) {
		if (!*high)
			return false;
		unit = 0x10000 + ((*high - 0xD800) << 10) + (unit - 0xDC00);
		*high = 0;
	} else if (*high || unit == 0) {
		return false;
	}
	g_string_append_unichar(out, (gunichar)unit);
	return true;
}

/* Decodes the run after "&" up to its "-"; *pos is at the first base64
 * character and ends after the "-". */
static bool
decode_run(const char *p, size_t len, size_t *pos, GString *out)
{
	uint32_t bits = 0, high = 0;
	unsigned nbits = 0;
	size_t i = *pos;

	for (; i < len && p[i] != '-'; i++) {
		int v = b64_value((unsigned char)p[i]);

		if (v < 0)
			return false;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits >= 16) {
			nbits -= 16;
			if (!put_unit(out, (bits >> nbits) & 0xFFFF, &high))
				return false;
		}
	}
	/* Closed by "-", no pending surrogate, padding short and zero. */
	if (i >= len || high || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
		return false;
	*pos = i + 1;
	return true;
}

char *
bs_source_mutf7_decode_dup(const char *name, size_t len)
{
	g_autoptr(GString) out = g_string_sized_new(len + 1);
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c > 0x7e)
			return NULL;
		if (c != '&') {
			g_string_append_c(out, (char)c);
			i++;
		} else if (i + 1 < len && name[i + 1] == '-') {
			g_string_append_c(out, '&');
			i += 2;
		} else {
			i++;
			if (!decode_run(name, len, &i, out))
				return NULL;
		}
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}
