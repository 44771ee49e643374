#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "base/base.h"

struct bs_key {
	/* BLAKE2b state with the key already absorbed: each pseudonym copies it
	 * instead of compressing the key block again (a third of the work for
	 * short identifiers). */
	crypto_generichash_state keyed;
};

struct bs_vault_secret {
	uint8_t pk[BS_VAULT_KEY_LEN];
	uint8_t sk[BS_VAULT_KEY_LEN];
};

G_STATIC_ASSERT(crypto_box_SEALBYTES == BS_VAULT_SEAL_OVERHEAD);
G_STATIC_ASSERT(crypto_box_PUBLICKEYBYTES == BS_VAULT_KEY_LEN);
G_STATIC_ASSERT(crypto_box_SECRETKEYBYTES == BS_VAULT_KEY_LEN);

bool
bs_crypto_init(GError **error)
{
	/* sodium_init() is itself thread-safe and idempotent (0 first, 1 after). */
	if (sodium_init() < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO, "libsodium cannot initialise");
		return false;
	}
	return true;
}

/* Writes len bytes to a new file, mode 0600, O_EXCL: never replaces. */
static bool
write_secret_file(const char *path, const void *data, size_t len, GError **error)
{
	int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	ssize_t n;

	if (fd < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot create: %s", path,
		            g_strerror(errno));
		return false;
	}
	/* The mode above is filtered by umask; 0600 is what we promise. */
	n = fchmod(fd, 0600) == 0 ? write(fd, data, len) : -1;
	if (n != (ssize_t)len || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		g_unlink(path);
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "\"%s\": cannot write: %s", path,
		            g_strerror(e));
		return false;
	}
	close(fd);
	return true;
}

/* Reads exactly len bytes of a secret file (checking the size first). */
static bool
read_secret_file(const char *path, uint8_t *out, size_t len, bool exact, size_t *out_len,
                 GError **error)
{
	int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE, "\"%s\": cannot read the key: %s",
		            path, g_strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)len ||
	    (exact && st.st_size != (off_t)len)) {
		close(fd);
		g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE,
		            "\"%s\": not a key file (expected %s%zu bytes)", path,
		            exact ? "" : "at most ", len);
		return false;
	}
	n = read(fd, out, len);
	close(fd);
	if (n < 0 || (exact && (size_t)n != len)) {
		g_set_error(error, BS_ERROR, BS_ERROR_WORKSPACE, "\"%s\": cannot read the key",
		            path);
		return false;
	}
	*out_len = (size_t)n;
	return true;
}

bool
bs_key_create(const char *path, GError **error)
{
	uint8_t bytes[BS_KEY_LEN];
	bool ok;

	if (!bs_crypto_init(error))
		return false;
	randombytes_buf(bytes, sizeof bytes);
	ok = write_secret_file(path, bytes, sizeof bytes, error);
	sodium_memzero(bytes, sizeof bytes);
	return ok;
}

bs_key *
bs_key_new_from_bytes(const uint8_t bytes[BS_KEY_LEN])
{
	bs_key *key;

	if (!bs_crypto_init(NULL))
		return NULL;
	key = g_new0(bs_key, 1);
	crypto_generichash_init(&key->keyed, bytes, BS_KEY_LEN, BS_PSEUDONYM_LEN);
	return key;
}

bs_key *
bs_key_load(const char *path, GError **error)
{
	uint8_t bytes[BS_KEY_LEN];
	size_t len = 0;
	bs_key *key;

	if (!bs_crypto_init(error))
		return NULL;
	if (!read_secret_file(path, bytes, sizeof bytes, true, &len, error))
		return NULL;
	key = bs_key_new_from_bytes(bytes);
	sodium_memzero(bytes, sizeof bytes);
	return key;
}

void
bs_key_free(bs_key *key)
{
	if (!key)
		return;
	sodium_memzero(key, sizeof *key);
	g_free(key);
}

void
bs_pseudonym(const bs_key *key, const char *kind_name, const char *canonical, size_t len,
             uint8_t out[BS_PSEUDONYM_LEN])
{
	crypto_generichash_state st = key->keyed;

	crypto_generichash_update(&st, (const unsigned char *)kind_name, strlen(kind_name));
	crypto_generichash_update(&st, (const unsigned char *)":", 1);
	crypto_generichash_update(&st, (const unsigned char *)canonical, len);
	crypto_generichash_final(&st, out, BS_PSEUDONYM_LEN);
}

void
bs_pseudonym_hex(const uint8_t p[BS_PSEUDONYM_LEN], char out[BS_PSEUDONYM_HEX_LEN + 1])
{
	sodium_bin2hex(out, BS_PSEUDONYM_HEX_LEN + 1, p, BS_PSEUDONYM_LEN);
}

bool
bs_pseudonym_from_hex(const char *hex, uint8_t out[BS_PSEUDONYM_LEN])
{
	size_t len = 0;

	if (!hex || strlen(hex) != BS_PSEUDONYM_HEX_LEN)
		return false;
	return sodium_hex2bin(out, BS_PSEUDONYM_LEN, hex, BS_PSEUDONYM_HEX_LEN, NULL, &len, NULL) ==
	           0 &&
	       len == BS_PSEUDONYM_LEN;
}

bool
bs_pseudonym_equal(const uint8_t a[BS_PSEUDONYM_LEN], const uint8_t b[BS_PSEUDONYM_LEN])
{
	return sodium_memcmp(a, b, BS_PSEUDONYM_LEN) == 0;
}

/* Decodes exactly 32 bytes of base64 (surrounding blanks ignored). */
static bool
decode_key32(const char *b64, uint8_t out[BS_VAULT_KEY_LEN])
{
	g_autofree char *t = g_strstrip(g_strdup(b64));
	size_t len = 0;

	return sodium_base642bin(out, BS_VAULT_KEY_LEN, t, strlen(t), NULL, &len, NULL,
	                         sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       len == BS_VAULT_KEY_LEN;
}

bool
bs_vault_public_from_base64(const char *b64, uint8_t out_pk[BS_VAULT_KEY_LEN], GError **error)
{
	if (!bs_crypto_init(error))
		return false;
	if (!b64 || !decode_key32(b64, out_pk)) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO,
		            "vault public key is not the base64 of 32 bytes");
		return false;
	}
	return true;
}

bool
bs_vault_public_load(const char *path, uint8_t out_pk[BS_VAULT_KEY_LEN], GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0;

	if (!bs_file_read(path, 1024, &text, &len, error))
		return false;
	if (!bs_crypto_init(error))
		return false;
	if (!decode_key32(text, out_pk)) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO,
		            "\"%s\": not a vault public key (one line of base64 of 32 bytes)",
		            path);
		return false;
	}
	return true;
}

uint8_t *
bs_vault_seal(const uint8_t pk[BS_VAULT_KEY_LEN], const char *kind_name, const char *canonical,
              size_t len, size_t *out_len)
{
	size_t kind_len = strlen(kind_name);
	size_t plain_len = kind_len + 1 + len;
	g_autofree uint8_t *plain = g_malloc(plain_len);
	uint8_t *sealed = g_malloc(plain_len + crypto_box_SEALBYTES);

	memcpy(plain, kind_name, kind_len);
	plain[kind_len] = ':';
	memcpy(plain + kind_len + 1, canonical, len);
	crypto_box_seal(sealed, plain, plain_len, pk);
	sodium_memzero(plain, plain_len);
	*out_len = plain_len + crypto_box_SEALBYTES;
	return sealed;
}

char *
bs_vault_keygen(const char *secret_path, GError **error)
{
	uint8_t pk[BS_VAULT_KEY_LEN], sk[BS_VAULT_KEY_LEN];
	char line[sodium_base64_ENCODED_LEN(BS_VAULT_KEY_LEN, sodium_base64_VARIANT_ORIGINAL) + 1] =
	    {0};
	bool ok;

	if (!bs_crypto_init(error))
		return NULL;
	crypto_box_keypair(pk, sk);
	sodium_bin2base64(line, sizeof line, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
	line[strlen(line)] = '\n'; /* the terminating NUL had one spare byte */
	ok = write_secret_file(secret_path, line, strlen(line), error);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(line, sizeof line);
	if (!ok)
		return NULL;
	return g_base64_encode(pk, sizeof pk);
}

bs_vault_secret *
bs_vault_secret_load(const char *path, GError **error)
{
	char text[128] = "";
	size_t len = 0;
	bs_vault_secret *sk;

	if (!bs_crypto_init(error))
		return NULL;
	if (!read_secret_file(path, (uint8_t *)text, sizeof text - 1, false, &len, error))
		return NULL;
	text[len] = '\0';
	sk = g_new0(bs_vault_secret, 1);
	if (!decode_key32(text, sk->sk)) {
		sodium_memzero(text, sizeof text);
		bs_vault_secret_free(sk);
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO,
		            "\"%s\": not a vault secret key (one line of base64 of 32 bytes)",
		            path);
		return NULL;
	}
	sodium_memzero(text, sizeof text);
	crypto_scalarmult_base(sk->pk, sk->sk);
	return sk;
}

void
bs_vault_secret_free(bs_vault_secret *sk)
{
	if (!sk)
		return;
	sodium_memzero(sk, sizeof *sk);
	g_free(sk);
}

char *
bs_vault_open(const bs_vault_secret *sk, const uint8_t *sealed, size_t len, GError **error)
{
	char *plain;

	if (len < crypto_box_SEALBYTES || len - crypto_box_SEALBYTES > BS_LIMIT_IDENT_LEN + 64) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO,
		            "sealed value of %zu bytes is damaged", len);
		return NULL;
	}
	plain = g_malloc0(len - crypto_box_SEALBYTES + 1);
	if (crypto_box_seal_open((unsigned char *)plain, sealed, len, sk->pk, sk->sk) != 0) {
		g_free(plain);
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO,
		            "sealed value does not open with this key (wrong key or damaged)");
		return NULL;
	}
	return plain;
}

void
bs_vault_plain_free(char *plain)
{
	if (!plain)
		return;
	sodium_memzero(plain, strlen(plain));
	g_free(plain);
}
