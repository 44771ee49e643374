/* Fills a workspace's index for bench/serve.sh: COUNT synthetic personnummer
 * (computed check digits, birth dates from 1940 on), one occurrence each,
 * spread over COUNT/10 messages, through the store API with the
 * workspace's own key; then writes LIST, one JSON request body per line for
 * wrk (three in four present, one in four absent).
 *
 * usage: bench-serve DIR COUNT LIST */
#include <stdio.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "store/store.h"

#define BATCH 20000

static int
luhn(const char *d, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = (d[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += v > 9 ? v - 9 : v;
	}
	return (10 - sum % 10) % 10;
}

/* The i-th synthetic personnummer, 12 digits: 900 serials a day. */
static void
pnr_of(uint64_t i, char out[13])
{
	GDate d;
	char ten[11];

	g_date_clear(&d, 1);
	g_date_set_dmy(&d, 1, 1, 1940);
	g_date_add_days(&d, (guint)(i / 900));
	g_snprintf(ten, sizeof ten, "%02d%02d%02d%03d", g_date_get_year(&d) % 100,
	           g_date_get_month(&d), g_date_get_day(&d), (int)(100 + i % 900));
	g_snprintf(out, 13, "%04d%.8s%d", g_date_get_year(&d), ten + 2, luhn(ten, 9));
}

static bool
fill(bs_workspace *ws, uint64_t count, GError **error)
{
	bs_store *s = bs_workspace_store(ws);
	const bs_key *key = bs_workspace_key(ws);
	bs_source_row src = {"bench/mailbox.mbox", "mbox", "bench@kommun.example", NULL, "done"};
	int64_t source_id = 0, msg_id = 0, subj_id = 0;
	uint64_t messages = count / 10 ? count / 10 : 1;

	if (!bs_store_begin(s, error) || !bs_store_source_upsert(s, &src, &source_id, error))
		return false;
	for (uint64_t i = 0; i < count; i++) {
		char pnr[13], loc[32], date[32];
		uint8_t p[BS_PSEUDONYM_LEN];

		pnr_of(i, pnr);
		if (i < messages) {
			bs_message_row m = {source_id,
			                    loc,
			                    NULL,
			                    date,
			                    "bench@kommun.example",
			                    "Inbox",
			                    i % 3 ? "window" : "accessed",
			                    "ok",
			                    NULL,
			                    2048};

			g_snprintf(loc, sizeof loc, "offset:%" G_GUINT64_FORMAT, i * 4096);
			g_snprintf(date, sizeof date, "2024-%02d-%02dT10:00:00Z", (int)(1 + i % 12),
			           (int)(1 + i % 28));
			if (!bs_store_message_put(s, &m, &msg_id, error))
				return false;
		}
		bs_pseudonym(key, "pnr", pnr, 12, p);
		if (!bs_store_subject_put(s, "pnr", p, NULL, &subj_id, NULL, error))
			return false;
		bs_occurrence_row o = {subj_id, 1 + (int64_t)(i % messages), "body", "high", false,
		                       1};
		if (!bs_store_occurrence_add(s, &o, error))
			return false;
		if ((i + 1) % BATCH == 0 &&
		    (!bs_store_commit(s, error) || !bs_store_begin(s, error)))
			return false;
	}
	return bs_store_commit(s, error);
}

static bool
write_list(const char *path, uint64_t count, GError **error)
{
	FILE *fp = fopen(path, "w");
	GRand *r = g_rand_new_with_seed(42);

	if (!fp) {
		g_set_error(error, BS_ERROR, BS_ERROR_IO, "cannot write \"%s\"", path);
		return false;
	}
	for (int n = 0; n < 20000; n++) {
		char pnr[13];
		/* one in four beyond the filled range: not in the index */
		uint64_t i =
		    (uint64_t)g_rand_int_range(r, 0, (gint32)MIN(count * 4 / 3, G_MAXINT32));

		pnr_of(i, pnr);
		fprintf(fp, "{\"pnr\":\"%s\"}\n", pnr);
	}
	g_rand_free(r);
	return fclose(fp) == 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_workspace) ws = NULL;
	uint64_t count = 0;
	int64_t t0;

	if (argc != 4 || !bs_parse_u64(argv[2], strlen(argv[2]), 100000000, &count) || !count) {
		fprintf(stderr, "usage: bench-serve DIR COUNT LIST\n");
		return 2;
	}
	ws = bs_workspace_open(argv[1], true, &error);
	t0 = g_get_monotonic_time();
	if (!ws || !fill(ws, count, &error) || !write_list(argv[3], count, &error)) {
		fprintf(stderr, "bench-serve: %s\n", error->message);
		return 2;
	}
	fprintf(stderr, "bench-serve: %" G_GUINT64_FORMAT " subjects in %.1f s\n", count,
	        (double)(g_get_monotonic_time() - t0) / 1e6);
	return 0;
}
