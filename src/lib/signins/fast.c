/* signins: a fast path for the common case, a Graph signIn record. Most of
 * a sign-in export's time went into jansson building a hash table of some
 * thirty members per record to read nine of them. This walker reads the
 * record text once, keeps the nine scalar members it needs as slices and
 * allocates nothing. It never decides on its own when unsure: anything
 * unusual (another shape, escapes in a needed string, a syntax error, a
 * member too long for its buffer) returns false and the record goes the
 * jansson way, which also names what is wrong with it. Members it does not
 * read are skipped, not validated: a record whose needed members are sound
 * is used even when an unused one is garbled. The fuzz harness checks that
 * both paths agree wherever jansson reads a record. */
#include "signins/internal.h"

#define FAST_DEPTH 3 /* location.geoCoordinates.latitude */

enum { F_TIME, F_USER, F_IP, F_CLIENT, F_SESSION, F_ERROR, F_COUNTRY, F_LAT, F_LON, F_ID, F_COUNT };

static const char *const wanted[F_COUNT] = {
    [F_TIME] = "createdDateTime",
    [F_USER] = "userPrincipalName",
    [F_IP] = "ipAddress",
    [F_CLIENT] = "clientAppUsed",
    [F_SESSION] = "sessionId",
    [F_ERROR] = "status.errorCode",
    [F_COUNTRY] = "location.countryOrRegion",
    [F_LAT] = "location.geoCoordinates.latitude",
    [F_LON] = "location.geoCoordinates.longitude",
    [F_ID] = "id",
};

struct walk {
	const char *end;
	char path[128]; /* dotted member names down to here */
	size_t path_len;
	bs_slice val[F_COUNT];
	bool quoted[F_COUNT];
	unsigned seen; /* objects on the way to needed values, met once */
	bool bail;
};

static const char *
ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at '"'; returns past the closing quote; *out_escaped if a '\' occurs. */
static const char *
string_end(const char *p, const char *end, bool *out_escaped)
{
	*out_escaped = false;
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\') {
			*out_escaped = true;
			p++;
		}
	}
	return p < end ? p + 1 : NULL;
}

static const char *
skip_any(struct walk *w, const char *p)
{
	int depth = 0;
	bool esc;

	do {
		if (p >= w->end)
			return NULL;
		if (*p == '"') {
			p = string_end(p, w->end, &esc);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (depth == 0) {
			while (p < w->end && !strchr(",}] \t\r\n", *p))
				p++;
			return p;
		}
		p++;
	} while (depth > 0);
	return p;
}

static void
keep(struct walk *w, const char *v, const char *v_end, bool quoted, bool escaped)
{
	for (int i = 0; i < F_COUNT; i++) {
		bool numeric = i == F_ERROR || i == F_LAT || i == F_LON;

		if (strlen(wanted[i]) != w->path_len ||
		    g_ascii_strncasecmp(wanted[i], w->path, w->path_len) != 0)
			continue;
		/* an escape to undo, a second copy, null or an unexpected type */
		if (escaped || w->val[i].p || quoted == numeric ||
		    (v_end - v == 4 && memcmp(v, "null", 4) == 0))
			w->bail = true;
		for (const char *c = v; c < v_end; c++)
			if ((unsigned char)*c < 0x20) /* jansson refuses these */
				w->bail = true;
		w->val[i] = (bs_slice){v + quoted, (size_t)(v_end - v) - 2 * quoted};
		w->quoted[i] = quoted;
	}
}

static const char *object(struct walk *w, const char *p, int depth);

static bool
path_is(const struct walk *w, const char *name)
{
	return strlen(name) == w->path_len && g_ascii_strncasecmp(name, w->path, w->path_len) == 0;
}

/* jansson keeps the last of duplicate members: an object or array where a
 * needed value belongs, or a second copy of an object on the way to one,
 * is left to it. */
static void
container_seen(struct walk *w)
{
	static const char *const on_the_way[] = {"status", "location", "location.geoCoordinates"};

	for (int i = 0; i < F_COUNT; i++)
		if (path_is(w, wanted[i]))
			w->bail = true;
	for (size_t i = 0; i < G_N_ELEMENTS(on_the_way); i++) {
		if (!path_is(w, on_the_way[i]))
			continue;
		if (w->seen & (1u << i))
			w->bail = true;
		w->seen |= 1u << i;
	}
}

static const char *
value(struct walk *w, const char *p, int depth)
{
	const char *start = p;
	bool esc = false;

	if (p >= w->end)
		return NULL;
	if (*p == '{' || *p == '[')
		container_seen(w);
	if (*p == '{' && depth < FAST_DEPTH)
		return object(w, p, depth + 1);
	if (*p == '{' || *p == '[')
		return skip_any(w, p);
	p = *p == '"' ? string_end(p, w->end, &esc) : skip_any(w, p);
	if (p)
		keep(w, start, p, *start == '"', esc);
	return p;
}

/* Members that mean another shape (Azure Monitor's wrapper, Log Analytics'
 * names): the general path knows them. */
static bool
is_other_shape(const char *key, size_t len)
{
	static const char *const names[] = {"properties", "locationdetails", "resulttype"};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strlen(names[i]) == len && g_ascii_strncasecmp(names[i], key, len) == 0)
			return true;
	return false;
}

static const char *
member(struct walk *w, const char *p, int depth)
{
	size_t saved = w->path_len;
	const char *key = p + 1;
	bool esc;

	p = string_end(p, w->end, &esc);
	if (!p || esc || saved + (size_t)(p - key) + 1 >= sizeof w->path)
		return NULL;
	if (saved)
		w->path[w->path_len++] = '.';
	memcpy(w->path + w->path_len, key, (size_t)(p - key - 1));
	w->path_len += (size_t)(p - key - 1);
	if (saved == 0 && is_other_shape(w->path, w->path_len))
		w->bail = true;
	p = ws(p, w->end);
	if (p >= w->end || *p != ':')
		return NULL;
	p = value(w, ws(p + 1, w->end), depth);
	w->path_len = saved;
	return p;
}

static const char *
object(struct walk *w, const char *p, int depth)
{
	p = ws(p + 1, w->end);
	if (p < w->end && *p == '}')
		return p + 1;
	while (p && p < w->end && !w->bail) {
		if (*p != '"')
			return NULL;
		p = member(w, p, depth);
		p = p ? ws(p, w->end) : NULL;
		if (!p || p >= w->end)
			return NULL;
		if (*p == '}')
			return p + 1;
		if (*p != ',')
			return NULL;
		p = ws(p + 1, w->end);
	}
	return NULL;
}

/* A NUL-terminated copy of slot i into buf; false when absent or too long. */
static bool
copy(const struct walk *w, int i, char *buf, size_t size)
{
	if (!w->val[i].p || w->val[i].len >= size)
		return false;
	memcpy(buf, w->val[i].p, w->val[i].len);
	buf[w->val[i].len] = '\0';
	return true;
}

/* An optional string member: NULL when absent or empty, false when it does
 * not fit (the slow path then takes the record). */
static bool
optional(const struct walk *w, int i, char *buf, size_t size, const char **out)
{
	*out = NULL;
	if (!w->val[i].p)
		return true;
	if (!copy(w, i, buf, size))
		return false;
	*out = buf[0] ? buf : NULL;
	return true;
}

static bool
fill_optional(const struct walk *w, bs_signins__fast_buf *b, bs_signins__event *ev)
{
	char lat[32], lon[32];
	char *e1, *e2;

	if (!optional(w, F_CLIENT, b->client, sizeof b->client, &ev->client_app) ||
	    !optional(w, F_SESSION, b->session, sizeof b->session, &ev->session) ||
	    !optional(w, F_COUNTRY, b->country, sizeof b->country, &ev->country) ||
	    !optional(w, F_ID, b->id, sizeof b->id, &ev->id))
		return false;
	if ((w->val[F_LAT].p && w->val[F_LAT].len >= sizeof lat) ||
	    (w->val[F_LON].p && w->val[F_LON].len >= sizeof lon))
		return false; /* a number too long for the buffer: jansson reads it */
	if (copy(w, F_LAT, lat, sizeof lat) && copy(w, F_LON, lon, sizeof lon)) {
		ev->lat = g_ascii_strtod(lat, &e1);
		ev->lon = g_ascii_strtod(lon, &e2);
		ev->has_geo = *e1 == '\0' && *e2 == '\0' && ev->lat >= -90 && ev->lat <= 90 &&
		              ev->lon >= -180 && ev->lon <= 180 && !(ev->lat == 0 && ev->lon == 0);
	}
	return true;
}

bool
bs_signins__fast_signin(const char *text, size_t len, bs_signins__event *ev,
                        bs_signins__fast_buf *b)
{
	struct walk w = {.end = text + len};
	char when[64], ip[BS_SIGNINS_IP_LEN * 2], user[BS_SIGNINS_ACCOUNT_LEN], err[16];

	if (!object(&w, ws(text, w.end), 0) || w.bail)
		return false;
	if (!copy(&w, F_TIME, when, sizeof when) || !copy(&w, F_USER, user, sizeof user) ||
	    !user[0] || !bs_signins__time_parse(when, BS_DATE_ORDER_UNKNOWN, &ev->time_us))
		return false; /* the slow path says what is missing */
	if (w.val[F_IP].p && !copy(&w, F_IP, ip, sizeof ip))
		return false;
	if (w.val[F_ERROR].p && !copy(&w, F_ERROR, err, sizeof err))
		return false;
	ev->kind = BS_EV_SIGNIN;
	for (size_t i = 0; i <= strlen(user); i++)
		ev->account[i] = g_ascii_tolower(user[i]);
	bs_signins__ip_norm(w.val[F_IP].p ? ip : NULL, ev->ip);
	if (w.val[F_ERROR].p && strspn(err, "0123456789") != strlen(err))
		return false; /* -0, 0.0, 1e3: jansson's integer or real rules decide */
	ev->success = !w.val[F_ERROR].p || strspn(err, "0") == strlen(err);
	return fill_optional(&w, b, ev);
}
