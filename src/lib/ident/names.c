#include "ident/ident.h"

#include <string.h>

/* Contract names of kinds, in bs_kind order. */
static const char *const kind_names[BS_KIND_COUNT] = {
    [BS_KIND_NONE] = NULL,
    [BS_KIND_PNR] = "pnr",
    [BS_KIND_SAMORDNING] = "samordningsnummer",
    [BS_KIND_INTERIM] = "interim",
    [BS_KIND_ORGNR] = "orgnr",
    [BS_KIND_PHONE] = "phone",
    [BS_KIND_EMAIL] = "email",
    [BS_KIND_IBAN] = "iban",
    [BS_KIND_CARD] = "card",
    [BS_KIND_NO_FNR] = "no_fnr",
    [BS_KIND_DK_CPR] = "dk_cpr",
    [BS_KIND_FI_HETU] = "fi_hetu",
};

const char *
bs_kind_name(bs_kind kind)
{
	if ((unsigned)kind >= BS_KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

bool
bs_kind_from_name(const char *name, bs_kind *out_kind)
{
	for (int k = 1; k < BS_KIND_COUNT; k++) {
		if (strcmp(kind_names[k], name) == 0) {
			*out_kind = (bs_kind)k;
			return true;
		}
	}
	return false;
}

const char *
bs_sex_name(bs_sex sex)
{
	switch (sex) {
	case BS_SEX_MALE:
		return "male";
	case BS_SEX_FEMALE:
		return "female";
	default:
		return NULL;
	}
}
