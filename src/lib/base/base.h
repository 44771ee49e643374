/* base: the glue every module stands on: the BS_ERROR domain and its one
 * table of codes and exit statuses, borrowed byte slices, capped buffers,
 * number parsing without atoi/strtol, bounded file reading.
 * Everything here is thread-safe; nothing keeps global mutable state. */
#ifndef BS_BASE_H
#define BS_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "base/limits.h"

G_BEGIN_DECLS

#define BS_ERROR (bs_error_quark())
GQuark bs_error_quark(void);

/* One table of codes in error.c: code, name, exit status. */
typedef enum {
	BS_ERROR_USAGE = 1, /* bad command line: exit 2 */
	BS_ERROR_IO,        /* cannot open, read or write: exit 2 */
	BS_ERROR_PARSE,     /* malformed input file (config, scope, IOC, logs): exit 2 */
	BS_ERROR_LIMIT,     /* input exceeds a named limit: exit 2 */
	BS_ERROR_CONFIG,    /* bad workspace configuration: exit 2 */
	BS_ERROR_WORKSPACE, /* workspace missing, locked or its key unreadable: exit 2 */
	BS_ERROR_STORE,     /* database failure: exit 2 */
	BS_ERROR_CRYPTO,    /* key or seal failure: exit 2 */
	BS_ERROR_NOT_FOUND, /* a named thing does not exist: exit 2 */
	BS_ERROR_PARTIAL,   /* work done but some items failed: exit 1 */
	BS_ERROR_INTERNAL,  /* a defect of ours: exit 2 */
} bs_error_code;

const char *bs_error_name(int code); /* static string; "unknown" for unknown codes */
int bs_error_exit_status(int code);  /* 1 or 2, from the table */

/* Exit statuses shared by every command. */
enum { BS_EXIT_OK = 0, BS_EXIT_FINDINGS = 1, BS_EXIT_FATAL = 2 };

/* Hot paths (ident, detect) return a status and allocate nothing. */
typedef enum {
	BS_OK = 0,
	BS_INVALID, /* syntactically a candidate, fails validation */
	BS_NOMATCH, /* not this kind at all */
	BS_NOMEM,
	BS_FAIL,
} bs_status;

/* Text we did not write: not NUL-terminated, not necessarily UTF-8. */
typedef struct {
	const char *p;
	size_t len;
} bs_slice;

static inline bs_slice
bs_slice_from(const char *s)
{
	bs_slice sl = {s, s ? strlen(s) : 0};
	return sl;
}

/* g_ascii_isspace() as a bit set: GLib's table sits behind an exported
 * pointer, two dependent loads before each byte is tested (ident's trim
 * and detect's label gaps run it for every candidate). */
static inline bool
bs_ascii_space(char c)
{
	const uint64_t set =
	    1ull << ' ' | 1ull << '\t' | 1ull << '\n' | 1ull << '\v' | 1ull << '\f' | 1ull << '\r';

	return (unsigned char)c <= ' ' && (set >> (unsigned char)c & 1);
}

/* A growing byte buffer with a cap. An append past the cap fails and leaves
 * the buffer unchanged; the caller records BS_DEFECT_LIMIT or similar.
 * Always NUL-terminated after data[len] for convenience (not counted). */
typedef struct {
	char *data;   /* owned; g_free() via bs_buf_fini() */
	size_t len;   /* bytes used */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len */
} bs_buf;

void bs_buf_init(bs_buf *b, size_t cap);
void bs_buf_fini(bs_buf *b);
void bs_buf_reset(bs_buf *b); /* len = 0, keeps memory */
bool bs_buf_append(bs_buf *b, const void *p, size_t len);
bool bs_buf_append_c(bs_buf *b, char c);
char *bs_buf_steal(bs_buf *b, size_t *out_len); /* caller g_free()s; buffer empties */

/* Parses a whole slice of ASCII digits. false on empty, non-digit or overflow
 * above max. */
bool bs_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *out_value);

/* Reads a whole file of at most max_len bytes; NUL-terminated copy, caller
 * g_free()s. Error names the file. */
bool bs_file_read(const char *path, size_t max_len, char **out_text, size_t *out_len,
                  GError **error);

/* Parses "YYYY-MM-DD" into a date; false if not a real date. */
bool bs_date_parse(const char *s, GDate *out_date);

/* Escapes for one output context each; caller g_free()s. */
char *bs_escape_html_dup(const char *p, size_t len);

G_END_DECLS
#endif
