/* Term files: one category per file (the base name), one term per line.
 * Each term becomes a byte-exact expression: Vectorscan's caseless flag
 * folds ASCII only and its UTF-8 mode is undefined on invalid input (mail
 * has plenty), so the other letters are spelled out as (?:å|Å). */
#include "detect/internal.h"

#include <string.h>

/* Whitespace between the words of a multi-word term: a few spaces, tabs,
 * line breaks or no-break spaces (HTML to text leaves U+00A0). */
#define GAP_EXPR "(?:[\\t\\n\\r ]|\\xc2\\xa0){1,4}"

static void
append_byte(GString *e, unsigned char c)
{
	if (g_ascii_isalnum(c))
		g_string_append_c(e, (char)c);
	else
		g_string_append_printf(e, "\\x%02x", c);
}

static void
append_bytes(GString *e, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		append_byte(e, (unsigned char)p[i]);
}

/* One character of a lower-case term: itself, or both cases when the upper
 * case has the same byte length (keeps every word's length fixed). */
static void
append_char(GString *e, const char *p, size_t len)
{
	char up[8];
	gunichar c = g_utf8_get_char(p);
	gunichar u = g_unichar_toupper(c);
	int ulen = g_unichar_to_utf8(u, up);

	if (len == 1 || u == c || (size_t)ulen != len) {
		append_bytes(e, p, len);
		return;
	}
	g_string_append(e, "(?:");
	append_bytes(e, p, len);
	g_string_append_c(e, '|');
	append_bytes(e, up, (size_t)ulen);
	g_string_append_c(e, ')');
}

/* Builds the expression for lower (valid UTF-8, trimmed, single spaces
 * between words) and records word lengths for start recovery. */
void
bs_detect__add_words(bs_detector *d, const char *lower, bs_pattern pat)
{
	GString *e = g_string_sized_new(64);
	const char *p = lower;
	uint16_t word_len = 0;

	pat.nwords = 1;
	pat.words = d->word_lens->len;
	while (*p) {
		const char *next = g_utf8_next_char(p);

		if (*p == ' ') {
			g_array_append_val(d->word_lens, word_len);
			word_len = 0;
			pat.nwords++;
			g_string_append(e, GAP_EXPR);
		} else {
			append_char(e, p, (size_t)(next - p));
			word_len += (uint16_t)(next - p);
		}
		p = next;
	}
	g_array_append_val(d->word_lens, word_len);
	pat.len = pat.nwords == 1 ? word_len : 0;
	if (pat.nwords == 1)
		g_array_set_size(d->word_lens, pat.words);
	g_ptr_array_add(d->exprs, g_string_free(e, FALSE));
	g_array_append_val(d->flags, (unsigned){HS_FLAG_CASELESS});
	g_array_append_val(d->patterns, pat);
}

static size_t
category_index(bs_detector *d, const char *name)
{
	for (size_t i = 0; i < d->categories->len; i++)
		if (strcmp(g_ptr_array_index(d->categories, i), name) == 0)
			return i;
	g_ptr_array_add(d->categories, g_strdup(name));
	return d->categories->len - 1;
}

/* Lower-cases, trims and collapses inner whitespace; NULL for a blank or
 * comment line. Caller g_free()s. */
static char *
normalise_term(const char *line)
{
	g_autofree char *low = g_utf8_strdown(line, -1);
	g_auto(GStrv) words = g_strsplit_set(g_strstrip(low), " \t", -1);
	GString *out = g_string_new(NULL);

	for (char **w = words; *w; w++) {
		if (!**w)
			continue;
		if (out->len)
			g_string_append_c(out, ' ');
		g_string_append(out, *w);
	}
	if (out->len == 0 || out->str[0] == '#') {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

static bool
check_term(const char *path, size_t line_no, const char *term, GError **error)
{
	size_t words = 1;

	for (const char *p = term; *p; p++)
		words += *p == ' ';
	if (strlen(term) > BS_LIMIT_TERM_BYTES || words > BS_LIMIT_TERM_WORDS) {
		g_set_error(error, BS_ERROR, BS_ERROR_LIMIT,
		            "\"%s\":%zu: term longer than %u bytes or %u words", path, line_no,
		            BS_LIMIT_TERM_BYTES, BS_LIMIT_TERM_WORDS);
		return false;
	}
	return true;
}

/* Adds one line; seen holds "category\nterm" already added. */
static bool
add_line(bs_detector *d, GHashTable *seen, const char *path, size_t line_no, size_t cat,
         const char *line, GError **error)
{
	g_autofree char *term = NULL;
	char *key;

	if (!g_utf8_validate(line, -1, NULL)) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "\"%s\":%zu: not valid UTF-8", path,
		            line_no);
		return false;
	}
	term = normalise_term(line);
	if (!term)
		return true;
	if (!check_term(path, line_no, term, error))
		return false;
	key = g_strdup_printf("%zu\n%s", cat, term);
	if (!g_hash_table_add(seen, key))
		return true;
	if (d->patterns->len >= BS_LIMIT_TERMS) {
		g_set_error(error, BS_ERROR, BS_ERROR_LIMIT, "\"%s\":%zu: more than %u terms", path,
		            line_no, BS_LIMIT_TERMS);
		return false;
	}
	bs_detect__add_words(d, term, (bs_pattern){.type = BS_PAT_TERM, .category = (uint16_t)cat});
	return true;
}

/* Category name from the file name: base name without ".txt". */
static char *
category_name(const char *path)
{
	g_autofree char *base = g_path_get_basename(path);
	size_t len = strlen(base);

	if (g_str_has_suffix(base, ".txt"))
		len -= 4;
	return g_strndup(base, len);
}

static bool
load_file(bs_detector *d, GHashTable *seen, const char *path, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *name = category_name(path);
	g_auto(GStrv) lines = NULL;
	size_t len = 0;
	size_t cat;

	if (!bs_file_read(path, BS_LIMIT_TERM_FILE_BYTES, &text, &len, error))
		return false;
	if (memchr(text, '\0', len)) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "\"%s\": contains a NUL byte", path);
		return false;
	}
	if (!*name || d->categories->len >= BS_LIMIT_CATEGORIES) {
		g_set_error(error, BS_ERROR, BS_ERROR_LIMIT,
		            "\"%s\": empty category name or more than %u categories", path,
		            BS_LIMIT_CATEGORIES);
		return false;
	}
	cat = category_index(d, name);
	lines = g_strsplit(text, "\n", -1);
	for (size_t i = 0; lines[i]; i++)
		if (!add_line(d, seen, path, i + 1, cat, lines[i], error))
			return false;
	return true;
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.txt of dir, sorted so that category order is stable. */
static bool
load_dir(bs_detector *d, GHashTable *seen, const char *dir, GError **error)
{
	g_autoptr(GDir) gd = g_dir_open(dir, 0, error);
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!gd) {
		g_prefix_error(error, "term directory \"%s\": ", dir);
		return false;
	}
	while ((name = g_dir_read_name(gd)))
		if (g_str_has_suffix(name, ".txt"))
			g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
	g_ptr_array_sort(paths, compare_paths);
	for (size_t i = 0; i < paths->len; i++)
		if (!load_file(d, seen, g_ptr_array_index(paths, i), error))
			return false;
	return true;
}

bool
bs_detect__load_terms(bs_detector *d, const bs_detect_config *cfg, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (cfg->skip_categories)
		return true;
	for (const char *const *p = cfg->term_dirs; p && *p; p++)
		if (!load_dir(d, seen, *p, error))
			return false;
	for (const char *const *p = cfg->term_files; p && *p; p++)
		if (!load_file(d, seen, *p, error))
			return false;
	return true;
}
