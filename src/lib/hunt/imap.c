/* IMAP sources (imap:// and imaps://). */
#include "hunt/internal.h"

#include <sys/stat.h>

#include "base/base.h"

struct bs_imap_auth {
	char *user;        /* login (or the mailbox user when master_user is set) */
	char *password;    /* owned; wiped on free */
	char *master_user; /* NULL unless master-user login */
	char *ca_file;     /* NULL: system CAs */
	bool insecure;     /* skip certificate checks (test servers only) */
};

void
bs_imap_auth_free(bs_imap_auth *auth)
{
	if (!auth)
		return;
	g_free(auth->user);
	if (auth->password)
		memset(auth->password, 0, strlen(auth->password));
	g_free(auth->password);
	g_free(auth->master_user);
	g_free(auth->ca_file);
	g_free(auth);
}

static char *
key_string(GKeyFile *kf, const char *key)
{
	return g_key_file_get_string(kf, "imap", key, NULL);
}

bs_imap_auth *
bs_imap_auth_load(const char *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	bs_imap_auth *auth;
	struct stat st;

	if (stat(path, &st) != 0 || (st.st_mode & 077) != 0) {
		g_set_error(
		    error, BS_ERROR, BS_ERROR_CONFIG,
		    "\"%s\": missing, or readable by others (it holds a password: chmod 600)",
		    path);
		return NULL;
	}
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "\"%s\": %s", path, local->message);
		return NULL;
	}
	auth = g_new0(bs_imap_auth, 1);
	auth->user = key_string(kf, "user");
	auth->password = key_string(kf, "password");
	auth->master_user = key_string(kf, "master_user");
	auth->ca_file = key_string(kf, "ca_file");
	auth->insecure = g_key_file_get_boolean(kf, "imap", "insecure", NULL);
	if (!auth->password) {
		g_set_error(error, BS_ERROR, BS_ERROR_CONFIG, "\"%s\": [imap] password is missing",
		            path);
		bs_imap_auth_free(auth);
		return NULL;
	}
	return auth;
}

bool
bs_hunt__is_imap_url(const char *s)
{
	return g_ascii_strncasecmp(s, "imap://", 7) == 0 ||
	       g_ascii_strncasecmp(s, "imaps://", 8) == 0;
}

bool
bs_hunt__imap_hunt(const bs_hunt_options *opt, hunt_q *q, const char *url, bs_hunt_stats *stats,
                   GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "\"%s\": IMAP sources are not built yet", url);
	return false;
}

bool
bs_hunt__recover_imap(hunt_q *q, json_t *rec, GError **error)
{
	return true;
}

bool
bs_hunt__imap_restore(hunt_q *q, json_t *entry, const bs_imap_auth *auth, GError **error)
{
	g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "IMAP restore is not built yet");
	return false;
}
