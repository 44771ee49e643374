/* Facts about a message's subjects that the report links and ranks by
 * (docs/report.md): "sender" (the top message's From address), "self" (a
 * personal number the writer gives as their own) and "protected"
 * (protected-identity words near the identifier). Detection itself is not
 * touched: the words before a finding are read back from the segment's
 * text, and the protected-identity terms are found by running the same
 * detector over a window around the finding. */
#include "scan/scan.h"

#include <string.h>

#include "base/limits.h"
#include "scan/internal.h"

/* How far before a personal number a self-referring phrase may end: the
 * phrase and the few words between ("mitt personnummer är") fit. */
#define SELF_LOOKBACK_BYTES 64
/* Protected-identity words count as near an identifier within this many
 * bytes before its start or after its end, in the same text: the same
 * paragraph or the lines around it. */
#define PROTECTED_NEAR_BYTES 200

/* Lower case. The phrase must end the text before the number, up to the
 * filler below; a phrase that does not refer to the writer ("min son ...,
 * personnummer", "barnets personnummer") is not here. */
static const char *const self_phrases[] = {
    "mitt personnummer",
    "mitt eget personnummer",
    "mitt personnr",
    "mitt pers.nr",
    "mitt pnr",
    "mitt samordningsnummer",
    "mitt samordningsnr",
    "jag har personnummer",
    "jag har pnr",
    "jag har samordningsnummer",
    "jag är född",
    "my personal identity number",
    "my personal number",
    "my personnummer",
    "my coordination number",
    "my samordningsnummer",
};

/* Between the phrase and the number: blanks, punctuation and a verb. */
static const char *const filler_words[] = {"är", "is", "lyder"};
static const char filler_chars[] = " \t\r\n:=-(\"'";

static bool
is_word_byte(char c)
{
	return g_ascii_isalnum(c) || (c & 0x80);
}

/* The length of a filler word ending text[0, len), or 0. */
static size_t
filler_word_at_end(const char *text, size_t len)
{
	for (size_t i = 0; i < G_N_ELEMENTS(filler_words); i++) {
		size_t wl = strlen(filler_words[i]);

		if (len >= wl && memcmp(text + len - wl, filler_words[i], wl) == 0 &&
		    (len == wl || !is_word_byte(text[len - wl - 1])))
			return wl;
	}
	return 0;
}

/* Strips trailing filler (blanks, punctuation, verbs) from text[0, *len). */
static void
strip_filler(const char *text, size_t *len)
{
	size_t before;

	do {
		before = *len;
		while (*len && text[*len - 1] && strchr(filler_chars, text[*len - 1]))
			(*len)--;
		*len -= filler_word_at_end(text, *len);
	} while (*len != before);
}

bool
bs_scan__self_context(const char *text, size_t len, size_t start)
{
	size_t from = start > SELF_LOOKBACK_BYTES ? start - SELF_LOOKBACK_BYTES : 0;
	g_autofree char *low = NULL;
	size_t n;

	if (start > len)
		return false;
	while (from < start && (text[from] & 0xC0) == 0x80)
		from++; /* begin on a character */
	low = g_utf8_strdown(text + from, (gssize)(start - from));
	n = strlen(low);
	strip_filler(low, &n);
	for (size_t i = 0; i < G_N_ELEMENTS(self_phrases); i++) {
		size_t pl = strlen(self_phrases[i]);

		if (n >= pl && memcmp(low + n - pl, self_phrases[i], pl) == 0 &&
		    (n == pl || !is_word_byte(low[n - pl - 1])))
			return true;
	}
	return false;
}

/* The kinds the report links as a person's own number (docs/report.md). */
static const char *const personal_numbers[] = {"pnr",    "samordningsnummer", "interim", "no_fnr",
                                               "dk_cpr", "fi_hetu",           NULL};

void
bs_scan__facts_finding(const bs_segment *seg, const bs_finding *f, bs_scan__subject *s,
                       GArray *near)
{
	bs_scan__near n = {s, (size_t)f->start, (size_t)f->end};

	if (seg->depth == 0 && seg->where != BS_WHERE_HEADER &&
	    g_strv_contains(personal_numbers, s->kind) &&
	    bs_scan__self_context(seg->text, seg->len, (size_t)f->start))
		s->self = true;
	if (near->len < BS_LIMIT_NEAR_CHECKS && f->end <= seg->len)
		g_array_append_val(near, n);
}

void
bs_scan__facts_address(const bs_mail_address *ad, bs_scan__subject *s)
{
	if (ad->depth == 0 && g_ascii_strcasecmp(ad->header, "From") == 0)
		s->sender = true;
}

static void
ignore_finding(const bs_finding *f, void *user)
{
	(void)f;
	(void)user;
}

static gssize
protected_category(const bs_detector *d)
{
	for (size_t i = 0; i < bs_detector_category_count(d); i++)
		if (strcmp(bs_detector_category_name(d, i), "protected_identity") == 0)
			return (gssize)i;
	return -1;
}

/* The window around [start, end), trimmed to whole words so that the tail
 * of a cut word is not read as a term. */
static void
near_window(const bs_segment *seg, const bs_scan__near *n, size_t *out_from, size_t *out_to)
{
	size_t from = n->start > PROTECTED_NEAR_BYTES ? n->start - PROTECTED_NEAR_BYTES : 0;
	size_t to = MIN(seg->len, n->end + PROTECTED_NEAR_BYTES);

	if (from > 0)
		while (from < n->start && !g_ascii_isspace(seg->text[from - 1]))
			from++;
	if (to < seg->len)
		while (to > n->end && !g_ascii_isspace(seg->text[to]))
			to--;
	*out_from = from;
	*out_to = to;
}

void
bs_scan__facts_protected(bs_detect_run *run, const bs_detector *d, const GDate *ref,
                         const bs_segment *seg, GArray *near)
{
	gssize cat = protected_category(d);

	/* Only a text that holds the words at all is looked at again. */
	if (near->len == 0 || cat < 0 || bs_detect_run_category_counts(run)[cat] == 0) {
		g_array_set_size(near, 0);
		return;
	}
	for (guint i = 0; i < near->len; i++) {
		const bs_scan__near *n = &g_array_index(near, bs_scan__near, i);
		size_t from, to;

		if (n->subject->protected_near)
			continue;
		near_window(seg, n, &from, &to);
		if (bs_detect_run_begin(run, ref, ignore_finding, NULL) != BS_OK)
			break;
		bs_detect_run_feed(run, seg->text + from, to - from);
		bs_detect_run_end(run);
		n->subject->protected_near = bs_detect_run_category_counts(run)[cat] > 0;
	}
	g_array_set_size(near, 0);
}

bool
bs_scan__facts_write(bs_store *store, const bs_scan__subject *s, int64_t message_id,
                     int64_t subject_id, GError **error)
{
	return (!s->sender ||
	        bs_store_fact_add(store, message_id, subject_id, BS_FACT_SENDER, error)) &&
	       (!s->self ||
	        bs_store_fact_add(store, message_id, subject_id, BS_FACT_SELF, error)) &&
	       (!s->protected_near ||
	        bs_store_fact_add(store, message_id, subject_id, BS_FACT_PROTECTED, error));
}
