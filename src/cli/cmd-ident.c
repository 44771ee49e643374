/* breachscope ident [--date YYYY-MM-DD] VALUE... */
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
	bs_json_str(j, "birth_date",
		    bs_ident_birth_date(id, birth, sizeof birth) ? birth : NULL);
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
	GDate ref;
	int st;
	const GOptionEntry entries[] = {
		{"date", 0, 0, G_OPTION_ARG_STRING, &date,
		 "reference date for 10-digit personnummer centuries (default today)",
		 "YYYY-MM-DD"},
		{NULL}};
	g_autoptr(bs_json) j = bs_json_new();

	st = bs_cli_parse(cli, entries, "VALUE...",
			  "Prints one JSON object per value: kind, validity, canonical form.", &argc,
			  &argv);
	if (st >= 0)
		return st;
	if (date && !bs_date_parse(date, &ref))
		return bs_cli_usage(cli, "--date \"%s\" is not a YYYY-MM-DD date", date);
	if (argc < 2)
		return bs_cli_usage(cli, "no VALUE given");
	for (int i = 1; i < argc; i++) {
		bs_ident id;

		bs_ident_parse(argv[i], strlen(argv[i]), date ? &ref : NULL, &id);
		print_ident(j, argv[i], &id);
	}
	return BS_EXIT_OK;
}
