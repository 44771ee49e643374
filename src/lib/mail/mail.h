/* mail: walks one message held in memory with GMime 3 and hands every byte
 * a person could have written to a callback as UTF-8 text segments: the
 * people headers (From, To, Cc, Bcc, Reply-To, Sender) and Subject, RFC 2047
 * decoded; every text part decoded from its transfer encoding and charset
 * (windows-1252 when the declared charset lies); HTML turned into text;
 * attachment file names; nested messages. Attachments that are not text go
 * to an extractor hook in bs_mail_limits (the extract module provides it:
 * bs_extract_limits_init()); the hook reports back through bs_mail_ctx.
 *
 * Broken input is data: it becomes defects (one table, bs_defect_code) and
 * the message status ok / partial / failed, never a GError, crash or print.
 *
 * Thread-safety: every call has its own state; walks may run in many threads
 * at once. GMime and libxml2 are initialised once, on first use.
 * Ownership: segments and attachments handed to callbacks are borrowed for
 * the call only; bs_mail_info owns what it holds until reset or fini. */
#ifndef BS_MAIL_H
#define BS_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "base/base.h"

G_BEGIN_DECLS

/* Where a segment came from; names are the index's occurrence.location. */
typedef enum {
	BS_WHERE_HEADER = 0,      /* "header": a people header, decoded */
	BS_WHERE_SUBJECT,         /* "subject" */
	BS_WHERE_BODY,            /* "body": text parts that are not attachments */
	BS_WHERE_ATTACHMENT,      /* "attachment": text extracted from an attachment */
	BS_WHERE_ATTACHMENT_NAME, /* "attachment-name": an attachment's file name */
	BS_WHERE_COUNT
} bs_where;

const char *bs_where_name(bs_where where); /* static string; NULL when out of range */

/* One piece of text. Every field is borrowed for the duration of the call. */
typedef struct {
	bs_where where;
	/* BS_WHERE_HEADER: the header name spelt "From", "To", "Cc", "Bcc",
	 * "Reply-To" or "Sender" (static). Attachment and attachment-name:
	 * the decoded file name, NULL when the part has none. Else NULL. */
	const char *name;
	/* Part path: "" for the top message's headers, "1", "2.1" (MIME parts,
	 * 1-based), "2.m" the message inside message/rfc822 part 2, "3.z4"
	 * member 4 of the archive in part 3. Never holds a file name, so it
	 * may be logged and stored. */
	const char *part;
	unsigned depth;   /* 0 = top message; +1 per nested message or archive */
	const char *text; /* valid UTF-8, not NUL-terminated */
	size_t len;       /* bytes */
} bs_segment;

typedef void bs_segment_fn(const bs_segment *seg, void *user);

typedef enum { BS_MAIL_OK = 0, BS_MAIL_PARTIAL, BS_MAIL_FAILED } bs_mail_status;

const char *bs_mail_status_name(bs_mail_status status); /* "ok" | "partial" | "failed" */

/* The one table of defects (mail/defect.c): name and the status it forces.
 * A "note" defect is recorded in the reason but leaves the status ok. */
typedef enum {
	BS_DEFECT_UNPARSABLE = 1, /* "unparsable": no message at all (failed) */
	BS_DEFECT_TRUNCATED,      /* "truncated": message or part ends early (partial) */
	BS_DEFECT_MULTIPART,    /* "bad-multipart": missing/wrong boundary, no children (partial) */
	BS_DEFECT_MALFORMED,    /* "malformed": other structural damage GMime reports (note) */
	BS_DEFECT_HEADER,       /* "bad-header": invalid, duplicated or conflicting header (note) */
	BS_DEFECT_ENCODED_WORD, /* "bad-encoded-word": broken RFC 2047 (note) */
	BS_DEFECT_8BIT_HEADER,  /* "8bit-header": raw 8-bit header, charset guessed (note) */
	BS_DEFECT_CONTENT_TYPE, /* "bad-content-type": invalid type or parameter (note) */
	BS_DEFECT_ADDRESS,      /* "bad-address": unparsable address list (note) */
	BS_DEFECT_TRANSFER, /* "bad-transfer-encoding": invalid base64/QP bytes skipped (partial) */
	BS_DEFECT_CHARSET, /* "charset-fallback": declared charset lied; windows-1252 used (note) */
	BS_DEFECT_DEPTH, /* "depth-limit": nesting deeper than max_depth, rest skipped (partial) */
	BS_DEFECT_SIZE,  /* "size-limit": max_bytes of decoded text reached (partial) */
	BS_DEFECT_RATIO, /* "ratio-limit": archive member compressed too well (partial) */
	BS_DEFECT_TIME,  /* "time-limit": attachment_ms used up (partial) */
	BS_DEFECT_EXTRACT,     /* "extract-failed": attachment unreadable (partial) */
	BS_DEFECT_ENCRYPTED,   /* "encrypted": encrypted part or archive member (partial) */
	BS_DEFECT_UNSUPPORTED, /* "unsupported": a container we cannot open (partial) */
	BS_DEFECT_COUNT
} bs_defect_code;

const char *bs_defect_name(bs_defect_code code);      /* static; "unknown" out of range */
bs_mail_status bs_defect_status(bs_defect_code code); /* BS_MAIL_OK for notes */

typedef struct {
	bs_defect_code code;
	char *part;     /* owned by the info; a path as in bs_segment.part */
	int64_t offset; /* byte offset in the message (GMime) or in the part; -1 unknown */
} bs_defect;

/* An address from a people header, for resident/staff classification. */
typedef struct {
	const char *header; /* static: "From", "To", "Cc", "Bcc", "Reply-To", "Sender" */
	char *addr;         /* owned; addr-spec "local@domain" as written, UTF-8 */
	unsigned depth;     /* 0 = top message, else a nested (forwarded) one */
} bs_mail_address;

/* What one walk learned. Init once, pass to many walks (each resets it),
 * fini once. message_id, date and the top message's addresses are set
 * before the first segment is handed out, so the caller can pick its
 * reference date (personnummer centuries) before it sees text. */
typedef struct {
	char *message_id;      /* owned; without <>; NULL when absent */
	bool has_date;         /* false: no usable Date or Received date */
	int64_t date_us;       /* UTC µs since the epoch: Date, else topmost Received */
	bs_mail_status status; /* worst of the defects' statuses */
	GArray *defects;       /* of bs_defect, in the order found (capped: see mail.c) */
	GArray *addresses;     /* of bs_mail_address; top message first */
	uint64_t text_len;     /* bytes of text handed to the callback */
	uint64_t expanded_len; /* decoded bytes counted against max_bytes */
	unsigned segment_count;
	unsigned skipped_parts; /* binary parts not scanned (images, unknown types) */
} bs_mail_info;

void bs_mail_info_init(bs_mail_info *info);
void bs_mail_info_fini(bs_mail_info *info);  /* frees what it holds; NULL is a no-op */
void bs_mail_info_reset(bs_mail_info *info); /* empties, keeps the arrays */

/* The stored reason: "truncated at 1 offset 1234; depth-limit at 2.m.1"
 * (part paths and offsets only, never content). NULL when there are no
 * defects. Caller g_free()s. */
char *bs_mail_info_reason_dup(const bs_mail_info *info);

typedef struct bs_mail_ctx bs_mail_ctx;

/* An attachment (or archive member) handed to the extractor. */
typedef struct {
	const char *content_type; /* lower-case "type/subtype" as declared; NULL when unknown */
	const char *filename;     /* decoded file name, NULL when none */
	const char *charset;      /* declared charset parameter, NULL when none */
	const char *data;         /* transfer-decoded bytes, borrowed */
	size_t len;
} bs_attachment;

/* The extractor hook: turns att into text with bs_mail_ctx_emit*(), may
 * recurse with bs_mail_ctx_enter/walk_*, records defects. */
typedef void bs_attachment_fn(bs_mail_ctx *ctx, const bs_attachment *att);

/* Limits (config [scan] max_depth, max_message_bytes, max_ratio,
 * attachment_ms) plus the extractor. */
typedef struct {
	unsigned max_depth;        /* nested messages + archives */
	uint64_t max_bytes;        /* decoded bytes per message (text, attachments, members) */
	unsigned max_ratio;        /* archive member: uncompressed / compressed */
	unsigned attachment_ms;    /* wall time per attachment */
	bs_attachment_fn *extract; /* NULL: non-text attachments are skipped */
} bs_mail_limits;

/* Defaults from base/limits.h, no extractor. */
void bs_mail_limits_init(bs_mail_limits *limits);

/* Walks the message data[0..len) (a whole RFC 5322 message; an mbox
 * "From " line in front is tolerated). Calls fn once per segment: the top
 * message's people headers and Subject first, then parts in order. Fills
 * out_info (initialised by the caller; reset here). Returns true with the
 * status in out_info for every input, broken or not; false with error only
 * for misuse (NULL arguments). */
bool bs_mail_walk(const char *data, size_t len, const bs_mail_limits *limits, bs_segment_fn *fn,
                  void *user, bs_mail_info *out_info, GError **error);

/* Runs one attachment through the same machinery (its file name segment,
 * text decoding or the extractor) without a message around it: for the
 * extract tests and fuzzing. Same contract as bs_mail_walk. */
bool bs_mail_walk_attachment(const bs_attachment *att, const bs_mail_limits *limits,
                             bs_segment_fn *fn, void *user, bs_mail_info *out_info, GError **error);

/* Decodes text declared in charset (NULL: UTF-8 assumed) to UTF-8.
 * Valid UTF-8 declared as UTF-8, ASCII or nothing is returned as p itself
 * (no copy); otherwise the text is converted into out (reset first) and
 * out->data is returned. Invalid UTF-8, ISO-8859-1 and unknown charsets
 * fall back to windows-1252, which accepts every byte; *out_fallback
 * (may be NULL) says whether the declared charset was overridden. */
const char *bs_mail_text_to_utf8(const char *charset, const char *p, size_t len, bs_buf *out,
                                 size_t *out_len, bool *out_fallback);

/* windows-1252 byte to Unicode (undefined bytes map to their C1 code
 * point, as WHATWG does): for extractors decoding \'xx escapes. */
gunichar bs_mail_cp1252_char(unsigned char c);

/* HTML (UTF-8) to text with libxml2's HTML parser: entities decoded,
 * script/style dropped, block elements and <br> become whitespace so cell
 * contents never glue, inline elements add nothing so words never split.
 * Appends to out; false when out's cap was reached (text kept so far). */
bool bs_mail_html_to_text(const char *p, size_t len, bs_buf *out);

/* --- For extractors: the walk's state for the attachment being handled. --- */

const bs_mail_limits *bs_mail_ctx_limits(const bs_mail_ctx *ctx);

/* Hands UTF-8 text of the current attachment to the segment callback
 * (where = attachment, name = its file name). Invalid UTF-8 is repaired.
 * Counts against max_bytes: false (size-limit recorded) when exhausted. */
bool bs_mail_ctx_emit(bs_mail_ctx *ctx, const char *text, size_t len);

/* Same, for text in a declared charset (bs_mail_text_to_utf8 rules). */
bool bs_mail_ctx_emit_charset(bs_mail_ctx *ctx, const char *charset, const char *p, size_t len);

/* Records a defect at the current part path. */
void bs_mail_ctx_defect(bs_mail_ctx *ctx, bs_defect_code code, int64_t offset);

/* Counts len decoded bytes (decompressed members, PDF text) against
 * max_bytes. false, with size-limit recorded once, when it does not fit. */
bool bs_mail_ctx_charge(bs_mail_ctx *ctx, uint64_t len);
uint64_t bs_mail_ctx_remaining(const bs_mail_ctx *ctx); /* bytes left of max_bytes */

/* true (time-limit recorded once) when the current attachment has used
 * attachment_ms; extractors poll it between pages, members and nodes. */
bool bs_mail_ctx_expired(bs_mail_ctx *ctx);

/* Enters archive member number index (0-based): depth + 1, part path
 * + ".z<index>". false (depth-limit recorded) when too deep; otherwise
 * pair with bs_mail_ctx_leave(). */
bool bs_mail_ctx_enter(bs_mail_ctx *ctx, unsigned index);
void bs_mail_ctx_leave(bs_mail_ctx *ctx);

/* Counts a part that is not scanned (image, unknown binary). */
void bs_mail_ctx_skipped(bs_mail_ctx *ctx);

/* Handles an archive member like an attachment: file name segment, then
 * text, HTML, nested message or the extractor. Call between enter/leave. */
void bs_mail_ctx_walk_attachment(bs_mail_ctx *ctx, const bs_attachment *att);

/* Walks an attached message (.eml) found by the extractor: its headers
 * (where = header, depth + 1) and parts, under the same limits. */
void bs_mail_ctx_walk_message(bs_mail_ctx *ctx, const char *data, size_t len);

G_END_DECLS
#endif
