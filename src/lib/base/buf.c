#include "base/base.h"

void
bs_buf_init(bs_buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void
bs_buf_fini(bs_buf *b)
{
	if (!b)
		return;
	g_free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void
bs_buf_reset(bs_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static bool
reserve(bs_buf *b, size_t extra)
{
	size_t want;

	if (extra > b->cap - b->len)
		return false;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return true;
	b->alloc = MAX(want, MAX(b->alloc * 2, 64));
	b->data = g_realloc(b->data, b->alloc);
	return true;
}

bool
bs_buf_append(bs_buf *b, const void *p, size_t len)
{
	if (!reserve(b, len))
		return false;
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return true;
}

bool
bs_buf_append_c(bs_buf *b, char c)
{
	return bs_buf_append(b, &c, 1);
}

char *
bs_buf_steal(bs_buf *b, size_t *out_len)
{
	char *p = b->data ? b->data : g_strdup("");

	if (out_len)
		*out_len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}
