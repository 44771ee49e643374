/* The per-thread run: one Vectorscan stream, the bytes kept behind it, and
 * the matches that wait for the bytes after them.
 *
 * Vectorscan reports a match at its end, in order of end offsets. Each
 * match is decided once BS_DETECT_LOOK bytes after its end are known (or
 * the text has ended): at once when they are in the chunk being scanned,
 * else from a FIFO at the next feed. Because every match waits for the
 * same number of bytes and the FIFO keeps report order, matches are
 * decided in the same order, on the same bytes, whatever the chunking. */
#include "detect/internal.h"

#include <string.h>
#include <time.h>

static uint64_t
avail_end(const bs_detect_run *r)
{
	return r->chunk_off + r->chunk_len;
}

int
bs_detect__byte(const bs_detect_run *r, uint64_t off)
{
	uint64_t back;

	if (off >= r->chunk_off) {
		off -= r->chunk_off;
		return off < r->chunk_len ? (unsigned char)r->chunk[off] : -1;
	}
	back = r->chunk_off - off;
	if (back > r->tail_len)
		return -1;
	return (unsigned char)r->tail[r->tail_len - back];
}

/* The byte at off, or -1 when it is not available (the common case,
 * inside the chunk, without a call). */
static int
byte_at(const bs_detect_run *r, uint64_t off)
{
	if (off - r->chunk_off < r->chunk_len)
		return (unsigned char)r->chunk[off - r->chunk_off];
	return bs_detect__byte(r, off);
}

const char *
bs_detect__span(const bs_detect_run *r, uint64_t start, size_t len, char *buf)
{
	if (start >= r->chunk_off && start + len <= avail_end(r))
		return r->chunk + (start - r->chunk_off);
	for (size_t i = 0; i < len; i++) {
		int b = bs_detect__byte(r, start + i);

		if (b < 0)
			return NULL;
		buf[i] = (char)b;
	}
	return buf;
}

/* Letters, digits and marks of any script are word characters; invalid
 * or missing bytes are not. */
static bool
unichar_is_word(const char *p, size_t len)
{
	gunichar c = g_utf8_get_char_validated(p, (gssize)len);

	if (c == (gunichar)-1 || c == (gunichar)-2)
		return false;
	return g_unichar_isalnum(c) || g_unichar_ismark(c);
}

bool
bs_detect__word_before(const bs_detect_run *r, uint64_t off)
{
	char buf[4];
	const char *p;
	int b;
	size_t n = 1;

	if (off == 0 || (b = byte_at(r, off - 1)) < 0)
		return false;
	if (b < 0x80)
		return bs_detect__ascii_word(b);
	while (n < 4 && n < off && (b & 0xc0) == 0x80) {
		b = byte_at(r, off - ++n);
		if (b < 0)
			return false;
	}
	p = bs_detect__span(r, off - n, n, buf);
	return p && unichar_is_word(p, n);
}

bool
bs_detect__word_after(const bs_detect_run *r, uint64_t off)
{
	char buf[4];
	const char *p;
	int b = byte_at(r, off);
	size_t n;

	if (b < 0)
		return false;
	if (b < 0x80)
		return bs_detect__ascii_word(b);
	n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
	p = bs_detect__span(r, off, n, buf);
	return p && unichar_is_word(p, n);
}

/* len bytes at at, each character as in lo or in up (same lengths);
 * bytewise: the cases of each character differ in one byte at most, so
 * that each byte can be compared alone. */
static bool
bytes_at(const bs_detect_run *r, const char *lo, const char *up, size_t len, uint64_t at,
         bool bytewise)
{
	char buf[BS_LIMIT_TERM_BYTES];
	const char *p;

	if (len == 0)
		return true;
	if (at >= r->chunk_off && at + len <= r->chunk_off + r->chunk_len)
		p = r->chunk + (at - r->chunk_off);
	else if (!(p = bs_detect__span(r, at, len, buf)))
		return false;
	if (bytewise) {
		for (size_t i = 0; i < len; i++)
			if (p[i] != lo[i] && p[i] != up[i])
				return false;
		return true;
	}
	for (size_t i = 0; i < len;) {
		size_t n = (size_t)g_utf8_skip[(unsigned char)lo[i]];

		if (memcmp(p + i, lo + i, n) != 0 && memcmp(p + i, up + i, n) != 0)
			return false;
		i += n;
	}
	return true;
}

/* One word of a phrase at [at, at + len): each character in either case. */
static bool
word_at(const bs_detect_run *r, const bs_word *w, uint64_t at)
{
	const char *lo = (const char *)r->d->word_bytes->data + w->lower;
	const char *up = (const char *)r->d->word_bytes->data + w->upper;

	return bytes_at(r, lo, up, w->len, at, w->bytewise);
}

static bool
is_gap_byte(int b)
{
	return b == ' ' || b == '\t' || b == '\n' || b == '\r';
}

/* Words of a phrase are separated by one to four whitespace units (space,
 * tab, line break, no-break space), skipped from pos back or forward. */
static bool
skip_gap(const bs_detect_run *r, uint64_t *pos, bool back)
{
	int units;

	for (units = 0; units < 4; units++) {
		uint64_t p = *pos;
		int b = back ? (p > 0 ? byte_at(r, p - 1) : -1) : byte_at(r, p);

		if (is_gap_byte(b))
			*pos = back ? p - 1 : p + 1;
		else if (back && b == 0xa0 && p > 1 && byte_at(r, p - 2) == 0xc2)
			*pos = p - 2;
		else if (!back && b == 0xc2 && byte_at(r, p + 1) == 0xa0)
			*pos = p + 2;
		else
			break;
	}
	return units > 0;
}

/* The span of a term or label whose key word ends at key_end: the words
 * before the key are read back, the words after it forward. */
static bool
phrase_span(const bs_detect_run *r, const bs_pattern *pat, uint64_t key_end, uint64_t *out_start,
            uint64_t *out_end)
{
	const bs_word *w = &g_array_index(r->d->words, bs_word, pat->words);
	uint64_t start = key_end - pat->len;
	uint64_t end = key_end;

	for (int i = pat->key - 1; i >= 0; i--) {
		if (!skip_gap(r, &start, true) || start < w[i].len ||
		    !word_at(r, &w[i], start - w[i].len))
			return false;
		start -= w[i].len;
	}
	for (int i = pat->key + 1; i < pat->nwords; i++) {
		if (!skip_gap(r, &end, false) || !word_at(r, &w[i], end))
			return false;
		end += w[i].len;
	}
	*out_start = start;
	*out_end = end;
	return true;
}

static bool
term_span(const bs_detect_run *r, const bs_pattern *pat, uint64_t key_end, uint64_t *out_start,
          uint64_t *out_end)
{
	if (pat->nwords > 1)
		return phrase_span(r, pat, key_end, out_start, out_end);
	*out_start = key_end - pat->len;
	*out_end = key_end;
	return true;
}

/* What the caller already knows: no word byte right before the span
 * (KNOWN_START) or right after it (KNOWN_END), as the byte there is ASCII
 * and not a word byte. */
#define KNOWN_START 1u
#define KNOWN_END 2u

/* A term hit that overlaps the last counted hit of its category (a longer
 * phrase containing a shorter term) is the same occurrence. */
static void
on_term(bs_detect_run *r, const bs_pattern *pat, uint64_t key_end, unsigned known)
{
	uint64_t start, end;
	uint16_t cat = pat->category;

	if (key_end < pat->len || !term_span(r, pat, key_end, &start, &end) ||
	    (!(known & KNOWN_START) && bs_detect__word_before(r, start)) ||
	    (!(known & KNOWN_END) && bs_detect__word_after(r, end)))
		return;
	if (r->cat_last_end[cat] > start && r->cat_counts[cat] > 0) {
		r->cat_last_end[cat] = MAX(r->cat_last_end[cat], end);
		return;
	}
	r->cat_counts[cat]++;
	r->cat_last_end[cat] = MAX(r->cat_last_end[cat], end);
}

static void
on_context(bs_detect_run *r, const bs_pattern *pat, uint64_t key_end, unsigned known)
{
	uint64_t start, end;

	if (key_end < pat->len || !term_span(r, pat, key_end, &start, &end) ||
	    (!(known & KNOWN_START) && bs_detect__word_before(r, start)))
		return;
	if (!pat->prefix && !(known & KNOWN_END) && bs_detect__word_after(r, end))
		return;
	r->ctx_end[pat->cls][r->ctx_next[pat->cls]++ % BS_CTX_KEEP] = end;
	r->ctx_max[pat->cls] = MAX(r->ctx_max[pat->cls], end);
}

static void
decide_pattern(bs_detect_run *r, const bs_pattern *pat, uint64_t end, unsigned known)
{
	if (pat->type == BS_PAT_TERM)
		on_term(r, pat, end, known);
	else
		on_context(r, pat, end, known);
}

/* The 4 bytes at off as a little-endian word; false when they are not
 * all in the chunk. */
static bool
load4_at(const bs_detect_run *r, uint64_t off, uint32_t *out)
{
	uint32_t w;

	if (off < r->chunk_off || off + 4 > r->chunk_off + r->chunk_len)
		return false;
	memcpy(&w, r->chunk + (off - r->chunk_off), 4);
	*out = GUINT32_FROM_LE(w);
	return true;
}

/* The bytes around a literal match, read once for every member of the
 * group: the byte right before and after (-1: none), and 4 bytes each
 * side (pre_ok/post_ok: they are in the chunk). */
typedef struct {
	int before, after;
	unsigned bucket; /* when both are bytes: see bs_group.bucket */
	uint32_t pre, post;
	bool pre_ok, post_ok;
} around;

/* What the bytes next to the literal say of a single word that the
 * literal starts or ends: an ASCII byte there that is no word byte. */
static unsigned
known_edges(const around *a)
{
	return (a->bucket & 2 || a->before >= 0x80 ? 0 : KNOWN_START) |
	       (a->bucket & 1 || a->after >= 0x80 ? 0 : KNOWN_END);
}

/* The bytes around the literal allow m (an ASCII word byte where it
 * needs a boundary, or not its key word's bytes, reject it); bytes not
 * at hand are left to the full check. */
static bool
edges_allow(const bs_member *m, const around *a)
{
	if ((m->edge & BS_EDGE_PRE_BOUND) && a->before >= 0 && bs_detect__ascii_word(a->before))
		return false;
	if ((m->edge & BS_EDGE_POST_BOUND) && a->after >= 0 && bs_detect__ascii_word(a->after))
		return false;
	if (a->pre_ok && (a->pre & m->pre_mask) != m->pre_val)
		return false;
	return !a->post_ok || (a->post & m->post_mask) == m->post_val;
}

/* The key word of pat around its group's literal, which ends at end,
 * when the bytes before and after the literal spell the rest of it. */
static bool
key_word(const bs_detect_run *r, const bs_pattern *pat, size_t lit_len, size_t rest, uint64_t end)
{
	const bs_word *w = &g_array_index(r->d->words, bs_word, pat->words + pat->key);
	const char *lo = (const char *)r->d->word_bytes->data + w->lower;
	const char *up = (const char *)r->d->word_bytes->data + w->upper;

	return end >= lit_len + pat->koff &&
	       bytes_at(r, lo, up, pat->koff, end - lit_len - pat->koff, w->bytewise) &&
	       bytes_at(r, lo + pat->koff + lit_len, up + pat->koff + lit_len, rest, end,
	                w->bytewise);
}

/* The members of g at a literal ending at end, the bytes around it not
 * all in the chunk: each checked in full. */
static void
decide_members_slow(bs_detect_run *r, const bs_group *g, uint64_t end, const around *a)
{
	const bs_member *m = &g_array_index(r->d->members, bs_member, g->member);
	const bs_pattern *pats = (const bs_pattern *)r->d->patterns->data;

	for (size_t k = 0; k < g->count; k++) {
		if (!(m[k].edge & BS_EDGE_AGAIN) && edges_allow(&m[k], a) &&
		    key_word(r, &pats[m[k].pat], g->len, m[k].rest, end))
			decide_pattern(r, &pats[m[k].pat], end + m[k].rest, 0);
	}
}

/* The members of g at a literal ending at end, with the 4 bytes each
 * side in the chunk: those of the bucket that the bytes next to the
 * literal select, one branch-free test each, then the full check for the
 * few that pass. */
static void
decide_members(bs_detect_run *r, const bs_group *g, uint64_t end, const around *a)
{
	const bs_member *m = &g_array_index(r->d->members, bs_member, g->member);
	const bs_pattern *pats = (const bs_pattern *)r->d->patterns->data;
	unsigned b = a->bucket;
	unsigned known = known_edges(a);

	for (size_t k = g->bucket[b]; k < g->bucket[b + 1]; k++) {
		const bs_pattern *pat = &pats[m[k].pat];

		if (((a->pre & m[k].pre_mask) ^ m[k].pre_val) |
		    ((a->post & m[k].post_mask) ^ m[k].post_val))
			continue;
		if (!(m[k].edge & BS_EDGE_EXACT) && !key_word(r, pat, g->len, m[k].rest, end))
			continue;
		decide_pattern(r, pat, end + m[k].rest,
		               pat->nwords > 1 ? 0
		                               : known & ((pat->koff ? 0 : KNOWN_START) |
		                                          (m[k].rest ? 0 : KNOWN_END)));
	}
}

/* The members of g at a literal ending at end, when every member's key
 * word is the literal itself: those of the bucket that the bytes next to
 * it select are the words there. */
static void
decide_words(bs_detect_run *r, const bs_group *g, uint64_t end, const around *a)
{
	const bs_member *m = &g_array_index(r->d->members, bs_member, g->member);
	const bs_pattern *pats = (const bs_pattern *)r->d->patterns->data;
	unsigned known = known_edges(a);

	for (size_t k = g->bucket[a->bucket]; k < g->bucket[a->bucket + 1]; k++) {
		const bs_pattern *pat = &pats[m[k].pat];

		decide_pattern(r, pat, end, pat->nwords > 1 ? 0 : known);
	}
}

/* A literal match: the group of patterns sharing the literal. */
static void
decide_group(bs_detect_run *r, uint32_t id, uint64_t end)
{
	const bs_id_info info = g_array_index(r->d->id_info, bs_id_info, id);
	const bs_group *g;
	around a = {.bucket = 0};

	end -= info.trim;
	if (end < info.len)
		return;
	a.before = end > info.len ? byte_at(r, end - info.len - 1) : -1;
	a.after = byte_at(r, end);
	if (a.before >= 0 && a.after >= 0) {
		a.bucket = 2u * bs_detect__ascii_word(a.before) + bs_detect__ascii_word(a.after);
		if (!(info.flags & (1u << a.bucket)))
			return;
	}
	g = &g_array_index(r->d->groups, bs_group, info.group);
	if (!(info.flags & BS_INFO_MASKED) && a.before >= 0 && a.after >= 0) {
		decide_words(r, g, end, &a);
		return;
	}
	a.pre_ok = end >= g->len + 4u && load4_at(r, end - g->len - 4, &a.pre);
	a.post_ok = load4_at(r, end, &a.post);
	if (a.pre_ok && a.post_ok)
		decide_members(r, g, end, &a);
	else
		decide_members_slow(r, g, end, &a);
}

/* A Vectorscan id stands for the group of patterns sharing its literal. */
static void
decide(bs_detect_run *r, uint32_t id, uint64_t end)
{
	if (id == BS_ID_DIGITS) {
		bs_detect__digits(r, end);
		return;
	}
	if (id == BS_ID_EMAIL) {
		bs_detect__email(r, end);
		return;
	}
	decide_group(r, id, end);
}

static bool
ready(const bs_detect_run *r, uint64_t end)
{
	return r->at_end || end + BS_DETECT_LOOK <= avail_end(r);
}

/* Decides queued matches whose bytes have arrived, oldest first. */
static void
drain(bs_detect_run *r)
{
	while (r->queue_head < r->queue->len) {
		bs_item it = g_array_index(r->queue, bs_item, r->queue_head);

		if (!ready(r, it.end))
			return;
		r->queue_head++;
		decide(r, it.id, it.end);
	}
	g_array_set_size(r->queue, 0);
	r->queue_head = 0;
}

/* A match or digit run in report order: decided now when nothing waits
 * before it and its bytes are there, else queued. */
static void
push(bs_detect_run *r, uint32_t id, uint64_t end)
{
	bs_item it = {.end = end, .id = id};

	if (r->queue_head == r->queue->len && ready(r, end)) {
		decide(r, id, end);
		return;
	}
	g_array_append_val(r->queue, it);
	drain(r);
}

/* The stream offset of the piece's next digit-run or domain end
 * (UINT64_MAX: none left). */
static uint64_t
aux_next(const bs_detect_run *r)
{
	uint32_t d = r->digit_next < r->digit_count ? r->digit_ends[r->digit_next] : UINT32_MAX;
	uint32_t m = r->mail_next < r->mail_count ? r->mail_ends[r->mail_next] : UINT32_MAX;

	return MIN(d, m) == UINT32_MAX ? UINT64_MAX : r->chunk_off + MIN(d, m);
}

/* The piece's digit runs and e-mail domains ending before limit join
 * the order (a digit run first when both end at one offset); one ending
 * at the same offset as a match comes after it. */
static void
push_digits(bs_detect_run *r, uint64_t limit)
{
	uint64_t next;

	while ((next = aux_next(r)) < limit) {
		if (r->digit_next < r->digit_count &&
		    r->chunk_off + r->digit_ends[r->digit_next] == next) {
			r->digit_next++;
			push(r, BS_ID_DIGITS, next);
		} else {
			r->mail_next++;
			push(r, BS_ID_EMAIL, next);
		}
	}
}

/* Decides the matches Vectorscan has reported so far, digit runs and
 * e-mail domains merged in by offset. */
static void
flush_hits(bs_detect_run *r)
{
	uint64_t aux = aux_next(r);

	for (size_t i = 0; i < r->hit_count; i++) {
		uint64_t end = r->hits[i].end;

		if (aux < end) {
			push_digits(r, end);
			aux = aux_next(r);
		}
		push(r, r->hits[i].id, end);
	}
	r->hit_count = 0;
}

/* Vectorscan's callback only lists the match: deciding it here, between
 * Vectorscan's own steps, costs more (each evicts the other's branch
 * history and code) than deciding a batch after the scan. */
static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
         void *ctx)
{
	bs_detect_run *r = ctx;

	if (r->hit_count == BS_DETECT_HITS)
		flush_hits(r);
	r->hits[r->hit_count++] = (bs_item){.end = to, .id = id};
	return 0;
}

bs_detect_run *
bs_detect_run_new(const bs_detector *d, GError **error)
{
	g_autoptr(bs_detect_run) r = g_new0(bs_detect_run, 1);
	size_t ncat = bs_detector_category_count(d);

	r->d = d;
	r->queue = g_array_new(FALSE, FALSE, sizeof(bs_item));
	r->digit_ends = g_new(uint32_t, BS_DETECT_ENDS);
	r->masks = g_new(uint64_t, BS_DETECT_PIECE / 16);
	r->mail_ends = g_new(uint32_t, BS_DETECT_PIECE / 2 + 2);
	r->hits = g_new(bs_item, BS_DETECT_HITS);
	r->cat_counts = g_new0(uint32_t, ncat + 1);
	r->cat_last_end = g_new0(uint64_t, ncat + 1);
	if (hs_alloc_scratch(d->db, &r->scratch) != HS_SUCCESS ||
	    hs_open_stream(d->db, 0, &r->stream) != HS_SUCCESS) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL,
		            "detect: cannot allocate Vectorscan scratch or stream");
		return NULL;
	}
	g_date_clear(&r->ref, 1);
	return g_steal_pointer(&r);
}

void
bs_detect_run_free(bs_detect_run *r)
{
	if (!r)
		return;
	if (r->stream)
		hs_close_stream(r->stream, r->scratch, NULL, NULL);
	hs_free_scratch(r->scratch);
	if (r->queue)
		g_array_free(r->queue, TRUE);
	g_free(r->cat_counts);
	g_free(r->cat_last_end);
	g_free(r->digit_ends);
	g_free(r->masks);
	g_free(r->mail_ends);
	g_free(r->hits);
	g_free(r);
}

bs_status
bs_detect_run_begin(bs_detect_run *r, const GDate *ref_date, bs_finding_fn *fn, void *user)
{
	size_t ncat = bs_detector_category_count(r->d);

	if (r->open && hs_reset_stream(r->stream, 0, r->scratch, NULL, NULL) != HS_SUCCESS)
		return BS_FAIL;
	r->fn = fn;
	r->user = user;
	if (ref_date && g_date_valid(ref_date))
		r->ref = *ref_date;
	else
		g_date_set_time_t(&r->ref, time(NULL));
	bs_ident_ref_set(&r->ident, &r->ref);
	r->chunk = NULL;
	r->chunk_len = 0;
	r->chunk_off = 0;
	r->tail_len = 0;
	r->at_end = false;
	r->open = true;
	r->last_digit = false;
	r->digit_count = 0;
	r->digit_next = 0;
	r->mail_open = false;
	r->mail_len = 0;
	r->mail_count = 0;
	r->mail_next = 0;
	r->hit_count = 0;
	g_array_set_size(r->queue, 0);
	r->queue_head = 0;
	memset(r->ctx_end, 0, sizeof r->ctx_end);
	memset(r->ctx_next, 0, sizeof r->ctx_next);
	memset(r->ctx_max, 0, sizeof r->ctx_max);
	memset(r->last_start, 0xff, sizeof r->last_start);
	memset(r->cat_counts, 0, (ncat + 1) * sizeof *r->cat_counts);
	memset(r->cat_last_end, 0, (ncat + 1) * sizeof *r->cat_last_end);
	return BS_OK;
}

/* Keeps the last BS_LIMIT_DETECT_TAIL bytes of tail + chunk. */
static void
keep_tail(bs_detect_run *r, const char *p, size_t len)
{
	size_t keep;

	if (len >= sizeof r->tail) {
		memcpy(r->tail, p + len - sizeof r->tail, sizeof r->tail);
		r->tail_len = sizeof r->tail;
		return;
	}
	keep = MIN(r->tail_len, sizeof r->tail - len);
	memmove(r->tail, r->tail + r->tail_len - keep, keep);
	memcpy(r->tail + keep, p, len);
	r->tail_len = keep + len;
}

/* Scans one piece: its digit runs are listed, then Vectorscan reports
 * its matches, digit runs merged in by offset. */
static hs_error_t
scan_piece(bs_detect_run *r, const char *p, size_t n)
{
	hs_error_t err;

	r->chunk = p;
	r->chunk_len = n;
	drain(r);
	r->digit_count = bs_detect__digit_ends(r->d, p, n, r->last_digit, r->digit_ends, r->masks);
	r->digit_next = 0;
	r->mail_count = bs_detect__mail_ends(r, p, n, r->mail_ends);
	r->mail_next = 0;
	err = hs_scan_stream(r->stream, p, (unsigned)n, 0, r->scratch, on_match, r);
	flush_hits(r);
	push_digits(r, UINT64_MAX);
	r->digit_count = 0;
	r->mail_count = 0;
	r->last_digit = g_ascii_isdigit(p[n - 1]);
	keep_tail(r, p, n);
	r->chunk_off += n;
	r->chunk = NULL;
	r->chunk_len = 0;
	return err;
}

bs_status
bs_detect_run_feed(bs_detect_run *r, const char *p, size_t len)
{
	if (!r->open || r->at_end)
		return BS_FAIL;
	while (len > 0) {
		size_t n = MIN(len, BS_DETECT_PIECE);

		if (scan_piece(r, p, n) != HS_SUCCESS)
			return BS_FAIL;
		p += n;
		len -= n;
	}
	return BS_OK;
}

bs_status
bs_detect_run_end(bs_detect_run *r)
{
	hs_error_t err;

	if (!r->open)
		return BS_FAIL;
	r->at_end = true;
	drain(r);
	if (r->last_digit)
		push(r, BS_ID_DIGITS, r->chunk_off);
	if (r->mail_open && r->mail_len >= BS_DETECT_DOMAIN_MIN &&
	    r->mail_len <= BS_DETECT_DOMAIN_MAX)
		push(r, BS_ID_EMAIL, r->chunk_off);
	err = hs_reset_stream(r->stream, 0, r->scratch, on_match, r);
	flush_hits(r);
	drain(r);
	r->open = false;
	return err == HS_SUCCESS ? BS_OK : BS_FAIL;
}

const uint32_t *
bs_detect_run_category_counts(const bs_detect_run *r)
{
	return r->cat_counts;
}
