#include "base/json.h"

#include <string.h>

#include "base/limits.h"

struct bs_json {
	GString *text;
	unsigned depth;
	bool first[BS_LIMIT_JSON_DEPTH + 1]; /* per level: no member written yet */
};

bs_json *
bs_json_new(void)
{
	bs_json *j = g_new0(bs_json, 1);

	j->text = g_string_sized_new(256);
	j->first[0] = true;
	return j;
}

void
bs_json_free(bs_json *j)
{
	if (!j)
		return;
	g_string_free(j->text, TRUE);
	g_free(j);
}

void
bs_json_reset(bs_json *j)
{
	g_string_truncate(j->text, 0);
	j->depth = 0;
	j->first[0] = true;
}

/* g_string_append_len() inline where the room is there: in GLib 2.74
 * it is a call to g_string_insert_len(), ~4 % of `breachscope detect`. */
static inline void
put(GString *out, const char *p, size_t n)
{
	if (out->len + n < out->allocated_len) {
		memcpy(out->str + out->len, p, n);
		out->len += n;
		out->str[out->len] = '\0';
		return;
	}
	g_string_append_len(out, p, (gssize)n);
}

static void
member(bs_json *j, const char *key)
{
	if (!j->first[j->depth])
		g_string_append_c(j->text, ',');
	j->first[j->depth] = false;
	if (key) {
		bs_json_escape_append(j->text, key, strlen(key));
		g_string_append_c(j->text, ':');
	}
}

static void
open_level(bs_json *j, const char *key, char c)
{
	member(j, key);
	g_string_append_c(j->text, c);
	g_return_if_fail(j->depth < BS_LIMIT_JSON_DEPTH);
	j->depth++;
	j->first[j->depth] = true;
}

static void
close_level(bs_json *j, char c)
{
	g_return_if_fail(j->depth > 0);
	g_string_append_c(j->text, c);
	j->depth--;
}

void
bs_json_obj_begin(bs_json *j, const char *key)
{
	open_level(j, key, '{');
}

void
bs_json_obj_end(bs_json *j)
{
	close_level(j, '}');
}

void
bs_json_arr_begin(bs_json *j, const char *key)
{
	open_level(j, key, '[');
}

void
bs_json_arr_end(bs_json *j)
{
	close_level(j, ']');
}

void
bs_json_str(bs_json *j, const char *key, const char *val)
{
	if (!val) {
		bs_json_null(j, key);
		return;
	}
	bs_json_strn(j, key, val, strlen(val));
}

void
bs_json_strn(bs_json *j, const char *key, const char *p, size_t len)
{
	member(j, key);
	bs_json_escape_append(j->text, p, len);
}

void
bs_json_int(bs_json *j, const char *key, int64_t v)
{
	char buf[24]; /* "-9223372036854775808" */
	char *e = buf + sizeof buf, *d = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	/* by hand: printf took ~4 % of `breachscope detect` on dense text */
	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--d = '-';
	member(j, key);
	put(j->text, d, (size_t)(e - d));
}

void
bs_json_raw(bs_json *j, const char *key, const char *json, size_t len)
{
	member(j, key);
	put(j->text, json, len);
}

void
bs_json_double(bs_json *j, const char *key, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	member(j, key);
	g_string_append(j->text, g_ascii_formatd(buf, sizeof buf, "%.6g", v));
}

void
bs_json_bool(bs_json *j, const char *key, bool v)
{
	member(j, key);
	g_string_append(j->text, v ? "true" : "false");
}

void
bs_json_null(bs_json *j, const char *key)
{
	member(j, key);
	g_string_append(j->text, "null");
}

const char *
bs_json_text(const bs_json *j)
{
	return j->text->str;
}

void
bs_json_print_line(bs_json *j, FILE *fp)
{
	fwrite(j->text->str, 1, j->text->len, fp);
	fputc('\n', fp);
	bs_json_reset(j);
}

static void
escape_ascii(GString *out, unsigned char c)
{
	switch (c) {
	case '"':
		g_string_append(out, "\\\"");
		break;
	case '\\':
		g_string_append(out, "\\\\");
		break;
	case '\n':
		g_string_append(out, "\\n");
		break;
	case '\r':
		g_string_append(out, "\\r");
		break;
	case '\t':
		g_string_append(out, "\\t");
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_c(out, (char)c);
	}
}

/* Printable ASCII but '"' and '\\': goes out as it is. */
static bool
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void
bs_json_escape_append(GString *out, const char *p, size_t len)
{
	const char *end = p + len;

	g_string_append_c(out, '"');
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		const char *next, *run = p;

		/* a run of plain bytes in one append: most strings are one */
		while (p < end && plain((unsigned char)*p))
			p++;
		if (p > run) {
			put(out, run, (size_t)(p - run));
			continue;
		}
		if (c < 0x80) {
			escape_ascii(out, c);
			p++;
			continue;
		}
		/* Invalid UTF-8 from mail becomes U+FFFD, one per bad byte. */
		if (!g_utf8_validate(p, MIN(end - p, 4), &next) && next == p) {
			g_string_append(out, "\xef\xbf\xbd");
			p++;
			continue;
		}
		next = g_utf8_next_char(p);
		if (next > end) {
			g_string_append(out, "\xef\xbf\xbd");
			p++;
			continue;
		}
		g_string_append_len(out, p, next - p);
		p = next;
	}
	g_string_append_c(out, '"');
}
