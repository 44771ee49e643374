/* Fuzz harness for detect. The first two bytes pick a split position, the
 * third a small chunk size; the rest is the text. The text is scanned
 * whole, split in two at that position, and in chunks of that size: the
 * three must give the same findings and category counts, and every finding
 * must lie inside the text with a valid confidence. A second detector
 * pinned to SSE2 (BS_DETECT_SIMD) that decides every digit-run end
 * (BS_DETECT_ENDS=all) must agree with the CPU's best, which leaves out
 * the ends no shape can end at in blocks full of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few terms with Swedish letters and a phrase; each detector is built
 * once (it is read-only) and reused by every input. sse2: pinned to the
 * SSE2 pass over digits, every run end decided. */
static const char terms[] = "sjuk\nångest\nskyddad identitet\nÖL\nlvu\n";

static bs_detector *
detector(bool sse2)
{
	static bs_detector *ds[2];
	bs_detector *d = ds[sse2];
	g_autofree char *path = NULL;
	const char *files[2] = {NULL, NULL};
	bs_detect_config cfg = {.term_files = files};
	int fd;

	if (d)
		return d;
	fd = g_file_open_tmp("fuzz-detect-XXXXXX.txt", &path, NULL);
	if (fd < 0 || !g_file_set_contents(path, terms, -1, NULL))
		abort();
	close(fd);
	files[0] = path;
	if (sse2) {
		g_setenv("BS_DETECT_SIMD", "sse2", TRUE);
		g_setenv("BS_DETECT_ENDS", "all", TRUE);
	}
	d = ds[sse2] = bs_detector_new(&cfg, NULL);
	g_unsetenv("BS_DETECT_SIMD");
	g_unsetenv("BS_DETECT_ENDS");
	unlink(path);
	if (!d)
		abort();
	return d;
}

static void
record(const bs_finding *f, void *user)
{
	GString *out = user;

	if (f->end <= f->start || f->confidence < BS_CONF_LOW || f->confidence > BS_CONF_HIGH ||
	    !(f->reasons & BS_REASON_VALID) || !f->id.valid)
		abort();
	g_string_append_printf(out, "%d %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %d %u\n",
	                       f->id.kind, f->id.canonical, f->start, f->end, f->confidence,
	                       f->reasons);
}

static char *
scan(bs_detect_run *r, const char *p, size_t len, size_t split, size_t chunk)
{
	GString *out = g_string_new(NULL);
	const uint32_t *counts;
	GDate ref;

	g_date_clear(&ref, 1);
	g_date_set_dmy(&ref, 1, 5, 2024);
	bs_detect_run_begin(r, &ref, record, out);
	if (chunk) {
		for (size_t off = 0; off < len; off += chunk)
			bs_detect_run_feed(r, p + off, MIN(chunk, len - off));
	} else {
		bs_detect_run_feed(r, p, split);
		bs_detect_run_feed(r, p + split, len - split);
	}
	bs_detect_run_end(r);
	counts = bs_detect_run_category_counts(r);
	for (size_t i = 0; i < bs_detector_category_count(detector(false)); i++)
		g_string_append_printf(out, "c%zu=%u\n", i, counts[i]);
	return g_string_free(out, FALSE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bs_detect_run *r, *r2;
	size_t split, chunk, len;
	const char *p;
	char *whole, *two, *small, *sse2;

	if (size < 3 || size > 65536)
		return 0;
	p = (const char *)data + 3;
	len = size - 3;
	split = ((size_t)data[0] << 8 | data[1]) % (len + 1);
	chunk = data[2] % 16 + 1;
	r = bs_detect_run_new(detector(false), NULL);
	r2 = bs_detect_run_new(detector(true), NULL);
	if (!r || !r2)
		abort();
	whole = scan(r, p, len, len, 0);
	two = scan(r, p, len, split, 0);
	small = scan(r, p, len, 0, chunk);
	sse2 = scan(r2, p, len, split, 0);
	if (strcmp(whole, two) != 0 || strcmp(whole, small) != 0 || strcmp(whole, sse2) != 0)
		abort();
	g_free(whole);
	g_free(two);
	g_free(small);
	g_free(sse2);
	bs_detect_run_free(r);
	bs_detect_run_free(r2);
	return 0;
}
