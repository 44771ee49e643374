/* scope internals: the loaded form shared by load.c and grade.c. */
#ifndef BS_SCOPE_INTERNAL_H
#define BS_SCOPE_INTERNAL_H

#include "scope/scope.h"

/* A time span in µs; to_us is BS_SCOPE_OPEN_END when open. */
typedef struct {
	int64_t from_us;
	int64_t to_us;
} bs_scope__span;

typedef struct {
	char *folder; /* normalised by bs_scope__folder_norm(); owned */
	bs_scope__span span;
} bs_scope__folder;

typedef struct {
	char *name;           /* as written; owned */
	char *key;            /* ASCII lower case of name; owned */
	GPtrArray *mailboxes; /* char *, NULL-terminated; owned */
	GArray *spans;        /* bs_scope__span: windows and throttled periods */
	GArray *folders;      /* bs_scope__folder */
	GHashTable *items;    /* Message-ID without <> (owned) -> GINT_TO_POINTER(bs_grade) */
} bs_scope__account;

struct bs_scope {
	GPtrArray *accounts; /* bs_scope__account *, owned */
	GHashTable *by_key;  /* key (borrowed) -> bs_scope__account * (borrowed) */
};

bs_scope *bs_scope__new(void);
/* Finds or adds the account named name. Borrowed from scope. */
bs_scope__account *bs_scope__account_get(bs_scope *scope, const char *name);
bs_scope__account *bs_scope__account_find(const bs_scope *scope, const char *name);
/* Folder path as a comparable key: separators '\\' '/' '.' unified, leading
 * ones dropped, ASCII lower case, inbox names ("", inbox, inkorgen) made
 * "inbox". Caller g_free()s. */
char *bs_scope__folder_norm(const char *folder);
/* Message-ID without surrounding blanks and angle brackets; caller g_free()s. */
char *bs_scope__msgid_norm(const char *message_id);

#endif
