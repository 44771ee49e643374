/* Fuzzes the JSON side of signins: the record cutter, jansson on each
 * record, the sign-in and audit decoders, rules and the whole decision,
 * down to the scope and summary writers. The first byte picks sign-in (even)
 * or audit (odd) and the chunk size the reader is fed in. */
#include <stdint.h>

#include "base/json.h"
#include "signins/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where jansson reads the bytes as an object, the fast path, when it takes
 * them, must decode exactly what the general path decodes. */
static void
fast_agrees(const char *text, size_t len)
{
	bs_signins__event a = {0}, b = {0};
	bs_signins__fast_buf buf;
	const char *reason = NULL;
	json_t *rec;

	if (!bs_signins__fast_signin(text, len, &a, &buf))
		return;
	rec = json_loadb(text, len, 0, NULL);
	if (json_is_object(rec)) {
		if (!bs_signins__decode_signin_json(rec, &b, &reason) || a.time_us != b.time_us ||
		    strcmp(a.account, b.account) || strcmp(a.ip, b.ip) || a.success != b.success ||
		    g_strcmp0(a.country, b.country) || g_strcmp0(a.client_app, b.client_app) ||
		    g_strcmp0(a.session, b.session) || g_strcmp0(a.id, b.id) ||
		    a.has_geo != b.has_geo || (a.has_geo && (a.lat != b.lat || a.lon != b.lon)))
			__builtin_trap();
	}
	json_decref(rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const home[] = {"SE", "NO", NULL};
	bs_signins_options opts = {.home_countries = home, .contained_at_us = 1700000000000000};
	bs_signins *s;
	bs_json *j;

	if (size < 1 || size > 256 * 1024)
		return 0;
	fast_agrees((const char *)data + 1, size - 1);
	s = bs_signins_new(&opts);
	bs_signins__add_data(s, "fuzz.json", (const char *)data + 1, size - 1, data[0] & 1);
	/* the same bytes as the other kind, so that both decoders meet the run */
	bs_signins__add_data(s, "fuzz2.json", (const char *)data + 1, size - 1, !(data[0] & 1));
	bs_signins_run(s, NULL, NULL, NULL);
	j = bs_json_new();
	bs_signins_write_scope(s, j);
	bs_signins_write_summary(s, j);
	bs_json_free(j);
	bs_signins_free(s);
	return 0;
}
