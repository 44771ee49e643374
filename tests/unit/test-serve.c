/* Unit tests for serve: the ID token verifier with keys made here, the
 * audit chain and its tamper checks, rate limits, forms, sessions, e-mail
 * codes, cases and API keys on a real SQLite file. */
#include "serve/internal.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <glib/gstdio.h>

#include "store/store.h"

/* ---- keys and tokens made in the test ---- */

typedef struct {
	EVP_PKEY *rsa, *ec, *rsa_other;
	char *jwks;
} keyset;

static char *
b64url_dup(const uint8_t *p, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = g_malloc(cap);

	bs_serve__b64url(p, len, out, cap);
	return out;
}

static char *
bn_param_b64(EVP_PKEY *k, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	uint8_t buf[512];
	int n;

	g_assert_true(EVP_PKEY_get_bn_param(k, name, &bn));
	n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64url_dup(buf, (size_t)n);
}

static void
keyset_init(keyset *ks)
{
	g_autofree char *n = NULL, *e = NULL, *x = NULL, *y = NULL;

	ks->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ks->rsa_other = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ks->ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	g_assert_nonnull(ks->rsa);
	g_assert_nonnull(ks->ec);
	n = bn_param_b64(ks->rsa, OSSL_PKEY_PARAM_RSA_N, 0);
	e = bn_param_b64(ks->rsa, OSSL_PKEY_PARAM_RSA_E, 0);
	x = bn_param_b64(ks->ec, OSSL_PKEY_PARAM_EC_PUB_X, 32);
	y = bn_param_b64(ks->ec, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
	ks->jwks = g_strdup_printf("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"use\":\"sig\","
	                           "\"n\":\"%s\",\"e\":\"%s\"},{\"kty\":\"EC\",\"kid\":\"e1\","
	                           "\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}]}",
	                           n, e, x, y);
}

static void
keyset_fini(keyset *ks)
{
	EVP_PKEY_free(ks->rsa);
	EVP_PKEY_free(ks->rsa_other);
	EVP_PKEY_free(ks->ec);
	g_free(ks->jwks);
}

static char *
sign(EVP_PKEY *k, bool ec, const char *input)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sig[512], raw[64];
	size_t len = sizeof sig;
	const uint8_t *p = sig;
	ECDSA_SIG *es;

	g_assert_true(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1);
	g_assert_true(EVP_DigestSign(md, sig, &len, (const uint8_t *)input, strlen(input)) == 1);
	EVP_MD_CTX_free(md);
	if (!ec)
		return b64url_dup(sig, len);
	es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
	ECDSA_SIG_free(es);
	return b64url_dup(raw, 64);
}

typedef struct {
	const char *name;
	const char *alg; /* header alg */
	const char *kid;
	int key;              /* 0 rsa, 1 ec, 2 rsa not in the JWKS */
	const char *aud_json; /* JSON value of aud */
	const char *azp;
	const char *iss;
	int64_t exp_delta, iat_delta;
	const char *nonce;
	bool tamper;
	jwt_result want;
} token_case;

#define ISS "https://op.example"
static const token_case token_cases[] = {
    {"rs256 ok", "RS256", "r1", 0, "\"rp\"", NULL, ISS, 300, 0, "n1", false, JWT_OK},
    {"es256 ok", "ES256", "e1", 1, "\"rp\"", NULL, ISS, 300, 0, "n1", false, JWT_OK},
    {"aud array with azp", "RS256", "r1", 0, "[\"rp\",\"x\"]", "rp", ISS, 300, 0, "n1", false,
     JWT_OK},
    {"tampered payload", "RS256", "r1", 0, "\"rp\"", NULL, ISS, 300, 0, "n1", true, JWT_BAD},
    {"tampered es256", "ES256", "e1", 1, "\"rp\"", NULL, ISS, 300, 0, "n1", true, JWT_BAD},
    {"signed by another key", "RS256", "r1", 2, "\"rp\"", NULL, ISS, 300, 0, "n1", false, JWT_BAD},
    {"wrong audience", "RS256", "r1", 0, "\"other\"", NULL, ISS, 300, 0, "n1", false, JWT_BAD},
    {"aud array, azp not us", "RS256", "r1", 0, "[\"rp\",\"x\"]", "x", ISS, 300, 0, "n1", false,
     JWT_BAD},
    {"wrong issuer", "RS256", "r1", 0, "\"rp\"", NULL, "https://evil", 300, 0, "n1", false,
     JWT_BAD},
    {"expired beyond skew", "RS256", "r1", 0, "\"rp\"", NULL, ISS, -61, -700, "n1", false, JWT_BAD},
    {"expired within skew", "RS256", "r1", 0, "\"rp\"", NULL, ISS, -30, -100, "n1", false, JWT_OK},
    {"issued in the future", "RS256", "r1", 0, "\"rp\"", NULL, ISS, 900, 300, "n1", false, JWT_BAD},
    {"issued too long ago", "RS256", "r1", 0, "\"rp\"", NULL, ISS, 900, -3600, "n1", false,
     JWT_BAD},
    {"wrong nonce", "RS256", "r1", 0, "\"rp\"", NULL, ISS, 300, 0, "n2", false, JWT_BAD},
    {"unknown key id", "RS256", "r9", 0, "\"rp\"", NULL, ISS, 300, 0, "n1", false, JWT_UNKNOWN_KID},
    {"alg none", "none", "r1", 0, "\"rp\"", NULL, ISS, 300, 0, "n1", false, JWT_BAD},
    {"alg HS256", "HS256", "r1", 0, "\"rp\"", NULL, ISS, 300, 0, "n1", false, JWT_BAD},
    {"RS256 naming an EC key", "RS256", "e1", 0, "\"rp\"", NULL, ISS, 300, 0, "n1", false,
     JWT_UNKNOWN_KID},
};

static char *
make_token(const keyset *ks, const token_case *c, int64_t now)
{
	g_autofree char *hdr =
	    g_strdup_printf("{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", c->alg, c->kid);
	g_autofree char *azp = c->azp ? g_strdup_printf(",\"azp\":\"%s\"", c->azp) : g_strdup("");
	g_autofree char *pl = g_strdup_printf(
	    "{\"iss\":\"%s\",\"sub\":\"s1\",\"aud\":%s%s,\"exp\":%" G_GINT64_FORMAT
	    ",\"iat\":%" G_GINT64_FORMAT ",\"nonce\":\"%s\"}",
	    c->iss, c->aud_json, azp, now + c->exp_delta, now + c->iat_delta, c->nonce);
	g_autofree char *h64 = b64url_dup((const uint8_t *)hdr, strlen(hdr));
	g_autofree char *p64 = b64url_dup((const uint8_t *)pl, strlen(pl));
	g_autofree char *input = g_strconcat(h64, ".", p64, NULL);
	EVP_PKEY *k = c->key == 0 ? ks->rsa : c->key == 1 ? ks->ec : ks->rsa_other;
	g_autofree char *sig = sign(k, c->key == 1, input);

	if (c->tamper) /* a claim changed after signing: swap the subject */
		p64[strlen(p64) / 2] = p64[strlen(p64) / 2] == 'A' ? 'B' : 'A';
	return g_strconcat(h64, ".", p64, ".", sig, NULL);
}

static void
test_jwt_verify_table(void)
{
	keyset ks;
	g_autoptr(GError) error = NULL;
	bs_jwks *jwks;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;

	keyset_init(&ks);
	jwks = bs_serve__jwks_parse(ks.jwks, &error);
	g_assert_no_error(error);
	for (size_t i = 0; i < G_N_ELEMENTS(token_cases); i++) {
		const token_case *c = &token_cases[i];
		g_autofree char *tok = make_token(&ks, c, now);
		bs_jwt_expect e = {ISS, "rp", "n1", now, 60, 600};
		json_t *claims = NULL;
		g_autoptr(GError) err = NULL;
		jwt_result res;

		g_test_message("row %zu: %s", i, c->name);
		res = bs_serve__jwt_verify(tok, jwks, &e, &claims, &err);
		g_assert_cmpint(res, ==, c->want);
		g_assert_true((res == JWT_OK) == (claims != NULL));
		if (claims)
			g_assert_cmpstr(json_string_value(json_object_get(claims, "sub")), ==,
			                "s1");
		json_decref(claims);
	}
	bs_serve__jwks_free(jwks);
	keyset_fini(&ks);
}

static void
test_jwt_garbage_is_refused(void)
{
	static const char *const junk[] = {
	    "", ".", "..", "a.b.c", "a.b.c.d", "e30.e30.", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"};
	keyset ks;
	bs_jwks *jwks;

	keyset_init(&ks);
	jwks = bs_serve__jwks_parse(ks.jwks, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(junk); i++) {
		bs_jwt_expect e = {ISS, "rp", NULL, 0, 60, 600};
		json_t *claims = NULL;
		g_autoptr(GError) err = NULL;

		g_test_message("row %zu", i);
		g_assert_cmpint(bs_serve__jwt_verify(junk[i], jwks, &e, &claims, &err), !=, JWT_OK);
		g_assert_null(claims);
	}
	g_assert_null(bs_serve__jwks_parse("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\","
	                                   "\"e\":\"AQAB\"}]}",
	                                   NULL)); /* a tiny RSA key is refused */
	g_assert_null(bs_serve__jwks_parse("not json", NULL));
	bs_serve__jwks_free(jwks);
	keyset_fini(&ks);
}

/* ---- database-backed parts ---- */

typedef struct {
	char *dir;
	char *db_path;
} fixture;

static void
fixture_setup(fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("bs-serve-XXXXXX", &error);
	g_assert_no_error(error);
	f->db_path = g_build_filename(f->dir, "index.sqlite", NULL);
	g_assert_true(bs_store_create(f->db_path, &error));
	g_assert_true(bs_serve_db_prepare(f->db_path, &error));
	g_assert_no_error(error);
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
	const char *suffixes[] = {"", "-wal", "-shm"};

	for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree char *p = g_strconcat(f->db_path, suffixes[i], NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f->db_path);
}

static void
exec_sql(const char *path, const char *sql)
{
	sqlite3 *db = bs_serve__db_open(path, NULL);

	g_assert_nonnull(db);
	g_assert_true(bs_serve__db_exec(db, sql, NULL));
	sqlite3_close(db);
}

static void
append_n(const char *path, int n)
{
	for (int i = 0; i < n; i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *detail = g_strdup_printf("entry %d", i);

		g_assert_true(bs_audit_append(path, "cli", "test", "", detail, &error));
	}
}

static void
test_audit_chain_intact(fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	bs_audit_report rep;
	bs_audit *a;

	append_n(f->db_path, 3);
	a = bs_serve__audit_new(f->db_path, &error);
	for (int i = 0; i < 50; i++)
		bs_serve__audit(a, "session:x", "lookup", "ab", "found");
	bs_serve__audit_free(a); /* flushes */
	append_n(f->db_path, 2);
	g_assert_true(bs_audit_verify(f->db_path, &rep, &error));
	g_assert_cmpint(rep.entries, ==, 55);
	g_assert_cmpint(rep.broken_seq, ==, 0);
	g_assert_cmpuint(strlen(rep.head), ==, 64);
}

static const struct tamper_case {
	const char *name;
	const char *sql;
	int64_t broken;
} tamper_cases[] = {
    {"changed detail", "UPDATE audit SET detail = 'other' WHERE seq = 4", 4},
    {"changed actor", "UPDATE audit SET actor = 'admin:x' WHERE seq = 2", 2},
    {"deleted entry", "DELETE FROM audit WHERE seq = 3", 4},
    {"rewritten link", "UPDATE audit SET prev = hash WHERE seq = 5", 5},
    {"first entry changed", "UPDATE audit SET at = '2020-01-01' WHERE seq = 1", 1},
};

static void
test_audit_tamper_names_first_broken_entry(fixture *f, gconstpointer data)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tamper_cases); i++) {
		const struct tamper_case *c = &tamper_cases[i];
		g_autoptr(GError) error = NULL;
		bs_audit_report rep;

		g_test_message("row %zu: %s", i, c->name);
		exec_sql(f->db_path, "DROP TRIGGER IF EXISTS audit_no_update;"
		                     "DROP TRIGGER IF EXISTS audit_no_delete; DELETE FROM audit");
		append_n(f->db_path, 6);
		exec_sql(f->db_path, c->sql);
		g_assert_true(bs_audit_verify(f->db_path, &rep, &error));
		g_assert_cmpint(rep.broken_seq, ==, c->broken);
	}
}

static void
test_audit_refuses_update_and_delete(fixture *f, gconstpointer data)
{
	sqlite3 *db;

	append_n(f->db_path, 2);
	db = bs_serve__db_open(f->db_path, NULL);
	g_assert_false(bs_serve__db_exec(db, "UPDATE audit SET detail = 'x'", NULL));
	g_assert_false(bs_serve__db_exec(db, "DELETE FROM audit", NULL));
	sqlite3_close(db);
}

static void
test_code_single_use_attempts_expiry(fixture *f, gconstpointer data)
{
	sqlite3 *db = bs_serve__db_open(f->db_path, NULL);
	uint8_t p[32] = {1};
	int64_t now = g_get_real_time(), id = 0, id2 = 0, id3 = 0;

	g_assert_true(bs_serve__code_store(db, p, "123456", now + 60000000, &id, NULL));
	g_assert_cmpint(bs_serve__code_check(db, id, "654321", now, 3), ==, CODE_WRONG);
	g_assert_cmpint(bs_serve__code_check(db, id, "123456", now, 3), ==, CODE_OK);
	g_assert_cmpint(bs_serve__code_check(db, id, "123456", now, 3), ==, CODE_GONE);
	g_assert_true(bs_serve__code_store(db, p, "111111", now + 60000000, &id2, NULL));
	g_assert_cmpint(bs_serve__code_check(db, id2, "000000", now, 2), ==, CODE_WRONG);
	g_assert_cmpint(bs_serve__code_check(db, id2, "000000", now, 2), ==, CODE_LOCKED);
	g_assert_cmpint(bs_serve__code_check(db, id2, "111111", now, 2), ==, CODE_LOCKED);
	g_assert_true(bs_serve__code_store(db, p, "222222", now - 1, &id3, NULL));
	g_assert_cmpint(bs_serve__code_check(db, id3, "222222", now, 3), ==, CODE_EXPIRED);
	g_assert_cmpint(bs_serve__code_check(db, 9999, "222222", now, 3), ==, CODE_GONE);
	sqlite3_close(db);
}

static void
test_apikey_add_check_revoke(fixture *f, gconstpointer data)
{
	g_autofree char *key = NULL, *key2 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_json) j = bs_json_new();
	char name[64];
	sqlite3 *db;

	g_assert_true(bs_apikey_add(f->db_path, "portal", &key, &error));
	g_assert_true(g_str_has_prefix(key, "bsk_"));
	g_assert_false(bs_apikey_add(f->db_path, "portal", &key2, NULL)); /* name taken */
	g_assert_false(bs_apikey_add(f->db_path, "bad name", &key2, NULL));
	db = bs_serve__db_open(f->db_path, NULL);
	g_assert_true(bs_serve__apikey_check(db, key, name, sizeof name));
	g_assert_cmpstr(name, ==, "portal");
	key[5] ^= 1;
	g_assert_false(bs_serve__apikey_check(db, key, name, sizeof name));
	key[5] ^= 1;
	g_assert_true(bs_apikey_revoke(f->db_path, "portal", &error));
	g_assert_false(bs_serve__apikey_check(db, key, name, sizeof name));
	g_assert_false(bs_apikey_revoke(f->db_path, "portal", NULL));
	sqlite3_close(db);
	g_assert_true(bs_apikey_list(f->db_path, j, &error));
	g_assert_nonnull(strstr(bs_json_text(j), "\"name\":\"portal\""));
	g_assert_null(strstr(bs_json_text(j), key)); /* only the hash is stored */
}

static void
count_case(const bs_case *c, void *user)
{
	(*(int *)user)++;
}

static void
test_case_open_close_list(fixture *f, gconstpointer data)
{
	sqlite3 *db = bs_serve__db_open(f->db_path, NULL);
	uint8_t p[32] = {7};
	char ref[24], ref2[24];
	bs_case c;
	bs_case_filter all = {0}, open = {.state = "open"}, copies = {.art15_only = true};
	int n = 0;

	g_assert_true(bs_serve__case_open(db, "eid", "pnr", p, true, ref, NULL));
	g_assert_true(bs_serve__case_open(db, "email", "email", p, false, ref2, NULL));
	g_assert_cmpstr(ref, !=, ref2);
	g_assert_true(g_regex_match_simple("^BS-[2-9A-Z]{4}-[2-9A-Z]{4}$", ref, 0, 0));
	g_assert_true(bs_serve__case_art15(db, ref, NULL));
	g_assert_true(bs_serve__case_close(db, ref2, "closed", "answered by letter", "dpo", NULL));
	g_assert_true(bs_serve__case_get(db, ref2, &c, NULL));
	g_assert_cmpstr(c.state, ==, "closed");
	g_assert_cmpstr(c.note, ==, "answered by letter");
	g_assert_cmpstr(c.closed_by, ==, "dpo");
	bs_serve__case_clear(&c);
	g_assert_true(bs_serve__case_get(db, ref, &c, NULL));
	g_assert_true(c.art15);
	g_assert_cmpuint(strlen(c.deadline), ==, 10);
	bs_serve__case_clear(&c);
	g_assert_true(bs_serve__case_list(db, &all, count_case, &n, NULL));
	g_assert_cmpint(n, ==, 2);
	n = 0;
	g_assert_true(bs_serve__case_list(db, &open, count_case, &n, NULL));
	g_assert_cmpint(n, ==, 1);
	n = 0;
	g_assert_true(bs_serve__case_list(db, &copies, count_case, &n, NULL));
	g_assert_cmpint(n, ==, 1);
	g_assert_false(bs_serve__case_get(db, "BS-NONE-NONE", &c, NULL));
	sqlite3_close(db);
}

static void
test_admin_password_argon2id(fixture *f, gconstpointer data)
{
	sqlite3 *db;

	g_assert_false(bs_admin_add(f->db_path, "dpo", "short", NULL));
	g_assert_true(bs_admin_add(f->db_path, "dpo", "correct horse battery", NULL));
	db = bs_serve__db_open(f->db_path, NULL);
	g_assert_true(bs_serve__admin_check(db, "dpo", "correct horse battery"));
	g_assert_false(bs_serve__admin_check(db, "dpo", "correct horse batterY"));
	g_assert_false(bs_serve__admin_check(db, "nobody", "correct horse battery"));
	sqlite3_close(db);
}

/* ---- pure helpers ---- */

static void
test_ratelimit_burst_then_retry_after(void)
{
	bs_ratelimit *rl = bs_serve__ratelimit_new(60, 3); /* one a second, burst 3 */
	int64_t t = 1000000000;
	int retry = 0;

	for (int i = 0; i < 3; i++)
		g_assert_true(bs_serve__ratelimit_take(rl, "a", t, &retry));
	g_assert_false(bs_serve__ratelimit_take(rl, "a", t, &retry));
	g_assert_cmpint(retry, ==, 1);
	g_assert_true(bs_serve__ratelimit_take(rl, "b", t, &retry)); /* keys are apart */
	g_assert_true(bs_serve__ratelimit_take(rl, "a", t + G_USEC_PER_SEC, &retry));
	bs_serve__ratelimit_free(rl);
}

static const struct form_case {
	const char *body;
	bool ok;
	const char *key, *value;
} form_cases[] = {
    {"a=1&b=2", true, "b", "2"},
    {"email=a%40b.se", true, "email", "a@b.se"},
    {"note=hej+d%C3%A5", true, "note", "hej då"},
    {"a=%zz", false, NULL, NULL},
    {"", true, NULL, NULL},
};

static void
test_form_parse_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(form_cases); i++) {
		const struct form_case *c = &form_cases[i];
		GHashTable *t = bs_serve__form_parse(c->body, strlen(c->body), 8);

		g_test_message("row %zu: %s", i, c->body);
		g_assert_true((t != NULL) == c->ok);
		if (t && c->key)
			g_assert_cmpstr(g_hash_table_lookup(t, c->key), ==, c->value);
		if (t)
			g_hash_table_unref(t);
	}
	g_assert_null(bs_serve__form_parse("a=1&a=2&a=3", 11, 2)); /* too many fields */
	g_assert_null(bs_serve__form_parse("a=1\0b", 5, 8));       /* NUL inside */
}

static void
test_sessions_rotate_and_expire(fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	bs_sessions *ss =
	    bs_serve__sessions_new(f->db_path, 2, G_USEC_PER_SEC / 20, G_USEC_PER_SEC, 2, &error);
	bs_session a, b, c, got;
	char old_id[SESS_ID_HEX + 1];

	g_assert_no_error(error);
	g_assert_true(bs_serve__session_create(ss, SESS_ANON, &a));
	g_assert_cmpuint(strlen(a.id), ==, SESS_ID_HEX);
	g_assert_cmpstr(a.id, !=, a.csrf);
	g_assert_true(bs_serve__session_create(ss, SESS_ANON, &b));
	g_assert_false(bs_serve__session_create(ss, SESS_ANON, &c)); /* table full */
	g_strlcpy(old_id, a.id, sizeof old_id);
	a.kind = SESS_RESIDENT;
	bs_serve__session_put(ss, &a);
	g_assert_true(bs_serve__session_rotate(ss, &a));
	g_assert_cmpstr(a.id, !=, old_id);
	g_assert_false(bs_serve__session_get(ss, old_id, &got)); /* no fixation */
	g_assert_true(bs_serve__session_get(ss, a.id, &got));
	g_assert_cmpint(got.kind, ==, SESS_RESIDENT);
	g_assert_cmpstr(got.tag, ==, a.tag);
	g_usleep(G_USEC_PER_SEC / 10);
	g_assert_false(bs_serve__session_get(ss, a.id, &got)); /* idle expiry */
	g_assert_false(bs_serve__session_get(ss, "short", &got));
	bs_serve__sessions_free(ss);
}

static char *
first_text_dup(const char *db_path, const char *sql)
{
	g_autoptr(GError) error = NULL;
	sqlite3 *db = bs_serve__db_open(db_path, &error);
	sqlite3_stmt *st = NULL;
	char *text = NULL;

	g_assert_no_error(error);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==, SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		text = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return text;
}

/* Two session tables on one database stand for two serve processes: what
 * one stores, the other reads, every field of it; a log-out on one ends it
 * on both; the database never holds the id itself. */
static void
test_sessions_shared_between_processes(fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	bs_sessions *one = bs_serve__sessions_new(f->db_path, 1, 60 * G_USEC_PER_SEC,
	                                          600 * G_USEC_PER_SEC, 100, &error);
	bs_sessions *two = bs_serve__sessions_new(f->db_path, 1, 60 * G_USEC_PER_SEC,
	                                          600 * G_USEC_PER_SEC, 100, &error);
	g_autofree char *stored = NULL;
	bs_session s, got;

	g_assert_no_error(error);
	g_assert_true(bs_serve__session_create(one, SESS_ANON, &s));
	s.admin_area = true;
	bs_serve__random_hex(s.oidc_state, 32);
	bs_serve__random_hex(s.oidc_nonce, 32);
	bs_serve__random_hex(s.oidc_verifier, 32);
	s.oidc_started_us = 12345;
	s.code_id = 77;
	memset(s.code_pseudonym, 0xab, 32);
	g_strlcpy(s.admin_user, "oidc:dpo-1", sizeof s.admin_user);
	bs_serve__session_put(one, &s);
	g_assert_true(bs_serve__session_get(two, s.id, &got));
	g_assert_cmpstr(got.tag, ==, s.tag);
	g_assert_cmpstr(got.csrf, ==, s.csrf);
	g_assert_true(got.admin_area);
	g_assert_cmpstr(got.oidc_state, ==, s.oidc_state);
	g_assert_cmpstr(got.oidc_nonce, ==, s.oidc_nonce);
	g_assert_cmpstr(got.oidc_verifier, ==, s.oidc_verifier);
	g_assert_cmpint(got.oidc_started_us, ==, 12345);
	g_assert_cmpint(got.code_id, ==, 77);
	g_assert_cmpmem(got.code_pseudonym, 32, s.code_pseudonym, 32);
	g_assert_cmpstr(got.admin_user, ==, "oidc:dpo-1");
	g_assert_cmpint(got.created_us, ==, s.created_us);
	got.kind = SESS_ADMIN;
	g_assert_true(bs_serve__session_rotate(two, &got));
	g_assert_false(bs_serve__session_get(one, s.id, &s)); /* the old id is gone everywhere */
	g_assert_true(bs_serve__session_get(one, got.id, &s));
	g_assert_cmpint(s.kind, ==, SESS_ADMIN);
	stored = first_text_dup(f->db_path, "SELECT lower(hex(id_hash)) FROM web_session");
	g_assert_nonnull(stored);
	g_assert_cmpstr(stored, !=, got.id);
	bs_serve__session_drop(one, got.id);
	g_assert_false(bs_serve__session_get(two, got.id, &s));
	bs_serve__sessions_free(one);
	bs_serve__sessions_free(two);
}

/* The desk's high-risk list is made once and then served from the cache:
 * the second page gets the very same list, of the same time. */
static void
test_risk_cache_made_once(fixture *f, gconstpointer data)
{
	bs_risk_cache *c = bs_serve__risk_cache_new(f->db_path);
	int64_t at1 = 0, at2 = 0;
	bool failed = true;
	GPtrArray *one = bs_serve__risk_get(c, &at1, &failed);
	GPtrArray *two = bs_serve__risk_get(c, &at2, &failed);

	g_assert_nonnull(one);
	g_assert_false(failed);
	g_assert_cmpuint(one->len, ==, 0); /* an empty index: nobody at risk */
	g_assert_true(one == two);
	g_assert_cmpint(at1, ==, at2);
	g_assert_cmpint(at1, >, 0);
	g_ptr_array_unref(one);
	g_ptr_array_unref(two);
	bs_serve__risk_cache_free(c);
}

static const struct admin_case {
	const char *claims;
	bool allowed;
} admin_cases[] = {
    {"{\"sub\":\"dpo-1\"}", true},                                      /* listed subject */
    {"{\"sub\":\"dpo-10\"}", false},                                    /* not a prefix match */
    {"{\"sub\":\"clerk\"}", false},                                     /* neither */
    {"{\"sub\":\"clerk\",\"groups\":[\"staff\",\"dataskydd\"]}", true}, /* group */
    {"{\"sub\":\"clerk\",\"groups\":\"dataskydd\"}", true},             /* one group as string */
    {"{\"sub\":\"clerk\",\"groups\":[\"staff\"]}", false},
    {"{\"sub\":\"clerk\",\"groups\":[\"Dataskydd\"]}", false},      /* exact, case and all */
    {"{\"sub\":\"clerk\",\"groups\":{\"dataskydd\":true}}", false}, /* odd shape */
    {"{\"sub\":\"clerk\",\"roles\":[\"dataskydd\"]}", false},       /* another claim */
    {"{\"groups\":[\"dataskydd\"]}", false},                        /* no subject */
    {"{\"sub\":\"\",\"groups\":[\"dataskydd\"]}", false},
};

static void
test_admin_oidc_allow_list(void)
{
	char *subjects[] = {"dpo-1", "dpo-2", NULL};
	char *groups[] = {"dataskydd", NULL};
	char *empty[] = {NULL};
	bs_serve_settings cfg = {.oidc_admin_subjects = subjects,
	                         .oidc_admin_group_claim = "groups",
	                         .oidc_admin_groups = groups};

	for (size_t i = 0; i < G_N_ELEMENTS(admin_cases); i++) {
		json_t *claims = json_loads(admin_cases[i].claims, 0, NULL);

		g_test_message("row %zu: %s", i, admin_cases[i].claims);
		g_assert_nonnull(claims);
		g_assert_true(bs_serve__admin_claims_allowed(&cfg, claims) ==
		              admin_cases[i].allowed);
		json_decref(claims);
	}
	/* Empty lists let nobody in, whatever the token says. */
	cfg.oidc_admin_subjects = empty;
	cfg.oidc_admin_groups = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(admin_cases); i++) {
		json_t *claims = json_loads(admin_cases[i].claims, 0, NULL);

		g_assert_false(bs_serve__admin_claims_allowed(&cfg, claims));
		json_decref(claims);
	}
}

static void
test_i18n_both_languages(void)
{
	g_assert_cmpstr(T(LANG_SV, "grade.accessed"), ==, "öppnat av angriparen");
	g_assert_cmpstr(T(LANG_EN, "grade.accessed"), ==, "opened by the attacker");
	g_assert_cmpstr(T(LANG_SV, "grade.window"), ==, "i en brevlåda angriparen kunde läsa");
	g_assert_cmpstr(T(LANG_EN, "grade.window"), ==, "in a mailbox the attacker could read");
	g_assert_cmpstr(T(LANG_EN, "no.such.key"), ==, "no.such.key");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(sodium_init() >= 0);
	g_test_add_func("/serve/jwt/verify-table", test_jwt_verify_table);
	g_test_add_func("/serve/jwt/garbage-is-refused", test_jwt_garbage_is_refused);
	g_test_add("/serve/audit/chain-intact", fixture, NULL, fixture_setup,
	           test_audit_chain_intact, fixture_teardown);
	g_test_add("/serve/audit/tamper-names-first-broken-entry", fixture, NULL, fixture_setup,
	           test_audit_tamper_names_first_broken_entry, fixture_teardown);
	g_test_add("/serve/audit/refuses-update-and-delete", fixture, NULL, fixture_setup,
	           test_audit_refuses_update_and_delete, fixture_teardown);
	g_test_add("/serve/code/single-use-attempts-expiry", fixture, NULL, fixture_setup,
	           test_code_single_use_attempts_expiry, fixture_teardown);
	g_test_add("/serve/apikey/add-check-revoke", fixture, NULL, fixture_setup,
	           test_apikey_add_check_revoke, fixture_teardown);
	g_test_add("/serve/case/open-close-list", fixture, NULL, fixture_setup,
	           test_case_open_close_list, fixture_teardown);
	g_test_add("/serve/admin/password-argon2id", fixture, NULL, fixture_setup,
	           test_admin_password_argon2id, fixture_teardown);
	g_test_add_func("/serve/ratelimit/burst-then-retry-after",
	                test_ratelimit_burst_then_retry_after);
	g_test_add_func("/serve/form/parse-table", test_form_parse_table);
	g_test_add("/serve/session/rotate-and-expire", fixture, NULL, fixture_setup,
	           test_sessions_rotate_and_expire, fixture_teardown);
	g_test_add("/serve/session/shared-between-processes", fixture, NULL, fixture_setup,
	           test_sessions_shared_between_processes, fixture_teardown);
	g_test_add_func("/serve/admin/oidc-allow-list", test_admin_oidc_allow_list);
	g_test_add("/serve/admin/high-risk-list-made-once", fixture, NULL, fixture_setup,
	           test_risk_cache_made_once, fixture_teardown);
	g_test_add_func("/serve/i18n/both-languages", test_i18n_both_languages);
	return g_test_run();
}
