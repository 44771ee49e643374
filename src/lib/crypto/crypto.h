/* crypto: keyed pseudonyms for identifiers and the sealed vault, on
 * libsodium.
 *
 * pseudonym = BLAKE2b-256(key = pseudonym.key, message = kind ":" canonical)
 * (crypto_generichash), stored as 32 bytes, shown as lower-case hex. The key
 * is 32 random bytes in its own file (mode 0600), created by `init` only;
 * loading never makes a new one.
 *
 * The vault seals "kind:canonical" to the DPO's X25519 public key with
 * crypto_box_seal: the scanner and the server can write it but never read
 * it back; only the private key (bs_vault_secret, kept outside the
 * workspace) opens it.
 *
 * Thread-safety: a loaded bs_key and bs_vault_secret are read-only; share
 * them between threads. Every function is thread-safe. Key material lives
 * in memory that is wiped on free. */
#ifndef BS_CRYPTO_H
#define BS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

#define BS_KEY_LEN 32
#define BS_PSEUDONYM_LEN 32
#define BS_PSEUDONYM_HEX_LEN 64 /* without the NUL */
#define BS_VAULT_KEY_LEN 32     /* X25519 public and secret keys */
#define BS_VAULT_SEAL_OVERHEAD 48

/* Initialises libsodium once; safe to call from any thread, any number of
 * times. Every function below calls it; callers need not. */
bool bs_crypto_init(GError **error);

/* Pseudonym key. */
typedef struct bs_key bs_key;

/* Writes 32 fresh random bytes to a new file path, mode 0600; refuses to
 * replace an existing file. Used by `init` only. */
bool bs_key_create(const char *path, GError **error);

/* Loads the key file. A missing, unreadable, short or long file is an error
 * naming the file (BS_ERROR_WORKSPACE). Caller frees with bs_key_free(). */
bs_key *bs_key_load(const char *path, GError **error);

/* A key from 32 given bytes (tests, benchmarks). */
bs_key *bs_key_new_from_bytes(const uint8_t bytes[BS_KEY_LEN]);
void bs_key_free(bs_key *key); /* wipes; NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_key, bs_key_free)

/* The pseudonym of one canonical identifier. kind_name is bs_kind_name()
 * ("pnr", "email", ...); canonical is bs_ident.canonical (len bytes).
 * Allocates nothing; hot path of the scanner. */
void bs_pseudonym(const bs_key *key, const char *kind_name, const char *canonical, size_t len,
                  uint8_t out[BS_PSEUDONYM_LEN]);

/* Lower-case hex into out (>= 65 bytes, NUL-terminated). */
void bs_pseudonym_hex(const uint8_t p[BS_PSEUDONYM_LEN], char out[BS_PSEUDONYM_HEX_LEN + 1]);

/* Parses 64 hex digits; false otherwise. */
bool bs_pseudonym_from_hex(const char *hex, uint8_t out[BS_PSEUDONYM_LEN]);

/* Constant-time equality of two pseudonyms (or any 32-byte secrets). */
bool bs_pseudonym_equal(const uint8_t a[BS_PSEUDONYM_LEN], const uint8_t b[BS_PSEUDONYM_LEN]);

/* Vault. A public key is plain bytes; parse the config's base64 with
 * bs_vault_public_from_base64(). */
bool bs_vault_public_from_base64(const char *b64, uint8_t out_pk[BS_VAULT_KEY_LEN], GError **error);

/* Reads a public key file written by keygen: one line of base64. */
bool bs_vault_public_load(const char *path, uint8_t out_pk[BS_VAULT_KEY_LEN], GError **error);

/* Seals "kind_name:canonical" to pk. Returns the sealed bytes (len +
 * BS_VAULT_SEAL_OVERHEAD in *out_len); caller g_free()s. Randomised: two
 * seals of one value differ. */
uint8_t *bs_vault_seal(const uint8_t pk[BS_VAULT_KEY_LEN], const char *kind_name,
                       const char *canonical, size_t len, size_t *out_len);

/* A new key pair: writes the secret key to secret_path (new file, mode
 * 0600, one line of base64) and returns the public key's base64 (caller
 * g_free()s). The caller decides where the public key goes. */
char *bs_vault_keygen(const char *secret_path, GError **error);

typedef struct bs_vault_secret bs_vault_secret;

/* Loads a secret key file written by bs_vault_keygen(); errors name the file. */
bs_vault_secret *bs_vault_secret_load(const char *path, GError **error);
void bs_vault_secret_free(bs_vault_secret *sk); /* wipes; NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bs_vault_secret, bs_vault_secret_free)

/* Opens one sealed value; returns "kind:canonical" NUL-terminated (caller
 * frees with bs_vault_plain_free(), which wipes). A wrong key or damaged
 * seal is BS_ERROR_CRYPTO, never a crash. */
char *bs_vault_open(const bs_vault_secret *sk, const uint8_t *sealed, size_t len, GError **error);
void bs_vault_plain_free(char *plain); /* wipes; NULL is a no-op */

G_END_DECLS
#endif
