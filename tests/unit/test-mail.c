/* mail: the message walk. Messages are built in the test; every case is a
 * table row naming what it checks. */
#include "mail/mail.h"

#include <stdio.h>

#include "synth.h"

/* What a walk handed out, copied for inspection. */
typedef struct {
	bs_where where;
	char *name;
	char *part;
	unsigned depth;
	char *text;
} seen_segment;

typedef struct {
	GPtrArray *segments; /* of seen_segment */
	bs_mail_info info;
	char *reason;
	bool invalid_utf8; /* a segment broke the UTF-8 promise */
} walk_result;

static void
free_seen(gpointer p)
{
	seen_segment *s = p;

	g_free(s->name);
	g_free(s->part);
	g_free(s->text);
	g_free(s);
}

static void
on_segment(const bs_segment *seg, void *user)
{
	walk_result *r = user;
	seen_segment *s = g_new0(seen_segment, 1);

	if (!g_utf8_validate_len(seg->text, seg->len, NULL))
		r->invalid_utf8 = true;
	s->where = seg->where;
	s->name = g_strdup(seg->name);
	s->part = g_strdup(seg->part);
	s->depth = seg->depth;
	s->text = g_strndup(seg->text, seg->len);
	g_ptr_array_add(r->segments, s);
}

static walk_result *
walk_with(const char *msg, size_t len, const bs_mail_limits *lim)
{
	walk_result *r = g_new0(walk_result, 1);
	g_autoptr(GError) error = NULL;

	r->segments = g_ptr_array_new_with_free_func(free_seen);
	bs_mail_info_init(&r->info);
	g_assert_true(bs_mail_walk(msg, len, lim, on_segment, r, &r->info, &error));
	g_assert_no_error(error);
	g_assert_false(r->invalid_utf8);
	r->reason = bs_mail_info_reason_dup(&r->info);
	return r;
}

static walk_result *
walk(const char *msg)
{
	bs_mail_limits lim;

	bs_mail_limits_init(&lim);
	return walk_with(msg, strlen(msg), &lim);
}

static void
walk_result_free(walk_result *r)
{
	g_ptr_array_unref(r->segments);
	bs_mail_info_fini(&r->info);
	g_free(r->reason);
	g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(walk_result, walk_result_free)

/* The first segment at where whose text contains needle; NULL if none. */
static const seen_segment *
find(const walk_result *r, bs_where where, const char *needle)
{
	for (guint i = 0; i < r->segments->len; i++) {
		const seen_segment *s = r->segments->pdata[i];

		if (s->where == where && strstr(s->text, needle))
			return s;
	}
	return NULL;
}

static bool
text_anywhere(const walk_result *r, const char *needle)
{
	for (guint i = 0; i < r->segments->len; i++)
		if (strstr(((const seen_segment *)r->segments->pdata[i])->text, needle))
			return true;
	return false;
}

static bool
has_defect(const walk_result *r, bs_defect_code code)
{
	for (guint i = 0; i < r->info.defects->len; i++)
		if (g_array_index(r->info.defects, bs_defect, i).code == code)
			return true;
	return false;
}

/* A one-part message around a body with the given headers. */
static char *
one_part(const char *content_type, const char *cte, const char *body)
{
	return g_strdup_printf("From: sender@example.org\r\nTo: rcpt@kommun.example\r\n"
	                       "Subject: test\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
	                       "MIME-Version: 1.0\r\nContent-Type: %s\r\n"
	                       "Content-Transfer-Encoding: %s\r\n\r\n%s\r\n",
	                       content_type, cte, body);
}

/* --- charsets --- */

static const struct charset_case {
	const char *what;
	const char *content_type;
	const char *cte;
	const char *body;
	const char *expect;
	bool fallback; /* a charset-fallback defect is expected */
} charset_cases[] = {
    {"utf-8 8bit", "text/plain; charset=utf-8", "8bit", "Malm\xc3\xb6 g\xc3\xa5r", "Malmö går",
     false},
    {"iso-8859-1 quoted-printable", "text/plain; charset=iso-8859-1", "quoted-printable",
     "Malm=F6 g=E5r", "Malmö går", false},
    {"iso-8859-1 8bit", "text/plain; charset=ISO-8859-1", "8bit", "Malm\xf6", "Malmö", false},
    {"windows-1252 lying as iso-8859-1", "text/plain; charset=iso-8859-1", "quoted-printable",
     "pris =80 100 =96 slut =93citat=94", "pris € 100 – slut “citat”", false},
    {"windows-1252 lying as utf-8", "text/plain; charset=utf-8", "8bit", "Malm\xf6 \x80", "Malmö €",
     true},
    {"utf-8 lying as iso-8859-1", "text/plain; charset=iso-8859-1", "8bit", "Malm\xc3\xb6", "Malmö",
     true},
    {"no charset, 8-bit windows-1252", "text/plain", "8bit", "G\xf6teborg", "Göteborg", true},
    {"us-ascii with 8-bit bytes", "text/plain; charset=us-ascii", "8bit", "V\xe4ster\xe5s",
     "Västerås", true},
    {"base64 utf-8", "text/plain; charset=utf-8", "base64", "TWFsbcO2IGfDpXI=", "Malmö går", false},
    {"windows-1251 through iconv", "text/plain; charset=windows-1251", "8bit",
     "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет", false},
    {"unknown charset falls back", "text/plain; charset=x-no-such-charset", "8bit", "Sk\xe5ne",
     "Skåne", true},
    {"csv part is text", "text/csv; charset=iso-8859-1", "8bit", "namn;ort\r\nK\xe5re;Lund",
     "Kåre;Lund", false},
};

static void
test_charsets_decode_to_utf8(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(charset_cases); i++) {
		const struct charset_case *c = &charset_cases[i];
		g_autofree char *msg = one_part(c->content_type, c->cte, c->body);
		g_autoptr(walk_result) r = walk(msg);

		g_test_message("row %zu: %s", i, c->what);
		g_assert_nonnull(find(r, BS_WHERE_BODY, c->expect));
		g_assert_cmpint(has_defect(r, BS_DEFECT_CHARSET), ==, c->fallback);
		g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	}
}

/* --- headers --- */

static const struct header_case {
	const char *what;
	const char *line; /* raw header line(s) */
	bs_where where;
	const char *name;
	const char *expect;
} header_cases[] = {
    {"utf-8 base64 subject", "Subject: =?utf-8?b?SGVqIHDDpSBkaWc=?=", BS_WHERE_SUBJECT, NULL,
     "Hej på dig"},
    {"iso-8859-1 q subject", "Subject: =?iso-8859-1?q?Ans=F6kan_om_bygglov?=", BS_WHERE_SUBJECT,
     NULL, "Ansökan om bygglov"},
    {"folded subject", "Subject: Ärende\r\n angående skolskjuts", BS_WHERE_SUBJECT, NULL,
     "angående skolskjuts"},
    {"adjacent encoded words join",
     "Subject: =?utf-8?q?Bo?= =?utf-8?q?r=C3=A5s?=", BS_WHERE_SUBJECT, NULL, "Borås"},
    {"from display name", "From: =?windows-1252?q?J=F6rgen_=C5berg?= <jorgen@example.org>",
     BS_WHERE_HEADER, "From", "Jörgen Åberg <jorgen@example.org>"},
    {"cc", "Cc: \"Lind, Eva\" <eva.lind@example.net>", BS_WHERE_HEADER, "Cc",
     "eva.lind@example.net"},
    {"bcc", "Bcc: dold@example.com", BS_WHERE_HEADER, "Bcc", "dold@example.com"},
    {"reply-to", "Reply-To: svar@example.com", BS_WHERE_HEADER, "Reply-To", "svar@example.com"},
    {"sender lower case name", "sender: ombud@example.com", BS_WHERE_HEADER, "Sender",
     "ombud@example.com"},
    {"raw 8-bit utf-8 header", "Subject: Bj\xc3\xb6rn", BS_WHERE_SUBJECT, NULL, "Björn"},
    {"raw 8-bit latin-1 header", "Subject: Bj\xf6rn", BS_WHERE_SUBJECT, NULL, "Björn"},
};

static void
test_people_headers_and_subject_decoded(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(header_cases); i++) {
		const struct header_case *c = &header_cases[i];
		g_autofree char *msg =
		    g_strdup_printf("%s\r\nTo: a@kommun.example\r\n"
		                    "X-Note: not-a-people-header\r\n\r\nbody\r\n",
		                    c->line);
		g_autoptr(walk_result) r = walk(msg);
		const seen_segment *s = find(r, c->where, c->expect);

		g_test_message("row %zu: %s", i, c->what);
		g_assert_nonnull(s);
		g_assert_cmpstr(s->name, ==, c->name);
		g_assert_cmpstr(s->part, ==, "");
		g_assert_false(text_anywhere(r, "not-a-people-header"));
	}
}

static void
test_addresses_from_people_headers(void)
{
	static const char msg[] =
	    "From: =?utf-8?q?Anna_=C3=96berg?= <anna@example.org>\r\n"
	    "To: handl@kommun.example, Lista: a@example.net, b@example.net;\r\n"
	    "Cc: \"C\" <c@example.com>\r\nReply-To: r@example.com\r\n\r\nbody\r\n";
	static const struct {
		const char *header, *addr;
	} want[] = {{"From", "anna@example.org"}, {"To", "handl@kommun.example"},
	            {"To", "a@example.net"},      {"To", "b@example.net"},
	            {"Cc", "c@example.com"},      {"Reply-To", "r@example.com"}};
	g_autoptr(walk_result) r = walk(msg);

	g_assert_cmpuint(r->info.addresses->len, ==, G_N_ELEMENTS(want));
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		const bs_mail_address *a = &g_array_index(r->info.addresses, bs_mail_address, i);

		g_test_message("row %zu", i);
		g_assert_cmpstr(a->header, ==, want[i].header);
		g_assert_cmpstr(a->addr, ==, want[i].addr);
		g_assert_cmpuint(a->depth, ==, 0);
	}
}

/* --- date and Message-ID --- */

static const struct date_case {
	const char *what;
	const char *headers;
	bool has_date;
	const char *iso; /* UTC */
} date_cases[] = {
    {"date header", "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n", true, "2026-03-02T09:00:00Z"},
    {"date wins over received",
     "Received: from a by b; Tue, 3 Mar 2026 10:00:00 +0000\r\n"
     "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n",
     true, "2026-03-02T10:00:00Z"},
    {"topmost received without date",
     "Received: from a by b; Wed, 4 Mar 2026 12:00:00 +0000\r\n"
     "Received: from c by d;\r\n Tue, 3 Mar 2026 10:00:00 +0000\r\n",
     true, "2026-03-04T12:00:00Z"},
    {"broken date falls back to received",
     "Received: from a by b; Wed, 4 Mar 2026 12:00:00 +0000\r\nDate: yesterday-ish\r\n", true,
     "2026-03-04T12:00:00Z"},
    {"nothing usable", "Subject: no date\r\n", false, NULL},
};

static void
test_date_from_date_then_received(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(date_cases); i++) {
		const struct date_case *c = &date_cases[i];
		g_autofree char *msg =
		    g_strdup_printf("%sFrom: a@example.org\r\n\r\nx\r\n", c->headers);
		g_autoptr(walk_result) r = walk(msg);

		g_test_message("row %zu: %s", i, c->what);
		g_assert_cmpint(r->info.has_date, ==, c->has_date);
		if (c->has_date) {
			g_autoptr(GDateTime) dt =
			    g_date_time_new_from_unix_utc(r->info.date_us / G_USEC_PER_SEC);
			g_autofree char *iso = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");

			g_assert_cmpstr(iso, ==, c->iso);
		}
	}
}

/* The caller needs the date before it sees any text. */
static void
date_seen_first(const bs_segment *seg, void *user)
{
	const bs_mail_info *info = user;

	g_assert_true(info->has_date);
	g_assert_cmpstr(info->message_id, ==, "id-1@example.org");
}

static void
test_facts_set_before_first_segment(void)
{
	static const char msg[] = "Subject: s\r\nMessage-ID: <id-1@example.org>\r\n"
	                          "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n\r\nbody\r\n";
	bs_mail_limits lim;
	bs_mail_info info;

	bs_mail_limits_init(&lim);
	bs_mail_info_init(&info);
	g_assert_true(bs_mail_walk(msg, strlen(msg), &lim, date_seen_first, &info, &info, NULL));
	g_assert_cmpuint(info.segment_count, ==, 2);
	bs_mail_info_fini(&info);
}

/* --- HTML --- */

static const struct html_case {
	const char *what;
	const char *html;
	const char *expect; /* in the text */
	const char *refuse; /* never in the text; NULL: no check */
} html_cases[] = {
    {"cells never glue", "<table><tr><td>19850101</td><td>2384</td></tr></table>", "2384",
     "198501012384"},
    {"inline tags never split", "<p><b>per</b>sonnummer</p>", "personnummer", NULL},
    {"spans join digits", "<span>1985</span><span>0101</span>", "19850101", NULL},
    {"br separates", "rad ett<br>rad två", "rad två", "ettrad"},
    {"paragraphs separate", "<p>första</p><p>andra</p>", "andra", "förstaandra"},
    {"divs separate", "<div>a1</div><div>b2</div>", "b2", "a1b2"},
    {"list items separate", "<ul><li>x1</li><li>y2</li></ul>", "y2", "x1y2"},
    {"named and numeric entities", "<p>&auml;&#229;&#x00F6; &amp; &lt;tag&gt;</p>", "äåö & <tag>",
     NULL},
    {"nbsp is a plain space", "<p>850101&nbsp;2384 och&#160;mer</p>", "850101 2384 och mer", NULL},
    {"script dropped", "<script>var secret = 'hemlig';</script><p>synlig</p>", "synlig", "hemlig"},
    {"style dropped", "<style>.x { color: red }</style>text", "text", "color"},
    {"comments dropped", "<!-- dold kommentar -->ja", "ja", "kommentar"},
    {"unclosed tags recover", "<p>ett<td>tv<b>å", "två", NULL},
    {"meta charset ignored for decoded text", "<meta charset=\"iso-8859-1\"><p>Malm\xc3\xb6</p>",
     "Malmö", NULL},
};

static void
test_html_to_text_keeps_word_boundaries(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(html_cases); i++) {
		const struct html_case *c = &html_cases[i];
		bs_buf out;

		g_test_message("row %zu: %s", i, c->what);
		bs_buf_init(&out, 1u << 20);
		g_assert_true(bs_mail_html_to_text(c->html, strlen(c->html), &out));
		g_assert_nonnull(out.data);
		g_assert_nonnull(strstr(out.data, c->expect));
		if (c->refuse)
			g_assert_null(strstr(out.data, c->refuse));
		bs_buf_fini(&out);
	}
}

static void
test_html_part_in_declared_charset(void)
{
	g_autofree char *msg = one_part("text/html; charset=iso-8859-1", "quoted-printable",
	                                "<html><body><td>M=E5ndag</td><td>kl 9</td></body></html>");
	g_autoptr(walk_result) r = walk(msg);

	g_assert_nonnull(find(r, BS_WHERE_BODY, "Måndag"));
	g_assert_null(find(r, BS_WHERE_BODY, "Måndagkl"));
	g_assert_null(find(r, BS_WHERE_BODY, "<td>"));
}

/* --- structure --- */

static const char nested_msg[] =
    "From: outer@example.org\r\nTo: a@kommun.example\r\nSubject: Fwd: ansökan\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n"
    "--OUT\r\nContent-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n"
    "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n"
    "--ALT\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html version</p>\r\n"
    "--ALT--\r\n"
    "--OUT\r\nContent-Type: message/rfc822\r\n"
    "Content-Disposition: attachment; filename=\"orig.eml\"\r\n\r\n"
    "From: =?utf-8?q?Inner_P=C3=A9rson?= <inner@example.net>\r\nSubject: original\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\ninre br=F6dtext\r\n"
    "--OUT\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Disposition: attachment; filename=\"=?utf-8?q?lista_=C3=B6ver_namn.txt?=\"\r\n"
    "\r\nbifogad text\r\n"
    "--OUT\r\nContent-Type: image/png; name=\"bild.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf\r\n"
    "--OUT--\r\n";

static const struct structure_case {
	const char *what;
	bs_where where;
	const char *text;
	const char *name;
	const char *part;
	unsigned depth;
} structure_cases[] = {
    {"outer subject", BS_WHERE_SUBJECT, "Fwd: ansökan", NULL, "", 0},
    {"alternative plain", BS_WHERE_BODY, "plain version", NULL, "1.1", 0},
    {"alternative html", BS_WHERE_BODY, "html version", NULL, "1.2", 0},
    {"nested message's from", BS_WHERE_HEADER, "Inner Pérson", "From", "2.m", 1},
    {"nested message's subject", BS_WHERE_SUBJECT, "original", NULL, "2.m", 1},
    {"nested message's body", BS_WHERE_BODY, "inre brödtext", NULL, "2.m.1", 1},
    {"message attachment name", BS_WHERE_ATTACHMENT_NAME, "orig.eml", "orig.eml", "2", 0},
    {"encoded attachment name", BS_WHERE_ATTACHMENT_NAME, "lista över namn.txt",
     "lista över namn.txt", "3", 0},
    {"text attachment", BS_WHERE_ATTACHMENT, "bifogad text", "lista över namn.txt", "3", 0},
    {"image name only", BS_WHERE_ATTACHMENT_NAME, "bild.png", "bild.png", "4", 0},
};

static void
test_nested_parts_paths_and_depths(void)
{
	g_autoptr(walk_result) r = walk(nested_msg);

	for (size_t i = 0; i < G_N_ELEMENTS(structure_cases); i++) {
		const struct structure_case *c = &structure_cases[i];
		const seen_segment *s = find(r, c->where, c->text);

		g_test_message("row %zu: %s", i, c->what);
		g_assert_nonnull(s);
		g_assert_cmpstr(s->name, ==, c->name);
		g_assert_cmpstr(s->part, ==, c->part);
		g_assert_cmpuint(s->depth, ==, c->depth);
	}
	g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	g_assert_cmpuint(r->info.skipped_parts, ==, 1); /* the image, never decoded */
	g_assert_false(text_anywhere(r, "PNG"));
	/* The nested From is an address too, at depth 1. */
	g_assert_cmpuint(r->info.addresses->len, ==, 3);
	g_assert_cmpuint(g_array_index(r->info.addresses, bs_mail_address, 2).depth, ==, 1);
}

static void
test_binary_parts_not_scanned(void)
{
	static const char *const types[] = {"image/jpeg", "audio/mpeg", "video/mp4",
	                                    "application/octet-stream"};

	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		/* "c2VjcmV0IDE5ODUwMTAx" is base64 of text: still not scanned. */
		g_autofree char *msg = one_part(types[i], "base64", "c2VjcmV0IDE5ODUwMTAx");
		g_autoptr(walk_result) r = walk(msg);

		g_test_message("row %zu: %s", i, types[i]);
		g_assert_null(find(r, BS_WHERE_BODY, "secret"));
		g_assert_null(find(r, BS_WHERE_ATTACHMENT, "secret"));
		g_assert_cmpuint(r->info.skipped_parts, ==, 1);
		g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
	}
}

/* --- broken input and limits --- */

static const struct defect_case {
	const char *what;
	const char *msg;
	bs_mail_status status;
	bs_defect_code code;
	const char *still_found; /* text that must survive; NULL: none */
} defect_cases[] = {
    {"empty input", "", BS_MAIL_FAILED, BS_DEFECT_UNPARSABLE, NULL},
    {"no headers at all", "\x01\x02 just bytes 4711\n", BS_MAIL_FAILED, BS_DEFECT_UNPARSABLE,
     "just bytes 4711"},
    {"truncated multipart",
     "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
     "Content-Type: text/plain\r\n\r\ncut here 4711",
     BS_MAIL_PARTIAL, BS_DEFECT_TRUNCATED, "cut here 4711"},
    {"wrong boundary",
     "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=AAA\r\n\r\n--BBB\r\n"
     "Content-Type: text/plain\r\n\r\nhidden 4711\r\n--BBB--\r\n",
     BS_MAIL_PARTIAL, BS_DEFECT_TRUNCATED, "hidden 4711"},
    {"bad base64",
     "From: a@example.org\r\nContent-Type: text/plain\r\n"
     "Content-Transfer-Encoding: base64\r\n\r\nSGVqIH!!!Zp\r\n",
     BS_MAIL_PARTIAL, BS_DEFECT_TRANSFER, NULL},
    {"encrypted multipart",
     "From: a@example.org\r\nContent-Type: multipart/encrypted; boundary=E;"
     " protocol=\"application/pgp-encrypted\"\r\n\r\n--E\r\n"
     "Content-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--E\r\n"
     "Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n--E--\r\n",
     BS_MAIL_PARTIAL, BS_DEFECT_ENCRYPTED, NULL},
    {"bare LF before a CRLF boundary keeps the last base64 group",
     "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
     "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     "aW5uZXIgYm9keSA0NzEx\n--B--\r\n",
     BS_MAIL_OK, 0, "inner body 4711"},
    {"duplicated header is a note", "Subject: a\r\nSubject: a\r\nFrom: a@example.org\r\n\r\nx\r\n",
     BS_MAIL_OK, BS_DEFECT_HEADER, NULL},
};

static void
test_broken_messages_get_status_and_reason(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(defect_cases); i++) {
		const struct defect_case *c = &defect_cases[i];
		g_autoptr(walk_result) r = walk(c->msg);

		g_test_message("row %zu: %s (reason %s)", i, c->what, r->reason);
		g_assert_cmpint(r->info.status, ==, c->status);
		if (c->code) {
			g_assert_true(has_defect(r, c->code));
			g_assert_nonnull(r->reason);
			g_assert_nonnull(strstr(r->reason, bs_defect_name(c->code)));
		}
		if (c->still_found)
			g_assert_true(text_anywhere(r, c->still_found));
	}
}

/* n messages each forwarded inside the next. */
static char *
nested_messages(unsigned n)
{
	GString *s =
	    g_string_new("From: a@example.org\r\nContent-Type: text/plain\r\n\r\nlevel 0\r\n");

	for (unsigned i = 1; i <= n; i++) {
		char *inner = g_string_free(s, FALSE);

		s = g_string_new(NULL);
		g_string_append_printf(s,
		                       "From: l%u@example.org\r\nSubject: level %u\r\n"
		                       "Content-Type: message/rfc822\r\n\r\n%s",
		                       i, i, inner);
		g_free(inner);
	}
	return g_string_free(s, FALSE);
}

static void
test_depth_limit_marks_partial(void)
{
	static const struct {
		unsigned levels, max_depth;
		bs_mail_status status;
		bool body_found;
	} rows[] = {{2, 8, BS_MAIL_OK, true},
	            {8, 8, BS_MAIL_OK, true},
	            {9, 8, BS_MAIL_PARTIAL, false},
	            {50, 8, BS_MAIL_PARTIAL, false},
	            {3, 1, BS_MAIL_PARTIAL, false}};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *msg = nested_messages(rows[i].levels);
		g_autofree char *top = g_strdup_printf("level %u", rows[i].levels);
		g_autoptr(walk_result) r = NULL;
		bs_mail_limits lim;

		g_test_message("row %zu", i);
		bs_mail_limits_init(&lim);
		lim.max_depth = rows[i].max_depth;
		r = walk_with(msg, strlen(msg), &lim);
		g_assert_cmpint(r->info.status, ==, rows[i].status);
		g_assert_cmpint(text_anywhere(r, "level 0"), ==, rows[i].body_found);
		g_assert_cmpint(has_defect(r, BS_DEFECT_DEPTH), ==, !rows[i].body_found);
		/* The outermost levels are still read. */
		g_assert_nonnull(find(r, BS_WHERE_SUBJECT, top));
	}
}

static void
test_multipart_nesting_is_bounded(void)
{
	GString *s = g_string_new("From: a@example.org\r\n");
	g_autoptr(walk_result) r = NULL;
	g_autofree char *msg = NULL;

	for (unsigned i = 0; i < 200; i++)
		g_string_append_printf(s,
		                       "Content-Type: multipart/mixed; boundary=\"b%u\"\r\n\r\n"
		                       "--b%u\r\n",
		                       i, i);
	g_string_append(s, "Content-Type: text/plain\r\n\r\ndeep text\r\n");
	msg = g_string_free(s, FALSE);
	r = walk(msg);
	g_assert_cmpint(r->info.status, !=, BS_MAIL_OK);
	g_assert_nonnull(r->reason);
}

static void
test_size_limit_marks_partial(void)
{
	g_autofree char *msg = g_strdup_printf(
	    "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
	    "--B\r\nContent-Type: text/plain\r\n\r\nfirst part fits\r\n"
	    "--B\r\nContent-Type: text/plain\r\n\r\n%0200d\r\n--B--\r\n",
	    7);
	g_autoptr(walk_result) r = NULL;
	bs_mail_limits lim;

	bs_mail_limits_init(&lim);
	lim.max_bytes = 100;
	r = walk_with(msg, strlen(msg), &lim);
	g_assert_cmpint(r->info.status, ==, BS_MAIL_PARTIAL);
	g_assert_true(has_defect(r, BS_DEFECT_SIZE));
	g_assert_nonnull(strstr(r->reason, "size-limit at 2"));
	g_assert_true(text_anywhere(r, "first part fits"));
	g_assert_cmpuint(r->info.expanded_len, <=, 100);
}

/* Reasons hold codes, paths and offsets: never names or text. */
static void
test_reason_holds_no_content(void)
{
	g_autofree char *msg = one_part("text/plain; name=\"Anna Svensson journal.txt\"", "base64",
	                                "QW5uYS!!!BTdmVuc3Nvbg==");
	g_autoptr(walk_result) r = walk(msg);

	g_assert_nonnull(r->reason);
	g_assert_null(strstr(r->reason, "Anna"));
	g_assert_null(strstr(r->reason, "journal"));
	g_assert_nonnull(strstr(r->reason, "bad-transfer-encoding at 1"));
}

static void
test_info_reused_across_walks(void)
{
	bs_mail_limits lim;
	bs_mail_info info;

	bs_mail_limits_init(&lim);
	bs_mail_info_init(&info);
	g_assert_true(bs_mail_walk("", 0, &lim, NULL, NULL, &info, NULL));
	g_assert_cmpint(info.status, ==, BS_MAIL_FAILED);
	g_assert_true(bs_mail_walk(nested_msg, strlen(nested_msg), &lim, NULL, NULL, &info, NULL));
	g_assert_cmpint(info.status, ==, BS_MAIL_OK);
	g_assert_cmpuint(info.defects->len, ==, 0);
	g_assert_cmpuint(info.addresses->len, ==, 3);
	bs_mail_info_fini(&info);
	bs_mail_info_fini(NULL);
}

static void
test_mbox_from_line_tolerated(void)
{
	g_autoptr(walk_result) r =
	    walk("From sender@example.org Mon Mar  2 10:00:00 2026\nSubject: efter from\n\nx\n");

	g_assert_nonnull(find(r, BS_WHERE_SUBJECT, "efter from"));
	g_assert_cmpint(r->info.status, ==, BS_MAIL_OK);
}

static void
test_misuse_is_an_error(void)
{
	g_autoptr(GError) error = NULL;
	bs_mail_info info;

	bs_mail_info_init(&info);
	g_assert_false(bs_mail_walk(NULL, 0, NULL, NULL, NULL, &info, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_INTERNAL);
	bs_mail_info_fini(&info);
}

static void
test_tables_have_names(void)
{
	for (int c = 1; c < BS_DEFECT_COUNT; c++)
		g_assert_cmpstr(bs_defect_name(c), !=, "unknown");
	for (int w = 0; w < BS_WHERE_COUNT; w++)
		g_assert_nonnull(bs_where_name(w));
	g_assert_cmpstr(bs_where_name(BS_WHERE_ATTACHMENT_NAME), ==, "attachment-name");
	g_assert_cmpstr(bs_mail_status_name(BS_MAIL_PARTIAL), ==, "partial");
	g_assert_cmpint(bs_defect_status(BS_DEFECT_UNPARSABLE), ==, BS_MAIL_FAILED);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mail/charset/decode-to-utf8-with-fallback", test_charsets_decode_to_utf8);
	g_test_add_func("/mail/headers/people-and-subject-decoded",
	                test_people_headers_and_subject_decoded);
	g_test_add_func("/mail/headers/addresses-structured", test_addresses_from_people_headers);
	g_test_add_func("/mail/date/date-then-topmost-received", test_date_from_date_then_received);
	g_test_add_func("/mail/date/facts-before-first-segment",
	                test_facts_set_before_first_segment);
	g_test_add_func("/mail/html/word-boundaries", test_html_to_text_keeps_word_boundaries);
	g_test_add_func("/mail/html/part-in-declared-charset", test_html_part_in_declared_charset);
	g_test_add_func("/mail/structure/nested-paths-depths", test_nested_parts_paths_and_depths);
	g_test_add_func("/mail/structure/binary-parts-not-scanned", test_binary_parts_not_scanned);
	g_test_add_func("/mail/defects/broken-messages",
	                test_broken_messages_get_status_and_reason);
	g_test_add_func("/mail/limits/depth", test_depth_limit_marks_partial);
	g_test_add_func("/mail/limits/multipart-nesting", test_multipart_nesting_is_bounded);
	g_test_add_func("/mail/limits/size", test_size_limit_marks_partial);
	g_test_add_func("/mail/defects/reason-holds-no-content", test_reason_holds_no_content);
	g_test_add_func("/mail/info/reused-across-walks", test_info_reused_across_walks);
	g_test_add_func("/mail/input/mbox-from-line", test_mbox_from_line_tolerated);
	g_test_add_func("/mail/api/misuse-is-an-error", test_misuse_is_an_error);
	g_test_add_func("/mail/api/tables-have-names", test_tables_have_names);
	return g_test_run();
}
