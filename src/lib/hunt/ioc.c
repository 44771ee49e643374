/* The IOC file: a streaming yajl parse (yajl, not a tree parser, because
 * its byte offsets let every error name line and column of the bad value),
 * validated and normalised list by list. Unknown top-level fields are
 * allowed and skipped, so the file can carry notes and feed metadata. */
#include "hunt/internal.h"

#include <yajl/yajl_parse.h>

#include "base/base.h"

/* One row per list: its field name, how entries are checked and normalised. */
typedef enum {
	CHECK_ADDRESS,
	CHECK_DOMAIN,
	CHECK_REGEX,
	CHECK_URL,
	CHECK_SHA256,
	CHECK_MSGID
} check_kind;

static const struct {
	const char *name; /* the field in the IOC file */
	const char *kind; /* the prefix of a hit's "matched" entry */
	check_kind check;
} list_table[IOC_N_LISTS] = {
    [IOC_SENDERS] = {"senders", "sender", CHECK_ADDRESS},
    [IOC_SENDER_DOMAINS] = {"sender_domains", "sender_domain", CHECK_DOMAIN},
    [IOC_DISPLAY_NAMES] = {"display_names", "display_name", CHECK_REGEX},
    [IOC_SUBJECTS] = {"subjects", "subject", CHECK_REGEX},
    [IOC_URLS] = {"urls", "url", CHECK_URL},
    [IOC_DOMAINS] = {"domains", "domain", CHECK_DOMAIN},
    [IOC_ATTACHMENT_SHA256] = {"attachment_sha256", "attachment_sha256", CHECK_SHA256},
    [IOC_MESSAGE_IDS] = {"message_ids", "message_id", CHECK_MSGID},
};

enum { FIELD_NONE = -1, FIELD_UNKNOWN = -2, FIELD_VERSION = -3 };

typedef struct {
	const char *name; /* file name for messages */
	const char *text;
	size_t len;
	yajl_handle h;
	size_t prev_end; /* offset just after the previous token */
	int depth;       /* open containers */
	int field;       /* top-level key being read: list index or FIELD_* */
	int skip_depth;  /* > 0: inside an unknown field's container */
	bool seen[IOC_N_LISTS];
	bool version_seen;
	size_t index; /* entry number inside the current list */
	bs_ioc *ioc;
	GError *error; /* first error, owned */
} ioc_parse;

const char *
bs_hunt__kind_name(ioc_list l)
{
	return list_table[l].kind;
}

/* Line and column (1-based, bytes) of the token that ends at the parser's
 * current offset: the first byte after the previous token that is not
 * white space or a separator. */
static void
token_place(const ioc_parse *p, size_t *out_line, size_t *out_col)
{
	size_t at = p->prev_end;
	size_t line = 1, col = 1;

	while (at < p->len && strchr(" \t\r\n:,", p->text[at]) && p->text[at] != '\0')
		at++;
	for (size_t i = 0; i < at && i < p->len; i++) {
		if (p->text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*out_line = line;
	*out_col = col;
}

static int G_GNUC_PRINTF(2, 3) fail(ioc_parse *p, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	size_t line, col;
	va_list ap;

	if (p->error)
		return 0;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	token_place(p, &line, &col);
	g_set_error(&p->error, BS_ERROR, BS_ERROR_PARSE, "\"%s\":%zu:%zu: %s", p->name, line, col,
	            msg);
	return 0;
}

static void
advance(ioc_parse *p)
{
	p->prev_end = yajl_get_bytes_consumed(p->h);
}

static bool
is_domain(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-' || s[len - 1] == '.')
		return false;
	for (const char *c = s; *c; c++) {
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' && *c != '_' &&
		    !((unsigned char)*c >= 0x80))
			return false;
		if (c[0] == '.' && c[1] == '.')
			return false;
	}
	return true;
}

static bool
is_address(const char *s)
{
	const char *at = strrchr(s, '@');

	if (!at || at == s || strchr(s, ' ') || strchr(s, '<') || strchr(s, '>'))
		return false;
	return is_domain(at + 1);
}

static bool
is_sha256(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!g_ascii_isxdigit(s[n]))
			return false;
	return n == 64;
}

/* Normalises one entry in place of a new string; NULL and *why set if bad. */
static char *
normalise_entry(check_kind check, const char *s, size_t len, const char **why)
{
	g_autofree char *raw = g_strstrip(g_strndup(s, len));

	switch (check) {
	case CHECK_ADDRESS:
		*why = "not an e-mail address";
		return is_address(raw) ? g_ascii_strdown(raw, -1) : NULL;
	case CHECK_DOMAIN: {
		const char *d = raw[0] == '@' || raw[0] == '.' ? raw + 1 : raw;

		*why = "not a domain name";
		return is_domain(d) ? g_ascii_strdown(d, -1) : NULL;
	}
	case CHECK_SHA256:
		*why = "not 64 hexadecimal digits";
		return is_sha256(raw) ? g_ascii_strdown(raw, -1) : NULL;
	case CHECK_URL:
		*why = "not an absolute URL with a host";
		return bs_hunt__url_normalise(raw, strlen(raw));
	case CHECK_MSGID: {
		size_t n = strlen(raw);
		const char *b = raw;

		if (n >= 2 && raw[0] == '<' && raw[n - 1] == '>') {
			b++;
			n -= 2;
		}
		*why = "not a Message-ID";
		return n > 0 && !memchr(b, ' ', n) ? g_strndup(b, n) : NULL;
	}
	case CHECK_REGEX:
		*why = "empty pattern";
		return raw[0] ? g_strndup(s, len) : NULL;
	}
	return NULL;
}

static int
add_regex(ioc_parse *p, int l, const char *pattern)
{
	g_autoptr(GError) rerr = NULL;
	GRegex *re;

	if (strlen(pattern) > BS_LIMIT_IOC_REGEX_BYTES)
		return fail(p, "%s[%zu]: pattern longer than %u bytes", list_table[l].name,
		            p->index, BS_LIMIT_IOC_REGEX_BYTES);
	re = g_regex_new(pattern, G_REGEX_OPTIMIZE, 0, &rerr);
	if (!re)
		return fail(p, "%s[%zu]: bad regular expression: %s", list_table[l].name, p->index,
		            rerr->message);
	g_ptr_array_add(p->ioc->regex[l], re);
	return 1;
}

static int
add_entry(ioc_parse *p, const unsigned char *s, size_t len)
{
	int l = p->field;
	const char *why = NULL;
	char *norm;

	if (len > BS_LIMIT_IOC_STRING_BYTES)
		return fail(p, "%s[%zu]: longer than %u bytes", list_table[l].name, p->index,
		            BS_LIMIT_IOC_STRING_BYTES);
	if (p->ioc->lists[l]->len >= BS_LIMIT_IOC_ENTRIES)
		return fail(p, "%s: more than %u entries", list_table[l].name,
		            BS_LIMIT_IOC_ENTRIES);
	if (memchr(s, '\0', len))
		return fail(p, "%s[%zu]: contains a NUL character", list_table[l].name, p->index);
	norm = normalise_entry(list_table[l].check, (const char *)s, len, &why);
	if (!norm)
		return fail(p, "%s[%zu]: %s", list_table[l].name, p->index, why);
	g_ptr_array_add(p->ioc->lists[l], norm);
	if (p->ioc->set[l])
		g_hash_table_add(p->ioc->set[l], norm);
	if (list_table[l].check == CHECK_REGEX && !add_regex(p, l, norm))
		return 0;
	p->index++;
	return 1;
}

/* A scalar (string or not) arrives: decide by where we are. */
static int
on_scalar(ioc_parse *p, const unsigned char *str, size_t len, const char *type)
{
	int ok = 1;

	if (p->skip_depth > 0 || (p->depth == 1 && p->field == FIELD_UNKNOWN))
		ok = 1;
	else if (p->depth == 0)
		ok = fail(p, "the top level is not an object");
	else if (p->depth == 1 && p->field == FIELD_VERSION)
		ok = str && !type ? 1 : fail(p, "\"version\" is not the number 1");
	else if (p->depth == 1)
		ok = fail(p, "\"%s\" is not an array", list_table[p->field].name);
	else if (!str)
		ok = fail(p, "%s[%zu]: not a string", list_table[p->field].name, p->index);
	else
		ok = add_entry(p, str, len);
	advance(p);
	return ok;
}

static int
cb_null(void *ctx)
{
	return on_scalar(ctx, NULL, 0, "null");
}

static int
cb_boolean(void *ctx, int v)
{
	return on_scalar(ctx, NULL, 0, "boolean");
}

static int
cb_number(void *ctx, const char *num, size_t len)
{
	ioc_parse *p = ctx;

	if (p->skip_depth == 0 && p->depth == 1 && p->field == FIELD_VERSION) {
		if (len != 1 || num[0] != '1')
			return fail(p, "\"version\" is %.*s; only version 1 is known",
			            (int)MIN(len, 20), num);
		advance(p);
		return 1;
	}
	return on_scalar(ctx, NULL, 0, "number");
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	ioc_parse *p = ctx;

	if (p->skip_depth == 0 && p->depth == 1 && p->field == FIELD_VERSION)
		return fail(p, "\"version\" is a string, not the number 1");
	return on_scalar(ctx, s, len, NULL);
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	ioc_parse *p = ctx;

	if (p->skip_depth > 0 || p->depth != 1) {
		advance(p);
		return 1;
	}
	p->field = FIELD_UNKNOWN;
	if (len == 7 && memcmp(key, "version", 7) == 0) {
		p->field = FIELD_VERSION;
		if (p->version_seen)
			return fail(p, "\"version\" appears twice");
		p->version_seen = true;
	}
	for (int l = 0; l < IOC_N_LISTS; l++) {
		if (strlen(list_table[l].name) == len &&
		    memcmp(key, list_table[l].name, len) == 0) {
			if (p->seen[l])
				return fail(p, "\"%s\" appears twice", list_table[l].name);
			p->seen[l] = true;
			p->field = l;
		}
	}
	advance(p);
	return 1;
}

/* '{' or '[' opens a container. */
static int
on_open(ioc_parse *p, bool is_map)
{
	if (p->depth >= BS_LIMIT_JSON_DEPTH)
		return fail(p, "nested deeper than %d levels", BS_LIMIT_JSON_DEPTH);
	if (p->skip_depth > 0) {
		p->skip_depth++;
	} else if (p->depth == 0) {
		if (!is_map)
			return fail(p, "the top level is not an object");
	} else if (p->depth == 1 && p->field == FIELD_UNKNOWN) {
		p->skip_depth = 1;
	} else if (p->depth == 1 && p->field == FIELD_VERSION) {
		return fail(p, "\"version\" is not the number 1");
	} else if (p->depth == 1) {
		if (is_map)
			return fail(p, "\"%s\" is not an array", list_table[p->field].name);
		p->index = 0;
	} else {
		return fail(p, "%s[%zu]: not a string", list_table[p->field].name, p->index);
	}
	p->depth++;
	advance(p);
	return 1;
}

static int
on_close(ioc_parse *p)
{
	if (p->skip_depth > 0)
		p->skip_depth--;
	p->depth--;
	if (p->depth == 1 && p->skip_depth == 0)
		p->field = FIELD_NONE;
	advance(p);
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return on_open(ctx, true);
}

static int
cb_start_array(void *ctx)
{
	return on_open(ctx, false);
}

static int
cb_end(void *ctx)
{
	return on_close(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

static bs_ioc *
ioc_new(void)
{
	bs_ioc *ioc = g_new0(bs_ioc, 1);

	for (int l = 0; l < IOC_N_LISTS; l++) {
		ioc->lists[l] = g_ptr_array_new_with_free_func(g_free);
		if (list_table[l].check == CHECK_REGEX)
			ioc->regex[l] =
			    g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
		else if (list_table[l].check != CHECK_URL)
			ioc->set[l] = g_hash_table_new(g_str_hash, g_str_equal);
	}
	return ioc;
}

void
bs_ioc_free(bs_ioc *ioc)
{
	if (!ioc)
		return;
	for (int l = 0; l < IOC_N_LISTS; l++) {
		if (ioc->lists[l])
			g_ptr_array_unref(ioc->lists[l]);
		if (ioc->regex[l])
			g_ptr_array_unref(ioc->regex[l]);
		if (ioc->set[l])
			g_hash_table_unref(ioc->set[l]);
	}
	g_free(ioc);
}

size_t
bs_ioc_count(const bs_ioc *ioc)
{
	size_t n = 0;

	for (int l = 0; l < IOC_N_LISTS; l++)
		n += ioc->lists[l]->len;
	return n;
}

/* yajl's own message for a syntax error, placed at the offset it stopped. */
static void
syntax_error(ioc_parse *p, size_t at)
{
	unsigned char *msg = yajl_get_error(p->h, 0, (const unsigned char *)p->text, p->len);
	char *nl;

	p->prev_end = at > 0 && at <= p->len ? at - 1 : at;
	nl = strchr((char *)msg, '\n');
	if (nl)
		*nl = '\0';
	fail(p, "not valid JSON: %s", g_strstrip((char *)msg));
	yajl_free_error(p->h, msg);
}

static bool
run_parse(ioc_parse *p)
{
	yajl_status st;

	st = yajl_parse(p->h, (const unsigned char *)p->text, p->len);
	if (st == yajl_status_error && !p->error)
		syntax_error(p, yajl_get_bytes_consumed(p->h));
	if (st == yajl_status_ok) {
		p->prev_end = p->len;
		st = yajl_complete_parse(p->h);
		if (st == yajl_status_error && !p->error)
			syntax_error(p, p->len); /* premature end: place it at the end */
	}
	if (p->error)
		return false;
	if (!p->version_seen) {
		p->prev_end = 0;
		fail(p, "\"version\" is missing (expected \"version\": 1)");
		return false;
	}
	return true;
}

bs_ioc *
bs_ioc_parse(const char *name, const char *text, size_t len, GError **error)
{
	ioc_parse p = {.name = name, .text = text, .len = len, .field = FIELD_NONE};
	bool ok;

	p.ioc = ioc_new();
	p.h = yajl_alloc(&callbacks, NULL, &p);
	ok = run_parse(&p);
	yajl_free(p.h);
	if (!ok) {
		g_propagate_error(error, p.error);
		bs_ioc_free(p.ioc);
		return NULL;
	}
	return p.ioc;
}

bs_ioc *
bs_ioc_load(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0;

	if (!bs_file_read(path, BS_LIMIT_IOC_BYTES, &text, &len, error))
		return NULL;
	return bs_ioc_parse(path, text, len, error);
}
