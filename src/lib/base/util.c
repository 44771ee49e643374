#include "base/base.h"

#include <errno.h>
#include <stdio.h>

bool
bs_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *out_value)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';

		if (d > 9)
			return false;
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out_value = v;
	return true;
}

bool
bs_file_read(const char *path, size_t max_len, char **out_text, size_t *out_len, GError **error)
{
	g_autoptr(GMappedFile) mf = NULL;
	GError *local = NULL;
	size_t len;

	mf = g_mapped_file_new(path, FALSE, &local);
	if (!mf) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot read: %s", path,
		            local->message);
		g_error_free(local);
		return false;
	}
	len = g_mapped_file_get_length(mf);
	if (len > max_len) {
		g_set_error(error, BS_ERROR, BS_ERROR_LIMIT,
		            "\"%s\": %zu bytes, above the limit of %zu", path, len, max_len);
		return false;
	}
	*out_text = g_strndup(len ? g_mapped_file_get_contents(mf) : "", len);
	*out_len = len;
	return true;
}

bool
bs_date_parse(const char *s, GDate *out_date)
{
	uint64_t y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!bs_parse_u64(s, 4, 9999, &y) || !bs_parse_u64(s + 5, 2, 12, &m) ||
	    !bs_parse_u64(s + 8, 2, 31, &d))
		return false;
	if (y < 1 || m < 1 || d < 1 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return false;
	g_date_clear(out_date, 1);
	g_date_set_dmy(out_date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return true;
}

char *
bs_escape_html_dup(const char *p, size_t len)
{
	GString *out = g_string_sized_new(len + 16);

	for (size_t i = 0; i < len; i++) {
		switch (p[i]) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\'':
			g_string_append(out, "&#39;");
			break;
		default:
			g_string_append_c(out, p[i]);
		}
	}
	return g_string_free(out, FALSE);
}
