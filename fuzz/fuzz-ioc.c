/* Fuzz target: the IOC file parser, and matching with whatever it accepts
 * (regexes from the input run against a fixed synthetic message). */
#include <stdint.h>

#include "hunt/hunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] =
    "From: \"IT\" <it@mail.evil.test>\nSubject: =?UTF-8?Q?l=C3=B6senord?=\n"
    "Message-ID: <c7@x.test>\nContent-Type: text/html\n\n"
    "<a href=\"https://login.evil.test/reset?a=1&amp;b=2\">x</a> http://b.link.test/\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bs_ioc *ioc;
	GError *error = NULL;

	if (size > 65536)
		return 0;
	ioc = bs_ioc_parse("fuzz.json", (const char *)data, size, &error);
	if (ioc) {
		bs_ioc_result r;

		bs_ioc_match(ioc, message, sizeof message - 1, &r);
		bs_ioc_result_fini(&r);
		bs_ioc_free(ioc);
	}
	g_clear_error(&error);
	return 0;
}
