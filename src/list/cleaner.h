/*
 * The list cleaner's insides, shared by the files that each do one part of
 * it: cleaner.c (the handle, push, counters), columns.c (which record is
 * the header and which columns hold the phone and the region), classify.c
 * (the outcome of one row), run.c (reading and classifying on several
 * threads), report.c (the JSON report). Internal.
 *
 * A row is classified in two steps:
 *   phn_cleaner_classify(): everything that depends on the row alone (CSV
 *     problems, region, parsing, status, type, suppress list); safe to run
 *     on many threads because it only reads the cleaner.
 *   phn_cleaner_settle(): dedupe and counters, in input order, on one thread.
 */
#ifndef PHN_LIST_CLEANER_H
#define PHN_LIST_CLEANER_H

#include <stdint.h>

#include "phonenorm/list.h"
#include "text/error.h"

/* How many phn_reject_reason and phn_type values this library knows; the
 * public API reads the counters through phn_cleaner_count(). */
#define PHN_LIST_REASONS 17
#define PHN_LIST_TYPES 12

/* Rows per phn_parse_path (ENGINE, FAST, FALLBACK); a row whose phone
 * field was never parsed (blank, bad region, malformed CSV) is UNPARSED. */
#define PHN_LIST_PATHS 3
#define PHN_LIST_UNPARSED 3

#define PHN_REGION_SLOTS (26 * 26 + 2)
#define PHN_REGION_NONGEO (26 * 26)   /* "001" */
#define PHN_REGION_NONE (26 * 26 + 1) /* "" */

struct phn_cleaner {
	/* Options, copied. */
	char region[3];
	const char *region_opt; /* region or NULL */
	char *region_text;      /* the region option as given (for the report) */
	phn_clean_header header;
	char *phone_name;
	int phone_index;
	char *region_name;
	int region_index;
	int keep_possible;
	unsigned int types;
	const phn_dedupe_set *suppress;
	unsigned int threads;

	/* Resolved on the first record. */
	int resolved;
	int phone_col;
	int region_col;
	/* With a region column: which two-letter codes are regions, by
	 * (c0 - 'A') * 26 + (c1 - 'A'). */
	unsigned char region_known[26 * 26];
	char *phone_col_name; /* the header's name of the phone column */
	char *first_row;      /* the first record, escaped and cut for display */
	/* The input's delimiter, as phn_cleaner_run() learns it from the reader. */
	int delim_known;
	char delim;
	int delim_sniffed;

	phn_dedupe_set *seen;
	phn_clean_summary sum;
	uint64_t rejected_by[PHN_LIST_REASONS];
	uint64_t clean_by_type[PHN_LIST_TYPES];
	uint64_t region_counts[PHN_REGION_SLOTS];
	/* Rows parsed by each phn_parse_path: summed in settle(), on one
	 * thread, from what classify() left per row (no shared counter). */
	uint64_t path_counts[PHN_LIST_PATHS];

	/* What phn_cleaner_push() hands out. */
	phn_clean_row row;
	phn_number number;

	/* After an error: its code and message, given again by every later call. */
	int failed;
	char *failmsg;
};

/* Stop the cleaner with code rc and the formatted message; returns rc. */
int phn_cleaner_fail(phn_cleaner *c, int rc, const char *fmt, ...) PHN_PRINTF(3, 4);

/* Stop the cleaner with rc, keeping the message phn_error_last() holds. */
int phn_cleaner_fail_last(phn_cleaner *c, int rc);

/* The stopped cleaner's error again (phn_error_last() set); returns its code. */
int phn_cleaner_failed(const phn_cleaner *c);

/*
 * Decide from the first well-formed record whether it is the header and
 * which columns hold the phone number and the region. *is_header is 1 when
 * rec is the header. Errors (the cleaner is stopped): PHN_ENOTFOUND, PHN_ENOMEM.
 */
int phn_cleaner_resolve(int *is_header, phn_cleaner *c, const phn_csv_record *rec);

/* Keep the first record, escaped and cut, for the summary's first_row.
 * Errors (the cleaner is stopped): PHN_ENOMEM. */
int phn_cleaner_keep_first_row(phn_cleaner *c, const phn_csv_record *rec);

/* A fresh row for rec with the given outcome, no reason, num reset and
 * pointed to. */
void phn_cleaner_row_init(phn_clean_row *row, phn_number *num, const phn_csv_record *rec,
			  phn_row_outcome outcome);

/*
 * Everything about a row that does not depend on other rows, into *row and
 * *num (row->number = num), and into *path which code parsed its phone
 * field (a phn_parse_path, or PHN_LIST_UNPARSED). Thread-safe: reads the
 * cleaner only. Returns PHN_OK or a resource error (message set); the
 * outcome is in *row.
 */
int phn_cleaner_classify(const phn_cleaner *c, const phn_csv_record *rec, phn_clean_row *row,
			 phn_number *num, unsigned char *path);

/* The i-th region with clean rows, as phn_cleaner_region_count() gives
 * it; 0 past the last one (no error set: the report iterates with it). */
int phn_cleaner_region_at(char region[4], uint64_t *count, const phn_cleaner *c, size_t i);

/* Ask the cache for the lines where key is looked up (its home tag and
 * slot), ahead of the insert: the threaded cleaner settles a chunk of rows
 * at a time and fetches a few rows ahead, so the dedupe table's misses
 * overlap instead of stalling each row in turn. */
void phn_dedupe_set_prefetch(const phn_dedupe_set *set, uint64_t key);

/* Dedupe and count one classified row, in input order; path as
 * classify() left it. */
int phn_cleaner_settle(phn_cleaner *c, phn_clean_row *row, unsigned char path);

#endif /* PHN_LIST_CLEANER_H */
