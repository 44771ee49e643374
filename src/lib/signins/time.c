/* signins: times as the exports write them. JSON and the audit log use ISO
 * 8601; the portal CSV follows the exporting browser's locale: en-US
 * "3/5/2024, 10:11:12 AM", en-GB/fr-FR "05/03/2024 10:11:12", de-DE
 * "05.03.2024 10:11:12", ja-JP "2024/03/05 10:11:12". Whether 05/03 is the
 * 5th of March or the 3rd of May is decided per file from all its values. */
#include "signins/internal.h"

struct parts {
	uint64_t n[6]; /* three date numbers, hour, minute, second */
	int count;
	int pm; /* -1 none, 0 AM, 1 PM */
};

/* Splits "N1?N2?N3[,][ ]H:MM[:SS][.fff][ AM|PM]" into numbers. */
static bool
split_parts(const char *s, struct parts *out)
{
	const char *p = s;

	memset(out, 0, sizeof *out);
	out->pm = -1;
	while (*p && out->count < 6) {
		const char *q = p;

		while (g_ascii_isdigit(*q))
			q++;
		if (q == p || !bs_parse_u64(p, (size_t)(q - p), 9999, &out->n[out->count]))
			return false;
		out->count++;
		if (*q == '.' && out->count == 6) /* fraction of a second */
			for (q++; g_ascii_isdigit(*q);)
				q++;
		while (*q == '/' || *q == '.' || *q == '-' || *q == ':' || *q == ',' || *q == ' ')
			q++;
		p = q;
		if (g_ascii_strncasecmp(p, "AM", 2) == 0 || g_ascii_strncasecmp(p, "PM", 2) == 0) {
			out->pm = g_ascii_toupper(*p) == 'P';
			p += 2;
			break;
		}
	}
	return *p == '\0' && out->count >= 5;
}

bs_signins__date_order
bs_signins__date_vote(const char *s, bool *out_ampm)
{
	struct parts pt;

	*out_ampm = false;
	if (!s || !split_parts(s, &pt) || pt.n[0] > 999)
		return BS_DATE_ORDER_UNKNOWN;
	*out_ampm = pt.pm >= 0;
	if (pt.n[0] > 12 && pt.n[1] <= 12)
		return BS_DATE_ORDER_DMY;
	if (pt.n[1] > 12 && pt.n[0] <= 12)
		return BS_DATE_ORDER_MDY;
	return BS_DATE_ORDER_UNKNOWN;
}

static bool
to_us(uint64_t y, uint64_t mo, uint64_t d, const struct parts *pt, int64_t *out_us)
{
	uint64_t h = pt->n[3];
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = NULL;

	if (pt->pm >= 0) {
		if (h < 1 || h > 12)
			return false;
		h = h % 12 + (pt->pm ? 12 : 0);
	}
	if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || pt->n[4] > 59 ||
	    pt->n[5] > 59)
		return false;
	dt = g_date_time_new(utc, (gint)y, (gint)mo, (gint)d, (gint)h, (gint)pt->n[4],
	                     (gdouble)pt->n[5]);
	if (!dt)
		return false;
	*out_us = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
	return true;
}

static bool
parse_iso(const char *s, int64_t *out_us)
{
	char buf[64];

	if (strlen(s) >= sizeof buf)
		return false;
	g_strlcpy(buf, s, sizeof buf);
	if (buf[10] == ' ')
		buf[10] = 'T';
	return bs_scope_time_parse(buf, out_us);
}

bool
bs_signins__time_parse(const char *s, bs_signins__date_order order, int64_t *out_us)
{
	struct parts pt;

	if (!s)
		return false;
	if (strlen(s) >= 11 && s[4] == '-' && g_ascii_isdigit(s[0]))
		return parse_iso(s, out_us);
	if (!split_parts(s, &pt))
		return false;
	if (pt.n[0] > 999) /* year first */
		return to_us(pt.n[0], pt.n[1], pt.n[2], &pt, out_us);
	if (order == BS_DATE_ORDER_UNKNOWN) /* no value in the file told */
		order = pt.pm >= 0 ? BS_DATE_ORDER_MDY : BS_DATE_ORDER_DMY;
	if (order == BS_DATE_ORDER_MDY)
		return to_us(pt.n[2], pt.n[0], pt.n[1], &pt, out_us);
	return to_us(pt.n[2], pt.n[1], pt.n[0], &pt, out_us);
}
