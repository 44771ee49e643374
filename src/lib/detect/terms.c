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
	bs_id_info info = {.group = group};

	g_array_append_val(d->id_info, info);
}

/* Every character of the word w[0, len) has its two cases differ in at
 * most one byte, by bit 0x20: a byte-wise masked compare is exact. */
static bool
folds_bytewise(const guint8 *lo, const guint8 *up, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = (size_t)g_utf8_skip[lo[i]];
		size_t diff = 0;

		for (size_t k = i; k < i + n && k < len; k++) {
			if (lo[k] != up[k] && (lo[k] ^ up[k]) != 0x20)
				return false;
			diff += lo[k] != up[k];
		}
		if (diff > 1)
			return false;
		i += n;
	}
	return true;
}

/* The compare word for the bytes w[from, from + 4): little-endian, those
 * outside [0, len) not compared. */
static void
mask_window(const guint8 *lo, const guint8 *up, ptrdiff_t from, size_t len, uint32_t *out_val,
            uint32_t *out_mask)
{
	*out_val = 0;
	*out_mask = 0;
	for (int k = 0; k < 4; k++) {
		ptrdiff_t i = from + k;
		uint32_t m;

		if (i < 0 || (size_t)i >= len)
			continue;
		m = lo[i] == up[i] ? 0xff : (lo[i] ^ up[i]) == 0x20 ? 0xdf : 0;
		*out_val |= (uint32_t)(lo[i] & m) << (8 * k);
		*out_mask |= m << (8 * k);
	}
}

/* pat as a member of a group whose literal has lit_len bytes. */
static bs_member
make_member(const bs_detector *d, uint32_t i, size_t lit_len)
{
	const bs_pattern *pat = &g_array_index(d->patterns, bs_pattern, i);
	const bs_word *w = &g_array_index(d->words, bs_word, pat->words + pat->key);
	const guint8 *lo = d->word_bytes->data + w->lower;
	const guint8 *up = d->word_bytes->data + w->upper;
	size_t post = pat->koff + lit_len;
	bool last = pat->key + 1 == pat->nwords;
	bs_member m = {.pat = i, .rest = (uint16_t)(pat->len - post)};

	/* before a first word: a boundary; before a later one: a gap */
	if (pat->koff == 0)
		m.edge |= BS_EDGE_PRE_BOUND;
	if (post == pat->len && (!last || pat->type == BS_PAT_TERM || !pat->prefix))
		m.edge |= BS_EDGE_POST_BOUND;
	if (pat->koff <= 4 && m.rest <= 4 && folds_bytewise(lo, up, pat->len))
		m.edge |= BS_EDGE_EXACT;
	mask_window(lo, up, (ptrdiff_t)pat->koff - 4, pat->len, &m.pre_val, &m.pre_mask);
	mask_window(lo, up, (ptrdiff_t)post, pat->len, &m.post_val, &m.post_mask);
	return m;
}

/* Puts pattern i in group g, its key word holding the group's literal at
 * byte koff (the order within a group does not matter: each pattern is
 * decided on its own). */
static void
join_group(bs_detector *d, uint32_t g, uint32_t i, size_t koff, size_t lit_len)
{
	bs_group *group = &g_array_index(d->groups, bs_group, g);
	bs_pattern *pat = &g_array_index(d->patterns, bs_pattern, i);

	pat->koff = (uint16_t)koff;
	pat->next = group->head;
	group->head = i;
	group->len = (uint16_t)lit_len;
	group->count++;
}

/* The buckets (bs_group.bucket) that take m: a bit set of 0..3. */
static unsigned
member_buckets(const bs_detector *d, const bs_pattern *pat, const bs_member *m, size_t lit_len)
{
	const bs_word *w = &g_array_index(d->words, bs_word, pat->words + pat->key);
	const guint8 *lo = d->word_bytes->data + w->lower;
	/* before: a byte of the key word, or a boundary or gap (no word byte) */
	unsigned before = pat->koff > 0 && bs_detect__ascii_word(lo[pat->koff - 1]);
	unsigned afters;

	if (m->rest > 0)
		afters = 1u << bs_detect__ascii_word(lo[pat->koff + lit_len]);
	else if (m->edge & BS_EDGE_POST_BOUND)
		afters = 1u;
	else
		afters = 3u;
	return afters << (2 * before);
}

/* Phrases before single words, then the latest loaded first. */
static gint
compare_members(gconstpointer a, gconstpointer b, gpointer data)
{
	const bs_pattern *pats = data;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	if (pats[i].nwords != pats[j].nwords)
		return pats[i].nwords > pats[j].nwords ? -1 : 1;
	return i > j ? -1 : i < j;
}

/* Lays group g's members out together, by bucket, each bucket with its
 * phrases first: a phrase and a word of it that end together ("skyddad
 * identitet", "identitet") are decided phrase first, so that the phrase
 * takes in a word before it that was counted ("skyddad") and the word
 * then merges into the phrase: one occurrence, in any file order. Then
 * the reverse order of loading (the latest term first, as before groups
 * shared literals). */
static void
finish_group(bs_detector *d, uint32_t g)
{
	bs_group *group = &g_array_index(d->groups, bs_group, g);
	g_autoptr(GArray) order = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	for (uint32_t i = group->head; i != BS_NO_PATTERN;
	     i = g_array_index(d->patterns, bs_pattern, i).next)
		g_array_append_val(order, i);
	g_array_sort_with_data(order, compare_members, d->patterns->data);
	group->member = d->members->len;
	group->count = 0;
	for (unsigned b = 0; b < 4; b++) {
		group->bucket[b] = group->count;
		for (size_t k = 0; k < order->len; k++) {
			uint32_t i = g_array_index(order, uint32_t, k);
			const bs_pattern *pat = &g_array_index(d->patterns, bs_pattern, i);
			bs_member m = make_member(d, i, group->len);
			unsigned in = member_buckets(d, pat, &m, group->len);

			if (!(in & (1u << b)))
				continue;
			if (in & ((1u << b) - 1))
				m.edge |= BS_EDGE_AGAIN;
			g_array_append_val(d->members, m);
			group->count++;
			group->masked |= pat->koff > 0 || m.rest > 0;
		}
	}
	group->bucket[4] = group->count;
}

/* The id's copy of its group's fields, once the group is finished. */
static void
fill_info(const bs_detector *d, bs_id_info *info)
{
	const bs_group *g = &g_array_index(d->groups, bs_group, info->group);

	info->len = g->len;
	info->trim = g->trim;
	info->flags = g->masked ? BS_INFO_MASKED : 0;
	for (unsigned b = 0; b < 4; b++)
		info->flags |= g->bucket[b] < g->bucket[b + 1] ? 1u << b : 0;
}

static uint32_t
new_group(bs_detector *d)
{
	bs_group group = {.head = BS_NO_PATTERN};

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
	word.bytewise = folds_bytewise((const guint8 *)w, (const guint8 *)upper, len);
	g_array_append_val(d->words, word);
	g_free(upper);
	return d->words->len - 1;
}

/* Words too common to key a phrase on when it has another word (the
 * database would report them all over the text): Snowball's Swedish and
 * English stop words, and words of legal references. Lower case. */
static const char *const stop_words[] = {
    /* Snowball Swedish */
    "alla",
    "allt",
    "att",
    "av",
    "blev",
    "bli",
    "blir",
    "blivit",
    "de",
    "dem",
    "den",
    "denna",
    "deras",
    "dess",
    "dessa",
    "det",
    "detta",
    "dig",
    "din",
    "dina",
    "ditt",
    "du",
    "där",
    "då",
    "efter",
    "ej",
    "eller",
    "en",
    "er",
    "era",
    "ert",
    "ett",
    "från",
    "för",
    "ha",
    "hade",
    "han",
    "hans",
    "har",
    "henne",
    "hennes",
    "hon",
    "honom",
    "hur",
    "här",
    "i",
    "icke",
    "ingen",
    "inom",
    "inte",
    "jag",
    "ju",
    "kan",
    "kunde",
    "man",
    "med",
    "mellan",
    "men",
    "mig",
    "min",
    "mina",
    "mitt",
    "mot",
    "mycket",
    "ni",
    "nu",
    "när",
    "någon",
    "något",
    "några",
    "och",
    "om",
    "oss",
    "på",
    "samma",
    "sedan",
    "sig",
    "sin",
    "sina",
    "sitta",
    "själv",
    "skulle",
    "som",
    "så",
    "sådan",
    "sådana",
    "sådant",
    "till",
    "under",
    "upp",
    "ut",
    "utan",
    "vad",
    "var",
    "vara",
    "varför",
    "varit",
    "varje",
    "vars",
    "vart",
    "vem",
    "vi",
    "vid",
    "vilka",
    "vilkas",
    "vilken",
    "vilket",
    "vår",
    "våra",
    "vårt",
    "än",
    "är",
    "åt",
    "över",
    /* Snowball English */
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    /* references: "enligt 11 kap" */
    "enligt",
    "kap",
    "lag",
    "sfs",
};

static GHashTable *
stop_set_new(void)
{
	GHashTable *set = g_hash_table_new(g_str_hash, g_str_equal);

	for (size_t i = 0; i < G_N_ELEMENTS(stop_words); i++)
		g_hash_table_add(set, (gpointer)stop_words[i]);
	return set;
}

static bool
is_stop_word(const bs_detector *d, GHashTable *stop, const bs_word *w)
{
	char buf[BS_LIMIT_TERM_BYTES + 1];

	memcpy(buf, d->word_bytes->data + w->lower, w->len);
	buf[w->len] = '\0';
	return g_hash_table_contains(stop, buf);
}

/* The key: the longest word that is not a stop word (the last of equals,
 * so that a phrase ending in it is reported at its own end); the longest
 * stop word when all are. */
static void
pick_key(const bs_detector *d, GHashTable *stop, bs_pattern *pat)
{
	const bs_word *w = &g_array_index(d->words, bs_word, pat->words);
	bool stop_key = pat->nwords > 1 && is_stop_word(d, stop, &w[0]);

	pat->key = 0;
	for (uint8_t i = 1; i < pat->nwords; i++) {
		bool s = is_stop_word(d, stop, &w[i]);

		if ((stop_key && !s) || (s == stop_key && w[i].len >= w[pat->key].len)) {
			pat->key = i;
			stop_key = s;
		}
	}
	pat->len = w[pat->key].len;
}

/* lower: valid UTF-8, trimmed, single spaces between words. The pattern
 * gets its key, its group and the database its literals in
 * bs_detect__build_keys(), once every pattern is known. */
void
bs_detect__add_words(bs_detector *d, const char *lower, bs_pattern pat)
{
	g_auto(GStrv) words = g_strsplit(lower, " ", -1);

	pat.nwords = (uint8_t)g_strv_length(words);
	pat.words = d->words->len;
	for (char **w = words; *w; w++)
		add_word(d, *w, strlen(*w));
	pat.next = BS_NO_PATTERN;
	g_array_append_val(d->patterns, pat);
}

/* The literals of a new group: the key word's case variants, each with
 * the byte gap before it (gap_pos < 0) or after it (gap_pos > 0). */
static void
add_literals(bs_detector *d, uint32_t g, const char *kw, const char *ku, size_t len, int gap_pos,
             unsigned char gap)
{
	size_t k = unfolded_letters(kw, ku, len);
	unsigned picks = k > VARIANT_LETTERS_MAX ? 1 : 1u << k;

	for (unsigned pick = 0; pick < picks; pick++) {
		g_autofree char *word = key_expr(kw, ku, len, pick, k > VARIANT_LETTERS_MAX);
		char *e = gap_pos == 0  ? g_strdup(word)
		          : gap_pos < 0 ? g_strdup_printf("\\x%02x%s", gap, word)
		                        : g_strdup_printf("%s\\x%02x", word, gap);

		add_id(d, e, HS_FLAG_CASELESS, g);
	}
}

/* Sharing a literal is looked for in key words of at most SHARE_WORD_MAX
 * bytes, among their substrings of at most SHARE_LIT_MAX bytes (bounded
 * work per term), and a group takes at most SHARE_MEMBERS_MAX members
 * this way (each match of its literal tests them all). */
#define SHARE_WORD_MAX 40
#define SHARE_LIT_MAX 20
#define SHARE_MEMBERS_MAX 32

/* The longest literal already chosen (in lits: word -> group + 1) that
 * lies inside the key word kw[0..len) but is not all of it: its group and
 * its offset in kw. kw is modified and restored. */
static bool
contained_literal(const bs_detector *d, GHashTable *lits, char *kw, size_t len, uint32_t *out_g,
                  size_t *out_off)
{
	size_t best = 0;

	if (len > SHARE_WORD_MAX)
		return false;
	for (size_t i = 0; i < len; i = (size_t)(g_utf8_next_char(kw + i) - kw)) {
		for (size_t j = (size_t)(g_utf8_next_char(kw + i) - kw);
		     j <= len && j - i <= SHARE_LIT_MAX && j - i < len;
		     j = (size_t)(g_utf8_next_char(kw + j) - kw)) {
			char c = kw[j];
			guint g;

			kw[j] = '\0';
			g = GPOINTER_TO_UINT(g_hash_table_lookup(lits, kw + i));
			kw[j] = c;
			if (g > 0 && j - i > best &&
			    g_array_index(d->groups, bs_group, g - 1).count < SHARE_MEMBERS_MAX) {
				best = j - i;
				*out_g = g - 1;
				*out_off = i;
			}
			if (j == len)
				break;
		}
	}
	return best > 0;
}

static gint
compare_key_len(gconstpointer a, gconstpointer b, gpointer user)
{
	const bs_pattern *pats = user;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	if (pats[i].len != pats[j].len)
		return pats[i].len < pats[j].len ? -1 : 1;
	if ((pats[i].nwords > 1) != (pats[j].nwords > 1))
		return pats[i].nwords > 1 ? 1 : -1; /* a word's literal serves a phrase */
	return i < j ? -1 : i > j;
}

/* Phrase key words up to this many bytes get gap literals (below): a
 * short word fires inside many others (sol in isolera, pers in person);
 * a longer one is left plain, as 5 literals per key cost more scan time
 * than its matches. */
#define GAP_KEY_MAX 3

/* The bytes a gap between the words of a phrase starts and ends with
 * (\xc2\xa0: a no-break space). */
static const char gap_starts[] = " \t\n\r\xc2";
static const char gap_ends[] = " \t\n\r\xa0";

/* Whole-word context labels of at most SEP_LABEL_MAX bytes (kl, bg, pg)
 * are keyed with the separator after them (one literal per byte below),
 * as the number they announce follows one: they then fire before a
 * number, not inside words (kl in enkla, pg in uppgifter). Such a label
 * followed by another byte ("kl, 14") is not taken as context; on the
 * bench corpus this changes no finding. */
#define SEP_LABEL_MAX 2
static const char label_seps[] = " \t\n\r.:-\xc2";

/* A group of its own for pattern i whose literals are its key word with
 * one of bytes before it (side '<') or after it ('>': a gap, '.': a
 * separator): it fires where the word stands in a phrase or before a
 * number, not inside other words or alone (sol in enligt sol, kl in
 * enkla). Patterns with the same key word and side share it; no key word
 * joins it by holding it. */
static void
add_edge_group(bs_detector *d, GHashTable *edges, uint32_t i, const char *kw, const char *ku,
               size_t len, char side, const char *bytes)
{
	char *name = g_strdup_printf("%c%.*s", side, (int)len, kw);
	uint32_t g = GPOINTER_TO_UINT(g_hash_table_lookup(edges, name));

	if (g > 0) {
		g_free(name);
		join_group(d, g - 1, i, 0, len);
		return;
	}
	g = new_group(d);
	g_hash_table_insert(edges, name, GUINT_TO_POINTER(g + 1));
	g_array_index(d->groups, bs_group, g).trim = side != '<';
	join_group(d, g, i, 0, len);
	for (const char *b = bytes; *b; b++)
		add_literals(d, g, kw, ku, len, side == '<' ? -1 : 1, (unsigned char)*b);
}

/* One pattern, in order of key length: joins the group of its key word,
 * or of a shorter literal inside its key word (barn in barnet, kurator in
 * skolkurator: the database then reports barn for both, and the rest of
 * the word is checked from the bytes: fewer literals, and one match where
 * there were two); else its key word becomes a new group's literals. */
static void
place_pattern(bs_detector *d, GHashTable *lits, GHashTable *gaps, uint32_t i)
{
	const bs_pattern *pat = &g_array_index(d->patterns, bs_pattern, i);
	const bs_word *key = &g_array_index(d->words, bs_word, pat->words + pat->key);
	const char *kw = (const char *)d->word_bytes->data + key->lower;
	const char *ku = (const char *)d->word_bytes->data + key->upper;
	g_autofree char *word = g_strndup(kw, key->len);
	uint32_t g = GPOINTER_TO_UINT(g_hash_table_lookup(lits, word));
	size_t off = 0;

	if (g > 0) {
		join_group(d, g - 1, i, 0, key->len);
		return;
	}
	if (contained_literal(d, lits, word, key->len, &g, &off)) {
		join_group(d, g, i, off, g_array_index(d->groups, bs_group, g).len);
		return;
	}
	if (pat->nwords > 1 && key->len <= GAP_KEY_MAX) {
		bool after = pat->key + 1 < pat->nwords;

		add_edge_group(d, gaps, i, kw, ku, key->len, after ? '>' : '<',
		               after ? gap_starts : gap_ends);
		return;
	}
	if (pat->type == BS_PAT_CONTEXT && !pat->prefix && pat->nwords == 1 &&
	    key->len <= SEP_LABEL_MAX) {
		add_edge_group(d, gaps, i, kw, ku, key->len, '.', label_seps);
		return;
	}
	g = new_group(d);
	g_hash_table_insert(lits, g_steal_pointer(&word), GUINT_TO_POINTER(g + 1));
	join_group(d, g, i, 0, key->len);
	add_literals(d, g, kw, ku, key->len, 0, 0);
}

void
bs_detect__build_keys(bs_detector *d)
{
	g_autoptr(GHashTable) lits = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GArray) order =
	    g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), d->patterns->len);

	g_autoptr(GHashTable) stop = stop_set_new();
	g_autoptr(GHashTable) gaps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (uint32_t i = 0; i < d->patterns->len; i++) {
		pick_key(d, stop, &g_array_index(d->patterns, bs_pattern, i));
		g_array_append_val(order, i);
	}
	g_array_sort_with_data(order, compare_key_len, d->patterns->data);
	for (uint32_t k = 0; k < order->len; k++)
		place_pattern(d, lits, gaps, g_array_index(order, uint32_t, k));
	for (uint32_t g = 0; g < d->groups->len; g++)
		finish_group(d, g);
	for (uint32_t id = 0; id < d->id_info->len; id++)
		fill_info(d, &g_array_index(d->id_info, bs_id_info, id));
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
