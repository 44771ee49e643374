/* Page frame and the small HTML pieces every page shares. Text from outside
 * (notice, form values, database) goes through bs_serve__esc, which calls
 * the one HTML escaping function in base. No script, no inline style: the
 * CSP forbids both. */
#include "serve/internal.h"

void
bs_serve__esc(GString *out, const char *s)
{
	g_autofree char *e = bs_escape_html_dup(s ? s : "", s ? strlen(s) : 0);

	g_string_append(out, e);
}

/* The URL of this page in the other language (path only, no query). */
static void
lang_switch(bs_req *r)
{
	GString *o = r->reply.body;

	g_string_append(o, "<a class=\"lang\" lang=\"");
	g_string_append(o, T(r->lang, "lang.other.code"));
	g_string_append(o, "\" href=\"");
	bs_serve__esc(o, g_str_has_prefix(r->path, "/admin")              ? "/admin"
	                 : (r->has_sess && r->sess.kind == SESS_RESIDENT) ? "/answer"
	                                                                  : "/");
	g_string_append(o, "?lang=");
	g_string_append(o, T(r->lang, "lang.other.code"));
	g_string_append(o, "\">");
	g_string_append(o, T(r->lang, "lang.other"));
	g_string_append(o, "</a>");
}

void
bs_serve__page_begin(bs_req *r, const char *title_key)
{
	GString *o = r->reply.body;

	g_string_append_printf(o,
	                       "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	                       "<meta charset=\"utf-8\">\n"
	                       "<meta name=\"viewport\" content=\"width=device-width, "
	                       "initial-scale=1\">\n<title>",
	                       bs_serve__lang_code(r->lang));
	g_string_append(o, T(r->lang, title_key));
	g_string_append(o, "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
	                   "</head>\n<body");
	/* The desk's tables need the width; resident pages keep a short measure. */
	g_string_append(o, g_str_has_prefix(r->path, "/admin") ? " class=\"wide\">\n" : ">\n");
	g_string_append(o, "<a class=\"skip\" href=\"#main\">");
	g_string_append(o, T(r->lang, "skip"));
	g_string_append(o, "</a>\n");
	if (r->srv->cfg.dev_login) {
		g_string_append(o, "<div class=\"testmode\" role=\"status\">");
		g_string_append(o, T(r->lang, "testmode"));
		g_string_append(o, "</div>\n");
	}
	g_string_append(o, "<header><p class=\"org\">");
	bs_serve__esc(o, r->srv->cfg.incident_org ? r->srv->cfg.incident_org : "");
	g_string_append(o, "</p><nav>");
	lang_switch(r);
	g_string_append(o, "</nav></header>\n<main id=\"main\">\n");
}

void
bs_serve__page_end(bs_req *r)
{
	GString *o = r->reply.body;

	g_string_append(o, "</main>\n<footer><p>");
	g_string_append(o, T(r->lang, "contact"));
	if (r->srv->cfg.incident_contact) {
		g_string_append(o, ": ");
		bs_serve__esc(o, r->srv->cfg.incident_contact);
	}
	g_string_append(o, "</p></footer>\n</body>\n</html>\n");
}

void
bs_serve__csrf_field(bs_req *r)
{
	g_string_append(r->reply.body, "<input type=\"hidden\" name=\"csrf\" value=\"");
	g_string_append(r->reply.body, r->sess.csrf);
	g_string_append(r->reply.body, "\">\n");
}

void
bs_serve__error_page(bs_req *r, int status, const char *msg_key)
{
	GString *o = r->reply.body;

	g_string_truncate(o, 0);
	r->reply.status = status;
	r->reply.type = "text/html; charset=utf-8";
	bs_serve__page_begin(r, "err.heading");
	g_string_append(o, "<h1>");
	g_string_append(o, T(r->lang, "err.heading"));
	g_string_append(o, "</h1>\n<p role=\"alert\">");
	g_string_append(o, T(r->lang, msg_key));
	g_string_append(o, "</p>\n<p><a href=\"/\">");
	g_string_append(o, T(r->lang, "err.back"));
	g_string_append(o, "</a></p>\n");
	bs_serve__page_end(r);
}

/* One paragraph of the notice; a short first line ending in '?' or ':'
 * (as in the template init writes) becomes a heading. */
static void
notice_paragraph(GString *o, char *para)
{
	char *nl = strchr(para, '\n');

	if (nl && nl - para < 80 && (nl[-1] == '?' || nl[-1] == ':')) {
		*nl = '\0';
		g_string_append(o, "<h3>");
		bs_serve__esc(o, para);
		g_string_append(o, "</h3>\n");
		para = nl + 1;
	}
	g_string_append(o, "<p>");
	bs_serve__esc(o, para);
	g_string_append(o, "</p>\n");
}

/* The notice file: paragraphs separated by blank lines, plain text. */
void
bs_serve__notice(bs_req *r)
{
	const char *text = r->srv->notice[r->lang] ? r->srv->notice[r->lang] : r->srv->notice[0];
	g_auto(GStrv) paras = NULL;
	GString *o = r->reply.body;

	if (!text)
		return;
	g_string_append(o, "<section aria-labelledby=\"notice-h\">\n<h2 id=\"notice-h\">");
	g_string_append(o, T(r->lang, "notice.heading"));
	g_string_append(o, "</h2>\n");
	paras = g_strsplit(text, "\n\n", 64);
	for (int i = 0; paras[i]; i++) {
		if (!*g_strstrip(paras[i]))
			continue;
		notice_paragraph(o, paras[i]);
	}
	g_string_append(o, "</section>\n");
}

/* Contrast: text #1a1a1a on #fff (17:1), links #0b4f9c (8:1), banner text
 * #1a1a1a on #ffd24d (13:1). Focus is always visible. */
const char bs_serve__css[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;font-family:system-ui,sans-serif;font-size:1.05rem;line-height:1.5;"
    "color:#1a1a1a;background:#fff}\n"
    "header,main,footer{max-width:46rem;margin:0 auto;padding:0 1rem}\n"
    ".wide header,.wide main,.wide footer{max-width:80rem}\n"
    "header{display:flex;justify-content:space-between;align-items:center;"
    "border-bottom:1px solid #767676}\n"
    "footer{border-top:1px solid #767676;margin-top:2rem;font-size:.95rem}\n"
    "a{color:#0b4f9c}\n"
    "a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #b35900;"
    "outline-offset:2px}\n"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}\n"
    ".skip:focus{left:.5rem}\n"
    ".testmode{background:#ffd24d;color:#1a1a1a;font-weight:bold;text-align:center;"
    "padding:.5rem;border-bottom:2px solid #1a1a1a}\n"
    "section{margin:1.5rem 0}\n"
    "label{display:block;font-weight:600;margin:.75rem 0 .25rem}\n"
    "input[type=text],input[type=email],input[type=password],select,textarea{"
    "font-size:1rem;padding:.5rem;border:2px solid #555;border-radius:3px;width:100%;"
    "max-width:24rem}\n"
    "button,.button{display:inline-block;margin-top:.75rem;font-size:1rem;padding:.6rem 1rem;"
    "background:#0b4f9c;color:#fff;border:2px solid #0b4f9c;border-radius:3px;"
    "text-decoration:none;cursor:pointer}\n"
    "button.secondary{background:#fff;color:#0b4f9c}\n"
    "button+button{margin-left:.5rem}\n"
    "textarea{display:block}\n"
    ".answer{border-left:6px solid #0b4f9c;padding:.25rem 1rem;background:#f2f6fb}\n"
    ".error{color:#a00000;font-weight:600}\n"
    "table{border-collapse:collapse;width:100%;font-size:.95rem}\n"
    "th,td{text-align:left;border-bottom:1px solid #999;padding:.35rem}\n"
    ".overdue{color:#a00000;font-weight:600}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}\n"
    "dt{font-weight:600}\n"
    "dd{margin:0}\n"
    ".inline{display:inline}\n"
    "code.pseud{word-break:break-all;font-size:.85rem}\n";
