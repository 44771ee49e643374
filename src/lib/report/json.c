/* `report --json`: the contract plus the extra fields of
 * docs/report.md, through the one JSON writer. */
#include "report/report.h"

#include "report/internal.h"

static const bs_grade exposed[] = {BS_GRADE_ACCESSED, BS_GRADE_SYNCED, BS_GRADE_WINDOW};

static void
write_grades(bs_json *j, const char *key, const int64_t *by_grade, bool with_none)
{
	int64_t total = 0;

	bs_json_obj_begin(j, key);
	for (size_t i = 0; i < G_N_ELEMENTS(exposed); i++) {
		bs_json_int(j, bs_grade_name(exposed[i]), by_grade[exposed[i]]);
		total += by_grade[exposed[i]];
	}
	if (with_none) {
		bs_json_int(j, "none", by_grade[BS_GRADE_NONE]);
		total += by_grade[BS_GRADE_NONE];
	}
	bs_json_int(j, "total", total);
	bs_json_obj_end(j);
}

static void
write_subjects(const bs_report *r, bs_json *j)
{
	int64_t by_grade[BS_GRADE_COUNT] = {0};
	GPtrArray *subjects = r->people.subjects;

	for (guint i = 0; i < subjects->len; i++)
		by_grade[((const bs_subject_figures *)subjects->pdata[i])->grade]++;
	bs_json_obj_begin(j, "subjects");
	bs_json_int(j, "min", r->subj_min);
	bs_json_int(j, "max", r->subj_max);
	bs_json_obj_begin(j, "by_kind");
	for (guint i = 0; i < r->by_kind->len; i++) {
		const bs_count *c = r->by_kind->pdata[i];

		bs_json_int(j, c->name, c->count);
	}
	bs_json_obj_end(j);
	bs_json_obj_begin(j, "by_category");
	for (int k = 0; k < CAT_COUNT; k++)
		bs_json_int(j, bs_report__cats[k].name, r->by_cat[k]);
	bs_json_obj_end(j);
	write_grades(j, "by_grade", by_grade, false);
	bs_json_obj_begin(j, "by_role");
	bs_json_int(j, "resident", r->residents);
	bs_json_int(j, "staff", r->staff);
	bs_json_int(j, "other", r->unknown_role);
	bs_json_obj_end(j);
	bs_json_obj_end(j);
}

static void
write_persons(const bs_report *r, bs_json *j)
{
	bs_json_obj_begin(j, "persons");
	bs_json_int(j, "min", r->pers_min);
	bs_json_int(j, "max", r->pers_max);
	bs_json_int(j, "identifiers", r->subj_max);
	bs_json_int(j, "links", r->people.links);
	bs_json_int(j, "conflicts", r->people.conflicts);
	bs_json_int(j, "protected", r->protected_near);
	bs_json_str(j, "method",
	            "an address and a personal number are one person when a resident's message "
	            "is from that address and gives exactly that one number as the sender's own; "
	            "an address given with two numbers links nothing; all else counts apart");
	bs_json_obj_end(j);
}

static void
write_risk_entry(const bs_risk_entry *e, bs_json *j)
{
	bs_json_obj_begin(j, NULL);
	bs_json_int(j, "rank", e->rank);
	bs_json_int(j, "score", e->score);
	bs_json_arr_begin(j, "reasons");
	for (unsigned bit = 1; bit && bit <= BS_RISK_LAST; bit <<= 1)
		if (e->reasons & bit)
			bs_json_str(j, NULL, bs_risk_reason_name((bs_risk_reason)bit));
	bs_json_arr_end(j);
	bs_json_str(j, "grade", bs_grade_name(e->grade));
	bs_json_int(j, "messages", e->messages);
	bs_json_int(j, "occurrences", e->occurrences);
	bs_json_arr_begin(j, "identifiers");
	for (guint i = 0; i < e->identifiers->len; i++) {
		const bs_risk_ident *id = e->identifiers->pdata[i];

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "kind", id->kind);
		bs_json_str(j, "pseudonym", id->hex);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
	bs_json_arr_begin(j, "locators");
	for (guint i = 0; i < e->locators->len; i++) {
		const bs_message_ref *m = e->locators->pdata[i];

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "mailbox", m->mailbox);
		bs_json_str(j, "locator", m->locator);
		bs_json_str(j, "date", *m->date ? m->date : NULL);
		bs_json_str(j, "grade", bs_grade_name(m->grade));
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
	bs_json_obj_end(j);
}

static void
write_coverage(const bs_report *r, bs_json *j)
{
	const bs_figures *f = &r->fig;

	bs_json_obj_begin(j, "coverage");
	bs_json_int(j, "ok", f->ok);
	bs_json_int(j, "partial", f->partial);
	bs_json_int(j, "failed", f->failed);
	bs_json_int(j, "exposed_partial", f->exposed_partial);
	bs_json_int(j, "exposed_failed", f->exposed_failed);
	bs_json_bool(j, "complete", bs_report_incomplete(r) == 0);
	bs_json_obj_begin(j, "reasons");
	for (guint i = 0; i < f->reasons->len; i++) {
		const bs_count *c = f->reasons->pdata[i];

		bs_json_int(j, c->name, c->count);
	}
	bs_json_obj_end(j);
	bs_json_arr_begin(j, "problems");
	for (guint i = 0; i < f->problems->len; i++) {
		const bs_problem_row *p = f->problems->pdata[i];

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "source", p->source);
		bs_json_str(j, "locator", p->locator);
		bs_json_str(j, "mailbox", p->mailbox);
		bs_json_str(j, "status", p->status);
		bs_json_str(j, "reason", p->reason);
		bs_json_str(j, "grade", bs_grade_name(p->grade));
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
	bs_json_obj_end(j);
}

static void
write_mailboxes(const bs_report *r, bs_json *j)
{
	bs_json_arr_begin(j, "mailboxes");
	for (guint i = 0; i < r->fig.mailboxes->len; i++) {
		const bs_mailbox_figures *m = r->fig.mailboxes->pdata[i];

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "mailbox", m->mailbox);
		write_grades(j, "messages", m->messages, true);
		bs_json_int(j, "subjects", m->subjects);
		bs_json_int(j, "partial", m->partial);
		bs_json_int(j, "failed", m->failed);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
}

static void
write_time(bs_json *j, const char *key, int64_t us)
{
	char buf[BS_SCOPE_TIME_LEN];

	if (us == 0 || us == BS_SCOPE_OPEN_END)
		bs_json_null(j, key);
	else
		bs_json_str(j, key, bs_scope_time_format(us, buf, sizeof buf));
}

static void
write_incident(const bs_report *r, bs_json *j)
{
	bs_json_obj_begin(j, "incident");
	write_time(j, "from", r->from_us);
	write_time(j, "to", r->to_us);
	bs_json_bool(j, "contained", r->to_us != BS_SCOPE_OPEN_END && r->to_us != 0);
	bs_json_str(j, "discovered_at", r->cfg ? r->cfg->incident_discovered_at : NULL);
	bs_json_str(j, "ceased_at", r->cfg ? r->cfg->incident_ceased_at : NULL);
	bs_json_arr_begin(j, "accounts");
	for (guint i = 0; i < r->accounts->len; i++) {
		const bs_report__account *a = r->accounts->pdata[i];

		bs_json_obj_begin(j, NULL);
		bs_json_str(j, "account", a->name);
		bs_json_arr_begin(j, "windows");
		for (guint k = 0; k < a->spans->len; k++) {
			const bs_scope_span *sp = &g_array_index(a->spans, bs_scope_span, k);

			bs_json_obj_begin(j, NULL);
			write_time(j, "from", sp->from_us);
			write_time(j, "to", sp->to_us);
			bs_json_obj_end(j);
		}
		bs_json_arr_end(j);
		bs_json_obj_end(j);
	}
	bs_json_arr_end(j);
	bs_json_obj_end(j);
}

static void
write_cases(const bs_report *r, bs_json *j)
{
	const bs_case_counts *c = &r->cases;

	if (!c->present) {
		bs_json_null(j, "cases");
		return;
	}
	bs_json_obj_begin(j, "cases");
	bs_json_int(j, "total", c->total);
	bs_json_int(j, "found", c->found);
	bs_json_int(j, "open", c->open);
	bs_json_int(j, "answered", c->answered);
	bs_json_int(j, "closed", c->closed);
	bs_json_str(j, "first", *c->first ? c->first : NULL);
	bs_json_str(j, "last", *c->last ? c->last : NULL);
	bs_json_obj_end(j);
}

void
bs_report_write_json(const bs_report *r, const char *key, bs_json *j)
{
	bs_json_obj_begin(j, key);
	write_grades(j, "messages", r->fig.messages, true);
	write_subjects(r, j);
	write_persons(r, j);
	bs_json_int(j, "children", r->children);
	bs_json_int(j, "high_risk", r->high_risk);
	write_coverage(r, j);
	write_grades(j, "records", r->fig.records, false);
	bs_json_arr_begin(j, "high_risk_list");
	for (guint i = 0; i < r->risk->len; i++)
		write_risk_entry(r->risk->pdata[i], j);
	bs_json_arr_end(j);
	write_mailboxes(r, j);
	write_incident(r, j);
	write_cases(r, j);
	bs_json_obj_end(j);
}
