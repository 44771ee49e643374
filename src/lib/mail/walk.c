/* The message walk: GMime parses, we visit headers and parts in order and
 * hand out text. Transfer decoding is done here with GMime's encoding
 * steppers straight from the parsed buffer, so 7bit/8bit parts are never
 * copied and binary parts are never decoded. */
#include "mail/mail.h"

#include <gmime/gmime.h>
#include <libxml/parser.h>

#include "mail/internal.h"

/* The people headers, as the contract spells them. */
static const char *const people_headers[] = {"From", "To", "Cc", "Bcc", "Reply-To", "Sender"};

/* GMime parser warnings to defects (GMimeParserWarning values). */
static const bs_defect_code warning_defects[] = {
    [GMIME_WARN_DUPLICATED_HEADER] = BS_DEFECT_HEADER,
    [GMIME_WARN_DUPLICATED_PARAMETER] = BS_DEFECT_CONTENT_TYPE,
    [GMIME_WARN_UNENCODED_8BIT_HEADER] = BS_DEFECT_8BIT_HEADER,
    [GMIME_WARN_INVALID_CONTENT_TYPE] = BS_DEFECT_CONTENT_TYPE,
    [GMIME_WARN_INVALID_RFC2047_HEADER_VALUE] = BS_DEFECT_ENCODED_WORD,
    [GMIME_WARN_MALFORMED_MULTIPART] = BS_DEFECT_MULTIPART,
    [GMIME_WARN_TRUNCATED_MESSAGE] = BS_DEFECT_TRUNCATED,
    [GMIME_WARN_MALFORMED_MESSAGE] = BS_DEFECT_MALFORMED,
    [GMIME_CRIT_INVALID_HEADER_NAME] = BS_DEFECT_HEADER,
    [GMIME_CRIT_CONFLICTING_HEADER] = BS_DEFECT_HEADER,
    [GMIME_CRIT_CONFLICTING_PARAMETER] = BS_DEFECT_CONTENT_TYPE,
    [GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY] = BS_DEFECT_MULTIPART,
    [GMIME_WARN_INVALID_PARAMETER] = BS_DEFECT_CONTENT_TYPE,
    [GMIME_WARN_INVALID_ADDRESS_LIST] = BS_DEFECT_ADDRESS,
    [GMIME_CRIT_NESTING_OVERFLOW] = BS_DEFECT_DEPTH,
    [GMIME_WARN_PART_WITHOUT_CONTENT] = BS_DEFECT_MALFORMED,
    [GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT] = BS_DEFECT_MALFORMED,
};

static void walk_object(bs_mail_ctx *ctx, GMimeObject *obj, GMimeParserOptions *opts);

/* glibc unloads a gconv module when its last descriptor closes, and GMime
 * opens and closes one per encoded word and part: keeping one descriptor
 * of each common mail charset open for the life of the process saves a
 * dlopen/dlclose pair per header (measured: about 8% of the walk). */
static const char *const pinned_charsets[] = {"iso-8859-1", "windows-1252", "iso-8859-15",
                                              "utf-16"};
static GIConv pinned[G_N_ELEMENTS(pinned_charsets)];

static gpointer
init_once(gpointer unused)
{
	g_mime_init();
	xmlInitParser();
	for (size_t i = 0; i < G_N_ELEMENTS(pinned_charsets); i++)
		pinned[i] = g_mime_iconv_open("UTF-8", pinned_charsets[i]);
	return NULL;
}

void
bs_mail__init_libraries(void)
{
	static GOnce once = G_ONCE_INIT;

	g_once(&once, init_once, NULL);
}

void
bs_mail_limits_init(bs_mail_limits *limits)
{
	limits->max_depth = BS_LIMIT_DEPTH_DEFAULT;
	limits->max_bytes = BS_LIMIT_MESSAGE_BYTES_DEFAULT;
	limits->max_ratio = BS_LIMIT_RATIO_DEFAULT;
	limits->attachment_ms = BS_LIMIT_ATTACHMENT_MS_DEFAULT;
	limits->extract = NULL;
}

/* --- path, defects, emission --- */

size_t
bs_mail__path_push(bs_mail_ctx *ctx, char tag, unsigned n)
{
	size_t saved = ctx->path.len;
	char step[32];
	int k;

	if (tag == 'm')
		k = g_snprintf(step, sizeof(step), "m");
	else if (tag)
		k = g_snprintf(step, sizeof(step), "%c%u", tag, n);
	else
		k = g_snprintf(step, sizeof(step), "%u", n);

	if (saved > 0)
		bs_buf_append_c(&ctx->path, '.');
	bs_buf_append(&ctx->path, step, (size_t)MAX(k, 0));
	return saved;
}

void
bs_mail__path_pop(bs_mail_ctx *ctx, size_t saved)
{
	ctx->path.len = saved;
	if (ctx->path.data)
		ctx->path.data[saved] = '\0';
}

static const char *
path_str(const bs_mail_ctx *ctx)
{
	return ctx->path.data ? ctx->path.data : "";
}

void
bs_mail_ctx_defect(bs_mail_ctx *ctx, bs_defect_code code, int64_t offset)
{
	bs_mail__info_defect(ctx->info, code, path_str(ctx), offset);
}

void
bs_mail__emit(bs_mail_ctx *ctx, bs_where where, const char *name, const char *text, size_t len)
{
	g_autofree char *repaired = NULL;
	bs_segment seg = {where, name, path_str(ctx), ctx->depth, text, len};

	if (len == 0)
		return;
	if (!g_utf8_validate_len(text, len, NULL)) {
		repaired = g_utf8_make_valid(text, (gssize)len);
		seg.text = repaired;
		seg.len = strlen(repaired);
	}
	ctx->info->segment_count++;
	ctx->info->text_len += seg.len;
	if (ctx->fn)
		ctx->fn(&seg, ctx->user);
}

bool
bs_mail_ctx_charge(bs_mail_ctx *ctx, uint64_t len)
{
	if (ctx->size_hit)
		return false;
	if (len > ctx->limits->max_bytes - MIN(ctx->info->expanded_len, ctx->limits->max_bytes)) {
		ctx->size_hit = true;
		bs_mail_ctx_defect(ctx, BS_DEFECT_SIZE, -1);
		return false;
	}
	ctx->info->expanded_len += len;
	return true;
}

uint64_t
bs_mail_ctx_remaining(const bs_mail_ctx *ctx)
{
	if (ctx->size_hit || ctx->info->expanded_len >= ctx->limits->max_bytes)
		return 0;
	return ctx->limits->max_bytes - ctx->info->expanded_len;
}

const bs_mail_limits *
bs_mail_ctx_limits(const bs_mail_ctx *ctx)
{
	return ctx->limits;
}

bool
bs_mail_ctx_expired(bs_mail_ctx *ctx)
{
	if (ctx->time_hit)
		return true;
	if (ctx->att_deadline_us == 0 || g_get_monotonic_time() < ctx->att_deadline_us)
		return false;
	ctx->time_hit = true;
	bs_mail_ctx_defect(ctx, BS_DEFECT_TIME, -1);
	return true;
}

bool
bs_mail_ctx_emit(bs_mail_ctx *ctx, const char *text, size_t len)
{
	if (!bs_mail_ctx_charge(ctx, len))
		return false;
	bs_mail__emit(ctx, BS_WHERE_ATTACHMENT, ctx->att_name, text, len);
	return true;
}

bool
bs_mail_ctx_emit_charset(bs_mail_ctx *ctx, const char *charset, const char *p, size_t len)
{
	size_t n = 0;
	bool fallback = false;
	const char *text = bs_mail_text_to_utf8(charset, p, len, &ctx->conv, &n, &fallback);

	if (fallback)
		bs_mail_ctx_defect(ctx, BS_DEFECT_CHARSET, -1);
	return bs_mail_ctx_emit(ctx, text, n);
}

void
bs_mail_ctx_skipped(bs_mail_ctx *ctx)
{
	ctx->info->skipped_parts++;
}

bool
bs_mail_ctx_enter(bs_mail_ctx *ctx, unsigned index)
{
	if (ctx->depth + 1 > ctx->limits->max_depth) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_DEPTH, -1);
		return false;
	}
	ctx->depth++;
	bs_mail__path_push(ctx, 'z', index);
	return true;
}

void
bs_mail_ctx_leave(bs_mail_ctx *ctx)
{
	char *dot;

	if (ctx->depth > 0)
		ctx->depth--;
	dot = ctx->path.data ? strrchr(ctx->path.data, '.') : NULL;
	bs_mail__path_pop(ctx, dot ? (size_t)(dot - ctx->path.data) : 0);
}

/* --- text parts --- */

static void
emit_text(bs_mail_ctx *ctx, bs_where where, const char *name, const bs_attachment *att, bool html)
{
	size_t n = 0;
	bool fallback = false;
	const char *text =
	    bs_mail_text_to_utf8(att->charset, att->data, att->len, &ctx->conv, &n, &fallback);

	if (fallback)
		bs_mail_ctx_defect(ctx, BS_DEFECT_CHARSET, -1);
	if (!html) {
		bs_mail__emit(ctx, where, name, text, n);
		return;
	}
	bs_buf_reset(&ctx->text);
	if (!bs_mail_html_to_text(text, n, &ctx->text))
		bs_mail_ctx_defect(ctx, BS_DEFECT_SIZE, -1);
	bs_mail__emit(ctx, where, name, ctx->text.data, ctx->text.len);
}

static bool
is_type(const char *ct, const char *want)
{
	return ct && !g_ascii_strcasecmp(ct, want);
}

/* Text types we read ourselves; text/rtf is markup for the extractor. */
static bool
is_plain_text(const char *ct)
{
	return ct && !g_ascii_strncasecmp(ct, "text/", 5) && !is_type(ct, "text/html") &&
	       !is_type(ct, "text/rtf") && !is_type(ct, "text/richtext");
}

static void
run_extractor(bs_mail_ctx *ctx, const bs_attachment *att)
{
	const char *saved_name = ctx->att_name;
	bool outermost = ctx->att_deadline_us == 0;

	/* One time budget per top-level attachment, members included. */
	if (outermost) {
		ctx->att_deadline_us =
		    g_get_monotonic_time() + (int64_t)ctx->limits->attachment_ms * 1000;
		ctx->time_hit = false;
	}
	ctx->att_name = att->filename;
	ctx->limits->extract(ctx, att);
	ctx->att_name = saved_name;
	if (outermost)
		ctx->att_deadline_us = 0;
}

void
bs_mail__dispatch(bs_mail_ctx *ctx, const bs_attachment *att, bool is_attachment)
{
	bs_where where = is_attachment ? BS_WHERE_ATTACHMENT : BS_WHERE_BODY;
	const char *name = is_attachment ? att->filename : NULL;
	const char *ct = att->content_type;

	if (is_type(ct, "text/html") || is_type(ct, "application/xhtml+xml"))
		emit_text(ctx, where, name, att, true);
	else if (is_plain_text(ct))
		emit_text(ctx, where, name, att, false);
	else if (is_type(ct, "message/rfc822") || is_type(ct, "message/global"))
		bs_mail__walk_bytes(ctx, att->data, att->len);
	else if (ctx->limits->extract)
		run_extractor(ctx, att);
	else
		ctx->info->skipped_parts++;
}

void
bs_mail_ctx_walk_attachment(bs_mail_ctx *ctx, const bs_attachment *att)
{
	if (att->filename)
		bs_mail__emit(ctx, BS_WHERE_ATTACHMENT_NAME, att->filename, att->filename,
		              strlen(att->filename));
	bs_mail__dispatch(ctx, att, true);
}

/* --- transfer decoding --- */

/* The raw (still encoded) bytes of a part: a view into the parsed buffer
 * when GMime kept a substream of it (the usual case), else read into buf. */
static bool
raw_content(GMimeDataWrapper *w, bs_buf *buf, const char **out_p, size_t *out_len)
{
	GMimeStream *s = g_mime_data_wrapper_get_stream(w);
	char chunk[8192];
	ssize_t n;

	if (!s)
		return false;
	if (GMIME_IS_STREAM_MEM(s)) {
		GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
		gint64 end = s->bound_end < 0 ? (gint64)a->len : MIN(s->bound_end, (gint64)a->len);
		gint64 start = MIN(MAX(s->bound_start, 0), end);

		/* GMime assumes a CRLF before the boundary when the message
		 * uses CRLF; a part whose last line ends in a bare LF (mixed
		 * line ends from mangled exports) loses its last byte, which
		 * in base64 drops the whole last group. A part always ends at
		 * a line end: finish the line. */
		while (end < (gint64)a->len && a->data[end] != '\r' && a->data[end] != '\n')
			end++;

		*out_p = (const char *)a->data + start;
		*out_len = (size_t)(end - start);
		return true;
	}
	g_mime_stream_reset(s);
	while ((n = g_mime_stream_read(s, chunk, sizeof(chunk))) > 0)
		if (!bs_buf_append(buf, chunk, (size_t)n))
			break;
	*out_p = buf->data ? buf->data : "";
	*out_len = buf->len;
	return true;
}

/* Characters a base64 body may hold; anything else was damaged in transit. */
static bool
base64_is_clean(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=' && c != '\r' &&
		    c != '\n' && c != ' ' && c != '\t')
			return false;
	}
	return true;
}

/* Makes room for n bytes in b (within its cap) and empties it. */
static bool
buf_prepare(bs_buf *b, size_t n)
{
	if (n > b->cap)
		return false;
	if (b->alloc < n + 1) {
		g_free(b->data);
		b->data = g_malloc(n + 1);
		b->alloc = n + 1;
	}
	b->len = 0;
	b->data[0] = '\0';
	return true;
}

/* Decodes the content of part: *out_p points at the raw bytes when there
 * is no transfer encoding (no copy), else at out. false when the part has
 * no content or the decoded size would pass out's cap. */
static bool
decode_content(bs_mail_ctx *ctx, GMimePart *part, bs_buf *rawbuf, bs_buf *out, const char **out_p,
               size_t *out_len)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeContentEncoding enc;
	GMimeEncoding state;
	const char *raw = NULL;
	size_t raw_len = 0;

	if (!w || !raw_content(w, rawbuf, &raw, &raw_len))
		return false;
	enc = g_mime_data_wrapper_get_encoding(w);
	if (enc != GMIME_CONTENT_ENCODING_BASE64 && enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
	    enc != GMIME_CONTENT_ENCODING_UUENCODE) {
		*out_p = raw;
		*out_len = raw_len;
		return true;
	}
	if (enc == GMIME_CONTENT_ENCODING_BASE64 && !base64_is_clean(raw, raw_len))
		bs_mail_ctx_defect(ctx, BS_DEFECT_TRANSFER, -1);
	g_mime_encoding_init_decode(&state, enc);
	if (!buf_prepare(out, g_mime_encoding_outlen(&state, raw_len) + 16))
		return false;
	out->len = g_mime_encoding_step(&state, raw, raw_len, out->data);
	out->len += g_mime_encoding_flush(&state, "", 0, out->data + out->len);
	out->data[out->len] = '\0';
	*out_p = out->data;
	*out_len = out->len;
	return true;
}

/* --- parts --- */

/* Types whose bytes are never text: not even decoded. */
static bool
is_media(const char *ct)
{
	static const char *const prefixes[] = {"image/", "audio/", "video/", "font/", "model/"};

	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
		if (ct && !g_ascii_strncasecmp(ct, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool
is_encrypted(GMimeObject *obj, const char *ct)
{
	if (GMIME_IS_APPLICATION_PKCS7_MIME(obj))
		return g_mime_application_pkcs7_mime_get_smime_type(GMIME_APPLICATION_PKCS7_MIME(
		           obj)) == GMIME_SECURE_MIME_TYPE_ENVELOPED_DATA;
	return is_type(ct, "application/pgp-encrypted");
}

static bool
part_is_attachment(GMimePart *part, const char *filename)
{
	const char *disp = g_mime_object_get_disposition(GMIME_OBJECT(part));

	if (g_mime_part_is_attachment(part))
		return true;
	return filename && !(disp && !g_ascii_strcasecmp(disp, "inline"));
}

static void
walk_part(bs_mail_ctx *ctx, GMimePart *part)
{
	GMimeContentType *type = g_mime_object_get_content_type(GMIME_OBJECT(part));
	g_autofree char *mime_type = type ? g_mime_content_type_get_mime_type(type) : NULL;
	g_autofree char *ct = mime_type ? g_ascii_strdown(mime_type, -1) : NULL;
	bs_attachment att = {ct, g_mime_part_get_filename(part), NULL, NULL, 0};
	bool is_att = part_is_attachment(part, att.filename);
	bs_buf raw, dec;

	att.charset = type ? g_mime_content_type_get_parameter(type, "charset") : NULL;
	if (att.filename)
		bs_mail__emit(ctx, BS_WHERE_ATTACHMENT_NAME, att.filename, att.filename,
		              strlen(att.filename));
	if (is_encrypted(GMIME_OBJECT(part), ct)) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_ENCRYPTED, -1);
		return;
	}
	if (is_media(ct) || ctx->size_hit) {
		ctx->info->skipped_parts++;
		return;
	}
	bs_buf_init(&raw, ctx->limits->max_bytes);
	bs_buf_init(&dec, ctx->limits->max_bytes);
	if (!decode_content(ctx, part, &raw, &dec, &att.data, &att.len))
		ctx->info->skipped_parts++;
	else if (bs_mail_ctx_charge(ctx, att.len))
		bs_mail__dispatch(ctx, &att, is_att);
	bs_buf_fini(&raw);
	bs_buf_fini(&dec);
}

/* Text around the parts: with a wrong boundary, the whole body is here. */
static void
emit_multipart_text(bs_mail_ctx *ctx, const char *text)
{
	bs_attachment att = {"text/plain", NULL, NULL, text, text ? strlen(text) : 0};

	if (att.len && bs_mail_ctx_charge(ctx, att.len))
		bs_mail__dispatch(ctx, &att, false);
}

static void
walk_multipart(bs_mail_ctx *ctx, GMimeMultipart *mp, GMimeParserOptions *opts)
{
	int count = g_mime_multipart_get_count(mp);

	if (GMIME_IS_MULTIPART_ENCRYPTED(mp)) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_ENCRYPTED, -1);
		return;
	}
	if (ctx->mime_depth >= BS_LIMIT_MIME_DEPTH) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_DEPTH, -1);
		return;
	}
	/* The signature of multipart/signed is not writing. */
	if (GMIME_IS_MULTIPART_SIGNED(mp) && count > 1)
		count = 1;
	ctx->mime_depth++;
	emit_multipart_text(ctx, g_mime_multipart_get_prologue(mp));
	for (int i = 0; i < count; i++) {
		size_t saved = bs_mail__path_push(ctx, 0, (unsigned)i + 1);

		walk_object(ctx, g_mime_multipart_get_part(mp, i), opts);
		bs_mail__path_pop(ctx, saved);
	}
	emit_multipart_text(ctx, g_mime_multipart_get_epilogue(mp));
	ctx->mime_depth--;
}

static void walk_message(bs_mail_ctx *ctx, GMimeMessage *msg, GMimeParserOptions *opts);

static void
walk_message_part(bs_mail_ctx *ctx, GMimeMessagePart *mp, GMimeParserOptions *opts)
{
	GMimeMessage *msg = g_mime_message_part_get_message(mp);
	const char *filename =
	    g_mime_object_get_content_disposition_parameter(GMIME_OBJECT(mp), "filename");
	size_t saved;

	if (filename)
		bs_mail__emit(ctx, BS_WHERE_ATTACHMENT_NAME, filename, filename, strlen(filename));
	if (!msg)
		return;
	if (ctx->depth + 1 > ctx->limits->max_depth) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_DEPTH, -1);
		return;
	}
	ctx->depth++;
	saved = bs_mail__path_push(ctx, 'm', 0);
	walk_message(ctx, msg, opts);
	bs_mail__path_pop(ctx, saved);
	ctx->depth--;
}

static void
walk_object(bs_mail_ctx *ctx, GMimeObject *obj, GMimeParserOptions *opts)
{
	if (!obj)
		return;
	if (GMIME_IS_MULTIPART(obj))
		walk_multipart(ctx, GMIME_MULTIPART(obj), opts);
	else if (GMIME_IS_MESSAGE_PART(obj))
		walk_message_part(ctx, GMIME_MESSAGE_PART(obj), opts);
	else if (GMIME_IS_PART(obj))
		walk_part(ctx, GMIME_PART(obj));
	else
		ctx->info->skipped_parts++; /* message/partial: a fragment, not text */
}

/* --- headers --- */

static const char *
people_header(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(people_headers); i++)
		if (!g_ascii_strcasecmp(name, people_headers[i]))
			return people_headers[i];
	return NULL;
}

static void
collect_addresses(bs_mail_ctx *ctx, const char *header, InternetAddressList *list)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		bs_mail_address a = {header, NULL, ctx->depth};

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			collect_addresses(
			    ctx, header,
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)));
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		a.addr = g_strdup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		if (!a.addr || !*a.addr || ctx->info->addresses->len >= BS_LIMIT_HEADER_COUNT) {
			g_free(a.addr);
			continue;
		}
		g_array_append_val(ctx->info->addresses, a);
	}
}

static void
walk_header(bs_mail_ctx *ctx, GMimeHeader *h, GMimeParserOptions *opts)
{
	const char *name = g_mime_header_get_name(h);
	const char *raw = g_mime_header_get_raw_value(h);
	const char *people = name ? people_header(name) : NULL;
	g_autofree char *unfolded = NULL;
	g_autofree char *text = NULL;

	if (!raw || (!people && g_ascii_strcasecmp(name ? name : "", "Subject") != 0))
		return;
	unfolded = g_mime_utils_header_unfold(raw);
	text = g_mime_utils_header_decode_text(opts, unfolded);
	g_strstrip(text);
	if (!people) {
		bs_mail__emit(ctx, BS_WHERE_SUBJECT, NULL, text, strlen(text));
		return;
	}
	bs_mail__emit(ctx, BS_WHERE_HEADER, people, text, strlen(text));
	{
		InternetAddressList *list = internet_address_list_parse(opts, unfolded);

		collect_addresses(ctx, people, list);
		if (list)
			g_object_unref(list);
	}
}

static int64_t
received_date_us(GMimeHeaderList *headers)
{
	GMimeHeader *h = g_mime_header_list_get_header(headers, "Received");
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	const char *semi = raw ? strrchr(raw, ';') : NULL;
	g_autofree char *unfolded = NULL;
	GDateTime *dt;
	int64_t us;

	if (!semi)
		return INT64_MIN;
	unfolded = g_mime_utils_header_unfold(semi + 1);
	dt = g_mime_utils_header_decode_date(unfolded);
	if (!dt)
		return INT64_MIN;
	us = g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
	g_date_time_unref(dt);
	return us;
}

/* Message-ID and date of the top message: set before any text goes out. */
static void
top_facts(bs_mail_ctx *ctx, GMimeMessage *msg)
{
	const char *id = g_mime_message_get_message_id(msg);
	GDateTime *dt = g_mime_message_get_date(msg);
	int64_t us = INT64_MIN;

	ctx->info->message_id = id && *id ? g_strdup(id) : NULL;
	if (dt)
		us = g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
	else
		us = received_date_us(g_mime_object_get_header_list(GMIME_OBJECT(msg)));
	if (us != INT64_MIN) {
		ctx->info->has_date = true;
		ctx->info->date_us = us;
	}
}

static void
walk_headers(bs_mail_ctx *ctx, GMimeMessage *msg, GMimeParserOptions *opts)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = headers ? g_mime_header_list_get_count(headers) : 0;

	if (n > (int)BS_LIMIT_HEADER_COUNT) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_HEADER, -1);
		n = BS_LIMIT_HEADER_COUNT;
	}
	for (int i = 0; i < n; i++)
		walk_header(ctx, g_mime_header_list_get_header_at(headers, i), opts);
}

static void
walk_message(bs_mail_ctx *ctx, GMimeMessage *msg, GMimeParserOptions *opts)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	size_t saved;

	walk_headers(ctx, msg, opts);
	if (!body || GMIME_IS_MULTIPART(body)) {
		walk_object(ctx, body, opts);
		return;
	}
	saved = bs_mail__path_push(ctx, 0, 1);
	walk_object(ctx, body, opts);
	bs_mail__path_pop(ctx, saved);
}

/* --- entry points --- */

static void
on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer user)
{
	bs_mail_ctx *ctx = user;
	bs_defect_code d = BS_DEFECT_MALFORMED;

	/* item may hold header text: never recorded. */
	if ((size_t)code < G_N_ELEMENTS(warning_defects) && warning_defects[code])
		d = warning_defects[code];
	bs_mail_ctx_defect(ctx, d, offset);
}

static GMimeParserOptions *
parser_options(bs_mail_ctx *ctx)
{
	static const char *fallback[] = {"UTF-8", "windows-1252", NULL};
	GMimeParserOptions *opts = g_mime_parser_options_new();

	g_mime_parser_options_set_warning_callback(opts, on_warning, ctx);
	g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	return opts;
}

/* Skips an mbox "From " separator line if the source left one in front. */
static void
skip_from_line(const char **data, size_t *len)
{
	const char *nl;

	if (*len < 5 || memcmp(*data, "From ", 5) != 0)
		return;
	nl = memchr(*data, '\n', *len);
	if (!nl)
		return;
	*len -= (size_t)(nl + 1 - *data);
	*data = nl + 1;
}

static GMimeMessage *
parse(const char *data, size_t len, GMimeParserOptions *opts)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

/* Parses and walks one message at the current depth (top or nested). */
static void
walk_raw(bs_mail_ctx *ctx, const char *data, size_t len, bool top)
{
	GMimeParserOptions *opts = parser_options(ctx);
	GMimeMessage *msg;

	skip_from_line(&data, &len);
	msg = len > G_MAXUINT ? NULL : parse(data, len, opts);
	if (!msg) {
		/* Nothing structured: the bytes are still scanned as text, so
		 * a headerless note loses nothing; the status says failed. */
		bs_attachment raw = {"text/plain", NULL, NULL, data, len};

		bs_mail_ctx_defect(ctx, top ? BS_DEFECT_UNPARSABLE : BS_DEFECT_EXTRACT, -1);
		if (len > 0 && bs_mail_ctx_charge(ctx, len))
			bs_mail__dispatch(ctx, &raw, !top);
	} else {
		if (top)
			top_facts(ctx, msg);
		walk_message(ctx, msg, opts);
		g_object_unref(msg);
	}
	g_mime_parser_options_free(opts);
}

void
bs_mail__walk_bytes(bs_mail_ctx *ctx, const char *data, size_t len)
{
	size_t saved;

	if (ctx->depth + 1 > ctx->limits->max_depth) {
		bs_mail_ctx_defect(ctx, BS_DEFECT_DEPTH, -1);
		return;
	}
	ctx->depth++;
	saved = bs_mail__path_push(ctx, 'm', 0);
	walk_raw(ctx, data, len, false);
	bs_mail__path_pop(ctx, saved);
	ctx->depth--;
}

void
bs_mail_ctx_walk_message(bs_mail_ctx *ctx, const char *data, size_t len)
{
	bs_mail__walk_bytes(ctx, data, len);
}

static void
ctx_init(bs_mail_ctx *ctx, const bs_mail_limits *limits, bs_segment_fn *fn, void *user,
         bs_mail_info *info)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->limits = limits;
	ctx->fn = fn;
	ctx->user = user;
	ctx->info = info;
	bs_buf_init(&ctx->path, 4096);
	bs_buf_append(&ctx->path, "", 0);
	bs_buf_init(&ctx->conv, SIZE_MAX / 4);
	bs_buf_init(&ctx->text, limits->max_bytes);
	bs_mail_info_reset(info);
}

static void
ctx_fini(bs_mail_ctx *ctx)
{
	bs_buf_fini(&ctx->path);
	bs_buf_fini(&ctx->conv);
	bs_buf_fini(&ctx->text);
}

static bool
check_args(const void *data, const bs_mail_limits *limits, bs_mail_info *info, GError **error)
{
	if (data && limits && info && info->defects && info->addresses)
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL,
	            "mail walk: missing data, limits or initialised info");
	return false;
}

bool
bs_mail_walk(const char *data, size_t len, const bs_mail_limits *limits, bs_segment_fn *fn,
             void *user, bs_mail_info *out_info, GError **error)
{
	bs_mail_ctx ctx;

	if (!check_args(data, limits, out_info, error))
		return false;
	bs_mail__init_libraries();
	ctx_init(&ctx, limits, fn, user, out_info);
	walk_raw(&ctx, data, len, true);
	ctx_fini(&ctx);
	return true;
}

bool
bs_mail_walk_attachment(const bs_attachment *att, const bs_mail_limits *limits, bs_segment_fn *fn,
                        void *user, bs_mail_info *out_info, GError **error)
{
	bs_mail_ctx ctx;

	if (!check_args(att ? att->data ? att->data : "" : NULL, limits, out_info, error))
		return false;
	bs_mail__init_libraries();
	ctx_init(&ctx, limits, fn, user, out_info);
	bs_mail__path_push(&ctx, 0, 1);
	if (bs_mail_ctx_charge(&ctx, att->len))
		bs_mail_ctx_walk_attachment(&ctx, att);
	ctx_fini(&ctx);
	return true;
}
