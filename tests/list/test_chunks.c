/*
 * The threaded cleaner's chunks (issue 12: no copy per row). The reader
 * decodes records straight into a chunk's store (phn_csv_reader_next_into(),
 * src/list/records.h) and leaves their raw bytes in its own buffer. This
 * checks, against phn_csv_reader_next() on the same bytes:
 *   - every record comes out the same (fields, raw bytes, line, offset,
 *     problem, line ending, record_bytes), over many chunk sizes and read
 *     sizes, quoted fields over lines, CRLF and CR, blank lines, malformed
 *     and too long records, UTF-16 input, and a read error;
 *   - no record is copied: the fields lie in the chunk's arena, the raw bytes
 *     outside it, back to back as in the input; only records cut at
 *     max_record (whose bytes sit in a buffer the next one reuses) are in
 *     the arena;
 *   - a chunk's views stay valid while the next chunk fills;
 * and that phn_cleaner_run() gives the same bytes in every output on one
 * and two threads for such an input read in small pieces.
 *
 * Like test_journal, it includes a layer's internal header through the
 * layer's include directory and links the static library
 * (tests/layers/layers.txt).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "check.h"
#include "list/records.h"

/* ---- the input ------------------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* rows records of every shape the reader knows; with long_ones, records
 * over 200 bytes too (plain, quoted over lines, malformed over lines). */
static void gen(struct buf *b, uint32_t seed, int rows, int long_ones)
{
	uint32_t s = seed;
	char line[512];

	puts_(b, "phone,name,note\n");
	for (int i = 0; i < rows; i++) {
		unsigned int v = rnd(&s) % 100000;
		const char *eol = (v % 11 == 0) ? "\r\n" : (v % 37 == 0) ? "\r" : "\n";

		switch (rnd(&s) % (long_ones ? 16 : 13)) {
		case 0: snprintf(line, sizeof line, "05%08u,plain %u,x%s", 50000000 + v, i, eol); break;
		case 1: snprintf(line, sizeof line, "\"+9665%08u\",\"a, b\",\"c\"\"d\"%s", v, eol); break;
		case 2: snprintf(line, sizeof line, "0501%06u,\"two\nlines\",\"x\r\ny\"%s", v, eol); break;
		case 3: snprintf(line, sizeof line, "%s", eol); break; /* blank */
		case 4: snprintf(line, sizeof line, "0555%06u,only two%s", v, eol); break;
		case 5: snprintf(line, sizeof line, "\"0501%06u\"junk,b,c%s", v, eol); break;
		case 6: snprintf(line, sizeof line, "\"05%08u,\"open,\nnext,line,here%s", v, eol); break;
		case 7: snprintf(line, sizeof line, "(212) 555-%04u,\"\",%s", v % 10000, eol); break;
		case 8: snprintf(line, sizeof line, "\"\",\"\",\"\"%s", eol); break;
		case 9: snprintf(line, sizeof line, "x,y,\"quoted \"\"%u\"\" end\"%s", v, eol); break;
		case 10: snprintf(line, sizeof line, "0501%06u,\xc3\xa9t\xc3\xa9,\xe2\x82\xac%s", v, eol); break;
		case 11: snprintf(line, sizeof line, "a,b,c,d,e,f%s", eol); break;
		case 12: snprintf(line, sizeof line, "05%08u,,%s", 50000000 + v, eol); break;
		case 13: /* long, plain */
			snprintf(line, sizeof line, "0501%06u,%0300u,z%s", v, v, eol);
			break;
		case 14: /* long, quoted over lines, well formed */
			snprintf(line, sizeof line, "0501%06u,\"%0150u\n%0150u\",z%s", v, v, v, eol);
			break;
		default: /* long, malformed over lines: reading resumes on its 2nd line */
			snprintf(line, sizeof line, "0501%06u,\"%0250u\"bad\n0502%06u,n,m%s", v, v, v,
				 eol);
			break;
		}
		puts_(b, line);
	}
	puts_(b, "0501234567,last,no line end");
}

/* UTF-16LE with a byte order mark (the input is ASCII and UTF-8: encode
 * each byte as a unit for ASCII, U+FFFD-free UTF-8 sequences decoded). */
static void to_utf16(struct buf *out, const struct buf *in)
{
	const unsigned char *p = (const unsigned char *)in->p;

	put(out, "\xFF\xFE", 2);
	for (size_t i = 0; i < in->len;) {
		uint32_t cp;
		char u[2];

		if (p[i] < 0x80) {
			cp = p[i++];
		} else if ((p[i] & 0xE0) == 0xC0) {
			cp = (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
			i += 2;
		} else {
			cp = (uint32_t)(p[i] & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 |
			     (p[i + 2] & 0x3F);
			i += 3;
		}
		u[0] = (char)(cp & 0xFF);
		u[1] = (char)(cp >> 8);
		put(out, u, 2);
	}
}

/* ---- sources -------------------------------------------------------------- */

struct pieces {
	const char *data;
	size_t len, pos;
	size_t piece;  /* bytes per read; 0: random */
	size_t fail_at; /* the read that would pass this offset fails; 0: never */
	uint32_t seed;
};

static int64_t read_pieces(char *dst, size_t cap, void *payload)
{
	struct pieces *p = payload;
	size_t n = p->piece ? p->piece : 1 + rnd(&p->seed) % 700;

	if (n > cap)
		n = cap;
	if (n > p->len - p->pos)
		n = p->len - p->pos;
	if (p->fail_at && p->pos + n > p->fail_at)
		return -1;
	memcpy(dst, p->data + p->pos, n);
	p->pos += n;
	return (int64_t)n;
}

static phn_csv_reader *open_src(struct pieces *pw, const struct buf *in, size_t piece,
				size_t fail_at, const phn_csv_options *co)
{
	phn_csv_reader *r = NULL;

	if (piece == SIZE_MAX) {
		CHECK(phn_csv_reader_from_memory(&r, in->p, in->len, co) == PHN_OK);
		return r;
	}
	memset(pw, 0, sizeof *pw);
	pw->data = in->p;
	pw->len = in->len;
	pw->piece = piece;
	pw->fail_at = fail_at;
	pw->seed = 12345u + (uint32_t)piece;
	CHECK(phn_csv_reader_from_callback(&r, read_pieces, pw, co) == PHN_OK);
	return r;
}

/* ---- what phn_csv_reader_next() gives ------------------------------------- */

struct rec {
	phn_csv_record r; /* pointers into the copies below */
	char *raw;
	char **fields;
	size_t *lens;
};

struct expect {
	struct rec *recs;
	size_t n;
	int rc;           /* of the call that ended the reading */
	char msg[256];    /* and its message */
};

static void expect_read(struct expect *e, phn_csv_reader *r)
{
	const phn_csv_record *rec;
	size_t cap = 0;

	memset(e, 0, sizeof *e);
	while ((e->rc = phn_csv_reader_next(&rec, r)) == PHN_OK && rec) {
		struct rec *x;

		if (e->n == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(e->recs = realloc(e->recs, cap * sizeof *e->recs)))
				abort();
		}
		x = &e->recs[e->n++];
		x->r = *rec;
		x->raw = malloc(rec->raw_len + 1);
		x->fields = calloc(rec->nfields + 1, sizeof *x->fields);
		x->lens = calloc(rec->nfields + 1, sizeof *x->lens);
		if (!x->raw || !x->fields || !x->lens)
			abort();
		memcpy(x->raw, rec->raw, rec->raw_len);
		for (size_t f = 0; f < rec->nfields; f++) {
			x->lens[f] = rec->lens[f];
			if (!(x->fields[f] = malloc(rec->lens[f] + 1)))
				abort();
			memcpy(x->fields[f], rec->fields[f], rec->lens[f] + 1);
		}
	}
	if (e->rc != PHN_OK)
		snprintf(e->msg, sizeof e->msg, "%s", phn_error_last());
}

static void expect_free(struct expect *e)
{
	for (size_t i = 0; i < e->n; i++) {
		for (size_t f = 0; f < e->recs[i].r.nfields; f++)
			free(e->recs[i].fields[f]);
		free(e->recs[i].fields);
		free(e->recs[i].lens);
		free(e->recs[i].raw);
	}
	free(e->recs);
}

static int inside(const void *p, const void *base, size_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;

	return base && a >= b && a < b + len;
}

/* Records [first, first + s->n) of e against the chunk s. copies counts the
 * records whose raw bytes are in the arena. */
static int same_chunk(const phn_recstore *s, const struct expect *e, size_t first, size_t *copies,
		      const char *what)
{
	const phn_csv_record *prev = NULL;

	for (size_t i = 0; i < s->n; i++) {
		const phn_csv_record *g = &s->recs[i];
		const struct rec *w;
		int arena;

		if (first + i >= e->n) {
			CHECK_MSG(0, "%s: more records than phn_csv_reader_next() gives", what);
			return 0;
		}
		w = &e->recs[first + i];
		CHECK_MSG(g->line == w->r.line && g->offset == w->r.offset &&
			  g->problem == w->r.problem && g->nfields == w->r.nfields &&
			  g->raw_len == w->r.raw_len && strcmp(g->eol, w->r.eol) == 0 &&
			  g->record_bytes == w->r.record_bytes && g->version == w->r.version &&
			  memcmp(g->raw, w->raw, g->raw_len) == 0,
			  "%s: record %zu (line %" PRIu64 ") differs", what, first + i, w->r.line);
		for (size_t f = 0; f < g->nfields && f < w->r.nfields; f++) {
			CHECK_MSG(g->lens[f] == w->lens[f] &&
				  memcmp(g->fields[f], w->fields[f], w->lens[f] + 1) == 0 &&
				  inside(g->fields[f], s->bytes, s->len),
				  "%s: record %zu field %zu", what, first + i, f);
		}
		arena = inside(g->raw, s->bytes, s->len);
		if (arena) {
			/* Only a record cut at max_record (or the first line of
			 * one that turned out malformed) is copied. */
			CHECK_MSG(g->problem == PHN_CSV_TOO_LONG ||
				  g->problem == PHN_CSV_UNTERMINATED_QUOTE,
				  "%s: record %zu copied", what, first + i);
			++*copies;
		} else {
			/* Back to back, where the reader read them. */
			if (prev)
				CHECK_MSG(g->raw - prev->raw == (ptrdiff_t)(g->offset - prev->offset),
					  "%s: record %zu is not in the reader's buffer", what,
					  first + i);
			prev = g;
		}
		if (check_failures > 20)
			return 0;
	}
	return 1;
}

/*
 * Read in with phn_csv_reader_next_into() into two chunks taken in turn, as
 * the threaded cleaner does, a chunk being full at full_rows records; check
 * each chunk, and the one before it again once it is filled.
 */
static void check_chunks(const struct buf *in, size_t piece, size_t fail_at, size_t full_rows,
			 const phn_csv_options *co, size_t *copies_out)
{
	struct pieces pw;
	struct expect e;
	phn_recstore st[2];
	phn_csv_reader *r;
	size_t done = 0, prev_first = 0, prev_n = 0, copies = 0, nchunks = 0;
	int cur = 0, have_prev = 0, rc = PHN_OK;
	char what[96];

	snprintf(what, sizeof what, "piece %zu full %zu fail %zu max %zu", piece, full_rows, fail_at,
		 co->max_record);
	if (!(r = open_src(&pw, in, piece, fail_at, co)))
		return;
	expect_read(&e, r);
	phn_csv_reader_free(r);
	if (!(r = open_src(&pw, in, piece, fail_at, co)))
		return;
	memset(st, 0, sizeof st);
	for (;;) {
		phn_recstore *s = &st[cur];
		int got;

		phn_recstore_clear(s);
		do
			rc = phn_csv_reader_next_into(&got, r, s, s->n >= full_rows);
		while (rc == PHN_OK && got);
		phn_recstore_views(s);
		nchunks++;
		if (!same_chunk(s, &e, done, &copies, what))
			break;
		if (have_prev) {
			size_t ignore = 0;

			/* The previous chunk while this one filled: still there. */
			if (!same_chunk(&st[!cur], &e, prev_first, &ignore, what))
				break;
		}
		if (rc != PHN_OK || s->n == 0)
			break;
		/* Only a long record ends a chunk before it is full (it starts
		 * the next one), and the end of the input. */
		CHECK_MSG(!have_prev || prev_n >= full_rows || co->max_record < 1024,
			  "%s: a chunk of %zu records ended early", what, prev_n);
		prev_n = s->n;
		prev_first = done;
		done += s->n;
		have_prev = 1;
		cur = !cur;
	}
	CHECK_MSG(done + (rc == PHN_OK ? 0 : st[cur].n) == e.n, "%s: %zu records, want %zu", what,
		  done + (rc == PHN_OK ? 0 : st[cur].n), e.n);
	CHECK_MSG(rc == e.rc, "%s: rc %d, want %d", what, rc, e.rc);
	if (rc != PHN_OK)
		CHECK_MSG(strcmp(phn_error_last(), e.msg) == 0, "%s: '%s', want '%s'", what,
			  phn_error_last(), e.msg);
	if (full_rows < e.n / 4)
		CHECK_MSG(nchunks > 2, "%s: %zu chunks", what, nchunks);
	if (copies_out)
		*copies_out += copies;
	phn_recstore_free(&st[0]);
	phn_recstore_free(&st[1]);
	phn_csv_reader_free(r);
	expect_free(&e);
}

static void test_chunks(void)
{
	static const size_t pieces[] = { SIZE_MAX, 1, 3, 64, 4096, 1u << 20, 0 };
	static const size_t fulls[] = { 1, 7, 500, 1000000 };
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	struct buf plain = { 0 }, longs = { 0 }, u16 = { 0 };
	size_t copies;

	gen(&plain, 7, 3000, 0);
	gen(&longs, 11, 3000, 1);
	to_utf16(&u16, &plain);

	/* No record over max_record: nothing copied, ever. */
	for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
		for (size_t f = 0; f < sizeof fulls / sizeof *fulls; f++) {
			copies = 0;
			check_chunks(&plain, pieces[p], 0, fulls[f], &co, &copies);
			CHECK_MSG(copies == 0, "%zu records copied", copies);
			copies = 0;
			check_chunks(&u16, pieces[p], 0, fulls[f], &co, &copies);
			CHECK_MSG(copies == 0, "UTF-16: %zu records copied", copies);
		}
	}
	/* Records over max_record (200): each starts a chunk, read through a
	 * temporary file when it spans reads and lines; only they are copied. */
	co.max_record = 200;
	for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
		for (size_t f = 0; f < sizeof fulls / sizeof *fulls; f++) {
			copies = 0;
			check_chunks(&longs, pieces[p], 0, fulls[f], &co, &copies);
			CHECK(copies > 100);
		}
	}
	/* A read error part way: the same records before it, the same error. */
	co.max_record = 0;
	check_chunks(&plain, 64, plain.len / 2, 7, &co, NULL);
	check_chunks(&plain, 0, plain.len / 3, 500, &co, NULL);
	co.max_record = 200;
	check_chunks(&longs, 4096, longs.len / 2, 7, &co, NULL);
	free(plain.p);
	free(longs.p);
	free(u16.p);
}

/* ---- the cleaner: one and two threads, the same bytes --------------------- */

struct out {
	struct buf b[3];
	phn_clean_writer *w[3];
};

static int write_buf(const void *data, size_t len, void *payload)
{
	put(payload, data, len);
	return 0;
}

static int on_row(const phn_clean_row *row, void *payload)
{
	struct out *o = payload;

	for (int i = 0; i < 3; i++) {
		int rc = phn_clean_writer_row(o->w[i], row);
		if (rc != PHN_OK)
			return rc;
	}
	return 0;
}

static int clean(struct out *o, phn_clean_summary *s, const struct buf *in, size_t piece,
		 unsigned int threads, const phn_csv_options *co)
{
	phn_clean_writer_options wo = PHN_CLEAN_WRITER_OPTIONS_INIT;
	phn_clean_options opts = PHN_CLEAN_OPTIONS_INIT;
	phn_cleaner *c = NULL;
	struct pieces pw;
	phn_csv_reader *r = open_src(&pw, in, piece, 0, co);
	int rc;

	memset(o, 0, sizeof *o);
	opts.region = "SA";
	opts.threads = threads;
	CHECK(phn_cleaner_new(&c, &opts) == PHN_OK);
	wo.reader = r;
	for (int i = 0; i < 3; i++) {
		put(&o->b[i], "", 0);
		CHECK(phn_clean_writer_new(&o->w[i], (phn_clean_output)(PHN_CLEAN_OUTPUT_CLEAN + i),
					   write_buf, &o->b[i], &wo) == PHN_OK);
	}
	rc = phn_cleaner_run(c, r, on_row, o);
	for (int i = 0; i < 3; i++) {
		CHECK(phn_clean_writer_finish(o->w[i]) == PHN_OK);
		phn_clean_writer_free(o->w[i]);
	}
	phn_clean_summary_init(s, PHN_CLEAN_SUMMARY_VERSION);
	phn_cleaner_summary(s, c);
	s->phone_column_name = NULL; /* dies with the cleaner */
	s->first_row = NULL;
	phn_cleaner_free(c);
	phn_csv_reader_free(r);
	return rc;
}

static void test_cleaner_bytes(void)
{
	static const size_t pieces[] = { SIZE_MAX, 7, 0, 1u << 20 };
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	struct buf in = { 0 };

	/* Over 8192 rows: several chunks of the threaded cleaner. */
	gen(&in, 3, 40000, 1);
	co.max_record = 200;
	for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
		struct out a, b;
		phn_clean_summary sa, sb;

		CHECK(clean(&a, &sa, &in, pieces[p], 1, &co) == PHN_OK);
		CHECK(clean(&b, &sb, &in, pieces[p], 2, &co) == PHN_OK);
		for (int i = 0; i < 3; i++) {
			CHECK_MSG(a.b[i].len == b.b[i].len && memcmp(a.b[i].p, b.b[i].p, a.b[i].len) == 0,
				  "piece %zu: output %d differs (%zu vs %zu bytes)", pieces[p], i,
				  a.b[i].len, b.b[i].len);
			CHECK(a.b[i].len > 1000);
			free(a.b[i].p);
			free(b.b[i].p);
		}
		CHECK(sa.rows == sb.rows && sa.clean == sb.clean && sa.rejected == sb.rejected &&
		      sa.duplicates == sb.duplicates && sa.blank_lines == sb.blank_lines);
		CHECK(sa.rows > 30000);
	}
	free(in.p);
}

/* ---- one thread: chunks, yet the rows and errors of push() ---------------- */

struct lines {
	uint64_t *line;
	size_t n, cap, stop_at; /* the callback returns 7 on row stop_at (1-based) */
};

static int keep_line(const phn_clean_row *row, void *payload)
{
	struct lines *l = payload;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		if (!(l->line = realloc(l->line, l->cap * sizeof *l->line)))
			abort();
	}
	l->line[l->n++] = row->line * 4 + (uint64_t)row->outcome;
	return l->n == l->stop_at ? 7 : 0;
}

/* phn_cleaner_run() on one thread (chunks since issue 12) against records
 * pushed one at a time, as it did before: the same rows before a read error
 * and the same error, and on a stop the same rows and blank line count. */
static void test_one_thread_as_push(void)
{
	phn_csv_options co = PHN_CSV_OPTIONS_INIT;
	phn_clean_options o = PHN_CLEAN_OPTIONS_INIT;
	struct buf in = { 0 };
	static const size_t stops[] = { 0, 1, 3, 5000, 12345 };

	gen(&in, 5, 30000, 1);
	co.max_record = 200;
	o.region = "SA";
	o.threads = 1;
	for (int fail = 0; fail < 2; fail++) {
		for (size_t s = 0; s < sizeof stops / sizeof *stops; s++) {
			struct lines a = { 0 }, b = { 0 };
			phn_clean_summary sa, sb;
			const phn_csv_record *rec;
			phn_clean_row row;
			phn_cleaner *c = NULL;
			phn_csv_reader *r;
			struct pieces pw;
			char msg_a[256] = "", msg_b[256] = "";
			int rc_a, rc_b;
			uint64_t blanks_a;

			a.stop_at = b.stop_at = stops[s];
			/* before: push one record at a time */
			r = open_src(&pw, &in, 0, fail ? in.len * 2 / 3 : 0, &co);
			CHECK(phn_cleaner_new(&c, &o) == PHN_OK);
			phn_clean_row_init(&row, PHN_CLEAN_ROW_VERSION);
			while ((rc_a = phn_csv_reader_next(&rec, r)) == PHN_OK && rec) {
				if ((rc_a = phn_cleaner_push(&row, c, rec)) != PHN_OK)
					break;
				if ((rc_a = keep_line(&row, &a)) != 0)
					break;
			}
			if (rc_a != PHN_OK)
				snprintf(msg_a, sizeof msg_a, "%s", phn_error_last());
			blanks_a = phn_csv_reader_blank_lines(r);
			phn_clean_summary_init(&sa, PHN_CLEAN_SUMMARY_VERSION);
			phn_cleaner_summary(&sa, c);
			phn_cleaner_free(c);
			phn_csv_reader_free(r);
			/* now */
			r = open_src(&pw, &in, 0, fail ? in.len * 2 / 3 : 0, &co);
			CHECK(phn_cleaner_new(&c, &o) == PHN_OK);
			rc_b = phn_cleaner_run(c, r, keep_line, &b);
			if (rc_b != PHN_OK)
				snprintf(msg_b, sizeof msg_b, "%s", phn_error_last());
			phn_clean_summary_init(&sb, PHN_CLEAN_SUMMARY_VERSION);
			phn_cleaner_summary(&sb, c);
			phn_cleaner_free(c);
			phn_csv_reader_free(r);

			CHECK_MSG(rc_a == rc_b && strcmp(msg_a, msg_b) == 0,
				  "fail %d stop %zu: %d '%s' vs %d '%s'", fail, stops[s], rc_a, msg_a,
				  rc_b, msg_b);
			CHECK_MSG(a.n == b.n && (a.n == 0 || memcmp(a.line, b.line,
								  a.n * sizeof *a.line) == 0),
				  "fail %d stop %zu: %zu rows vs %zu", fail, stops[s], a.n, b.n);
			CHECK(sa.rows == sb.rows && sa.clean == sb.clean &&
			      sa.duplicates == sb.duplicates && sa.rejected == sb.rejected);
			CHECK_MSG(sb.blank_lines == blanks_a, "fail %d stop %zu: %" PRIu64 " blank "
				  "lines, want %" PRIu64, fail, stops[s], sb.blank_lines, blanks_a);
			if (stops[s] > 1)
				CHECK(a.n == stops[s]);
			else if (!fail && !stops[s])
				CHECK(a.n > 29000);
			free(a.line);
			free(b.line);
		}
	}
	free(in.p);
}

int main(void)
{
	test_chunks();
	test_cleaner_bytes();
	test_one_thread_as_push();
	return check_report();
}
