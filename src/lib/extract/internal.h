/* extract internals: shared by the files of the extract module only. */
#ifndef BS_EXTRACT_INTERNAL_H
#define BS_EXTRACT_INTERNAL_H

#include "extract/extract.h"

/* PDF through poppler-glib, one segment per page. */
void bs_extract__pdf(bs_mail_ctx *ctx, const bs_attachment *att);

/* Any zip: OOXML and ODF packages are recognised by their entries and read
 * as documents; other archives are walked member by member. */
void bs_extract__zip(bs_mail_ctx *ctx, const bs_attachment *att);

/* Other archives through libarchive (tar, gzip, bzip2, xz, 7z, rar, cab):
 * members walked like zip members. */
void bs_extract__archive(bs_mail_ctx *ctx, const bs_attachment *att);

/* Which XML vocabulary an office part speaks, for its paragraph rules. */
typedef enum {
	BS_XML_BODY,  /* document, sheet, slide, content.xml: break at paragraphs and cells */
	BS_XML_PROPS, /* docProps/core.xml, meta.xml: every element is a field */
	BS_XML_SHEET, /* xlsx worksheet: shared-string indexes are not text */
} bs_xml_mode;

/* Text of one office XML part, emitted as one segment. */
void bs_extract__office_xml(bs_mail_ctx *ctx, bs_xml_mode mode, const char *xml, size_t len);

/* libxml2 reports nothing on this thread (its handlers are per thread). */
void bs_extract__quiet_xml(void);

#endif
