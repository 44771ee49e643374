/* mail internals: shared by the files of the mail module only. */
#ifndef BS_MAIL_INTERNAL_H
#define BS_MAIL_INTERNAL_H

#include "mail/mail.h"

#define BS_MAIL_MAX_DEFECTS BS_LIMIT_DEFECTS

/* The walk's state; one per bs_mail_walk call, on its stack. */
struct bs_mail_ctx {
	const bs_mail_limits *limits;
	bs_segment_fn *fn;
	void *user;
	bs_mail_info *info;
	bs_buf path;             /* current part path, NUL-terminated */
	unsigned depth;          /* nested messages + archives */
	unsigned mime_depth;     /* multipart nesting */
	bool size_hit;           /* size-limit recorded */
	const char *att_name;    /* current attachment's file name (borrowed) */
	int64_t att_deadline_us; /* monotonic; 0 = no attachment running */
	bool time_hit;           /* time-limit recorded for this attachment */
	bs_buf conv;             /* charset conversion output, reused */
	bs_buf text;             /* HTML text output, reused */
};

void bs_mail__info_defect(bs_mail_info *info, bs_defect_code code, const char *part,
                          int64_t offset);

/* Path stack: push appends a step with a dot: tag 0 gives "<n>" (MIME
 * part), 'm' gives "m" (nested message), 'z' gives "z<n>" (archive
 * member); pop restores the length push returned. */
size_t bs_mail__path_push(bs_mail_ctx *ctx, char tag, unsigned n);
void bs_mail__path_pop(bs_mail_ctx *ctx, size_t saved);

/* Emits one segment (text is repaired to valid UTF-8 if needed). */
void bs_mail__emit(bs_mail_ctx *ctx, bs_where where, const char *name, const char *text,
                   size_t len);

/* Handles a blob that is text, HTML or a message by itself; else hands it
 * to the extractor. Used for MIME parts and archive members alike. */
void bs_mail__dispatch(bs_mail_ctx *ctx, const bs_attachment *att, bool is_attachment);

/* Walks a message already parsed or raw bytes at depth + 1. */
void bs_mail__walk_bytes(bs_mail_ctx *ctx, const char *data, size_t len);

/* Initialises GMime and libxml2 once per process. */
void bs_mail__init_libraries(void);

#endif
