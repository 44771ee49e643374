/* Runs every file of the given corpus directories through the harness,
 * as an ordinary test when libFuzzer is not linked. */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	int n = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open \"%s\"\n", dir);
		return -1;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		gsize len = 0;

		if (!g_file_get_contents(path, &data, &len, NULL))
			continue;
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		n++;
	}
	return n;
}

int
main(int argc, char **argv)
{
	int total = 0;

	for (int i = 1; i < argc; i++) {
		int n = replay_dir(argv[i]);

		if (n < 0)
			return 1;
		total += n;
	}
	printf("replayed %d inputs\n", total);
	return total > 0 ? 0 : 1;
}
