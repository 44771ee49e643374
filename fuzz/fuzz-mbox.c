/* Fuzz the mbox splitter over a memory buffer. The first byte picks the
 * chunk size and the message cap, so chunk boundaries and the too-large
 * path are explored too. Checks: raw offsets grow, data fits the cap.
 * The first line also goes through the Maildir++ folder-name decoder
 * (modified UTF-7), whose output must be valid UTF-8. */
#include <string.h>
#include <stdint.h>
#include <stdlib.h>

#include "source/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	size_t max;
	uint64_t last_end;
	size_t count;
};

static void
check(bs_source_msg *m, void *user)
{
	struct state *st = user;

	if (m->len > st->max || (m->status == BS_SOURCE_TOO_LARGE && m->data))
		abort();
	st->last_end += m->raw_bytes;
	st->count++;
	bs_source_msg_free(m);
}

static void
check_folder_name(const char *p, size_t size)
{
	const char *nl = memchr(p, '\n', size);
	char *name = bs_source_mutf7_decode_dup(p, nl ? (size_t)(nl - p) : size);

	if (name && !g_utf8_validate(name, -1, NULL))
		abort();
	g_free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st = {0};
	bs_mbox_split *sp;
	size_t chunk;

	if (size < 1 || size > (1u << 20))
		return 0;
	chunk = 1 + (data[0] & 0x1f);
	st.max = (data[0] & 0x80) ? 64 : (1u << 20);
	data++;
	size--;
	check_folder_name((const char *)data, size);
	sp = bs_mbox_split_new(st.max, check, &st);
	for (size_t i = 0; i < size; i += chunk)
		bs_mbox_split_feed(sp, (const char *)data + i, MIN(chunk, size - i));
	bs_mbox_split_end(sp);
	bs_mbox_split_free(sp);
	/* Every byte belongs to exactly one message. */
	if (st.last_end != size)
		abort();
	return 0;
}
