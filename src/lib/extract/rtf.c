/* RTF to text. Written here because Debian has no RTF text library for C
 * (unrtf is a program, not a library); RTF's text rules are small: groups,
 * control words, \'xx bytes in the document code page (windows-1252 is
 * what Swedish Word and WordPad write), \uN with \ucN fallback skipping,
 * and destinations that hold no writing (font tables, pictures, fields'
 * instructions) skipped whole. */
#include "extract/extract.h"

#include "extract/internal.h"

/* Groups nest deeper than any editor writes only in hostile files; past
 * this depth groups are still counted but inherit the outer state. */
#define RTF_MAX_STACK 128

struct rtf_group {
	bool skip;   /* a destination without writing */
	unsigned uc; /* fallback characters after \uN */
};

struct rtf {
	const char *p, *end;
	bs_buf *out;
	struct rtf_group stack[RTF_MAX_STACK];
	size_t depth;     /* real nesting; the stack index is MIN(depth, max) */
	unsigned pending; /* fallback characters still to drop after \uN */
	gunichar high;    /* a UTF-16 high surrogate waiting for its pair */
	bool full;
};

/* Destinations whose content is not writing (sorted for bsearch). */
static const char *const skipped[] = {
    "bkmkend",   "bkmkstart",  "blipuid",      "colorschememapping",
    "colortbl",  "datastore",  "datafield",    "fldinst",
    "fonttbl",   "generator",  "latentstyles", "listoverridetable",
    "listtable", "mmathPr",    "object",       "objdata",
    "pgdsctbl",  "pict",       "private",      "revtbl",
    "rsidtbl",   "stylesheet", "themedata",    "xmlnstbl",
};

/* Control words that are whitespace in the rendered text. */
static const char *const breaks[] = {"cell", "line", "nestcell", "page",
                                     "par",  "row",  "sect",     "tab"};

static int
compare_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static struct rtf_group *
top(struct rtf *r)
{
	return &r->stack[MIN(r->depth, (size_t)RTF_MAX_STACK - 1)];
}

static void
put_char(struct rtf *r, gunichar u)
{
	char utf8[8];
	int n;

	if (r->full || top(r)->skip)
		return;
	if (r->pending > 0) {
		r->pending--;
		return;
	}
	if (!g_unichar_validate(u))
		u = 0xFFFD;
	n = g_unichar_to_utf8(u, utf8);
	if (!bs_buf_append(r->out, utf8, (size_t)n))
		r->full = true;
}

static void
put_space(struct rtf *r)
{
	bs_buf *out = r->out;

	if (r->full || top(r)->skip || out->len == 0 || g_ascii_isspace(out->data[out->len - 1]))
		return;
	if (!bs_buf_append_c(out, '\n'))
		r->full = true;
}

static void
open_group(struct rtf *r)
{
	struct rtf_group outer = *top(r);

	r->depth++;
	*top(r) = outer;
}

static void
close_group(struct rtf *r)
{
	if (r->depth > 0)
		r->depth--;
	r->pending = 0;
}

/* \uN: a UTF-16 unit; pairs of surrogates combine. */
static void
unicode_unit(struct rtf *r, long n)
{
	gunichar u = (gunichar)(n < 0 ? n + 65536 : n) & 0xFFFF;

	if (u >= 0xD800 && u < 0xDC00) {
		r->high = u;
	} else if (u >= 0xDC00 && u < 0xE000 && r->high) {
		put_char(r, 0x10000 + ((r->high - 0xD800) << 10) + (u - 0xDC00));
		r->high = 0;
	} else {
		r->high = 0;
		put_char(r, u);
	}
	r->pending = top(r)->uc;
}

static void
control_word(struct rtf *r, const char *word, bool has_arg, long arg)
{
	if (!strcmp(word, "u") && has_arg) {
		unicode_unit(r, arg);
	} else if (!strcmp(word, "uc") && has_arg) {
		top(r)->uc = (unsigned)CLAMP(arg, 0, 8);
	} else if (!strcmp(word, "bin") && has_arg) {
		/* Binary data: skipped unread. */
		r->p += MIN((size_t)MAX(arg, 0), (size_t)(r->end - r->p));
	} else if (bsearch(word, skipped, G_N_ELEMENTS(skipped), sizeof(skipped[0]),
	                   compare_word)) {
		top(r)->skip = true;
	} else if (bsearch(word, breaks, G_N_ELEMENTS(breaks), sizeof(breaks[0]), compare_word)) {
		put_space(r);
	} else if (!strcmp(word, "emdash") || !strcmp(word, "endash")) {
		put_char(r, word[1] == 'm' ? 0x2014 : 0x2013);
	} else if (!strcmp(word, "lquote") || !strcmp(word, "rquote")) {
		put_char(r, '\'');
	} else if (!strcmp(word, "ldblquote") || !strcmp(word, "rdblquote")) {
		put_char(r, '"');
	}
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* After a backslash: a control symbol or a control word with its
 * optional numeric argument and delimiting space. */
static void
control(struct rtf *r)
{
	char word[33];
	size_t n = 0;
	long arg = 0;
	bool neg = false, has_arg = false;

	if (r->p >= r->end)
		return;
	if (!g_ascii_isalpha(*r->p)) {
		char c = *r->p++;

		if (c == '\'' && r->end - r->p >= 2 && hex_value(r->p[0]) >= 0 &&
		    hex_value(r->p[1]) >= 0) {
			put_char(r, bs_mail_cp1252_char((unsigned char)(hex_value(r->p[0]) * 16 +
			                                                hex_value(r->p[1]))));
			r->p += 2;
		} else if (c == '*') {
			top(r)->skip = true; /* ignorable destination we do not know */
		} else if (c == '~') {
			put_char(r, ' ');
		} else if (c == '_') {
			put_char(r, '-');
		} else if (c == '\\' || c == '{' || c == '}') {
			put_char(r, (gunichar)c);
		} else if (c == '\n' || c == '\r') {
			put_space(r); /* \<newline> is \par */
		}
		return;
	}
	while (r->p < r->end && g_ascii_isalpha(*r->p)) {
		if (n < sizeof(word) - 1)
			word[n++] = *r->p;
		r->p++;
	}
	word[n] = '\0';
	if (r->p < r->end && *r->p == '-') {
		neg = true;
		r->p++;
	}
	while (r->p < r->end && g_ascii_isdigit(*r->p)) {
		if (arg < 100000000)
			arg = arg * 10 + (*r->p - '0');
		has_arg = true;
		r->p++;
	}
	if (r->p < r->end && *r->p == ' ')
		r->p++;
	control_word(r, word, has_arg, neg ? -arg : arg);
}

bool
bs_extract_rtf_text(const char *p, size_t len, bs_buf *out)
{
	struct rtf r = {.p = p, .end = p + len, .out = out};

	r.stack[0].uc = 1;
	while (r.p < r.end && !r.full) {
		char c = *r.p++;

		if (c == '{')
			open_group(&r);
		else if (c == '}')
			close_group(&r);
		else if (c == '\\')
			control(&r);
		else if (c != '\r' && c != '\n')
			put_char(&r, c == '\t' ? ' ' : bs_mail_cp1252_char((unsigned char)c));
	}
	return !r.full;
}
