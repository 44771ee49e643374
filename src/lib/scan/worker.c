/* One message: walk, detect per segment, gather subjects per location. */
#include "scan/scan.h"

#include <string.h>

#include "extract/extract.h"
#include "ident/ident.h"
#include "scan/internal.h"

struct bs_scan__worker {
	const bs_scan__shared *sh;
	bs_detect_run *run;
	bs_mail_info info;
	GDate ref;
	/* per message */
	bs_scan__result *res;
	GHashTable *by_id; /* "kind\x1fcanonical" -> bs_scan__subject * (borrowed) */
	bs_where where;
	int64_t mtime_us; /* the file time: reference date of last resort */
	bool ref_set;     /* ref decided for this message */

	/* facts (facts.c): the text being detected and its findings */
	const bs_segment *seg; /* borrowed for the on_segment call */
	GArray *near;          /* bs_scan__near */
};

static void
subject_free(gpointer p)
{
	bs_scan__subject *s = p;

	if (!s)
		return;
	g_free(s->canonical);
	g_free(s);
}

void
bs_scan__result_free(bs_scan__result *r)
{
	if (!r)
		return;
	g_free(r->locator);
	g_free(r->folder);
	g_free(r->message_id);
	g_free(r->date);
	g_free(r->reason);
	if (r->subjects)
		g_ptr_array_unref(r->subjects);
	if (r->categories)
		g_array_unref(r->categories);
	g_free(r);
}

bs_scan__worker *
bs_scan__worker_new(const bs_scan__shared *sh, GError **error)
{
	bs_scan__worker *w = g_new0(bs_scan__worker, 1);

	w->sh = sh;
	w->run = bs_detect_run_new(sh->detector, error);
	if (!w->run) {
		g_free(w);
		return NULL;
	}
	bs_mail_info_init(&w->info);
	w->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	w->near = g_array_new(FALSE, FALSE, sizeof(bs_scan__near));
	return w;
}

void
bs_scan__worker_free(bs_scan__worker *w)
{
	if (!w)
		return;
	bs_detect_run_free(w->run);
	bs_mail_info_fini(&w->info);
	g_hash_table_unref(w->by_id);
	g_array_unref(w->near);
	g_free(w);
}

/* In one of the organisation's domains, or a subdomain of one. */
static bool
is_staff_domain(const bs_config *cfg, const char *addr)
{
	const char *at = strrchr(addr, '@');

	if (!at || !cfg->org_domains)
		return false;
	for (char **d = cfg->org_domains; *d; d++) {
		size_t dl = strlen(*d), hl = strlen(at + 1);

		if (dl == 0 || hl < dl || g_ascii_strcasecmp(at + 1 + hl - dl, *d) != 0)
			continue;
		if (hl == dl || at[hl - dl] == '.')
			return true;
	}
	return false;
}

static bs_scan__subject *
subject_for(bs_scan__worker *w, const bs_ident *id)
{
	const char *kind = bs_kind_name(id->kind);
	g_autofree char *k = g_strconcat(kind, "\x1f", id->canonical, NULL);
	bs_scan__subject *s = g_hash_table_lookup(w->by_id, k);

	if (s)
		return s;
	s = g_new0(bs_scan__subject, 1);
	s->kind = kind;
	bs_pseudonym(w->sh->key, kind, id->canonical, strlen(id->canonical), s->pseudonym);
	if (w->sh->vault)
		s->canonical = g_strdup(id->canonical);
	if (id->kind == BS_KIND_EMAIL)
		s->role = is_staff_domain(w->sh->config, id->canonical) ? BS_ROLE_STAFF
		                                                        : BS_ROLE_RESIDENT;
	g_hash_table_insert(w->by_id, g_steal_pointer(&k), s);
	g_ptr_array_add(w->res->subjects, s);
	return s;
}

static bs_scan__subject *
add_occurrence(bs_scan__worker *w, const bs_ident *id, bs_where where, bs_confidence conf)
{
	bs_scan__subject *s = subject_for(w, id);
	int age;

	s->count[where]++;
	if (conf > s->confidence[where])
		s->confidence[where] = (uint8_t)conf;
	if (id->kind == BS_KIND_PNR || id->kind == BS_KIND_SAMORDNING) {
		age = bs_ident_age_at(id, &w->ref);
		if (age >= 0 && age < 18)
			s->child = true;
	}
	return s;
}

static void
on_finding(const bs_finding *f, void *user)
{
	bs_scan__worker *w = user;

	if (!f->id.valid || f->confidence < BS_CONF_MEDIUM || f->id.kind == BS_KIND_ORGNR)
		return;
	/* People-header addresses come from the walk's address list. */
	if (w->where == BS_WHERE_HEADER && f->id.kind == BS_KIND_EMAIL)
		return;
	bs_scan__facts_finding(w->seg, f, add_occurrence(w, &f->id, w->where, f->confidence),
	                       w->near);
}

static void
add_categories(bs_scan__worker *w)
{
	const uint32_t *counts = bs_detect_run_category_counts(w->run);
	GArray *cats = w->res->categories;

	for (guint i = 0; i < cats->len; i++)
		g_array_index(cats, uint32_t, i) += counts[i];
}

static void set_ref_date(bs_scan__worker *w, int64_t date_us);

/* The walk fills the date before the first segment: Date, else Received;
 * the file time when neither is usable. */
static void
decide_ref_date(bs_scan__worker *w)
{
	if (w->ref_set)
		return;
	set_ref_date(w, w->info.has_date ? w->info.date_us : w->mtime_us);
	w->ref_set = true;
}

static void
on_segment(const bs_segment *seg, void *user)
{
	bs_scan__worker *w = user;

	decide_ref_date(w);
	w->where = seg->where;
	w->seg = seg;
	if (bs_detect_run_begin(w->run, &w->ref, on_finding, w) != BS_OK)
		return;
	bs_detect_run_feed(w->run, seg->text, seg->len);
	bs_detect_run_end(w->run);
	add_categories(w);
	bs_scan__facts_protected(w->run, w->sh->detector, &w->ref, seg, w->near);
}

/* People-header addresses (top and forwarded messages): e-mail subjects. */
static void
add_addresses(bs_scan__worker *w)
{
	GArray *a = w->info.addresses;

	for (guint i = 0; a && i < a->len; i++) {
		const bs_mail_address *ad = &g_array_index(a, bs_mail_address, i);
		bs_ident id;

		if (!ad->addr || bs_ident_parse_as(BS_KIND_EMAIL, ad->addr, strlen(ad->addr),
		                                   &w->ref, &id) != BS_OK)
			continue;
		bs_scan__facts_address(ad, add_occurrence(w, &id, BS_WHERE_HEADER, BS_CONF_HIGH));
	}
}

static void
set_ref_date(bs_scan__worker *w, int64_t date_us)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(date_us / G_USEC_PER_SEC);

	g_date_clear(&w->ref, 1);
	if (!dt)
		dt = g_date_time_new_now_utc();
	g_date_set_dmy(&w->ref, (GDateDay)g_date_time_get_day_of_month(dt),
	               (GDateMonth)g_date_time_get_month(dt), (GDateYear)g_date_time_get_year(dt));
}

static bs_scan__result *
result_new(const bs_scan__worker *w, const bs_scan__source_ctx *src, bs_source_msg *msg)
{
	bs_scan__result *r = g_new0(bs_scan__result, 1);
	size_t ncat = bs_detector_category_count(w->sh->detector);

	r->source_id = src->source_id;
	r->locator = g_steal_pointer(&msg->locator);
	r->folder = g_steal_pointer(&msg->folder);
	r->mailbox = src->mailbox;
	r->bytes = msg->raw_bytes;
	r->subjects = g_ptr_array_new_with_free_func(subject_free);
	r->categories = g_array_sized_new(FALSE, TRUE, sizeof(uint32_t), (guint)ncat);
	g_array_set_size(r->categories, (guint)ncat);
	return r;
}

/* Status and reason: the walk's, worsened by what the source said. Notes
 * (a lying charset, a duplicated header) leave the status ok but are kept
 * in the reason, so that every oddity of a message is on record. */
static void
finish_status(bs_scan__worker *w, bs_scan__result *r, const bs_source_msg *msg)
{
	bs_mail_status st = w->info.status;
	g_autofree char *reason = bs_mail_info_reason_dup(&w->info);

	if (msg->status == BS_SOURCE_TRUNCATED && st == BS_MAIL_OK)
		st = BS_MAIL_PARTIAL;
	r->status = bs_mail_status_name(st);
	if (msg->status == BS_SOURCE_TRUNCATED)
		r->reason =
		    reason ? g_strconcat(msg->reason, "; ", reason, NULL) : g_strdup(msg->reason);
	else
		r->reason = g_steal_pointer(&reason);
	if (!r->reason && st != BS_MAIL_OK)
		r->reason = g_strdup("unknown");
}

static void
grade_and_date(bs_scan__worker *w, const bs_scan__source_ctx *src, bs_scan__result *r)
{
	char buf[BS_SCOPE_TIME_LEN];
	int64_t date_us = w->info.has_date ? w->info.date_us : BS_SCOPE_DATE_UNKNOWN;

	if (w->info.has_date)
		r->date = g_strdup(bs_scope_time_format(w->info.date_us, buf, sizeof buf));
	r->message_id = g_strdup(w->info.message_id);
	r->grade = bs_grade_name(
	    bs_scope_grade(w->sh->scope, src->grade_as, r->message_id, date_us, r->folder));
}

bs_scan__result *
bs_scan__process(bs_scan__worker *w, const bs_scan__source_ctx *src, bs_source_msg *msg)
{
	bs_scan__result *r = result_new(w, src, msg);

	w->res = r;
	g_hash_table_remove_all(w->by_id);
	if (msg->status == BS_SOURCE_TOO_LARGE || msg->status == BS_SOURCE_UNREADABLE) {
		r->status = "failed";
		r->reason = g_strdup(msg->reason);
		r->grade = bs_grade_name(bs_scope_grade(w->sh->scope, src->grade_as, NULL,
		                                        BS_SCOPE_DATE_UNKNOWN, r->folder));
		return r;
	}
	w->mtime_us = msg->mtime_us;
	w->ref_set = false;
	bs_mail_walk(msg->data, msg->len, &w->sh->limits, on_segment, w, &w->info, NULL);
	decide_ref_date(w);
	add_addresses(w);
	finish_status(w, r, msg);
	grade_and_date(w, src, r);
	w->res = NULL;
	return r;
}
