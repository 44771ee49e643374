/* E-mail candidates: each '@' after a local-part character starts a run
 * of domain characters; at the end of the run the ends the old
 * expression [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}
 * reported are recognised from the bytes. Not a Vectorscan expression:
 * that one, in a database without the digit shapes, missed addresses at
 * some offsets (Vectorscan 5.4.9 with AVX-512; a literal '@' alone is
 * found at every offset, and memchr finds it faster still). */
#include "detect/internal.h"

#include <string.h>

/* Follows the open domain run from p[i]; records its end when it ends in
 * the piece. Returns the offset after the run (len if it goes on). */
static size_t
domain_run(bs_detect_run *r, const char *p, size_t len, size_t i, uint32_t *out, size_t *count)
{
	size_t start = i;

	while (i < len && bs_detect__is_domain_char((unsigned char)p[i]))
		i++;
	r->mail_len += i - start;
	if (i == len)
		return len;
	if (r->mail_len >= BS_DETECT_DOMAIN_MIN && r->mail_len <= BS_DETECT_DOMAIN_MAX)
		out[(*count)++] = (uint32_t)i;
	r->mail_open = false;
	return i;
}

size_t
bs_detect__mail_ends(bs_detect_run *r, const char *p, size_t len, uint32_t *out)
{
	size_t count = 0;
	size_t i = r->mail_open ? domain_run(r, p, len, 0, out, &count) : 0;

	while (i < len) {
		const char *a = memchr(p + i, '@', len - i);
		size_t at;
		int before;

		if (!a)
			break;
		at = (size_t)(a - p);
		before = at > 0 ? (unsigned char)p[at - 1] : bs_detect__byte(r, r->chunk_off - 1);
		i = at + 1;
		if (!bs_detect__is_local_char(before))
			continue;
		r->mail_open = true;
		r->mail_len = 0;
		i = domain_run(r, p, len, i, out, &count);
	}
	return count;
}

static bool
is_label_char(int b)
{
	return g_ascii_isalnum(b) || b == '-';
}

/* The expression ends at q in the domain d[0..q): labels of
 * [A-Za-z0-9-] separated by single dots, the last one 2 to 24 letters. */
static bool
expression_ends_at(const char *d, size_t q)
{
	size_t tld = 0;
	bool label = false;

	while (tld < q && g_ascii_isalpha(d[q - 1 - tld]))
		tld++;
	if (tld < 2 || tld > 24 || tld + 2 > q || d[q - 1 - tld] != '.')
		return false;
	for (size_t i = 0; i < q - 1 - tld; i++) {
		if (d[i] == '.' && !label)
			return false;
		label = d[i] != '.' && is_label_char(d[i]);
	}
	return label;
}

/* end: the first byte after the domain run of an '@'. Each end the
 * expression has inside the run and that is not followed by more of the
 * domain is a candidate (recover_email() checks the same). */
void
bs_detect__email(bs_detect_run *r, uint64_t end)
{
	char buf[BS_DETECT_DOMAIN_MAX + 1];
	uint64_t from = end;
	const char *d;
	size_t len;

	while (from > 0 && end - from < BS_DETECT_DOMAIN_MAX &&
	       bs_detect__is_domain_char(bs_detect__byte(r, from - 1)))
		from--;
	len = (size_t)(end - from);
	if (from == 0 || bs_detect__byte(r, from - 1) != '@' || len < BS_DETECT_DOMAIN_MIN ||
	    !(d = bs_detect__span(r, from, len, buf)))
		return;
	for (size_t q = BS_DETECT_DOMAIN_MIN; q <= len; q++) {
		if (q < len && (d[q] != '.' || (q + 1 < len && g_ascii_isalnum(d[q + 1]))))
			continue;
		if (expression_ends_at(d, q))
			bs_detect__candidate(r, BS_CAND_EMAIL, from + q);
	}
}
