/* Unit tests for crypto: pseudonyms, key files, the vault. */
#include "crypto/crypto.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "base/base.h"

static char *
tmp_dir(void)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp("bs-crypto-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

static void
rm_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(dir);
}

static void
test_pseudonym_stable_per_key_different_across_keys(void)
{
	uint8_t k1[BS_KEY_LEN], k2[BS_KEY_LEN];
	uint8_t a[BS_PSEUDONYM_LEN], b[BS_PSEUDONYM_LEN], c[BS_PSEUDONYM_LEN];
	uint8_t d[BS_PSEUDONYM_LEN];
	g_autoptr(bs_key) key1 = NULL;
	g_autoptr(bs_key) key2 = NULL;

	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	key1 = bs_key_new_from_bytes(k1);
	key2 = bs_key_new_from_bytes(k2);
	bs_pseudonym(key1, "email", "anna@example.org", 16, a);
	bs_pseudonym(key1, "email", "anna@example.org", 16, b);
	bs_pseudonym(key2, "email", "anna@example.org", 16, c);
	bs_pseudonym(key1, "phone", "anna@example.org", 16, d);
	g_assert_true(bs_pseudonym_equal(a, b));
	g_assert_false(bs_pseudonym_equal(a, c));
	g_assert_false(bs_pseudonym_equal(a, d)); /* the kind is part of the message */
}

/* The contract: BLAKE2b-256 keyed with the key over "kind:canonical". The
 * expected value is computed independently (Python hashlib.blake2b with
 * key = 32 bytes of 0x01, digest_size = 32, over "pnr:000000000000"). */
static void
test_pseudonym_matches_the_contract(void)
{
	uint8_t k[BS_KEY_LEN], p[BS_PSEUDONYM_LEN], back[BS_PSEUDONYM_LEN];
	char hex[BS_PSEUDONYM_HEX_LEN + 1];
	g_autoptr(bs_key) key = NULL;

	memset(k, 1, sizeof k);
	key = bs_key_new_from_bytes(k);
	bs_pseudonym(key, "pnr", "000000000000", 12, p);
	bs_pseudonym_hex(p, hex);
	g_assert_cmpstr(hex, ==,
	                "6f149c2a9245e94bfe43d2953651e8197bd4023fbb92c27655c912034bef3eb9");
	g_assert_true(bs_pseudonym_from_hex(hex, back));
	g_assert_true(bs_pseudonym_equal(p, back));
	g_assert_false(bs_pseudonym_from_hex("zz", back));
}

static void
test_key_file_created_0600_and_loaded(void)
{
	g_autofree char *dir = tmp_dir();
	g_autofree char *path = g_build_filename(dir, "pseudonym.key", NULL);
	g_autoptr(bs_key) key = NULL;
	GError *error = NULL;
	struct stat st;

	g_assert_true(bs_key_create(path, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(st.st_size, ==, BS_KEY_LEN);
	g_assert_false(bs_key_create(path, &error)); /* never replaces a key */
	g_assert_error(error, BS_ERROR, BS_ERROR_IO);
	g_clear_error(&error);
	key = bs_key_load(path, &error);
	g_assert_no_error(error);
	g_assert_nonnull(key);
	rm_dir(dir);
}

static const struct bad_key_case {
	const char *what;
	int len; /* -1: no file */
} bad_key_cases[] = {
    {"missing", -1},
    {"empty", 0},
    {"short", 31},
    {"long", 33},
};

static void
test_key_load_bad_file_names_it(void)
{
	g_autofree char *dir = tmp_dir();

	for (size_t i = 0; i < G_N_ELEMENTS(bad_key_cases); i++) {
		const struct bad_key_case *c = &bad_key_cases[i];
		g_autofree char *path = g_build_filename(dir, c->what, NULL);
		g_autofree char *bytes = g_malloc0(64);
		GError *error = NULL;

		g_test_message("row %zu: %s", i, c->what);
		if (c->len >= 0)
			g_assert_true(g_file_set_contents(path, bytes, c->len, NULL));
		g_assert_null(bs_key_load(path, &error));
		g_assert_error(error, BS_ERROR, BS_ERROR_WORKSPACE);
		g_assert_nonnull(strstr(error->message, path));
		g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS) && c->len < 0);
		g_error_free(error);
	}
	rm_dir(dir);
}

static void
test_vault_round_trip_and_wrong_key(void)
{
	g_autofree char *dir = tmp_dir();
	g_autofree char *sk1_path = g_build_filename(dir, "dpo.key", NULL);
	g_autofree char *sk2_path = g_build_filename(dir, "other.key", NULL);
	g_autofree char *pub = NULL, *pub2 = NULL;
	g_autoptr(bs_vault_secret) sk1 = NULL;
	g_autoptr(bs_vault_secret) sk2 = NULL;
	g_autofree uint8_t *sealed = NULL;
	uint8_t pk[BS_VAULT_KEY_LEN];
	char *plain;
	size_t len = 0;
	GError *error = NULL;
	struct stat st;

	pub = bs_vault_keygen(sk1_path, &error);
	g_assert_no_error(error);
	pub2 = bs_vault_keygen(sk2_path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(sk1_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_true(bs_vault_public_from_base64(pub, pk, &error));
	sealed = bs_vault_seal(pk, "email", "anna@example.org", 16, &len);
	g_assert_cmpuint(len, ==, 6 + 16 + BS_VAULT_SEAL_OVERHEAD);
	sk1 = bs_vault_secret_load(sk1_path, &error);
	sk2 = bs_vault_secret_load(sk2_path, &error);
	g_assert_no_error(error);
	plain = bs_vault_open(sk1, sealed, len, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plain, ==, "email:anna@example.org");
	bs_vault_plain_free(plain);
	g_assert_null(bs_vault_open(sk2, sealed, len, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_CRYPTO);
	g_clear_error(&error);
	g_assert_null(bs_vault_open(sk1, sealed, 10, &error)); /* truncated */
	g_assert_error(error, BS_ERROR, BS_ERROR_CRYPTO);
	g_clear_error(&error);
	g_assert_null(bs_vault_keygen(sk1_path, &error)); /* never replaces */
	g_clear_error(&error);
	rm_dir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/pseudonym/stable-per-key-different-across-keys",
	                test_pseudonym_stable_per_key_different_across_keys);
	g_test_add_func("/crypto/pseudonym/matches-the-contract",
	                test_pseudonym_matches_the_contract);
	g_test_add_func("/crypto/key/created-0600-and-loaded",
	                test_key_file_created_0600_and_loaded);
	g_test_add_func("/crypto/key/bad-file-names-it", test_key_load_bad_file_names_it);
	g_test_add_func("/crypto/vault/round-trip-and-wrong-key",
	                test_vault_round_trip_and_wrong_key);
	return g_test_run();
}
