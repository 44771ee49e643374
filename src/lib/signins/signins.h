/* signins: from Entra ID sign-in exports and Unified Audit Log exports to
 * the compromised accounts, their windows and the exposed items (a scope
 * file, docs/scope.md). Rules, attribution and windows: docs/signins.md.
 *
 * Reading is streaming and repeated: each file is read up to three times
 * (signals; the attacker's sessions; attribution and items), so inputs must
 * be regular files, and memory grows with accounts, attacker activity and
 * MailItemsAccessed record times, never with the size of a file.
 * A bs_signins is not thread-safe. The library prints nothing: rows it
 * skips are handed to a callback with file, line and a reason that holds no
 * data from the row. */
#ifndef BS_SIGNINS_H
#define BS_SIGNINS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "base/json.h"

G_BEGIN_DECLS

typedef struct bs_signins bs_signins;

typedef struct {
	/* Home countries, ISO 3166 alpha-2, NULL-terminated; NULL means {"SE"}.
	 * Borrowed for the life of the bs_signins. */
	const char *const *home_countries;
	/* Containment time in µs for windows that the logs leave open; 0: none. */
	int64_t contained_at_us;
	/* When set, each account's mailboxes are {"<root>/<local part>"};
	 * otherwise empty lists for the investigator to fill. Borrowed. */
	const char *mailbox_root;
} bs_signins_options;

/* A row that was skipped: file as given, 1-based line where the row starts,
 * a static reason. */
typedef void bs_signins_skip_fn(const char *file, uint64_t line, const char *reason, void *user);

bs_signins *bs_signins_new(const bs_signins_options *opts);
void bs_signins_free(bs_signins *s); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_signins, bs_signins_free)

/* Reads the IOC file (issue 5 §3) for its "ips": addresses or CIDR ranges.
 * Other lists are for hunt and ignored here. Error names file and place. */
bool bs_signins_load_ioc(bs_signins *s, const char *path, GError **error);

/* Queues an input file: a sign-in export, or (audit true) an audit export.
 * JSON (array, or objects one after another) or CSV, told by content. */
void bs_signins_add_file(bs_signins *s, const char *path, bool audit);

/* Reads every queued file and decides. false only when a file cannot be
 * read at all; broken rows go to skip (which may be NULL). */
bool bs_signins_run(bs_signins *s, bs_signins_skip_fn *skip, void *user, GError **error);

/* After bs_signins_run(): */
uint64_t bs_signins_rows_read(const bs_signins *s);    /* usable rows, first pass */
uint64_t bs_signins_rows_skipped(const bs_signins *s); /* first pass */
size_t bs_signins_compromised_count(const bs_signins *s);

/* One line of the summary: an account with any rule hit. Strings borrowed
 * from s, valid until bs_signins_free(). */
typedef struct {
	const char *account;
	bool compromised;
	const char *rules;    /* rule names hit, comma-separated */
	int64_t first_us;     /* first attacker activity; 0 when not compromised */
	int64_t contained_us; /* end of the last window; BS_SCOPE_OPEN_END when open */
	size_t windows;
	size_t accessed;  /* items graded accessed */
	size_t synced;    /* items or folders graded synced */
	size_t throttled; /* throttled periods */
} bs_signins_row;

size_t bs_signins_row_count(const bs_signins *s);
bool bs_signins_row_get(const bs_signins *s, size_t i, bs_signins_row *out_row);

/* Writes the scope file's object (docs/scope.md) for the compromised
 * accounts into j. */
void bs_signins_write_scope(const bs_signins *s, bs_json *j);
/* Writes the `signins --json` object (docs/signins.md) into j. */
void bs_signins_write_summary(const bs_signins *s, bs_json *j);

G_END_DECLS
#endif
