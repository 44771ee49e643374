/* The detector: every pattern compiled once into one streaming database. */
#include "detect/detect.h"

#include <string.h>

#include "detect/internal.h"

static const char *const confidence_names[] = {
    [BS_CONF_LOW] = "low",
    [BS_CONF_MEDIUM] = "medium",
    [BS_CONF_HIGH] = "high",
};

const char *
bs_confidence_name(bs_confidence c)
{
	if (c < BS_CONF_LOW || c > BS_CONF_HIGH)
		return NULL;
	return confidence_names[c];
}

bool
bs_confidence_from_name(const char *name, bs_confidence *out_c)
{
	for (int c = BS_CONF_LOW; c <= BS_CONF_HIGH; c++) {
		if (name && strcmp(name, confidence_names[c]) == 0) {
			*out_c = (bs_confidence)c;
			return true;
		}
	}
	return false;
}

/* In bit order; the strings are part of the output contract. */
static const char *const reason_names[] = {
    "checksum",         "context:+",    "context:-", "format:phone", "format:long",
    "format:separator", "format:space", "category",  "header",       "test-number",
};

const char *
bs_reason_name(bs_reason bit)
{
	for (size_t i = 0; i < G_N_ELEMENTS(reason_names); i++)
		if ((unsigned)bit == 1u << i)
			return reason_names[i];
	return NULL;
}

size_t
bs_reason_count(void)
{
	return G_N_ELEMENTS(reason_names);
}

void
bs_detector_free(bs_detector *d)
{
	if (!d)
		return;
	hs_free_database(d->db);
	if (d->exprs)
		g_ptr_array_free(d->exprs, TRUE);
	if (d->flags)
		g_array_free(d->flags, TRUE);
	if (d->patterns)
		g_array_free(d->patterns, TRUE);
	if (d->groups)
		g_array_free(d->groups, TRUE);
	if (d->members)
		g_array_free(d->members, TRUE);
	if (d->id_info)
		g_array_free(d->id_info, TRUE);
	if (d->words)
		g_array_free(d->words, TRUE);
	if (d->word_bytes)
		g_byte_array_free(d->word_bytes, TRUE);
	if (d->categories)
		g_ptr_array_free(d->categories, TRUE);
	g_free(d);
}

static bool
compile(bs_detector *d, GError **error)
{
	g_autofree unsigned *ids = g_new(unsigned, d->exprs->len);
	hs_compile_error_t *cerr = NULL;

	for (unsigned i = 0; i < d->exprs->len; i++)
		ids[i] = i;
	if (hs_compile_multi((const char *const *)d->exprs->pdata, (unsigned *)d->flags->data, ids,
	                     d->exprs->len, HS_MODE_STREAM, NULL, &d->db, &cerr) == HS_SUCCESS)
		return true;
	g_set_error(error, BS_ERROR, BS_ERROR_INTERNAL, "detect: pattern %d does not compile: %s",
	            cerr ? cerr->expression : -1, cerr ? cerr->message : "unknown error");
	hs_free_compile_error(cerr);
	return false;
}

bs_detector *
bs_detector_new(const bs_detect_config *cfg, GError **error)
{
	static const bs_detect_config none = {0};
	g_autoptr(bs_detector) d = g_new0(bs_detector, 1);

	d->exprs = g_ptr_array_new_with_free_func(g_free);
	d->flags = g_array_new(FALSE, FALSE, sizeof(unsigned));
	d->patterns = g_array_new(FALSE, FALSE, sizeof(bs_pattern));
	d->groups = g_array_new(FALSE, FALSE, sizeof(bs_group));
	d->members = g_array_new(FALSE, FALSE, sizeof(bs_member));
	d->id_info = g_array_new(FALSE, FALSE, sizeof(bs_id_info));
	d->words = g_array_new(FALSE, FALSE, sizeof(bs_word));
	d->word_bytes = g_byte_array_new();
	d->categories = g_ptr_array_new_with_free_func(g_free);
	d->simd = bs_detect__simd_pick();
	d->all_ends = g_strcmp0(g_getenv("BS_DETECT_ENDS"), "all") == 0;
	bs_detect__add_builtin(d);
	if (!bs_detect__load_terms(d, cfg ? cfg : &none, error))
		return NULL;
	bs_detect__build_keys(d);
	if (!compile(d, error))
		return NULL;
	return g_steal_pointer(&d);
}

size_t
bs_detector_category_count(const bs_detector *d)
{
	return d->categories->len;
}

const char *
bs_detector_category_name(const bs_detector *d, size_t i)
{
	return i < d->categories->len ? g_ptr_array_index(d->categories, i) : NULL;
}

size_t
bs_detector_patterns(const bs_detector *d, const char *const **out_exprs,
                     const unsigned **out_flags)
{
	*out_exprs = (const char *const *)d->exprs->pdata;
	*out_flags = (const unsigned *)d->flags->data;
	return d->exprs->len;
}
