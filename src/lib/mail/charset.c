/* Text parts to UTF-8: the declared charset when it tells the truth,
 * windows-1252 when it lies. Windows-1252 is decoded by a table here
 * because iconv refuses its five undefined bytes, while mail written on
 * Windows and labelled ISO-8859-1 uses 0x80-0x9F freely (WHATWG maps the
 * label to windows-1252 for the same reason). */
#include "mail/mail.h"

#include <errno.h>

#include <gmime/gmime.h>

#include "mail/internal.h"

/* windows-1252 0x80-0x9F; undefined bytes map to the C1 code point, as
 * WHATWG does. 0xA0-0xFF equal U+00A0-U+00FF. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

gunichar
bs_mail_cp1252_char(unsigned char c)
{
	return c < 0x80 ? c : c < 0xA0 ? cp1252_c1[c - 0x80] : c;
}

static bool
cp1252_to_utf8(const char *p, size_t len, bs_buf *out)
{
	char stage[4096];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		gunichar u = bs_mail_cp1252_char(c);

		if (n > sizeof(stage) - 6) {
			if (!bs_buf_append(out, stage, n))
				return false;
			n = 0;
		}
		if (u < 0x80)
			stage[n++] = (char)u;
		else
			n += (size_t)g_unichar_to_utf8(u, stage + n);
	}
	return bs_buf_append(out, stage, n);
}

static bool
has_high_bytes(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

/* Converts with iconv; false on an invalid sequence or unknown charset
 * (out then holds garbage and the caller falls back). */
static bool
iconv_to_utf8(const char *charset, const char *p, size_t len, bs_buf *out)
{
	GIConv cd = g_mime_iconv_open("UTF-8", charset);
	char stage[8192];
	char *in = (char *)p;
	size_t in_left = len;
	bool ok = true;

	if (cd == (GIConv)-1)
		return false;
	while (ok) {
		char *o = stage;
		size_t o_left = sizeof(stage);
		size_t r = g_iconv(cd, in_left ? &in : NULL, &in_left, &o, &o_left);

		if (!bs_buf_append(out, stage, sizeof(stage) - o_left))
			break; /* cap reached: keep what fits */
		if (r != (size_t)-1 && in_left == 0)
			break;
		if (r == (size_t)-1 && errno != E2BIG)
			ok = false;
	}
	g_mime_iconv_close(cd);
	return ok;
}

enum charset_class { CS_UTF8, CS_LATIN1, CS_OTHER };

static enum charset_class
classify(const char *charset)
{
	const char *canon;

	if (!charset || !*charset)
		return CS_UTF8;
	canon = g_mime_charset_canon_name(charset);
	if (!canon)
		return CS_OTHER;
	if (!g_ascii_strcasecmp(canon, "utf-8") || !g_ascii_strcasecmp(canon, "us-ascii") ||
	    !g_ascii_strcasecmp(canon, "utf8") || !g_ascii_strcasecmp(canon, "ascii"))
		return CS_UTF8;
	if (!g_ascii_strcasecmp(canon, "iso-8859-1") ||
	    !g_ascii_strcasecmp(canon, "windows-1252") || !g_ascii_strcasecmp(canon, "cp1252"))
		return CS_LATIN1;
	return CS_OTHER;
}

const char *
bs_mail_text_to_utf8(const char *charset, const char *p, size_t len, bs_buf *out, size_t *out_len,
                     bool *out_fallback)
{
	enum charset_class cls = classify(charset);
	bool fallback = false;

	bs_buf_reset(out);
	if (g_utf8_validate_len(p, len, NULL)) {
		/* Text in a single-byte charset with letters above 0x7F is
		 * almost never valid UTF-8: valid UTF-8 is mislabelled UTF-8. */
		fallback = cls != CS_UTF8 && has_high_bytes(p, len);
		*out_len = len;
	} else if (cls == CS_OTHER && iconv_to_utf8(charset, p, len, out)) {
		*out_len = out->len;
		p = out->data ? out->data : "";
	} else {
		fallback = cls != CS_LATIN1;
		bs_buf_reset(out);
		cp1252_to_utf8(p, len, out);
		*out_len = out->len;
		p = out->data ? out->data : "";
	}
	if (out_fallback)
		*out_fallback = fallback;
	return p;
}
