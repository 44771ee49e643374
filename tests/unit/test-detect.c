/* Unit tests for detect: scoring per written form and context, whole-word
 * category terms with Swedish letters, and streaming: the same text fed in
 * 1-byte, 7-byte and whole chunks gives the same findings. */
#include "detect/detect.h"

#include <string.h>

#include <glib/gstdio.h>

#include "synth.h"

static bs_detector *detector;
static const char *terms_dir; /* data/terms, for detectors a test builds */
static GDate ref;

/* Findings and category counts of one stream, as comparable text. */
typedef struct {
	GString *out;
	size_t count;
} collected;

static void
collect_finding(const bs_finding *f, void *user)
{
	collected *c = user;

	g_string_append_printf(c->out, "%s %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s",
	                       bs_kind_name(f->id.kind), f->id.canonical, f->start, f->end,
	                       bs_confidence_name(f->confidence));
	for (size_t i = 0; i < bs_reason_count(); i++)
		if (f->reasons & (1u << i))
			g_string_append_printf(c->out, " %s", bs_reason_name(1u << i));
	g_string_append_c(c->out, '\n');
	c->count++;
}

/* Runs text through a fresh stream in chunks of chunk bytes (0 = whole).
 * Caller g_free()s. */
static char *
scan_chunked(bs_detect_run *r, const char *text, size_t len, size_t chunk)
{
	collected c = {g_string_new(NULL), 0};
	const uint32_t *counts;

	g_assert_cmpint(bs_detect_run_begin(r, &ref, collect_finding, &c), ==, BS_OK);
	for (size_t off = 0; off < len;) {
		size_t n = chunk ? MIN(chunk, len - off) : len;

		g_assert_cmpint(bs_detect_run_feed(r, text + off, n), ==, BS_OK);
		off += n;
	}
	g_assert_cmpint(bs_detect_run_end(r), ==, BS_OK);
	counts = bs_detect_run_category_counts(r);
	for (size_t i = 0; i < bs_detector_category_count(detector); i++)
		if (counts[i])
			g_string_append_printf(c.out, "category %s %u\n",
			                       bs_detector_category_name(detector, i), counts[i]);
	return g_string_free(c.out, FALSE);
}

/* The text in chunks of chunk bytes gives what it gives whole. */
static void
assert_same_chunked(bs_detect_run *r, const char *text, size_t len, size_t chunk, const char *whole)
{
	g_autofree char *got = scan_chunked(r, text, len, chunk);

	g_test_message("chunk %zu", chunk);
	g_assert_cmpstr(got, ==, whole);
}

static char *
scan(const char *text)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);

	return scan_chunked(r, text, strlen(text), 0);
}

/* Identifier rows: "%s" in text is replaced by the generated number. */
struct id_case {
	const char *text;
	const char *form; /* synth_pnr_form() form, or "space", "bad" */
	bool samordning;
	const char *expect; /* "kind confidence", or NULL for no finding */
	const char *reason; /* a reason that must be present, or NULL */
};

static const struct id_case id_cases[] = {
    {"Personnummer: %s", "short-dash", false, "pnr high", "context:+"},
    {"Mitt pnr är %s.", "short", false, "pnr high", "context:+"},
    {"Hej, %s gäller ansökan.", "short-dash", false, "pnr medium", "format:separator"},
    {"Hej, %s gäller ansökan.", "short", false, "pnr medium", "checksum"},
    {"Hej, %s gäller ansökan.", "long", false, "pnr medium", "format:long"},
    {"Hej, %s gäller ansökan.", "long-dash", false, "pnr medium", "format:long"},
    {"Född %s i Umeå", "long-dash", false, "pnr high", "context:+"},
    {"Samordningsnummer %s", "short-dash", true, "samordningsnummer high", "context:+"},
    {"Hon har %s som nummer", "short-dash", true, "samordningsnummer medium", NULL},
    {"Fakturanummer %s", "short", false, "pnr low", "context:-"},
    {"Tel: %s", "short", false, "pnr low", "context:-"},
    {"Ring mig på mobilen, %s", "short", false, "pnr low", "context:-"},
    {"OCR %s", "long", false, "pnr low", "context:-"},
    {"Ärendenr: %s", "short-dash", false, "pnr low", "context:-"},
    {"Kl. %s", "short", false, "pnr low", "context:-"},
    {"PG:%s", "short", false, "pnr low", "context:-"},
    {"BG\t%s", "short", false, "pnr low", "context:-"},
    {"Värdet %s här", "space", false, "pnr low", "format:space"},
    {"Personnummer %s", "space", false, "pnr medium", "format:space"},
    {"Värdet 08 %s här", "short", false, "pnr low", "format:phone"},
    {"Personnummer %s", "bad", false, NULL, NULL},
    {"Personnummer x%s", "short", false, NULL, NULL},
    {"Personnummer %sa", "short", false, NULL, NULL},
    {"Personnummer 1%s", "short", false, NULL, NULL},
    {"Personnummer: %s, telefon 08-123 456 78", "short-dash", false, "pnr high", NULL},
    {"Telefon 08-123 456 78, personnummer: %s", "short-dash", false, "pnr high", NULL},
};

/* The row's text with "%s" replaced by num. Caller g_free()s. */
static char *
fill(const char *tmpl, const char *num)
{
	const char *at = strstr(tmpl, "%s");

	return g_strdup_printf("%.*s%s%s", (int)(at - tmpl), tmpl, num, at + 2);
}

static char *
written_form(const struct id_case *c, GRand *rng, char **out_canon)
{
	g_autofree char *canon = synth_pnr(rng, 1984, 3, 14, c->samordning, true);

	*out_canon = g_strdup(canon);
	if (strcmp(c->form, "space") == 0)
		return g_strdup_printf("%.6s %.4s", canon + 2, canon + 8);
	if (strcmp(c->form, "bad") == 0) {
		g_autofree char *bad = synth_pnr_bad_check(canon);

		return synth_pnr_form(bad, "short-dash");
	}
	return synth_pnr_form(canon, c->form);
}

static void
test_identifier_scoring(void)
{
	g_autoptr(GRand) rng = g_rand_new_with_seed(11);

	for (size_t i = 0; i < G_N_ELEMENTS(id_cases); i++) {
		const struct id_case *c = &id_cases[i];
		g_autofree char *canon = NULL;
		g_autofree char *num = written_form(c, rng, &canon);
		g_autofree char *text = fill(c->text, num);
		g_autofree char *got = scan(text);
		g_autofree char *want = NULL;
		g_autofree char *lined = g_strconcat("\n", got, NULL);
		const char *line;
		g_autofree char *one = NULL;

		g_test_message("row %zu: %s", i, c->text);
		if (!c->expect) {
			g_assert_null(strstr(got, canon));
			continue;
		}
		want =
		    g_strdup_printf("\n%.*s %s ", (int)strcspn(c->expect, " "), c->expect, canon);
		g_test_message("got %s", got);
		line = strstr(lined, want);
		g_assert_nonnull(line);
		one = g_strndup(line + 1, strcspn(line + 1, "\n"));
		g_assert_nonnull(strstr(one, strchr(c->expect, ' ')));
		if (c->reason)
			g_assert_nonnull(strstr(one, c->reason));
	}
}

static void
test_offsets_are_bytes(void)
{
	g_autoptr(GRand) rng = g_rand_new_with_seed(3);
	g_autofree char *canon = synth_pnr(rng, 1990, 12, 31, false, false);
	g_autofree char *num = synth_pnr_form(canon, "short-dash");
	g_autofree char *text = g_strdup_printf("Åsa Öberg, född %s", num);
	g_autofree char *got = scan(text);
	g_autofree char *want =
	    g_strdup_printf("pnr %s %zu %zu high", canon, strlen(text) - 11, strlen(text));

	g_assert_true(g_str_has_prefix(got, want));
}

struct term_case {
	const char *text;
	const char *expect; /* category lines, sorted as the detector's categories */
};

static const struct term_case term_cases[] = {
    {"Hon är sjukskriven och har ADHD.", "category health 2\n"},
    {"LÄKARINTYGET och Läkarintyget", "category health 2\n"},
    {"Ångest, ångest!", "category health 2\n"},
    {"sjukskrivenå ösjuk sjuk_ sjuk9", ""},
    {"skyddad\nidentitet", "category protected_identity 1\n"},
    {"skyddad identitet", "category protected_identity 1\n"},
    {"en politisk åsikt", "category political 1\n"},
    {"sjuk", "category health 1\n"},
    {"", ""},
};

static void
test_category_terms(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(term_cases); i++) {
		g_autofree char *got = scan(term_cases[i].text);

		g_test_message("row %zu: %s", i, term_cases[i].text);
		g_assert_cmpstr(got, ==, term_cases[i].expect);
	}
}

/* A letter mixing every kind of row, repeated so that every chunk boundary
 * falls inside some candidate, label and term. */
static char *
mixed_text(void)
{
	g_autoptr(GRand) rng = g_rand_new_with_seed(5);
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(id_cases); i++) {
		g_autofree char *canon = NULL;
		g_autofree char *num = written_form(&id_cases[i], rng, &canon);

		g_autofree char *row = fill(id_cases[i].text, num);

		g_string_append(s, row);
		g_string_append(s, i % 3 ? " \n" : " Hon har ångest och är sjukskriven. ");
	}
	for (size_t i = 0; i < G_N_ELEMENTS(term_cases); i++)
		g_string_append_printf(s, "%s\n", term_cases[i].text);
	/* fuzz-detect crash-chunking-orgnr: a digit group 4 bytes after a value */
	g_string_append(s, "0 49840314-1230 org.nr 556000-0000840314-1230 org.nr 556000-00\n");
	g_string_append(s, "slut 6408233234"); /* no check digit math: ends the text */
	return g_string_free(s, FALSE);
}

static void
test_stream_same_at_every_chunking(void)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	g_autofree char *text = mixed_text();
	size_t len = strlen(text);
	g_autofree char *whole = scan_chunked(r, text, len, 0);
	static const size_t chunks[] = {1, 2, 3, 7, 64, 511, 513};

	g_assert_nonnull(strstr(whole, "pnr"));
	g_assert_nonnull(strstr(whole, "category health"));
	for (size_t i = 0; i < G_N_ELEMENTS(chunks); i++)
		assert_same_chunked(r, text, len, chunks[i], whole);
}

static size_t
occurrences(const char *out, const char *what)
{
	size_t n = 0;

	for (const char *p = out; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* More term matches in one 32 KB piece than the engine lists before it
 * decides them (4096): the list is decided while Vectorscan scans, and
 * the labels and numbers around that point keep their order. Each row
 * (80 bytes) has 10 term words, a label and a number whose score depends
 * on the label: ~4,500 matches per piece. */
static void
test_stream_more_matches_than_a_list(void)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	g_autoptr(GRand) rng = g_rand_new_with_seed(11);
	g_autofree char *canon = synth_pnr(rng, 1984, 3, 14, false, true);
	g_autofree char *num = synth_pnr_form(canon, "short-dash");
	GString *s = g_string_new(NULL);
	g_autofree char *text = NULL;
	g_autofree char *whole = NULL;
	g_autofree char *expect = NULL;
	const size_t rows = 3000;

	for (size_t i = 0; i < rows; i++)
		g_string_append_printf(s,
		                       "sjuk adhd sjuk adhd sjuk adhd sjuk adhd sjuk adhd %s %s\n",
		                       i % 2 ? "personnummer" : "tel", num);
	text = g_string_free(s, FALSE);
	whole = scan_chunked(r, text, strlen(text), 0);
	/* one finding per row: high after personnummer, low after tel */
	g_assert_cmpuint(occurrences(whole, " high "), ==, rows / 2);
	g_assert_cmpuint(occurrences(whole, " low "), ==, rows / 2);
	expect = g_strdup_printf("category health %zu\n", 10 * rows);
	g_assert_true(g_str_has_suffix(whole, expect));
	for (size_t chunk = 1; chunk <= 40000; chunk = chunk * 7 + 3)
		assert_same_chunked(r, text, strlen(text), chunk, whole);
}

static uint32_t
count_terms(const bs_detect_run *r)
{
	uint32_t n = 0;

	for (size_t i = 0; i < bs_detector_category_count(detector); i++)
		n += bs_detect_run_category_counts(r)[i];
	return n;
}

static void
test_stream_match_across_boundary_once(void)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	g_autoptr(GRand) rng = g_rand_new_with_seed(9);
	g_autofree char *canon = synth_pnr(rng, 1975, 6, 1, false, true);
	g_autofree char *text =
	    g_strdup_printf("personnummer %.6s-%.4s sjukskriven", canon + 2, canon + 8);

	for (size_t cut = 1; cut < strlen(text); cut++) {
		collected c = {g_string_new(NULL), 0};

		bs_detect_run_begin(r, &ref, collect_finding, &c);
		bs_detect_run_feed(r, text, cut);
		bs_detect_run_feed(r, text + cut, strlen(text) - cut);
		bs_detect_run_end(r);
		g_test_message("cut %zu", cut);
		g_assert_cmpuint(c.count, ==, 1);
		g_assert_cmpuint(count_terms(r), ==, 1);
		g_string_free(c.out, TRUE);
	}
}

static size_t
count_lines(const char *out, const char *prefix)
{
	size_t n = 0;

	for (const char *p = out; (p = strstr(p, prefix)); p++)
		n += p == out || p[-1] == '\n';
	return n;
}

/* Digit shapes are read from byte masks made per 64 bytes of each 32 KB
 * piece, and from the bytes themselves near a piece's start or when the
 * text comes in small chunks: a phone number, a date and a card number
 * at every offset around block and piece boundaries give the same
 * findings both ways, each phone number once and no date as a phone. */
static void
test_shapes_at_every_block_offset(void)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	GString *t = g_string_new(NULL);
	g_autofree char *text = NULL;
	g_autofree char *whole = NULL;
	size_t lines = 0;

	while (t->len < 80 * 1024) {
		g_string_append_printf(t,
		                       "%.*s Ring 070-123 45 67 datum 2024-05-01 kl 13.05, "
		                       "kort 4111 1111 1111 1111.\n",
		                       (int)(lines % 67),
		                       "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrst"
		                       "uvwxyzabcdefghijklmnopqrstuvwxyz");
		lines++;
	}
	text = g_string_free(t, FALSE);
	whole = scan_chunked(r, text, strlen(text), 0);
	g_assert_cmpuint(count_lines(whole, "phone +46701234567 "), ==, lines);
	g_assert_cmpuint(count_lines(whole, "phone "), ==, lines);
	g_assert_cmpuint(count_lines(whole, "card 4111111111111111 "), ==, lines);
	for (size_t chunk = 1; chunk <= 4093; chunk = chunk * 8 + 5)
		assert_same_chunked(r, text, strlen(text), chunk, whole);
}

/* Invalid UTF-8, NUL bytes and random noise are data, not errors. */
static void
test_stream_binary_noise(void)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	g_autoptr(GRand) rng = g_rand_new_with_seed(1);
	size_t len = 1 << 20;
	g_autofree char *buf = g_malloc(len);
	g_autofree char *a = NULL;
	g_autofree char *b = NULL;

	for (size_t i = 0; i < len; i++)
		buf[i] = (char)g_rand_int_range(rng, 0, 256);
	memcpy(buf + 1000, "\xc3\xa5sjuk\x00\xff sjuk \xc3", 15);
	a = scan_chunked(r, buf, len, 0);
	b = scan_chunked(r, buf, len, 4093);
	g_assert_cmpstr(a, ==, b);
}

/* Written forms of every identifier shape: "%s" in text is replaced by
 * the value, which must be found with exactly its span and kind (shapes
 * are recognised at the end of each digit run and e-mail domain). */
typedef char *shape_fn(GRand *rng);

/* Groups of four with spaces: 4111 1111 1111 1111, SE45 5000 ... */
static char *
spaced4(const char *s)
{
	GString *out = g_string_new(NULL);

	for (size_t i = 0; s[i]; i++) {
		if (i > 0 && i % 4 == 0)
			g_string_append_c(out, ' ');
		g_string_append_c(out, s[i]);
	}
	return g_string_free(out, FALSE);
}

/* An IBAN of country cc and bban in groups of four. */
static char *
spaced_iban(const char *cc, const char *bban)
{
	g_autofree char *iban = synth_iban(cc, bban);

	return spaced4(iban);
}

static char *
make_iban_spaced(GRand *rng)
{
	return spaced_iban("SE", "50000000058398257466");
}

static char *
make_iban_letter_end(GRand *rng)
{
	return spaced_iban("MT", "MALT011000012345MTLCAST001S"); /* ... AST0 01S */
}

/* Ends in three capitals after its last digits: MU.. 000M UR, 000MUR. */
static char *
make_iban_letters_spaced(GRand *rng)
{
	return spaced_iban("MU", "BOMM0101101030300200000MUR");
}

static char *
make_iban_letters_compact(GRand *rng)
{
	return synth_iban("MU", "BOMM0101101030300200000MUR");
}

/* Only its check digits before capitals: at a line's start, the four
 * bytes before the capitals are all a letter tail may have. */
static char *
make_iban_letters_only(GRand *rng)
{
	return synth_iban("GB", "WESTABCDEFGHIJKLMN");
}

/* GB75 WEST ...: a space after its only digits. */
static char *
make_iban_letters_only_spaced(GRand *rng)
{
	return spaced_iban("GB", "WESTABCDEFGHIJKLMN");
}

static char *
make_iban_compact(GRand *rng)
{
	return synth_iban("GB", "WEST12345698765432");
}

static char *
make_card_grouped(GRand *rng)
{
	g_autofree char *card = synth_luhn_complete("411111111111111");

	return spaced4(card);
}

static char *
make_card_bare(GRand *rng)
{
	return synth_luhn_complete("555555555555444");
}

/* A HETU whose check character is a letter. */
static char *
make_hetu_letter(GRand *rng)
{
	for (int ind = 2;; ind++) {
		char *h = synth_fi_hetu(13, 10, 52, '-', ind);

		if (g_ascii_isupper(h[10]))
			return h;
		g_free(h);
	}
}

static char *
make_no_fnr_spaced(GRand *rng)
{
	for (int ind = 100;; ind++) {
		g_autofree char *f = synth_no_fnr(1, 1, 90, ind);

		if (f)
			return g_strdup_printf("%.6s %s", f, f + 6);
	}
}

static char *
make_interim_short(GRand *rng)
{
	g_autofree char *i = synth_interim(1990, 1, 2, 'T', 23);

	return g_strdup_printf("%.6s-%s", i + 2, i + 8);
}

static char *
make_pnr_long_space(GRand *rng)
{
	g_autofree char *c = synth_pnr(rng, 1964, 8, 23, false, true);

	return g_strdup_printf("%.8s %s", c, c + 8);
}

static char *
make_pnr_plus(GRand *rng)
{
	g_autofree char *c = synth_pnr(rng, 1921, 1, 7, false, false);

	return synth_pnr_form(c, "short-plus");
}

struct shape_case {
	const char *text;
	const char *value; /* written value, or NULL: made by make */
	shape_fn *make;
	const char *kind; /* expected kind, or NULL: no finding at all */
};

static const struct shape_case shape_cases[] = {
    {"Ring mig på %s.", "070-123 45 67", NULL, "phone"},
    {"Tel: %s", "+46 70 123 45 67", NULL, "phone"},
    {"Tel: %s", "+46 (0)70-123 45 67", NULL, "phone"},
    {"Tel: %s", "0046 8 123 456 78", NULL, "phone"},
    {"Växel %s efter lunch", "(08) 123 456 78", NULL, "phone"},
    {"Fax %s", "08/123 456 78", NULL, "phone"},
    {"%s efter fem", "0812-3456", NULL, "phone"}, /* 9 bytes: the shortest shape */
    {"Tel: %s", "070-12", NULL, NULL},
    {"Konto %s", NULL, make_iban_spaced, "iban"},
    {"IBAN: %s, tack", NULL, make_iban_letter_end, "iban"},
    {"IBAN %s", NULL, make_iban_compact, "iban"},
    {"IBAN %s.", NULL, make_iban_letters_spaced, "iban"},
    {"IBAN %s.", NULL, make_iban_letters_compact, "iban"},
    {"%s är kontot", NULL, make_iban_letters_only, "iban"},
    {"%s är kontot", NULL, make_iban_letters_only_spaced, "iban"},
    {"Kort %s", NULL, make_card_grouped, "card"},
    {"Kortnummer %s.", NULL, make_card_bare, "card"},
    {"HETU %s", NULL, make_hetu_letter, "fi_hetu"},
    {"fnr %s", NULL, make_no_fnr_spaced, "no_fnr"},
    {"Personnummer %s", NULL, make_interim_short, "interim"},
    {"Personnummer %s", NULL, make_pnr_long_space, "pnr"},
    {"Född %s", NULL, make_pnr_plus, "pnr"},
    {"Skriv till %s i dag", "anna.berg@example.se", NULL, "email"},
    {"E-post: %s.", "info@mail.kommun.se", NULL, "email"},
    {"Fel: %s", "x@example.se-", NULL, NULL},
    {"Fel: %s", "x@example", NULL, NULL},
    {"Fel: %s", "x@.example.se", NULL, NULL},
};

/* The kind of the finding spanning [start, end) in collected output, or
 * NULL. Caller g_free()s. */
static char *
kind_at(const char *got, size_t start, size_t end)
{
	g_auto(GStrv) lines = g_strsplit(got, "\n", -1);
	g_autofree char *span = g_strdup_printf("%zu %zu", start, end);

	for (char **l = lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit(*l, " ", 5);

		if (g_strv_length(f) >= 4 && !g_str_has_prefix(*l, "category ")) {
			g_autofree char *at = g_strdup_printf("%s %s", f[2], f[3]);

			if (strcmp(at, span) == 0)
				return g_strdup(f[0]);
		}
	}
	return NULL;
}

static void
test_shapes_written_forms(void)
{
	g_autoptr(GRand) rng = g_rand_new_with_seed(17);

	for (size_t i = 0; i < G_N_ELEMENTS(shape_cases); i++) {
		const struct shape_case *c = &shape_cases[i];
		g_autofree char *value = c->value ? g_strdup(c->value) : c->make(rng);
		g_autofree char *text = fill(c->text, value);
		g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
		g_autofree char *got = scan_chunked(r, text, strlen(text), 0);
		g_autofree char *one = scan_chunked(r, text, strlen(text), 1);
		size_t start = (size_t)(strstr(c->text, "%s") - c->text);
		g_autofree char *kind = kind_at(got, start, start + strlen(value));

		g_test_message("row %zu: %s", i, text);
		g_test_message("got %s", got);
		g_assert_cmpstr(got, ==, one);
		g_assert_cmpstr(kind, ==, c->kind);
	}
}

/* base64 as in a mail file's attachments: capitals, lower-case letters,
 * '+', '/' and digits, the digits in runs of at most three. */
static void
append_base64(GString *t, GRand *rng, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int digits = 0;

	for (size_t i = 0; i < n; i++) {
		char c;

		do
			c = b64[g_rand_int_range(rng, 0, 64)];
		while (g_ascii_isdigit(c) && digits >= 3);
		digits = g_ascii_isdigit(c) ? digits + 1 : 0;
		g_string_append_c(t, c);
	}
}

/* Blocks of base64 have a digit run every ~8 bytes, and the pass over a
 * piece leaves out the ends no shape can end at (shape_ends() in
 * digits.c). Every written form of the shape table, between base64 at
 * each of the 64 offsets in a block (so that its runs, the byte before
 * each and the letters after it fall on every bit, the first and the
 * last included), is found with its span and kind, and the whole text
 * gives what it gives with every run end decided (BS_DETECT_ENDS=all). */
struct placed {
	size_t start, end; /* the value's span */
	size_t row;        /* in shape_cases */
};

static void
test_shapes_in_base64(void)
{
	const char *dirs[2] = {terms_dir, NULL};
	bs_detect_config cfg = {.term_dirs = dirs};
	g_autoptr(bs_detector) all = NULL;
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	g_autoptr(bs_detect_run) r_all = NULL;
	g_autoptr(GRand) rng = g_rand_new_with_seed(41);
	GString *t = g_string_new(NULL);
	g_autoptr(GArray) spans = g_array_new(FALSE, FALSE, sizeof(struct placed));
	g_autofree char *text = NULL;
	g_autofree char *got = NULL;
	g_autofree char *got_all = NULL;

	g_setenv("BS_DETECT_ENDS", "all", TRUE);
	all = bs_detector_new(&cfg, NULL);
	g_unsetenv("BS_DETECT_ENDS");
	g_assert_nonnull(all);
	r_all = bs_detect_run_new(all, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(shape_cases); i++) {
		const struct shape_case *c = &shape_cases[i];

		for (size_t k = 0; k < 64 && c->kind; k++) {
			g_autofree char *value = c->value ? g_strdup(c->value) : c->make(rng);
			g_autofree char *line = fill(c->text, value);
			struct placed at = {.row = i};

			append_base64(t, rng, 64 - t->len % 64 + k); /* the value at k + prefix */
			g_string_append_c(t, '\n');
			at.start = t->len + (size_t)(strstr(c->text, "%s") - c->text);
			at.end = at.start + strlen(value);
			g_array_append_val(spans, at);
			g_string_append(t, line);
			/* not a space: a digit after one goes on a phone number */
			g_string_append_c(t, '\n');
			append_base64(t, rng, 64 - k);
			g_string_append_c(t, '\n');
		}
	}
	text = g_string_free(t, FALSE);
	got = scan_chunked(r, text, strlen(text), 0);
	got_all = scan_chunked(r_all, text, strlen(text), 0);
	g_assert_cmpstr(got, ==, got_all);
	for (size_t j = 0; j < spans->len; j++) {
		const struct placed *at = &g_array_index(spans, struct placed, j);
		g_autofree char *kind = kind_at(got, at->start, at->end);

		g_assert_cmpstr(kind, ==, shape_cases[at->row].kind);
	}
}

/* Identifiers next to NUL bytes and invalid UTF-8 are found (neither is a
 * word character); long runs that could start a candidate (a megabyte of
 * digits, of '@'s, of one e-mail domain) end in bounded time and memory
 * with no finding, whatever the chunking, and so does a digit run ending
 * at every other byte (the most ends a piece lists); empty input gives
 * nothing. */
static void
test_stream_edge_inputs(void)
{
	g_autoptr(bs_detect_run) r = bs_detect_run_new(detector, NULL);
	g_autoptr(GRand) rng = g_rand_new_with_seed(29);
	g_autofree char *canon = synth_pnr(rng, 1971, 2, 3, false, true);
	g_autofree char *num = synth_pnr_form(canon, "short-dash");
	static const char *const fills[] = {"0", "@", "a", "5 "};
	size_t big = 1 << 20;
	g_autofree char *buf = g_malloc(big + 2);
	g_autofree char *empty = scan_chunked(r, "", 0, 0);
	char text[64];
	size_t len;
	g_autofree char *got = NULL;

	g_assert_cmpstr(empty, ==, "");
	len = (size_t)g_snprintf(text, sizeof text, "\xff%s%c\xc3", num, '\0');
	got = scan_chunked(r, text, len, 0);
	g_assert_true(g_str_has_prefix(got, "pnr "));
	g_assert_nonnull(strstr(got, canon));
	for (size_t i = 0; i < G_N_ELEMENTS(fills); i++) {
		g_autofree char *whole = NULL;
		g_autofree char *chunked = NULL;

		for (size_t k = 0; k < big; k++)
			buf[k] = fills[i][k % strlen(fills[i])];
		if (i == 2) { /* one e-mail domain of a megabyte */
			buf[0] = 'x';
			buf[1] = '@';
		}
		whole = scan_chunked(r, buf, big, 0);
		chunked = scan_chunked(r, buf, big, 4093);
		g_test_message("fill %s", fills[i]);
		g_assert_cmpstr(whole, ==, "");
		g_assert_cmpstr(chunked, ==, "");
	}
}

static void
test_bad_term_file_named(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-detect-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "mine.txt", NULL);
	const char *files[] = {path, NULL};
	bs_detect_config cfg = {.term_files = files};
	GError *error = NULL;
	bs_detector *d;

	g_assert_true(g_file_set_contents(path, "ok\n\xff\xfe bad\n", -1, NULL));
	d = bs_detector_new(&cfg, &error);
	g_assert_null(d);
	g_assert_error(error, BS_ERROR, BS_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, "mine.txt\":2"));
	g_error_free(error);
	g_remove(path);
	g_rmdir(dir);
}

static void
test_user_terms_add_a_category(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-detect-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "pets.txt", NULL);
	const char *files[] = {path, NULL};
	bs_detect_config cfg = {.term_files = files};
	g_autoptr(bs_detector) d = NULL;
	g_autoptr(bs_detect_run) r = NULL;

	g_assert_true(g_file_set_contents(path, "# comment\nkatt\nhund  valp\n\n", -1, NULL));
	d = bs_detector_new(&cfg, NULL);
	g_assert_nonnull(d);
	g_assert_cmpuint(bs_detector_category_count(d), ==, 1);
	r = bs_detect_run_new(d, NULL);
	bs_detect_run_begin(r, &ref, NULL, NULL);
	bs_detect_run_feed(r, "En Katt, en HUND VALP och katter.", 33);
	bs_detect_run_end(r);
	g_assert_cmpuint(bs_detect_run_category_counts(r)[0], ==, 2);
	g_remove(path);
	g_rmdir(dir);
}

/* A phrase and its own words in one category ("skyddad", "identitet",
 * "skyddad identitet") are one occurrence where the phrase stands, in
 * whatever order the file lists them; the words alone still count. */
static void
test_phrase_and_its_words_count_once(void)
{
	static const char *const orders[] = {
	    "skyddad\nidentitet\nskyddad identitet\n", "skyddad\nskyddad identitet\nidentitet\n",
	    "identitet\nskyddad\nskyddad identitet\n", "identitet\nskyddad identitet\nskyddad\n",
	    "skyddad identitet\nskyddad\nidentitet\n", "skyddad identitet\nidentitet\nskyddad\n",
	};
	static const char text[] = "Familjen har skyddad identitet. Identitet; skyddad.";
	g_autofree char *dir = g_dir_make_tmp("bs-detect-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "x.txt", NULL);
	const char *files[] = {path, NULL};
	bs_detect_config cfg = {.term_files = files};

	for (size_t i = 0; i < G_N_ELEMENTS(orders); i++) {
		g_autoptr(bs_detector) d = NULL;
		g_autoptr(bs_detect_run) r = NULL;

		g_assert_true(g_file_set_contents(path, orders[i], -1, NULL));
		d = bs_detector_new(&cfg, NULL);
		g_assert_nonnull(d);
		r = bs_detect_run_new(d, NULL);
		bs_detect_run_begin(r, &ref, NULL, NULL);
		bs_detect_run_feed(r, text, sizeof text - 1);
		bs_detect_run_end(r);
		g_test_message("order %zu", i);
		g_assert_cmpuint(bs_detect_run_category_counts(r)[0], ==, 3);
	}
	g_remove(path);
	g_rmdir(dir);
}

/* Terms whose key word holds a shorter term's (katt in kattunge, huskatt
 * and vildkattunge; ångest in panikångest) share its literal, and short
 * phrase key words are matched with the gap byte next to them ("kom ut
 * som" on "kom" and a gap, its other words being stop words; "enligt
 * sol" on a gap and "sol", enligt being one): each is still counted as a
 * whole word or phrase only, in either case, at the start and the end of
 * the text and wherever the chunks are cut. One category per term (files
 * sorted: a..h) shows which one counted. */
static const char *const shared_terms[][2] = {
    {"a.txt", "katt\n"},       {"b.txt", "kattunge\n"},
    {"c.txt", "huskatt\n"},    {"d.txt", "vildkattunge\n"},
    {"e.txt", "ångest\n"},     {"f.txt", "panikångest\nsvår  panikångest\n"},
    {"g.txt", "kom ut som\n"}, {"h.txt", "enligt sol\n"},
};

static const struct {
	const char *text;
	const char *counts; /* categories a..h */
} shared_cases[] = {
    {"huskatt", "00100000"},
    {"Kattunge, KATT, HusKatt och vildKattunge.", "11110000"},
    {"kattungar huskattunge xkatt kattx katt_ 9katt", "00000000"},
    {"PANIKÅNGEST\nÅngest panikångesten ångestfylld", "00001100"},
    {"svår\npanikångest", "00000100"},
    {"en huskatt", "00100000"},
    {"Hon KOM\tut\xc2\xa0som trans, kom ut  som", "00000020"},
    {"kommun ut som, välkom ut som, kom ut somalisk, kom utsom", "00000000"},
    {"beslut enligt\nSoL och enligt\xc2\xa0sol.", "00000002"},
    {"enligt isol, enligt solen, enligtsol", "00000000"},
};

/* counts of the run as digits, one per category */
static void
counts_string(const bs_detector *d, const bs_detect_run *r, char *out)
{
	size_t n = bs_detector_category_count(d);

	for (size_t i = 0; i < n; i++)
		out[i] = (char)('0' + MIN(bs_detect_run_category_counts(r)[i], 9u));
	out[n] = '\0';
}

static void
check_shared_case(const bs_detector *d, bs_detect_run *r, const char *text)
{
	size_t len = strlen(text);
	char whole[16], got[16];

	bs_detect_run_begin(r, &ref, NULL, NULL);
	bs_detect_run_feed(r, text, len);
	bs_detect_run_end(r);
	counts_string(d, r, whole);
	for (size_t cut = 0; cut <= len; cut++) {
		bs_detect_run_begin(r, &ref, NULL, NULL);
		bs_detect_run_feed(r, text, cut);
		bs_detect_run_feed(r, text + cut, len - cut);
		bs_detect_run_end(r);
		counts_string(d, r, got);
		g_assert_cmpstr(got, ==, whole);
	}
	bs_detect_run_begin(r, &ref, NULL, NULL);
	for (size_t i = 0; i < len; i++)
		bs_detect_run_feed(r, text + i, 1);
	bs_detect_run_end(r);
	counts_string(d, r, got);
	g_assert_cmpstr(got, ==, whole);
}

static void
test_terms_sharing_a_literal(void)
{
	g_autofree char *dir = g_dir_make_tmp("bs-detect-XXXXXX", NULL);
	const char *dirs[] = {dir, NULL};
	bs_detect_config cfg = {.term_dirs = dirs};
	g_autoptr(bs_detector) d = NULL;
	g_autoptr(bs_detect_run) r = NULL;
	char got[16];

	for (size_t i = 0; i < G_N_ELEMENTS(shared_terms); i++) {
		g_autofree char *path = g_build_filename(dir, shared_terms[i][0], NULL);

		g_assert_true(g_file_set_contents(path, shared_terms[i][1], -1, NULL));
	}
	d = bs_detector_new(&cfg, NULL);
	g_assert_nonnull(d);
	r = bs_detect_run_new(d, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(shared_cases); i++) {
		g_test_message("row %zu: %s", i, shared_cases[i].text);
		bs_detect_run_begin(r, &ref, NULL, NULL);
		bs_detect_run_feed(r, shared_cases[i].text, strlen(shared_cases[i].text));
		bs_detect_run_end(r);
		counts_string(d, r, got);
		g_assert_cmpstr(got, ==, shared_cases[i].counts);
		check_shared_case(d, r, shared_cases[i].text);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(shared_terms); i++) {
		g_autofree char *path = g_build_filename(dir, shared_terms[i][0], NULL);

		g_remove(path);
	}
	g_rmdir(dir);
}

/* Random terms over a small alphabet (most hold another one, many are
 * phrases with short keys) against random text of the same letters, in
 * either case, with every kind of gap: the category counts are the same
 * at every chunking. */
static void
write_random_terms(GRand *rng, const char *dir)
{
	static const char *const letters[] = {"a", "b", "å", "ö"};

	for (int f = 0; f < 3; f++) {
		g_autofree char *path = g_strdup_printf("%s/r%d.txt", dir, f);
		GString *s = g_string_new(NULL);

		for (int t = 0; t < 12; t++) {
			int words = g_rand_int_range(rng, 0, 4) ? 1 : 2;

			for (int w = 0; w < words; w++) {
				int n = g_rand_int_range(rng, 1, 6);

				if (w)
					g_string_append_c(s, ' ');
				for (int i = 0; i < n; i++)
					g_string_append(s, letters[g_rand_int_range(rng, 0, 4)]);
			}
			g_string_append_c(s, '\n');
		}
		g_assert_true(g_file_set_contents(path, s->str, -1, NULL));
		g_string_free(s, TRUE);
	}
}

static char *
random_letters_text(GRand *rng, size_t chars)
{
	static const char *const pieces[] = {"a", "b",  "å",  "ö",        "A", "B", "Å", "Ö",
	                                     " ", "\n", "\t", "\xc2\xa0", ".", "x", "  "};
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < chars; i++)
		g_string_append(s, pieces[g_rand_int_range(rng, 0, (gint32)G_N_ELEMENTS(pieces))]);
	return g_string_free(s, FALSE);
}

static void
scan_counts(bs_detect_run *r, size_t ncat, const char *text, size_t len, size_t chunk,
            uint32_t *out)
{
	bs_detect_run_begin(r, &ref, NULL, NULL);
	for (size_t off = 0; off < len;) {
		size_t n = chunk ? MIN(chunk, len - off) : len;

		bs_detect_run_feed(r, text + off, n);
		off += n;
	}
	bs_detect_run_end(r);
	memcpy(out, bs_detect_run_category_counts(r), ncat * sizeof *out);
}

static void
test_random_terms_same_at_every_chunking(void)
{
	static const size_t chunks[] = {1, 2, 5, 64, 4093};

	for (guint32 seed = 1; seed <= 4; seed++) {
		g_autoptr(GRand) rng = g_rand_new_with_seed(seed);
		g_autofree char *dir = g_dir_make_tmp("bs-detect-XXXXXX", NULL);
		const char *dirs[] = {dir, NULL};
		bs_detect_config cfg = {.term_dirs = dirs};
		g_autoptr(bs_detector) d = NULL;
		g_autoptr(bs_detect_run) r = NULL;
		g_autofree char *text = random_letters_text(rng, 20000);
		size_t len = strlen(text);
		uint32_t whole[3], got[3];
		size_t total = 0;

		write_random_terms(rng, dir);
		d = bs_detector_new(&cfg, NULL);
		g_assert_nonnull(d);
		g_assert_cmpuint(bs_detector_category_count(d), ==, 3);
		r = bs_detect_run_new(d, NULL);
		scan_counts(r, 3, text, len, 0, whole);
		for (size_t i = 0; i < 3; i++)
			total += whole[i];
		g_assert_cmpuint(total, >, 100);
		for (size_t i = 0; i < G_N_ELEMENTS(chunks); i++) {
			g_test_message("seed %u chunk %zu", seed, chunks[i]);
			scan_counts(r, 3, text, len, chunks[i], got);
			g_assert_cmpmem(got, sizeof got, whole, sizeof whole);
		}
		for (int f = 0; f < 3; f++) {
			g_autofree char *path = g_strdup_printf("%s/r%d.txt", dir, f);

			g_remove(path);
		}
		g_rmdir(dir);
	}
}

int
main(int argc, char **argv)
{
	g_autofree char *terms = NULL;
	const char *dirs[2] = {NULL, NULL};
	bs_detect_config cfg = {.term_dirs = dirs};
	g_autoptr(GError) error = NULL;

	g_test_init(&argc, &argv, NULL);
	g_assert_nonnull(g_getenv("BS_SOURCE_ROOT"));
	terms = g_build_filename(g_getenv("BS_SOURCE_ROOT"), "data", "terms", NULL);
	dirs[0] = terms;
	terms_dir = terms;
	detector = bs_detector_new(&cfg, &error);
	g_assert_no_error(error);
	g_date_clear(&ref, 1);
	g_date_set_dmy(&ref, 1, 5, 2024);
	g_test_add_func("/detect/score/forms-and-context", test_identifier_scoring);
	g_test_add_func("/detect/score/offsets-are-bytes", test_offsets_are_bytes);
	g_test_add_func("/detect/terms/whole-words-utf8", test_category_terms);
	g_test_add_func("/detect/shapes/written-forms", test_shapes_written_forms);
	g_test_add_func("/detect/terms/bad-file-named-with-line", test_bad_term_file_named);
	g_test_add_func("/detect/terms/user-file-adds-category", test_user_terms_add_a_category);
	g_test_add_func("/detect/terms/phrase-and-its-words-count-once",
	                test_phrase_and_its_words_count_once);
	g_test_add_func("/detect/terms/sharing-a-literal-whole-words",
	                test_terms_sharing_a_literal);
	g_test_add_func("/detect/terms/random-terms-same-at-every-chunking",
	                test_random_terms_same_at_every_chunking);
	g_test_add_func("/detect/stream/same-at-every-chunking",
	                test_stream_same_at_every_chunking);
	g_test_add_func("/detect/stream/match-across-chunk-boundary-once",
	                test_stream_match_across_boundary_once);
	g_test_add_func("/detect/stream/binary-noise", test_stream_binary_noise);
	g_test_add_func("/detect/stream/more-matches-than-a-list",
	                test_stream_more_matches_than_a_list);
	g_test_add_func("/detect/shapes/every-block-and-piece-offset",
	                test_shapes_at_every_block_offset);
	g_test_add_func("/detect/stream/edge-inputs-bounded", test_stream_edge_inputs);
	g_test_add_func("/detect/shapes/in-base64", test_shapes_in_base64);
	int st = g_test_run();

	bs_detector_free(detector);
	return st;
}
