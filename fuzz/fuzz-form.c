/* Fuzzes the e-service's form parser: any bytes give a table or NULL,
 * never a crash, and never more fields than the limit. */
#include <stdint.h>

#include "base/base.h"
#include "serve/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GHashTable *t;

	if (size > BS_LIMIT_HTTP_BODY)
		return 0;
	t = bs_serve__form_parse((const char *)data, size, BS_LIMIT_FORM_FIELDS);
	if (t) {
		g_assert(g_hash_table_size(t) <= BS_LIMIT_FORM_FIELDS);
		g_hash_table_unref(t);
	}
	return 0;
}
