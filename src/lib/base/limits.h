/* limits: every size that input controls, with a default, a hard ceiling
 * and the reason. Config keys override defaults, never ceilings. */
#ifndef BS_LIMITS_H
#define BS_LIMITS_H

/* A term file is a hand-written word list; anything bigger is a mistake. */
#define BS_LIMIT_TERM_FILE_BYTES (4u * 1024 * 1024)
/* Longest token ident looks at; every identifier we know is under 64. */
#define BS_LIMIT_IDENT_LEN 320
/* Context window for detect, bytes each side of a candidate. */
#define BS_LIMIT_CONTEXT_BYTES 48
/* detect keeps this much of the previous chunk for context and
 * boundary-spanning candidates; bounds memory per stream. 1024: a match
 * is decided up to 192 bytes after its end (the words of a phrase after
 * its key word), and then an e-mail address is recovered by walking back
 * up to 320 bytes from its end (local part 64 + '@' + domain 255), plus
 * a UTF-8 character before it: 576, rounded up. */
#define BS_LIMIT_DETECT_TAIL 1024
/* Term files: one term is a word or a short phrase. */
#define BS_LIMIT_TERM_BYTES 128
#define BS_LIMIT_TERM_WORDS 8
/* All terms of all files; Vectorscan compile time grows with them. */
#define BS_LIMIT_TERMS 100000
/* Category files (the category is a uint16_t index). */
#define BS_LIMIT_CATEGORIES 1024
/* Config, scope and IOC files are hand-edited JSON/INI. */
#define BS_LIMIT_CONFIG_BYTES (1u * 1024 * 1024)
#define BS_LIMIT_SCOPE_BYTES (256u * 1024 * 1024)
#define BS_LIMIT_IOC_BYTES (16u * 1024 * 1024)
/* JSON nesting: hand-written files never go deeper. */
#define BS_LIMIT_JSON_DEPTH 64

/* Mail walking (defaults; config keys in [scan]). */
#define BS_LIMIT_DEPTH_DEFAULT 8 /* nested message/archive depth */
#define BS_LIMIT_DEPTH_CEILING 32
#define BS_LIMIT_MESSAGE_BYTES_DEFAULT (256ull * 1024 * 1024) /* expanded bytes per message */
#define BS_LIMIT_MESSAGE_BYTES_CEILING (4ull * 1024 * 1024 * 1024)
#define BS_LIMIT_RATIO_DEFAULT 100 /* compression ratio guard (zip bombs) */
#define BS_LIMIT_RATIO_MIN_BYTES                                                                   \
	(1u * 1024 * 1024)            /* members smaller than this skip the ratio guard: harmless */
#define BS_LIMIT_RATIO_CEILING 100000 /* beyond this a guard guards nothing */
#define BS_LIMIT_ATTACHMENT_MS_DEFAULT 10000  /* per-attachment time budget */
#define BS_LIMIT_ATTACHMENT_MS_CEILING 600000 /* ten minutes on one attachment is a hang */
#define BS_LIMIT_THREADS_CEILING 256          /* scanner threads; 0 means one per core */
/* Config: values and list lengths a hand-edited file never exceeds. */
#define BS_LIMIT_CONFIG_VALUE_BYTES 4096
#define BS_LIMIT_CONFIG_LIST_COUNT 256
#define BS_LIMIT_HEADER_COUNT 2000              /* headers per message */
#define BS_LIMIT_LINE_BYTES (64u * 1024 * 1024) /* one mbox line */
#define BS_LIMIT_DEFECTS 32    /* distinct defects kept per message: reason stays readable */
#define BS_LIMIT_MIME_DEPTH 64 /* multipart nesting walked (GMime stops its parser deeper) */
#define BS_LIMIT_XML_NODES (16u * 1024 * 1024) /* reader nodes per attachment XML part */

/* hunt: IOC lists are hand-made or exported from a threat feed. */
#define BS_LIMIT_IOC_ENTRIES 100000    /* indicators per list */
#define BS_LIMIT_IOC_STRING_BYTES 4096 /* one indicator */
#define BS_LIMIT_IOC_REGEX_BYTES 1024  /* one subject / display-name pattern */
/* Header text handed to an IOC regex; PCRE2's match limit bounds the time. */
#define BS_LIMIT_HUNT_MATCH_BYTES (16u * 1024)
#define BS_LIMIT_HUNT_URLS 10000   /* URLs looked at per message */
#define BS_LIMIT_HUNT_TREE_DEPTH 8 /* directory levels below a SOURCE */
/* One manifest or journal line; records are a few hundred bytes. */
#define BS_LIMIT_HUNT_RECORD_BYTES (1u * 1024 * 1024)
/* One IMAP response line (without literals) and one literal (a message). */
#define BS_LIMIT_IMAP_LINE_BYTES (1u * 1024 * 1024)

/* HTTP (serve). */
#define BS_LIMIT_HTTP_BODY (64u * 1024)
#define BS_LIMIT_FORM_FIELDS 32
/* The incident notice and dev-residents files are short hand-written texts. */
#define BS_LIMIT_NOTICE_BYTES (64u * 1024)
/* Live sessions in memory (~1 KB each); new ones are refused beyond it. */
#define BS_LIMIT_SESSIONS 200000
/* Outbound OIDC answers (discovery, JWKS, token): small JSON documents. */
#define BS_LIMIT_OIDC_BYTES (256u * 1024)

/* Sign-in and audit logs (signins): one record (a JSON object or a CSV row,
 * AuditData included). A MailItemsAccessed Bind record lists the items of
 * two minutes; real ones stay far below this. */
#define BS_LIMIT_LOG_RECORD_BYTES (4u * 1024 * 1024)
/* Columns of a log CSV; the portal's widest export has 56. */
#define BS_LIMIT_CSV_FIELDS 512

/* Identifiers of one text checked for protected-identity words close by
 * (scan facts): a list longer than this keeps the message-level flag only. */
#define BS_LIMIT_NEAR_CHECKS 100000

/* Letter templates (report): a hand-written page of text. */
#define BS_LIMIT_TEMPLATE_BYTES (64u * 1024)

/* PostgreSQL store: subjects (id, role) remembered per connection so that a
 * repeated identifier costs no round trip; ~100 bytes each, emptied when full. */
#define BS_LIMIT_STORE_SUBJECT_CACHE 262144

#endif
