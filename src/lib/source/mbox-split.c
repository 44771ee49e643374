/* The mbox splitter: a line state machine over chunks of any size. Only
 * the first bytes of a line decide anything (">*From "), so long lines are
 * copied straight into the message without a line buffer. */
#include "source/source.h"

#include <string.h>

typedef enum {
	LINE_HEAD, /* at the start of a line: collecting up to the decision */
	LINE_BODY, /* rest of an ordinary line: copied through */
	LINE_FROM, /* rest of a From_ separator line: dropped */
} line_state;

struct bs_mbox_split {
	size_t max;
	bs_mbox_msg_fn *fn;
	void *user;
	uint64_t pos; /* stream offset of the next byte */
	bool in_msg;
	uint64_t msg_offset; /* offset of the message's From_ line */
	bs_buf body;
	bool too_large;
	line_state st;
	char head[BS_SOURCE_FROM_LINE_BYTES];
	size_t head_len;
	uint64_t head_offset; /* stream offset of head[0] */
	size_t line_len;      /* bytes of the current line so far, without '\n' */
	char line_first;      /* first byte of the current line */
	bool prev_blank;      /* the previous line was empty (or "\r") */
	bool at_start;        /* no line finished yet */
	bool mboxrd;
};

bs_mbox_split *
bs_mbox_split_new(size_t max_message_bytes, bs_mbox_msg_fn *fn, void *user)
{
	bs_mbox_split *sp = g_new0(bs_mbox_split, 1);

	sp->max = max_message_bytes;
	sp->fn = fn;
	sp->user = user;
	sp->st = LINE_HEAD;
	sp->at_start = true;
	bs_buf_init(&sp->body, max_message_bytes);
	return sp;
}

void
bs_mbox_split_free(bs_mbox_split *sp)
{
	if (!sp)
		return;
	bs_buf_fini(&sp->body);
	g_free(sp);
}

bool
bs_mbox_split_is_mboxrd(const bs_mbox_split *sp)
{
	return sp->mboxrd;
}

bool
bs_mbox_sniff(const char *p, size_t len)
{
	return len >= 5 && memcmp(p, "From ", 5) == 0;
}

/* Drops the empty line that separates messages in the mbox (not part of
 * the message): "\n\n" -> "\n", "\r\n\r\n" -> "\r\n". */
static void
strip_separator_blank(bs_buf *b)
{
	if (b->len >= 4 && memcmp(b->data + b->len - 4, "\r\n\r\n", 4) == 0)
		b->len -= 2;
	else if (b->len >= 2 && memcmp(b->data + b->len - 2, "\n\n", 2) == 0)
		b->len -= 1;
	if (b->data)
		b->data[b->len] = '\0';
}

static void
close_message(bs_mbox_split *sp, uint64_t end, bool truncated)
{
	bs_source_msg *m;

	if (!sp->in_msg)
		return;
	m = g_new0(bs_source_msg, 1);
	m->locator = g_strdup_printf("offset:%" G_GUINT64_FORMAT, sp->msg_offset);
	m->raw_bytes = end - sp->msg_offset;
	if (sp->too_large) {
		m->status = BS_SOURCE_TOO_LARGE;
		m->reason = "message larger than max_message_bytes";
	} else {
		if (!truncated)
			strip_separator_blank(&sp->body);
		m->data = bs_buf_steal(&sp->body, &m->len);
		if (truncated) {
			m->status = BS_SOURCE_TRUNCATED;
			m->reason = "mbox ends inside the message";
		}
	}
	bs_buf_fini(&sp->body);
	bs_buf_init(&sp->body, sp->max);
	sp->in_msg = false;
	sp->too_large = false;
	sp->fn(m, sp->user);
}

static void
open_message(bs_mbox_split *sp, uint64_t offset)
{
	sp->in_msg = true;
	sp->msg_offset = offset;
	sp->too_large = false;
}

/* Appends message bytes; past the cap the message is only counted. Bytes
 * before the first From_ line form a message of their own at offset 0. */
static void
emit(bs_mbox_split *sp, const char *p, size_t len, uint64_t offset)
{
	if (!sp->in_msg)
		open_message(sp, offset);
	if (sp->too_large || len == 0)
		return;
	if (!bs_buf_append(&sp->body, p, len)) {
		sp->too_large = true;
		bs_buf_fini(&sp->body);
		bs_buf_init(&sp->body, sp->max);
	}
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "From sender Thu Nov 26 23:57:24 2026": a sender, a time and a year.
 * Used only when no empty line precedes, to tell a separator that a
 * careless writer glued to the previous message from body text. */
static bool
looks_like_from_line(const char *p, size_t len)
{
	bool time = false, year = false;
	size_t i = 5;

	if (i >= len || p[i] == ' ' || p[i] == '\r' || p[i] == '\n')
		return false;
	for (; i + 4 < len; i++) {
		if (is_digit(p[i]) && is_digit(p[i + 1]) && p[i + 2] == ':' && is_digit(p[i + 3]) &&
		    is_digit(p[i + 4]))
			time = true;
		if (time && p[i] == ' ' && is_digit(p[i + 1]) && is_digit(p[i + 2]) &&
		    is_digit(p[i + 3]) && is_digit(p[i + 4]))
			year = true;
	}
	return time && year;
}

/* How many '>' open head, and whether "From " follows them (as far as
 * head goes). *out_done: the prefix ">*From " is complete. */
static bool
head_may_be_from(const char *h, size_t n, size_t *out_quotes, bool *out_done)
{
	static const char from[] = "From ";
	size_t q = 0, k;

	while (q < n && h[q] == '>')
		q++;
	for (k = 0; q + k < n && k < 5; k++)
		if (h[q + k] != from[k])
			return false;
	*out_quotes = q;
	*out_done = k == 5;
	return true;
}

static void
end_line(bs_mbox_split *sp)
{
	sp->prev_blank = sp->line_len == 0 || (sp->line_len == 1 && sp->line_first == '\r');
	sp->line_len = 0;
	sp->at_start = false;
	sp->st = LINE_HEAD;
}

/* The head is decided: a separator, a quoted line or an ordinary line. */
static void
decide_head(bs_mbox_split *sp)
{
	size_t q = 0;
	bool done = false;
	const char *h = sp->head;

	if (head_may_be_from(h, sp->head_len, &q, &done) && done && q == 0 &&
	    (sp->prev_blank || sp->at_start || looks_like_from_line(h, sp->head_len))) {
		close_message(sp, sp->head_offset, false);
		open_message(sp, sp->head_offset);
		sp->st = LINE_FROM;
	} else if (done && q > 0) {
		if (q >= 2)
			sp->mboxrd = true;
		if (q == 1 || sp->mboxrd)
			emit(sp, h + 1, sp->head_len - 1, sp->head_offset);
		else
			emit(sp, h, sp->head_len, sp->head_offset);
		sp->st = LINE_BODY;
	} else {
		emit(sp, h, sp->head_len, sp->head_offset);
		sp->st = LINE_BODY;
	}
	sp->head_len = 0;
}

/* Feeds one byte of a line's head; decides as soon as the head can no
 * longer be, or surely is, a separator or quoted line. */
static void
feed_head(bs_mbox_split *sp, char c)
{
	size_t q;
	bool done;

	if (sp->head_len == 0) {
		sp->head_offset = sp->pos;
		sp->line_first = c;
	}
	sp->head[sp->head_len++] = c;
	if (c == '\n') {
		sp->head_len--;
		decide_head(sp);
		if (sp->st == LINE_BODY)
			emit(sp, "\n", 1, sp->pos);
		end_line(sp);
		return;
	}
	sp->line_len++;
	if (!head_may_be_from(sp->head, sp->head_len, &q, &done)) {
		decide_head(sp);
		return;
	}
	/* An unquoted "From " needs the whole line when no empty line precedes. */
	if (done && (q > 0 || sp->prev_blank || sp->at_start))
		decide_head(sp);
	else if (sp->head_len == sizeof sp->head)
		decide_head(sp);
}

/* Copies the rest of a line (up to and including '\n') or drops it. */
static size_t
feed_rest(bs_mbox_split *sp, const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);
	size_t n = nl ? (size_t)(nl - p) + 1 : len;

	if (sp->st == LINE_BODY)
		emit(sp, p, n, sp->pos);
	sp->line_len += nl ? n - 1 : n;
	if (nl)
		end_line(sp);
	return n;
}

void
bs_mbox_split_feed(bs_mbox_split *sp, const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (sp->st == LINE_HEAD) {
			feed_head(sp, p[i]);
			sp->pos++;
			i++;
			continue;
		}
		size_t n = feed_rest(sp, p + i, len - i);

		sp->pos += n;
		i += n;
	}
}

void
bs_mbox_split_end(bs_mbox_split *sp)
{
	bool truncated = sp->head_len > 0 || sp->line_len > 0;

	if (sp->head_len > 0)
		decide_head(sp);
	close_message(sp, sp->pos, truncated);
}
