/* Term files: one category per file (the base name), one term per line.
 * Each term's key word becomes byte-exact caseless literals: Vectorscan's
 * caseless flag folds ASCII only and its UTF-8 mode is undefined on
 * invalid input (mail has plenty), so the case variants of the other
 * letters are spelled out (å, Å: two literals). */
#include "detect/internal.h"

#include <string.h>

/* Case variants of a key word spelled out as separate literals when it
 * has at most this many letters whose case Vectorscan does not fold (8
 * literals); beyond, one expression with (?:å|Å) alternatives. */
#define VARIANT_LETTERS_MAX 3

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

/* The upper case of one lower-case character when it has the same byte
 * length (keeps every word's length fixed); else the character itself. */
static void
upper_char(const char *p, size_t len, char *out)
{
	char up[8];
	gunichar u = g_unichar_toupper(g_utf8_get_char(p));
	int ulen = g_unichar_to_utf8(u, up);

	memcpy(out, (size_t)ulen == len ? up : p, len);
}

/* Characters whose upper case differs beyond ASCII (Vectorscan's caseless
 * flag folds ASCII only). */
static size_t
unfolded_letters(const char *w, const char *upper, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < len;) {
		size_t n = (size_t)(g_utf8_next_char(w + i) - (w + i));

		k += (unsigned char)w[i] >= 0x80 && memcmp(w + i, upper + i, n) != 0;
		i += n;
	}
	return k;
}

/* One expression: bit i of pick chooses the upper case of the i-th
 * unfolded letter; all = true spells every such letter as (?:x|X). */
static char *
key_expr(const char *w, const char *upper, size_t len, unsigned pick, bool all)
{
	GString *e = g_string_sized_new(len * 4);
	unsigned bit = 0;

	for (size_t i = 0; i < len;) {
		size_t n = (size_t)(g_utf8_next_char(w + i) - (w + i));
		bool unfolded = (unsigned char)w[i] >= 0x80 && memcmp(w + i, upper + i, n) != 0;

		if (unfolded && all) {
			g_string_append(e, "(?:");
			append_bytes(e, w + i, n);
			g_string_append_c(e, '|');
			append_bytes(e, upper + i, n);
			g_string_append_c(e, ')');
		} else {
			append_bytes(e, unfolded && (pick >> bit & 1) ? upper + i : w + i, n);
		}
		bit += unfolded;
		i += n;
	}
	return g_string_free(e, FALSE);
}

static void
add_id(bs_detector *d, char *expr, unsigned flags, uint32_t group)
{
	g_ptr_array_add(d->exprs, expr);
	g_array_append_val(d->flags, flags);
	g_array_append_val(d->id_group, group);
}

/* Puts pat at the head of group g (the order within a group does not
 * matter: each pattern is decided on its own). */
static void
join_group(bs_detector *d, uint32_t g, bs_pattern *pat)
{
	bs_group *group = &g_array_index(d->groups, bs_group, g);
	bool last = pat->key + 1 == pat->nwords;

	pat->next = group->head;
	group->head = d->patterns->len;
	group->len = pat->len;
	group->before &= pat->key == 0;
	group->after &= last && (pat->type == BS_PAT_TERM || !pat->prefix);
	g_array_append_val(d->patterns, *pat);
}

static uint32_t
new_group(bs_detector *d)
{
	bs_group group = {.head = BS_NO_PATTERN, .before = true, .after = true};

	g_array_append_val(d->groups, group);
	return d->groups->len - 1;
}

/* Records one word's lower and upper bytes; returns its index. */
static uint32_t
add_word(bs_detector *d, const char *w, size_t len)
{
	bs_word word = {.len = (uint16_t)len};
	char *upper = g_malloc(len + 1);

	for (size_t i = 0; i < len; i = (size_t)(g_utf8_next_char(w + i) - w))
		upper_char(w + i, (size_t)(g_utf8_next_char(w + i) - (w + i)), upper + i);
	word.lower = d->word_bytes->len;
	g_byte_array_append(d->word_bytes, (const guint8 *)w, (guint)len);
	word.upper = d->word_bytes->len;
	g_byte_array_append(d->word_bytes, (const guint8 *)upper, (guint)len);
	g_array_append_val(d->words, word);
	g_free(upper);
	return d->words->len - 1;
}

/* The key: the longest word (the last of equals, so that a phrase ending
 * in it is reported at its own end). */
static void
pick_key(const bs_detector *d, bs_pattern *pat)
{
	const bs_word *w = &g_array_index(d->words, bs_word, pat->words);

	pat->key = 0;
	for (uint8_t i = 1; i < pat->nwords; i++)
		if (w[i].len >= w[pat->key].len)
			pat->key = i;
	pat->len = w[pat->key].len;
}

/* lower: valid UTF-8, trimmed, single spaces between words. */
void
bs_detect__add_words(bs_detector *d, const char *lower, bs_pattern pat)
{
	g_auto(GStrv) words = g_strsplit(lower, " ", -1);
	const bs_word *key;
	const char *kw, *ku;
	size_t k;
	guint g;

	pat.nwords = (uint8_t)g_strv_length(words);
	pat.words = d->words->len;
	for (char **w = words; *w; w++)
		add_word(d, *w, strlen(*w));
	pick_key(d, &pat);
	key = &g_array_index(d->words, bs_word, pat.words + pat.key);
	kw = (const char *)d->word_bytes->data + key->lower;
	ku = (const char *)d->word_bytes->data + key->upper;
	g = GPOINTER_TO_UINT(g_hash_table_lookup(d->keys, words[pat.key]));
	if (g > 0) {
		join_group(d, g - 1, &pat);
		return;
	}
	g = new_group(d);
	g_hash_table_insert(d->keys, g_strdup(words[pat.key]), GUINT_TO_POINTER(g + 1));
	join_group(d, g, &pat);
	k = unfolded_letters(kw, ku, key->len);
	if (k > VARIANT_LETTERS_MAX) {
		add_id(d, key_expr(kw, ku, key->len, 0, true), HS_FLAG_CASELESS, g);
		return;
	}
	for (unsigned pick = 0; pick < 1u << k; pick++)
		add_id(d, key_expr(kw, ku, key->len, pick, false), HS_FLAG_CASELESS, g);
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
	if (d->terms >= BS_LIMIT_TERMS) {
		g_set_error(error, BS_ERROR, BS_ERROR_LIMIT, "\"%s\":%zu: more than %u terms", path,
		            line_no, BS_LIMIT_TERMS);
		return false;
	}
	bs_detect__add_words(d, term, (bs_pattern){.type = BS_PAT_TERM, .category = (uint16_t)cat});
	d->terms++;
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
