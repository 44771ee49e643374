/* scope: loading and validating a scope file (docs/scope.md).
 * jansson parses and reports syntax errors with line and column; it keeps no
 * positions for values, so a validation error re-walks the text along the
 * path of the bad field to name its line and column. */
#include "scope/scope.h"

#include <stdarg.h>

#include <jansson.h>

#include "base/base.h"
#include "scope/internal.h"

#define PATH_MAX_DEPTH 8

struct seg {
	const char *key; /* member name, or NULL for an array index */
	size_t index;
};

struct vctx {
	const char *name; /* file name for messages */
	const char *text;
	size_t len;
	struct seg path[PATH_MAX_DEPTH];
	int depth;
	bs_scope *scope; /* being filled */
	GError **error;
};

/* --- locating a value by its path in text that jansson accepted --- */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at the opening quote; returns just past the closing one. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	do {
		if (p >= end)
			return end;
		if (*p == '"') {
			p = skip_string(p, end);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (depth == 0) {
			while (p < end && !strchr(",}] \t\r\n", *p))
				p++;
			return p;
		}
		p++;
	} while (depth > 0);
	return p;
}

/* p at a value; returns the start of the member or element seg names,
 * or NULL when it is not there. */
static const char *
descend(const char *p, const char *end, const struct seg *seg)
{
	size_t i = 0;
	size_t klen = seg->key ? strlen(seg->key) : 0;

	if (p >= end || *p != (seg->key ? '{' : '['))
		return NULL;
	for (p = skip_ws(p + 1, end); p < end && *p != '}' && *p != ']'; i++) {
		if (seg->key) {
			const char *k = p + 1;
			bool match;

			p = skip_string(p, end);
			match = (size_t)(p - k) == klen + 1 && memcmp(k, seg->key, klen) == 0;
			p = skip_ws(skip_ws(p, end) + 1, end); /* past ':' */
			if (match)
				return p;
		} else if (i == seg->index) {
			return p;
		}
		p = skip_ws(skip_value(p, end), end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return NULL;
}

static void
locate(const struct vctx *c, int *out_line, int *out_col)
{
	const char *end = c->text + c->len;
	const char *p = skip_ws(c->text, end);
	const char *at = p;

	for (int i = 0; i < c->depth && p; i++) {
		p = descend(p, end, &c->path[i]);
		if (p)
			at = p;
	}
	*out_line = 1;
	*out_col = 1;
	for (const char *q = c->text; q < at; q++) {
		if (*q == '\n') {
			(*out_line)++;
			*out_col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			(*out_col)++;
		}
	}
}

static bool G_GNUC_PRINTF(2, 3) fail(struct vctx *c, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;
	int line, col;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	locate(c, &line, &col);
	g_set_error(c->error, BS_ERROR, BS_ERROR_PARSE, "%s:%d:%d: %s", c->name, line, col, msg);
	return false;
}

static void
push(struct vctx *c, const char *key, size_t index)
{
	if (c->depth < PATH_MAX_DEPTH)
		c->path[c->depth] = (struct seg){key, index};
	c->depth++;
}

static void
pop(struct vctx *c)
{
	c->depth--;
}

/* --- typed member access; each failure names the member --- */

static json_t *
member(struct vctx *c, json_t *obj, const char *key, json_type type, bool nullable)
{
	static const char *const type_names[] = {"an object", "an array", "a string", "an integer",
	                                         "a number",  "true",     "false",    "null"};
	json_t *v = json_object_get(obj, key);

	if (!v) {
		fail(c, "\"%s\" is missing", key);
		return NULL;
	}
	if (json_typeof(v) == type || (nullable && json_is_null(v)))
		return v;
	push(c, key, 0);
	fail(c, "\"%s\" is not %s", key, type_names[type]);
	pop(c);
	return NULL;
}

static bool
time_member(struct vctx *c, json_t *obj, const char *key, bool nullable, int64_t *out_us)
{
	json_t *v = member(c, obj, key, JSON_STRING, nullable);
	bool ok;

	if (!v)
		return false;
	if (json_is_null(v)) {
		*out_us = BS_SCOPE_OPEN_END;
		return true;
	}
	ok = bs_scope_time_parse(json_string_value(v), out_us);
	push(c, key, 0);
	if (!ok)
		fail(c, "\"%s\" is not an RFC 3339 time", key);
	pop(c);
	return ok;
}

static bool
span_members(struct vctx *c, json_t *obj, bool to_nullable, bs_scope__span *out)
{
	if (!time_member(c, obj, "from", false, &out->from_us) ||
	    !time_member(c, obj, "to", to_nullable, &out->to_us))
		return false;
	if (out->to_us < out->from_us) {
		push(c, "to", 0);
		fail(c, "\"to\" is before \"from\"");
		pop(c);
		return false;
	}
	return true;
}

typedef bool elem_fn(struct vctx *c, json_t *elem, bs_scope__account *a);

/* Runs fn on each element of the array obj[key], which must be objects
 * (strings when want is JSON_STRING). Absent optional arrays are fine. */
static bool
each(struct vctx *c, json_t *obj, const char *key, bool required, json_type want, elem_fn *fn,
     bs_scope__account *a)
{
	json_t *arr;
	bool ok = true;

	if (!required && !json_object_get(obj, key))
		return true;
	arr = member(c, obj, key, JSON_ARRAY, false);
	if (!arr)
		return false;
	push(c, key, 0);
	for (size_t i = 0; ok && i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);

		push(c, NULL, i);
		if (json_typeof(e) != want)
			ok = fail(c, "element %zu of \"%s\" is not %s", i, key,
			          want == JSON_OBJECT ? "an object" : "a string");
		else
			ok = fn(c, e, a);
		pop(c);
	}
	pop(c);
	return ok;
}

/* --- the scope file's parts --- */

static bool
add_mailbox(struct vctx *c, json_t *e, bs_scope__account *a)
{
	/* keeps the array NULL-terminated: replace the terminator, add a new one */
	g_ptr_array_index(a->mailboxes, a->mailboxes->len - 1) = g_strdup(json_string_value(e));
	g_ptr_array_add(a->mailboxes, NULL);
	return true;
}

static bool
add_window(struct vctx *c, json_t *e, bs_scope__account *a)
{
	bs_scope__span s;

	if (!span_members(c, e, true, &s))
		return false;
	g_array_append_val(a->spans, s);
	return true;
}

static bool
add_item(struct vctx *c, json_t *e, bs_scope__account *a)
{
	json_t *id = member(c, e, "message_id", JSON_STRING, false);
	json_t *grade = id ? member(c, e, "grade", JSON_STRING, false) : NULL;
	bs_grade g;
	char *key;
	gpointer old;

	if (!grade)
		return false;
	if (!bs_grade_from_name(json_string_value(grade), &g) ||
	    (g != BS_GRADE_ACCESSED && g != BS_GRADE_SYNCED)) {
		push(c, "grade", 0);
		fail(c, "\"grade\" is not \"accessed\" or \"synced\"");
		pop(c);
		return false;
	}
	key = bs_scope__msgid_norm(json_string_value(id));
	old = g_hash_table_lookup(a->items, key);
	if (GPOINTER_TO_INT(old) < (int)g)
		g_hash_table_insert(a->items, key, GINT_TO_POINTER(g));
	else
		g_free(key);
	return true;
}

static bool
add_folder(struct vctx *c, json_t *e, bs_scope__account *a)
{
	json_t *name = member(c, e, "folder", JSON_STRING, false);
	json_t *grade = json_object_get(e, "grade");
	bs_scope__folder f;

	if (!name)
		return false;
	if (grade && (!json_is_string(grade) || strcmp(json_string_value(grade), "synced") != 0)) {
		push(c, "grade", 0);
		fail(c, "\"grade\" of a folder is not \"synced\"");
		pop(c);
		return false;
	}
	if (!span_members(c, e, true, &f.span))
		return false;
	f.folder = bs_scope__folder_norm(json_string_value(name));
	g_array_append_val(a->folders, f);
	return true;
}

static bool
check_evidence(struct vctx *c, json_t *e, bs_scope__account *a)
{
	int64_t us;

	if (!member(c, e, "rule", JSON_STRING, false))
		return false;
	/* the rest of an evidence entry is for people; only its time is checked */
	return !json_object_get(e, "time") || time_member(c, e, "time", true, &us);
}

static bool
add_account(struct vctx *c, json_t *e, bs_scope__account *unused)
{
	json_t *name = member(c, e, "account", JSON_STRING, false);
	bs_scope__account *a;

	if (!name)
		return false;
	if (json_string_length(name) == 0) {
		push(c, "account", 0);
		fail(c, "\"account\" is empty");
		pop(c);
		return false;
	}
	a = bs_scope__account_get(c->scope, json_string_value(name));
	return each(c, e, "mailboxes", true, JSON_STRING, add_mailbox, a) &&
	       each(c, e, "windows", true, JSON_OBJECT, add_window, a) &&
	       each(c, e, "items", true, JSON_OBJECT, add_item, a) &&
	       each(c, e, "folders", false, JSON_OBJECT, add_folder, a) &&
	       each(c, e, "evidence", true, JSON_OBJECT, check_evidence, a);
}

static bool
add_throttled(struct vctx *c, json_t *e, bs_scope__account *unused)
{
	json_t *name = member(c, e, "account", JSON_STRING, false);
	bs_scope__span s;

	if (!name || !span_members(c, e, false, &s))
		return false;
	g_array_append_val(bs_scope__account_get(c->scope, json_string_value(name))->spans, s);
	return true;
}

static bool
check_version(struct vctx *c, json_t *root)
{
	json_t *v = member(c, root, "version", JSON_INTEGER, false);

	if (!v)
		return false;
	if (json_integer_value(v) != 1) {
		push(c, "version", 0);
		fail(c, "\"version\" %" JSON_INTEGER_FORMAT " is not supported (only 1)",
		     json_integer_value(v));
		pop(c);
		return false;
	}
	return true;
}

bool
bs_scope_load_data(const char *name, const char *text, size_t len, bs_scope **out_scope,
                   GError **error)
{
	struct vctx c = {.name = name, .text = text, .len = len, .error = error};
	g_autoptr(bs_scope) scope = bs_scope__new();
	json_error_t jerr;
	json_t *root;
	bool ok;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "%s:%d:%d: %s", name, jerr.line,
		            jerr.column, jerr.text);
		return false;
	}
	c.scope = scope;
	if (!json_is_object(root))
		ok = fail(&c, "the scope is not a JSON object");
	else
		ok = check_version(&c, root) &&
		     each(&c, root, "accounts", true, JSON_OBJECT, add_account, NULL) &&
		     each(&c, root, "throttled", true, JSON_OBJECT, add_throttled, NULL);
	json_decref(root);
	if (!ok)
		return false;
	*out_scope = g_steal_pointer(&scope);
	return true;
}

bool
bs_scope_load(const char *path, bs_scope **out_scope, GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0;

	if (!bs_file_read(path, BS_LIMIT_SCOPE_BYTES, &text, &len, error))
		return false;
	return bs_scope_load_data(path, text, len, out_scope, error);
}
