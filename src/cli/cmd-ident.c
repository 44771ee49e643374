/* breachscope ident [--date YYYY-MM-DD] [--kind KIND] [--loose] VALUE...
 * Validates written values strictly by default: a personnummer with a space
 * separator is invalid, as in the personnummer spec's test data; --loose
 * accepts it as detect does. */
#include "cli/cli.h"

#include <stdio.h>

#include "ident/ident.h"

static void
print_ident(bs_json *j, const char *input, const bs_ident *id)
{
	char birth[16];

	bs_json_obj_begin(j, NULL);
	bs_json_str(j, "input", input);
	bs_json_bool(j, "valid", id->valid);
	bs_json_str(j, "kind", bs_kind_name(id->kind));
	bs_json_str(j, "canonical", id->valid ? id->canonical : NULL);
	bs_json_str(j, "birth_date", bs_ident_birth_date(id, birth, sizeof birth) ? birth : NULL);
	bs_json_str(j, "sex", bs_sex_name(id->sex));
	bs_json_str(j, "reason", id->reason);
	bs_json_bool(j, "test_number", id->test_number);
	bs_json_obj_end(j);
	bs_json_print_line(j, stdout);
}

int
cmd_ident(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *date = NULL;
	g_autofree char *kind_name = NULL;
	gboolean loose = FALSE;
	bs_kind kind = BS_KIND_NONE;
	GDate ref;
	int st;
	const GOptionEntry entries[] = {
	    {"date", 0, 0, G_OPTION_ARG_STRING, &date,
	     "reference date for 10-digit personnummer centuries (default today)", "YYYY-MM-DD"},
	    {"kind", 0, 0, G_OPTION_ARG_STRING, &kind_name,
	     "only try this kind (pnr, orgnr, phone, email, iban, card, no_fnr, dk_cpr, "
	     "fi_hetu, ...); default: recognise",
	     "KIND"},
	    {"loose", 0, 0, G_OPTION_ARG_NONE, &loose,
	     "accept a space between date and serial of a personnummer", NULL},
	    {NULL}};
	g_autoptr(bs_json) j = bs_json_new();

	st = bs_cli_parse(cli, entries, "VALUE...",
	                  "Prints one JSON object per value: kind, validity, canonical form.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (date && !bs_date_parse(date, &ref))
		return bs_cli_usage(cli, "--date \"%s\" is not a YYYY-MM-DD date", date);
	if (kind_name && !bs_kind_from_name(kind_name, &kind))
		return bs_cli_usage(cli, "--kind \"%s\" is not a known kind", kind_name);
	if (argc < 2)
		return bs_cli_usage(cli, "no VALUE given");
	for (int i = 1; i < argc; i++) {
		bs_ident id;

		bs_ident_parse_full(kind, argv[i], strlen(argv[i]), date ? &ref : NULL,
		                    loose ? 0 : BS_IDENT_STRICT_SEP, &id);
		print_ident(j, argv[i], &id);
	}
	return BS_EXIT_OK;
}
