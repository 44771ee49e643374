/* Fuzz harness for ident. The first byte picks the kind for
 * bs_ident_parse_full (0 and values past the last kind: auto-detect), its
 * top bit the strict separator flag; the second byte picks a reference
 * year. Checks the result's invariants, not only that nothing crashed,
 * and that bs_ident_parse_personal() agrees with the general parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident/ident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_result(bs_status st, const bs_ident *id, const GDate *ref)
{
	char birth[16];

	if ((st == BS_OK) != id->valid || !id->reason)
		abort();
	if (st == BS_NOMATCH && id->kind != BS_KIND_NONE)
		abort();
	if (id->valid && (id->canonical[0] == '\0' || strcmp(id->reason, "ok") != 0))
		abort();
	if (!id->valid && id->canonical[0] != '\0')
		abort();
	if (strnlen(id->canonical, sizeof id->canonical) > BS_IDENT_CANON_MAX)
		abort();
	if (bs_ident_birth_date(id, birth, sizeof birth) && strlen(birth) != 10)
		abort();
	if (bs_ident_age_at(id, ref) < -1)
		abort();
}

static bool
same_ident(const bs_ident *a, const bs_ident *b)
{
	return a->kind == b->kind && a->valid == b->valid &&
	       strcmp(a->canonical, b->canonical) == 0 && a->birth_year == b->birth_year &&
	       a->birth_month == b->birth_month && a->birth_day == b->birth_day &&
	       a->sex == b->sex && a->sep == b->sep && a->long_form == b->long_form &&
	       a->test_number == b->test_number && strcmp(a->reason, b->reason) == 0;
}

/* bs_ident_parse_personal() gives bs_ident_parse_ref()'s answer (interim
 * for a letter in the serial, else pnr) on every text it reads, and reads
 * every such text that has no white space around it with one date_len. */
static void
check_personal(const char *p, size_t len, const GDate *ref)
{
	bs_ident_ref once;
	bs_ident got, want;
	bs_status st;
	unsigned hits = 0;

	bs_ident_ref_set(&once, ref);
	st = bs_ident_parse_ref(BS_KIND_INTERIM, p, len, &once, &want);
	if (st == BS_NOMATCH)
		st = bs_ident_parse_ref(BS_KIND_PNR, p, len, &once, &want);
	if (len > 0 && (bs_ascii_space(p[0]) || bs_ascii_space(p[len - 1])))
		st = BS_NOMATCH;
	for (size_t date_len = 6; date_len <= 8; date_len += 2) {
		bs_status got_st = bs_ident_parse_personal(p, len, date_len, &once, &got);

		if (got_st == BS_NOMATCH) {
			if (got.kind != BS_KIND_NONE)
				abort();
			continue;
		}
		hits++;
		if (got_st != st || !same_ident(&got, &want))
			abort();
	}
	if (hits != (st == BS_NOMATCH ? 0u : 1u))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bs_kind kind;
	unsigned flags;
	GDate ref;
	bs_ident id;
	bs_status st;

	if (size < 2 || size > 4096)
		return 0;
	kind = (bs_kind)((data[0] & 0x7f) % (BS_KIND_COUNT + 2));
	if (kind >= BS_KIND_COUNT)
		kind = BS_KIND_NONE;
	flags = (data[0] & 0x80) ? BS_IDENT_STRICT_SEP : 0;
	g_date_clear(&ref, 1);
	g_date_set_dmy(&ref, 1 + data[1] % 28, 1 + data[1] % 12, (GDateYear)(1900 + data[1] % 200));
	st = bs_ident_parse_full(kind, (const char *)data + 2, size - 2, &ref, flags, &id);
	check_result(st, &id, &ref);
	check_personal((const char *)data + 2, size - 2, &ref);
	return 0;
}
