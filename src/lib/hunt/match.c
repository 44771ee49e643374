/* Matching one message against the IOC lists: sender addresses and
 * domains (From, Sender, Return-Path), display names, the decoded Subject,
 * URLs and their hosts in decoded text and in HTML links, SHA-256 of every
 * decoded leaf part, and the Message-ID.
 *
 * A domain indicator hits only through a URL (scheme://host...) in a body
 * or an HTML href: a mail that merely names the domain in running text is
 * not a hit, because warnings about a campaign ("do not click evil.test")
 * would otherwise be quarantined with it. */
#include "hunt/internal.h"

#include <libxml/HTMLparser.h>

#include "base/base.h"

typedef struct {
	const bs_ioc *ioc;
	bs_ioc_result *out;
	GHashTable *seen; /* matched strings already in out->matched (borrowed) */
	size_t urls;      /* URLs looked at so far */
} match_ctx;

static void
init_once(void)
{
	g_mime_init();
	xmlInitParser();
}

void
bs_hunt__gmime_init(void)
{
	static GOnce once = G_ONCE_INIT;

	g_once(&once, (GThreadFunc)(void (*)(void))init_once, NULL);
}

static void
add_match(match_ctx *m, ioc_list l, const char *indicator)
{
	char *s = g_strconcat(bs_hunt__kind_name(l), ":", indicator, NULL);

	if (g_hash_table_contains(m->seen, s)) {
		g_free(s);
		return;
	}
	g_ptr_array_add(m->out->matched, s);
	g_hash_table_add(m->seen, s);
}

/* Looks up domain and each parent domain ("a.b.c", "b.c", "c") in a set. */
static void
match_domain(match_ctx *m, ioc_list l, const char *host)
{
	GHashTable *set = m->ioc->set[l];

	if (g_hash_table_size(set) == 0)
		return;
	for (const char *d = host; d; d = strchr(d, '.') ? strchr(d, '.') + 1 : NULL) {
		const char *hit = g_hash_table_lookup(set, d);

		if (hit)
			add_match(m, l, hit);
	}
}

static void
match_regex_list(match_ctx *m, ioc_list l, const char *text)
{
	g_autofree char *valid = NULL;
	size_t len;

	if (!text || m->ioc->regex[l]->len == 0)
		return;
	len = MIN(strlen(text), BS_LIMIT_HUNT_MATCH_BYTES);
	valid = g_utf8_make_valid(text, (gssize)len);
	for (guint i = 0; i < m->ioc->regex[l]->len; i++) {
		g_autoptr(GError) err = NULL;

		if (g_regex_match_full(m->ioc->regex[l]->pdata[i], valid, -1, 0, 0, NULL, &err))
			add_match(m, l, m->ioc->lists[l]->pdata[i]);
		else if (err)
			m->out->partial = true; /* PCRE2's match limit: treat as no match */
	}
}

static void
match_mailbox(match_ctx *m, InternetAddress *ia)
{
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	g_autofree char *lower = addr ? g_ascii_strdown(addr, -1) : NULL;
	const char *at = lower ? strrchr(lower, '@') : NULL;
	const char *hit;

	match_regex_list(m, IOC_DISPLAY_NAMES, internet_address_get_name(ia));
	if (!lower)
		return;
	hit = g_hash_table_lookup(m->ioc->set[IOC_SENDERS], lower);
	if (hit)
		add_match(m, IOC_SENDERS, hit);
	if (at)
		match_domain(m, IOC_SENDER_DOMAINS, at + 1);
}

static void
match_address_list(match_ctx *m, InternetAddressList *list, int depth)
{
	int n = list ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && i < BS_LIMIT_HEADER_COUNT; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			match_mailbox(m, ia);
		else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 2)
			match_address_list(
			    m, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			    depth + 1);
	}
}

static void
match_headers(match_ctx *m, GMimeMessage *msg)
{
	const char *rp = g_mime_object_get_header(GMIME_OBJECT(msg), "Return-Path");
	const char *mid = g_mime_message_get_message_id(msg);

	match_address_list(m, g_mime_message_get_from(msg), 0);
	match_address_list(m, g_mime_message_get_sender(msg), 0);
	if (rp) {
		InternetAddressList *list = internet_address_list_parse(NULL, rp);

		match_address_list(m, list, 0);
		if (list)
			g_object_unref(list);
	}
	match_regex_list(m, IOC_SUBJECTS, g_mime_message_get_subject(msg));
	if (mid) {
		const char *hit = g_hash_table_lookup(m->ioc->set[IOC_MESSAGE_IDS], mid);

		g_autofree char *bracketed = hit ? g_strconcat("<", hit, ">", NULL) : NULL;

		if (hit)
			add_match(m, IOC_MESSAGE_IDS, bracketed);
	}
}

/* One URL found in a body: URL indicators match on a prefix that ends at
 * a path, query or fragment boundary; domain indicators on the host. */
static void
match_url(match_ctx *m, const char *url, size_t len)
{
	g_autofree char *norm = NULL;
	g_autofree char *host = NULL;
	GPtrArray *urls = m->ioc->lists[IOC_URLS];

	if (m->urls >= BS_LIMIT_HUNT_URLS) {
		m->out->partial = true;
		return;
	}
	m->urls++;
	norm = bs_hunt__url_normalise(url, len);
	if (!norm)
		return;
	for (guint i = 0; i < urls->len; i++) {
		const char *ioc = urls->pdata[i];
		size_t il = strlen(ioc);

		if (strncmp(norm, ioc, il) == 0 &&
		    (norm[il] == '\0' || strchr("/?#", norm[il]) || ioc[il - 1] == '/'))
			add_match(m, IOC_URLS, ioc);
	}
	host = bs_hunt__url_host(norm, strlen(norm));
	if (host)
		match_domain(m, IOC_DOMAINS, host);
}

static bool
url_char(unsigned char c)
{
	return c > 0x20 && c != 0x7f && !strchr("<>\"'`", c);
}

/* Finds scheme://... runs in decoded text. */
static void
scan_text_urls(match_ctx *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *sep = g_strstr_len(p, end - p, "://");
		const char *s, *e;

		if (!sep)
			return;
		s = sep;
		while (s > text && sep - s < 16 && (g_ascii_isalnum(s[-1]) || strchr("+-.", s[-1])))
			s--;
		e = sep + 3;
		while (e < end && url_char((unsigned char)*e))
			e++;
		while (e > sep + 3 && strchr(".,;:!?)]}", e[-1]))
			e--;
		if (s < sep)
			match_url(m, s, (size_t)(e - s));
		p = MAX(e, sep + 3);
	}
}

static xmlNode *
next_node(xmlNode *n, xmlNode *root)
{
	if (n->children)
		return n->children;
	while (n && n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* href (and form action) values, entity-decoded by libxml2. */
static void
scan_html_links(match_ctx *m, const char *html, size_t len)
{
	static const char *const attrs[] = {"href", "action"};
	htmlDocPtr doc;
	xmlNode *root;

	if (len > INT_MAX)
		return;
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                         HTML_PARSE_NONET);
	if (!doc)
		return;
	root = xmlDocGetRootElement(doc);
	for (xmlNode *n = root; n; n = next_node(n, root)) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
			xmlChar *v = xmlGetProp(n, (const xmlChar *)attrs[i]);

			if (v)
				match_url(m, (const char *)v, strlen((const char *)v));
			xmlFree(v);
		}
	}
	xmlFreeDoc(doc);
}

static void
scan_leaf(match_ctx *m, GMimeObject *obj)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));
	GMimeStream *mem;
	GByteArray *ba;
	char hex[65];
	const char *hit;

	if (!dw)
		return;
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, mem) < 0)
		m->out->partial = true;
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	bs_hunt__sha256_hex(ba->data, ba->len, hex);
	g_object_unref(mem);
	hit = g_hash_table_lookup(m->ioc->set[IOC_ATTACHMENT_SHA256], hex);
	if (hit)
		add_match(m, IOC_ATTACHMENT_SHA256, hit);
	if (GMIME_IS_TEXT_PART(obj)) {
		g_autofree char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
		GMimeContentType *ct = g_mime_object_get_content_type(obj);

		if (!text)
			return;
		scan_text_urls(m, text, strlen(text));
		if (ct && g_mime_content_type_is_type(ct, "text", "html"))
			scan_html_links(m, text, strlen(text));
	}
}

static void
walk(match_ctx *m, GMimeObject *obj, int depth)
{
	if (!obj)
		return;
	if (depth > BS_LIMIT_DEPTH_DEFAULT) {
		m->out->partial = true;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++)
			walk(m, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (inner)
			walk(m, g_mime_message_get_mime_part(inner), depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		scan_leaf(m, obj);
	}
}

static char *
date_dup(GMimeMessage *msg)
{
	GDateTime *d = g_mime_message_get_date(msg);
	g_autoptr(GDateTime) utc = NULL;

	if (!d)
		return NULL;
	utc = g_date_time_to_utc(d);
	return utc ? g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

void
bs_ioc_match(const bs_ioc *ioc, const char *data, size_t len, bs_ioc_result *out)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
	match_ctx m = {.ioc = ioc, .out = out};

	memset(out, 0, sizeof *out);
	out->matched = g_ptr_array_new_with_free_func(g_free);
	bs_hunt__gmime_init();
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg) {
		out->partial = true;
		return;
	}
	m.seen = g_hash_table_new(g_str_hash, g_str_equal);
	if (g_mime_message_get_message_id(msg))
		out->message_id = g_strconcat("<", g_mime_message_get_message_id(msg), ">", NULL);
	out->date = date_dup(msg);
	match_headers(&m, msg);
	walk(&m, g_mime_message_get_mime_part(msg), 0);
	g_hash_table_unref(m.seen);
	g_object_unref(msg);
}

void
bs_ioc_result_fini(bs_ioc_result *r)
{
	g_clear_pointer(&r->message_id, g_free);
	g_clear_pointer(&r->date, g_free);
	g_clear_pointer(&r->matched, g_ptr_array_unref);
}
