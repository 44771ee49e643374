/* breachscope lookup -w DIR (--pnr V | --email V | --phone V) [--json] */
#include "cli/cli.h"

#include <stdio.h>

#include "store/store.h"

static void
print_text(const bs_lookup *l)
{
	if (!l->found) {
		printf("not found in exposed mail\n");
		return;
	}
	printf("found in %" G_GINT64_FORMAT " exposed message%s", l->messages,
	       l->messages == 1 ? "" : "s");
	if (l->first[0])
		printf(", %s to %s", l->first, l->last);
	printf("\nmailboxes:");
	for (guint i = 0; i < l->mailboxes->len; i++)
		printf("%s %s", i ? "," : "", (const char *)l->mailboxes->pdata[i]);
	printf("\ncategories:");
	for (guint i = 0; i < l->categories->len; i++) {
		const bs_count *c = l->categories->pdata[i];

		printf("%s %s %" G_GINT64_FORMAT, i ? "," : "", c->name, c->count);
	}
	if (l->categories->len == 0)
		printf(" none found");
	printf("\nexposure: accessed %" G_GINT64_FORMAT ", synced %" G_GINT64_FORMAT
	       ", window %" G_GINT64_FORMAT "\n",
	       l->accessed, l->synced, l->window);
}

int
cmd_lookup(bs_cli *cli, int argc, char **argv)
{
	g_autofree char *pnr = NULL, *email = NULL, *phone = NULL;
	gboolean json = FALSE;
	GError *error = NULL;
	bs_lookup l;
	int st;
	const GOptionEntry entries[] = {
	    {"pnr", 0, 0, G_OPTION_ARG_STRING, &pnr,
	     "personnummer or samordningsnummer, any written form", "VALUE"},
	    {"email", 0, 0, G_OPTION_ARG_STRING, &email, "e-mail address", "VALUE"},
	    {"phone", 0, 0, G_OPTION_ARG_STRING, &phone, "Swedish phone number", "VALUE"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object", NULL},
	    {NULL}};

	st = bs_cli_parse(cli, entries, NULL,
	                  "Tells whether a person's identifier occurs in exposed mail: messages, "
	                  "dates, mailboxes, categories, exposure grade. Exit 0 for an answer "
	                  "(found or not), 2 on error.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc > 1)
		return bs_cli_usage(cli, "unexpected argument \"%s\"", argv[1]);
	if (!!pnr + !!email + !!phone != 1)
		return bs_cli_usage(cli, "give exactly one of --pnr, --email, --phone");
	bs_lookup_init(&l);
	if (!bs_workspace_lookup(cli->workspace,
	                         pnr     ? BS_KIND_PNR
	                         : email ? BS_KIND_EMAIL
	                                 : BS_KIND_PHONE,
	                         pnr     ? pnr
	                         : email ? email
	                                 : phone,
	                         strlen(pnr     ? pnr
	                                : email ? email
	                                        : phone),
	                         &l, &error)) {
		bs_lookup_fini(&l);
		return bs_cli_fail(cli, error);
	}
	if (json) {
		g_autoptr(bs_json) j = bs_json_new();

		bs_lookup_write_json(&l, NULL, j);
		bs_json_print_line(j, stdout);
	} else {
		print_text(&l);
	}
	bs_lookup_fini(&l);
	return BS_EXIT_OK;
}
