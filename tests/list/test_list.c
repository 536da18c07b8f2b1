/*
 * Unit tests of the list layer on the public API: dedupe set, batch parse,
 * CSV reader (table-driven from csv_cases.txt, each case read whole and in
 * 1- and 7-byte pieces), column guessing (columns.txt) and the cleaner.
 *
 *   test_list DATA_DIR
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "check.h"
#include "same_number.h"

/* ---- dedupe set ------------------------------------------------------ */

static void test_dedupe(void)
{
	phn_dedupe_set *set = NULL;
	int is_new = -1, found = -1;
	uint64_t first = 0, v = 0;
	size_t mem0;

	CHECK(phn_dedupe_set_new(NULL, 0) == PHN_EINVAL);
	CHECK(phn_dedupe_set_new(&set, 0) == PHN_OK && set);
	mem0 = phn_dedupe_set_memory(set);
	CHECK(mem0 > 0);
	CHECK(phn_dedupe_set_insert(&is_new, &first, set, 0, 1) == PHN_EINVAL);
	CHECK(phn_dedupe_set_insert(NULL, &first, set, 5, 1) == PHN_EINVAL);
	CHECK(phn_dedupe_set_insert(&is_new, &first, set, 966501234567ULL, 2) == PHN_OK);
	CHECK(is_new == 1 && first == 2);
	CHECK(phn_dedupe_set_insert(&is_new, &first, set, 966501234567ULL, 9) == PHN_OK);
	CHECK(is_new == 0 && first == 2);
	CHECK(phn_dedupe_set_insert(&is_new, NULL, set, 12025550143ULL, 3) == PHN_OK && is_new);
	CHECK(phn_dedupe_set_count(set) == 2);
	CHECK(phn_dedupe_set_contains(&found, &v, set, 12025550143ULL) == PHN_OK && found &&
	      v == 3);
	CHECK(phn_dedupe_set_contains(&found, &v, set, 12025550144ULL) == PHN_OK && !found);
	CHECK(phn_dedupe_set_contains(&found, NULL, set, 0) == PHN_OK && !found);
	{
		uint64_t keys[2];
		size_t n = 0;

		CHECK(phn_dedupe_set_keys(keys, 1, &n, set) == PHN_EBUFS && n == 2);
		CHECK(phn_dedupe_set_keys(keys, 2, &n, set) == PHN_OK && n == 2 &&
		      keys[0] == 12025550143ULL && keys[1] == 966501234567ULL);
		CHECK(phn_dedupe_set_keys(keys, 2, NULL, set) == PHN_EINVAL);
	}

	/* Growth keeps every key and its first value; keys that differ only in
	 * high or low digits must not collide into each other. */
	for (uint64_t i = 1; i <= 200000; i++) {
		uint64_t key = 966500000000ULL + i * 7919;
		CHECK_MSG(phn_dedupe_set_insert(&is_new, &first, set, key, 100 + i) == PHN_OK &&
				  is_new,
			  "key %" PRIu64, key);
		if (check_failures > 20)
			break;
	}
	CHECK(phn_dedupe_set_count(set) == 200002);
	CHECK(phn_dedupe_set_memory(set) > mem0);
	/* Half full at most: 17 bytes a slot, at most 2 slots a key, plus the struct. */
	CHECK(phn_dedupe_set_memory(set) <= 200002 * 4 * 17 + 64);
	for (uint64_t i = 1; i <= 200000; i += 997) {
		CHECK(phn_dedupe_set_insert(&is_new, &first, set, 966500000000ULL + i * 7919, 1) ==
			      PHN_OK &&
		      !is_new && first == 100 + i);
	}
	CHECK(phn_dedupe_set_contains(&found, &v, set, 966501234567ULL) == PHN_OK && found &&
	      v == 2);
	phn_dedupe_set_free(set);
	phn_dedupe_set_free(NULL);
	CHECK(phn_dedupe_set_count(NULL) == 0 && phn_dedupe_set_memory(NULL) == 0);
}

/* ---- batch parse ------------------------------------------------------ */

static void test_batch(void)
{
	static const char *const samples[] = {
		"0501234567", "+966 55 123 4567", "00966 50 123 4567", "٠٥٥١٢٣٤٥٦٧", "n/a", "",
		"+1 (202) 555-0110", "12345", "0574 123 456", "050123456789012", "+999 1234",
		"0501234567 ext. 12",
	};
	enum { N = 5000 };
	const size_t ns = sizeof samples / sizeof samples[0];
	const char **texts = malloc(N * sizeof *texts);
	phn_number *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
	char bad[] = "05\xff" "01234567";

	for (size_t i = 0; i < N; i++) {
		texts[i] = samples[(i * 7) % ns];
		phn_number_init(&a[i], PHN_NUMBER_VERSION);
		phn_number_init(&b[i], PHN_NUMBER_VERSION);
	}
	texts[17] = NULL;
	texts[18] = bad;
	CHECK(phn_number_parse_batch(a, texts, NULL, N, "SA", 1) == PHN_OK);
	CHECK(phn_number_parse_batch(b, texts, NULL, N, "sa", 4) == PHN_OK);
	for (size_t i = 0; i < N; i++)
		CHECK_MSG(same_number(&a[i], &b[i]), "item %zu differs with 4 threads", i);
	for (size_t i = 0; i < N; i++) {
		phn_number one = PHN_NUMBER_INIT;
		if (!texts[i] || texts[i] == bad)
			continue;
		phn_number_parse(&one, texts[i], "SA");
		CHECK_MSG(same_number(&one, &a[i]), "item %zu '%s'", i, texts[i]);
		if (check_failures > 20)
			break;
	}
	CHECK(a[17].status == PHN_STATUS_NOT_A_NUMBER && a[17].key == 0);
	CHECK(a[18].status == PHN_STATUS_NOT_A_NUMBER && a[18].key == 0);
	CHECK(phn_number_parse_batch(a, texts, NULL, N, "XX", 2) == PHN_EREGION);
	CHECK(phn_number_parse_batch(NULL, texts, NULL, N, "SA", 2) == PHN_EINVAL);
	CHECK(phn_number_parse_batch(a, NULL, NULL, N, "SA", 2) == PHN_EINVAL);
	CHECK(phn_number_parse_batch(NULL, NULL, NULL, 0, "SA", 2) == PHN_OK);
	a[100].version = 99;
	CHECK(phn_number_parse_batch(a, texts, NULL, N, "SA", 2) == PHN_EVERSION);
	{
		/* lens: parse a prefix of each text. */
		const char *t[2] = { "0501234567999", "+12025550110" };
		size_t lens[2] = { 10, 12 };
		phn_number r[2] = { PHN_NUMBER_INIT, PHN_NUMBER_INIT };
		CHECK(phn_number_parse_batch(r, t, lens, 2, "SA", 1) == PHN_OK);
		CHECK(strcmp(r[0].e164, "+966501234567") == 0 && r[0].status == PHN_STATUS_VALID);
		CHECK(strcmp(r[1].e164, "+12025550110") == 0);
	}
	free(texts);
	free(a);
	free(b);
}

/* ---- CSV reader, table-driven ------------------------------------------ */

static size_t unescape(char *dst, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			dst[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'n': dst[o++] = '\n'; break;
		case 'r': dst[o++] = '\r'; break;
		case 't': dst[o++] = '\t'; break;
		case 'x': {
			unsigned int v = 0;
			sscanf(s + i + 1, "%2x", &v);
			dst[o++] = (char)v;
			i += 2;
			break;
		}
		default: dst[o++] = s[i]; break;
		}
	}
	dst[o] = '\0';
	return o;
}

struct piecewise {
	const char *data;
	size_t len, pos, step;
};

static int64_t read_pieces(char *buf, size_t cap, void *payload)
{
	struct piecewise *p = payload;
	size_t n = p->len - p->pos;

	if (n > p->step)
		n = p->step;
	if (n > cap)
		n = cap;
	memcpy(buf, p->data + p->pos, n);
	p->pos += n;
	return (int64_t)n;
}

struct csv_case {
	char name[64];
	phn_csv_options opts;
	char input[1024];
	size_t input_len;
	char expect[32][256]; /* "LINE PROBLEM [f]..." as written */
	int nexpect;
	long blank; /* -1: not checked */
};

/* Render a record the way the expectations are written (fields escaped back
 * is not needed: we unescape the expectation instead). */
static void render(char *dst, size_t cap, const phn_csv_record *rec)
{
	size_t o = (size_t)snprintf(dst, cap, "%" PRIu64 " %s ", rec->line,
				    phn_csv_problem_name(rec->problem));
	if (rec->nfields == 0 && o + 2 < cap) {
		dst[o++] = '-';
	}
	for (size_t f = 0; f < rec->nfields && o + rec->lens[f] + 3 < cap; f++) {
		dst[o++] = '[';
		memcpy(dst + o, rec->fields[f], rec->lens[f]);
		o += rec->lens[f];
		dst[o++] = ']';
	}
	dst[o] = '\0';
}

static void run_csv_case(const struct csv_case *c, int step)
{
	phn_csv_reader *r = NULL;
	struct piecewise pw = { c->input, c->input_len, 0, (size_t)step };
	const phn_csv_record *rec;
	char got[512], want[512];
	int n = 0, rc;

	if (step == 0)
		rc = phn_csv_reader_from_memory(&r, c->input, c->input_len, &c->opts);
	else
		rc = phn_csv_reader_from_callback(&r, read_pieces, &pw, &c->opts);
	CHECK_MSG(rc == PHN_OK, "case %s: reader: %d", c->name, rc);
	if (rc != PHN_OK)
		return;
	while ((rc = phn_csv_reader_next(&rec, r)) == PHN_OK && rec) {
		render(got, sizeof got, rec);
		if (n < c->nexpect) {
			unescape(want, c->expect[n], strlen(c->expect[n]));
			CHECK_MSG(strcmp(got, want) == 0, "case %s (step %d) record %d: got '%s', want '%s'",
				  c->name, step, n + 1, got, want);
			/* raw + eol always give back the input bytes of a good record */
			if (rec->problem == PHN_CSV_OK && rec->offset + rec->raw_len <= c->input_len)
				CHECK_MSG(memcmp(c->input + rec->offset, rec->raw, rec->raw_len) == 0,
					  "case %s record %d: raw bytes differ", c->name, n + 1);
		} else {
			CHECK_MSG(0, "case %s (step %d): extra record '%s'", c->name, step, got);
		}
		n++;
	}
	CHECK_MSG(rc == PHN_OK, "case %s: next: %d", c->name, rc);
	CHECK_MSG(n == c->nexpect, "case %s (step %d): %d records, want %d", c->name, step, n,
		  c->nexpect);
	if (c->blank >= 0)
		CHECK_MSG((long)phn_csv_reader_blank_lines(r) == c->blank,
			  "case %s: blank lines %" PRIu64 ", want %ld", c->name,
			  phn_csv_reader_blank_lines(r), c->blank);
	CHECK(phn_csv_reader_offset(r) == c->input_len);
	phn_csv_reader_free(r);
}

static void test_csv_cases(const char *dir)
{
	char path[1024], line[1200];
	FILE *f;
	struct csv_case *c = calloc(1, sizeof *c);
	int have = 0, ncases = 0;

	snprintf(path, sizeof path, "%s/csv_cases.txt", dir);
	f = fopen(path, "r");
	CHECK_MSG(f != NULL, "cannot open %s", path);
	if (!f) {
		free(c);
		return;
	}
	for (;;) {
		char *got = fgets(line, sizeof line, f);
		size_t len;

		if (!got || strncmp(line, "case ", 5) == 0) {
			if (have) {
				for (int step = 0; step <= 7; step += (step == 0 ? 1 : 6))
					run_csv_case(c, step);
				ncases++;
			}
			if (!got)
				break;
			memset(c, 0, sizeof *c);
			c->opts = (phn_csv_options)PHN_CSV_OPTIONS_INIT;
			c->blank = -1;
			line[strcspn(line, "\n")] = '\0';
			snprintf(c->name, sizeof c->name, "%.60s", line + 5);
			have = 1;
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		len = strlen(line);
		if (strncmp(line, "input ", 6) == 0) {
			c->input_len = unescape(c->input, line + 6, len - 6);
		} else if (strncmp(line, "expect ", 7) == 0) {
			snprintf(c->expect[c->nexpect++], sizeof c->expect[0], "%.250s", line + 7);
		} else if (strncmp(line, "blank ", 6) == 0) {
			c->blank = atol(line + 6);
		} else if (strncmp(line, "options ", 8) == 0) {
			char *tok, *save = NULL;
			for (tok = strtok_r(line + 8, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
				if (strcmp(tok, "delimiter=none") == 0)
					c->opts.delimiter = '\0';
				else if (strcmp(tok, "delimiter=tab") == 0)
					c->opts.delimiter = '\t';
				else if (strncmp(tok, "delimiter=", 10) == 0)
					c->opts.delimiter = tok[10];
				else if (strncmp(tok, "max_record=", 11) == 0)
					c->opts.max_record = (size_t)atol(tok + 11);
				else if (strncmp(tok, "check=", 6) == 0)
					c->opts.check_field_count = atoi(tok + 6);
			}
		}
	}
	fclose(f);
	free(c);
	CHECK_MSG(ncases >= 20, "only %d CSV cases ran", ncases);
}

static void test_csv_api(void)
{
	phn_csv_reader *r = NULL;
	phn_csv_options bad = PHN_CSV_OPTIONS_INIT;
	const phn_csv_record *rec;

	phn_error_clear();
	CHECK(phn_csv_reader_open(&r, "/nonexistent/file.csv", NULL) == PHN_EIO && !r);
	CHECK_STR(phn_error_last(), "open '/nonexistent/file.csv': No such file or directory");
	CHECK(phn_error_last_code() == PHN_EIO);
	CHECK(phn_csv_reader_open(NULL, "x", NULL) == PHN_EINVAL);
	CHECK(phn_error_last()[0] != '\0');
	bad.version = 0;
	CHECK(phn_csv_reader_from_memory(&r, "a", 1, &bad) == PHN_EVERSION && !r);
	CHECK(strstr(phn_error_last(), "phn_csv_options version 0") != NULL);
	bad.version = PHN_CSV_OPTIONS_VERSION + 1;
	CHECK(phn_csv_reader_from_memory(&r, "a", 1, &bad) == PHN_EVERSION && !r);
	CHECK(strstr(phn_error_last(), "1 to") != NULL);
	/* every version from 1 to the current one is accepted */
	for (unsigned int v = 1; v <= PHN_CSV_OPTIONS_VERSION; v++) {
		CHECK(phn_csv_options_init(&bad, v) == PHN_OK && bad.version == v);
		CHECK(phn_csv_reader_from_memory(&r, "a", 1, &bad) == PHN_OK && r);
		phn_csv_reader_free(r);
		r = NULL;
	}
	CHECK(phn_csv_options_init(&bad, 0) == PHN_EVERSION);
	CHECK(phn_csv_options_init(NULL, 1) == PHN_EINVAL);
	CHECK(phn_csv_options_init(&bad, PHN_CSV_OPTIONS_VERSION) == PHN_OK &&
	      bad.delimiter == ',' && bad.check_field_count == 1);
	bad.delimiter = '"';
	CHECK(phn_csv_reader_from_memory(&r, "a", 1, &bad) == PHN_EINVAL && !r);
	CHECK(strstr(phn_error_last(), "delimiter") != NULL);
	/* issue 8: a directory is refused when it is opened, and says so */
	CHECK(phn_csv_reader_open(&r, "/", NULL) == PHN_EIO && !r);
	CHECK_STR(phn_error_last(), "'/' is a directory, not a file");
	CHECK(phn_csv_reader_from_memory(&r, "\xEF\xBB\xBFx\n", 5, NULL) == PHN_OK);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec && rec->raw_len == 1);
	CHECK(phn_csv_reader_had_bom(r) == 1);
	CHECK(strcmp(rec->eol, "\n") == 0);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec == NULL);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec == NULL);
	phn_csv_reader_free(r);
	phn_csv_reader_free(NULL);
	CHECK(strcmp(phn_csv_problem_name(PHN_CSV_FIELD_COUNT), "field_count") == 0);
	CHECK(strcmp(phn_csv_problem_name((phn_csv_problem)77), "unknown") == 0);
}

/* ---- column guessing, table-driven -------------------------------------- */

static void test_columns(const char *dir)
{
	char path[1024], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/columns.txt", dir);
	f = fopen(path, "r");
	CHECK_MSG(f != NULL, "cannot open %s", path);
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
		phn_clean_summary s = PHN_CLEAN_SUMMARY_INIT;
		phn_clean_row row = PHN_CLEAN_ROW_INIT;
		phn_cleaner *c = NULL;
		phn_csv_reader *r = NULL;
		const phn_csv_record *rec;
		char *tab;
		int want, rc;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (!(tab = strchr(line, '\t')))
			continue;
		*tab = '\0';
		want = strcmp(tab + 1, "none") == 0 ? -1 : atoi(tab + 1) - 1;
		o.region = "SA";
		o.header = PHN_CLEAN_HEADER_YES;
		CHECK(phn_cleaner_new(&c, &o) == PHN_OK);
		CHECK(phn_csv_reader_from_memory(&r, line, strlen(line), NULL) == PHN_OK);
		CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec);
		rc = phn_cleaner_push(&row, c, rec);
		phn_cleaner_summary(&s, c);
		if (want < 0) {
			CHECK_MSG(rc == PHN_ENOTFOUND && phn_error_last()[0],
				  "header '%s': rc %d, want PHN_ENOTFOUND", line, rc);
		} else {
			CHECK_MSG(rc == PHN_OK && row.outcome == PHN_ROW_HEADER &&
					  s.phone_column == want && s.phone_column_guessed,
				  "header '%s': column %d, want %d (rc %d)", line, s.phone_column + 1,
				  want + 1, rc);
		}
		phn_csv_reader_free(r);
		phn_cleaner_free(c);
		n++;
	}
	fclose(f);
	CHECK(n >= 15);
}

/* ---- cleaner ------------------------------------------------------------ */

static const char campaign[] =
	"id,name,phone,country\n"                  /* 1 */
	"1,A,0501234567,SA\n"                      /* 2 clean */
	"2,\"B, b\",+966 50 123 4567,SA\n"         /* 3 duplicate of 2 */
	"3,C,(202) 555-0143,US\n"                  /* 4 clean, US */
	"4,D,n/a,SA\n"                             /* 5 not_a_number */
	"5,E,,SA\n"                                /* 6 empty */
	"6,F,0579 912 345,SA\n"                    /* 7 not_valid (possible; 05799 is in no range in 8.12.57 or v9.0.35) */
	"7,G,0114657890,SA\n"                      /* 8 clean fixed line */
	"8,H,0501234567 ext. 9,SA\n"               /* 9 duplicate of 2 */
	"9,\"I\nJ\",0551112222,XX\n"               /* 10-11 bad_region */
	"10,K,0551112222\n"                        /* 12 field_count */
	"11,\"L,0561112222,SA\n"                   /* 13 malformed_csv */
	"12,M,0561112222,\n"                       /* 14 clean (blank region: default) */
	"13,N,0533334444,sa\n";                    /* 15 clean; suppressed when asked */

struct expect_row {
	uint64_t line;
	phn_row_outcome outcome;
	phn_reject_reason reason;
	uint64_t dup_of;
};

struct collect {
	struct expect_row rows[64];
	int n;
	char e164[64][24];
};

static int collect_row(const phn_clean_row *row, void *payload)
{
	struct collect *c = payload;

	if (c->n < 64) {
		c->rows[c->n].line = row->line;
		c->rows[c->n].outcome = row->outcome;
		c->rows[c->n].reason = row->reason;
		c->rows[c->n].dup_of = row->duplicate_of;
		snprintf(c->e164[c->n], sizeof c->e164[0], "%s", row->number->e164);
	}
	c->n++;
	return 0;
}

static int run_clean(struct collect *out, phn_clean_summary *sum, phn_cleaner **keep,
		     const phn_clean_options *o, const char *data, size_t len)
{
	phn_cleaner *c = NULL;
	phn_csv_reader *r = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = phn_cleaner_new(&c, o)) != PHN_OK)
		return rc;
	phn_csv_reader_from_memory(&r, data, len, NULL);
	rc = phn_cleaner_run(c, r, collect_row, out);
	phn_clean_summary_init(sum, PHN_CLEAN_SUMMARY_VERSION);
	phn_cleaner_summary(sum, c);
	phn_csv_reader_free(r);
	if (keep)
		*keep = c;
	else
		phn_cleaner_free(c);
	return rc;
}

static uint64_t count_of(const phn_cleaner *c, phn_clean_count what, unsigned int index)
{
	uint64_t n = 0;

	CHECK(phn_cleaner_count(&n, c, what, index) == PHN_OK);
	return n;
}

static void test_cleaner_campaign(void)
{
	static const struct expect_row want[] = {
		{ 1, PHN_ROW_HEADER, PHN_REJECT_NONE, 0 },
		{ 2, PHN_ROW_CLEAN, PHN_REJECT_NONE, 0 },
		{ 3, PHN_ROW_DUPLICATE, PHN_REJECT_NONE, 2 },
		{ 4, PHN_ROW_CLEAN, PHN_REJECT_NONE, 0 },
		{ 5, PHN_ROW_REJECTED, PHN_REJECT_NOT_A_NUMBER, 0 },
		{ 6, PHN_ROW_REJECTED, PHN_REJECT_EMPTY, 0 },
		{ 7, PHN_ROW_REJECTED, PHN_REJECT_NOT_VALID, 0 },
		{ 8, PHN_ROW_CLEAN, PHN_REJECT_NONE, 0 },
		{ 9, PHN_ROW_DUPLICATE, PHN_REJECT_NONE, 2 },
		{ 10, PHN_ROW_REJECTED, PHN_REJECT_BAD_REGION, 0 },
		{ 12, PHN_ROW_REJECTED, PHN_REJECT_FIELD_COUNT, 0 },
		{ 13, PHN_ROW_REJECTED, PHN_REJECT_MALFORMED_CSV, 0 },
		{ 14, PHN_ROW_CLEAN, PHN_REJECT_NONE, 0 },
		{ 15, PHN_ROW_CLEAN, PHN_REJECT_NONE, 0 },
	};
	const size_t nwant = sizeof want / sizeof want[0];
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_summary s;
	struct collect got;
	phn_cleaner *c = NULL;
	char region[4];
	uint64_t count;

	o.region = "SA";
	o.region_column = "country";
	for (unsigned int threads = 1; threads <= 3; threads += 2) {
		o.threads = threads;
		CHECK(run_clean(&got, &s, &c, &o, campaign, sizeof campaign - 1) == PHN_OK);
		CHECK_MSG(got.n == (int)nwant, "%d rows, want %zu", got.n, nwant);
		for (size_t i = 0; i < nwant && i < (size_t)got.n; i++) {
			const struct expect_row *w = &want[i], *g = &got.rows[i];
			CHECK_MSG(g->line == w->line && g->outcome == w->outcome &&
					  g->reason == w->reason && g->dup_of == w->dup_of,
				  "threads %u row %zu: line %" PRIu64 " %s/%s dup %" PRIu64
				  ", want line %" PRIu64 " %s/%s dup %" PRIu64, threads, i, g->line,
				  phn_row_outcome_name(g->outcome), phn_reject_reason_name(g->reason),
				  g->dup_of, w->line, phn_row_outcome_name(w->outcome),
				  phn_reject_reason_name(w->reason), w->dup_of);
		}
		CHECK(strcmp(got.e164[1], "+966501234567") == 0);
		CHECK(strcmp(got.e164[3], "+12025550143") == 0);
		CHECK(s.rows == 13 && s.clean == 5 && s.duplicates == 2 && s.rejected == 6);
		CHECK(s.rows == s.clean + s.rejected + s.duplicates);
		CHECK(count_of(c, PHN_CLEAN_COUNT_REJECTED, PHN_REJECT_MALFORMED_CSV) == 1);
		CHECK(count_of(c, PHN_CLEAN_COUNT_REJECTED, PHN_REJECT_FIELD_COUNT) == 1);
		CHECK(count_of(c, PHN_CLEAN_COUNT_REJECTED, PHN_REJECT_BAD_REGION) == 1);
		CHECK(count_of(c, PHN_CLEAN_COUNT_CLEAN_TYPE, PHN_TYPE_MOBILE) == 3);
		CHECK(count_of(c, PHN_CLEAN_COUNT_CLEAN_TYPE, PHN_TYPE_FIXED_LINE) == 1);
		CHECK(count_of(c, PHN_CLEAN_COUNT_CLEAN_TYPE, PHN_TYPE_FIXED_LINE_OR_MOBILE) == 1);
		CHECK(s.has_header == 1 && s.phone_column == 2 && s.phone_column_guessed == 1 &&
		      strcmp(s.phone_column_name, "phone") == 0 && s.region_column == 3);
		CHECK(phn_cleaner_region_count(region, &count, c, 0) == PHN_OK &&
		      strcmp(region, "SA") == 0 && count == 4);
		CHECK(phn_cleaner_region_count(region, &count, c, 1) == PHN_OK &&
		      strcmp(region, "US") == 0 && count == 1);
		CHECK(phn_cleaner_region_count(region, &count, c, 2) == PHN_ENOTFOUND);
		CHECK(phn_dedupe_set_count(phn_cleaner_dedupe_set(c)) == 5);
		phn_cleaner_free(c);
	}

	/* keep_possible keeps line 7; types keeps only mobiles (and the possible one). */
	o.threads = 1;
	o.keep_possible = 1;
	o.types = PHN_TYPE_BIT(PHN_TYPE_MOBILE);
	CHECK(run_clean(&got, &s, &c, &o, campaign, sizeof campaign - 1) == PHN_OK);
	CHECK(got.rows[6].line == 7 && got.rows[6].outcome == PHN_ROW_CLEAN);
	CHECK(got.rows[3].outcome == PHN_ROW_REJECTED && got.rows[3].reason == PHN_REJECT_TYPE);
	CHECK(got.rows[7].outcome == PHN_ROW_REJECTED && got.rows[7].reason == PHN_REJECT_TYPE);
	CHECK(s.clean_possible == 1 && count_of(c, PHN_CLEAN_COUNT_REJECTED, PHN_REJECT_TYPE) == 2);
	CHECK(s.rows == s.clean + s.rejected + s.duplicates);
	phn_cleaner_free(c);

	/* suppress: a set holding line 15's number */
	{
		phn_dedupe_set *sup = NULL;
		phn_number n = PHN_NUMBER_INIT;
		int is_new;

		phn_dedupe_set_new(&sup, 0);
		phn_number_parse(&n, "+966 53 333 4444", NULL);
		phn_dedupe_set_insert(&is_new, NULL, sup, n.key, 1);
		o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
		o.region = "SA";
		o.region_column_index = 3;
		o.suppress = sup;
		CHECK(run_clean(&got, &s, &c, &o, campaign, sizeof campaign - 1) == PHN_OK);
		CHECK(got.rows[13].line == 15 && got.rows[13].outcome == PHN_ROW_REJECTED &&
		      got.rows[13].reason == PHN_REJECT_SUPPRESSED);
		CHECK(count_of(c, PHN_CLEAN_COUNT_REJECTED, PHN_REJECT_SUPPRESSED) == 1 &&
		      s.clean == 4);
		phn_cleaner_free(c);
		phn_dedupe_set_free(sup);
	}
}

static void test_cleaner_errors(void)
{
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_summary s;
	struct collect got;
	phn_cleaner *c = NULL;
	static const char headerless[] = "Ali,0501234567,SA\nBob,+12025550143,US\n";
	static const char bad_header[] = "id,\"name\nphone\n";

	CHECK(phn_cleaner_new(NULL, &o) == PHN_EINVAL);
	CHECK(phn_cleaner_new(&c, NULL) == PHN_EINVAL && !c);
	o.region = "ZZZ";
	CHECK(phn_cleaner_new(&c, &o) == PHN_EREGION && !c);
	CHECK(strstr(phn_error_last(), "'ZZZ'") != NULL);
	o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
	o.version = 99;
	CHECK(phn_cleaner_new(&c, &o) == PHN_EVERSION && !c);
	CHECK(strstr(phn_error_last(), "phn_clean_options version 99") != NULL);
	o.version = 0;
	CHECK(phn_cleaner_new(&c, &o) == PHN_EVERSION && !c);
	for (unsigned int v = 1; v <= PHN_CLEAN_OPTIONS_VERSION; v++) {
		CHECK(phn_clean_options_init(&o, v) == PHN_OK && o.version == v &&
		      o.phone_column_index == -1 && o.threads == 1);
		CHECK(phn_cleaner_new(&c, &o) == PHN_OK && c);
		phn_cleaner_free(c);
		c = NULL;
	}
	o.phone_column_index = -2;
	CHECK(phn_cleaner_new(&c, &o) == PHN_EINVAL && !c);
	CHECK(strstr(phn_error_last(), "-2") != NULL);
	phn_cleaner_free(NULL);

	/* a named column that is not there */
	o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
	o.phone_column = "tel";
	CHECK(run_clean(&got, &s, &c, &o, campaign, sizeof campaign - 1) == PHN_ENOTFOUND);
	CHECK_STR(phn_error_last(), "no column named 'tel' in the header (columns: 'id', 'name', "
		  "'phone', 'country')");
	CHECK(phn_error_last_code() == PHN_ENOTFOUND);
	/* the stopped cleaner says the same again */
	phn_error_clear();
	{
		phn_clean_row row = PHN_CLEAN_ROW_INIT;
		phn_csv_record rec = { PHN_CSV_RECORD_VERSION, PHN_CSV_OK, 1, 0, 0, NULL, NULL, "",
				       0, "", 0 };
		CHECK(phn_cleaner_push(&row, c, &rec) == PHN_ENOTFOUND);
		CHECK(strstr(phn_error_last(), "'tel'") != NULL);
	}
	CHECK(got.n == 0 && s.rows == 0);
	phn_cleaner_free(c);

	/* an index past the end */
	o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
	o.phone_column_index = 9;
	CHECK(run_clean(&got, &s, NULL, &o, campaign, sizeof campaign - 1) == PHN_ENOTFOUND);

	/* headerless input: the first row is data, the column guessed from it */
	o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
	o.region = "SA";
	CHECK(run_clean(&got, &s, NULL, &o, headerless, sizeof headerless - 1) == PHN_OK);
	CHECK(got.n == 2 && got.rows[0].outcome == PHN_ROW_CLEAN && s.has_header == 0 &&
	      s.phone_column == 1 && s.clean == 2);

	/* ... and forced to be a header, the first row is not counted */
	o.header = PHN_CLEAN_HEADER_YES;
	o.phone_column_index = 1;
	CHECK(run_clean(&got, &s, NULL, &o, headerless, sizeof headerless - 1) == PHN_OK);
	CHECK(got.rows[0].outcome == PHN_ROW_HEADER && s.rows == 1 && s.clean == 1);

	/* a malformed header is an error, not a row */
	o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
	CHECK(run_clean(&got, &s, &c, &o, bad_header, sizeof bad_header - 1) == PHN_EFORMAT);
	CHECK(strstr(phn_error_last(), "header") != NULL);
	phn_cleaner_free(c);

	CHECK(strcmp(phn_reject_reason_name(PHN_REJECT_SUPPRESSED), "suppressed") == 0);
	CHECK(strcmp(phn_reject_reason_name(PHN_REJECT_TYPE), "type_not_allowed") == 0);
	CHECK(strcmp(phn_reject_reason_name((phn_reject_reason)99), "unknown") == 0);
	CHECK(strcmp(phn_row_outcome_name(PHN_ROW_DUPLICATE), "duplicate") == 0);
}

/* Many rows across many chunks: the push API on one thread and
 * phn_cleaner_run on 4 threads agree row by row. */
struct big {
	phn_row_outcome outcome;
	phn_reject_reason reason;
	uint64_t line, dup;
	char e[24];
};

struct big_sink {
	struct big *dst;
	size_t n, cap;
};

static void keep_big(struct big_sink *k, const phn_clean_row *row)
{
	if (k->n < k->cap) {
		struct big *d = &k->dst[k->n];
		d->outcome = row->outcome;
		d->reason = row->reason;
		d->line = row->line;
		d->dup = row->duplicate_of;
		snprintf(d->e, sizeof d->e, "%s", row->number->e164);
	}
	k->n++;
}

static int collect_big(const phn_clean_row *row, void *payload)
{
	keep_big(payload, row);
	return 0;
}

static void test_cleaner_threads(void)
{
	enum { ROWS = 30000 };
	size_t cap = (size_t)ROWS * 64, len = 0;
	char *data = malloc(cap);
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_cleaner *c1 = NULL, *c4 = NULL;
	phn_csv_reader *r = NULL;
	const phn_csv_record *rec;
	phn_clean_row row;
	struct big_sink a = { calloc(ROWS + 2, sizeof(struct big)), 0, ROWS + 2 };
	struct big_sink b = { calloc(ROWS + 2, sizeof(struct big)), 0, ROWS + 2 };
	phn_clean_summary s1, s4;

	len += (size_t)snprintf(data + len, cap - len, "phone,country\n");
	for (unsigned int i = 0; i < ROWS; i++) {
		unsigned int v = (i * 2654435761u) % 5000;
		unsigned int sa = 50000000 + v;
		char num[64];

		/* the same numbers in several forms, US ones, garbage, empty */
		switch (i % 7) {
		case 0: snprintf(num, sizeof num, "05%08u", sa); break;
		case 1: snprintf(num, sizeof num, "+9665%08u", sa); break;
		case 2: snprintf(num, sizeof num, "009665%08u", sa); break;
		case 3: snprintf(num, sizeof num, "5%08u x1", sa); break;
		case 4: snprintf(num, sizeof num, "bad%u", v); break;
		case 5: snprintf(num, sizeof num, "(212) 555-%04u", v % 10000); break;
		default: num[0] = '\0'; break;
		}
		len += (size_t)snprintf(data + len, cap - len, "%s,%s\n", num,
					i % 7 == 5 ? "US" : "");
	}
	o.region = "SA";
	o.region_column = "country";

	o.threads = 1;
	CHECK(phn_cleaner_new(&c1, &o) == PHN_OK);
	phn_csv_reader_from_memory(&r, data, len, NULL);
	phn_clean_row_init(&row, PHN_CLEAN_ROW_VERSION);
	while (phn_csv_reader_next(&rec, r) == PHN_OK && rec) {
		CHECK(phn_cleaner_push(&row, c1, rec) == PHN_OK);
		keep_big(&a, &row);
	}
	phn_csv_reader_free(r);

	o.threads = 4;
	CHECK(phn_cleaner_new(&c4, &o) == PHN_OK);
	phn_csv_reader_from_memory(&r, data, len, NULL);
	CHECK(phn_cleaner_run(c4, r, collect_big, &b) == PHN_OK);
	phn_csv_reader_free(r);

	CHECK(a.n == ROWS + 1 && b.n == ROWS + 1);
	for (size_t i = 0; i < a.n && i < b.n && i < a.cap; i++) {
		CHECK_MSG(memcmp(&a.dst[i], &b.dst[i], sizeof a.dst[i]) == 0, "row %zu differs", i);
		if (check_failures > 20)
			break;
	}
	phn_clean_summary_init(&s1, PHN_CLEAN_SUMMARY_VERSION);
	phn_clean_summary_init(&s4, PHN_CLEAN_SUMMARY_VERSION);
	phn_cleaner_summary(&s1, c1);
	phn_cleaner_summary(&s4, c4);
	CHECK(s1.rows == ROWS && s4.rows == ROWS);
	CHECK(s1.clean == s4.clean && s1.rejected == s4.rejected &&
	      s1.duplicates == s4.duplicates && s1.blank_lines == s4.blank_lines &&
	      s1.phone_column == s4.phone_column &&
	      strcmp(s1.phone_column_name, s4.phone_column_name) == 0);
	for (unsigned int i = 0; i < 64; i++) {
		uint64_t n1 = 0, n4 = 0;
		int rc1 = phn_cleaner_count(&n1, c1, PHN_CLEAN_COUNT_REJECTED, i);
		CHECK(rc1 == phn_cleaner_count(&n4, c4, PHN_CLEAN_COUNT_REJECTED, i) && n1 == n4);
		rc1 = phn_cleaner_count(&n1, c1, PHN_CLEAN_COUNT_CLEAN_TYPE, i);
		CHECK(rc1 == phn_cleaner_count(&n4, c4, PHN_CLEAN_COUNT_CLEAN_TYPE, i) && n1 == n4);
	}
	CHECK(s1.clean > 1000 && s1.duplicates > 1000 && s1.rejected > 1000);
	CHECK(s1.rows == s1.clean + s1.rejected + s1.duplicates);
	phn_cleaner_free(c1);
	phn_cleaner_free(c4);
	free(a.dst);
	free(b.dst);
	free(data);
}

/* ---- clean outputs and the report ---------------------------------------- */

struct membuf {
	char data[8192];
	size_t len;
	int calls;
	int fail; /* the write callback fails (returns 5) */
};

static int mem_write(const void *data, size_t len, void *payload)
{
	struct membuf *m = payload;

	m->calls++;
	if (m->fail)
		return 5;
	if (m->len + len < sizeof m->data) {
		memcpy(m->data + m->len, data, len);
		m->len += len;
		m->data[m->len] = '\0';
	}
	return 0;
}

struct outputs {
	phn_clean_writer *w[3];
	struct membuf m[3];
};

static int write_rows(const phn_clean_row *row, void *payload)
{
	struct outputs *o = payload;

	for (int i = 0; i < 3; i++) {
		int rc = phn_clean_writer_row(o->w[i], row);
		if (rc != PHN_OK)
			return rc;
	}
	return 0;
}

/* Clean data with o into the three outputs (memory), with the writer options wo. */
static int clean_to_memory(struct outputs *out, phn_cleaner **keep, const char *data,
			   size_t len, const phn_csv_options *co, const phn_clean_options *o,
			   phn_clean_writer_options *wo)
{
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	CHECK(phn_csv_reader_from_memory(&r, data, len, co) == PHN_OK);
	CHECK(phn_cleaner_new(&c, o) == PHN_OK);
	wo->reader = r;
	for (int i = 0; i < 3; i++)
		CHECK(phn_clean_writer_new(&out->w[i], (phn_clean_output)(PHN_CLEAN_OUTPUT_CLEAN + i),
					   mem_write, &out->m[i], wo) == PHN_OK);
	rc = phn_cleaner_run(c, r, write_rows, out);
	for (int i = 0; i < 3; i++) {
		CHECK(phn_clean_writer_finish(out->w[i]) == PHN_OK);
		phn_clean_writer_free(out->w[i]);
	}
	phn_csv_reader_free(r);
	if (keep)
		*keep = c;
	else
		phn_cleaner_free(c);
	return rc;
}

static void test_writer(void)
{
	/* BOM, CRLF, a quoted field with a comma, a broken quote, a short row,
	 * a duplicate, a possible number, a blank line. */
	static const char in[] =
		"\xEF\xBB\xBF" "id,name,phone\r\n"
		"1,\"Doe, J\",0501234567\r\n"
		"2,B,+966 50 123 4567\r\n"
		"3,\"C,0551112222\r\n"
		"4,D\r\n"
		"\r\n"
		"5,E,n/a\r\n"
		"6,F,0579 912 345\r\n";
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_writer_options wo = PHN_CLEAN_WRITER_OPTIONS_INIT;
	phn_clean_writer *w = NULL;
	struct outputs out;
	struct membuf m;
	phn_clean_row row = PHN_CLEAN_ROW_INIT;

	o.region = "SA";
	o.keep_possible = 1;
	wo.columns = PHN_CLEAN_COLUMN_NUMBER_STATUS;
	CHECK(clean_to_memory(&out, NULL, in, sizeof in - 1, &co, &o, &wo) == PHN_OK);
	CHECK_STR(out.m[0].data,
		  "\xEF\xBB\xBF" "id,name,phone,e164,number_type,number_status\r\n"
		  "1,\"Doe, J\",0501234567,+966501234567,mobile,valid\r\n"
		  "6,F,0579 912 345,+966579912345,unknown,possible\r\n");
	/* The runaway quote's first line keeps the CR of its CRLF inside the
	 * quoted original: the reader's bytes as they have always been. */
	CHECK_STR(out.m[1].data,
		  "\xEF\xBB\xBF" "id,name,phone,reject_reason,line\r\n"
		  "\"3,\"\"C,0551112222\r\",malformed_csv,4\r\n"
		  "4,D,field_count,5\r\n"
		  "5,E,n/a,not_a_number,7\r\n");
	CHECK_STR(out.m[2].data,
		  "\xEF\xBB\xBF" "id,name,phone,e164,duplicate_of_line\r\n"
		  "2,B,+966 50 123 4567,+966501234567,2\r\n");
	CHECK(out.m[0].calls == 1); /* one block for a small output */

	/* plain text: each line is one field, quoted when it must be; no BOM
	 * in, none out; LF endings; no header */
	{
		static const char txt[] = "0501234567\n\"050 123 4567\"\nhello, world\n";
		phn_csv_options tco = PHN_CSV_OPTIONS_INIT;
		phn_clean_writer_options two = PHN_CLEAN_WRITER_OPTIONS_INIT;

		tco.delimiter = '\0';
		two.delimiter = '\0';
		o = (phn_clean_options)PHN_CLEAN_OPTIONS_INIT;
		o.region = "SA";
		CHECK(clean_to_memory(&out, NULL, txt, sizeof txt - 1, &tco, &o, &two) == PHN_OK);
		CHECK_STR(out.m[0].data, "0501234567,+966501234567,mobile\n");
		CHECK_STR(out.m[1].data, "\"hello, world\",not_a_number,3\n");
		CHECK_STR(out.m[2].data, "\"\"\"050 123 4567\"\"\",+966501234567,1\n");
	}

	/* a semicolon list: the added columns use its delimiter */
	{
		static const char semi[] = "name;phone\nA;0501234567\n";
		phn_csv_options sco = PHN_CSV_OPTIONS_INIT;
		phn_clean_writer_options swo = PHN_CLEAN_WRITER_OPTIONS_INIT;

		sco.delimiter = swo.delimiter = ';';
		CHECK(clean_to_memory(&out, NULL, semi, sizeof semi - 1, &sco, &o, &swo) == PHN_OK);
		CHECK_STR(out.m[0].data, "name;phone;e164;number_type\nA;0501234567;+966501234567;mobile\n");
		CHECK_STR(out.m[1].data, "name;phone;reject_reason;line\n");
	}

	/* a failing write callback: PHN_EIO with a message, and it stays failed */
	memset(&m, 0, sizeof m);
	m.fail = 1;
	wo = (phn_clean_writer_options)PHN_CLEAN_WRITER_OPTIONS_INIT;
	CHECK(phn_clean_writer_new(&w, PHN_CLEAN_OUTPUT_CLEAN, mem_write, &m, &wo) == PHN_OK);
	{
		phn_number num = PHN_NUMBER_INIT;
		phn_csv_record rec = { PHN_CSV_RECORD_VERSION, PHN_CSV_OK, 1, 0, 0, NULL, NULL,
				       "phone", 5, "\n", 5 };
		row.outcome = PHN_ROW_HEADER;
		row.record = &rec;
		row.number = &num;
		CHECK(phn_clean_writer_row(w, &row) == PHN_OK); /* buffered */
		CHECK(phn_clean_writer_finish(w) == PHN_EIO);
		CHECK_STR(phn_error_last(), "writing the clean output failed (the write callback "
			  "returned 5)");
		CHECK(phn_clean_writer_row(w, &row) == PHN_EIO);
		row.version = 0;
		CHECK(phn_clean_writer_row(w, &row) == PHN_EVERSION);
		row.version = PHN_CLEAN_ROW_VERSION;
		row.record = NULL;
		CHECK(phn_clean_writer_row(w, &row) == PHN_EINVAL);
	}
	phn_clean_writer_free(w);
	phn_clean_writer_free(NULL);

	/* bad arguments */
	CHECK(phn_clean_writer_new(&w, (phn_clean_output)9, mem_write, &m, NULL) == PHN_EINVAL &&
	      !w);
	CHECK(strstr(phn_error_last(), "9") != NULL);
	CHECK(phn_clean_writer_new(&w, PHN_CLEAN_OUTPUT_CLEAN, NULL, &m, NULL) == PHN_EINVAL);
	wo.delimiter = '\n';
	CHECK(phn_clean_writer_new(&w, PHN_CLEAN_OUTPUT_CLEAN, mem_write, &m, &wo) == PHN_EINVAL);
	wo.version = PHN_CLEAN_WRITER_OPTIONS_VERSION + 1;
	CHECK(phn_clean_writer_new(&w, PHN_CLEAN_OUTPUT_CLEAN, mem_write, &m, &wo) ==
	      PHN_EVERSION && !w);
	CHECK(strstr(phn_error_last(), "phn_clean_writer_options") != NULL);
	CHECK(phn_clean_writer_finish(NULL) == PHN_EINVAL);
}

static void test_report(void)
{
	static const char in[] =
		"name,Mobile No.,land\n"
		"A,0501234567,SA\n"
		"B,050 123 4567,SA\n"
		"C,(202) 555-0143,US\n"
		"D,n/a,SA\n"
		"E,\"bad\"x,SA\n";
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_writer_options wo = PHN_CLEAN_WRITER_OPTIONS_INIT;
	phn_clean_report_options ro = PHN_CLEAN_REPORT_OPTIONS_INIT;
	struct outputs out;
	phn_cleaner *c = NULL;
	char want[2048], got[2048], small[16];
	size_t need = 0;
	phn_metadata_info mi = PHN_METADATA_INFO_INIT;

	CHECK(phn_metadata_get_info(&mi) == PHN_OK);
	o.region = "sa"; /* reported as given */
	o.region_column = "LAND";
	o.threads = 2;
	CHECK(clean_to_memory(&out, &c, in, sizeof in - 1, &co, &o, &wo) == PHN_OK);
	ro.input = "in \"q\".csv";
	ro.seconds = 1.25;
	snprintf(want, sizeof want,
		 "{\n  \"input\": \"in \\\"q\\\".csv\",\n  \"rows\": 5,\n  \"clean\": 2,\n"
		 "  \"rejected\": 2,\n  \"duplicates\": 1,\n  \"possible_kept\": 0,\n"
		 "  \"blank_lines\": 0,\n"
		 "  \"rejected_by_reason\": {\"malformed_csv\": 1, \"field_count\": 0, "
		 "\"empty\": 0, \"bad_text\": 0, \"bad_region\": 0, \"not_a_number\": 1, "
		 "\"invalid_country_code\": 0, \"too_short\": 0, \"too_long\": 0, "
		 "\"invalid_length\": 0, \"needs_region\": 0, \"local_only\": 0, "
		 "\"not_valid\": 0, \"type_not_allowed\": 0, \"suppressed\": 0, "
		 "\"too_long_record\": 0},\n"
		 "  \"by_region\": {\"SA\": 1, \"US\": 1},\n"
		 "  \"by_type\": {\"unknown\": 0, \"fixed_line\": 0, \"mobile\": 1, "
		 "\"fixed_line_or_mobile\": 1, \"toll_free\": 0, \"premium_rate\": 0, "
		 "\"shared_cost\": 0, \"voip\": 0, \"personal_number\": 0, \"pager\": 0, "
		 "\"uan\": 0, \"voicemail\": 0},\n"
		 "  \"delimiter\": \",\", \"delimiter_sniffed\": false,\n"
		 "  \"header_guessed\": true, \"first_row\": \"name,Mobile No.,land\",\n"
		 "  \"has_header\": true,\n"
		 "  \"phone_column\": {\"index\": 2, \"name\": \"Mobile No.\", \"guessed\": true},\n"
		 "  \"region_column\": 3,\n  \"region\": \"sa\",\n  \"keep_possible\": false,\n"
		 "  \"threads\": 2,\n  \"seconds\": 1.250,\n  \"metadata_version\": \"%s\",\n"
		 "  \"metadata_source\": \"%s\",\n",
		 phn_metadata_version(), phn_metadata_source_name(mi.source));
	{
		/* Which code parsed the four rows with a phone field (the malformed
		 * one is never parsed): the fast path or libphonenumber. */
		phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;
		uint64_t n[3];
		char share[32] = "null";

		for (unsigned int p = 0; p < 3; p++)
			CHECK(phn_cleaner_count(&n[p], c, PHN_CLEAN_COUNT_PARSE_PATH, p) == PHN_OK);
		CHECK(phn_cleaner_count(&n[0], c, PHN_CLEAN_COUNT_PARSE_PATH, 3) == PHN_ENOTFOUND);
		CHECK(phn_cleaner_count(&n[0], c, PHN_CLEAN_COUNT_PARSE_PATH, PHN_PATH_ENGINE) ==
		      PHN_OK);
		CHECK(n[0] + n[1] + n[2] == 4);
		CHECK(phn_fastpath_get_info(&fi) == PHN_OK);
		CHECK(fi.enabled ? n[PHN_PATH_ENGINE] == 0 : n[PHN_PATH_ENGINE] == 4);
		if (fi.enabled)
			snprintf(share, sizeof share, "%.6f", (double)n[2] / (double)(n[1] + n[2]));
		snprintf(want + strlen(want), sizeof want - strlen(want),
			 "  \"fast_path\": {\"enabled\": %s, \"reason\": \"%s\", \"parsed\": 4, "
			 "\"fast\": %" PRIu64 ", \"fallback\": %" PRIu64 ", \"engine\": %" PRIu64
			 ", \"fallback_share\": %s}\n}\n", fi.enabled ? "true" : "false", fi.reason,
			 n[1], n[2], n[0], share);
	}
	phn_error_clear();
	CHECK(phn_cleaner_report_json(got, sizeof got, &need, c, &ro) == PHN_OK);
	CHECK_STR(got, want);
	CHECK_STR(phn_error_last(), ""); /* a call that succeeds leaves no message */
	CHECK(need == strlen(want));
	CHECK(phn_cleaner_report_json(small, sizeof small, &need, c, &ro) == PHN_EBUFS);
	CHECK(need == strlen(want) && small[0] == '\0');
	CHECK(phn_cleaner_report_json(NULL, 0, &need, c, NULL) == PHN_EBUFS);
	CHECK(phn_cleaner_report_json(got, sizeof got, NULL, c, NULL) == PHN_OK);
	CHECK(strstr(got, "\"input\": \"-\"") != NULL);
	ro.version = 0;
	CHECK(phn_cleaner_report_json(got, sizeof got, NULL, c, &ro) == PHN_EVERSION);
	CHECK(phn_cleaner_report_json(got, sizeof got, NULL, NULL, NULL) == PHN_EINVAL);
	/* the getters the report reads */
	{
		uint64_t n;
		CHECK(phn_cleaner_count(&n, c, PHN_CLEAN_COUNT_REJECTED, 16) == PHN_OK && n == 0);
		CHECK(phn_cleaner_count(&n, c, PHN_CLEAN_COUNT_REJECTED, 17) == PHN_ENOTFOUND);
		CHECK(phn_cleaner_count(&n, c, PHN_CLEAN_COUNT_CLEAN_TYPE, 12) == PHN_ENOTFOUND);
		CHECK(phn_cleaner_count(&n, c, (phn_clean_count)7, 0) == PHN_EINVAL);
		CHECK(phn_cleaner_count(NULL, c, PHN_CLEAN_COUNT_REJECTED, 0) == PHN_EINVAL);
	}
	phn_cleaner_free(c);
}

/* Every versioned struct: an _init() for 1..CURRENT, PHN_EVERSION outside. */
static void test_versions(void)
{
	phn_clean_row row;
	phn_clean_summary sum;
	phn_clean_writer_options wo;
	phn_clean_report_options ro;
	phn_csv_options co;

	CHECK(phn_clean_row_init(&row, PHN_CLEAN_ROW_VERSION) == PHN_OK && row.number == NULL &&
	      row.version == PHN_CLEAN_ROW_VERSION);
	CHECK(phn_clean_row_init(&row, PHN_CLEAN_ROW_VERSION + 1) == PHN_EVERSION);
	CHECK(phn_clean_row_init(&row, 0) == PHN_EVERSION);
	CHECK(phn_clean_summary_init(&sum, PHN_CLEAN_SUMMARY_VERSION) == PHN_OK &&
	      sum.phone_column == -1 && strcmp(sum.phone_column_name, "") == 0);
	CHECK(phn_clean_summary_init(&sum, 0) == PHN_EVERSION);
	CHECK(phn_clean_summary_init(NULL, 1) == PHN_EINVAL);
	CHECK(phn_clean_writer_options_init(&wo, 1) == PHN_OK && wo.delimiter == ',' &&
	      wo.columns == 0 && wo.reader == NULL);
	/* version 1 ends before flags: init leaves it alone */
	wo.flags = 0xdead;
	CHECK(phn_clean_writer_options_init(&wo, 1) == PHN_OK && wo.flags == 0xdead);
	CHECK(phn_clean_writer_options_init(&wo, 2) == PHN_OK && wo.flags == 0 &&
	      wo.version == 2);
	CHECK(phn_clean_writer_options_init(&wo, 3) == PHN_EVERSION);
	/* phn_csv_options version 1 ends before sniff_delimiter: same rule */
	co.sniff_delimiter = 0x5eed;
	CHECK(phn_csv_options_init(&co, 1) == PHN_OK && co.sniff_delimiter == 0x5eed &&
	      co.delimiter == ',' && co.version == 1);
	CHECK(phn_csv_options_init(&co, 2) == PHN_OK && co.sniff_delimiter == 0);
	/* and phn_clean_summary version 1 ends before header_guessed */
	sum.header_guessed = 0x5eed;
	CHECK(phn_clean_summary_init(&sum, 1) == PHN_OK && sum.header_guessed == 0x5eed);
	CHECK(phn_clean_report_options_init(&ro, 1) == PHN_OK && ro.input == NULL);
	CHECK(phn_clean_report_options_init(&ro, 2) == PHN_EVERSION);
	CHECK(strstr(phn_error_last(), "phn_clean_report_options version 2") != NULL);
}

/* PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS: formula cells quoted with a ' first
 * (OWASP), plain numbers and the e164 column left as they are; without the
 * flag (or with a version-1 struct, which has none) every byte as read. */
static void test_writer_formulas(void)
{
	static const char in[] =
		"id,note,phone,amount\n"
		"1,\"=1+2\",0501234567,-12.50\n"
		"2,@x,=0551234567,+7\n"
		"3,ok,0501234567,-\n"
		"4,\"-2+3\",n/a,1\n";
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_writer_options wo = PHN_CLEAN_WRITER_OPTIONS_INIT;
	struct outputs out;

	o.region = "SA";
	CHECK(clean_to_memory(&out, NULL, in, sizeof in - 1, &co, &o, &wo) == PHN_OK);
	CHECK_STR(out.m[0].data, "id,note,phone,amount,e164,number_type\n"
				 "1,\"=1+2\",0501234567,-12.50,+966501234567,mobile\n"
				 "2,@x,=0551234567,+7,+966551234567,mobile\n");
	wo.flags = PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS;
	CHECK(clean_to_memory(&out, NULL, in, sizeof in - 1, &co, &o, &wo) == PHN_OK);
	CHECK_STR(out.m[0].data, "id,note,phone,amount,e164,number_type\n"
				 "1,\"'=1+2\",0501234567,-12.50,+966501234567,mobile\n"
				 "2,\"'@x\",\"'=0551234567\",+7,+966551234567,mobile\n");
	CHECK_STR(out.m[1].data, "id,note,phone,amount,reject_reason,line\n"
				 "4,\"'-2+3\",n/a,1,not_a_number,5\n");
	CHECK_STR(out.m[2].data, "id,note,phone,amount,e164,duplicate_of_line\n"
				 "3,ok,0501234567,\"'-\",+966501234567,2\n");
	wo.version = 1; /* an older caller: no flags field */
	CHECK(clean_to_memory(&out, NULL, in, sizeof in - 1, &co, &o, &wo) == PHN_OK);
	CHECK(strstr(out.m[0].data, "2,@x,=0551234567,+7,") != NULL);
}

/* Column names compare in full: two long names that share their first 63
 * characters are two columns, and the name comes back whole. */
static void test_long_column_names(void)
{
	char name_a[80], name_b[80], data[512];
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_summary s;
	struct collect got;
	phn_cleaner *c = NULL;
	int n;

	memset(name_a, 'x', 70);
	memcpy(name_b, name_a, 70);
	name_a[69] = 'a';
	name_b[69] = 'b';
	name_a[70] = name_b[70] = '\0';
	n = snprintf(data, sizeof data, "%s,%s\nn/a,0501234567\n", name_a, name_b);
	o.region = "SA";
	o.phone_column = name_b;
	CHECK(run_clean(&got, &s, &c, &o, data, (size_t)n) == PHN_OK);
	CHECK(s.phone_column == 1 && s.clean == 1);
	CHECK_STR(s.phone_column_name, name_b);
	phn_cleaner_free(c);
	o.phone_column = name_a;
	CHECK(run_clean(&got, &s, NULL, &o, data, (size_t)n) == PHN_OK);
	CHECK(s.phone_column == 0 && s.rejected == 1);
	/* a 70-character name with the same 63-character start is not there */
	name_a[69] = 'c';
	CHECK(run_clean(&got, &s, NULL, &o, data, (size_t)n) == PHN_ENOTFOUND);
	CHECK(strstr(phn_error_last(), name_a) != NULL);
}

/* ---- issue 8: records over the limit ------------------------------------ */

/* A quoted multi-line field over max_record is one record: cut to its first
 * max_record bytes, record_bytes says how long it was, its lines are counted
 * and the next row is read whole; the cleaner rejects it as too_long_record. */
static void test_too_long_records(void)
{
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	const phn_csv_record *rec;
	struct collect got;
	char data[4096];
	size_t len = 0;

	len += (size_t)snprintf(data + len, sizeof data - len, "phone,note\n0501234567,\"");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(data + len, sizeof data - len, "line %d of a long note\n", i);
	len += (size_t)snprintf(data + len, sizeof data - len, "end\"\n0551234567,x\n");
	co.max_record = 64;
	CHECK(phn_csv_reader_from_memory(&r, data, len, &co) == PHN_OK);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec && rec->line == 1);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec);
	if (rec) {
		CHECK(rec->line == 2 && rec->problem == PHN_CSV_TOO_LONG && rec->raw_len == 64);
		CHECK(rec->version >= 2 && rec->record_bytes == len - 11 - 1 - 13);
		CHECK(memcmp(rec->raw, data + 11, 64) == 0);
	}
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec);
	if (rec)
		CHECK(rec->line == 43 && rec->problem == PHN_CSV_OK && rec->nfields == 2);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && !rec);
	phn_csv_reader_free(r);

	/* the bounds of the option */
	co.max_record = (size_t)1 << 31;
	CHECK(phn_csv_reader_from_memory(&r, data, len, &co) == PHN_EINVAL && !r);
	CHECK(strstr(phn_error_last(), "max_record") != NULL);
	co.max_record = 64;

	o.region = "SA";
	for (unsigned int threads = 1; threads <= 2; threads++) {
		o.threads = threads;
		CHECK(phn_cleaner_new(&c, &o) == PHN_OK);
		phn_csv_reader_from_memory(&r, data, len, &co);
		memset(&got, 0, sizeof got);
		CHECK(phn_cleaner_run(c, r, collect_row, &got) == PHN_OK);
		CHECK(got.n == 3);
		CHECK(got.rows[1].line == 2 && got.rows[1].reason == PHN_REJECT_TOO_LONG_RECORD);
		CHECK(got.rows[2].line == 43 && got.rows[2].outcome == PHN_ROW_CLEAN);
		CHECK(count_of(c, PHN_CLEAN_COUNT_REJECTED, PHN_REJECT_TOO_LONG_RECORD) == 1);
		phn_csv_reader_free(r);
		phn_cleaner_free(c);
	}
	CHECK(strcmp(phn_reject_reason_name(PHN_REJECT_TOO_LONG_RECORD), "too_long_record") == 0);
}

/* Issue 8 #14: with 2 threads, a chunk that holds only zero-field (too long)
 * records made the record store do arithmetic on a NULL field array (UB,
 * found by UBSan). The rows must come out, all rejected. */
static void test_chunk_of_only_too_long_records(void)
{
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	phn_clean_summary s;
	struct collect got;
	char data[1024];
	size_t len = 0;

	len += (size_t)snprintf(data + len, sizeof data - len, "phone\n");
	for (int i = 0; i < 5; i++)
		len += (size_t)snprintf(data + len, sizeof data - len,
					"0501234567 0501234567 0501234567 0501234567\n");
	co.max_record = 16;
	o.region = "SA";
	o.threads = 2;
	CHECK(phn_cleaner_new(&c, &o) == PHN_OK);
	CHECK(phn_csv_reader_from_memory(&r, data, len, &co) == PHN_OK);
	memset(&got, 0, sizeof got);
	CHECK(phn_cleaner_run(c, r, collect_row, &got) == PHN_OK);
	CHECK(got.n == 6);
	for (int i = 1; i < got.n && i < 6; i++)
		CHECK(got.rows[i].reason == PHN_REJECT_TOO_LONG_RECORD && got.rows[i].line == (uint64_t)i + 1);
	phn_clean_summary_init(&s, PHN_CLEAN_SUMMARY_VERSION);
	phn_cleaner_summary(&s, c);
	CHECK(s.rows == 5 && s.rejected == 5);
	phn_csv_reader_free(r);
	phn_cleaner_free(c);
}

/* ---- issue 8: header guessing, odd inputs, delimiter sniffing ----------- */

static int header_of(phn_clean_summary *s, const char *data, const phn_csv_options *co,
		     const char *region, phn_clean_header header)
{
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	int rc;

	o.region = region;
	o.header = header;
	if (phn_cleaner_new(&c, &o) != PHN_OK ||
	    phn_csv_reader_from_memory(&r, data, strlen(data), co) != PHN_OK)
		return -1000;
	rc = phn_cleaner_run(c, r, NULL, NULL);
	phn_clean_summary_init(s, PHN_CLEAN_SUMMARY_VERSION);
	phn_cleaner_summary(s, c);
	/* the strings die with the cleaner: keep what the checks need */
	{
		static char row[256];
		snprintf(row, sizeof row, "%s", s->first_row);
		s->first_row = row;
		s->phone_column_name = "";
	}
	phn_csv_reader_free(r);
	phn_cleaner_free(c);
	return rc;
}

static void test_header_rule(void)
{
	phn_csv_options text = PHN_CSV_OPTIONS_INIT, csv = PHN_CSV_OPTIONS_INIT;
	phn_clean_summary s;

	text.delimiter = '\0';
	/* plain text: "n/a" first is data, never the header */
	CHECK(header_of(&s, "n/a\n0501234567\n", &text, "SA", PHN_CLEAN_HEADER_AUTO) == PHN_OK);
	CHECK(!s.has_header && !s.header_guessed && s.rows == 2);
	CHECK(header_of(&s, "phone\n0501234567\n", &text, "SA", PHN_CLEAN_HEADER_YES) == PHN_OK);
	CHECK(s.has_header && s.rows == 1);
	/* CSV without a region: a number that does not parse is still data */
	CHECK(header_of(&s, "0501234567\n0551234567\n", &csv, NULL, PHN_CLEAN_HEADER_AUTO) !=
	      -1000);
	CHECK(!s.has_header && s.header_guessed);
	CHECK_STR(s.first_row, "0501234567");
	CHECK(header_of(&s, "\xd9\xa0\xd9\xa5\xd9\xa0 123,2024-01-31\n0501234567,x\n", &csv, NULL,
			PHN_CLEAN_HEADER_AUTO) != -1000);
	CHECK(!s.has_header);
	/* names are a header, and the guess shows the row, escaped and cut */
	CHECK(header_of(&s, "phone,note\x1b[2J\n0501234567,x\n", &csv, "SA",
			PHN_CLEAN_HEADER_AUTO) == PHN_OK);
	CHECK(s.has_header && s.header_guessed && s.rows == 1);
	CHECK_STR(s.first_row, "phone,note\\x1b[2J");
	CHECK(header_of(&s, "Mobile No.,Name with a very long description that goes on and on and on\n"
			"0501234567,x\n", &csv, "SA", PHN_CLEAN_HEADER_AUTO) == PHN_OK);
	CHECK(s.has_header);
	CHECK_STR(s.first_row, "Mobile No.,Name with a very long description that goes on an...");
	CHECK(header_of(&s, "phone 2,Q3\n0501234567,x\n", &csv, "SA", PHN_CLEAN_HEADER_AUTO) ==
	      PHN_OK);
	CHECK(s.has_header);
}

static void test_odd_inputs(void)
{
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_csv_reader *r = NULL;
	const phn_csv_record *rec;
	/* "phone\n٠٥٠\n" in UTF-16 LE and BE with their byte order marks */
	static const char le[] = "\xff\xfep\0h\0o\0n\0e\0\n\0\x60\x06\x65\x06\x60\x06\n\0";
	static const char be[] = "\xfe\xff\0p\0h\0o\0n\0e\0\n\x06\x60\x06\x65\x06\x60\0\n";

	CHECK(phn_csv_reader_from_memory(&r, "\x1f\x8b\x08\0\0\0", 6, NULL) == PHN_OK);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_EFORMAT && !rec);
	CHECK_STR(phn_error_last(), "memory looks like gzip: decompress it first (gunzip)");
	phn_csv_reader_free(r);
	CHECK(phn_csv_reader_from_memory(&r, "PK\x03\x04\x14\0", 6, NULL) == PHN_OK);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_EFORMAT);
	CHECK(strstr(phn_error_last(), "looks like a zip archive (an .xlsx workbook?): export it "
				       "as CSV first") != NULL);
	phn_csv_reader_free(r);
	CHECK(phn_csv_reader_from_memory(&r, "p\0h\0o\0n\0e\0\n\0", 12, NULL) == PHN_OK);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_EFORMAT);
	CHECK(strstr(phn_error_last(), "looks like UTF-16 without a byte order mark") != NULL);
	phn_csv_reader_free(r);
	for (int k = 0; k < 2; k++) {
		for (size_t step = 0; step <= 3; step += 3) {
			struct piecewise pw = { k ? be : le, sizeof le - 1, 0, step };
			if (step)
				CHECK(phn_csv_reader_from_callback(&r, read_pieces, &pw, NULL) == PHN_OK);
			else
				CHECK(phn_csv_reader_from_memory(&r, pw.data, pw.len, NULL) == PHN_OK);
			CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec);
			if (rec)
				CHECK(rec->nfields == 1 && strcmp(rec->fields[0], "phone") == 0);
			CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec);
			if (rec)
				CHECK_MSG(rec->line == 2 && strcmp(rec->fields[0],
					  "\xd9\xa0\xd9\xa5\xd9\xa0") == 0, "utf-16 %d step %zu", k, step);
			CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && !rec);
			CHECK(phn_csv_reader_had_bom(r) == 1);
			phn_csv_reader_free(r);
		}
	}
	/* closed file descriptors */
	CHECK(phn_csv_reader_from_fd(&r, 1000, NULL) == PHN_EIO && !r);
	CHECK_STR(phn_error_last(), "file descriptor 1000 is not open");

	/* delimiter sniffing: the first of , ; TAB | that splits every line alike */
	co.sniff_delimiter = 1;
	{
		static const struct { const char *in; char want; } t[] = {
			{ "name;phone\n\"a;b\";0501234567\nc;0551234567\n", ';' },
			{ "name\tphone\nAli, Bob\t0501234567\n", '\t' },
			{ "a|b|c\n1|2|3\n", '|' },
			{ "a,b\n1,2\n", ',' },
			{ "phone\n0501234567\n", ',' },        /* one column: the option */
			{ "a;b\n1;2;3\n", ',' },               /* no consistent count */
		};
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
			CHECK(phn_csv_reader_from_memory(&r, t[i].in, strlen(t[i].in), &co) == PHN_OK);
			CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec);
			CHECK_MSG(phn_csv_reader_delimiter(r) == t[i].want, "sniff case %zu: '%c'", i,
				  phn_csv_reader_delimiter(r));
			CHECK(phn_csv_reader_delimiter_sniffed(r) == (t[i].want != ','));
			phn_csv_reader_free(r);
		}
	}
	/* version 1 options never sniff */
	co.version = 1;
	CHECK(phn_csv_reader_from_memory(&r, "a;b\n1;2\n", 8, &co) == PHN_OK);
	CHECK(phn_csv_reader_next(&rec, r) == PHN_OK && rec && rec->nfields == 1);
	CHECK(phn_csv_reader_delimiter(r) == ',');
	phn_csv_reader_free(r);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";

	test_dedupe();
	test_batch();
	test_csv_api();
	test_csv_cases(dir);
	test_columns(dir);
	test_cleaner_campaign();
	test_cleaner_errors();
	test_cleaner_threads();
	test_writer();
	test_writer_formulas();
	test_report();
	test_versions();
	test_long_column_names();
	test_too_long_records();
	test_chunk_of_only_too_long_records();
	test_header_rule();
	test_odd_inputs();
	return check_report();
}
