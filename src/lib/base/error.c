#include "base/base.h"

G_DEFINE_QUARK(bs - error - quark, bs_error)

/* The one table of error codes: name and exit status. */
static const struct {
	int code;
	const char *name;
	int exit_status;
} error_table[] = {
    {BS_ERROR_USAGE, "usage", BS_EXIT_FATAL},
    {BS_ERROR_IO, "io", BS_EXIT_FATAL},
    {BS_ERROR_PARSE, "parse", BS_EXIT_FATAL},
    {BS_ERROR_LIMIT, "limit", BS_EXIT_FATAL},
    {BS_ERROR_CONFIG, "config", BS_EXIT_FATAL},
    {BS_ERROR_WORKSPACE, "workspace", BS_EXIT_FATAL},
    {BS_ERROR_STORE, "store", BS_EXIT_FATAL},
    {BS_ERROR_CRYPTO, "crypto", BS_EXIT_FATAL},
    {BS_ERROR_NOT_FOUND, "not-found", BS_EXIT_FATAL},
    {BS_ERROR_PARTIAL, "partial", BS_EXIT_FINDINGS},
    {BS_ERROR_INTERNAL, "internal", BS_EXIT_FATAL},
};

const char *
bs_error_name(int code)
{
	for (size_t i = 0; i < G_N_ELEMENTS(error_table); i++)
		if (error_table[i].code == code)
			return error_table[i].name;
	return "unknown";
}

int
bs_error_exit_status(int code)
{
	for (size_t i = 0; i < G_N_ELEMENTS(error_table); i++)
		if (error_table[i].code == code)
			return error_table[i].exit_status;
	return BS_EXIT_FATAL;
}
