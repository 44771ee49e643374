/* People: exposed subjects linked into persons on strong evidence, scored
 * for risk and ranked. The rules (docs/report.md):
 *   L1  In one message, the only resident address with the "sender" fact
 *       and the only personal number with the "self" fact (written with
 *       self-referring context) belong to one person.
 *   L2  An address linked to two different numbers (a shared family
 *       address) links nothing: all its L1 links are dropped.
 * The "protected" fact (protected-identity words near an identifier) marks
 * the whole person protected.
 * Everything else stays apart: an over-count is safe, an under-count is
 * not. */
#include "report/report.h"

#include "report/internal.h"

const bs_report__cat_info bs_report__cats[CAT_COUNT] = {
    [CAT_PERSONNUMMER] = {"personnummer", "personnummer", "personal identity numbers", false},
    [CAT_CONTACT] = {"contact", "kontaktuppgifter", "contact data", false},
    [CAT_FINANCIAL] = {"financial", "ekonomiska uppgifter", "financial data", false},
    [CAT_HEALTH] = {"health", "hälsa", "health", true},
    [CAT_SOCIAL] = {"social", "socialtjänst", "social services", false},
    [CAT_CRIMINAL] = {"criminal", "lagöverträdelser", "criminal offences", false},
    [CAT_PROTECTED] = {"protected_identity", "skyddade personuppgifter", "protected identity",
                       false},
    [CAT_SCHOOL] = {"children_school", "barn och skola", "children and school", false},
    [CAT_ETHNICITY] = {"ethnicity", "etniskt ursprung", "ethnic origin", true},
    [CAT_RELIGION] = {"religion", "religiös övertygelse", "religious beliefs", true},
    [CAT_POLITICAL] = {"political", "politiska åsikter", "political opinions", true},
    [CAT_UNION] = {"trade_union", "medlemskap i fackförening", "trade union membership", true},
    [CAT_SEXUAL] = {"sexual", "sexualliv eller sexuell läggning", "sex life or orientation", true},
    [CAT_BIOMETRIC] = {"biometric_genetic", "genetiska och biometriska uppgifter",
                       "genetic and biometric data", true},
};

static const char *const national_ids[] = {"pnr",    "samordningsnummer", "interim", "no_fnr",
                                           "dk_cpr", "fi_hetu",           NULL};

bool
bs_report__is_national_id(const char *kind)
{
	return g_strv_contains(national_ids, kind);
}

unsigned
bs_report__subject_cats(const bs_subject_figures *sf)
{
	unsigned bits = 0;

	if (bs_report__is_national_id(sf->kind))
		bits |= 1u << CAT_PERSONNUMMER;
	else if (strcmp(sf->kind, "email") == 0 || strcmp(sf->kind, "phone") == 0)
		bits |= 1u << CAT_CONTACT;
	else if (strcmp(sf->kind, "iban") == 0 || strcmp(sf->kind, "card") == 0)
		bits |= 1u << CAT_FINANCIAL;
	for (guint i = 0; sf->categories && i < sf->categories->len; i++) {
		const bs_count *c = sf->categories->pdata[i];

		for (int k = CAT_HEALTH; k < CAT_COUNT; k++)
			if (strcmp(c->name, bs_report__cats[k].name) == 0)
				bits |= 1u << k;
	}
	return bits;
}

/* ---- union-find over subject indices */

static guint
find_root(GArray *parent, guint i)
{
	while (g_array_index(parent, guint, i) != i) {
		guint p = g_array_index(parent, guint, i);

		g_array_index(parent, guint, i) = g_array_index(parent, guint, p);
		i = p;
	}
	return i;
}

typedef struct {
	GHashTable *index;  /* subject id -> index + 1 (exposed subjects) */
	GHashTable *number; /* address subject id -> the number it links to, or -1 (conflict) */
	GPtrArray *subjects;
} linker;

static const bs_subject_figures *
subject_at(linker *l, int64_t id)
{
	guint i = GPOINTER_TO_UINT(g_hash_table_lookup(l->index, &id));

	return i ? l->subjects->pdata[i - 1] : NULL;
}

/* L1 over the facts of one message [from, to). */
static void
link_message(linker *l, const bs_fact_row *f, size_t n, bs_report__people *p)
{
	int64_t sender = 0, self = 0;
	int senders = 0, selves = 0;

	for (size_t i = 0; i < n; i++) {
		const bs_subject_figures *sf = subject_at(l, f[i].subject_id);

		if (!sf)
			continue;
		if (strcmp(f[i].fact, BS_FACT_SENDER) == 0 && strcmp(sf->kind, "email") == 0 &&
		    g_strcmp0(sf->role, BS_ROLE_RESIDENT) == 0) {
			senders++;
			sender = sf->id;
		} else if (strcmp(f[i].fact, BS_FACT_SELF) == 0 &&
		           bs_report__is_national_id(sf->kind)) {
			selves += self != sf->id;
			self = sf->id;
		}
	}
	if (senders != 1 || selves != 1)
		return;
	int64_t *prev = g_hash_table_lookup(l->number, &sender);
	if (!prev) {
		int64_t *k = g_new(int64_t, 1), *v = g_new(int64_t, 1);

		*k = sender;
		*v = self;
		g_hash_table_insert(l->number, k, v);
	} else if (*prev != self && *prev != -1) {
		*prev = -1; /* L2 */
		p->conflicts++;
	}
}

static void
link_all(bs_report__people *p, GArray *facts, GArray *parent)
{
	linker l = {g_hash_table_new(g_int64_hash, g_int64_equal),
	            g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
	            p->subjects};
	GHashTableIter it;
	gpointer k, v;

	for (guint i = 0; i < p->subjects->len; i++)
		g_hash_table_insert(l.index, &((bs_subject_figures *)p->subjects->pdata[i])->id,
		                    GUINT_TO_POINTER(i + 1));
	for (guint i = 0, j; i < facts->len; i = j) {
		const bs_fact_row *f = &g_array_index(facts, bs_fact_row, i);

		for (j = i + 1; j < facts->len; j++)
			if (g_array_index(facts, bs_fact_row, j).message_id != f->message_id)
				break;
		link_message(&l, f, j - i, p);
	}
	g_hash_table_iter_init(&it, l.number);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		int64_t a = *(int64_t *)k, b = *(int64_t *)v;
		guint ia, ib;

		if (b == -1)
			continue;
		p->links++;
		ia = find_root(parent, GPOINTER_TO_UINT(g_hash_table_lookup(l.index, &a)) - 1);
		ib = find_root(parent, GPOINTER_TO_UINT(g_hash_table_lookup(l.index, &b)) - 1);
		if (ia != ib) {
			g_array_index(parent, guint, MAX(ia, ib)) = MIN(ia, ib);
			p->linked++;
		}
	}
	g_hash_table_unref(l.index);
	g_hash_table_unref(l.number);
}

/* ---- scoring (docs/report.md, "High risk first") */

static const struct {
	unsigned cat_bits;
	bs_risk_reason reason;
	int points;
} cat_points[] = {
    {1u << CAT_CRIMINAL, BS_RISK_ART10, 20},
    {1u << CAT_SOCIAL, BS_RISK_SOCIAL, 15},
    {1u << CAT_SCHOOL, BS_RISK_SCHOOL, 5},
    {1u << CAT_PERSONNUMMER, BS_RISK_NATIONAL_ID, 10},
};

static int
art9_count(unsigned cats)
{
	int n = 0;

	for (int k = 0; k < CAT_COUNT; k++)
		n += bs_report__cats[k].art9 && (cats & (1u << k));
	return n;
}

static void
score_person(bs_report__person *p)
{
	int n = art9_count(p->cats);

	p->score = 0;
	p->reasons = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(cat_points); i++) {
		if (p->cats & cat_points[i].cat_bits) {
			p->score += cat_points[i].points;
			p->reasons |= cat_points[i].reason;
		}
	}
	if (p->protected_near) {
		p->score += 50; /* high risk on its own: the address must not leak */
		p->reasons |= BS_RISK_PROTECTED;
	} else if (p->cats & (1u << CAT_PROTECTED)) {
		p->score += 25; /* someone in the message may be protected */
		p->reasons |= BS_RISK_PROTECTED_MESSAGE;
	}
	if (n) {
		p->score += 20 * MIN(n, 2); /* two special categories say it; more adds little */
		p->reasons |= BS_RISK_ART9;
	}
	if (p->child) {
		p->score += 25;
		p->reasons |= BS_RISK_CHILD;
	}
	if (p->grade >= BS_GRADE_SYNCED) {
		p->score += p->grade == BS_GRADE_ACCESSED ? 20 : 15;
		p->reasons |= BS_RISK_ACCESSED;
	}
	if (p->messages > 1)
		p->score += (int)MIN(p->messages - 1, 10);
	if (p->messages >= 3)
		p->reasons |= BS_RISK_MANY;
}

static int
person_cmp(gconstpointer a, gconstpointer b)
{
	const bs_report__person *x = *(const bs_report__person *const *)a;
	const bs_report__person *y = *(const bs_report__person *const *)b;
	const bs_subject_figures *fx = x->members->pdata[0], *fy = y->members->pdata[0];

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->grade != y->grade)
		return x->grade > y->grade ? -1 : 1;
	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	if (x->occurrences != y->occurrences)
		return x->occurrences > y->occurrences ? -1 : 1;
	return memcmp(fx->pseudonym, fy->pseudonym, BS_PSEUDONYM_LEN);
}

static void
person_free(gpointer q)
{
	bs_report__person *p = q;

	g_ptr_array_unref(p->members);
	g_free(p);
}

static void
person_add(bs_report__person *p, bs_subject_figures *sf)
{
	g_ptr_array_add(p->members, sf);
	p->grade = MAX(p->grade, sf->grade);
	p->child = p->child || sf->child;
	/* Messages of linked identifiers overlap (the letter holds both):
	 * the largest is a lower bound of their union. */
	p->messages = MAX(p->messages, sf->messages);
	p->occurrences += sf->occurrences;
	p->cats |= bs_report__subject_cats(sf);
}

/* Members in an order that does not depend on row ids (which differ
 * between backends and between a resumed and a clean scan): personal
 * numbers first, then by kind name, then by pseudonym. */
static int
member_cmp(gconstpointer a, gconstpointer b)
{
	const bs_subject_figures *x = *(const bs_subject_figures *const *)a;
	const bs_subject_figures *y = *(const bs_subject_figures *const *)b;
	bool nx = bs_report__is_national_id(x->kind), ny = bs_report__is_national_id(y->kind);
	int c;

	if (nx != ny)
		return nx ? -1 : 1;
	c = strcmp(x->kind, y->kind);
	return c ? c : memcmp(x->pseudonym, y->pseudonym, BS_PSEUDONYM_LEN);
}

/* Subject ids (keys into facts) with the "protected" fact. */
static GHashTable *
protected_ids(GArray *facts)
{
	GHashTable *set = g_hash_table_new(g_int64_hash, g_int64_equal);

	for (guint i = 0; i < facts->len; i++) {
		bs_fact_row *f = &g_array_index(facts, bs_fact_row, i);

		if (strcmp(f->fact, BS_FACT_PROTECTED) == 0)
			g_hash_table_add(set, &f->subject_id);
	}
	return set;
}

static void
build_persons(bs_report__people *p, GArray *parent, GArray *facts)
{
	g_autofree bs_report__person **of_root = g_new0(bs_report__person *, p->subjects->len + 1);
	g_autoptr(GHashTable) protected = protected_ids(facts);

	for (guint i = 0; i < p->subjects->len; i++) {
		guint r = find_root(parent, i);
		bs_subject_figures *sf = p->subjects->pdata[i];

		if (!of_root[r]) {
			of_root[r] = g_new0(bs_report__person, 1);
			of_root[r]->members = g_ptr_array_new();
			g_ptr_array_add(p->persons, of_root[r]);
		}
		person_add(of_root[r], sf);
		of_root[r]->protected_near |= g_hash_table_contains(protected, &sf->id);
		g_hash_table_insert(p->person_of, &sf->id, of_root[r]);
	}
	for (guint i = 0; i < p->persons->len; i++) {
		bs_report__person *q = p->persons->pdata[i];

		g_ptr_array_sort(q->members, member_cmp);
		score_person(q);
	}
	g_ptr_array_sort(p->persons, person_cmp);
	for (guint i = 0; i < p->persons->len; i++)
		((bs_report__person *)p->persons->pdata[i])->rank = (int)i + 1;
}

bool
bs_report__people_load(bs_store *s, bs_report__people *p, GError **error)
{
	g_autoptr(GArray) facts = NULL;
	g_autoptr(GArray) parent = NULL;

	memset(p, 0, sizeof *p);
	p->persons = g_ptr_array_new_with_free_func(person_free);
	p->person_of = g_hash_table_new(g_int64_hash, g_int64_equal);
	if (!bs_store_subjects(s, &p->subjects, error) || !bs_store_facts(s, &facts, error))
		return false;
	parent = g_array_sized_new(FALSE, FALSE, sizeof(guint), p->subjects->len);
	for (guint i = 0; i < p->subjects->len; i++)
		g_array_append_val(parent, i);
	link_all(p, facts, parent);
	build_persons(p, parent, facts);
	return true;
}

void
bs_report__people_fini(bs_report__people *p)
{
	g_clear_pointer(&p->person_of, g_hash_table_unref);
	g_clear_pointer(&p->persons, g_ptr_array_unref);
	g_clear_pointer(&p->subjects, g_ptr_array_unref);
}
