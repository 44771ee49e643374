/* signins: streaming readers. A file is read in fixed chunks and cut into
 * records: JSON objects (top-level ones, or the elements of one top-level
 * array) and CSV rows (RFC 4180: quoted fields with commas, quotes and
 * newlines). Memory is one record, capped by BS_LIMIT_LOG_RECORD_BYTES.
 *
 * The JSON cutter is hand-written rather than yajl's streaming parser on
 * purpose: it only tracks strings and nesting, so a broken record is handed
 * on alone (jansson then refuses just that one, with its line) and reading
 * resumes at the next record; a validating stream parser stops at the first
 * error and loses the rest of a 1 GB export. CSV is hand-written for the
 * same reason and for the row's start line, which libcsv does not keep. */
#include "signins/internal.h"

#include <errno.h>
#include <stdio.h>

#define CHUNK_BYTES (1u << 20)

enum { FMT_UNKNOWN, FMT_JSON, FMT_CSV };

typedef struct {
	int fmt;
	uint64_t line; /* current line, 1-based */
	bool stopped;
	bs_signins__json_fn *json_fn;
	bs_signins__csv_fn *csv_fn;
	void *user;
	/* JSON */
	int depth;        /* nesting outside strings */
	int record_depth; /* 1 inside a top-level array, else 0 */
	bool seen_value;  /* a top-level value started: '[' now is not the outer array */
	bool in_string, escape, in_record;
	bool skipping, line_start; /* after a broken record: up to a line starting with '{' */
	bs_buf rec;
	uint64_t rec_line;
	const char *rec_broken; /* static reason, NULL while whole */
	const char *span;       /* record bytes of this chunk not yet in rec */
	/* CSV */
	bs_signins__csv_row row;
	bool quoted, quote_seen, row_started, bom_checked;
	int bom_len; /* bytes of a UTF-8 byte order mark seen */
} bs_signins__reader;

/* Copies the record's bytes of this chunk up to (not including) to. */
static void
json_flush(bs_signins__reader *r, const char *to)
{
	if (r->span && !r->rec_broken && !bs_buf_append(&r->rec, r->span, (size_t)(to - r->span)))
		r->rec_broken = "record above the size limit";
	r->span = NULL;
}

static void
json_emit(bs_signins__reader *r)
{
	if (!r->stopped && !r->json_fn(r->user, r->rec.data ? r->rec.data : "", r->rec.len,
	                               r->rec_line, r->rec_broken))
		r->stopped = true;
	r->in_record = false;
}

static void
json_open(bs_signins__reader *r, const char *p)
{
	char c = *p;

	if (r->depth == r->record_depth && c == '{') {
		bs_buf_reset(&r->rec);
		r->span = p;
		r->in_record = true;
		r->rec_line = r->line;
		r->rec_broken = NULL;
	} else if (r->depth == 0 && c == '[' && !r->seen_value) {
		r->record_depth = 1;
	}
	r->seen_value = true;
	r->depth++;
}

/* A raw newline never occurs inside a JSON string: the record is broken.
 * Hand it on as such and go on with the next line that starts with '{'. */
static void
json_resync(bs_signins__reader *r, const char *p)
{
	r->in_string = r->escape = false;
	if (r->in_record) {
		json_flush(r, p);
		r->rec_broken = "record cut short";
		json_emit(r);
	}
	r->depth = r->record_depth;
	r->skipping = r->line_start = true;
}

/* While skipping: true for the bytes to ignore. */
static bool
json_skip(bs_signins__reader *r, char c)
{
	if (c == '\n') {
		r->line_start = true;
		return true;
	}
	if (r->line_start && (c == ' ' || c == '\t' || c == '\r'))
		return true;
	if (r->line_start && c == '{') {
		r->skipping = false;
		return false;
	}
	r->line_start = false;
	return true;
}

static void
json_close(bs_signins__reader *r, const char *p)
{
	/* a stray closer between records (after a resync) is ignored */
	if (!r->in_record && r->depth == r->record_depth && !(*p == ']' && r->depth == 1))
		return;
	if (r->depth > 0 && --r->depth == r->record_depth && r->in_record) {
		json_flush(r, p + 1);
		json_emit(r);
	}
}

static void
json_byte(bs_signins__reader *r, const char *p)
{
	char c = *p;

	if (r->skipping && json_skip(r, c))
		return;
	if (r->in_string) {
		if (c == '\n')
			json_resync(r, p);
		else if (r->escape)
			r->escape = false;
		else if (c == '\\')
			r->escape = true;
		else if (c == '"')
			r->in_string = false;
		return;
	}
	if (c == '"')
		r->in_string = true;
	else if (c == '{' || c == '[')
		json_open(r, p);
	else if (c == '}' || c == ']')
		json_close(r, p);
}

static void
csv_end_field(bs_signins__reader *r)
{
	bs_signins__csv_row *row = &r->row;

	if (row->count >= BS_LIMIT_CSV_FIELDS || !bs_buf_append_c(&row->data, '\0')) {
		row->too_big = true;
		return;
	}
	row->count++;
	if (row->count < BS_LIMIT_CSV_FIELDS)
		row->off[row->count] = row->data.len;
}

static void
csv_end_row(bs_signins__reader *r)
{
	bs_signins__csv_row *row = &r->row;

	csv_end_field(r);
	if (!r->stopped && !r->csv_fn(r->user, row))
		r->stopped = true;
	bs_buf_reset(&row->data);
	row->count = 0;
	row->off[0] = 0;
	row->too_big = false;
	r->row_started = false;
	r->quoted = r->quote_seen = false;
}

static void
csv_append(bs_signins__reader *r, char c)
{
	if (!r->row.too_big && !bs_buf_append_c(&r->row.data, c))
		r->row.too_big = true;
}

/* Inside quotes everything is data; a doubled quote is one quote. */
static void
csv_byte(bs_signins__reader *r, char c)
{
	if (!r->row_started) {
		if (c == '\n' || c == '\r')
			return; /* blank lines are no rows */
		r->row_started = true;
		r->row.line = r->line;
	}
	if (r->quoted) {
		if (c == '"') {
			r->quoted = false;
			r->quote_seen = true;
		} else {
			csv_append(r, c);
		}
		return;
	}
	if (c == '"') {
		if (r->quote_seen) /* "" inside a quoted field */
			csv_append(r, '"');
		r->quoted = true;
		r->quote_seen = false;
	} else if (c == ',') {
		csv_end_field(r);
		r->quote_seen = false;
	} else if (c == '\n') {
		csv_end_row(r);
	} else if (c != '\r') {
		csv_append(r, c);
		r->quote_seen = false;
	}
}

static void
detect_format(bs_signins__reader *r, const char **p, const char *end)
{
	static const char bom[] = "\xef\xbb\xbf";

	/* byte by byte: the mark may be split between chunks */
	while (!r->bom_checked && *p < end) {
		if (**p != bom[r->bom_len]) {
			r->bom_checked = true;
			break;
		}
		(*p)++;
		r->bom_checked = ++r->bom_len == 3;
	}
	if (!r->bom_checked)
		return;
	while (*p < end && g_ascii_isspace(**p)) {
		if (**p == '\n')
			r->line++;
		(*p)++;
	}
	if (*p < end)
		r->fmt = (**p == '[' || **p == '{') ? FMT_JSON : FMT_CSV;
}

static void
json_feed(bs_signins__reader *r, const char *p, const char *end)
{
	if (r->in_record)
		r->span = p;
	for (; p < end && !r->stopped; p++) {
		/* the bulk of a record is string bytes: skip them without a call */
		while (r->in_string && !r->escape && p < end && *p != '"' && *p != '\\' &&
		       *p != '\n')
			p++;
		if (p == end)
			break;
		json_byte(r, p);
		if (*p == '\n')
			r->line++;
	}
	if (r->in_record)
		json_flush(r, end);
}

static void
feed(bs_signins__reader *r, const char *p, size_t len)
{
	const char *end = p + len;

	if (r->fmt == FMT_UNKNOWN)
		detect_format(r, &p, end);
	if (r->fmt == FMT_JSON) {
		json_feed(r, p, end);
		return;
	}
	for (; p < end && !r->stopped; p++) {
		csv_byte(r, *p);
		if (*p == '\n')
			r->line++;
	}
}

static void
finish(bs_signins__reader *r)
{
	if (r->stopped)
		return;
	if (r->fmt == FMT_JSON && r->in_record) {
		r->rec_broken = "record cut short";
		json_emit(r);
	}
	if (r->fmt == FMT_CSV && r->row_started)
		csv_end_row(r);
}

static void
reader_init(bs_signins__reader *r, bs_signins__json_fn *json_fn, bs_signins__csv_fn *csv_fn,
            void *user)
{
	memset(r, 0, sizeof *r);
	r->line = 1;
	r->json_fn = json_fn;
	r->csv_fn = csv_fn;
	r->user = user;
	bs_buf_init(&r->rec, BS_LIMIT_LOG_RECORD_BYTES);
	bs_buf_init(&r->row.data, BS_LIMIT_LOG_RECORD_BYTES);
}

static void
reader_fini(bs_signins__reader *r)
{
	bs_buf_fini(&r->rec);
	bs_buf_fini(&r->row.data);
}

void
bs_signins__read_data(const char *data, size_t len, size_t chunk, bs_signins__json_fn *json_fn,
                      bs_signins__csv_fn *csv_fn, void *user)
{
	bs_signins__reader r;

	reader_init(&r, json_fn, csv_fn, user);
	for (size_t off = 0; off < len; off += chunk ? chunk : len)
		feed(&r, data + off, MIN(chunk ? chunk : len, len - off));
	finish(&r);
	reader_fini(&r);
}

bool
bs_signins__read_file(const char *path, bs_signins__json_fn *json_fn, bs_signins__csv_fn *csv_fn,
                      void *user, GError **error)
{
	g_autofree char *chunk = NULL;
	bs_signins__reader r;
	FILE *fp = fopen(path, "rb");
	size_t n;
	bool ok;

	if (!fp) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot open: %s", path,
		            g_strerror(errno));
		return false;
	}
	chunk = g_malloc(CHUNK_BYTES);
	reader_init(&r, json_fn, csv_fn, user);
	while (!r.stopped && (n = fread(chunk, 1, CHUNK_BYTES, fp)) > 0)
		feed(&r, chunk, n);
	ok = !ferror(fp);
	if (ok)
		finish(&r);
	else
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot read", path);
	fclose(fp);
	reader_fini(&r);
	return ok;
}
