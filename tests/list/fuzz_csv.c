/*
 * Fuzz target for the CSV reader and the cleaner. The first byte picks the
 * options (delimiter, a tiny max_record, header mode, threads); the rest is
 * the input. It aborts when:
 *   - reading from memory and in 3-byte pieces give different records,
 *   - a record's raw bytes are not the input's bytes at its offset, or
 *     records go backwards,
 *   - the cleaner's rows differ from rows = clean + rejected + duplicates,
 *     or 1 and 2 threads disagree.
 * In ctest the replay driver runs the seed corpus; with clang:
 *   clang -fsanitize=fuzzer,address -Iinclude tests/list/fuzz_csv.c \
 *         -Lbuild/src -lphonenorm -o fuzz_csv && ./fuzz_csv tests/list/fuzz_corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pieces {
	const char *data;
	size_t len, pos;
};

static int64_t read3(char *buf, size_t cap, void *payload)
{
	struct pieces *p = payload;
	size_t n = p->len - p->pos;

	if (n > 3)
		n = 3;
	if (n > cap)
		n = cap;
	memcpy(buf, p->data + p->pos, n);
	p->pos += n;
	return (int64_t)n;
}

/* A copy of one record, to compare two readers. */
struct rec {
	uint64_t line, offset;
	phn_csv_problem problem;
	size_t nfields, raw_len, fields_len;
	char *raw, *fields;
};

static size_t collect(struct rec **out, phn_csv_reader *r, const char *in, size_t size)
{
	const phn_csv_record *rec;
	struct rec *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t last_line = 0, last_off = 0;

	while (phn_csv_reader_next(&rec, r) == PHN_OK && rec) {
		size_t flen = 0;
		if (rec->line <= last_line && n > 0)
			abort();
		if (rec->offset < last_off || rec->offset + rec->raw_len > size ||
		    memcmp(in + rec->offset, rec->raw, rec->raw_len) != 0)
			abort();
		last_line = rec->line;
		last_off = rec->offset;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof *v);
			if (!v)
				abort();
		}
		for (size_t f = 0; f < rec->nfields; f++) {
			if (rec->fields[f][rec->lens[f]] != '\0')
				abort();
			flen += rec->lens[f] + 1;
		}
		v[n].line = rec->line;
		v[n].offset = rec->offset;
		v[n].problem = rec->problem;
		v[n].nfields = rec->nfields;
		v[n].raw_len = rec->raw_len;
		v[n].fields_len = flen;
		v[n].raw = malloc(rec->raw_len + 1);
		v[n].fields = malloc(flen + 1);
		if (!v[n].raw || !v[n].fields)
			abort();
		memcpy(v[n].raw, rec->raw, rec->raw_len);
		flen = 0;
		for (size_t f = 0; f < rec->nfields; f++) {
			memcpy(v[n].fields + flen, rec->fields[f], rec->lens[f] + 1);
			flen += rec->lens[f] + 1;
		}
		n++;
	}
	*out = v;
	return n;
}

static void free_recs(struct rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].raw);
		free(v[i].fields);
	}
	free(v);
}

static int clean(phn_clean_summary *s, const char *in, size_t size, const phn_csv_options *co,
		 const phn_clean_options *o)
{
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	int rc;

	if (phn_csv_reader_from_memory(&r, in, size, co) != PHN_OK ||
	    phn_cleaner_new(&c, o) != PHN_OK)
		abort();
	rc = phn_cleaner_run(c, r, NULL, NULL);
	*s = (phn_clean_summary)PHN_CLEAN_SUMMARY_INIT;
	phn_cleaner_summary(s, c);
	phn_cleaner_free(c);
	phn_csv_reader_free(r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t', '\0' };
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_summary s1, s2;
	phn_csv_reader *r = NULL;
	struct pieces pw;
	struct rec *a, *b;
	size_t na, nb;
	const char *in;
	int rc1, rc2;

	if (size < 1)
		return 0;
	co.delimiter = delims[data[0] & 3];
	co.max_record = (data[0] & 4) ? 24 : 0;
	co.check_field_count = !(data[0] & 8);
	o.header = (phn_clean_header)((data[0] >> 4) % 3);
	o.region = (data[0] & 64) ? "SA" : NULL;
	o.keep_possible = (data[0] >> 7) & 1;
	in = (const char *)data + 1;
	size--;

	if (phn_csv_reader_from_memory(&r, in, size, &co) != PHN_OK)
		abort();
	na = collect(&a, r, in, size);
	phn_csv_reader_free(r);
	pw.data = in;
	pw.len = size;
	pw.pos = 0;
	if (phn_csv_reader_from_callback(&r, read3, &pw, &co) != PHN_OK)
		abort();
	nb = collect(&b, r, in, size);
	phn_csv_reader_free(r);
	if (na != nb)
		abort();
	for (size_t i = 0; i < na; i++) {
		if (a[i].line != b[i].line || a[i].offset != b[i].offset ||
		    a[i].problem != b[i].problem || a[i].nfields != b[i].nfields ||
		    a[i].raw_len != b[i].raw_len || a[i].fields_len != b[i].fields_len ||
		    memcmp(a[i].raw, b[i].raw, a[i].raw_len) != 0 ||
		    memcmp(a[i].fields, b[i].fields, a[i].fields_len) != 0)
			abort();
	}
	free_recs(a, na);
	free_recs(b, nb);

	o.threads = 1;
	rc1 = clean(&s1, in, size, &co, &o);
	o.threads = 2;
	rc2 = clean(&s2, in, size, &co, &o);
	if (rc1 != rc2)
		abort();
	if (rc1 == PHN_OK) {
		if (s1.rows != s1.clean + s1.rejected + s1.duplicates ||
		    s1.rows + (uint64_t)s1.has_header != na || s1.rows != s2.rows ||
		    s1.clean != s2.clean || s1.rejected != s2.rejected ||
		    s1.duplicates != s2.duplicates)
			abort();
	} else if (rc1 != PHN_ENOTFOUND && rc1 != PHN_EFORMAT) {
		abort();
	}
	return 0;
}
