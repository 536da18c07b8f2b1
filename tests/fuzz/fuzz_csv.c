/*
 * Fuzz target for the CSV reader, the cleaner and the clean writer. The
 * first byte picks the options (delimiter, a tiny max_record, field-count
 * check, header mode, region, keep_possible); the rest is the input. It
 * aborts when:
 *   - reading from memory and in 3-byte pieces give different records,
 *   - a record's raw bytes are not the input's bytes at its offset, or
 *     records go backwards,
 *   - the cleaner's rows differ from rows = clean + rejected + duplicates,
 *     or 1 and 2 threads disagree (counts, every row, every output byte),
 *   - an output of phn_clean_writer, read back, does not give each row's
 *     fields (or its raw bytes as one field, when it did not parse) followed
 *     by the columns the writer adds (and the "cut_at_byte" note of a record
 *     cut at max_record), in order, for exactly that output's rows.
 * Under ctest the replay driver runs the corpus (tests/fuzz/corpus/csv);
 * tests/fuzz/run_fuzzers.sh builds it with libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
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

/* A growable byte string: one output, or a row's fields NUL-separated. */
struct bytes {
	char *p;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		if (!(b->p = realloc(b->p, b->cap)))
			abort();
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static int write_bytes(const void *data, size_t len, void *payload)
{
	bytes_add(payload, data, len);
	return 0;
}

/* What the writer needs to know of a row to predict its line. */
struct row {
	phn_row_outcome outcome;
	phn_reject_reason reason;
	phn_csv_problem problem;
	uint64_t line, duplicate_of;
	uint64_t record_bytes; /* over raw's length: the reader cut the record */
	char e164[PHN_E164_MAX + 1];
	char type[32];
	size_t nfields;
	struct bytes fields; /* each field: its length (size_t), its bytes */
	struct bytes raw;
};

struct run {
	phn_clean_writer *w[3];
	struct bytes out[3];
	struct row *rows;
	size_t nrows, cap;
};

static int on_row(const phn_clean_row *row, void *payload)
{
	struct run *run = payload;
	const phn_csv_record *rec = row->record;
	struct row *r;

	for (int i = 0; i < 3; i++)
		if (phn_clean_writer_row(run->w[i], row) != PHN_OK)
			abort();
	if (run->nrows == run->cap) {
		run->cap = run->cap ? run->cap * 2 : 16;
		if (!(run->rows = realloc(run->rows, run->cap * sizeof *run->rows)))
			abort();
	}
	r = &run->rows[run->nrows++];
	memset(r, 0, sizeof *r);
	r->outcome = row->outcome;
	r->reason = row->reason;
	r->problem = rec->problem;
	r->line = row->line;
	r->duplicate_of = row->duplicate_of;
	if (row->number) {
		snprintf(r->e164, sizeof r->e164, "%s", row->number->e164);
		snprintf(r->type, sizeof r->type, "%s",
			 row->number->status == PHN_STATUS_VALID ? phn_type_name(row->number->type)
								 : "unknown");
	}
	r->nfields = rec->nfields;
	r->record_bytes = rec->record_bytes;
	bytes_add(&r->fields, "", 0);
	for (size_t f = 0; f < rec->nfields; f++) {
		bytes_add(&r->fields, &rec->lens[f], sizeof rec->lens[f]);
		bytes_add(&r->fields, rec->fields[f], rec->lens[f]);
	}
	bytes_add(&r->raw, rec->raw, rec->raw_len);
	return 0;
}

static void run_dispose(struct run *run)
{
	for (int i = 0; i < 3; i++) {
		phn_clean_writer_free(run->w[i]);
		free(run->out[i].p);
	}
	for (size_t i = 0; i < run->nrows; i++) {
		free(run->rows[i].fields.p);
		free(run->rows[i].raw.p);
	}
	free(run->rows);
}

static int clean(phn_clean_summary *s, struct run *run, const char *in, size_t size,
		 const phn_csv_options *co, const phn_clean_options *o)
{
	phn_clean_writer_options wo = PHN_CLEAN_WRITER_OPTIONS_INIT;
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	int rc;

	memset(run, 0, sizeof *run);
	if (phn_csv_reader_from_memory(&r, in, size, co) != PHN_OK ||
	    phn_cleaner_new(&c, o) != PHN_OK)
		abort();
	wo.delimiter = co->delimiter;
	wo.reader = r;
	for (int i = 0; i < 3; i++)
		if (phn_clean_writer_new(&run->w[i], (phn_clean_output)(i + 1), write_bytes,
					 &run->out[i], &wo) != PHN_OK)
			abort();
	rc = phn_cleaner_run(c, r, on_row, run);
	for (int i = 0; i < 3; i++)
		if (phn_clean_writer_finish(run->w[i]) != PHN_OK)
			abort();
	*s = (phn_clean_summary)PHN_CLEAN_SUMMARY_INIT;
	phn_cleaner_summary(s, c);
	phn_cleaner_free(c);
	phn_csv_reader_free(r);
	return rc;
}

static void expect_field(const phn_csv_record *rec, size_t i, const char *s, size_t len)
{
	if (i >= rec->nfields || rec->lens[i] != len || memcmp(rec->fields[i], s, len) != 0)
		abort();
}

/* Read output i back and match it with the rows that went there. */
static void check_output(const struct run *run, int i, const phn_csv_options *co)
{
	static const phn_row_outcome outcome[3] = { PHN_ROW_CLEAN, PHN_ROW_REJECTED,
						    PHN_ROW_DUPLICATE };
	phn_csv_options ro = PHN_CSV_OPTIONS_INIT;
	phn_csv_reader *r = NULL;
	const phn_csv_record *rec;

	ro.delimiter = co->delimiter ? co->delimiter : ',';
	ro.check_field_count = 0;
	if (phn_csv_reader_from_memory(&r, run->out[i].p ? run->out[i].p : "", run->out[i].len,
				       &ro) != PHN_OK)
		abort();
	for (size_t n = 0; n < run->nrows; n++) {
		const struct row *row = &run->rows[n];
		char a[32], b[32];
		size_t nf;
		int cut;

		if (row->outcome != PHN_ROW_HEADER && row->outcome != outcome[i])
			continue;
		if (phn_csv_reader_next(&rec, r) != PHN_OK || !rec || rec->problem != PHN_CSV_OK)
			abort();
		if (co->delimiter && (row->problem == PHN_CSV_OK ||
				      row->problem == PHN_CSV_FIELD_COUNT)) {
			const char *f = row->fields.p;

			nf = row->nfields;
			for (size_t j = 0; j < nf; j++) {
				size_t len;

				memcpy(&len, f, sizeof len);
				expect_field(rec, j, f + sizeof len, len);
				f += sizeof len + len;
			}
		} else {
			nf = 1;
			expect_field(rec, 0, row->raw.p, row->raw.len);
		}
		/* A cut record's reject line says where it was cut. */
		cut = i == 1 && row->record_bytes > row->raw.len;
		if (rec->nfields != nf + 2 + cut)
			abort();
		if (cut) {
			char note[80];

			snprintf(note, sizeof note, "cut_at_byte=%zu of %llu bytes", row->raw.len,
				 (unsigned long long)row->record_bytes);
			expect_field(rec, nf + 2, note, strlen(note));
		}
		if (row->outcome == PHN_ROW_HEADER) {
			static const char *const names[3][2] = { { "e164", "number_type" },
								 { "reject_reason", "line" },
								 { "e164", "duplicate_of_line" } };
			snprintf(a, sizeof a, "%s", names[i][0]);
			snprintf(b, sizeof b, "%s", names[i][1]);
		} else if (i == 0) {
			snprintf(a, sizeof a, "%s", row->e164);
			snprintf(b, sizeof b, "%s", row->type);
		} else if (i == 1) {
			snprintf(a, sizeof a, "%s", phn_reject_reason_name(row->reason));
			snprintf(b, sizeof b, "%llu", (unsigned long long)row->line);
		} else {
			snprintf(a, sizeof a, "%s", row->e164);
			snprintf(b, sizeof b, "%llu", (unsigned long long)row->duplicate_of);
		}
		expect_field(rec, nf, a, strlen(a));
		expect_field(rec, nf + 1, b, strlen(b));
	}
	if (phn_csv_reader_next(&rec, r) != PHN_OK || rec)
		abort();
	phn_csv_reader_free(r);
}

static int same_rows(const struct run *a, const struct run *b)
{
	if (a->nrows != b->nrows)
		return 0;
	for (size_t i = 0; i < a->nrows; i++) {
		const struct row *x = &a->rows[i], *y = &b->rows[i];

		if (x->outcome != y->outcome || x->reason != y->reason || x->line != y->line ||
		    x->duplicate_of != y->duplicate_of || strcmp(x->e164, y->e164) != 0 ||
		    x->raw.len != y->raw.len || memcmp(x->raw.p, y->raw.p, x->raw.len) != 0)
			return 0;
	}
	for (int i = 0; i < 3; i++)
		if (a->out[i].len != b->out[i].len ||
		    (a->out[i].len && memcmp(a->out[i].p, b->out[i].p, a->out[i].len) != 0))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { ',', ';', '\t', '\0' };
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	phn_clean_summary s1, s2;
	struct run run1, run2;
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
	rc1 = clean(&s1, &run1, in, size, &co, &o);
	o.threads = 2;
	rc2 = clean(&s2, &run2, in, size, &co, &o);
	if (rc1 != rc2)
		abort();
	if (rc1 == PHN_OK) {
		if (s1.rows != s1.clean + s1.rejected + s1.duplicates ||
		    s1.rows + (uint64_t)s1.has_header != na || s1.rows != s2.rows ||
		    s1.clean != s2.clean || s1.rejected != s2.rejected ||
		    s1.duplicates != s2.duplicates || run1.nrows != na)
			abort();
		if (!same_rows(&run1, &run2))
			abort();
		for (int i = 0; i < 3; i++)
			check_output(&run1, i, &co);
	} else if (rc1 != PHN_ENOTFOUND && rc1 != PHN_EFORMAT) {
		abort();
	}
	run_dispose(&run1);
	run_dispose(&run2);
	return 0;
}
