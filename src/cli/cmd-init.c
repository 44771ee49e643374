/* breachscope init DIR [--org-domain D ...] [--vault-pubkey FILE] [--store-dsn URI] */
#include "cli/cli.h"

#include <stdio.h>

#include "crypto/crypto.h"
#include "store/store.h"

/* The settings init takes from its options, applied on top of the defaults. */
static bool
apply_options(bs_config *cfg, char **domains, const char *pubkey_file, const char *dsn,
              GError **error)
{
	g_autofree char *joined = NULL;

	if (dsn && (!bs_config_set(cfg, "store", "backend", "postgresql", "--store-dsn", error) ||
	            !bs_config_set(cfg, "store", "dsn", dsn, "--store-dsn", error)))
		return false;

	if (domains) {
		joined = g_strjoinv(",", domains);
		if (!bs_config_set(cfg, "workspace", "org_domains", joined, "--org-domain", error))
			return false;
	}
	if (pubkey_file) {
		uint8_t pk[BS_VAULT_KEY_LEN];
		g_autofree char *b64 = NULL;

		if (!bs_vault_public_load(pubkey_file, pk, error))
			return false;
		b64 = g_base64_encode(pk, sizeof pk);
		if (!bs_config_set(cfg, "vault", "public_key", b64, "--vault-pubkey", error))
			return false;
	}
	return true;
}

int
cmd_init(bs_cli *cli, int argc, char **argv)
{
	g_auto(GStrv) domains = NULL;
	g_autofree char *pubkey = NULL;
	g_autofree char *dsn = NULL;
	g_autofree char *shown = NULL;
	g_autoptr(bs_config) cfg = bs_config_new();
	GError *error = NULL;
	int st;
	const GOptionEntry entries[] = {
	    {"org-domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &domains,
	     "the organisation's own mail domain (repeat for several)", "DOMAIN"},
	    {"vault-pubkey", 0, 0, G_OPTION_ARG_FILENAME, &pubkey,
	     "seal identifiers to this DPO public key (from breachscope vault keygen)", "FILE"},
	    {"store-dsn", 0, 0, G_OPTION_ARG_STRING, &dsn,
	     "keep the index in this PostgreSQL database (postgresql://USER@HOST/DB; the "
	     "password from PGPASSWORD or ~/.pgpass)",
	     "URI"},
	    {NULL}};

	st = bs_cli_parse(cli, entries, "DIR",
	                  "Creates a workspace: breachscope.conf, a new pseudonym key (mode 0600) "
	                  "and an empty index. Refuses to touch an existing workspace.",
	                  &argc, &argv);
	if (st >= 0)
		return st;
	if (argc != 2)
		return bs_cli_usage(cli, argc < 2 ? "no DIR given" : "more than one DIR given");
	if (!apply_options(cfg, domains, pubkey, dsn, &error) ||
	    !bs_workspace_create(argv[1], cfg, &error))
		return bs_cli_fail(cli, error);
	if (dsn) {
		shown = bs_store_where_display_dup(dsn);
		printf("index created in PostgreSQL at %s\n", shown);
	}
	printf("workspace \"%s\" created; keep %s/%s secret and backed up\n", argv[1], argv[1],
	       BS_WORKSPACE_KEY);
	return BS_EXIT_OK;
}
