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

static bool
ascii_is_word(int b)
{
	return g_ascii_isalnum(b) || b == '_';
}

bool
bs_detect__word_before(const bs_detect_run *r, uint64_t off)
{
	char buf[4];
	const char *p;
	int b;
	size_t n = 1;

	if (off == 0 || (b = bs_detect__byte(r, off - 1)) < 0)
		return false;
	if (b < 0x80)
		return ascii_is_word(b);
	while (n < 4 && n < off && (b & 0xc0) == 0x80) {
		b = bs_detect__byte(r, off - ++n);
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
	int b = bs_detect__byte(r, off);
	size_t n;

	if (b < 0)
		return false;
	if (b < 0x80)
		return ascii_is_word(b);
	n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
	p = bs_detect__span(r, off, n, buf);
	return p && unichar_is_word(p, n);
}

/* Start of a term or label from its end: words have fixed byte lengths,
 * the gaps between them are walked back. */
static bool
term_start(const bs_detect_run *r, const bs_pattern *pat, uint64_t end, uint64_t *out_start)
{
	const uint16_t *lens = &g_array_index(r->d->word_lens, uint16_t, pat->words);
	uint64_t pos = end;

	if (pat->nwords == 1) {
		*out_start = end - pat->len;
		return true;
	}
	for (int w = pat->nwords - 1; w >= 0; w--) {
		if (pos < lens[w])
			return false;
		pos -= lens[w];
		for (int gap = 0; w > 0 && gap < 4 && pos > 0; gap++) {
			int b = bs_detect__byte(r, pos - 1);

			if (b == ' ' || b == '\t' || b == '\n' || b == '\r')
				pos--;
			else if (b == 0xa0 && pos > 1 && bs_detect__byte(r, pos - 2) == 0xc2)
				pos -= 2;
			else
				break;
		}
	}
	*out_start = pos;
	return true;
}

/* A term hit that overlaps the last counted hit of its category (a longer
 * phrase containing a shorter term) is the same occurrence. */
static void
on_term(bs_detect_run *r, const bs_pattern *pat, uint64_t end)
{
	uint64_t start;
	uint16_t cat = pat->category;

	if (!term_start(r, pat, end, &start) || bs_detect__word_before(r, start) ||
	    bs_detect__word_after(r, end))
		return;
	if (r->cat_last_end[cat] > start && r->cat_counts[cat] > 0) {
		r->cat_last_end[cat] = end;
		return;
	}
	r->cat_counts[cat]++;
	r->cat_last_end[cat] = end;
}

static void
on_context(bs_detect_run *r, const bs_pattern *pat, uint64_t end)
{
	uint64_t start;

	if (!term_start(r, pat, end, &start) || bs_detect__word_before(r, start))
		return;
	if (!pat->prefix && bs_detect__word_after(r, end))
		return;
	r->ctx_end[pat->cls] = end;
}

static void
decide(bs_detect_run *r, uint32_t id, uint64_t end)
{
	const bs_pattern *pat = &g_array_index(r->d->patterns, bs_pattern, id);

	switch (pat->type) {
	case BS_PAT_TERM:
		on_term(r, pat, end);
		break;
	case BS_PAT_CONTEXT:
		on_context(r, pat, end);
		break;
	default:
		bs_detect__candidate(r, pat, end);
		break;
	}
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

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
         void *ctx)
{
	bs_detect_run *r = ctx;
	bs_item it = {.end = to, .id = id};

	if (r->queue_head == r->queue->len && ready(r, to)) {
		decide(r, id, to);
		return 0;
	}
	g_array_append_val(r->queue, it);
	drain(r);
	return 0;
}

bs_detect_run *
bs_detect_run_new(const bs_detector *d, GError **error)
{
	g_autoptr(bs_detect_run) r = g_new0(bs_detect_run, 1);
	size_t ncat = bs_detector_category_count(d);

	r->d = d;
	r->queue = g_array_new(FALSE, FALSE, sizeof(bs_item));
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
	r->chunk = NULL;
	r->chunk_len = 0;
	r->chunk_off = 0;
	r->tail_len = 0;
	r->at_end = false;
	r->open = true;
	g_array_set_size(r->queue, 0);
	r->queue_head = 0;
	memset(r->ctx_end, 0, sizeof r->ctx_end);
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

/* Vectorscan takes at most 4 GiB per call. */
#define FEED_MAX ((size_t)1 << 30)

bs_status
bs_detect_run_feed(bs_detect_run *r, const char *p, size_t len)
{
	if (!r->open || r->at_end)
		return BS_FAIL;
	while (len > 0) {
		size_t n = MIN(len, FEED_MAX);
		hs_error_t err;

		r->chunk = p;
		r->chunk_len = n;
		drain(r);
		err = hs_scan_stream(r->stream, p, (unsigned)n, 0, r->scratch, on_match, r);
		keep_tail(r, p, n);
		r->chunk_off += n;
		r->chunk = NULL;
		r->chunk_len = 0;
		if (err != HS_SUCCESS)
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
	err = hs_reset_stream(r->stream, 0, r->scratch, on_match, r);
	drain(r);
	r->open = false;
	return err == HS_SUCCESS ? BS_OK : BS_FAIL;
}

const uint32_t *
bs_detect_run_category_counts(const bs_detect_run *r)
{
	return r->cat_counts;
}
