/* Fuzzes the scope loader and grading: any bytes must give a scope or an
 * error with a place, never a crash. */
#include <stdint.h>

#include "base/base.h"
#include "scope/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	bs_scope *scope = NULL;

	if (size > 1024 * 1024)
		return 0;
	if (!bs_scope_load_data("fuzz.json", (const char *)data, size, &scope, &error)) {
		g_clear_error(&error);
		return 0;
	}
	for (size_t i = 0; i < bs_scope_account_count(scope); i++) {
		const char *name = bs_scope_account_name(scope, i);
		const char *const *m = bs_scope_mailboxes_for(scope, name);

		bs_scope_grade(scope, name, "<a@b>", 0, "\\Inkorgen");
		bs_scope_grade(scope, name, NULL, BS_SCOPE_DATE_UNKNOWN, NULL);
		if (m && m[0])
			bs_scope_grade(scope, m[0], "x", INT64_MAX - 1, "INBOX");
	}
	bs_scope_free(scope);
	return 0;
}
