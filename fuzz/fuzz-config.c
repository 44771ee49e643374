/* Fuzzes the workspace config parser: any bytes give a config or an error
 * naming file, group and key, never a crash; an accepted config written out
 * again reads back to the same text. */
#include <stdint.h>

#include "base/base.h"
#include "base/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(bs_config) cfg = bs_config_new();
	g_autoptr(bs_config) back = bs_config_new();
	g_autofree char *text = NULL, *again = NULL;
	GError *error = NULL;
	size_t len = 0;

	if (size > BS_LIMIT_CONFIG_BYTES)
		return 0;
	if (!bs_config_load_data(cfg, "fuzz.conf", (const char *)data, size, &error)) {
		g_assert(g_str_has_prefix(error->message, "fuzz.conf: "));
		g_clear_error(&error);
		return 0;
	}
	text = bs_config_to_data(cfg, &len);
	if (!bs_config_load_data(back, "written", text, len, &error))
		g_error("written config does not read back: %s", error->message);
	again = bs_config_to_data(back, NULL);
	g_assert(strcmp(text, again) == 0);
	return 0;
}
