#include "ident/ident.h"

/* Placeholder until the ident parsers land (issue 2): recognises nothing. */
bs_status
bs_ident_parse(const char *p, size_t len, const GDate *ref_date, bs_ident *out)
{
	memset(out, 0, sizeof *out);
	out->reason = "not recognised";
	return BS_NOMATCH;
}

bool
bs_ident_birth_date(const bs_ident *id, char *buf, size_t buf_len)
{
	return false;
}
