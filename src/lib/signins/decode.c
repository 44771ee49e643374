/* signins: one record to one event. Sign-ins: the Graph signIn shape (also
 * wrapped in Azure Monitor's "properties", and Log Analytics' PascalCase
 * names) and the portal CSV; audit: the Unified Audit Log record (JSON, or
 * the AuditData column of its CSV). Names are matched without regard to
 * case because the three Microsoft shapes disagree on it. */
#include "signins/internal.h"

#include <math.h>

json_t *
bs_signins__get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *k;

	if (v || !json_is_object(obj))
		return v;
	json_object_foreach(obj, k, v) if (g_ascii_strcasecmp(k, key) == 0) return v;
	return NULL;
}

const char *
bs_signins__get_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(bs_signins__get(obj, key));

	return s && *s ? s : NULL;
}

const char *
bs_signins__name_value(json_t *list, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *n = bs_signins__get_str(e, "Name");

		if (n && g_ascii_strcasecmp(n, name) == 0) {
			const char *v = bs_signins__get_str(e, "Value");

			return v ? v : "";
		}
	}
	return NULL;
}

static bool
copy_account(const char *s, bs_signins__event *ev)
{
	if (!s || !*s || strlen(s) >= sizeof ev->account)
		return false;
	for (size_t i = 0; s[i]; i++)
		ev->account[i] = g_ascii_tolower(s[i]);
	ev->account[strlen(s)] = '\0';
	return true;
}

static bool
json_bool_text(json_t *v)
{
	const char *s = json_string_value(v);

	return json_is_true(v) || (s && g_ascii_strcasecmp(s, "true") == 0);
}

static void
signin_geo(json_t *loc, bs_signins__event *ev)
{
	json_t *geo = bs_signins__get(loc, "geoCoordinates");
	json_t *lat = bs_signins__get(geo, "latitude");
	json_t *lon = bs_signins__get(geo, "longitude");

	ev->country = bs_signins__get_str(loc, "countryOrRegion");
	if (json_is_number(lat) && json_is_number(lon)) {
		ev->lat = json_number_value(lat);
		ev->lon = json_number_value(lon);
		ev->has_geo =
		    fabs(ev->lat) <= 90 && fabs(ev->lon) <= 180 && !(ev->lat == 0 && ev->lon == 0);
	}
}

static bool
signin_success(json_t *rec)
{
	json_t *status = bs_signins__get(rec, "status");
	json_t *code =
	    status ? bs_signins__get(status, "errorCode") : bs_signins__get(rec, "ResultType");
	const char *s = json_string_value(code);

	if (json_is_integer(code))
		return json_integer_value(code) == 0;
	if (s)
		return strcmp(s, "0") == 0;
	return true; /* no status: count it, as more exposure is the safe side */
}

bool
bs_signins__decode_signin_json(json_t *rec, bs_signins__event *ev, const char **out_reason)
{
	json_t *props = bs_signins__get(rec, "properties");
	const char *t;

	if (json_is_object(props))
		rec = props; /* Azure Monitor diagnostic record */
	t = bs_signins__get_str(rec, "createdDateTime");
	if (!t)
		t = bs_signins__get_str(rec, "TimeGenerated");
	ev->kind = BS_EV_SIGNIN;
	if (!t || !bs_signins__time_parse(t, BS_DATE_ORDER_UNKNOWN, &ev->time_us)) {
		*out_reason = "no valid createdDateTime";
		return false;
	}
	if (!copy_account(bs_signins__get_str(rec, "userPrincipalName"), ev)) {
		*out_reason = "no userPrincipalName";
		return false;
	}
	bs_signins__ip_norm(bs_signins__get_str(rec, "ipAddress"), ev->ip);
	ev->success = signin_success(rec);
	ev->client_app = bs_signins__get_str(rec, "clientAppUsed");
	ev->session = bs_signins__get_str(rec, "sessionId");
	ev->id = bs_signins__get_str(rec, "id");
	signin_geo(bs_signins__get(rec, "location") ? bs_signins__get(rec, "location")
	                                            : bs_signins__get(rec, "LocationDetails"),
	           ev);
	return true;
}

/* --- audit --- */

static const char *
audit_target(json_t *rec)
{
	const char *o = bs_signins__get_str(rec, "ObjectId");
	json_t *targets = bs_signins__get(rec, "Target");
	size_t i;
	json_t *e;

	if (o && strchr(o, '@'))
		return o;
	json_array_foreach(targets, i, e)
	{
		const char *id = bs_signins__get_str(e, "ID");

		if (id && strchr(id, '@'))
			return id;
	}
	return bs_signins__get_str(rec, "UserId");
}

static bool
is_containment(const char *op)
{
	return g_str_has_prefix(op, "Reset user password") ||
	       g_str_has_prefix(op, "Change user password") ||
	       g_str_has_prefix(op, "Reset password") || strstr(op, "Revoke") ||
	       (g_str_has_prefix(op, "Invalidate") && strstr(op, "refresh token"));
}

static void
audit_mail_access(json_t *rec, bs_signins__event *ev)
{
	json_t *props = bs_signins__get(rec, "OperationProperties");
	const char *type = bs_signins__name_value(props, "MailAccessType");
	const char *thr = bs_signins__name_value(props, "IsThrottled");

	if (!type)
		type = bs_signins__get_str(rec, "MailAccessType");
	ev->kind = BS_EV_MAIL_ACCESS;
	ev->bind = type && g_ascii_strcasecmp(type, "Bind") == 0;
	ev->sync = type && g_ascii_strcasecmp(type, "Sync") == 0;
	ev->throttled = (thr && g_ascii_strcasecmp(thr, "True") == 0) ||
	                json_bool_text(bs_signins__get(rec, "IsThrottled"));
	ev->folders = bs_signins__get(rec, "Folders");
	if (!json_is_array(ev->folders))
		ev->folders = NULL;
}

static void
audit_forwarding(json_t *rec, bs_signins__event *ev)
{
	json_t *params = bs_signins__get(rec, "Parameters");
	const char *t = bs_signins__name_value(params, "ForwardingSmtpAddress");

	if (!t || !*t)
		t = bs_signins__name_value(params, "ForwardingAddress");
	if (!t || !*t)
		return;
	ev->kind = BS_EV_FORWARDING;
	ev->target = t;
}

static void
audit_kind(json_t *rec, const char *op, bs_signins__event *ev)
{
	ev->kind = BS_EV_ACTIVITY;
	if (g_ascii_strcasecmp(op, "MailItemsAccessed") == 0)
		audit_mail_access(rec, ev);
	else if (g_ascii_strcasecmp(op, "New-InboxRule") == 0 ||
	         g_ascii_strcasecmp(op, "Set-InboxRule") == 0 ||
	         g_ascii_strcasecmp(op, "UpdateInboxRules") == 0) {
		ev->kind = BS_EV_INBOX_RULE;
		bs_signins__judge_inbox_rule(rec, ev);
	} else if (g_ascii_strcasecmp(op, "Set-Mailbox") == 0)
		audit_forwarding(rec, ev);
	else if (is_containment(op))
		ev->kind = BS_EV_CONTAIN;
}

static const char *
audit_ip(json_t *rec)
{
	const char *ip = bs_signins__get_str(rec, "ClientIPAddress");

	if (!ip)
		ip = bs_signins__get_str(rec, "ClientIP");
	if (!ip)
		ip = bs_signins__get_str(rec, "ActorIpAddress");
	return ip;
}

bool
bs_signins__decode_audit_json(json_t *rec, bs_signins__event *ev, const char **out_reason)
{
	const char *op = bs_signins__get_str(rec, "Operation");
	const char *t = bs_signins__get_str(rec, "CreationTime");
	const char *who;

	if (!op) {
		*out_reason = "no Operation";
		return false;
	}
	if (!t || !bs_signins__time_parse(t, BS_DATE_ORDER_UNKNOWN, &ev->time_us)) {
		*out_reason = "no valid CreationTime";
		return false;
	}
	audit_kind(rec, op, ev);
	who = ev->kind == BS_EV_CONTAIN ? audit_target(rec)
	                                : bs_signins__get_str(rec, "MailboxOwnerUPN");
	if (!who)
		who = bs_signins__get_str(rec, "UserId");
	if (!copy_account(who, ev)) {
		*out_reason = "no UserId";
		return false;
	}
	bs_signins__ip_norm(audit_ip(rec), ev->ip);
	ev->session = bs_signins__get_str(rec, "SessionId");
	ev->id = bs_signins__get_str(rec, "Id");
	ev->success = true;
	return true;
}

/* --- CSV --- */

static const struct {
	const char *name; /* header, trimmed, lower case */
	size_t field;     /* offset of the int in bs_signins__csv_cols */
} csv_names[] = {
    {"date (utc)", G_STRUCT_OFFSET(bs_signins__csv_cols, time)},
    {"createddatetime", G_STRUCT_OFFSET(bs_signins__csv_cols, time)},
    {"date", G_STRUCT_OFFSET(bs_signins__csv_cols, time)},
    {"username", G_STRUCT_OFFSET(bs_signins__csv_cols, user)},
    {"userprincipalname", G_STRUCT_OFFSET(bs_signins__csv_cols, user)},
    {"user principal name", G_STRUCT_OFFSET(bs_signins__csv_cols, user)},
    {"ip address", G_STRUCT_OFFSET(bs_signins__csv_cols, ip)},
    {"ipaddress", G_STRUCT_OFFSET(bs_signins__csv_cols, ip)},
    {"location", G_STRUCT_OFFSET(bs_signins__csv_cols, location)},
    {"country", G_STRUCT_OFFSET(bs_signins__csv_cols, country)},
    {"country or region", G_STRUCT_OFFSET(bs_signins__csv_cols, country)},
    {"status", G_STRUCT_OFFSET(bs_signins__csv_cols, status)},
    {"sign-in error code", G_STRUCT_OFFSET(bs_signins__csv_cols, error_code)},
    {"client app", G_STRUCT_OFFSET(bs_signins__csv_cols, client_app)},
    {"clientappused", G_STRUCT_OFFSET(bs_signins__csv_cols, client_app)},
    {"session id", G_STRUCT_OFFSET(bs_signins__csv_cols, session)},
    {"sessionid", G_STRUCT_OFFSET(bs_signins__csv_cols, session)},
    {"latitude", G_STRUCT_OFFSET(bs_signins__csv_cols, lat)},
    {"longitude", G_STRUCT_OFFSET(bs_signins__csv_cols, lon)},
    {"auditdata", G_STRUCT_OFFSET(bs_signins__csv_cols, audit_data)},
    {"request id", G_STRUCT_OFFSET(bs_signins__csv_cols, id)},
    {"id", G_STRUCT_OFFSET(bs_signins__csv_cols, id)},
};

void
bs_signins__csv_header(const bs_signins__csv_row *row, bs_signins__csv_cols *out_cols)
{
	memset(out_cols, 0xff, sizeof *out_cols); /* every column -1: absent */
	out_cols->order = BS_DATE_ORDER_UNKNOWN;
	for (size_t f = 0; f < row->count; f++) {
		g_autofree char *name = g_ascii_strdown(row->data.data + row->off[f], -1);

		g_strstrip(name);
		for (size_t k = 0; k < G_N_ELEMENTS(csv_names); k++) {
			int *slot = G_STRUCT_MEMBER_P(out_cols, csv_names[k].field);

			if (strcmp(name, csv_names[k].name) == 0 && *slot < 0)
				*slot = (int)f; /* the first of duplicate names wins */
		}
	}
}

static const char *
csv_field(const bs_signins__csv_row *row, int col)
{
	const char *s;

	if (col < 0 || (size_t)col >= row->count)
		return NULL;
	s = row->data.data + row->off[col];
	while (*s == ' ')
		s++;
	return *s ? s : NULL;
}

static bool
csv_success(const bs_signins__csv_row *row, const bs_signins__csv_cols *c)
{
	const char *status = csv_field(row, c->status);
	const char *code = csv_field(row, c->error_code);

	if (status)
		return g_ascii_strncasecmp(status, "Success", 7) == 0;
	return !code || strcmp(code, "0") == 0;
}

/* "Stockholm, Stockholms län, SE" ends in the country code. */
static const char *
csv_country(const bs_signins__csv_row *row, const bs_signins__csv_cols *c)
{
	const char *s = csv_field(row, c->country);
	const char *comma;

	if (s)
		return s;
	s = csv_field(row, c->location);
	if (!s)
		return NULL;
	comma = strrchr(s, ',');
	s = comma ? comma + 1 : s;
	while (*s == ' ')
		s++;
	return strlen(s) == 2 ? s : NULL;
}

static void
csv_geo(const bs_signins__csv_row *row, const bs_signins__csv_cols *c, bs_signins__event *ev)
{
	const char *lat = csv_field(row, c->lat);
	const char *lon = csv_field(row, c->lon);
	char *end1 = NULL, *end2 = NULL;

	if (!lat || !lon)
		return;
	ev->lat = g_ascii_strtod(lat, &end1);
	ev->lon = g_ascii_strtod(lon, &end2);
	ev->has_geo = *end1 == '\0' && *end2 == '\0' && fabs(ev->lat) <= 90 && fabs(ev->lon) <= 180;
}

bool
bs_signins__decode_signin_csv(const bs_signins__csv_row *row, const bs_signins__csv_cols *c,
                              bs_signins__event *ev, const char **out_reason)
{
	ev->kind = BS_EV_SIGNIN;
	if (!bs_signins__time_parse(csv_field(row, c->time), c->order, &ev->time_us)) {
		*out_reason = "no valid date";
		return false;
	}
	if (!copy_account(csv_field(row, c->user), ev)) {
		*out_reason = "no user name";
		return false;
	}
	bs_signins__ip_norm(csv_field(row, c->ip), ev->ip);
	ev->success = csv_success(row, c);
	ev->client_app = csv_field(row, c->client_app);
	ev->session = csv_field(row, c->session);
	ev->id = csv_field(row, c->id);
	ev->country = csv_country(row, c);
	csv_geo(row, c, ev);
	return true;
}
