/* bench-mail: throughput of the message walk over every file of a
 * directory tree (a Maildir or .eml tree, e.g. from tools/gen-mailboxes.py),
 * loaded into memory first so only parsing and decoding are timed.
 *
 * Peer, in the same run: plain GMime 3 parse + decode of every leaf part to
 * UTF-8 (g_mime_text_part_get_text for text parts, the decoded stream for
 * the others) — the "parse + decode" row of performance.md. Runs: the walk
 * without extractors, the walk with extractors (PDF, DOCX, zip, ...).
 * Prints medians of RUNS (MB per CPU second of the thread) and the ratios
 * to the peer.
 *
 * usage: bench-mail DIR [RUNS] */
#include <stdio.h>
#include <time.h>

#include <gmime/gmime.h>

#include "extract/extract.h"

typedef struct {
	GPtrArray *data; /* GBytes of each message */
	uint64_t bytes;
} corpus;

static void
load_tree(corpus *c, const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		char *data = NULL;
		gsize len = 0;

		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			load_tree(c, path);
		} else if (g_file_get_contents(path, &data, &len, NULL)) {
			g_ptr_array_add(c->data, g_bytes_new_take(data, len));
			c->bytes += len;
		}
	}
}

static void
peer_part(GMimeObject *parent, GMimeObject *part, gpointer user)
{
	uint64_t *sink = user;

	if (GMIME_IS_TEXT_PART(part)) {
		g_autofree char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));

		*sink += text ? strlen(text) : 0;
	} else if (GMIME_IS_PART(part)) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(part));
		GMimeStream *out = g_mime_stream_mem_new();

		if (w)
			*sink += (uint64_t)MAX(g_mime_data_wrapper_write_to_stream(w, out), 0);
		g_object_unref(out);
	}
}

static uint64_t
run_peer(GBytes *msg)
{
	gsize len;
	const char *data = g_bytes_get_data(msg, &len);
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	uint64_t sink = 0;

	if (m) {
		g_mime_message_foreach(m, peer_part, &sink);
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(s);
	return sink;
}

static void
count_segment(const bs_segment *seg, void *user)
{
	*(uint64_t *)user += seg->len;
}

/* CPU seconds of this thread: the machine is shared, and wall time on a
 * loaded machine measures the neighbours. */
static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
time_pass(corpus *c, const bs_mail_limits *lim, uint64_t *out_sink)
{
	bs_mail_info info;
	double start = cpu_seconds();

	bs_mail_info_init(&info);
	*out_sink = 0;
	for (guint i = 0; i < c->data->len; i++) {
		gsize len;
		const char *data = g_bytes_get_data(c->data->pdata[i], &len);

		if (lim)
			bs_mail_walk(data, len, lim, count_segment, out_sink, &info, NULL);
		else
			*out_sink += run_peer(c->data->pdata[i]);
	}
	bs_mail_info_fini(&info);
	return cpu_seconds() - start;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median_mbps(corpus *c, const bs_mail_limits *lim, int runs, uint64_t *out_sink)
{
	double secs[32];

	for (int i = 0; i < runs; i++)
		secs[i] = time_pass(c, lim, out_sink);
	qsort(secs, (size_t)runs, sizeof(double), compare_double);
	return (double)c->bytes / 1e6 / secs[runs / 2];
}

int
main(int argc, char **argv)
{
	corpus c = {g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref), 0};
	int runs = argc > 2 ? (int)g_ascii_strtoll(argv[2], NULL, 10) : 5;
	bs_mail_limits plain, full;
	uint64_t peer_text, plain_text, full_text;
	double peer, walk_plain, walk_full;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-mail DIR [RUNS]\n");
		return 2;
	}
	runs = CLAMP(runs, 1, 31);
	g_mime_init();
	load_tree(&c, argv[1]);
	if (c.data->len == 0) {
		fprintf(stderr, "bench-mail: no files under \"%s\"\n", argv[1]);
		return 2;
	}
	bs_mail_limits_init(&plain);
	bs_extract_limits_init(&full);
	peer = median_mbps(&c, NULL, runs, &peer_text);
	walk_plain = median_mbps(&c, &plain, runs, &plain_text);
	walk_full = median_mbps(&c, &full, runs, &full_text);
	printf("corpus: %u messages, %.1f MB, median of %d runs, 1 thread, MB per CPU second\n",
	       c.data->len, (double)c.bytes / 1e6, runs);
	printf("peer  gmime parse+decode all parts: %7.1f MB/s (%.1f MB out)\n", peer,
	       (double)peer_text / 1e6);
	printf("walk  without extractors:           %7.1f MB/s (%.1f MB text) ratio %.2f\n",
	       walk_plain, (double)plain_text / 1e6, walk_plain / peer);
	printf("walk  with extractors:              %7.1f MB/s (%.1f MB text) ratio %.2f\n",
	       walk_full, (double)full_text / 1e6, walk_full / peer);
	g_ptr_array_unref(c.data);
	return 0;
}
