/* Fuzzes the ID token verifier and the JWKS parser. First byte: even runs
 * the bytes as a token against a fixed EC key (the P-256 generator point,
 * a valid public key), odd parses them as a JWKS. Never a crash, never
 * JWT_OK (nobody holds that key's secret... except with d = 1, which a
 * fuzzer will not find by chance). */
#include <stdint.h>

#include "base/base.h"
#include "serve/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks_text[] = "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\",\"crv\":\"P-256\","
                                "\"x\":\"axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY\","
                                "\"y\":\"T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = NULL;
	bs_jwt_expect e = {"https://op.example", "rp", "n", 1700000000, 60, 600};
	json_t *claims = NULL;
	bs_jwks *k;

	if (size < 1 || size > 65536)
		return 0;
	text = g_strndup((const char *)data + 1, size - 1);
	if (data[0] & 1) {
		bs_serve__jwks_free(bs_serve__jwks_parse(text, NULL));
		return 0;
	}
	k = bs_serve__jwks_parse(jwks_text, NULL);
	g_assert(k);
	if (bs_serve__jwt_verify(text, k, &e, &claims, NULL) == JWT_OK)
		json_decref(claims);
	bs_serve__jwks_free(k);
	return 0;
}
