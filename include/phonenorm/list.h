/*
 * phonenorm: clean phone lists. A dedupe set on packed number keys, a
 * streaming RFC 4180 CSV reader and a list
 * cleaner that classifies every row as clean, rejected (with a reason) or
 * a duplicate of an earlier row, and keeps the summary counters.
 *
 * The library also writes what a clean produces: the clean, rejects and
 * duplicates CSV files (phn_clean_writer) and the JSON report
 * (phn_cleaner_report_json), so that the CLI and every binding write the
 * same bytes.
 *
 * Thread safety: a phn_dedupe_set, phn_csv_reader, phn_cleaner or
 * phn_clean_writer belongs to one thread at a time; a dedupe set that no thread modifies any more may
 * be read (contains, count) from many threads, which is how a cleaner uses
 * its suppress set.
 *
 * Errors: every function here that returns a negative PHN_E* code leaves a
 * message naming what failed in phn_error_last() (common.h), valid until the
 * next failing phonenorm call on the same thread; on a failed constructor or
 * open, *out is NULL. errno is never part of the API.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_LIST_H
#define PHONENORM_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/common.h"
#include "phonenorm/number.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Dedupe set: an open-addressing hash set of phn_number keys, each with a
 * 64-bit value the caller chooses (the cleaner stores the line of the first
 * occurrence). Memory is about 16 bytes per slot, at most 2 slots per key.
 */
typedef struct phn_dedupe_set phn_dedupe_set;

/* Create an empty set sized for about expected keys (0: a small default;
 * the set grows as needed). Errors: PHN_EINVAL, PHN_ENOMEM; *out is NULL then. */
PHN_EXTERN int phn_dedupe_set_new(phn_dedupe_set **out, size_t expected);

/* Free the set; NULL is allowed. */
PHN_EXTERN void phn_dedupe_set_free(phn_dedupe_set *set);

/*
 * Insert key with value. *is_new is 1 if the key was not in the set (it is
 * now, with value), 0 if it was (the set is unchanged). *first_value (may be
 * NULL) gets the value stored with the key: value itself when it is new.
 * Errors: PHN_EINVAL (NULL set or is_new, key 0: the key of "no number"),
 * PHN_ENOMEM (the set is unchanged).
 */
PHN_EXTERN int phn_dedupe_set_insert(int *is_new, uint64_t *first_value, phn_dedupe_set *set,
				     uint64_t key, uint64_t value);

/* *found is 1 if key is in the set, and then *value (may be NULL) gets its
 * value; 0 otherwise. Errors: PHN_EINVAL. */
PHN_EXTERN int phn_dedupe_set_contains(int *found, uint64_t *value, const phn_dedupe_set *set,
				       uint64_t key);

/* Number of keys in the set (0 for NULL). */
PHN_EXTERN size_t phn_dedupe_set_count(const phn_dedupe_set *set);

/*
 * The set's keys in ascending order into keys[cap]; *count gets how many the
 * set holds (also when cap is too small: PHN_EBUFS, keys unspecified). For a
 * digest of a suppress list, e.g. Errors: PHN_EINVAL (NULL set or count),
 * PHN_EBUFS.
 */
PHN_EXTERN int phn_dedupe_set_keys(uint64_t *keys, size_t cap, size_t *count,
				   const phn_dedupe_set *set);

/* Bytes the set holds on the heap, its struct included (0 for NULL). */
PHN_EXTERN size_t phn_dedupe_set_memory(const phn_dedupe_set *set);

/* ------------------------------------------------------------------------
 * Streaming CSV reader (RFC 4180): fields separated by a delimiter, quoted
 * fields with "" for a quote and embedded delimiters, CR, LF; records end in
 * LF, CRLF or CR; a UTF-8 byte order mark at the start is skipped, and
 * UTF-16 (LE or BE) with a byte order mark is read as UTF-8 (offsets then
 * count UTF-8 bytes). Input that is no text fails on the first read with
 * PHN_EFORMAT and a message: gzip ("looks like gzip: decompress it
 * first"), zip/xlsx ("looks like a zip archive (an .xlsx workbook?): export
 * it as CSV first"), UTF-16 without a byte order mark. Empty
 * lines are skipped (and counted). Memory stays at the size of the longest
 * record, whatever the size of the input.
 *
 * A malformed record never stops the reader and is never merged with the
 * next one: it comes back flagged (phn_csv_problem) with its line number.
 * A quoted field may span lines; but when a record that spans lines turns
 * out malformed (the quote never closes properly, or the field count is
 * wrong), only its first line is returned, flagged
 * PHN_CSV_UNTERMINATED_QUOTE, and reading resumes on the next line.
 *
 * A record longer than max_record (1 MiB by default) is never split: it is
 * read on to its real end (a quoted field to its closing quote, then the
 * line end, counting the lines inside) and comes back as one record flagged
 * PHN_CSV_TOO_LONG, holding its first max_record bytes in raw and its whole
 * length in record_bytes. Memory stays bounded by max_record: the bytes past
 * a long record's first line go to a temporary file while it is scanned, so
 * that reading can resume on its second line if it turns out malformed (a
 * quote that never closes); each input byte is read at most twice.
 */
typedef struct phn_csv_reader phn_csv_reader;

typedef enum phn_csv_problem {
	PHN_CSV_OK = 0,
	/* A quote opened and never closed on this line (see above). */
	PHN_CSV_UNTERMINATED_QUOTE = 1,
	/* Text after a closing quote: "abc"def. */
	PHN_CSV_BAD_QUOTE = 2,
	/* Not as many fields as the first record. */
	PHN_CSV_FIELD_COUNT = 3,
	/* Longer than the max_record option: raw holds its first max_record
	 * bytes, record_bytes its length; its fields are not available. */
	PHN_CSV_TOO_LONG = 4
} phn_csv_problem;

/* Reader options. New fields are only appended; set version with
 * PHN_CSV_OPTIONS_INIT or phn_csv_options_init(). */
typedef struct phn_csv_options {
	unsigned int version;
	/* Field separator: ',' (default), ';', '\t', ...; '\0' reads plain
	 * text, one field per line, with no quoting at all. */
	char delimiter;
	/* 1 (default): every record must have as many fields as the first
	 * well-formed one, or it is flagged PHN_CSV_FIELD_COUNT. */
	int check_field_count;
	/* Longest record accepted, in bytes, line ending excluded (0: 1 MiB,
	 * PHN_CSV_MAX_RECORD_DEFAULT). At most PHN_CSV_MAX_RECORD_LIMIT (1 GiB);
	 * the reader holds about twice this much memory at most. */
	size_t max_record;
	/* (version 2) 1: choose the delimiter from the first lines (up to
	 * 64 KiB or 20 records), as Python's csv.Sniffer does: the first of
	 * , ; TAB | that splits every one of them into the same number of
	 * fields, more than one; else the delimiter option. Not with '\0'. See
	 * phn_csv_reader_delimiter(). 0 (default): the delimiter option. */
	int sniff_delimiter;
} phn_csv_options;

#define PHN_CSV_MAX_RECORD_DEFAULT ((size_t)1 << 20)
#define PHN_CSV_MAX_RECORD_LIMIT ((size_t)1 << 30)

#define PHN_CSV_OPTIONS_VERSION 2
#define PHN_CSV_OPTIONS_INIT { PHN_CSV_OPTIONS_VERSION, ',', 1, 0, 0 }

/* Set *opts to the defaults of version (1 <= version <= PHN_CSV_OPTIONS_VERSION).
 * Errors: PHN_EINVAL (NULL), PHN_EVERSION. */
PHN_EXTERN int phn_csv_options_init(phn_csv_options *opts, unsigned int version);

/*
 * One record. Fields are decoded (quotes removed, "" made ") and each is
 * NUL-terminated; raw is the record exactly as it is in the input, without
 * its line ending. Everything points into the reader (or the cleaner) and
 * lives until the next call on it. Only the library fills records.
 */
typedef struct phn_csv_record {
	unsigned int version;
	phn_csv_problem problem;
	/* Line (1-based) the record starts on, counting every line of the input. */
	uint64_t line;
	/* Byte offset of the record in the input (after a byte order mark). */
	uint64_t offset;
	size_t nfields;
	const char *const *fields;
	const size_t *lens;
	const char *raw;
	size_t raw_len;
	/* The line ending that closed the record: "\n", "\r\n", "\r" or "" at
	 * the end of input. Static. */
	const char *eol;
	/* (version 2) Length of the whole record in the input, line ending
	 * excluded: raw_len, except for a record cut at max_record
	 * (PHN_CSV_TOO_LONG), where raw holds only its first raw_len bytes. */
	uint64_t record_bytes;
} phn_csv_record;

#define PHN_CSV_RECORD_VERSION 2

/* Read the file at path. opts may be NULL for defaults. Errors: PHN_EINVAL
 * (max_record over the limit: "max_record 2147483648 is over the limit ..."),
 * PHN_EVERSION, PHN_ENOMEM, PHN_EIO ("open 'x.csv': No such file or
 * directory"; "'dir': is a directory" in phn_error_last()). */
PHN_EXTERN int phn_csv_reader_open(phn_csv_reader **out, const char *path,
				   const phn_csv_options *opts);

/* Read from an open file descriptor (stdin: 0), which stays the caller's:
 * the reader never closes it. Errors: PHN_EINVAL, PHN_EVERSION, PHN_ENOMEM. */
PHN_EXTERN int phn_csv_reader_from_fd(phn_csv_reader **out, int fd, const phn_csv_options *opts);

/* Read len bytes of memory, which the reader copies. */
PHN_EXTERN int phn_csv_reader_from_memory(phn_csv_reader **out, const char *data, size_t len,
					  const phn_csv_options *opts);

/*
 * A source of bytes: fill buf with up to cap bytes and return how many (0 at
 * the end of input), or a negative value on an error (the reader then fails
 * with PHN_EIO).
 */
typedef int64_t (*phn_read_cb)(char *buf, size_t cap, void *payload);

/* Read from a callback (how bindings feed their own streams). */
PHN_EXTERN int phn_csv_reader_from_callback(phn_csv_reader **out, phn_read_cb read,
					    void *payload, const phn_csv_options *opts);

/* Free the reader (closing the file phn_csv_reader_open opened); NULL is allowed. */
PHN_EXTERN void phn_csv_reader_free(phn_csv_reader *r);

/*
 * The next record in *rec (owned by the reader, valid until the next call),
 * or NULL at the end of input. Malformed records are data (rec->problem).
 * Errors: PHN_EINVAL, PHN_ENOMEM, PHN_EIO (a read failed: "read 'x.csv':
 * Input/output error"; the reader is done and keeps failing so),
 * PHN_EFORMAT (not text: see above; on the first call).
 */
PHN_EXTERN int phn_csv_reader_next(const phn_csv_record **rec, phn_csv_reader *r);

/* Bytes consumed so far (for progress), including a byte order mark. */
PHN_EXTERN uint64_t phn_csv_reader_offset(const phn_csv_reader *r);

/* 1 if the input began with a UTF-8 byte order mark (known after the first record). */
PHN_EXTERN int phn_csv_reader_had_bom(const phn_csv_reader *r);

/* The delimiter in use: the option's, or the one sniffed from the first
 * lines (sniff_delimiter; known after the first record). '\0' for plain text. */
PHN_EXTERN char phn_csv_reader_delimiter(const phn_csv_reader *r);

/* 1 if the delimiter was sniffed and differs from the delimiter option. */
PHN_EXTERN int phn_csv_reader_delimiter_sniffed(const phn_csv_reader *r);

/* Empty lines skipped so far. */
PHN_EXTERN uint64_t phn_csv_reader_blank_lines(const phn_csv_reader *r);

/* Static name of a problem: "ok", "unterminated_quote", "bad_quote",
 * "field_count", "too_long". */
PHN_EXTERN const char *phn_csv_problem_name(phn_csv_problem problem);

/* ------------------------------------------------------------------------
 * List cleaner.
 *
 * Rows are numbered by the line they start on, as an editor or a spreadsheet
 * shows them (the header is line 1). Every data row gets exactly one
 * outcome, so rows = clean + rejected + duplicates always holds; suppressed
 * rows are rejections with their own reason.
 *
 * Dedupe is on the number key: two rows with the same E.164 number are
 * duplicates even when their extensions differ (one person to call), and
 * the first occurrence is kept.
 */
typedef struct phn_cleaner phn_cleaner;

typedef enum phn_row_outcome {
	PHN_ROW_CLEAN = 0,
	PHN_ROW_REJECTED = 1,
	PHN_ROW_DUPLICATE = 2,
	/* The header record: not a data row, not counted. */
	PHN_ROW_HEADER = 3
} phn_row_outcome;

/* Why a row was rejected. Values only grow: loop over them with
 * phn_cleaner_count() until PHN_ENOTFOUND rather than with a constant. */
typedef enum phn_reject_reason {
	PHN_REJECT_NONE = 0,
	PHN_REJECT_MALFORMED_CSV = 1, /* unterminated or misplaced quote */
	PHN_REJECT_FIELD_COUNT = 2,   /* not as many fields as the header */
	PHN_REJECT_EMPTY = 3,         /* the phone field is empty or blank */
	PHN_REJECT_BAD_TEXT = 4,      /* the phone field is not valid UTF-8 */
	PHN_REJECT_BAD_REGION = 5,    /* the region column holds no known region */
	PHN_REJECT_NOT_A_NUMBER = 6,
	PHN_REJECT_INVALID_COUNTRY_CODE = 7,
	PHN_REJECT_TOO_SHORT = 8,
	PHN_REJECT_TOO_LONG = 9,
	PHN_REJECT_INVALID_LENGTH = 10,
	PHN_REJECT_NEEDS_REGION = 11, /* a local number and no region for the row */
	PHN_REJECT_LOCAL_ONLY = 12,   /* dialable only inside an area */
	PHN_REJECT_NOT_VALID = 13,    /* possible, not valid, and keep_possible is off */
	PHN_REJECT_TYPE = 14,         /* its type is not in the types option */
	PHN_REJECT_SUPPRESSED = 15,   /* on the suppress (do-not-call) list */
	/* longer than the reader's max_record (PHN_CSV_TOO_LONG) */
	PHN_REJECT_TOO_LONG_RECORD = 16
} phn_reject_reason;

/* Bit of a type in phn_clean_options.types. */
#define PHN_TYPE_BIT(type) (1u << (unsigned)(type))

typedef enum phn_clean_header {
	/* Guess. The first record is the header when a column name given in
	 * the options is one of its fields; otherwise when every field looks
	 * like a name: none parses as a valid or possible number and none looks
	 * like data (holds a digit and nothing but digits, spaces and phone
	 * punctuation + - ( ) . / , such as 0501234567 when no region is known,
	 * or 2024-01-31). Plain-text input (delimiter '\0', phn_cleaner_run)
	 * never has a header unless PHN_CLEAN_HEADER_YES: any line may be data.
	 * The summary says whether it was guessed and shows the row taken. */
	PHN_CLEAN_HEADER_AUTO = 0,
	PHN_CLEAN_HEADER_YES = 1,
	PHN_CLEAN_HEADER_NO = 2
} phn_clean_header;

/* Cleaner options. New fields are only appended; set version with
 * PHN_CLEAN_OPTIONS_INIT or phn_clean_options_init(). */
typedef struct phn_clean_options {
	unsigned int version;
	/* Region for local numbers (ISO 3166-1 alpha-2), NULL or "" for none. */
	const char *region;
	phn_clean_header header;
	/* The phone column: by name (case-insensitive, ignoring punctuation
	 * and spaces, compared in full; needs a header), else by 0-based
	 * index, else (NULL and -1) guessed: from the header names (phone,
	 * mobile, msisdn, number, numberToCall, ...), or without a header the
	 * first field of the first row that parses as a number (the only
	 * column of a one-column input). */
	const char *phone_column;
	int phone_column_index;
	/* A column whose value (a region code; blank: use region) overrides
	 * region for its row: by name, else 0-based index, else none (NULL, -1). */
	const char *region_column;
	int region_column_index;
	/* Keep numbers that are possible but not valid for the metadata. They
	 * skip the types filter (their type cannot be known). */
	int keep_possible;
	/* PHN_TYPE_BIT()s of the types to keep; 0 keeps every type. */
	unsigned int types;
	/* Numbers to remove (reject as suppressed); borrowed, must outlive
	 * the cleaner and not change while it runs. NULL for none. */
	const phn_dedupe_set *suppress;
	/* Threads phn_cleaner_run() may use (0 or 1: the calling thread). The
	 * outcomes and their order are the same for any number. */
	unsigned int threads;
} phn_clean_options;

#define PHN_CLEAN_OPTIONS_VERSION 1
#define PHN_CLEAN_OPTIONS_INIT { PHN_CLEAN_OPTIONS_VERSION, NULL, PHN_CLEAN_HEADER_AUTO, \
		NULL, -1, NULL, -1, 0, 0, NULL, 1 }

/* Set *opts to the defaults of version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_clean_options_init(phn_clean_options *opts, unsigned int version);

/*
 * What became of one record. The library fills it; new fields are only
 * appended (a caller passing an older version gets the fields it knows).
 */
typedef struct phn_clean_row {
	unsigned int version;
	phn_row_outcome outcome;
	phn_reject_reason reason; /* PHN_REJECT_NONE unless rejected */
	/* Line the row starts on; for a duplicate, the line of the row it repeats. */
	uint64_t line;
	uint64_t duplicate_of;
	/* The parsed phone field (status NOT_A_NUMBER when it was not
	 * parsed). Never NULL in a filled row; owned by the cleaner and
	 * valid as long as record. */
	const phn_number *number;
	/* The record itself; valid during the callback or until the next push. */
	const phn_csv_record *record;
} phn_clean_row;

#define PHN_CLEAN_ROW_VERSION 1
#define PHN_CLEAN_ROW_INIT { PHN_CLEAN_ROW_VERSION, PHN_ROW_CLEAN, PHN_REJECT_NONE, 0, 0, \
		NULL, NULL }

/* Set *row to an empty row of version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_clean_row_init(phn_clean_row *row, unsigned int version);

/*
 * The counters, after or during a run. Counters per reject reason and per
 * number type are read with phn_cleaner_count(); clean rows per region with
 * phn_cleaner_region_count(). New fields are only appended.
 */
typedef struct phn_clean_summary {
	unsigned int version;
	uint64_t rows;       /* data rows seen (header and blank lines not counted) */
	uint64_t clean;
	uint64_t rejected;   /* suppressed included */
	uint64_t duplicates;
	uint64_t clean_possible; /* kept by keep_possible */
	uint64_t blank_lines;    /* skipped by the reader (phn_cleaner_run only) */
	int has_header;          /* 1 if the first record was taken as a header */
	/* The phone column, as resolved: 0-based index (-1 before the first
	 * record), and 1 if it was guessed rather than given. */
	int phone_column;
	/* Its header name, whole; "" with no header. Never NULL once filled;
	 * owned by the cleaner and valid as long as it is. */
	const char *phone_column_name;
	int phone_column_guessed;
	int region_column; /* -1 for none */
	/* (version 2) 1 if has_header was guessed (PHN_CLEAN_HEADER_AUTO on
	 * CSV input) rather than given or implied by plain text. */
	int header_guessed;
	/* (version 2) The first record as read, for showing with the guess:
	 * control characters and backslashes escaped (\t, \n, \x1b, \\), cut
	 * to about 60 bytes with "..."; "" before the first record. Never NULL;
	 * owned by the cleaner and valid as long as it is. */
	const char *first_row;
} phn_clean_summary;

#define PHN_CLEAN_SUMMARY_VERSION 2
#define PHN_CLEAN_SUMMARY_INIT { PHN_CLEAN_SUMMARY_VERSION, 0, 0, 0, 0, 0, 0, 0, -1, "", 0, -1, \
		0, "" }

/* Set *sum to an empty summary of version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_clean_summary_init(phn_clean_summary *sum, unsigned int version);

/* Create a cleaner. Option strings are copied. Errors: PHN_EINVAL,
 * PHN_EVERSION, PHN_EREGION ("unknown region 'XX'"), PHN_ENOMEM; *out is
 * NULL then. */
PHN_EXTERN int phn_cleaner_new(phn_cleaner **out, const phn_clean_options *opts);

/* Free a cleaner; NULL is allowed. */
PHN_EXTERN void phn_cleaner_free(phn_cleaner *c);

/*
 * Classify one record (rows in input order, the first one possibly the
 * header) into *row (initialised with PHN_CLEAN_ROW_INIT or
 * phn_clean_row_init()); row->number points into the cleaner until the next
 * push. Uses the calling thread only. Errors: PHN_EINVAL, PHN_EVERSION,
 * PHN_ENOTFOUND (a column given or guessed does not exist: "no column named
 * 'tel' in the header (columns: 'a', 'b')"), PHN_EFORMAT (the header record
 * is malformed), PHN_ENOMEM, PHN_EINTERNAL. After an error the cleaner takes
 * no more rows, and every later call fails with the same code and message.
 */
PHN_EXTERN int phn_cleaner_push(phn_clean_row *row, phn_cleaner *c, const phn_csv_record *rec);

/* Called for every record in input order, the header included, on the
 * thread that called phn_cleaner_run(); a nonzero return stops the run, and
 * phn_cleaner_run returns that value. */
typedef int (*phn_clean_row_cb)(const phn_clean_row *row, void *payload);

/*
 * Read every record of r, classify it and pass it to cb (may be NULL), in
 * input order, with opts.threads threads. Memory grows with the number of
 * unique numbers, not with the input. Errors: as phn_cleaner_push, PHN_EIO
 * from the reader, or cb's nonzero value (when negative, phn_error_last()
 * holds what cb's failing phonenorm call left, else "the row callback
 * stopped the run").
 */
PHN_EXTERN int phn_cleaner_run(phn_cleaner *c, phn_csv_reader *r, phn_clean_row_cb cb,
			       void *payload);

/* The counters so far into *out (initialised with PHN_CLEAN_SUMMARY_INIT or
 * phn_clean_summary_init()). Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_cleaner_summary(phn_clean_summary *out, const phn_cleaner *c);

/* Which counter phn_cleaner_count() reads. Values only grow. */
typedef enum phn_clean_count {
	/* Rows rejected for reason index (a phn_reject_reason). */
	PHN_CLEAN_COUNT_REJECTED = 1,
	/* Clean rows of type index (a phn_type; possible numbers count as
	 * PHN_TYPE_UNKNOWN). */
	PHN_CLEAN_COUNT_CLEAN_TYPE = 2,
	/* Rows whose phone field was parsed by path index (a phn_parse_path:
	 * the fast path, libphonenumber after the fast path declined, or
	 * libphonenumber alone when the fast path is off). Rows never parsed
	 * (blank, bad region, malformed CSV) count in none. */
	PHN_CLEAN_COUNT_PARSE_PATH = 3
} phn_clean_count;

/*
 * *out = the counter what[index] so far (curl_easy_getinfo style, so new
 * reasons and types never change a struct). A loop from index 0 until
 * PHN_ENOTFOUND visits every reason, type or path this library knows.
 * Errors: PHN_EINVAL (NULL, unknown what), PHN_ENOTFOUND (index past the
 * last reason or type).
 */
PHN_EXTERN int phn_cleaner_count(uint64_t *out, const phn_cleaner *c, phn_clean_count what,
				 unsigned int index);

/*
 * Clean rows per region: the i-th region with at least one clean row and its
 * count. "001" (non-geographic numbers: +800, +882 ...) comes first, then the
 * two-letter regions in alphabetical order, then "" (numbers that fit no
 * region, kept by keep_possible).
 * Errors: PHN_EINVAL, PHN_ENOTFOUND past the last one.
 */
PHN_EXTERN int phn_cleaner_region_count(char region[4], uint64_t *count, const phn_cleaner *c,
					size_t i);

/* The cleaner's dedupe set (read-only; lives as long as the cleaner). */
PHN_EXTERN const phn_dedupe_set *phn_cleaner_dedupe_set(const phn_cleaner *c);

/* Static name of an outcome: "clean", "rejected", "duplicate", "header". */
PHN_EXTERN const char *phn_row_outcome_name(phn_row_outcome outcome);

/* Static name of a reason: "none", "malformed_csv", "field_count", "empty",
 * "bad_text", "bad_region", "not_a_number", "invalid_country_code",
 * "too_short", "too_long", "invalid_length", "needs_region", "local_only",
 * "not_valid", "type_not_allowed", "suppressed", "too_long_record";
 * "unknown" otherwise. */
PHN_EXTERN const char *phn_reject_reason_name(phn_reject_reason reason);

/* ------------------------------------------------------------------------
 * Clean outputs. The one place their format is decided: the CLI and the
 * bindings write through these.
 *
 * Each output is the input's rows, their original bytes first (written back
 * as read when they parse as CSV, else as one quoted field), plus columns:
 *   clean:      e164, number_type (+ number_status: PHN_CLEAN_COLUMN_NUMBER_STATUS)
 *   rejects:    reject_reason, line (+ a note "cut_at_byte=N of M bytes"
 *               on a record over the reader's max_record, of which the
 *               output holds the first N bytes, as one quoted field)
 *   duplicates: e164, duplicate_of_line
 * The header row gets the column names; every line ends as the input's first
 * record did ("\n" if it had no line ending); a UTF-8 byte order mark starts
 * the output when the input had one (see the reader option).
 */
typedef struct phn_clean_writer phn_clean_writer;

/* Which output a writer writes. Values only grow. */
typedef enum phn_clean_output {
	PHN_CLEAN_OUTPUT_CLEAN = 1,
	PHN_CLEAN_OUTPUT_REJECTS = 2,
	PHN_CLEAN_OUTPUT_DUPLICATES = 3
} phn_clean_output;

/*
 * A sink of bytes: write all len bytes of data; return 0, or nonzero on a
 * failure (the writer then fails with PHN_EIO).
 */
typedef int (*phn_write_cb)(const void *data, size_t len, void *payload);

/* Extra columns of phn_clean_writer_options.columns. */
#define PHN_CLEAN_COLUMN_NUMBER_STATUS (1u << 0) /* clean: number_status after number_type */

/* Writer options. New fields are only appended; set version with
 * PHN_CLEAN_WRITER_OPTIONS_INIT or phn_clean_writer_options_init(). */
typedef struct phn_clean_writer_options {
	unsigned int version;
	/* The input's delimiter, as given to phn_csv_options: it separates the
	 * added columns. '\0' (plain-text input): each original line is
	 * written as one CSV field, and ',' separates. */
	char delimiter;
	/* PHN_CLEAN_COLUMN_* bits: extra columns (0: none). */
	unsigned int columns;
	/* The reader of the input (borrowed, may be NULL): the output starts
	 * with a UTF-8 byte order mark when that input did, and the added
	 * columns use the delimiter it sniffed, if any. Must outlive the
	 * writer's first row. */
	const phn_csv_reader *reader;
	/* PHN_CLEAN_WRITE_* bits (0: every original byte as read). Version 2. */
	unsigned int flags;
} phn_clean_writer_options;

/*
 * Flags of phn_clean_writer_options.flags.
 *
 * PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS: neutralise CSV formula injection
 * (OWASP): a cell that starts with '=', '+', '-', '@', a tab or a carriage
 * return is written as a quoted field with a "'" put before it, so that a
 * spreadsheet shows it as text instead of running it. A cell that is only a
 * number (an optional sign, digits, an optional '.' and digits: "+966501234567",
 * "-12.50") cannot hold a formula and is left as it is, so the e164 column
 * and numeric columns stay usable. A row with such a cell is written field
 * by field (quoting only where needed) instead of as its original bytes; the
 * other rows are unchanged. Header rows and rows written as one field (plain
 * text, malformed CSV) are treated the same way.
 */
#define PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS (1u << 0)

#define PHN_CLEAN_WRITER_OPTIONS_VERSION 2
#define PHN_CLEAN_WRITER_OPTIONS_INIT { PHN_CLEAN_WRITER_OPTIONS_VERSION, ',', 0, NULL, 0 }

/* Set *opts to the defaults of version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_clean_writer_options_init(phn_clean_writer_options *opts,
					     unsigned int version);

/*
 * A writer of one output, sending its bytes to write(payload) in blocks of
 * up to 64 KiB. opts may be NULL for defaults. Errors: PHN_EINVAL (NULL
 * write, unknown output, delimiter '"' or a line break), PHN_EVERSION,
 * PHN_ENOMEM; *out is NULL then.
 */
PHN_EXTERN int phn_clean_writer_new(phn_clean_writer **out, phn_clean_output output,
				    phn_write_cb write, void *payload,
				    const phn_clean_writer_options *opts);

/*
 * Take one row. Pass every row, in input order, the header included (as
 * phn_cleaner_run gives them); the writer writes the ones of its output and
 * takes its line ending from the first. Errors: PHN_EINVAL, PHN_EVERSION,
 * PHN_ENOMEM, PHN_EIO (write failed; later calls fail too).
 */
PHN_EXTERN int phn_clean_writer_row(phn_clean_writer *w, const phn_clean_row *row);

/* Write what is buffered. Call it once at the end (the writer may take more
 * rows after it). Errors: PHN_EINVAL, PHN_EIO. */
PHN_EXTERN int phn_clean_writer_finish(phn_clean_writer *w);

/* Free the writer without writing; NULL is allowed. Rows not yet written
 * by phn_clean_writer_finish() are lost. */
PHN_EXTERN void phn_clean_writer_free(phn_clean_writer *w);

/* Settings of the report that the cleaner cannot know. */
typedef struct phn_clean_report_options {
	unsigned int version;
	/* "input": the name of the input (NULL: "-", standard input). */
	const char *input;
	/* "seconds": how long the clean took, as the caller measured it. */
	double seconds;
} phn_clean_report_options;

#define PHN_CLEAN_REPORT_OPTIONS_VERSION 1
#define PHN_CLEAN_REPORT_OPTIONS_INIT { PHN_CLEAN_REPORT_OPTIONS_VERSION, NULL, 0.0 }

/* Set *opts to the defaults of version. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_clean_report_options_init(phn_clean_report_options *opts,
					     unsigned int version);

/*
 * The report of the cleaner's run as JSON (UTF-8, ends in "\n") into
 * dst[cap] with a NUL; *needed (may be NULL) gets its length. Keys: input,
 * rows, clean, rejected, duplicates, possible_kept, blank_lines,
 * rejected_by_reason {reason: n}, by_region {region: n}, by_type {type: n},
 * delimiter (null when unknown), delimiter_sniffed, header_guessed,
 * first_row (as phn_clean_summary.first_row),
 * has_header, phone_column {index (1-based), name (null without a header),
 * guessed}, region_column (1-based or null), region (the option as given),
 * keep_possible, threads, seconds, metadata_version (upstream version of the
 * data that answered), metadata_source ("bundled" or "system", as the
 * start-up self-check found it), fast_path {enabled, reason ("" when
 * enabled), parsed (rows whose phone field was parsed), fast (answered by
 * the compiled fast path), fallback (the fast path declined: libphonenumber
 * answered), engine (libphonenumber alone: the fast path is off),
 * fallback_share (fallback / (fast + fallback); null when the fast path is
 * off or nothing was parsed)}. Keys are only added.
 * opts may be NULL. Errors: PHN_EINVAL, PHN_EVERSION, PHN_ENOMEM, PHN_EBUFS
 * (cap <= *needed; dst holds "").
 */
PHN_EXTERN int phn_cleaner_report_json(char *dst, size_t cap, size_t *needed,
				       const phn_cleaner *c, const phn_clean_report_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_LIST_H */
