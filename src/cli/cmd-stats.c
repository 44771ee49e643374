/* breachscope stats -w DIR [--json] */
#include "cli/cli.h"

#include <stdio.h>

#include "store/store.h"

static void
print_text(const bs_stats *s)
{
	printf("messages: %" G_GINT64_FORMAT " (ok %" G_GINT64_FORMAT ", partial %" G_GINT64_FORMAT
	       ", failed %" G_GINT64_FORMAT ")\nsubjects:",
	       s->messages, s->ok, s->partial, s->failed);
	for (guint i = 0; i < s->subjects->len; i++) {
		const bs_count *c = s->subjects->pdata[i];

		printf("%s %s %" G_GINT64_FORMAT, i ? "," : "", c->name, c->count);
	}
	printf("\noccurrences: %" G_GINT64_FORMAT "\n", s->occurrences);
}

int
cmd_stats(bs_cli *cli, int argc, char **argv)
{
	gboolean json = FALSE;
	GError *error = NULL;
	bs_stats s;
	int st;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object", NULL}, {NULL}};

	st = bs_cli_parse(cli, entries, NULL,
	                  "Counts in the index: messages by status, subjects by kind, occurrences.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc > 1)
		return bs_cli_usage(cli, "unexpected argument \"%s\"", argv[1]);
	bs_stats_init(&s);
	if (!bs_store_stats(bs_workspace_store(cli->workspace), &s, &error)) {
		bs_stats_fini(&s);
		return bs_cli_fail(cli, error);
	}
	if (json) {
		g_autoptr(bs_json) j = bs_json_new();

		bs_stats_write_json(&s, NULL, j);
		bs_json_print_line(j, stdout);
	} else {
		print_text(&s);
	}
	bs_stats_fini(&s);
	return BS_EXIT_OK;
}
