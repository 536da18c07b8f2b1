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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (256u * 1024u)
#define DEFAULT_MAX_RECORD (1024u * 1024u)

enum source_kind { SRC_FD, SRC_CALLBACK, SRC_MEMORY };

struct phn_csv_reader {
	enum source_kind kind;
	int fd;
	int owns_fd;
	phn_read_fn read;
	void *payload;

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
	int skipping; /* discarding the rest of an over-long line */

	uint64_t line; /* line of buf[start] */
	uint64_t blank_lines;
	size_t expected_fields; /* 0 until the first well-formed record */

	/* Decoded fields of the current record. */
	char *fbuf;
	size_t fbuf_cap;
	size_t *foff;
	size_t *flen;
	const char **fptr;
	size_t fcap;

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

static const char *const problem_names[] = {
	"ok", "unterminated_quote", "bad_quote", "field_count", "too_long",
};

const char *phn_csv_problem_name(phn_csv_problem problem)
{
	return (unsigned)problem < sizeof problem_names / sizeof problem_names[0]
		       ? problem_names[problem] : "unknown";
}

static int reserve_fields(phn_csv_reader *r, size_t n)
{
	size_t cap;
	size_t *foff, *flen;
	const char **fptr;

	if (n <= r->fcap)
		return PHN_OK;
	cap = r->fcap ? r->fcap * 2 : 64;
	while (cap < n)
		cap *= 2;
	foff = realloc(r->foff, cap * sizeof *foff);
	if (foff)
		r->foff = foff;
	flen = realloc(r->flen, cap * sizeof *flen);
	if (flen)
		r->flen = flen;
	fptr = realloc(r->fptr, cap * sizeof *fptr);
	if (fptr)
		r->fptr = fptr;
	if (!foff || !flen || !fptr)
		return PHN_ENOMEM;
	r->fcap = cap;
	return PHN_OK;
}

/* Close the field that started at fbuf offset fstart and ends at *out. */
static int end_field(phn_csv_reader *r, struct parse *res, size_t fstart, size_t *out)
{
	if (res->nfields == r->fcap && reserve_fields(r, res->nfields + 1) != PHN_OK)
		return PHN_ENOMEM;
	r->foff[res->nfields] = fstart;
	r->flen[res->nfields] = *out - fstart;
	r->fbuf[(*out)++] = '\0';
	res->nfields++;
	return PHN_OK;
}

/*
 * Parse the record at p[0..avail). at_eof: no more bytes will come. The
 * decoded fields go to r->fbuf, which holds at least 2 * avail + 2 bytes.
 */
static int parse_record(struct parse *res, phn_csv_reader *r, const char *p, size_t avail,
			int at_eof)
{
	const char delim = r->delimiter;
	size_t i = 0, out = 0, fstart = 0;
	int in_quotes = 0, quoted = 0, after_quote = 0;

	memset(res, 0, sizeof *res);
	for (;;) {
		char c;

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
					r->fbuf[out++] = '"';
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
			r->fbuf[out++] = c;
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
		r->fbuf[out++] = c;
		i++;
	}
}

static void publish(phn_csv_reader *r, const char *raw, size_t raw_len, size_t nfields,
		    phn_csv_problem problem, size_t eol_len, const char *eol_bytes)
{
	for (size_t f = 0; f < nfields; f++)
		r->fptr[f] = r->fbuf + r->foff[f];
	r->rec.version = PHN_CSV_RECORD_VERSION;
	r->rec.problem = problem;
	r->rec.line = r->line;
	r->rec.offset = r->base_offset + r->start;
	r->rec.nfields = nfields;
	r->rec.fields = r->fptr;
	r->rec.lens = r->flen;
	r->rec.raw = raw;
	r->rec.raw_len = raw_len;
	if (eol_len == 0)
		r->rec.eol = "";
	else if (eol_len == 2)
		r->rec.eol = "\r\n";
	else
		r->rec.eol = eol_bytes[0] == '\r' ? "\r" : "\n";
}

/* Read more input after buf[end]; make room first. */
static int fill(phn_csv_reader *r)
{
	long n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base_offset += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		size_t cap = r->cap * 2;
		char *buf = realloc(r->buf, cap);
		if (!buf)
			return PHN_ENOMEM;
		r->buf = buf;
		r->cap = cap;
	}
	if (r->kind == SRC_MEMORY) {
		r->eof = 1;
		return PHN_OK;
	}
	for (;;) {
		if (r->kind == SRC_FD) {
			ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
			if (got < 0 && errno == EINTR)
				continue;
			n = (long)got;
		} else {
			n = r->read(r->buf + r->end, r->cap - r->end, r->payload);
		}
		break;
	}
	if (n < 0 || (size_t)n > r->cap - r->end) {
		r->failed = 1;
		return PHN_EIO;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return PHN_OK;
}

static int ensure_fbuf(phn_csv_reader *r, size_t avail)
{
	size_t need = 2 * avail + 2;
	char *fbuf;

	if (need <= r->fbuf_cap)
		return PHN_OK;
	if (!(fbuf = realloc(r->fbuf, need)))
		return PHN_ENOMEM;
	r->fbuf = fbuf;
	r->fbuf_cap = need;
	return PHN_OK;
}

/* Drop bytes up to and including the next line ending. 1 when done. */
static int skip_line(phn_csv_reader *r)
{
	while (r->start < r->end) {
		char c = r->buf[r->start];
		if (c == '\n') {
			r->start++;
			return 1;
		}
		if (c == '\r') {
			if (r->start + 1 == r->end && !r->eof)
				return 0;
			r->start += (r->start + 1 < r->end && r->buf[r->start + 1] == '\n') ? 2 : 1;
			return 1;
		}
		r->start++;
	}
	return r->eof;
}

int phn_csv_reader_next(const phn_csv_record **rec, phn_csv_reader *r)
{
	struct parse res;
	int rc;

	if (!rec || !r)
		return PHN_EINVAL;
	*rec = NULL;
	if (r->failed)
		return PHN_EIO;
	if (!r->bom_checked) {
		while (r->end - r->start < 3 && !r->eof) {
			if ((rc = fill(r)) != PHN_OK)
				return rc;
		}
		if (r->end - r->start >= 3 && memcmp(r->buf + r->start, "\xEF\xBB\xBF", 3) == 0) {
			r->start += 3;
			r->had_bom = 1;
		}
		r->bom_checked = 1;
	}
	while (r->skipping) {
		if (skip_line(r)) {
			r->skipping = 0;
			r->line++;
			break;
		}
		if ((rc = fill(r)) != PHN_OK)
			return rc;
	}
	for (;;) {
		size_t avail = r->end - r->start;
		const char *p = r->buf + r->start;
		/* Never look further than one record may reach (+2 for its CRLF). */
		size_t window = avail < r->max_record + 2 ? avail : r->max_record + 2;

		if (avail == 0 && r->eof)
			return PHN_OK;
		if ((rc = ensure_fbuf(r, window)) != PHN_OK)
			return rc;
		if ((rc = parse_record(&res, r, p, window, r->eof && window == avail)) != PHN_OK)
			return rc;
		if (res.need_more && window < r->max_record + 2) {
			/* window == avail here: the record may end in bytes not read yet */
			if ((rc = fill(r)) != PHN_OK)
				return rc;
			continue;
		}
		if (res.need_more || res.raw_len > r->max_record) {
			if (res.newlines > 0 && res.first_break <= r->max_record)
				goto first_line_only; /* a quote ran away: resync */
			/* One line longer than allowed: hand back its start, flagged,
			 * and drop the rest of it before the next record. The
			 * decision depends on the bytes only, never on how they
			 * arrived. */
			publish(r, p, r->max_record, 0, PHN_CSV_TOO_LONG, 0, "");
			r->start += r->max_record;
			r->skipping = 1;
			*rec = &r->rec;
			return PHN_OK;
		}
		if (res.raw_len == 0 && res.nfields == 1) {
			/* An empty line is no record. */
			r->blank_lines++;
			r->start += res.eol_len;
			r->line++;
			continue;
		}
		if (r->check_field_count && r->delimiter && res.problem == PHN_CSV_OK) {
			if (r->expected_fields == 0)
				r->expected_fields = res.nfields;
			else if (res.nfields != r->expected_fields)
				res.problem = PHN_CSV_FIELD_COUNT;
		}
		if (res.problem != PHN_CSV_OK && res.newlines > 0)
			goto first_line_only;
		publish(r, p, res.raw_len, res.nfields, res.problem, res.eol_len, p + res.raw_len);
		r->start += res.raw_len + res.eol_len;
		r->line += res.newlines + (res.eol_len ? 1 : 0);
		*rec = &r->rec;
		return PHN_OK;

first_line_only:
		{
			size_t len = res.first_break;
			size_t eol = (p[len] == '\r' && len + 1 < avail && p[len + 1] == '\n') ? 2 : 1;

			if ((rc = parse_record(&res, r, p, len, 1)) != PHN_OK)
				return rc;
			publish(r, p, len, res.nfields, PHN_CSV_UNTERMINATED_QUOTE, eol, p + len);
			r->start += len + eol;
			r->line++;
			*rec = &r->rec;
			return PHN_OK;
		}
	}
}

static int reader_new(phn_csv_reader **out, const phn_csv_options *opts, enum source_kind kind)
{
	const phn_csv_options defaults = PHN_CSV_OPTIONS_INIT;
	phn_csv_reader *r;

	if (!out)
		return PHN_EINVAL;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != PHN_CSV_OPTIONS_VERSION)
		return PHN_EVERSION;
	if (opts->delimiter == '"' || opts->delimiter == '\n' || opts->delimiter == '\r')
		return PHN_EINVAL;
	if (!(r = calloc(1, sizeof *r)))
		return PHN_ENOMEM;
	r->kind = kind;
	r->fd = -1;
	r->delimiter = opts->delimiter;
	r->check_field_count = opts->check_field_count;
	r->max_record = opts->max_record ? opts->max_record : DEFAULT_MAX_RECORD;
	r->line = 1;
	r->cap = READ_CHUNK;
	if (!(r->buf = malloc(r->cap)) || reserve_fields(r, 64) != PHN_OK) {
		phn_csv_reader_free(r);
		return PHN_ENOMEM;
	}
	*out = r;
	return PHN_OK;
}

int phn_csv_reader_open(phn_csv_reader **out, const char *path, const phn_csv_options *opts)
{
	int rc, fd, saved;

	if (!out || !path)
		return out ? (*out = NULL, PHN_EINVAL) : PHN_EINVAL;
	if ((rc = reader_new(out, opts, SRC_FD)) != PHN_OK)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno;
		phn_csv_reader_free(*out);
		*out = NULL;
		errno = saved;
		return PHN_EIO;
	}
	(*out)->fd = fd;
	(*out)->owns_fd = 1;
	return PHN_OK;
}

int phn_csv_reader_from_fd(phn_csv_reader **out, int fd, const phn_csv_options *opts)
{
	int rc;

	if (fd < 0)
		return out ? (*out = NULL, PHN_EINVAL) : PHN_EINVAL;
	if ((rc = reader_new(out, opts, SRC_FD)) != PHN_OK)
		return rc;
	(*out)->fd = fd;
	return PHN_OK;
}

int phn_csv_reader_from_memory(phn_csv_reader **out, const char *data, size_t len,
			       const phn_csv_options *opts)
{
	phn_csv_reader *r;
	int rc;

	if (!data && len > 0)
		return out ? (*out = NULL, PHN_EINVAL) : PHN_EINVAL;
	if ((rc = reader_new(out, opts, SRC_MEMORY)) != PHN_OK)
		return rc;
	r = *out;
	if (len > r->cap) {
		char *buf = realloc(r->buf, len);
		if (!buf) {
			phn_csv_reader_free(r);
			*out = NULL;
			return PHN_ENOMEM;
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

int phn_csv_reader_from_callback(phn_csv_reader **out, phn_read_fn read_fn, void *payload,
				 const phn_csv_options *opts)
{
	int rc;

	if (!read_fn)
		return out ? (*out = NULL, PHN_EINVAL) : PHN_EINVAL;
	if ((rc = reader_new(out, opts, SRC_CALLBACK)) != PHN_OK)
		return rc;
	(*out)->read = read_fn;
	(*out)->payload = payload;
	return PHN_OK;
}

void phn_csv_reader_free(phn_csv_reader *r)
{
	if (!r)
		return;
	if (r->owns_fd && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->fbuf);
	free(r->foff);
	free(r->flen);
	free(r->fptr);
	free(r);
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
