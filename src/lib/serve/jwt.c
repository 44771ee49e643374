/* ID token checks: JWS compact form, RS256 and ES256 only (the key type
 * must match the algorithm, so no algorithm confusion), keys from a JWKS
 * (RSA n/e, EC P-256 x/y) built with OpenSSL 3, then iss, aud (and azp),
 * exp, iat and nonce with a bounded clock skew. */
#include "serve/internal.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#define JWKS_MAX_KEYS 32

typedef struct {
	char *kid;      /* owned; NULL when the key has none */
	bool ec;        /* P-256, else RSA */
	EVP_PKEY *pkey; /* owned */
} jwk;

struct bs_jwks {
	jwk keys[JWKS_MAX_KEYS];
	size_t count;
};

static bool
b64_member(json_t *o, const char *name, uint8_t **out, size_t *out_len)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s && bs_serve__b64url_decode(s, strlen(s), out, out_len);
}

static EVP_PKEY *
pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *
rsa_key(json_t *o)
{
	g_autofree uint8_t *n = NULL, *e = NULL;
	size_t nl = 0, el = 0;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (!b64_member(o, "n", &n, &nl) || !b64_member(o, "e", &e, &el) || nl < 256 || el > 8)
		return NULL; /* below 2048 bits is refused */
	bn = BN_bin2bn(n, (int)nl, NULL);
	be = BN_bin2bn(e, (int)el, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn && be && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		pkey = pkey_from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return pkey;
}

static EVP_PKEY *
ec_key(json_t *o)
{
	g_autofree uint8_t *x = NULL, *y = NULL;
	size_t xl = 0, yl = 0;
	uint8_t point[65];
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	if (g_strcmp0(json_string_value(json_object_get(o, "crv")), "P-256") != 0 ||
	    !b64_member(o, "x", &x, &xl) || !b64_member(o, "y", &y, &yl) || xl != 32 || yl != 32)
		return NULL;
	point[0] = 0x04; /* uncompressed */
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	bld = OSSL_PARAM_BLD_new();
	if (bld &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point))
		pkey = pkey_from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

bs_jwks *
bs_serve__jwks_parse(const char *text, GError **error)
{
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	json_t *keys = root ? json_object_get(root, "keys") : NULL;
	bs_jwks *k = g_new0(bs_jwks, 1);
	size_t i;
	json_t *o;

	json_array_foreach(keys, i, o)
	{
		const char *kty = json_string_value(json_object_get(o, "kty"));
		const char *use = json_string_value(json_object_get(o, "use"));
		EVP_PKEY *pkey;

		if (k->count == JWKS_MAX_KEYS || !kty || (use && strcmp(use, "sig") != 0))
			continue;
		pkey = strcmp(kty, "RSA") == 0  ? rsa_key(o)
		       : strcmp(kty, "EC") == 0 ? ec_key(o)
		                                : NULL;
		if (!pkey)
			continue;
		k->keys[k->count].pkey = pkey;
		k->keys[k->count].ec = strcmp(kty, "EC") == 0;
		k->keys[k->count].kid = g_strdup(json_string_value(json_object_get(o, "kid")));
		k->count++;
	}
	json_decref(root);
	if (k->count == 0) {
		g_set_error(error, BS_ERROR, BS_ERROR_PARSE, "jwks: no usable RS256 or ES256 key");
		bs_serve__jwks_free(k);
		return NULL;
	}
	return k;
}

void
bs_serve__jwks_free(bs_jwks *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->count; i++) {
		g_free(k->keys[i].kid);
		EVP_PKEY_free(k->keys[i].pkey);
	}
	g_free(k);
}

/* The key for kid (or the only key of that type when the token has no kid). */
static const jwk *
find_key(const bs_jwks *k, const char *kid, bool ec)
{
	const jwk *only = NULL;
	size_t n = 0;

	for (size_t i = 0; i < k->count; i++) {
		if (k->keys[i].ec != ec)
			continue;
		if (kid && g_strcmp0(k->keys[i].kid, kid) == 0)
			return &k->keys[i];
		only = &k->keys[i];
		n++;
	}
	return !kid && n == 1 ? only : NULL;
}

/* JWS ES256 signatures are r || s; OpenSSL wants DER. */
static uint8_t *
es256_der(const uint8_t *sig, size_t len, size_t *out_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	uint8_t *der = NULL, *p;
	int n;

	if (len != 64 || !es)
		goto out;
	if (!ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)))
		goto out;
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0)
		goto out;
	der = g_malloc((size_t)n);
	p = der;
	i2d_ECDSA_SIG(es, &p);
	*out_len = (size_t)n;
out:
	ECDSA_SIG_free(es);
	return der;
}

static bool
signature_ok(const jwk *key, const char *input, size_t input_len, const uint8_t *sig,
             size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	g_autofree uint8_t *der = NULL;
	bool ok = false;

	if (key->ec) {
		der = es256_der(sig, sig_len, &sig_len);
		sig = der;
	}
	if (md && sig && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1)
		ok = EVP_DigestVerify(md, sig, sig_len, (const uint8_t *)input, input_len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

static json_t *
json_part(const char *p, size_t len)
{
	g_autofree uint8_t *raw = NULL;
	size_t n = 0;

	if (!bs_serve__b64url_decode(p, len, &raw, &n))
		return NULL;
	return json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
}

static bool
aud_ok(json_t *claims, const char *audience)
{
	json_t *aud = json_object_get(claims, "aud");
	const char *azp = json_string_value(json_object_get(claims, "azp"));
	size_t i;
	json_t *v;
	bool seen = false;

	if (json_is_string(aud))
		return strcmp(json_string_value(aud), audience) == 0;
	json_array_foreach(aud, i, v) if (g_strcmp0(json_string_value(v), audience) == 0) seen =
	    true;
	/* Several audiences: the authorised party must be us (OIDC Core 3.1.3.7). */
	return seen && (json_array_size(aud) == 1 || g_strcmp0(azp, audience) == 0);
}

static const char *
claims_problem(json_t *c, const bs_jwt_expect *e)
{
	json_t *exp = json_object_get(c, "exp"), *iat = json_object_get(c, "iat");

	if (g_strcmp0(json_string_value(json_object_get(c, "iss")), e->issuer) != 0)
		return "wrong issuer";
	if (!aud_ok(c, e->audience))
		return "wrong audience";
	if (!json_is_integer(exp) || json_integer_value(exp) + e->skew_s <= e->now_s)
		return "expired";
	if (!json_is_integer(iat) || json_integer_value(iat) - e->skew_s > e->now_s ||
	    json_integer_value(iat) + e->max_age_s + e->skew_s < e->now_s)
		return "issued at an unacceptable time";
	if (e->nonce && g_strcmp0(json_string_value(json_object_get(c, "nonce")), e->nonce) != 0)
		return "wrong nonce";
	return NULL;
}

static jwt_result
bad(GError **error, const char *why)
{
	g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO, "id token: %s", why);
	return JWT_BAD;
}

jwt_result
bs_serve__jwt_verify(const char *token, const bs_jwks *keys, const bs_jwt_expect *e,
                     json_t **out_claims, GError **error)
{
	const char *dot1 = strchr(token, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	json_t *header = NULL, *claims = NULL;
	g_autofree uint8_t *sig = NULL;
	size_t sig_len = 0;
	const char *alg, *why = NULL;
	const jwk *key;

	if (!dot2 || strchr(dot2 + 1, '.') || strlen(token) > BS_LIMIT_OIDC_BYTES)
		return bad(error, "not a compact JWS");
	header = json_part(token, (size_t)(dot1 - token));
	alg = json_string_value(json_object_get(header, "alg"));
	if (!alg || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)) {
		json_decref(header);
		return bad(error, "algorithm not RS256 or ES256");
	}
	key = find_key(keys, json_string_value(json_object_get(header, "kid")),
	               strcmp(alg, "ES256") == 0);
	json_decref(header);
	if (!key) {
		g_set_error(error, BS_ERROR, BS_ERROR_CRYPTO, "id token: unknown key id");
		return JWT_UNKNOWN_KID;
	}
	if (!bs_serve__b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig, &sig_len) ||
	    !signature_ok(key, token, (size_t)(dot2 - token), sig, sig_len))
		return bad(error, "bad signature");
	claims = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	why = claims && json_is_object(claims) ? claims_problem(claims, e) : "unreadable claims";
	if (why) {
		json_decref(claims);
		return bad(error, why);
	}
	*out_claims = claims;
	return JWT_OK;
}
