/* Inline SVG charts for the HTML report, drawn here in C: messages by
 * grade, people by category, the exposure timeline per mailbox. Numbers
 * are formatted with g_string_append_printf (no text); every label goes
 * through the HTML escaper. */
#include "report/report.h"

#include "report/internal.h"

#define T(sv_, en_) (lang && strcmp(lang, "sv") == 0 ? (sv_) : (en_))

static const char *const grade_colour[BS_GRADE_COUNT] = {
    [BS_GRADE_NONE] = "#d0d7de",
    [BS_GRADE_WINDOW] = "#8fa8c8",
    [BS_GRADE_SYNCED] = "#fb8500",
    [BS_GRADE_ACCESSED] = "#cf222e",
};

static void
label(GString *out, double x, double y, const char *anchor, const char *text)
{
	g_string_append_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y,
	                       anchor);
	bs_report__html_text(out, text);
	g_string_append(out, "</text>");
}

static void
label_num(GString *out, double x, double y, const char *anchor, int64_t n)
{
	g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT, n);

	label(out, x, y, anchor, s);
}

static void
figure_open(GString *out, const char *caption, int w, int h)
{
	g_string_append(out, "<figure><figcaption>");
	bs_report__html_text(out, caption);
	g_string_append_printf(out,
	                       "</figcaption><svg "
	                       "viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" aria-label=\"",
	                       w, h);
	bs_report__html_text(out, caption);
	g_string_append(out, "\">");
}

void
bs_report__svg_grades(GString *out, const bs_report *r, const char *lang)
{
	static const bs_grade order[] = {BS_GRADE_ACCESSED, BS_GRADE_SYNCED, BS_GRADE_WINDOW,
	                                 BS_GRADE_NONE};
	const char *names[] = {T("öppnade", "accessed"), T("synkade", "synced"),
	                       T("brevlåda öppen", "mailbox open"),
	                       T("ej exponerade", "not exposed")};
	int64_t max = 1;

	for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
		max = MAX(max, r->fig.messages[order[i]]);
	figure_open(out, T("Meddelanden per exponering", "Messages by exposure"), 480, 240);
	for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
		int64_t n = r->fig.messages[order[i]];
		double h = 170.0 * (double)n / (double)max, x = 30 + 110.0 * (double)i;

		g_string_append_printf(out,
		                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"80\" height=\"%.1f\" "
		                       "fill=\"%s\"/>",
		                       x, 200 - h, h, grade_colour[order[i]]);
		label_num(out, x + 40, 195 - h, "middle", n);
		label(out, x + 40, 220, "middle", names[i]);
	}
	g_string_append(out, "</svg></figure>");
}

void
bs_report__svg_categories(GString *out, const bs_report *r, const char *lang)
{
	int64_t max = MAX(1, r->children);
	int rows = CAT_COUNT + 1, h = 22 * rows + 10;

	for (int k = 0; k < CAT_COUNT; k++)
		max = MAX(max, r->by_cat[k]);
	figure_open(out, T("Identifierare per kategori", "Identifiers by category"), 520, h);
	for (int k = 0; k < rows; k++) {
		int64_t n = k < CAT_COUNT ? r->by_cat[k] : r->children;
		const char *name = k < CAT_COUNT ? T(bs_report__cats[k].sv, bs_report__cats[k].en)
		                                 : T("barn", "children");
		double w = 200.0 * (double)n / (double)max, y = 6 + 22.0 * k;
		bool art = k < CAT_COUNT &&
		           (bs_report__cats[k].art9 || k == CAT_CRIMINAL || k == CAT_PROTECTED);

		label(out, 266, y + 14, "end", name);
		g_string_append_printf(out,
		                       "<rect x=\"270\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
		                       "fill=\"%s\"/>",
		                       y, w, art ? "#cf222e" : "#57606a");
		label_num(out, 274 + w, y + 13, "start", n);
	}
	g_string_append(out, "</svg></figure>");
}

/* ---- the timeline */

static double
day_of_us(int64_t us)
{
	return (double)us / (86400.0 * G_USEC_PER_SEC);
}

/* Days since the epoch of "YYYY-MM-DD"; -1 when not a date. */
static double
day_of_text(const char *day)
{
	GDate d;

	if (!bs_date_parse(day, &d))
		return -1;
	return (double)g_date_get_julian(&d) - 719163.0; /* julian day of 1970-01-01 */
}

typedef struct {
	double lo, hi; /* days since the epoch */
	int64_t max;   /* most messages on one day of one mailbox */
} span_x;

static void
timeline_range(const bs_report *r, span_x *sx)
{
	sx->lo = 1e9;
	sx->hi = -1e9;
	sx->max = 1;
	for (guint i = 0; i < r->fig.days->len; i++) {
		const bs_day_figures *d = r->fig.days->pdata[i];
		double x = day_of_text(d->day);

		if (x < 0)
			continue;
		sx->lo = MIN(sx->lo, x);
		sx->hi = MAX(sx->hi, x + 1);
		sx->max = MAX(sx->max, d->messages[1] + d->messages[2] + d->messages[3]);
	}
	if (r->from_us) {
		sx->lo = MIN(sx->lo, day_of_us(r->from_us));
		if (r->to_us != BS_SCOPE_OPEN_END)
			sx->hi = MAX(sx->hi, day_of_us(r->to_us));
	}
	if (sx->hi <= sx->lo)
		sx->hi = sx->lo + 1;
}

#define TL_LEFT 170.0
#define TL_WIDTH 800.0
#define TL_ROW 56.0

static double
x_of(const span_x *sx, double day)
{
	return TL_LEFT + TL_WIDTH * (day - sx->lo) / (sx->hi - sx->lo);
}

static const bs_report__account *
account_for(const bs_report *r, const char *mailbox)
{
	for (guint i = 0; i < r->accounts->len; i++) {
		const bs_report__account *a = r->accounts->pdata[i];

		if (g_ascii_strcasecmp(a->name, mailbox) == 0)
			return a;
	}
	return NULL;
}

static void
timeline_spans(GString *out, const span_x *sx, const bs_report__account *a, double y)
{
	for (guint k = 0; a && k < a->spans->len; k++) {
		const bs_scope_span *sp = &g_array_index(a->spans, bs_scope_span, k);
		double x0 = x_of(sx, MAX(sx->lo, day_of_us(sp->from_us)));
		double x1 = sp->to_us == BS_SCOPE_OPEN_END
		                ? TL_LEFT + TL_WIDTH
		                : x_of(sx, MIN(sx->hi, day_of_us(sp->to_us)));

		g_string_append_printf(
		    out,
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		    "fill=\"#ffd8d3\" stroke=\"#cf222e\" stroke-dasharray=\"3 2\"/>",
		    x0, y + 2, MAX(1.0, x1 - x0), TL_ROW - 8);
	}
}

/* Accounts are addresses: the local part fits the label column; the
 * tables below give the full name. */
static char *
row_label(const char *mailbox)
{
	const char *at = strchr(mailbox, '@');

	if (!*mailbox)
		return g_strdup("?");
	g_autofree char *valid = g_utf8_make_valid(mailbox, at && at > mailbox ? at - mailbox : -1);

	if (g_utf8_strlen(valid, -1) > 24) {
		g_autofree char *head = g_utf8_substring(valid, 0, 23);

		return g_strconcat(head, "…", NULL);
	}
	return g_steal_pointer(&valid);
}

static void
timeline_row(GString *out, const bs_report *r, const span_x *sx, const char *mailbox, double y)
{
	double bar = MAX(1.0, TL_WIDTH / (sx->hi - sx->lo) - 0.5);

	g_autofree char *name = row_label(mailbox);

	label(out, TL_LEFT - 6, y + TL_ROW / 2 + 4, "end", name);
	g_string_append_printf(out,
	                       "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
	                       "stroke=\"#d0d7de\"/>",
	                       TL_LEFT, TL_LEFT + TL_WIDTH, y + TL_ROW - 6, y + TL_ROW - 6);
	timeline_spans(out, sx, account_for(r, mailbox), y);
	for (guint i = 0; i < r->fig.days->len; i++) {
		const bs_day_figures *d = r->fig.days->pdata[i];
		double x = day_of_text(d->day), base = y + TL_ROW - 6;

		if (x < 0 || strcmp(d->mailbox, mailbox) != 0)
			continue;
		for (int g = BS_GRADE_WINDOW; g <= BS_GRADE_ACCESSED; g++) {
			double h = (TL_ROW - 12) * (double)d->messages[g] / (double)sx->max;

			if (h <= 0)
				continue;
			g_string_append_printf(out,
			                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			                       "height=\"%.1f\" fill=\"%s\"/>",
			                       x_of(sx, x), base - h, bar, h, grade_colour[g]);
			base -= h;
		}
	}
}

static void
timeline_axis(GString *out, const span_x *sx, double y)
{
	for (int i = 0; i <= 4; i++) {
		double day = sx->lo + (sx->hi - sx->lo) * i / 4.0;
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc((gint64)(day * 86400.0));
		/* A short incident gets hours on its axis. */
		g_autofree char *s =
		    !t ? g_strdup("")
		       : g_date_time_format(t, sx->hi - sx->lo < 5 ? "%m-%d %H:%M" : "%Y-%m-%d");

		label(out, x_of(sx, day), y + 14, i == 0 ? "start" : i == 4 ? "end" : "middle", s);
	}
}

static void
timeline_legend(GString *out, double y, const char *lang)
{
	const char *names[] = {T("öppnade", "accessed"), T("synkade", "synced"),
	                       T("brevlåda öppen", "mailbox open")};

	for (int i = 0; i < 3; i++) {
		double x = TL_LEFT + 160.0 * i;

		g_string_append_printf(out,
		                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
		                       "fill=\"%s\"/>",
		                       x, y - 10, grade_colour[BS_GRADE_ACCESSED - i]);
		label(out, x + 16, y, "start", names[i]);
	}
}

void
bs_report__svg_timeline(GString *out, const bs_report *r, const char *lang)
{
	GPtrArray *boxes = r->fig.mailboxes;
	span_x sx;
	int rows = 0;
	double y = 4;

	for (guint i = 0; i < boxes->len; i++) {
		const bs_mailbox_figures *m = boxes->pdata[i];

		rows += m->messages[1] + m->messages[2] + m->messages[3] > 0;
	}
	timeline_range(r, &sx);
	figure_open(out,
	            T("Exponering över tid per brevlåda (staplar: meddelanden per dag; skuggat: "
	              "angriparens åtkomstfönster)",
	              "Exposure over time per mailbox (bars: messages per day; shaded: the "
	              "attacker's windows)"),
	            1000, (int)(TL_ROW * MAX(rows, 1) + 50));
	for (guint i = 0; i < boxes->len; i++) {
		const bs_mailbox_figures *m = boxes->pdata[i];

		if (m->messages[1] + m->messages[2] + m->messages[3] == 0)
			continue;
		timeline_row(out, r, &sx, m->mailbox, y);
		y += TL_ROW;
	}
	timeline_axis(out, &sx, y);
	timeline_legend(out, y + 34, lang);
	g_string_append(out, "</svg></figure>");
}
