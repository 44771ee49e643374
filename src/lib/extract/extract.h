/* extract: text out of attachments, plugged into the mail walk as its
 * extractor hook. PDF (poppler-glib, from memory), DOCX/XLSX/PPTX and
 * ODT/ODS/ODP (libzip from memory + libxml2 reader; runs of a paragraph
 * join without spaces, paragraphs and cells are separated by whitespace),
 * RTF (a small stripper: control words, groups, \'xx in windows-1252, \uN),
 * plain text and CSV by file name, zip archives (libzip) and tar, gzip,
 * 7z, rar (libarchive) recursively and attached messages (.eml) through
 * the walk. Old binary Office files (OLE2) are not read: they are recorded
 * as "unsupported" so the message is partial, never silently skipped. Images and other binary parts
 * are never read as text: when the declared type is generic the magic bytes decide.
 *
 * Limits come from the walk (bs_mail_ctx): nesting depth, expanded bytes,
 * compression ratio per archive member, time per attachment; hitting one
 * records a defect and the walk goes on with the rest.
 *
 * Thread-safety: no global state of ours; libxml2 error reporting is
 * silenced per thread. Everything handed out is borrowed for the call. */
#ifndef BS_EXTRACT_H
#define BS_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "base/base.h"
#include "mail/mail.h"

G_BEGIN_DECLS

typedef enum {
	BS_EXTRACT_NONE = 0,    /* "none": binary or unknown, not scanned */
	BS_EXTRACT_TEXT,        /* "text": plain text, CSV, vCard, ... */
	BS_EXTRACT_HTML,        /* "html" */
	BS_EXTRACT_PDF,         /* "pdf" */
	BS_EXTRACT_OOXML,       /* "ooxml": docx, xlsx, pptx (and their macro/template kin) */
	BS_EXTRACT_ODF,         /* "odf": odt, ods, odp */
	BS_EXTRACT_RTF,         /* "rtf" */
	BS_EXTRACT_ZIP,         /* "zip": any other zip archive */
	BS_EXTRACT_MESSAGE,     /* "message": an attached RFC 5322 message */
	BS_EXTRACT_ARCHIVE,     /* "archive": tar, gzip, bzip2, xz, 7z, rar, cab (libarchive) */
	BS_EXTRACT_UNSUPPORTED, /* "unsupported": a document we cannot read (OLE2 .doc/.xls/.msg):
	                           recorded as a defect, the message is partial */
	BS_EXTRACT_COUNT
} bs_extract_kind;

const char *bs_extract_kind_name(bs_extract_kind kind); /* static; NULL out of range */

/* Decides the extractor: magic bytes first (%PDF, PK zip, {\rtf, images
 * and other known binaries), then the declared type, then the file name's
 * extension. Generic or missing types with unknown content give
 * BS_EXTRACT_NONE. */
bs_extract_kind bs_extract_sniff(const bs_attachment *att);

/* The hook for bs_mail_limits.extract: sniffs, then extracts. */
void bs_extract_attachment(bs_mail_ctx *ctx, const bs_attachment *att);

/* Runs one extractor regardless of sniffing (tests, fuzzing). */
void bs_extract_as(bs_mail_ctx *ctx, bs_extract_kind kind, const bs_attachment *att);

/* bs_mail_limits_init() plus this module's extractor: what the scanner
 * passes to bs_mail_walk() (then overrides limits from the config). */
void bs_extract_limits_init(bs_mail_limits *limits);

/* RTF to text, appended to out as UTF-8. false when out's cap was reached
 * (text kept so far). Pure; exposed for tests. */
bool bs_extract_rtf_text(const char *p, size_t len, bs_buf *out);

G_END_DECLS
#endif
