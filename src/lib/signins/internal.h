/* signins internals: streaming readers, record decoding, rules, analysis. */
#ifndef BS_SIGNINS_INTERNAL_H
#define BS_SIGNINS_INTERNAL_H

#include "signins/signins.h"

#include <jansson.h>

#include "base/base.h"
#include "scope/scope.h"

/* --- readers (read.c) --- */

/* One CSV row: fields are NUL-separated in data; field i starts at
 * data + off[i]. */
typedef struct {
	bs_buf data;
	size_t off[BS_LIMIT_CSV_FIELDS];
	size_t count;  /* fields */
	uint64_t line; /* 1-based line where the row starts */
	bool too_big;  /* a limit was hit: the row is incomplete */
} bs_signins__csv_row;

/* Called per JSON record (text, len: one object; broken: NULL, or a static
 * reason why the record is incomplete) or CSV row. Returns false to stop
 * reading the file. */
typedef bool bs_signins__json_fn(void *user, const char *text, size_t len, uint64_t line,
                                 const char *broken);
typedef bool bs_signins__csv_fn(void *user, const bs_signins__csv_row *row);

/* Reads path (JSON or CSV, told by its first byte) and calls one of the
 * functions per record. Error only when the file cannot be read. */
bool bs_signins__read_file(const char *path, bs_signins__json_fn *json_fn,
                           bs_signins__csv_fn *csv_fn, void *user, GError **error);
/* The same over memory (fuzzing, tests), fed in pieces of chunk bytes
 * (0: at once) as a file would be. */
void bs_signins__read_data(const char *data, size_t len, size_t chunk, bs_signins__json_fn *json_fn,
                           bs_signins__csv_fn *csv_fn, void *user);

/* --- times (time.c) --- */

/* How a file writes dates with slashes, dashes or dots: decided per file. */
typedef enum {
	BS_DATE_ORDER_UNKNOWN = 0,
	BS_DATE_ORDER_MDY,
	BS_DATE_ORDER_DMY,
} bs_signins__date_order;

/* Votes: what one value says about the order (UNKNOWN when both fit);
 * out_ampm tells whether it carries AM/PM. */
bs_signins__date_order bs_signins__date_vote(const char *s, bool *out_ampm);
/* Parses ISO 8601 (no zone: UTC) or a locale date-time ("3/5/2024, 10:11:12
 * AM", "05.03.2024 10:11", "05/03/2024 10:11:12") read in order. */
bool bs_signins__time_parse(const char *s, bs_signins__date_order order, int64_t *out_us);

/* --- events (decode.c) --- */

typedef enum {
	BS_EV_SIGNIN,
	BS_EV_MAIL_ACCESS, /* MailItemsAccessed */
	BS_EV_INBOX_RULE,  /* New-/Set-InboxRule, UpdateInboxRules */
	BS_EV_FORWARDING,  /* Set-Mailbox forwarding */
	BS_EV_CONTAIN,     /* password reset or change, session revocation */
	BS_EV_ACTIVITY,    /* any other audit record */
} bs_signins__kind;

#define BS_SIGNINS_ACCOUNT_LEN 320
#define BS_SIGNINS_IP_LEN 64
/* Above this many attacker addresses and sessions, passes 2 and 3 parse
 * every record instead of searching the raw text for each. */
#define BS_SIGNINS_NEEDLES_MAX 256

/* One record, decoded. Strings are borrowed from the record and valid
 * during the call that receives the event. */
typedef struct {
	bs_signins__kind kind;
	uint64_t line;
	const char *id; /* the record's own id (signIn id, UAL Id, Request ID) or NULL */
	int64_t time_us;
	char account[BS_SIGNINS_ACCOUNT_LEN]; /* ASCII lower case */
	char ip[BS_SIGNINS_IP_LEN];           /* without port; "" if none */
	const char *session;                  /* NULL if none */
	/* sign-ins */
	bool success;
	const char *country;    /* ISO alpha-2 or NULL */
	const char *client_app; /* NULL if none */
	bool has_geo;
	double lat, lon;
	/* MailItemsAccessed */
	bool bind, sync, throttled;
	json_t *folders; /* the record's "Folders" array or NULL */
	/* inbox rules and forwarding */
	bool suspicious, strong;
	const char *target; /* forwarding address (for the external check) */
} bs_signins__event;

/* Room for the fast path's strings, valid while the event is handled. */
typedef struct {
	char client[64];
	char session[128];
	char country[16];
	char id[128];
} bs_signins__fast_buf;

/* The Graph signIn shape read straight from the text (fast.c); false when
 * the record needs the general path (any doubt at all). */
bool bs_signins__fast_signin(const char *text, size_t len, bs_signins__event *ev,
                             bs_signins__fast_buf *buf);

/* false and a static reason when the record is not usable. */
bool bs_signins__decode_signin_json(json_t *rec, bs_signins__event *ev, const char **out_reason);
bool bs_signins__decode_audit_json(json_t *rec, bs_signins__event *ev, const char **out_reason);

/* Column positions of a sign-in or audit CSV, from its header. -1: absent. */
typedef struct {
	int time, user, ip, location, country, status, error_code, client_app, session;
	int lat, lon, audit_data, id;
	bs_signins__date_order order;
} bs_signins__csv_cols;

void bs_signins__csv_header(const bs_signins__csv_row *row, bs_signins__csv_cols *out_cols);
bool bs_signins__decode_signin_csv(const bs_signins__csv_row *row, const bs_signins__csv_cols *c,
                                   bs_signins__event *ev, const char **out_reason);

/* --- rules (rules.c) --- */

typedef enum {
	BS_RULE_IOC_IP,
	BS_RULE_FOREIGN_COUNTRY,
	BS_RULE_IMPOSSIBLE_TRAVEL,
	BS_RULE_LEGACY_PROTOCOL,
	BS_RULE_INBOX_RULE,
	BS_RULE_FORWARDING,
	BS_RULE_ATTACKER_IP,
	BS_RULE_ATTACKER_SESSION,
	BS_RULE_COUNT
} bs_signins__rule;

const char *bs_signins__rule_name(bs_signins__rule r);
bool bs_signins__legacy_client(const char *client_app);
/* New-/Set-InboxRule parameters or UpdateInboxRules properties: sets
 * ev->suspicious and ev->strong. */
void bs_signins__judge_inbox_rule(json_t *rec, bs_signins__event *ev);
/* Great-circle distance in km. */
double bs_signins__haversine_km(double lat1, double lon1, double lat2, double lon2);
/* Address text without port or brackets into out; false if not an address. */
bool bs_signins__ip_norm(const char *text, char out[BS_SIGNINS_IP_LEN]);
/* Case-insensitive member of an object, or of a [{"Name","Value"}] list. */
json_t *bs_signins__get(json_t *obj, const char *key);
const char *bs_signins__get_str(json_t *obj, const char *key);
const char *bs_signins__name_value(json_t *list, const char *name);

/* --- analysis state (analyse.c, decide.c, output.c) --- */

typedef struct {
	int64_t from_us;
	int64_t to_us; /* BS_SCOPE_OPEN_END when open */
} bs_signins__span;

/* Rule hits of one account are kept per (rule, address): first, last and
 * how many, so that memory follows addresses, not rows. */
typedef struct {
	bs_signins__rule rule;
	bool strong;
	char *ip; /* "" when the record had none; owned */
	int64_t first_us, last_us;
	uint64_t count;
	char *source; /* "file:line" of the first; owned */
	char *id;     /* the first record's id or NULL; owned */
} bs_signins__hit;

/* Sign-ins with coordinates, consecutive ones from one place merged. */
typedef struct {
	int64_t first_us, last_us;
	double lat, lon;
	bool home;
	char *ip;         /* owned */
	const char *file; /* borrowed from the input list */
	uint64_t line;
	char *id; /* owned */
} bs_signins__place;

typedef struct {
	char *name;           /* lower case; owned */
	GHashTable *hits;     /* "rule ip" -> bs_signins__hit * (owned) */
	GArray *places;       /* bs_signins__place */
	GArray *contain_us;   /* int64_t: resets and revocations */
	GArray *mia_us;       /* int64_t: every MailItemsAccessed record */
	GArray *throttled_us; /* int64_t: records marked IsThrottled */
	GArray *attack_us;    /* int64_t: attributed activity (third pass) */
	GHashTable *items;    /* Message-ID (owned) -> GINT_TO_POINTER(bs_grade) */
	GHashTable *folders;  /* folder path (owned) -> bs_signins__span * (owned) */
	/* decided */
	bool compromised, open;
	char *rules;       /* comma-separated; owned */
	GArray *windows;   /* bs_signins__span */
	GArray *throttled; /* bs_signins__span */
	size_t synced_items;
} bs_signins__account;

typedef struct {
	char *path;       /* owned */
	const char *data; /* in memory instead of a file (fuzzing); borrowed */
	size_t len;
	bool audit;
	bool header_done;
	bs_signins__csv_cols cols;
	bs_signins__date_order order; /* decided in the first pass over a CSV */
	uint64_t votes[3];
	bool ampm;
} bs_signins__input;

struct bs_signins {
	char **home; /* upper-case alpha-2 codes; owned strv */
	int64_t contained_at_us;
	char *mailbox_root;            /* owned or NULL */
	GPtrArray *inputs;             /* bs_signins__input *, owned */
	GPtrArray *ioc;                /* GInetAddressMask *, owned */
	GHashTable *accounts;          /* name -> bs_signins__account * (owned) */
	GPtrArray *sorted;             /* accounts with hits, by name; borrowed */
	GHashTable *attacker_ips;      /* owned strings */
	GHashTable *attacker_sessions; /* owned strings */
	GPtrArray *needles;            /* strings searched for in passes 2 and 3; owned */
	int pass;                      /* 0 date order, 1 signals, 2 sessions, 3 attribution */
	bs_signins__input *cur;
	bs_signins_skip_fn *skip;
	void *skip_user;
	uint64_t rows, skipped;
	size_t compromised;
};

/* Queues data in memory as an input named name (fuzzing, tests); data is
 * borrowed until bs_signins_run() returns. */
void bs_signins__add_data(bs_signins *s, const char *name, const char *data, size_t len,
                          bool audit);
bs_signins__account *bs_signins__account_get(bs_signins *s, const char *name);
bool bs_signins__ioc_match(const bs_signins *s, const char *ip);
bool bs_signins__external(const char *target, const char *account);
/* Where and when a hit was seen. */
typedef struct {
	const char *ip;
	int64_t time_us;
	const char *file;
	uint64_t line;
	const char *id; /* NULL if the record has none */
} bs_signins__seen;

void bs_signins__hit_add(bs_signins__account *a, bs_signins__rule rule, bool strong,
                         const bs_signins__seen *seen);
/* After the first pass: impossible travel, then the attacker's addresses. */
void bs_signins__decide_addresses(bs_signins *s);
/* After the third pass: compromised accounts, windows, throttled periods. */
void bs_signins__decide_accounts(bs_signins *s);

#endif
