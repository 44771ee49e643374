/* Read access to an account's spans, for the breach report's timeline. */
#include "scope/scope.h"

#include "scope/internal.h"

size_t
bs_scope_account_spans(const bs_scope *scope, size_t i, bs_scope_span *out, size_t max)
{
	const bs_scope__account *a;

	if (!scope || i >= scope->accounts->len)
		return 0;
	a = scope->accounts->pdata[i];
	for (guint j = 0; j < a->spans->len && j < max; j++) {
		const bs_scope__span *sp = &g_array_index(a->spans, bs_scope__span, j);

		out[j].from_us = sp->from_us;
		out[j].to_us = sp->to_us;
	}
	return a->spans->len;
}
