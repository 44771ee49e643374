/* Unit tests for signins: locale times, the streaming readers at every chunk
 * boundary, the per-record rules, and whole runs over small tenants (a
 * normal traveller, an attacker, a throttled mailbox) down to a scope file
 * that the scope module loads and grades. */
#include "signins/signins.h"

#include "base/json.h"
#include "scope/scope.h"
#include "signins/internal.h"

/* --- times --- */

static const struct time_case {
	const char *in;
	bs_signins__date_order order;
	const char *expect; /* NULL: refused */
} time_cases[] = {
    {"2024-03-05T10:11:12Z", BS_DATE_ORDER_UNKNOWN, "2024-03-05T10:11:12Z"},
    {"2024-03-05T10:11:12.1234567Z", BS_DATE_ORDER_DMY, "2024-03-05T10:11:12Z"},
    {"2024-03-05 10:11:12", BS_DATE_ORDER_MDY, "2024-03-05T10:11:12Z"},
    {"2024-03-05T10:11:12", BS_DATE_ORDER_UNKNOWN, "2024-03-05T10:11:12Z"},
    {"3/5/2024, 10:11:12 AM", BS_DATE_ORDER_MDY, "2024-03-05T10:11:12Z"},
    {"3/5/2024, 12:01:00 AM", BS_DATE_ORDER_MDY, "2024-03-05T00:01:00Z"},
    {"3/5/2024, 12:01:00 PM", BS_DATE_ORDER_MDY, "2024-03-05T12:01:00Z"},
    {"3/5/2024, 1:01 pm", BS_DATE_ORDER_UNKNOWN, "2024-03-05T13:01:00Z"},
    {"05/03/2024 10:11:12", BS_DATE_ORDER_DMY, "2024-03-05T10:11:12Z"},
    {"05/03/2024 10:11:12", BS_DATE_ORDER_UNKNOWN, "2024-03-05T10:11:12Z"},
    {"05/03/2024 10:11:12", BS_DATE_ORDER_MDY, "2024-05-03T10:11:12Z"},
    {"05.03.2024 10:11", BS_DATE_ORDER_DMY, "2024-03-05T10:11:00Z"},
    {"05-03-2024 10:11:12", BS_DATE_ORDER_DMY, "2024-03-05T10:11:12Z"},
    {"2024/03/05 10:11:12", BS_DATE_ORDER_DMY, "2024-03-05T10:11:12Z"},
    {"31/02/2024 10:11:12", BS_DATE_ORDER_DMY, NULL},
    {"13/13/2024 10:11:12", BS_DATE_ORDER_DMY, NULL},
    {"3/5/2024, 13:00 PM", BS_DATE_ORDER_MDY, NULL},
    {"3/5/2024", BS_DATE_ORDER_MDY, NULL},
    {"yesterday", BS_DATE_ORDER_MDY, NULL},
    {"", BS_DATE_ORDER_MDY, NULL},
    {"99999999999999999999/1/2024 10:00", BS_DATE_ORDER_MDY, NULL},
};

static void
test_time_formats(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(time_cases); i++) {
		const struct time_case *c = &time_cases[i];
		char buf[BS_SCOPE_TIME_LEN];
		int64_t us = 0;
		bool ok = bs_signins__time_parse(c->in, c->order, &us);

		g_test_message("row %zu: \"%s\"", i, c->in);
		g_assert_cmpint(ok, ==, c->expect != NULL);
		if (ok)
			g_assert_cmpstr(bs_scope_time_format(us, buf, sizeof buf), ==, c->expect);
	}
}

static void
test_time_votes(void)
{
	bool ampm;

	g_assert_cmpint(bs_signins__date_vote("13/3/2024 10:00", &ampm), ==, BS_DATE_ORDER_DMY);
	g_assert_false(ampm);
	g_assert_cmpint(bs_signins__date_vote("3/13/2024, 10:00 AM", &ampm), ==, BS_DATE_ORDER_MDY);
	g_assert_true(ampm);
	g_assert_cmpint(bs_signins__date_vote("3/5/2024, 10:00 AM", &ampm), ==,
	                BS_DATE_ORDER_UNKNOWN);
	g_assert_cmpint(bs_signins__date_vote("2024-03-13T10:00:00Z", &ampm), ==,
	                BS_DATE_ORDER_UNKNOWN);
}

/* --- readers --- */

struct collected {
	GString *out; /* one line per record: "line|fields or text|broken" */
};

static bool
collect_json(void *user, const char *text, size_t len, uint64_t line, const char *broken)
{
	struct collected *c = user;

	g_string_append_printf(c->out, "%" G_GUINT64_FORMAT "|%.*s|%s\n", line, (int)len, text,
	                       broken ? "broken" : "");
	return true;
}

static bool
collect_csv(void *user, const bs_signins__csv_row *row)
{
	struct collected *c = user;

	g_string_append_printf(c->out, "%" G_GUINT64_FORMAT "|", row->line);
	for (size_t i = 0; i < row->count; i++)
		g_string_append_printf(c->out, "[%s]", row->data.data + row->off[i]);
	g_string_append(c->out, "|\n");
	return true;
}

static const struct read_case {
	const char *in;
	const char *expect;
} read_cases[] = {
    {"\xef\xbb\xbf"
     "a,b \r\n\"x, \"\"y\"\"\nz\",2\r\n\r\nlast,\"\"",
     "1|[a][b ]|\n2|[x, \"y\"\nz][2]|\n5|[last][]|\n"},
    {"[\n {\"a\": \"}{\", \"b\": [1, {\"c\": 2}]},\n {\"d\": \"\\\"\"}\n]\n",
     "2|{\"a\": \"}{\", \"b\": [1, {\"c\": 2}]}|\n3|{\"d\": \"\\\"\"}|\n"},
    {"{\"a\":1}\n{\"b\":\"cut\n{\"c\":3}\n", "1|{\"a\":1}|\n2|{\"b\":\"cut|broken\n3|{\"c\":3}|\n"},
    {"[{\"a\":\"x\n\"}, {\"z\":1},\n {\"b\":2}]", "1|{\"a\":\"x|broken\n3|{\"b\":2}|\n"},
    {"{\"a\":{\"b\":1}", "1|{\"a\":{\"b\":1}|broken\n"},
    {"  \n[1, \"s\", {\"a\":1}]", "2|{\"a\":1}|\n"},
};

static void
test_read_every_chunk_size(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(read_cases); i++) {
		const struct read_case *c = &read_cases[i];
		static const size_t chunks[] = {1, 7, 0};

		for (size_t k = 0; k < G_N_ELEMENTS(chunks); k++) {
			struct collected col = {g_string_new(NULL)};

			g_test_message("row %zu, chunk %zu", i, chunks[k]);
			bs_signins__read_data(c->in, strlen(c->in), chunks[k], collect_json,
			                      collect_csv, &col);
			g_assert_cmpstr(col.out->str, ==, c->expect);
			g_string_free(col.out, TRUE);
		}
	}
}

/* --- rules --- */

static void
test_rules_legacy_clients(void)
{
	static const struct {
		const char *client;
		bool legacy;
	} rows[] = {
	    {"IMAP4", true},
	    {"POP3", true},
	    {"Authenticated SMTP", true},
	    {"Other clients", true},
	    {"Browser", false},
	    {"Exchange ActiveSync", false},
	    {"Mobile Apps and Desktop clients", false},
	    {NULL, false},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_test_message("row %zu", i);
		g_assert_cmpint(bs_signins__legacy_client(rows[i].client), ==, rows[i].legacy);
	}
}

static void
test_rules_addresses_and_distance(void)
{
	char ip[BS_SIGNINS_IP_LEN];
	double km = bs_signins__haversine_km(59.33, 18.07, 59.91, 10.75);

	g_assert_cmpfloat(km, >, 410);
	g_assert_cmpfloat(km, <, 420);
	g_assert_true(bs_signins__ip_norm("203.0.113.7:51123", ip));
	g_assert_cmpstr(ip, ==, "203.0.113.7");
	g_assert_true(bs_signins__ip_norm("[2001:DB8::1]:443", ip));
	g_assert_cmpstr(ip, ==, "2001:db8::1");
	g_assert_true(bs_signins__ip_norm("2001:db8::1", ip));
	g_assert_cmpstr(ip, ==, "2001:db8::1");
	g_assert_false(bs_signins__ip_norm("[2001:db8::1", ip));
	g_assert_true(bs_signins__external("smtp:drop@evil.example", "anna@kommun.example"));
	g_assert_false(bs_signins__external("SMTP:bo@KOMMUN.example", "anna@kommun.example"));
	g_assert_false(bs_signins__external("Bo Berg", "anna@kommun.example"));
}

/* --- whole runs --- */

/* SIGNIN_ after the place macros have expanded into three arguments */
#define SIGNIN(...) SIGNIN_(__VA_ARGS__)
#define SIGNIN_(t, who, ip, cc, lat, lon, client, err, sess)                                       \
	"{\"createdDateTime\":\"" t "\",\"userPrincipalName\":\"" who "\",\"ipAddress\":\"" ip     \
	"\",\"clientAppUsed\":\"" client "\",\"sessionId\":\"" sess                                \
	"\",\"status\":{\"errorCode\":" err "},\"location\":{\"countryOrRegion\":\"" cc            \
	"\",\"geoCoordinates\":{\"latitude\":" lat ",\"longitude\":" lon "}}}\n"
#define STHLM "SE", "59.33", "18.07"
#define OSLO "NO", "59.91", "10.75"
#define LAGOS "NG", "6.52", "3.38"

static const char tenant_signins[] =
    /* eva: Stockholm, then Oslo six hours later by train: foreign, not compromised */
    SIGNIN("2024-03-04T07:00:00Z", "eva@k.example", "198.51.100.5", STHLM, "Browser", "0", "e1")
        SIGNIN("2024-03-04T13:00:00Z", "eva@k.example", "198.51.100.205", OSLO, "Browser", "0",
               "e2") SIGNIN("2024-03-05T09:00:00Z", "eva@k.example", "198.51.100.205", OSLO,
                            "IMAP4", "1", "e3")
    /* anna: at home, then Lagos an hour later: foreign and impossible travel */
    SIGNIN("2024-03-05T09:00:00Z", "anna@k.example", "198.51.100.1", STHLM, "Browser", "0",
           "a1") SIGNIN("2024-03-05T10:05:00Z", "anna@k.example", "192.0.2.9", LAGOS, "Browser",
                        "50126", "x0")
        SIGNIN(
            "2024-03-05T10:12:00Z", "anna@k.example", "192.0.2.9", LAGOS, "Browser", "0",
            "x1") "{\"createdDateTime\":\"not a time\",\"userPrincipalName\":\"anna@k.example\"}\n";

#define MIA(t, who, ip, sess, type, ids)                                                           \
	"{\"CreationTime\":\"" t "\",\"Operation\":\"MailItemsAccessed\",\"UserId\":\"" who        \
	"\",\"MailboxOwnerUPN\":\"" who "\",\"ClientIPAddress\":\"" ip "\",\"SessionId\":\"" sess  \
	"\",\"OperationProperties\":[{\"Name\":\"MailAccessType\",\"Value\":\"" type "\"}],"       \
	"\"Folders\":[{\"Path\":\"\\\\Inkorgen\",\"FolderItems\":[" ids "]}]}"

static const char tenant_audit[] = "[" MIA(
    "2024-03-05T10:30:00", "anna@k.example", "2603:10a6::5", "x1", "Bind",
    "{\"InternetMessageId\":\"<m1@k.example>\"}") ",\n" MIA("2024-03-05T10:31:00", "anna@k.example",
                                                            "192.0.2.9", "x1", "Sync",
                                                            "") ",\n" MIA("2024-03-05T10:32:00",
                                                                          "eva@k.example",
                                                                          "198.51.100.205", "e2",
                                                                          "Bind",
                                                                          "{\"InternetMessageId"
                                                                          "\":\"<e1@k.example>"
                                                                          "\"}") ",\n"
                                                                                 "{\"CreationTi"
                                                                                 "me\":\"2024-"
                                                                                 "03-06T08:00:"
                                                                                 "00\","
                                                                                 "\"Operation\""
                                                                                 ":\"Reset "
                                                                                 "user "
                                                                                 "password.\","
                                                                                 "\"UserId\":"
                                                                                 "\"admin@k."
                                                                                 "example\","
                                                                                 "\"ObjectId\":"
                                                                                 "\"anna@k."
                                                                                 "example\"}"
                                                                                 "\n]";

/* --- the fast path agrees with the general one --- */

static void
assert_same_event(const char *text, bool fast_expected)
{
	bs_signins__event a = {0}, b = {0};
	bs_signins__fast_buf buf;
	const char *reason = NULL;
	json_t *rec = json_loads(text, 0, NULL);
	bool fast = bs_signins__fast_signin(text, strlen(text), &a, &buf);

	g_assert_cmpint(fast, ==, fast_expected);
	if (fast) {
		g_assert_nonnull(rec);
		g_assert_true(bs_signins__decode_signin_json(rec, &b, &reason));
		g_assert_cmpint(a.time_us, ==, b.time_us);
		g_assert_cmpstr(a.account, ==, b.account);
		g_assert_cmpstr(a.ip, ==, b.ip);
		g_assert_cmpint(a.success, ==, b.success);
		g_assert_cmpstr(a.country, ==, b.country);
		g_assert_cmpstr(a.client_app, ==, b.client_app);
		g_assert_cmpstr(a.session, ==, b.session);
		g_assert_cmpstr(a.id, ==, b.id);
		g_assert_cmpint(a.has_geo, ==, b.has_geo);
		g_assert_cmpfloat(a.lat, ==, b.lat);
		g_assert_cmpfloat(a.lon, ==, b.lon);
	}
	json_decref(rec);
}

static const struct fast_case {
	const char *text;
	bool fast; /* taken by the fast path */
} fast_cases[] = {
    {SIGNIN("2024-03-04T07:00:00Z", "Eva@K.example", "198.51.100.5:443", STHLM, "IMAP4", "0", "e1"),
     true},
    {SIGNIN("2024-03-04T07:00:00Z", "eva@k.example", "", OSLO, "", "50126", ""), true},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"x\":[{\"y\":\"}\"}],\"deep\":{\"a\":{\"b\":{\"c\":1}}}}",
     true},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"\\u00e5@b\"}", false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"status\":{\"errorCode\":null}}",
     false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"status\":{\"errorCode\":\"0\"}}",
     false},
    {"{\"properties\":{\"createdDateTime\":\"2024-03-04T07:00:00Z\"}}", false},
    {"{\"createdDateTime\":2024,\"userPrincipalName\":\"a@b\"}", false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"userPrincipalName\":\"c@d\"}",
     false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\",}", false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\"", false},
    {"{\"userPrincipalName\":\"a@b\"}", false},
    /* fuzz/corpus/signins-json/crash-long-latitude: a number longer than the buffer */
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"location\":{\"geoCoordinates\":{\"latitude\":59.314444444444444444444444444444444444,"
     "\"longitude\":18}}}",
     false},
    /* fuzz/corpus/signins-json/crash-duplicate-member: jansson keeps the last copy */
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"userPrincipalName\":{}}",
     false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"location\":{\"countryOrRegion\":\"NO\"},\"location\":{}}",
     false},
    /* fuzz/corpus/signins-json/crash-latitude-case: names match without case */
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"UserPrincipalName\":\"a@b\","
     "\"location\":{\"geoCoordinates\":{\"Latitude\":59.3,\"longitude\":18}}}",
     true},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"status\":{\"errorCode\":0.0}}",
     false},
    {"{\"createdDateTime\":\"2024-03-04T07:00:00Z\",\"userPrincipalName\":\"a@b\","
     "\"LocationDetails\":{\"countryOrRegion\":\"NO\"}}",
     false},
};

static void
test_fast_path_agrees(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fast_cases); i++) {
		g_test_message("row %zu", i);
		assert_same_event(fast_cases[i].text, fast_cases[i].fast);
	}
}

static bs_signins *
run_tenant(const char *signins, const char *audit, GString *skipped)
{
	bs_signins *s = bs_signins_new(NULL);
	GError *error = NULL;

	bs_signins__add_data(s, "signins.ndjson", signins, strlen(signins), false);
	bs_signins__add_data(s, "audit.json", audit, strlen(audit), true);
	g_assert_true(bs_signins_run(s, NULL, NULL, &error));
	g_assert_no_error(error);
	if (skipped)
		g_string_append_printf(skipped, "%" G_GUINT64_FORMAT, bs_signins_rows_skipped(s));
	return s;
}

static bs_scope *
scope_of(const bs_signins *s)
{
	g_autoptr(bs_json) j = bs_json_new();
	GError *error = NULL;
	bs_scope *scope = NULL;

	bs_signins_write_scope(s, j);
	g_assert_true(bs_scope_load_data("scope.json", bs_json_text(j), strlen(bs_json_text(j)),
	                                 &scope, &error));
	g_assert_no_error(error);
	return scope;
}

static int64_t
t(const char *iso)
{
	int64_t us = 0;

	g_assert_true(bs_scope_time_parse(iso, &us));
	return us;
}

static void
test_run_attacker_found_traveller_not(void)
{
	g_autoptr(GString) skipped = g_string_new(NULL);
	g_autoptr(bs_signins) s = run_tenant(tenant_signins, tenant_audit, skipped);
	g_autoptr(bs_scope) scope = NULL;
	bs_signins_row r;

	g_assert_cmpstr(skipped->str, ==, "1");
	g_assert_cmpuint(bs_signins_compromised_count(s), ==, 1);
	g_assert_cmpuint(bs_signins_row_count(s), ==, 2);
	g_assert_true(bs_signins_row_get(s, 0, &r));
	g_assert_cmpstr(r.account, ==, "anna@k.example");
	g_assert_true(r.compromised);
	g_assert_cmpstr(r.rules, ==, "foreign-country,impossible-travel,attacker-session");
	g_assert_cmpint(r.first_us, ==, t("2024-03-05T10:12:00Z"));
	g_assert_cmpint(r.contained_us, ==, t("2024-03-06T08:00:00Z"));
	g_assert_cmpuint(r.accessed, ==, 1);
	g_assert_cmpuint(r.synced, ==, 1);
	g_assert_true(bs_signins_row_get(s, 1, &r));
	g_assert_cmpstr(r.account, ==, "eva@k.example");
	g_assert_false(r.compromised);
	g_assert_cmpstr(r.rules, ==, "foreign-country");

	scope = scope_of(s);
	g_assert_cmpint(bs_scope_grade(scope, "anna@k.example", "<m1@k.example>", 0, NULL), ==,
	                BS_GRADE_ACCESSED);
	g_assert_cmpint(bs_scope_grade(scope, "anna@k.example", "<m2@k.example>",
	                               t("2024-03-05T10:00:00Z"), "INBOX"),
	                ==, BS_GRADE_SYNCED);
	g_assert_cmpint(bs_scope_grade(scope, "anna@k.example", "<m3@k.example>",
	                               t("2024-03-05T12:00:00Z"), "INBOX"),
	                ==, BS_GRADE_WINDOW);
	g_assert_cmpint(bs_scope_grade(scope, "anna@k.example", "<m4@k.example>",
	                               t("2024-03-07T12:00:00Z"), NULL),
	                ==, BS_GRADE_NONE);
	g_assert_cmpint(bs_scope_grade(scope, "eva@k.example", "<e1@k.example>", 0, NULL), ==,
	                BS_GRADE_NONE);
}

/* 1000 MailItemsAccessed records in under 24 hours during a window: the
 * mailbox is throttled from the 1000th for 24 hours. */
static void
test_run_throttle(void)
{
	g_autoptr(GString) audit = g_string_new("[");
	g_autoptr(bs_signins) s = NULL;
	g_autoptr(bs_json) j = bs_json_new();

	for (int i = 0; i < 1200; i++) {
		g_autoptr(GDateTime) dt = g_date_time_new_utc(2024, 3, 5, 11, 0, 0);
		g_autoptr(GDateTime) at = g_date_time_add_seconds(dt, 30.0 * i);
		g_autofree char *when = g_date_time_format(at, "%Y-%m-%dT%H:%M:%S");

		g_string_append_printf(
		    audit,
		    "%s{\"CreationTime\":\"%s\",\"Operation\":\"MailItemsAccessed\","
		    "\"MailboxOwnerUPN\":\"anna@k.example\",\"ClientIPAddress\":"
		    "\"198.51.100.1\",\"OperationProperties\":[{\"Name\":"
		    "\"MailAccessType\",\"Value\":\"Bind\"}]}",
		    i ? "," : "", when);
	}
	g_string_append(audit, "]");
	s = run_tenant(tenant_signins, audit->str, NULL);
	bs_signins_write_scope(s, j);
	/* the 1000th record: 11:00:00 + 999 * 30 s = 19:19:30 */
	g_assert_nonnull(strstr(bs_json_text(j),
	                        "\"throttled\":[{\"account\":\"anna@k.example\",\"from\":\"2024-03-"
	                        "05T19:19:30Z\",\"to\":\"2024-03-06T19:19:30Z\"}]"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/signins/time/formats", test_time_formats);
	g_test_add_func("/signins/time/votes", test_time_votes);
	g_test_add_func("/signins/read/every-chunk-size", test_read_every_chunk_size);
	g_test_add_func("/signins/rules/legacy-clients", test_rules_legacy_clients);
	g_test_add_func("/signins/rules/addresses-and-distance", test_rules_addresses_and_distance);
	g_test_add_func("/signins/run/attacker-found-traveller-not",
	                test_run_attacker_found_traveller_not);
	g_test_add_func("/signins/run/throttle", test_run_throttle);
	g_test_add_func("/signins/decode/fast-path-agrees", test_fast_path_agrees);
	return g_test_run();
}
