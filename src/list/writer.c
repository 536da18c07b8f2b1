/*
 * The clean outputs (clean, rejects, duplicates): the one place their bytes
 * are decided. A row's original bytes are written back as read when they
 * parse as CSV, so every input row can be found, quoting and all, in exactly
 * one output; a row that would not parse back (plain-text lines, broken
 * quoting) is written as one quoted field whose value is its bytes.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonenorm/list.h"
#include "list/csvfield.h"
#include "text/error.h"

#define WRITE_BLOCK (64u * 1024u)

struct phn_clean_writer {
	phn_clean_output output;
	phn_write_cb write;
	void *payload;
	char delim;    /* between the columns we write */
	int text;      /* plain-text input: originals are always one field */
	unsigned int columns;
	const phn_csv_reader *reader;
	unsigned int flags;
	char eol[3];   /* of the first row; "" until then */
	int started;   /* the byte order mark is decided */
	int failed;
	char *buf;
	size_t len;
};

static const char *output_name(phn_clean_output output)
{
	switch (output) {
	case PHN_CLEAN_OUTPUT_CLEAN: return "clean";
	case PHN_CLEAN_OUTPUT_REJECTS: return "rejects";
	case PHN_CLEAN_OUTPUT_DUPLICATES: return "duplicates";
	default: return "unknown";
	}
}

int phn_clean_writer_options_init(phn_clean_writer_options *opts, unsigned int version)
{
	const phn_clean_writer_options defaults = PHN_CLEAN_WRITER_OPTIONS_INIT;
	int rc = phn_error_check_version(opts, version, PHN_CLEAN_WRITER_OPTIONS_VERSION,
					 "phn_clean_writer_options");

	if (rc != PHN_OK)
		return rc;
	/* A version-1 caller's struct ends before flags. */
	memcpy(opts, &defaults, version == 1 ? offsetof(phn_clean_writer_options, flags)
					    : sizeof defaults);
	opts->version = version;
	return PHN_OK;
}

int phn_clean_writer_new(phn_clean_writer **out, phn_clean_output output, phn_write_cb write,
			 void *payload, const phn_clean_writer_options *opts)
{
	const phn_clean_writer_options defaults = PHN_CLEAN_WRITER_OPTIONS_INIT;
	phn_clean_writer *w;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_clean_writer_new: out is NULL");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((rc = phn_error_check_version(opts, opts->version, PHN_CLEAN_WRITER_OPTIONS_VERSION,
					  "phn_clean_writer_options")) != PHN_OK)
		return rc;
	if (!write)
		return phn_error_set(PHN_EINVAL, "phn_clean_writer_new: write is NULL");
	if (output < PHN_CLEAN_OUTPUT_CLEAN || output > PHN_CLEAN_OUTPUT_DUPLICATES)
		return phn_error_set(PHN_EINVAL, "%d is not a phn_clean_output", (int)output);
	if (opts->delimiter == '"' || opts->delimiter == '\n' || opts->delimiter == '\r')
		return phn_error_set(PHN_EINVAL, "the delimiter cannot be a quote or a line break "
				     "(0x%02x)", (unsigned char)opts->delimiter);
	if (!(w = calloc(1, sizeof *w)) || !(w->buf = malloc(WRITE_BLOCK))) {
		free(w);
		return phn_error_code(PHN_ENOMEM);
	}
	w->output = output;
	w->write = write;
	w->payload = payload;
	w->text = opts->delimiter == '\0';
	w->delim = w->text ? ',' : opts->delimiter;
	w->columns = opts->columns;
	w->reader = opts->reader;
	w->flags = opts->version >= 2 ? opts->flags : 0;
	*out = w;
	return PHN_OK;
}

void phn_clean_writer_free(phn_clean_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

/* Hand bytes to the callback. After a failure nothing more is written. */
static int write_out(phn_clean_writer *w, const void *data, size_t len)
{
	int rc;

	if (w->failed)
		return PHN_EIO;
	if (len == 0 || (rc = w->write(data, len, w->payload)) == 0)
		return PHN_OK;
	w->failed = 1;
	return phn_error_set(PHN_EIO, "writing the %s output failed (the write callback "
			     "returned %d)", output_name(w->output), rc);
}

static int flush(phn_clean_writer *w)
{
	int rc = write_out(w, w->buf, w->len);

	w->len = 0;
	return rc;
}

/* Errors are remembered in w->failed and reported once the row is done. */
static void put_slow(phn_clean_writer *w, const void *data, size_t len)
{
	if (w->len + len > WRITE_BLOCK && flush(w) != PHN_OK)
		return;
	if (len > WRITE_BLOCK) {
		write_out(w, data, len);
		return;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

/* The common case, inline: it fits in the block. */
static inline void put(phn_clean_writer *w, const void *data, size_t len)
{
	if (w->len + len > WRITE_BLOCK) {
		put_slow(w, data, len);
		return;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

static void put_str(phn_clean_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* The separator, then s. */
static void put_col(phn_clean_writer *w, const char *s)
{
	put(w, &w->delim, 1);
	put_str(w, s);
}

/* The separator, then v in decimal (a line number on every reject and
 * duplicate: no snprintf per row). */
static void put_col_u64(phn_clean_writer *w, uint64_t v)
{
	char num[24];
	size_t i = sizeof num;

	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	num[--i] = w->delim;
	put(w, num + i, sizeof num - i);
}

/* ---- one field: also the campaign report's (list/csvfield.h) ---------- */

static void quoted(phn_csv_put_fn out, void *ctx, const char *prefix, const char *s,
		   size_t len)
{
	size_t i, from;

	out("\"", 1, ctx);
	if (prefix)
		out(prefix, strlen(prefix), ctx);
	for (i = from = 0; i < len; i++) {
		if (s[i] == '"') {
			out(s + from, i + 1 - from, ctx); /* the quote, then its double */
			from = i;
		}
	}
	out(s + from, len - from, ctx);
	out("\"", 1, ctx);
}

/* Whether a spreadsheet would take the cell for a formula (OWASP's CSV
 * injection list) and it is not simply a number, which cannot do harm and
 * which a spreadsheet user wants to keep as a number ("+966501234567"). */
int phn_csv_formula_cell(const char *s, size_t len)
{
	size_t i = 1, digits = 0;

	if (len == 0 || !strchr("=+-@\t\r", s[0]) || s[0] == '\0')
		return 0;
	if (s[0] != '+' && s[0] != '-')
		return 1;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (digits && i < len && s[i] == '.') {
		size_t frac = 0;

		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (!frac)
			return 1;
	}
	return !digits || i != len;
}

void phn_csv_put_cell(phn_csv_put_fn out, void *ctx, const char *s, size_t len, char delim,
		      unsigned int flags)
{
	size_t i;

	if ((flags & PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS) && phn_csv_formula_cell(s, len)) {
		/* neutralised: "'" first, and always quoted */
		quoted(out, ctx, "'", s, len);
		return;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\n' || s[i] == '\r' || s[i] == delim)
			break;
	}
	if (i == len)
		out(s, len, ctx);
	else
		quoted(out, ctx, NULL, s, len);
}

static void writer_put(const char *data, size_t len, void *ctx)
{
	put(ctx, data, len);
}

/* A cell, neutralised when it is a formula and the flag says so. */
static void put_cell(phn_clean_writer *w, const char *s, size_t len)
{
	phn_csv_put_cell(writer_put, w, s, len, w->delim, w->flags);
}

static int has_formula(const phn_clean_writer *w, const phn_csv_record *rec)
{
	if (!(w->flags & PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS))
		return 0;
	for (size_t i = 0; i < rec->nfields; i++) {
		if (phn_csv_formula_cell(rec->fields[i], rec->lens[i]))
			return 1;
	}
	return 0;
}

/* The start of a line: the byte order mark before the first, then the row. */
static void put_original(phn_clean_writer *w, const phn_csv_record *rec)
{
	int verbatim = !w->text &&
		       (rec->problem == PHN_CSV_OK || rec->problem == PHN_CSV_FIELD_COUNT);

	if (!w->started) {
		const unsigned char *b = (const unsigned char *)rec->raw;
		/* An output that began with FF FE or FE FF would be read back as
		 * UTF-16: a UTF-8 byte order mark in front keeps it UTF-8. */
		int utf16_lookalike = rec->raw_len >= 2 &&
				      ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));

		if ((w->reader && phn_csv_reader_had_bom(w->reader)) || utf16_lookalike)
			put(w, "\xEF\xBB\xBF", 3);
		/* A delimiter sniffed from the input separates the added columns. */
		if (w->reader && !w->text && phn_csv_reader_delimiter_sniffed(w->reader))
			w->delim = phn_csv_reader_delimiter(w->reader);
		w->started = 1;
	}
	if (verbatim && has_formula(w, rec)) {
		/* Field by field: the same values, the formulas neutralised. */
		for (size_t i = 0; i < rec->nfields; i++) {
			if (i)
				put(w, &w->delim, 1);
			put_cell(w, rec->fields[i], rec->lens[i]);
		}
	} else if (verbatim) {
		put(w, rec->raw, rec->raw_len);
	} else {
		put_cell(w, rec->raw, rec->raw_len);
	}
}

static void put_header(phn_clean_writer *w, const phn_csv_record *rec)
{
	put_original(w, rec);
	switch (w->output) {
	case PHN_CLEAN_OUTPUT_CLEAN:
		put_col(w, "e164");
		put_col(w, "number_type");
		if (w->columns & PHN_CLEAN_COLUMN_NUMBER_STATUS)
			put_col(w, "number_status");
		break;
	case PHN_CLEAN_OUTPUT_REJECTS:
		put_col(w, "reject_reason");
		put_col(w, "line");
		break;
	case PHN_CLEAN_OUTPUT_DUPLICATES:
		put_col(w, "e164");
		put_col(w, "duplicate_of_line");
		break;
	}
	put_str(w, w->eol);
}

static void put_clean(phn_clean_writer *w, const phn_clean_row *row)
{
	const phn_number *num = row->number;

	put_original(w, row->record);
	put_col(w, num->e164);
	put_col(w, num->status == PHN_STATUS_VALID ? phn_type_name(num->type) : "unknown");
	if (w->columns & PHN_CLEAN_COLUMN_NUMBER_STATUS)
		put_col(w, phn_status_name(num->status));
	put_str(w, w->eol);
}

static void put_reject(phn_clean_writer *w, const phn_clean_row *row)
{
	const phn_csv_record *rec = row->record;

	put_original(w, rec);
	put_col(w, phn_reject_reason_name(row->reason));
	put_col_u64(w, row->line);
	if (rec->version >= 2 && rec->record_bytes > rec->raw_len) {
		/* A record over the reader's limit holds only its start: say so. */
		char note[80];

		snprintf(note, sizeof note, "cut_at_byte=%zu of %" PRIu64 " bytes", rec->raw_len,
			 rec->record_bytes);
		put_col(w, note);
	}
	put_str(w, w->eol);
}

static void put_duplicate(phn_clean_writer *w, const phn_clean_row *row)
{
	put_original(w, row->record);
	put_col(w, row->number->e164);
	put_col_u64(w, row->duplicate_of);
	put_str(w, w->eol);
}

/* The outcome a row must have to go to this output. */
static phn_row_outcome outcome_of(phn_clean_output output)
{
	return output == PHN_CLEAN_OUTPUT_CLEAN     ? PHN_ROW_CLEAN
	       : output == PHN_CLEAN_OUTPUT_REJECTS ? PHN_ROW_REJECTED
						    : PHN_ROW_DUPLICATE;
}

int phn_clean_writer_row(phn_clean_writer *w, const phn_clean_row *row)
{
	const phn_csv_record *rec;
	int rc;

	if (!w || !row)
		return phn_error_set(PHN_EINVAL, "phn_clean_writer_row: %s is NULL",
				     w ? "row" : "the writer");
	if ((rc = phn_error_check_version(row, row->version, PHN_CLEAN_ROW_VERSION,
					  "phn_clean_row")) != PHN_OK)
		return rc;
	if (!(rec = row->record) || (!row->number && row->outcome != PHN_ROW_HEADER &&
				     row->outcome != PHN_ROW_REJECTED))
		return phn_error_set(PHN_EINVAL, "phn_clean_writer_row: the row has no %s",
				     rec ? "number" : "record");
	if (w->failed)
		return phn_error_set(PHN_EIO, "writing the %s output failed earlier",
				     output_name(w->output));
	if (!w->eol[0])
		snprintf(w->eol, sizeof w->eol, "%s", rec->eol && rec->eol[0] ? rec->eol : "\n");
	if (row->outcome == PHN_ROW_HEADER)
		put_header(w, rec);
	else if (row->outcome != outcome_of(w->output))
		return PHN_OK;
	else if (row->outcome == PHN_ROW_CLEAN)
		put_clean(w, row);
	else if (row->outcome == PHN_ROW_REJECTED)
		put_reject(w, row);
	else
		put_duplicate(w, row);
	return w->failed ? PHN_EIO : PHN_OK; /* the message is set where it failed */
}

int phn_clean_writer_finish(phn_clean_writer *w)
{
	if (!w)
		return phn_error_set(PHN_EINVAL, "phn_clean_writer_finish: the writer is NULL");
	if (w->failed)
		return phn_error_set(PHN_EIO, "writing the %s output failed earlier",
				     output_name(w->output));
	return flush(w);
}
