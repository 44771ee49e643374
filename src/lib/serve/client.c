/* Outbound calls through libcurl: the OIDC back-channel (discovery, JWKS,
 * token, userinfo) and SMTP for the e-mail codes. Answers are capped. */
#include "serve/internal.h"

#include <curl/curl.h>

#define CONNECT_TIMEOUT_S 5
#define TOTAL_TIMEOUT_S 10

typedef struct {
	bs_buf buf;
	bool too_big;
} sink;

static size_t
on_data(char *p, size_t size, size_t n, void *user)
{
	sink *s = user;

	if (!bs_buf_append(&s->buf, p, size * n)) {
		s->too_big = true;
		return 0;
	}
	return size * n;
}

static void
common_options(CURL *c)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TOTAL_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
}

char *
bs_serve__http_fetch(const char *url, const char *form, const char *basic_user,
                     const char *basic_pass, const char *bearer, long *out_status, GError **error)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdr = NULL;
	g_autofree char *auth = NULL;
	sink s = {0};
	CURLcode rc;

	if (!c) {
		g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "libcurl failed to start");
		return NULL;
	}
	bs_buf_init(&s.buf, BS_LIMIT_OIDC_BYTES);
	common_options(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (bearer) {
		auth = g_strconcat("Authorization: Bearer ", bearer, NULL);
		hdr = curl_slist_append(hdr, auth);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if (basic_user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, basic_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, basic_pass ? basic_pass : "");
	}
	rc = curl_easy_perform(c);
	*out_status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, out_status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || *out_status != 200) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "%s: %s", url,
		            s.too_big        ? "answer too large"
		            : rc != CURLE_OK ? curl_easy_strerror(rc)
		                             : "status not 200");
		bs_buf_fini(&s.buf);
		return NULL;
	}
	return bs_buf_steal(&s.buf, NULL);
}

typedef struct {
	const char *p;
	size_t left;
} source;

static size_t
on_read(char *out, size_t size, size_t n, void *user)
{
	source *src = user;
	size_t take = MIN(size * n, src->left);

	memcpy(out, src->p, take);
	src->p += take;
	src->left -= take;
	return take;
}

/* Header values we write ourselves; the address was validated by ident. */
static char *
smtp_message(const char *from, const char *to, const char *subject, const char *text)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
	g_autofree char *subj = g_base64_encode((const guchar *)subject, strlen(subject));
	g_autofree char *body = g_base64_encode((const guchar *)text, strlen(text));

	return g_strdup_printf("Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n"
	                       "Subject: =?UTF-8?B?%s?=\r\nMIME-Version: 1.0\r\n"
	                       "Content-Type: text/plain; charset=UTF-8\r\n"
	                       "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n",
	                       date, from, to, subj, body);
}

bool
bs_serve__smtp_send(const bs_srv *srv, const char *to, const char *subject, const char *text,
                    GError **error)
{
	const bs_serve_settings *cfg = &srv->cfg;
	g_autofree char *msg = NULL;
	g_autofree char *from = g_strdup_printf("<%s>", cfg->smtp_from);
	g_autofree char *rcpt_to = g_strdup_printf("<%s>", to);
	struct curl_slist *rcpt = NULL;
	source src;
	CURL *c;
	CURLcode rc;

	if (strpbrk(to, "\r\n<>") || !(c = curl_easy_init())) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE, "smtp: unusable recipient");
		return false;
	}
	msg = smtp_message(cfg->smtp_from, to, subject, text);
	src = (source){msg, strlen(msg)};
	rcpt = curl_slist_append(rcpt, rcpt_to);
	common_options(c);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &src);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	if (cfg->smtp_user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password ? cfg->smtp_password : "");
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	rc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "smtp: %s", curl_easy_strerror(rc));
		return false;
	}
	return true;
}
