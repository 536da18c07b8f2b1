/*
 * Streaming RFC 4180 reader. One buffer holds the current record (and what
 * was read past it); a record is parsed from its first byte each time more
 * input arrives, which keeps the state machine simple and costs little
 * because reads are large and records short.
 */
#define _POSIX_C_SOURCE 200809L /* read, open, O_CLOEXEC, pthreads */

#include "phonenorm/list.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "list/records.h"
#include "text/error.h"
#include "text/text.h"

#define READ_CHUNK (256u * 1024u)

enum source_kind { SRC_FD, SRC_CALLBACK, SRC_MEMORY };

struct phn_csv_reader {
	enum source_kind kind;
	int fd;
	int owns_fd;
	phn_read_cb read;
	void *payload;
	char *name; /* for messages: "'x.csv'", "standard input", ... */

	char delimiter;
	int check_field_count;
	size_t max_record;

	char *buf;
	size_t cap;
	size_t start; /* first byte of the next record */
	size_t end;   /* end of the bytes read */
	uint64_t base_offset; /* input offset of buf[0] */
	int eof;
	int failed;
	int bom_checked;
	int had_bom;

	/* Records over max_record: their first max_record bytes; the bytes past
	 * the first line of the one being scanned (spill), and an earlier spill
	 * being read again after a resync (replay), read before the source. */
	int sniff;     /* choose the delimiter on the first record */
	int sniffed;   /* and it differs from the option */
	char delimiter_opt;
	/* UTF-16 input (1 LE, 2 BE): raw bytes not yet decoded, then UTF-8 in buf. */
	int utf16;
	unsigned char *u16;
	size_t u16_len;
	char *cut;
	FILE *spill;
	FILE *replay;
	int src_eof; /* the source itself is exhausted */

	uint64_t line; /* line of buf[start] */
	uint64_t blank_lines;
	size_t expected_fields; /* 0 until the first well-formed record */

	/* Decoded fields of the current record. */
	phn_recstore fields;
	/* Where the record being parsed is decoded: fields, or during
	 * phn_csv_reader_next_into() the chunk, whose first nf0 fields are
	 * earlier records'. */
	phn_recstore *dst;
	size_t nf0;
	/* phn_csv_reader_next_into(): stop where the next read would be. */
	int stop_at_read;
	/* A chunk points at raw bytes in buf, which fill() must then not move
	 * (only grow); the chunk before it points into spare. */
	int pinned;
	char *spare;
	size_t spare_cap;

	phn_csv_record rec;
};

/* What one parse attempt found. */
struct parse {
	int need_more;
	size_t raw_len;    /* record bytes, line ending excluded */
	size_t eol_len;    /* 0 (end of input), 1 or 2 */
	size_t nfields;
	phn_csv_problem problem;
	uint64_t newlines; /* line breaks inside quoted fields */
	size_t first_break; /* offset of the first of them */
};

/* Close the field that started at offset fstart of the field bytes and ends at *out. */
static inline int end_field(phn_csv_reader *r, struct parse *res, size_t fstart, size_t *out)
{
	if (phn_recstore_add_field(r->dst, fstart, *out - fstart) != PHN_OK)
		return PHN_ENOMEM;
	r->dst->bytes[(*out)++] = '\0';
	res->nfields++;
	return PHN_OK;
}

/* Bytes that end a run of field content, inside quotes or (with the
 * delimiter) outside them. */
static const unsigned char run_stops[256] = { ['"'] = 1, ['\n'] = 1, ['\r'] = 1 };

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when one of the 8 bytes of w is a quote, a line break or d. */
static uint64_t word_stops(uint64_t w, uint64_t d)
{
	uint64_t q = w ^ (ONES * '"'), n = w ^ (ONES * '\n'), r = w ^ (ONES * '\r'), x = w ^ d;

	return (((q - ONES) & ~q) | ((n - ONES) & ~n) | ((r - ONES) & ~r) | ((x - ONES) & ~x)) &
	       HIGHS;
}

/* Copy the content bytes at p[*i..) to fbuf[*out..) up to the first stop
 * (a quote, a line break or stop) or avail, eight bytes at a time: the
 * lowest flagged byte of word_stops() is the first stop (a flag above it
 * may be false, none below). fbuf has room for every byte of p, and o <= j,
 * so a whole word may be stored. */
static inline void copy_run(char *fbuf, size_t *out, const char *p, size_t *i, size_t avail,
			    char stop)
{
	const uint64_t d = ONES * (unsigned char)stop;
	size_t j = *i, o = *out;

	while (j + 8 <= avail) {
		uint64_t w, m;

		memcpy(&w, p + j, 8);
		memcpy(fbuf + o, &w, 8);
		if ((m = word_stops(w, d)) != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			size_t k = (size_t)__builtin_ctzll(m) >> 3;

			*i = j + k;
			*out = o + k;
			return;
#else
			break;
#endif
		}
		j += 8;
		o += 8;
	}
	while (j < avail && !run_stops[(unsigned char)p[j]] && p[j] != stop)
		fbuf[o++] = p[j++];
	*i = j;
	*out = o;
}

/* Drop the fields of the record being parsed (a chunk keeps the earlier
 * records' fields). */
static void reset_fields(phn_csv_reader *r)
{
	if (r->dst == &r->fields)
		phn_recstore_clear(&r->fields);
	else
		r->dst->nf = r->nf0;
}

/*
 * Parse the record at p[0..avail). at_eof: no more bytes will come. The
 * decoded fields go to r->dst after its len bytes, for which it has room
 * for 2 * avail + 2 bytes.
 */
static int parse_record(struct parse *res, phn_csv_reader *r, const char *p, size_t avail,
			int at_eof)
{
	const char delim = r->delimiter;
	char *fbuf = r->dst->bytes;
	size_t i = 0, out = r->dst->len, fstart = r->dst->len;
	int in_quotes = 0, quoted = 0, after_quote = 0;

	memset(res, 0, sizeof *res);
	reset_fields(r);
	for (;;) {
		char c;

		/* The bytes that are plain field content in this state, in bulk:
		 * the state machine below sees only the bytes that may change it
		 * (a NUL delimiter or a quote in plain text stop here too, and
		 * the machine takes them as content). */
		if (in_quotes)
			copy_run(fbuf, &out, p, &i, avail, '"');
		else if (!after_quote)
			copy_run(fbuf, &out, p, &i, avail, delim);
		if (i == avail) {
			if (!at_eof) {
				res->need_more = 1;
				return PHN_OK;
			}
			if (in_quotes)
				res->problem = PHN_CSV_UNTERMINATED_QUOTE;
			res->raw_len = i;
			return end_field(r, res, fstart, &out);
		}
		c = p[i];
		if (in_quotes) {
			if (c == '"') {
				if (i + 1 == avail && !at_eof) {
					res->need_more = 1;
					return PHN_OK;
				}
				if (i + 1 < avail && p[i + 1] == '"') {
					fbuf[out++] = '"';
					i += 2;
				} else {
					in_quotes = 0;
					after_quote = 1;
					i++;
				}
				continue;
			}
			if (c == '\n' || c == '\r') {
				if (c == '\r' && i + 1 == avail && !at_eof) {
					res->need_more = 1;
					return PHN_OK;
				}
				if (res->newlines == 0)
					res->first_break = i;
				if (!(c == '\r' && i + 1 < avail && p[i + 1] == '\n'))
					res->newlines++;
			}
			fbuf[out++] = c;
			i++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (c == '\r' && i + 1 == avail && !at_eof) {
				res->need_more = 1;
				return PHN_OK;
			}
			res->raw_len = i;
			res->eol_len = (c == '\r' && i + 1 < avail && p[i + 1] == '\n') ? 2 : 1;
			return end_field(r, res, fstart, &out);
		}
		if (delim && c == delim) {
			if (end_field(r, res, fstart, &out) != PHN_OK)
				return PHN_ENOMEM;
			fstart = out;
			quoted = 0;
			after_quote = 0;
			i++;
			continue;
		}
		if (delim && c == '"' && !quoted && out == fstart) {
			in_quotes = quoted = 1;
			i++;
			continue;
		}
		if (after_quote && res->problem == PHN_CSV_OK)
			res->problem = PHN_CSV_BAD_QUOTE;
		fbuf[out++] = c;
		i++;
	}
}

static void publish(phn_csv_reader *r, const char *raw, size_t raw_len, size_t nfields,
		    phn_csv_problem problem, size_t eol_len, const char *eol_bytes)
{
	if (r->dst == &r->fields)
		phn_recstore_views(&r->fields);
	r->rec.version = PHN_CSV_RECORD_VERSION;
	r->rec.problem = problem;
	r->rec.line = r->line;
	r->rec.offset = r->base_offset + r->start;
	r->rec.nfields = nfields;
	r->rec.fields = r->fields.fptr;
	r->rec.lens = r->fields.flen;
	r->rec.raw = raw;
	r->rec.raw_len = raw_len;
	r->rec.record_bytes = raw_len;
	if (eol_len == 0)
		r->rec.eol = "";
	else if (eol_len == 2)
		r->rec.eol = "\r\n";
	else
		r->rec.eol = eol_bytes[0] == '\r' ? "\r" : "\n";
}

/* A read failed: the reader is done, and says why once here. */
static int read_failed(phn_csv_reader *r, int errnum, int64_t got)
{
	r->failed = 1;
	if (r->kind == SRC_FD)
		return phn_error_set_errno(PHN_EIO, errnum, "read %s", r->name);
	return phn_error_set(PHN_EIO, "read: the read callback failed (it returned %" PRId64 ")",
			     got);
}

static int read_source(phn_csv_reader *r);
static int fill_utf16(phn_csv_reader *r);

/* How much one read may add: a pinned buffer is read into READ_CHUNK at a
 * time, so that a full chunk ends soon after (at the next read). */
static size_t read_room(const phn_csv_reader *r)
{
	size_t room = r->cap - r->end;

	return r->pinned && room > READ_CHUNK ? READ_CHUNK : room;
}

/* Read more input after buf[end]; make room first. */
static int fill(phn_csv_reader *r)
{
	if (r->start > 0 && !r->pinned) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base_offset += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	/* Room for one decoded UTF-16 character at least; a pinned buffer
	 * grows (its offsets stay) so that reads stay READ_CHUNK large. */
	if (r->cap - r->end < (r->pinned ? READ_CHUNK : 4)) {
		size_t cap = r->cap * 2;
		char *buf = realloc(r->buf, cap);
		if (!buf)
			return phn_error_code(PHN_ENOMEM);
		r->buf = buf;
		r->cap = cap;
	}
	if (r->kind == SRC_MEMORY) {
		r->eof = 1;
		return PHN_OK;
	}
	if (r->replay) {
		size_t got = fread(r->buf + r->end, 1, read_room(r), r->replay);

		if (got > 0) {
			r->end += got;
			return PHN_OK;
		}
		if (ferror(r->replay))
			return read_failed(r, EIO, -1);
		fclose(r->replay);
		r->replay = NULL;
		if (r->src_eof) {
			r->eof = 1;
			return PHN_OK;
		}
	}
	if (r->utf16)
		return fill_utf16(r);
	if (r->src_eof) {
		r->eof = 1;
		return PHN_OK;
	}
	return read_source(r);
}

/* Read from the source into buf[end..end + read_room()). */
static int read_source(phn_csv_reader *r)
{
	size_t room = read_room(r);
	int64_t n;

	if (r->kind == SRC_FD) {
		ssize_t got;

		do
			got = read(r->fd, r->buf + r->end, room);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return read_failed(r, errno, got);
		n = got;
	} else {
		n = r->read(r->buf + r->end, room, r->payload);
		if (n < 0 || (uint64_t)n > room)
			return read_failed(r, 0, n);
	}
	if (n == 0)
		r->eof = r->src_eof = 1;
	r->end += (size_t)n;
	return PHN_OK;
}

/* Append code point cp to buf as UTF-8 (room checked by the caller). */
static void put_utf8(phn_csv_reader *r, uint32_t cp)
{
	char *d = r->buf + r->end;

	if (cp < 0x80) {
		d[0] = (char)cp;
		r->end += 1;
	} else if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		r->end += 2;
	} else if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		r->end += 3;
	} else {
		d[0] = (char)(0xF0 | (cp >> 18));
		d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[3] = (char)(0x80 | (cp & 0x3F));
		r->end += 4;
	}
}

/* Decode what r->u16 holds into buf, as room allows; keep a cut unit or
 * surrogate pair for later unless the input has ended. Bad units become
 * U+FFFD, as a UTF-16 decoder does. */
static void decode_utf16(phn_csv_reader *r, int at_end)
{
	size_t i = 0;

	while (r->cap - r->end >= 4) {
		uint32_t u, v;

		if (r->u16_len - i < 2)
			break;
		u = r->utf16 == 1 ? (uint32_t)(r->u16[i] | r->u16[i + 1] << 8)
				  : (uint32_t)(r->u16[i] << 8 | r->u16[i + 1]);
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (r->u16_len - i < 4) {
				if (!at_end)
					break;
				put_utf8(r, 0xFFFD);
				i += 2;
				continue;
			}
			v = r->utf16 == 1 ? (uint32_t)(r->u16[i + 2] | r->u16[i + 3] << 8)
					  : (uint32_t)(r->u16[i + 2] << 8 | r->u16[i + 3]);
			if (v >= 0xDC00 && v <= 0xDFFF) {
				put_utf8(r, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
				i += 4;
				continue;
			}
			put_utf8(r, 0xFFFD);
			i += 2;
			continue;
		}
		put_utf8(r, (u >= 0xDC00 && u <= 0xDFFF) ? 0xFFFD : u);
		i += 2;
	}
	if (at_end && r->u16_len - i == 1 && r->cap - r->end >= 4) {
		put_utf8(r, 0xFFFD); /* an odd last byte */
		i++;
	}
	memmove(r->u16, r->u16 + i, r->u16_len - i);
	r->u16_len -= i;
}

/* UTF-16 input: read raw bytes into u16 through the source, decode. */
static int fill_utf16(phn_csv_reader *r)
{
	const size_t raw_cap = READ_CHUNK / 2;
	size_t end0 = r->end;
	int rc;

	while (r->end == end0) {
		if (r->kind != SRC_MEMORY && !r->src_eof && r->u16_len < raw_cap) {
			/* Borrow the tail of buf to read into, then move to u16. */
			size_t keep_end = r->end, room = r->cap - r->end;
			size_t want = raw_cap - r->u16_len < room ? raw_cap - r->u16_len : room;
			size_t saved_cap = r->cap;

			r->cap = r->end + want;
			rc = read_source(r);
			r->cap = saved_cap;
			if (rc != PHN_OK)
				return rc;
			memcpy(r->u16 + r->u16_len, r->buf + keep_end, r->end - keep_end);
			r->u16_len += r->end - keep_end;
			r->end = keep_end;
			r->eof = 0;
		}
		decode_utf16(r, r->kind == SRC_MEMORY || r->src_eof);
		if (r->end == end0 && (r->kind == SRC_MEMORY || r->src_eof)) {
			r->eof = 1;
			break;
		}
	}
	return PHN_OK;
}

/* Room to decode avail bytes: a field byte and its NUL at most per input byte. */
static int reserve_fields(phn_csv_reader *r, size_t avail)
{
	reset_fields(r);
	if (phn_recstore_reserve(r->dst, 2 * avail + 2) != PHN_OK)
		return phn_error_code(PHN_ENOMEM);
	return PHN_OK;
}

/* Not text: a message that says what it looks like. */
static int not_text(phn_csv_reader *r, const char *what)
{
	r->failed = 1;
	return phn_error_set(PHN_EFORMAT, "%s %s", r->name, what);
}

/* Switch to UTF-16 decoding of what follows buf[start] (a BOM of 2 bytes). */
static int start_utf16(phn_csv_reader *r, int kind)
{
	size_t rest = r->end - r->start - 2;
	size_t need = rest > READ_CHUNK / 2 ? rest : READ_CHUNK / 2;

	if (!(r->u16 = malloc(need)))
		return phn_error_code(PHN_ENOMEM);
	memcpy(r->u16, r->buf + r->start + 2, rest);
	r->u16_len = rest;
	r->utf16 = kind;
	r->had_bom = 1;
	r->base_offset += r->start + 2;
	r->start = r->end = 0;
	if (r->kind == SRC_MEMORY) {
		/* Everything is here: decode it whole (at most 3 bytes a unit). */
		size_t cap = rest / 2 * 3 + 8;
		if (cap > r->cap) {
			char *buf = realloc(r->buf, cap);
			if (!buf)
				return phn_error_code(PHN_ENOMEM);
			r->buf = buf;
			r->cap = cap;
		}
		decode_utf16(r, 1);
		r->eof = 1;
		return PHN_OK;
	}
	r->eof = 0;
	return PHN_OK;
}

/* 1 if p[0..n) has a NUL in every other byte: UTF-16 text without a BOM. */
static int looks_utf16(const unsigned char *p, size_t n)
{
	size_t pairs = n / 2, odd = 0, even = 0;

	for (size_t i = 0; i + 1 < n; i += 2) {
		even += p[i] == 0 && p[i + 1] != 0;
		odd += p[i + 1] == 0 && p[i] != 0;
	}
	return pairs >= 2 && (odd * 4 >= pairs * 3 || even * 4 >= pairs * 3);
}

/* Choose the delimiter from the first records (see phn_csv_options). */
static int sniff_delimiter(phn_csv_reader *r)
{
	static const char cands[] = { ',', ';', '\t', '|' };
	const size_t look = 64u * 1024u;
	int rc;

	while (r->end - r->start < look && !r->eof) {
		if ((rc = fill(r)) != PHN_OK)
			return rc;
	}
	for (size_t k = 0; k < sizeof cands; k++) {
		const char *p = r->buf + r->start;
		size_t avail = r->end - r->start, n = 0, want = 0;
		int ok = 1;

		if (avail > look)
			avail = look;
		r->delimiter = cands[k];
		while (avail > 0 && n < 20) {
			struct parse res;

			if ((rc = reserve_fields(r, avail)) != PHN_OK)
				return rc;
			if (parse_record(&res, r, p, avail, r->eof && avail == r->end - r->start) !=
			    PHN_OK)
				return phn_error_code(PHN_ENOMEM);
			if (res.need_more)
				break;
			if (!(res.raw_len == 0 && res.nfields == 1)) {
				if (res.problem != PHN_CSV_OK || res.nfields < 2 ||
				    (want && res.nfields != want)) {
					ok = 0;
					break;
				}
				want = res.nfields;
				n++;
			}
			p += res.raw_len + res.eol_len;
			avail -= res.raw_len + res.eol_len;
			if (res.eol_len == 0)
				break;
		}
		if (ok && n > 0) {
			r->sniffed = cands[k] != r->delimiter_opt;
			phn_recstore_clear(&r->fields);
			return PHN_OK;
		}
	}
	r->delimiter = r->delimiter_opt;
	phn_recstore_clear(&r->fields);
	return PHN_OK;
}

/* Before the first record: a byte order mark (UTF-8 dropped, UTF-16 decoded),
 * input that is no text, and the delimiter when it is to be sniffed. */
static int skip_bom(phn_csv_reader *r)
{
	const unsigned char *p;
	size_t avail;
	int rc;

	if (r->bom_checked)
		return PHN_OK;
	while (r->end - r->start < 64 && !r->eof) {
		if ((rc = fill(r)) != PHN_OK)
			return rc;
	}
	r->bom_checked = 1;
	p = (const unsigned char *)r->buf + r->start;
	avail = r->end - r->start;
	if (avail >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		r->start += 3;
		r->had_bom = 1;
	} else if (avail >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF))) {
		if ((rc = start_utf16(r, p[0] == 0xFF ? 1 : 2)) != PHN_OK)
			return rc;
	} else if (avail >= 2 && p[0] == 0x1F && p[1] == 0x8B) {
		return not_text(r, "looks like gzip: decompress it first (gunzip)");
	} else if (avail >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) {
		return not_text(r, "looks like a zip archive (an .xlsx workbook?): export it as "
			        "CSV first");
	} else if (looks_utf16(p, avail)) {
		return not_text(r, "looks like UTF-16 without a byte order mark: convert it to "
			        "UTF-8 first (iconv -f UTF-16LE -t UTF-8)");
	}
	if (r->sniff && r->delimiter)
		return sniff_delimiter(r);
	return PHN_OK;
}

/* The record is well formed so far: does it have the first record's field count? */
static void check_field_count(phn_csv_reader *r, struct parse *res)
{
	if (!r->check_field_count || !r->delimiter || res->problem != PHN_CSV_OK)
		return;
	if (r->expected_fields == 0)
		r->expected_fields = res->nfields;
	else if (res->nfields != r->expected_fields)
		res->problem = PHN_CSV_FIELD_COUNT;
}

/* A record that spans lines went wrong (a quote ran away): hand back its
 * first line only, flagged, and resume on the next line. */
static int take_first_line(phn_csv_reader *r, struct parse *res, const char *p, size_t avail)
{
	size_t len = res->first_break;
	size_t eol = (p[len] == '\r' && len + 1 < avail && p[len + 1] == '\n') ? 2 : 1;

	if (parse_record(res, r, p, len, 1) != PHN_OK)
		return phn_error_code(PHN_ENOMEM);
	publish(r, p, len, res->nfields, PHN_CSV_UNTERMINATED_QUOTE, eol, p + len);
	r->start += len + eol;
	r->line++;
	return PHN_OK;
}

/* A record as parsed. */
static void take_record(phn_csv_reader *r, const struct parse *res, const char *p)
{
	publish(r, p, res->raw_len, res->nfields, res->problem, res->eol_len, p + res->raw_len);
	r->start += res->raw_len + res->eol_len;
	r->line += res->newlines + (res->eol_len ? 1 : 0);
}

/* ---- records over max_record ------------------------------------------
 *
 * A record over the limit is scanned byte by byte to its real end with the
 * parser's own quoting rules, holding only its first max_record bytes (r->cut)
 * and the read buffer. If it turns out malformed and spans lines (a quote
 * that never closes, text after a closing quote, a wrong field count),
 * reading resumes on its second line, as for any malformed multi-line record:
 * the bytes from there on were written to a temporary file (r->spill) while
 * scanning, and are read again from it. Memory sources keep every byte and
 * just move back. This is linear: a quote that is open at every line end up
 * to the end of the input (the only way to scan to the end and go back) can
 * happen once per input, because after it every line starts outside quotes.
 */

struct long_scan {
	uint64_t pos;          /* record bytes scanned */
	uint64_t end;          /* record length, line ending excluded */
	uint64_t first_break;  /* end of the record's first line (if newlines) */
	size_t first_eol;      /* its line ending's length */
	char first_eol0;       /* and first byte */
	uint64_t newlines;     /* line breaks inside quoted fields */
	size_t nfields;
	size_t eol_len;        /* of the record */
	char eol0;             /* its first byte */
	int bad;               /* text after a closing quote */
	int open_at_end;       /* the input ended inside quotes */
};

/* buf[*i + k] available? Reads more, first dropping (and, past the record's
 * first line, spilling) the bytes before *i. 0 at the end of the input. */
static int scan_more(phn_csv_reader *r, size_t *i, size_t k, uint64_t spill_from, int *rc)
{
	*rc = PHN_OK;
	while (*i + k >= r->end) {
		if (r->eof)
			return 0;
		if (r->kind != SRC_MEMORY) {
			uint64_t at = r->base_offset + r->start;
			size_t from = r->start;

			if (spill_from != UINT64_MAX && at + (*i - r->start) > spill_from) {
				if (at < spill_from)
					from += (size_t)(spill_from - at);
				if (!r->spill && !(r->spill = tmpfile())) {
					*rc = phn_error_set_errno(PHN_EIO, errno, "read %s: a record "
								  "is over %zu bytes and a temporary file "
								  "to scan it failed", r->name,
								  r->max_record);
					return 0;
				}
				if (fwrite(r->buf + from, 1, *i - from, r->spill) != *i - from) {
					*rc = phn_error_set_errno(PHN_EIO, errno, "read %s: writing a "
								  "temporary file failed", r->name);
					return 0;
				}
			}
			r->start = *i;
		}
		if ((*rc = fill(r)) != PHN_OK)
			return 0;
		if (r->kind != SRC_MEMORY)
			*i = r->start; /* fill() moved the bytes to the front */
	}
	return 1;
}

/* Scan the record at buf[*i] to its end; *i ends past its line ending. */
static int scan_long(struct long_scan *sc, phn_csv_reader *r, size_t *i)
{
	const char delim = r->delimiter;
	const uint64_t rec_at = r->base_offset + *i;
	uint64_t spill_from = UINT64_MAX;
	int in_quotes = 0, field_start = 1, quoted = 0, after_quote = 0, rc;

	memset(sc, 0, sizeof *sc);
	sc->nfields = 1;
	for (;;) {
		char c;

		if (!scan_more(r, i, 0, spill_from, &rc)) {
			sc->end = sc->pos;
			sc->open_at_end = in_quotes;
			return rc;
		}
		c = r->buf[*i];
		if (in_quotes) {
			if (c == '"') {
				if (!scan_more(r, i, 1, spill_from, &rc) && rc != PHN_OK)
					return rc;
				if (*i + 1 < r->end && r->buf[*i + 1] == '"') {
					(*i) += 2;
					sc->pos += 2;
					continue;
				}
				in_quotes = 0;
				after_quote = 1;
			} else if (c == '\n' || c == '\r') {
				size_t eol = 1;

				if (c == '\r') {
					if (!scan_more(r, i, 1, spill_from, &rc) && rc != PHN_OK)
						return rc;
					eol = (*i + 1 < r->end && r->buf[*i + 1] == '\n') ? 2 : 1;
				}
				if (sc->newlines++ == 0) {
					sc->first_break = sc->pos;
					sc->first_eol = eol;
					sc->first_eol0 = c;
					spill_from = rec_at + sc->pos + eol;
				}
				*i += eol;
				sc->pos += eol;
				continue;
			}
			(*i)++;
			sc->pos++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			sc->end = sc->pos;
			sc->eol_len = 1;
			sc->eol0 = c;
			if (c == '\r') {
				if (!scan_more(r, i, 1, spill_from, &rc) && rc != PHN_OK)
					return rc;
				if (*i + 1 < r->end && r->buf[*i + 1] == '\n')
					sc->eol_len = 2;
			}
			*i += sc->eol_len;
			return PHN_OK;
		}
		if (delim && c == delim) {
			sc->nfields++;
			field_start = 1;
			quoted = after_quote = 0;
		} else if (delim && c == '"' && !quoted && field_start) {
			in_quotes = quoted = 1;
		} else {
			if (after_quote)
				sc->bad = 1;
			field_start = 0;
		}
		(*i)++;
		sc->pos++;
	}
}

/* Throw away a spill that is not needed. */
static void drop_spill(phn_csv_reader *r)
{
	if (r->spill) {
		fclose(r->spill);
		r->spill = NULL;
	}
}

/* Go back to absolute offset at (the second line of a long record) and read
 * on from there: memory sources move back; others read the spill (which
 * starts at that offset), then what is still buffered, then the rest. */
static int resync(phn_csv_reader *r, uint64_t at)
{
	if (at >= r->base_offset) {
		/* Still buffered (always so in memory): nothing was spilled. */
		drop_spill(r);
		r->start = (size_t)(at - r->base_offset);
		return PHN_OK;
	}
	/* The spill holds [at, base_offset + start); what is buffered and not
	 * yet replayed follows it. */
	if (fwrite(r->buf + r->start, 1, r->end - r->start, r->spill) != r->end - r->start)
		return phn_error_set_errno(PHN_EIO, errno, "read %s: writing a temporary file "
					   "failed", r->name);
	if (r->replay) {
		char tmp[8192];
		size_t n;

		while ((n = fread(tmp, 1, sizeof tmp, r->replay)) > 0) {
			if (fwrite(tmp, 1, n, r->spill) != n)
				return phn_error_set_errno(PHN_EIO, errno, "read %s: writing a "
							   "temporary file failed", r->name);
		}
		fclose(r->replay);
	}
	if (fflush(r->spill) != 0 || fseek(r->spill, 0, SEEK_SET) != 0)
		return phn_error_set_errno(PHN_EIO, errno, "read %s: a temporary file failed",
					   r->name);
	r->replay = r->spill;
	r->spill = NULL;
	r->base_offset = at;
	r->start = r->end = 0;
	r->eof = 0;
	return PHN_OK;
}

/* The record at buf[start] is longer than max_record: see above. */
static int take_long(phn_csv_reader *r)
{
	struct long_scan sc;
	const uint64_t rec_at = r->base_offset + r->start;
	const uint64_t line = r->line;
	size_t i = r->start;
	int rc;

	if (!r->cut && !(r->cut = malloc(r->max_record)))
		return phn_error_code(PHN_ENOMEM);
	memcpy(r->cut, r->buf + r->start, r->max_record);
	if ((rc = scan_long(&sc, r, &i)) != PHN_OK) {
		drop_spill(r);
		return rc;
	}
	if (sc.newlines > 0 &&
	    (sc.open_at_end || sc.bad ||
	     (r->check_field_count && r->delimiter && r->expected_fields &&
	      sc.nfields != r->expected_fields))) {
		/* Malformed over several lines: its first line, then the next line. */
		uint64_t first = sc.first_break;

		if (first <= r->max_record) {
			struct parse res;

			if (reserve_fields(r, (size_t)first) != PHN_OK ||
			    parse_record(&res, r, r->cut, (size_t)first, 1) != PHN_OK) {
				drop_spill(r);
				return phn_error_code(PHN_ENOMEM);
			}
			publish(r, r->cut, (size_t)first, res.nfields, PHN_CSV_UNTERMINATED_QUOTE,
				sc.first_eol, &sc.first_eol0);
		} else {
			reset_fields(r);
			publish(r, r->cut, r->max_record, 0, PHN_CSV_TOO_LONG, sc.first_eol,
				&sc.first_eol0);
			r->rec.record_bytes = first;
		}
		r->rec.line = line;
		r->rec.offset = rec_at;
		r->line = line + 1;
		return resync(r, rec_at + first + sc.first_eol);
	}
	drop_spill(r);
	reset_fields(r);
	publish(r, r->cut, r->max_record, 0, PHN_CSV_TOO_LONG, sc.eol_len, &sc.eol0);
	r->rec.record_bytes = sc.end;
	r->rec.line = line;
	r->rec.offset = rec_at;
	r->line = line + sc.newlines + (sc.eol_len ? 1 : 0);
	r->start = i;
	return PHN_OK;
}

/*
 * Parse what is buffered, reading more until a record (or a blank line) is
 * complete or the max_record window is full; *got is 1 when the record is
 * published in r->rec, 0 at the end of the input.
 */
static int next_record(phn_csv_reader *r, int *got)
{
	struct parse res;
	int rc;

	*got = 0;
	for (;;) {
		size_t avail = r->end - r->start;
		const char *p = r->buf + r->start;
		/* Never look further than one record may reach (+2 for its CRLF). */
		size_t window = avail < r->max_record + 2 ? avail : r->max_record + 2;

		if (avail == 0 && r->eof)
			return PHN_OK;
		if ((rc = reserve_fields(r, window)) != PHN_OK)
			return rc;
		if (parse_record(&res, r, p, window, r->eof && window == avail) != PHN_OK)
			return phn_error_code(PHN_ENOMEM);
		if (res.need_more && window < r->max_record + 2) {
			/* window == avail: the record may end in bytes not read yet */
			if (r->stop_at_read)
				return PHN_OK;
			if ((rc = fill(r)) != PHN_OK)
				return rc;
			continue;
		}
		if (res.need_more || res.raw_len > r->max_record) {
			/* Scanning a long record moves the buffer: it starts a
			 * chunk, whose buffer nothing points into yet. */
			if (r->pinned)
				return PHN_OK;
			*got = 1;
			return take_long(r);
		}
		*got = 1;
		if (res.raw_len == 0 && res.nfields == 1) {
			/* An empty line is no record. */
			*got = 0;
			r->blank_lines++;
			r->start += res.eol_len;
			r->line++;
			continue;
		}
		check_field_count(r, &res);
		if (res.problem != PHN_CSV_OK && res.newlines > 0)
			return take_first_line(r, &res, p, avail);
		take_record(r, &res, p);
		return PHN_OK;
	}
}

int phn_csv_reader_start(phn_csv_reader *r)
{
	if (r->failed)
		return phn_error_set(PHN_EIO, "read %s: an earlier read failed", r->name);
	return skip_bom(r);
}

int phn_csv_reader_next(const phn_csv_record **rec, phn_csv_reader *r)
{
	int rc, got;

	if (!rec || !r)
		return phn_error_set(PHN_EINVAL, "phn_csv_reader_next: %s is NULL",
				     rec ? "the reader" : "rec");
	*rec = NULL;
	if (r->failed)
		return phn_error_set(PHN_EIO, "read %s: an earlier read failed", r->name);
	r->pinned = 0; /* the chunks' views end here (records.h) */
	if ((rc = skip_bom(r)) != PHN_OK || (rc = next_record(r, &got)) != PHN_OK)
		return rc;
	if (got)
		*rec = &r->rec;
	return PHN_OK;
}

/* A chunk starts while the previous one points into buf: read on in spare,
 * starting with the unread bytes (a partial record when the previous chunk
 * ended at a read). The chunk before the previous one, whose bytes spare
 * held, is done with. */
static int switch_buffer(phn_csv_reader *r)
{
	size_t tail = r->end - r->start, need = tail + READ_CHUNK;
	char *buf;

	if (r->spare_cap < need) {
		size_t cap = r->spare_cap ? r->spare_cap : READ_CHUNK;

		while (cap < need)
			cap *= 2;
		if (!(buf = realloc(r->spare, cap)))
			return phn_error_code(PHN_ENOMEM);
		r->spare = buf;
		r->spare_cap = cap;
	}
	if (tail)
		memcpy(r->spare, r->buf + r->start, tail);
	buf = r->buf;
	r->buf = r->spare;
	r->spare = buf;
	need = r->cap;
	r->cap = r->spare_cap;
	r->spare_cap = need;
	r->base_offset += r->start;
	r->start = 0;
	r->end = tail;
	r->pinned = 0;
	return PHN_OK;
}

/* next_record() decoded into the chunk: add the record it published. */
static int add_to_chunk(phn_csv_reader *r, phn_recstore *chunk, size_t field0)
{
	size_t raw_at;

	if (chunk->nf > field0)
		chunk->len = chunk->foff[chunk->nf - 1] + chunk->flen[chunk->nf - 1] + 1;
	if (r->rec.raw == r->cut) {
		/* The only copy: r->cut is reused by the next long record. */
		if (phn_recstore_reserve(chunk, r->rec.raw_len) != PHN_OK)
			return phn_error_code(PHN_ENOMEM);
		if (r->rec.raw_len)
			memcpy(chunk->bytes + chunk->len, r->rec.raw, r->rec.raw_len);
		raw_at = phn_recstore_raw_at(chunk->len, 1);
		chunk->len += r->rec.raw_len;
	} else {
		raw_at = phn_recstore_raw_at((size_t)(r->rec.raw - r->buf), 0);
		/* A memory source's buffer is the whole input and never moves. */
		r->pinned = r->kind != SRC_MEMORY;
	}
	if (phn_recstore_add_record(chunk, &r->rec, field0, raw_at) != PHN_OK)
		return phn_error_code(PHN_ENOMEM);
	return PHN_OK;
}

int phn_csv_reader_next_into(int *got, phn_csv_reader *r, phn_recstore *chunk, int full)
{
	const size_t field0 = chunk->nf;
	int rc;

	*got = 0;
	if (r->failed)
		return phn_error_set(PHN_EIO, "read %s: an earlier read failed", r->name);
	if ((rc = skip_bom(r)) != PHN_OK)
		return rc;
	if (chunk->n == 0 && r->pinned && (rc = switch_buffer(r)) != PHN_OK)
		return rc;
	if (!(full && r->kind == SRC_MEMORY)) {
		r->dst = chunk;
		r->nf0 = field0;
		r->stop_at_read = full;
		rc = next_record(r, got);
		r->dst = &r->fields;
		r->stop_at_read = 0;
		if (rc == PHN_OK && *got)
			rc = add_to_chunk(r, chunk, field0);
		if (rc != PHN_OK || !*got) {
			chunk->nf = field0;
			*got = 0;
		}
	}
	chunk->in = r->buf;
	return rc;
}

static int reader_new(phn_csv_reader **out, const phn_csv_options *opts, enum source_kind kind,
		      const char *name)
{
	const phn_csv_options defaults = PHN_CSV_OPTIONS_INIT;
	phn_csv_reader *r;
	int rc;

	if (!opts)
		opts = &defaults;
	if ((rc = phn_error_check_version(opts, opts->version, PHN_CSV_OPTIONS_VERSION,
					  "phn_csv_options")) != PHN_OK)
		return rc;
	if (opts->delimiter == '"' || opts->delimiter == '\n' || opts->delimiter == '\r')
		return phn_error_set(PHN_EINVAL, "the delimiter cannot be a quote or a line break "
				     "(0x%02x)", (unsigned char)opts->delimiter);
	if (opts->max_record > PHN_CSV_MAX_RECORD_LIMIT)
		return phn_error_set(PHN_EINVAL, "max_record %zu is over the limit of %zu bytes "
				     "(1 GiB)", opts->max_record, (size_t)PHN_CSV_MAX_RECORD_LIMIT);
	if (!(r = calloc(1, sizeof *r)))
		return phn_error_code(PHN_ENOMEM);
	r->kind = kind;
	r->fd = -1;
	r->delimiter = opts->delimiter;
	r->delimiter_opt = opts->delimiter;
	r->sniff = opts->version >= 2 && opts->sniff_delimiter;
	r->check_field_count = opts->check_field_count;
	r->max_record = opts->max_record ? opts->max_record : PHN_CSV_MAX_RECORD_DEFAULT;
	r->line = 1;
	r->dst = &r->fields;
	r->cap = READ_CHUNK;
	if (!(r->buf = malloc(r->cap)) || !(r->name = phn_text_dup(name))) {
		phn_csv_reader_free(r);
		return phn_error_code(PHN_ENOMEM);
	}
	*out = r;
	return PHN_OK;
}

/* *out = NULL first, so that no failure leaves it pointing anywhere. */
static int start_new(phn_csv_reader **out, const char *fn)
{
	if (!out)
		return phn_error_set(PHN_EINVAL, "%s: out is NULL", fn);
	*out = NULL;
	return PHN_OK;
}

int phn_csv_reader_open(phn_csv_reader **out, const char *path, const phn_csv_options *opts)
{
	struct stat st;
	char *name;
	size_t n;
	int rc, fd;

	if ((rc = start_new(out, "phn_csv_reader_open")) != PHN_OK)
		return rc;
	if (!path)
		return phn_error_set(PHN_EINVAL, "phn_csv_reader_open: path is NULL");
	n = strlen(path) + 3;
	if (!(name = malloc(n)))
		return phn_error_code(PHN_ENOMEM);
	snprintf(name, n, "'%s'", path);
	rc = reader_new(out, opts, SRC_FD, name);
	free(name);
	if (rc != PHN_OK)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = phn_error_set_errno(PHN_EIO, errno, "open '%s'", path);
		phn_csv_reader_free(*out);
		*out = NULL;
		return rc;
	}
	(*out)->fd = fd;
	(*out)->owns_fd = 1;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = phn_error_set(PHN_EIO, "'%s' is a directory, not a file", path);
		phn_csv_reader_free(*out);
		*out = NULL;
		return rc;
	}
	return PHN_OK;
}

int phn_csv_reader_from_fd(phn_csv_reader **out, int fd, const phn_csv_options *opts)
{
	char name[48];
	int rc;

	if ((rc = start_new(out, "phn_csv_reader_from_fd")) != PHN_OK)
		return rc;
	if (fd < 0 || (fcntl(fd, F_GETFD) < 0 && errno == EBADF)) {
		if (fd == 0)
			return phn_error_set(PHN_EIO, "standard input is closed");
		return phn_error_set(fd < 0 ? PHN_EINVAL : PHN_EIO, "file descriptor %d is not open",
				     fd);
	}
	if (fd == 0)
		snprintf(name, sizeof name, "standard input");
	else
		snprintf(name, sizeof name, "file descriptor %d", fd);
	if ((rc = reader_new(out, opts, SRC_FD, name)) != PHN_OK)
		return rc;
	(*out)->fd = fd;
	return PHN_OK;
}

int phn_csv_reader_from_memory(phn_csv_reader **out, const char *data, size_t len,
			       const phn_csv_options *opts)
{
	phn_csv_reader *r;
	int rc;

	if ((rc = start_new(out, "phn_csv_reader_from_memory")) != PHN_OK)
		return rc;
	if (!data && len > 0)
		return phn_error_set(PHN_EINVAL, "phn_csv_reader_from_memory: data is NULL");
	if ((rc = reader_new(out, opts, SRC_MEMORY, "memory")) != PHN_OK)
		return rc;
	r = *out;
	if (len > r->cap) {
		char *buf = realloc(r->buf, len);
		if (!buf) {
			phn_csv_reader_free(r);
			*out = NULL;
			return phn_error_code(PHN_ENOMEM);
		}
		r->buf = buf;
		r->cap = len;
	}
	if (len)
		memcpy(r->buf, data, len);
	r->end = len;
	r->eof = 1;
	return PHN_OK;
}

int phn_csv_reader_from_callback(phn_csv_reader **out, phn_read_cb read_cb, void *payload,
				 const phn_csv_options *opts)
{
	int rc;

	if ((rc = start_new(out, "phn_csv_reader_from_callback")) != PHN_OK)
		return rc;
	if (!read_cb)
		return phn_error_set(PHN_EINVAL, "phn_csv_reader_from_callback: read is NULL");
	if ((rc = reader_new(out, opts, SRC_CALLBACK, "callback")) != PHN_OK)
		return rc;
	(*out)->read = read_cb;
	(*out)->payload = payload;
	return PHN_OK;
}

void phn_csv_reader_free(phn_csv_reader *r)
{
	if (!r)
		return;
	if (r->owns_fd && r->fd >= 0)
		close(r->fd);
	if (r->spill)
		fclose(r->spill);
	if (r->replay)
		fclose(r->replay);
	free(r->cut);
	free(r->u16);
	free(r->buf);
	free(r->spare);
	free(r->name);
	phn_recstore_free(&r->fields);
	free(r);
}

int phn_csv_options_init(phn_csv_options *opts, unsigned int version)
{
	const phn_csv_options defaults = PHN_CSV_OPTIONS_INIT;
	int rc = phn_error_check_version(opts, version, PHN_CSV_OPTIONS_VERSION,
					 "phn_csv_options");

	if (rc != PHN_OK)
		return rc;
	/* A version-1 caller's struct ends before sniff_delimiter. */
	if (version == 1)
		memcpy(opts, &defaults, offsetof(phn_csv_options, sniff_delimiter));
	else
		*opts = defaults;
	opts->version = version;
	return PHN_OK;
}

uint64_t phn_csv_reader_offset(const phn_csv_reader *r)
{
	return r ? r->base_offset + r->start : 0;
}

int phn_csv_reader_had_bom(const phn_csv_reader *r)
{
	return r ? r->had_bom : 0;
}

uint64_t phn_csv_reader_blank_lines(const phn_csv_reader *r)
{
	return r ? r->blank_lines : 0;
}

char phn_csv_reader_delimiter(const phn_csv_reader *r)
{
	return r ? r->delimiter : '\0';
}

int phn_csv_reader_delimiter_sniffed(const phn_csv_reader *r)
{
	return r ? r->sniffed : 0;
}
