/* scope: the loaded form, lookups and grading. */
#include "scope/scope.h"

#include "scope/internal.h"

static const char *const grade_names[] = {
    [BS_GRADE_NONE] = "none",
    [BS_GRADE_WINDOW] = "window",
    [BS_GRADE_SYNCED] = "synced",
    [BS_GRADE_ACCESSED] = "accessed",
};

const char *
bs_grade_name(bs_grade grade)
{
	if ((unsigned)grade >= G_N_ELEMENTS(grade_names))
		return "none";
	return grade_names[grade];
}

bool
bs_grade_from_name(const char *name, bs_grade *out_grade)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(grade_names); i++) {
		if (strcmp(name, grade_names[i]) == 0) {
			*out_grade = (bs_grade)i;
			return true;
		}
	}
	return false;
}

static void
account_free(gpointer p)
{
	bs_scope__account *a = p;

	if (!a)
		return;
	g_free(a->name);
	g_free(a->key);
	if (a->mailboxes)
		g_ptr_array_unref(a->mailboxes);
	if (a->spans)
		g_array_unref(a->spans);
	for (guint i = 0; a->folders && i < a->folders->len; i++)
		g_free(g_array_index(a->folders, bs_scope__folder, i).folder);
	if (a->folders)
		g_array_unref(a->folders);
	if (a->items)
		g_hash_table_unref(a->items);
	g_free(a);
}

bs_scope *
bs_scope__new(void)
{
	bs_scope *s = g_new0(bs_scope, 1);

	s->accounts = g_ptr_array_new_with_free_func(account_free);
	s->by_key = g_hash_table_new(g_str_hash, g_str_equal);
	return s;
}

void
bs_scope_free(bs_scope *scope)
{
	if (!scope)
		return;
	if (scope->by_key)
		g_hash_table_unref(scope->by_key);
	if (scope->accounts)
		g_ptr_array_unref(scope->accounts);
	g_free(scope);
}

bs_scope__account *
bs_scope__account_find(const bs_scope *scope, const char *name)
{
	g_autofree char *key = NULL;

	if (!scope || !name)
		return NULL;
	key = g_ascii_strdown(name, -1);
	return g_hash_table_lookup(scope->by_key, key);
}

bs_scope__account *
bs_scope__account_get(bs_scope *scope, const char *name)
{
	bs_scope__account *a = bs_scope__account_find(scope, name);

	if (a)
		return a;
	a = g_new0(bs_scope__account, 1);
	a->name = g_strdup(name);
	a->key = g_ascii_strdown(name, -1);
	a->mailboxes = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(a->mailboxes, NULL);
	a->spans = g_array_new(FALSE, FALSE, sizeof(bs_scope__span));
	a->folders = g_array_new(FALSE, FALSE, sizeof(bs_scope__folder));
	a->items = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_ptr_array_add(scope->accounts, a);
	g_hash_table_insert(scope->by_key, a->key, a);
	return a;
}

size_t
bs_scope_account_count(const bs_scope *scope)
{
	return scope ? scope->accounts->len : 0;
}

const char *
bs_scope_account_name(const bs_scope *scope, size_t i)
{
	if (!scope || i >= scope->accounts->len)
		return NULL;
	return ((bs_scope__account *)g_ptr_array_index(scope->accounts, i))->name;
}

const char *const *
bs_scope_mailboxes_for(const bs_scope *scope, const char *account)
{
	bs_scope__account *a = bs_scope__account_find(scope, account);

	return a ? (const char *const *)a->mailboxes->pdata : NULL;
}

/* Path without a leading "./" and trailing slashes, as a borrowed slice. */
static size_t
path_trim(const char **p)
{
	size_t len;

	while ((*p)[0] == '.' && (*p)[1] == '/')
		*p += 2;
	len = strlen(*p);
	while (len > 1 && (*p)[len - 1] == '/')
		len--;
	return len;
}

static bool
path_under(const char *entry, const char *path)
{
	size_t elen = path_trim(&entry);
	size_t plen = path_trim(&path);

	if (elen == 0 || plen < elen || memcmp(entry, path, elen) != 0)
		return false;
	return plen == elen || path[elen] == '/' || entry[elen - 1] == '/';
}

const char *
bs_scope_account_for_path(const bs_scope *scope, const char *path)
{
	for (guint i = 0; scope && path && i < scope->accounts->len; i++) {
		bs_scope__account *a = g_ptr_array_index(scope->accounts, i);

		for (guint k = 0; k + 1 < a->mailboxes->len; k++)
			if (path_under(g_ptr_array_index(a->mailboxes, k), path))
				return a->name;
	}
	return NULL;
}

char *
bs_scope__msgid_norm(const char *message_id)
{
	const char *p = message_id;
	size_t len;

	while (*p == ' ' || *p == '\t' || *p == '<')
		p++;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' ||
	                   p[len - 1] == '\n' || p[len - 1] == '>'))
		len--;
	return g_strndup(p, len);
}

char *
bs_scope__folder_norm(const char *folder)
{
	GString *out = g_string_new(NULL);
	bool sep = true; /* drops leading and doubled separators */

	for (const char *p = folder ? folder : ""; *p; p++) {
		bool is_sep = *p == '\\' || *p == '/' || *p == '.';

		if (is_sep && !sep)
			g_string_append_c(out, '/');
		else if (!is_sep)
			g_string_append_c(out, g_ascii_tolower(*p));
		sep = is_sep;
	}
	if (out->len && out->str[out->len - 1] == '/')
		g_string_truncate(out, out->len - 1);
	/* The top folder has many names: Maildir's root, IMAP's INBOX, Outlook's
	 * localised "Inkorgen"; what sits under it keeps its own name. */
	if (out->len == 0)
		g_string_assign(out, "inbox");
	else if (g_str_has_prefix(out->str, "inkorgen") &&
	         (out->str[8] == '\0' || out->str[8] == '/')) {
		g_string_erase(out, 0, 8);
		g_string_prepend(out, "inbox");
	}
	return g_string_free(out, FALSE);
}

static bool
before_end(int64_t date_us, const bs_scope__span *s)
{
	return date_us == BS_SCOPE_DATE_UNKNOWN || s->to_us == BS_SCOPE_OPEN_END ||
	       date_us <= s->to_us;
}

static bs_grade
grade_folder(const bs_scope__account *a, int64_t date_us, const char *folder)
{
	g_autofree char *norm = NULL;

	if (!folder || a->folders->len == 0)
		return BS_GRADE_NONE;
	norm = bs_scope__folder_norm(folder);
	for (guint i = 0; i < a->folders->len; i++) {
		const bs_scope__folder *f = &g_array_index(a->folders, bs_scope__folder, i);

		if (strcmp(f->folder, norm) == 0 && before_end(date_us, &f->span))
			return BS_GRADE_SYNCED;
	}
	return BS_GRADE_NONE;
}

bs_grade
bs_scope_grade(const bs_scope *scope, const char *account_or_mailbox, const char *message_id,
               int64_t date_us, const char *folder)
{
	const bs_scope__account *a;
	bs_grade g;

	if (!scope)
		return BS_GRADE_WINDOW;
	a = bs_scope__account_find(scope, account_or_mailbox);
	if (!a)
		a = bs_scope__account_find(scope,
		                           bs_scope_account_for_path(scope, account_or_mailbox));
	if (!a)
		return BS_GRADE_NONE;
	if (message_id) {
		g_autofree char *id = bs_scope__msgid_norm(message_id);
		gpointer v = g_hash_table_lookup(a->items, id);

		if (v)
			return (bs_grade)GPOINTER_TO_INT(v);
	}
	g = grade_folder(a, date_us, folder);
	if (g != BS_GRADE_NONE)
		return g;
	for (guint i = 0; i < a->spans->len; i++)
		if (before_end(date_us, &g_array_index(a->spans, bs_scope__span, i)))
			return BS_GRADE_WINDOW;
	return BS_GRADE_NONE;
}

bool
bs_scope_time_parse(const char *text, int64_t *out_us)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = NULL;

	/* GLib accepts ordinal and week dates too; a scope time is a calendar
	 * date with a time: YYYY-MM-DDTHH:MM... */
	if (!text || strlen(text) < 16 || !g_ascii_isdigit(text[0]) || text[4] != '-' ||
	    text[7] != '-' || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
		return false;
	dt = g_date_time_new_from_iso8601(text, utc);
	if (!dt)
		return false;
	*out_us = g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
	return true;
}

char *
bs_scope_time_format(int64_t us, char *buf, size_t buf_len)
{
	int64_t secs = us / G_USEC_PER_SEC - (us % G_USEC_PER_SEC < 0 ? 1 : 0);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(secs);

	if (!dt) {
		g_strlcpy(buf, "", buf_len);
		return buf;
	}
	g_snprintf(buf, buf_len, "%04d-%02d-%02dT%02d:%02d:%02dZ", g_date_time_get_year(dt),
	           g_date_time_get_month(dt), g_date_time_get_day_of_month(dt),
	           g_date_time_get_hour(dt), g_date_time_get_minute(dt),
	           g_date_time_get_second(dt));
	return buf;
}
