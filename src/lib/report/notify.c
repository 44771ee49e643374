/* The notification list (Art. 34): the vault opened with the DPO's private
 * key, every exposed identifier in plaintext with its categories, grade and
 * risk rank, as CSV (mode 0600), and letters from a template (those of
 * protected people apart, marked to go through Skatteverket). Order: open
 * every entry (a wrong key stops here), audit, then write to a temporary
 * file published without replacing (link) unless forced (rename). The
 * plaintext copies are wiped when done. */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "report/internal.h"
#include "report/letter-en.h"
#include "report/letter-sv.h"

typedef struct {
	const bs_report__person *person;
	const bs_subject_figures *sf;
	char *plain; /* "kind:canonical", wiped by bs_vault_plain_free() */
} plain_row;

static void
plain_row_clear(gpointer p)
{
	plain_row *r = p;

	bs_vault_plain_free(r->plain);
	r->plain = NULL;
}

const char *
bs_report_letter_template(const char *lang)
{
	return lang && strcmp(lang, "sv") == 0 ? bs_letter_sv : bs_letter_en;
}

void
bs_csv_field_append(GString *out, const char *value)
{
	const char *v = value ? value : "";

	if (!v[strcspn(v, ",\"\r\n")]) {
		g_string_append(out, v);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

/* Opens every exposed subject's entry, persons in rank order. */
static bool
open_all(bs_store *s, const bs_report__people *people, const bs_vault_secret *sk, GArray *rows,
         int64_t *out_missing, GError **error)
{
	for (guint i = 0; i < people->persons->len; i++) {
		const bs_report__person *p = people->persons->pdata[i];

		for (guint k = 0; k < p->members->len; k++) {
			plain_row row = {p, p->members->pdata[k], NULL};
			g_autofree uint8_t *sealed = NULL;
			size_t len = 0;
			bool found = false;

			if (!bs_store_vault_get(s, row.sf->id, &found, &sealed, &len, error))
				return false;
			if (!found) {
				(*out_missing)++;
				continue;
			}
			row.plain = bs_vault_open(sk, sealed, len, error);
			if (!row.plain) {
				g_prefix_error(error,
				               "the vault key does not open the index's vault: ");
				return false;
			}
			g_array_append_val(rows, row);
		}
	}
	return true;
}

static void
categories_text(GString *out, unsigned cats, const char *lang, const char *sep)
{
	size_t start = out->len;

	for (int k = 0; k < CAT_COUNT; k++) {
		if (!(cats & (1u << k)))
			continue;
		if (out->len > start)
			g_string_append(out, sep);
		g_string_append(
		    out, lang ? bs_report__t(lang, &(const bs_report__text){bs_report__cats[k].sv,
		                                                            bs_report__cats[k].en})
		              : bs_report__cats[k].name);
	}
}

static const char *const csv_head = "rank,score,high_risk,kind,identifier,grade,messages,"
                                    "occurrences,categories,child,protected_identity,delivery,"
                                    "role,first,last,pseudonym\r\n";

/* protected_identity and delivery of a person (docs/report.md): words near
 * its identifier mean its letter must not go by ordinary post; words
 * elsewhere in a message mean its address is checked before posting. */
static void
protection(const bs_report__person *p, const char **out_protected, const char **out_delivery)
{
	if (p->protected_near) {
		*out_protected = "near";
		*out_delivery = "skatteverket";
	} else if (p->cats & (1u << CAT_PROTECTED)) {
		*out_protected = "message";
		*out_delivery = "check";
	} else {
		*out_protected = "no";
		*out_delivery = "post";
	}
}

static void
csv_row(GString *out, const plain_row *r)
{
	const bs_report__person *p = r->person;
	const bs_subject_figures *sf = r->sf;
	const char *colon = strchr(r->plain, ':');
	char hex[BS_PSEUDONYM_HEX_LEN + 1];
	g_autoptr(GString) cats = g_string_new(NULL);
	g_autofree char *nums = g_strdup_printf("%d,%d,%s,", p->rank, p->score,
	                                        p->score >= BS_RISK_HIGH_SCORE ? "yes" : "no");
	const char *prot, *delivery;

	categories_text(cats, bs_report__subject_cats(sf) | p->cats, NULL, ";");
	bs_pseudonym_hex(sf->pseudonym, hex);
	g_string_append(out, nums);
	bs_csv_field_append(out, sf->kind);
	g_string_append_c(out, ',');
	bs_csv_field_append(out, colon ? colon + 1 : r->plain);
	g_string_append_printf(out, ",%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",",
	                       bs_grade_name(sf->grade), sf->messages, sf->occurrences);
	bs_csv_field_append(out, cats->str);
	protection(p, &prot, &delivery);
	g_string_append_printf(out, ",%s,%s,%s,", sf->child ? "yes" : "no", prot, delivery);
	bs_csv_field_append(out, sf->role ? sf->role : "");
	g_string_append_printf(out, ",%s,%s,%s\r\n", sf->first, sf->last, hex);
}

/* Writes data to a new file, mode 0600, refusing an existing one. */
static bool
write_new(const char *path, const char *data, size_t len, GError **error)
{
	int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n = 0;

	if (fd < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", path, g_strerror(errno));
		return false;
	}
	for (size_t done = 0; done < len; done += (size_t)n) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			break;
	}
	if (n < 0 || fsync(fd) != 0 || close(fd) != 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", path, g_strerror(errno));
		g_unlink(path);
		return false;
	}
	return true;
}

/* The CSV goes to a temporary name beside out, then takes out's name:
 * link() refuses an existing file (no race between check and write);
 * --force renames over it. */
static bool
publish_csv(const char *out, const GString *csv, bool force, GError **error)
{
	g_autofree char *tmp = g_strdup_printf("%s.tmp-%d", out, (int)getpid());
	int rc;

	g_unlink(tmp);
	if (!write_new(tmp, csv->str, csv->len, error))
		return false;
	rc = force ? g_rename(tmp, out) : link(tmp, out);
	if (rc != 0) {
		int e = errno;

		g_unlink(tmp);
		if (e == EEXIST)
			g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
			            "\"%s\": exists already (--force replaces it)", out);
		else
			g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", out, g_strerror(e));
		return false;
	}
	if (!force)
		g_unlink(tmp);
	return true;
}

/* ---- letters */

static const struct {
	const char *kind, *sv, *en;
} kind_labels[] = {
    {"pnr", "personnummer", "personal identity number"},
    {"samordningsnummer", "samordningsnummer", "coordination number"},
    {"email", "e-postadress", "e-mail address"},
    {"phone", "telefonnummer", "phone number"},
};

static const char *
kind_label(const char *kind, const char *lang)
{
	for (size_t i = 0; i < G_N_ELEMENTS(kind_labels); i++)
		if (strcmp(kind_labels[i].kind, kind) == 0)
			return strcmp(lang, "sv") == 0 ? kind_labels[i].sv : kind_labels[i].en;
	return kind;
}

typedef struct {
	const char *key;
	const char *value;
} slot;

/* {{key}} replaced by its value; an unknown {{name}} stays as written. */
static void
fill_template(GString *out, const char *tmpl, const slot *slots, size_t n)
{
	const char *p = tmpl, *open;

	while ((open = strstr(p, "{{"))) {
		const char *close = strstr(open + 2, "}}");
		size_t i = 0;

		g_string_append_len(out, p, open - p);
		if (!close) {
			p = open;
			break;
		}
		while (i < n && !(strlen(slots[i].key) == (size_t)(close - open - 2) &&
		                  memcmp(slots[i].key, open + 2, close - open - 2) == 0))
			i++;
		if (i < n)
			g_string_append(out, slots[i].value ? slots[i].value : "");
		else
			g_string_append_len(out, open, close + 2 - open);
		p = close + 2;
	}
	g_string_append(out, p);
}

typedef struct {
	const bs_config *cfg;
	const char *tmpl, *lang, *dir;
	char *protected_dir; /* dir/skatteverket, owned; made on first use */
	int64_t protected;   /* letters written there */
} letter_ctx;

/* Heads every letter of a person with protected-identity words near an
 * identifier (domain-facts §3.3): it goes through Skatteverket, never to an
 * address of the municipality's own choosing. */
static const bs_report__text protected_notice = {
    "SKYDDADE PERSONUPPGIFTER - INTE SOM VANLIGT BREV\n"
    "Ord om skyddad identitet stod nära denna persons uppgifter i den exponerade\n"
    "e-posten. Skicka inte brevet till folkbokföringsadressen eller någon annan\n"
    "adress ur ärendet, och skriv ingen adress i brevet. Kontrollera skyddet hos\n"
    "Skatteverket och skicka brevet genom Skatteverkets förmedling av post till\n"
    "personer med skyddade personuppgifter.\n"
    "------------------------------------------------------------------------\n\n",
    "PROTECTED IDENTITY - NOT AN ORDINARY LETTER\n"
    "Words about a protected identity stood near this person's data in the exposed\n"
    "mail. Do not post this letter to the registered address or to any address\n"
    "from the case, and write no address into it. Check the protection with\n"
    "Skatteverket and send the letter through Skatteverket's forwarding of mail\n"
    "to people with protected personal data.\n"
    "------------------------------------------------------------------------\n\n",
};

static bool
protected_dir_ready(letter_ctx *c, GError **error)
{
	int e;

	if (!c->protected_dir)
		c->protected_dir = g_build_filename(c->dir, "skatteverket", NULL);
	if (g_mkdir(c->protected_dir, 0700) == 0)
		return true;
	e = errno;
	if (e == EEXIST && g_file_test(c->protected_dir, G_FILE_TEST_IS_DIR) &&
	    g_chmod(c->protected_dir, 0700) == 0)
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", c->protected_dir,
	            g_strerror(e == EEXIST ? ENOTDIR : e));
	return false;
}

/* Where p's letter goes; a protected person's is apart and starts with the
 * notice. */
static char *
letter_path_dup(letter_ctx *c, const bs_report__person *p, GString *text, GError **error)
{
	g_autofree char *name = g_strdup_printf("%06d.txt", p->rank);

	if (!p->protected_near)
		return g_build_filename(c->dir, name, NULL);
	if (!protected_dir_ready(c, error))
		return NULL;
	g_string_append(text, bs_report__t(c->lang, &protected_notice));
	return g_build_filename(c->protected_dir, name, NULL);
}

static const char *
or_fill(const char *v, const char *lang)
{
	return v && *v ? v : strcmp(lang, "sv") == 0 ? "(fyll i)" : "(to fill in)";
}

static bool
write_letter(letter_ctx *c, const plain_row *rows, size_t n, GError **error)
{
	const bs_report__person *p = rows[0].person;
	g_autoptr(GString) ids = g_string_new(NULL), cats = g_string_new(NULL);
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree char *rank = g_strdup_printf("%d", p->rank);
	g_autofree char *msgs = g_strdup_printf("%" G_GINT64_FORMAT, p->messages);
	g_autofree char *path = letter_path_dup(c, p, text, error);
	char first[11] = "", last[11] = "";

	if (!path)
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(rows[i].plain, ':');

		g_string_append_printf(ids, "  - %s: %s\n", kind_label(rows[i].sf->kind, c->lang),
		                       colon ? colon + 1 : rows[i].plain);
		if (*rows[i].sf->first && (!*first || strcmp(rows[i].sf->first, first) < 0))
			g_strlcpy(first, rows[i].sf->first, sizeof first);
		if (strcmp(rows[i].sf->last, last) > 0)
			g_strlcpy(last, rows[i].sf->last, sizeof last);
	}
	categories_text(cats, p->cats, c->lang, ", ");
	{
		const slot slots[] = {
		    {"org", or_fill(c->cfg->incident_org, c->lang)},
		    {"contact", or_fill(c->cfg->incident_contact, c->lang)},
		    {"description", or_fill(c->cfg->incident_description, c->lang)},
		    {"measures", or_fill(c->cfg->incident_measures, c->lang)},
		    {"consequences", or_fill(c->cfg->incident_consequences, c->lang)},
		    {"reference", or_fill(c->cfg->incident_reference, c->lang)},
		    {"identifiers", ids->str},
		    {"categories", cats->str},
		    {"messages", msgs},
		    {"first", or_fill(first, c->lang)},
		    {"last", or_fill(last, c->lang)},
		    {"rank", rank},
		};

		fill_template(text, c->tmpl, slots, G_N_ELEMENTS(slots));
	}
	g_unlink(path); /* the directory is ours (0700); a rerun replaces its letters */
	bool ok = write_new(path, text->str, text->len, error);
	c->protected += ok && p->protected_near;
	memset(text->str, 0, text->len); /* the letter holds plaintext identifiers */
	memset(ids->str, 0, ids->len);
	return ok;
}

static bool
make_letters_dir(const char *dir, bool force, GError **error)
{
	int e;

	if (g_mkdir(dir, 0700) == 0)
		return true;
	e = errno;
	if (e == EEXIST && !force) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "\"%s\": exists already (--force writes into it)", dir);
		return false;
	}
	if (e == EEXIST && g_file_test(dir, G_FILE_TEST_IS_DIR) && g_chmod(dir, 0700) == 0)
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": %s", dir,
	            g_strerror(e == EEXIST ? ENOTDIR : e));
	return false;
}

static bool
write_letters(letter_ctx *c, GArray *rows, int64_t *out_persons, GError **error)
{
	for (guint i = 0, j; i < rows->len; i = j) {
		const plain_row *r = &g_array_index(rows, plain_row, i);

		for (j = i + 1; j < rows->len; j++)
			if (g_array_index(rows, plain_row, j).person != r->person)
				break;
		if (!write_letter(c, r, j - i, error))
			return false;
		(*out_persons)++;
	}
	return true;
}

static int64_t
count_persons(GArray *rows)
{
	int64_t n = 0;

	for (guint i = 0; i < rows->len; i++)
		n += i == 0 || g_array_index(rows, plain_row, i).person !=
		                   g_array_index(rows, plain_row, i - 1).person;
	return n;
}

static bool export(bs_store *s, const bs_config *cfg, const bs_notify_options *o, GArray *rows,
                   bs_notify_summary *out, GError **error)
{
	g_autoptr(GString) csv = g_string_new(csv_head);
	letter_ctx lc = {cfg,
	                 o->template_text ? o->template_text : bs_report_letter_template(o->lang),
	                 o->lang && strcmp(o->lang, "sv") == 0 ? "sv" : "en",
	                 o->letters_dir,
	                 NULL,
	                 0};
	bool ok;

	if (!o->audit(rows->len, count_persons(rows), o->audit_user, error))
		return false;
	for (guint i = 0; i < rows->len; i++)
		csv_row(csv, &g_array_index(rows, plain_row, i));
	ok = publish_csv(o->out_csv, csv, o->force, error);
	memset(csv->str, 0, csv->len);
	if (!ok)
		return false;
	out->identifiers = rows->len;
	ok = !o->letters_dir || (make_letters_dir(o->letters_dir, o->force, error) &&
	                         write_letters(&lc, rows, &out->persons, error));
	out->protected = lc.protected;
	g_free(lc.protected_dir);
	return ok;
}

bool
bs_report_notify_list(bs_store *s, const bs_config *cfg, const bs_vault_secret *sk,
                      const bs_notify_options *opts, bs_notify_summary *out, GError **error)
{
	g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(plain_row));
	bs_report__people people;
	bool ok;

	memset(out, 0, sizeof *out);
	g_array_set_clear_func(rows, plain_row_clear);
	if (!opts->force && g_file_test(opts->out_csv, G_FILE_TEST_EXISTS)) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "\"%s\": exists already (--force replaces it)", opts->out_csv);
		return false;
	}
	if (opts->letters_dir && !opts->force &&
	    g_file_test(opts->letters_dir, G_FILE_TEST_EXISTS)) {
		g_set_error(error, BS_ERROR, BS_ERROR_USAGE,
		            "\"%s\": exists already (--force writes into it)", opts->letters_dir);
		return false;
	}
	ok = bs_report__people_load(s, &people, error) &&
	     open_all(s, &people, sk, rows, &out->missing, error);
	if (ok && rows->len == 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_NOT_FOUND,
		            "the index holds no vault entries (scan with [vault] public_key set)");
		ok = false;
	}
	ok = ok && export(s, cfg, opts, rows, out, error);
	g_array_set_size(rows, 0); /* wipes the plaintext before people go */
	bs_report__people_fini(&people);
	return ok;
}
