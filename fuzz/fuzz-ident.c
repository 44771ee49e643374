/* Fuzz harness for ident. The first byte picks the kind for
 * bs_ident_parse_full (0 and values past the last kind: auto-detect), its
 * top bit the strict separator flag; the second byte picks a reference
 * year. Checks the result's invariants, not only that nothing crashed. */
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
	return 0;
}
