/* json: the one JSON writer. Builds one value (usually one output line)
 * into memory; strings are escaped here and nowhere else, invalid UTF-8
 * becomes U+FFFD. Not thread-safe per object; use one per thread. */
#ifndef BS_JSON_H
#define BS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct bs_json bs_json;

bs_json *bs_json_new(void);
void bs_json_free(bs_json *j); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_json, bs_json_free)

/* key is the member name inside an object; NULL at top level or in arrays. */
void bs_json_obj_begin(bs_json *j, const char *key);
void bs_json_obj_end(bs_json *j);
void bs_json_arr_begin(bs_json *j, const char *key);
void bs_json_arr_end(bs_json *j);
void bs_json_str(bs_json *j, const char *key, const char *val); /* NULL val: null */
void bs_json_strn(bs_json *j, const char *key, const char *p, size_t len);
void bs_json_int(bs_json *j, const char *key, int64_t v);
void bs_json_double(bs_json *j, const char *key, double v);
void bs_json_bool(bs_json *j, const char *key, bool v);
void bs_json_null(bs_json *j, const char *key);
/* A value already written as JSON (json[0..len), e.g. a string that
 * bs_json_escape_append() escaped once for many lines), as it is. */
void bs_json_raw(bs_json *j, const char *key, const char *json, size_t len);

const char *bs_json_text(const bs_json *j); /* borrowed, valid until next call on j */
void bs_json_reset(bs_json *j);             /* empty again, reuse memory */

/* Writes the text and a newline to fp, then resets j. */
void bs_json_print_line(bs_json *j, FILE *fp);

/* Appends the JSON string literal (with quotes) for p/len to out. */
void bs_json_escape_append(GString *out, const char *p, size_t len);

G_END_DECLS
#endif
