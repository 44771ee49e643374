/* The built-in patterns: context labels. Every match is reported at its
 * end only (start-of-match costs several times the scan, see
 * performance.md); the start is recovered from the bytes kept behind the
 * scan. Identifier candidates are not in the database: digits.c and
 * email.c find them from the ends of digit runs and of e-mail domains. */
#include "detect/internal.h"

#include <string.h>

/* Labels that announce what the next number is. prefix: the label may
 * start a compound (mobilnummer, fakturanr); otherwise a whole word, and
 * one of at most 2 bytes (kl, bg, pg) only before a space, tab, line
 * break, '.', ':', '-' or no-break space (SEP_LABEL_MAX in terms.c). */
static const struct {
	const char *label;
	bs_ctx_class cls;
	bool prefix;
} labels[] = {
    {"personnum", BS_CTX_PERSON, true},
    {"personnr", BS_CTX_PERSON, true},
    {"pers.nr", BS_CTX_PERSON, true},
    {"pers nr", BS_CTX_PERSON, false},
    {"pnr", BS_CTX_PERSON, true},
    {"p-nr", BS_CTX_PERSON, true},
    {"person-nr", BS_CTX_PERSON, true},
    {"född", BS_CTX_PERSON, true},
    {"födelse", BS_CTX_PERSON, true},
    {"samordningsn", BS_CTX_PERSON, true},
    {"samordnings-nr", BS_CTX_PERSON, true},
    {"ssn", BS_CTX_PERSON, false},
    {"identitetsnummer", BS_CTX_PERSON, true},
    {"personbeteckning", BS_CTX_PERSON, true},
    {"personal identity number", BS_CTX_PERSON, false},
    {"personal number", BS_CTX_PERSON, false},
    {"cpr", BS_CTX_PERSON, true},
    {"fødselsn", BS_CTX_PERSON, true},
    {"fnr", BS_CTX_PERSON, false},
    {"d-nummer", BS_CTX_PERSON, true},
    {"henkilötunnus", BS_CTX_PERSON, true},
    {"hetu", BS_CTX_PERSON, false},

    {"tel", BS_CTX_PHONE, true},
    {"mob", BS_CTX_PHONE, true},
    {"ring", BS_CTX_PHONE, true},
    {"fax", BS_CTX_PHONE, true},
    {"sms", BS_CTX_PHONE, true},
    {"växel", BS_CTX_PHONE, true},
    {"phone", BS_CTX_PHONE, true},
    {"nå mig", BS_CTX_PHONE, false},
    {"nås", BS_CTX_PHONE, false},
    {"tfn", BS_CTX_PHONE, true},

    {"org", BS_CTX_ORG, true},
    {"momsreg", BS_CTX_ORG, true},
    {"vat", BS_CTX_ORG, false},

    {"bankgiro", BS_CTX_PAYMENT, true},
    {"plusgiro", BS_CTX_PAYMENT, true},
    {"bg", BS_CTX_PAYMENT, false},
    {"pg", BS_CTX_PAYMENT, false},
    {"konto", BS_CTX_PAYMENT, false},
    {"kontonr", BS_CTX_PAYMENT, true},
    {"kontonummer", BS_CTX_PAYMENT, true},
    {"bankkonto", BS_CTX_PAYMENT, true},
    {"lönekonto", BS_CTX_PAYMENT, true},
    {"clearing", BS_CTX_PAYMENT, true},
    {"iban", BS_CTX_PAYMENT, false},
    {"bic", BS_CTX_PAYMENT, false},
    {"swish", BS_CTX_PAYMENT, true},

    {"faktura", BS_CTX_INVOICE, true},
    {"fakt", BS_CTX_INVOICE, false},
    {"ocr", BS_CTX_INVOICE, true},
    {"ärende", BS_CTX_INVOICE, true},
    {"dnr", BS_CTX_INVOICE, false},
    {"diarie", BS_CTX_INVOICE, true},
    {"kundnr", BS_CTX_INVOICE, true},
    {"kundnummer", BS_CTX_INVOICE, true},
    {"order", BS_CTX_INVOICE, true},
    {"referens", BS_CTX_INVOICE, true},
    {"ref", BS_CTX_INVOICE, false},
    {"betalningsref", BS_CTX_INVOICE, true},
    {"avtalsn", BS_CTX_INVOICE, true},
    {"löpnummer", BS_CTX_INVOICE, true},
    {"serienummer", BS_CTX_INVOICE, true},
    {"artikelnummer", BS_CTX_INVOICE, true},
    {"medlemsn", BS_CTX_INVOICE, true},
    {"bokningsn", BS_CTX_INVOICE, true},
    {"kvitto", BS_CTX_INVOICE, true},
    {"transaktion", BS_CTX_INVOICE, true},
    {"lägenhetsn", BS_CTX_INVOICE, true},
    {"lgh", BS_CTX_INVOICE, false},
    {"objektsn", BS_CTX_INVOICE, true},
    {"försäkringsn", BS_CTX_INVOICE, true},
    {"skadenummer", BS_CTX_INVOICE, true},
    {"registreringsn", BS_CTX_INVOICE, true},
    {"regnr", BS_CTX_INVOICE, true},
    {"reg.nr", BS_CTX_INVOICE, true},

    {"kl", BS_CTX_TIME, false},
    {"klockan", BS_CTX_TIME, false},
    {"datum", BS_CTX_TIME, true},
    {"tidpunkt", BS_CTX_TIME, true},

    {"kort", BS_CTX_CARD, true},
    {"visa", BS_CTX_CARD, false},
    {"mastercard", BS_CTX_CARD, false},

    {"e-post", BS_CTX_MAIL, true},
    {"epost", BS_CTX_MAIL, true},
    {"mejl", BS_CTX_MAIL, true},
    {"mail", BS_CTX_MAIL, true},
    {"e-mail", BS_CTX_MAIL, true},
    {"email", BS_CTX_MAIL, true},
};

/* Fixed byte lengths of the shapes; 0 = recovered from the bytes. */
static const uint8_t cand_len[BS_CAND_COUNT] = {
    [BS_CAND_D10] = 10,    [BS_CAND_D6SEP4] = 11, [BS_CAND_D6SP4] = 11, [BS_CAND_D12] = 12,
    [BS_CAND_D8SEP4] = 13, [BS_CAND_D8SP4] = 13,  [BS_CAND_INT10] = 10, [BS_CAND_INT11] = 11,
    [BS_CAND_INT12] = 12,  [BS_CAND_INT13] = 13,  [BS_CAND_D11] = 11,   [BS_CAND_D6SP5] = 12,
    [BS_CAND_HETU] = 11,
};

size_t
bs_detect__cand_len(bs_cand_class cls)
{
	return cand_len[cls];
}

void
bs_detect__add_builtin(bs_detector *d)
{
	for (size_t i = 0; i < G_N_ELEMENTS(labels); i++) {
		bs_pattern pat = {.type = BS_PAT_CONTEXT,
		                  .cls = (uint8_t)labels[i].cls,
		                  .prefix = labels[i].prefix};

		bs_detect__add_words(d, labels[i].label, pat);
	}
}
