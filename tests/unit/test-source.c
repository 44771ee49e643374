/* Unit tests for source: the mbox splitter at every chunk size, Maildir
 * and .eml tree listings, format detection, the per-message size limit. */
#include "source/source.h"

#include <glib/gstdio.h>

/* Messages as the splitter hands them out, joined: "offset|status|data" per
 * message, separated by "\x1e" so that the expectation is one string. */
static void
collect(bs_source_msg *m, void *user)
{
	GString *out = user;

	g_string_append_printf(out, "%s|%d|%.*s\x1e", m->locator, (int)m->status, (int)m->len,
	                       m->data ? m->data : "");
	bs_source_msg_free(m);
}

static char *
split_in_chunks(const char *in, size_t len, size_t chunk, size_t max, bool *out_rd)
{
	GString *out = g_string_new(NULL);
	g_autoptr(bs_mbox_split) sp = bs_mbox_split_new(max, collect, out);

	for (size_t i = 0; i < len; i += chunk)
		bs_mbox_split_feed(sp, in + i, MIN(chunk, len - i));
	bs_mbox_split_end(sp);
	*out_rd = bs_mbox_split_is_mboxrd(sp);
	return g_string_free(out, FALSE);
}

static const struct split_case {
	const char *name;
	const char *in;
	const char *expect;
	bool mboxrd;
} split_cases[] = {
    {"two messages",
     "From a@x Thu Jan  1 00:00:00 2024\nSubject: a\n\nbody a\n\n"
     "From b@x Thu Jan  1 00:00:00 2024\nSubject: b\n\nbody b\n",
     "offset:0|0|Subject: a\n\nbody a\n\x1eoffset:54|0|Subject: b\n\nbody b\n\x1e", false},
    {"crlf line endings",
     "From a Mon Jan 1 10:00:00 2024\r\nS: 1\r\n\r\nx\r\n\r\nFrom b Mon Jan 1 10:00:00 2024\r\nS: "
     "2\r\n\r\ny\r\n",
     "offset:0|0|S: 1\r\n\r\nx\r\n\x1eoffset:45|0|S: 2\r\n\r\ny\r\n\x1e", false},
    {"mboxo: >From loses one quote",
     "From a Mon Jan 1 10:00:00 2024\nS: 1\n\n>From here\n>>> not from\n",
     "offset:0|0|S: 1\n\nFrom here\n>>> not from\n\x1e", false},
    {"mboxrd: >>From switches and unquotes by one",
     "From a Mon Jan 1 10:00:00 2024\nS: 1\n\n>From one\n>>From two\n>>>From three\n",
     "offset:0|0|S: 1\n\nFrom one\n>From two\n>>From three\n\x1e", true},
    {"From in body without empty line and without date stays body",
     "From a Mon Jan 1 10:00:00 2024\nS: 1\n\ntext\nFrom me to you\n",
     "offset:0|0|S: 1\n\ntext\nFrom me to you\n\x1e", false},
    {"From_ line with date splits even without empty line",
     "From a Mon Jan 1 10:00:00 2024\nS: 1\n\ntext\nFrom b Mon Jan 1 10:00:00 2024\nS: 2\n",
     "offset:0|0|S: 1\n\ntext\n\x1eoffset:42|0|S: 2\n\x1e", false},
    {"truncated last message",
     "From a Mon Jan 1 10:00:00 2024\nS: 1\n\nx\n\nFrom b Mon Jan 1 10:00:00 2024\nS: 2\n\ncut he",
     "offset:0|0|S: 1\n\nx\n\x1eoffset:40|1|S: 2\n\ncut he\x1e", false},
    {"empty input gives nothing", "", "", false},
    {"text before the first From_ line is a message at offset 0",
     "junk\n\nFrom a Mon Jan 1 10:00:00 2024\nS: 1\n", "offset:0|0|junk\n\x1eoffset:6|0|S: 1\n\x1e",
     false},
    {"empty message between two separators",
     "From a Mon Jan 1 10:00:00 2024\nFrom b Mon Jan 1 10:00:00 2024\nS: 2\n",
     "offset:0|0|\x1eoffset:31|0|S: 2\n\x1e", false},
    {"From line cut in the middle", "From a Mon Ja", "offset:0|1|\x1e", false},
};

static void
test_mbox_split_every_chunk_size(void)
{
	const size_t chunks[] = {1, 2, 3, 7, 64, 1 << 20};

	for (size_t i = 0; i < G_N_ELEMENTS(split_cases); i++) {
		const struct split_case *c = &split_cases[i];

		for (size_t k = 0; k < G_N_ELEMENTS(chunks); k++) {
			bool rd = false;
			g_autofree char *got =
			    split_in_chunks(c->in, strlen(c->in), chunks[k], 1 << 20, &rd);

			g_test_message("row %zu (%s), chunk %zu", i, c->name, chunks[k]);
			g_assert_cmpstr(got, ==, c->expect);
			g_assert_cmpint(rd, ==, c->mboxrd);
		}
	}
}

static void
test_mbox_split_too_large_is_reported_not_kept(void)
{
	GString *in = g_string_new("From a Mon Jan 1 10:00:00 2024\nS: 1\n\n");
	g_autofree char *got = NULL;
	bool rd;

	for (int i = 0; i < 100; i++)
		g_string_append(in, "0123456789012345678901234567890123456789\n");
	g_string_append(in, "\nFrom b Mon Jan 1 10:00:00 2024\nS: 2\n");
	got = split_in_chunks(in->str, in->len, 7, 1000, &rd);
	g_assert_cmpstr(got, ==, "offset:0|2|\x1eoffset:4138|0|S: 2\n\x1e");
	g_string_free(in, TRUE);
}

/* Removes a test's temporary tree. */
static void
remove_tree(const char *path)
{
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
write_file(const char *dir, const char *rel, const char *text)
{
	g_autofree char *path = g_build_filename(dir, rel, NULL);
	g_autofree char *parent = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(parent, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* Iterates a source into "locator|folder|status|len" lines. */
static char *
iterate(const char *path, size_t max, const char *expect_format)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_source) s = bs_source_open(path, max, &error);
	GString *out = g_string_new(NULL);
	bs_source_msg *m;

	g_assert_no_error(error);
	g_assert_cmpstr(bs_source_format_name(bs_source_format_of(s)), ==, expect_format);
	g_assert_nonnull(bs_source_fingerprint(s));
	while (bs_source_next(s, &m, &error)) {
		g_string_append_printf(out, "%s|%s|%d|%zu\n", m->locator,
		                       m->folder ? m->folder : "-", (int)m->status, m->len);
		bs_source_msg_free(m);
	}
	g_assert_no_error(error);
	return g_string_free(out, FALSE);
}

static void
test_maildir_folders_and_flags(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-source-XXXXXX", NULL);
	g_autofree char *got = NULL;

	write_file(dir, "cur/1.a:2,S", "S: a\n\nx\n");
	write_file(dir, "new/2.b", "S: b\n\nxy\n");
	write_file(dir, "tmp/3.c", "S: c\n\n");
	write_file(dir, ".Skickat/cur/4.d:2,", "S: d\n\n");
	write_file(dir, ".Kund.Ärenden/new/5.e", "S: e\n\n");
	write_file(dir, ".Kund.Ärenden/new/.hidden", "S: e\n\n");
	write_file(dir, "cur/9.big", "S: big\n\n0123456789012345678901234567890123456789\n");
	write_file(dir, ".Sk&AOQ-p.&AMQ-rende/cur/6.f", "S: f\n\n");
	write_file(dir, ".Bad&AOQ/cur/7.g", "S: g\n\n");
	got = iterate(dir, 32, "maildir");
	g_assert_cmpstr(got, ==,
	                "Bad&AOQ/cur/7.g|Bad&AOQ|0|6\n"
	                "INBOX/cur/1.a|INBOX|0|8\n"
	                "INBOX/cur/9.big|INBOX|2|0\n"
	                "INBOX/new/2.b|INBOX|0|9\n"
	                "Kund/Ärenden/new/5.e|Kund/Ärenden|0|6\n"
	                "Sk&AOQ-p/&AMQ-rende/cur/6.f|Skäp/Ärende|0|6\n"
	                "Skickat/cur/4.d|Skickat|0|6\n");
	remove_tree(dir);
}

/* Modified UTF-7 (RFC 3501 5.1.3) folder names; NULL: not valid, kept raw. */
static const struct mutf7_case {
	const char *name;
	const char *in;
	const char *expect;
} mutf7_cases[] = {
    {"plain ASCII", "Skickat", "Skickat"},
    {"empty", "", ""},
    {"one character in a run", "Sk&AOQ-p", "Skäp"},
    {"run at the start", "&AMQ-rende", "Ärende"},
    {"a long run", "&AFMAawDkAHA-", "Skäp"},
    {"ampersand", "Tom &- Jerry", "Tom & Jerry"},
    {"CJK", "&ZeVnLIqe-", "日本語"},
    {"surrogate pair", "&2D3eAA-", "😀"},
    {"comma is base64 slash", "&AP4A,w-", "þÿ"},
    {"two runs", "&AOQ-x&APY-", "äxö"},
    {"unterminated run", "Sk&AOQp", NULL},
    {"not base64 in a run", "&AO=Q-", NULL},
    {"raw UTF-8 is not modified UTF-7", "Sk\xc3\xa4p", NULL},
    {"control byte", "a\tb", NULL},
    {"lone high surrogate", "&2D0-", NULL},
    {"lone low surrogate", "&3gA-", NULL},
    {"U+0000", "&AAA-", NULL},
    {"padding bits set", "&AOR-", NULL},
    {"too much padding", "&AOQA-", NULL},
    {"empty run without dash at the end", "&", NULL},
};

static void
test_mutf7_decode(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(mutf7_cases); i++) {
		const struct mutf7_case *c = &mutf7_cases[i];
		g_autofree char *got = bs_source_mutf7_decode_dup(c->in, strlen(c->in));

		g_test_message("row %zu (%s)", i, c->name);
		g_assert_cmpstr(got, ==, c->expect);
		if (got)
			g_assert_true(g_utf8_validate(got, -1, NULL));
	}
}

/* Unread messages are read by bs_source_msg_load(); the source knows its
 * locators (an mbox once read to the end). */
static void
test_unread_and_locators(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-source-XXXXXX", NULL);
	g_autofree char *mbox = g_build_filename(dir, "box.mbox", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_source) s = NULL;
	g_autoptr(bs_source) m = NULL;
	bs_source_msg *msg = NULL;

	write_file(dir, "md/cur/1.a:2,S", "S: a\n\nx\n");
	write_file(dir, "md/new/2.b", "S: b\n\nxy\n");
	g_autofree char *md = g_build_filename(dir, "md", NULL);
	s = bs_source_open(md, 1 << 20, &error);
	g_assert_no_error(error);
	g_assert_true(bs_source_next_unread(s, &msg, &error));
	g_assert_null(msg->data);
	g_assert_nonnull(msg->unread_path);
	bs_source_msg_load(msg);
	g_assert_null(msg->unread_path);
	g_assert_cmpstr(msg->data, ==, "S: a\n\nx\n");
	bs_source_msg_free(msg);
	g_assert_true(bs_source_has_locator(s, "INBOX/new/2.b"));
	g_assert_true(bs_source_has_locator(s, "INBOX/cur/1.a"));
	g_assert_false(bs_source_has_locator(s, "INBOX/cur/2.b"));
	g_assert_false(bs_source_has_locator(s, "offset:0"));

	write_file(dir, "box.mbox",
	           "From a Mon Jan 1 10:00:00 2024\nS: 1\n\nx\n\n"
	           "From b Mon Jan 1 10:00:00 2024\nS: 2\n\ny\n");
	m = bs_source_open(mbox, 1 << 20, &error);
	g_assert_no_error(error);
	while (bs_source_next_unread(m, &msg, &error)) {
		g_assert_nonnull(msg->data); /* mbox messages come read */
		bs_source_msg_free(msg);
	}
	g_assert_no_error(error);
	g_assert_true(bs_source_has_locator(m, "offset:0"));
	g_assert_true(bs_source_has_locator(m, "offset:40"));
	g_assert_false(bs_source_has_locator(m, "offset:41"));
	g_assert_false(bs_source_has_locator(m, "offset:"));
	g_assert_false(bs_source_has_locator(m, "INBOX/cur/1.a"));
	remove_tree(dir);
}

static void
test_eml_tree_and_single_eml(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-source-XXXXXX", NULL);
	g_autofree char *one = g_build_filename(dir, "b/two.EML", NULL);
	g_autofree char *got = NULL;
	g_autofree char *single = NULL;

	write_file(dir, "a.eml", "Subject: a\n\nx\n");
	write_file(dir, "b/two.EML", "Subject: b\n\nx\n");
	write_file(dir, "b/notes.txt", "not mail\n");
	got = iterate(dir, 1 << 20, "eml-tree");
	g_assert_cmpstr(got, ==, "a.eml|-|0|14\nb/two.EML|b|0|14\n");
	single = iterate(one, 1 << 20, "eml");
	g_assert_cmpstr(single, ==, "two.EML|-|0|14\n");
	remove_tree(dir);
}

static void
test_empty_file_is_an_empty_mbox(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-source-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "Drafts", NULL);
	g_autofree char *got = NULL;

	write_file(dir, "Drafts", "");
	got = iterate(path, 1 << 20, "mbox");
	g_assert_cmpstr(got, ==, "");
	remove_tree(dir);
}

static void
test_mbox_file_in_blocks(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-source-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "inbox.mbox", NULL);
	GString *in = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(bs_source) s = NULL;
	bs_source_msg *m;
	size_t count = 0;

	/* Enough messages to cross several read blocks. */
	for (int i = 0; i < 40000; i++)
		g_string_append_printf(in,
		                       "From x Mon Jan 1 10:00:00 2024\nMessage-ID: <%d@x>\n\n"
		                       "%s\n\n",
		                       i, "line of body text to pad the message out");
	g_assert_true(g_file_set_contents(path, in->str, (gssize)in->len, NULL));
	s = bs_source_open(path, 1 << 20, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(bs_source_total_bytes(s), ==, in->len);
	while (bs_source_next(s, &m, &error)) {
		g_autofree char *want = g_strdup_printf("Message-ID: <%zu@x>\n", count);

		g_assert_true(g_str_has_prefix(m->data, want));
		count++;
		bs_source_msg_free(m);
	}
	g_assert_no_error(error);
	g_assert_cmpuint(count, ==, 40000);
	g_string_free(in, TRUE);
	remove_tree(dir);
}

static const struct bad_case {
	const char *name;
	const char *text;
} bad_cases[] = {
    {"binary file", "\x89PNG\r\n\x1a\n"},
    {"text without headers", "hello world\n"},
};

static void
test_open_refuses_what_is_no_mailbox(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-source-XXXXXX", NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autofree char *path = g_build_filename(dir, "x", NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(bs_source) s = NULL;

		g_test_message("row %zu (%s)", i, bad_cases[i].name);
		g_assert_true(g_file_set_contents(path, bad_cases[i].text, -1, NULL));
		s = bs_source_open(path, 1 << 20, &error);
		g_assert_null(s);
		g_assert_error(error, BS_ERROR, BS_ERROR_PARSE);
		g_assert_nonnull(strstr(error->message, path));
	}
	g_autoptr(GError) error = NULL;
	g_assert_null(bs_source_open("/nonexistent/x", 10, &error));
	g_assert_error(error, BS_ERROR, BS_ERROR_IO);
	remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/source/mbox/split-every-chunk-size", test_mbox_split_every_chunk_size);
	g_test_add_func("/source/mbox/too-large-reported-not-kept",
	                test_mbox_split_too_large_is_reported_not_kept);
	g_test_add_func("/source/mbox/file-read-in-blocks", test_mbox_file_in_blocks);
	g_test_add_func("/source/mbox/empty-file-is-empty-mbox", test_empty_file_is_an_empty_mbox);
	g_test_add_func("/source/maildir/folders-and-flags", test_maildir_folders_and_flags);
	g_test_add_func("/source/eml/tree-and-single", test_eml_tree_and_single_eml);
	g_test_add_func("/source/open/refuses-no-mailbox", test_open_refuses_what_is_no_mailbox);
	g_test_add_func("/source/maildir/mutf7-folder-names", test_mutf7_decode);
	g_test_add_func("/source/next-unread-and-locators", test_unread_and_locators);
	return g_test_run();
}
