#include "fsutil.h"

#include <glib.h>
#include <glib/gstdio.h>

void
test_rm_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			test_rm_tree(p);
		else
			g_unlink(p);
	}
	g_rmdir(dir);
}
