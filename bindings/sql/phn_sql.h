/*
 * What each SQL function of the SQLite and PostgreSQL extensions answers,
 * in one place, on the public C API only; each extension only maps SQL
 * values in and out and raises the error this returns.
 *
 *   phn_e164(text [, region])           E.164 of a valid number, else NULL
 *   phn_status(text [, region])         status name ("valid", "too_short"...)
 *   phn_type(text [, region])           type name of a valid number, else NULL
 *   phn_region(text [, region])         region of a valid number ("SA", "001")
 *   phn_key(text [, region])            64-bit dedupe key of a valid number
 *   phn_format(text, region, format)    a valid number in format, else NULL
 *   phn_valid(text [, region])          1 for a valid number, else 0
 *
 * A number that is not valid is data: NULL from the value functions, its
 * status from phn_status (text that is not UTF-8 is "not_a_number", as
 * `phonenorm clean` rejects it as bad text rather than failing). NULL
 * arguments are the extension's business (NULL in gives NULL out). An
 * unknown region or format is an error with the library's message.
 */
#ifndef PHN_SQL_H
#define PHN_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/number.h"

typedef enum phn_sql_fn {
	PHN_SQL_E164 = 0,
	PHN_SQL_STATUS,
	PHN_SQL_TYPE,
	PHN_SQL_REGION,
	PHN_SQL_KEY,
	PHN_SQL_FORMAT,
	PHN_SQL_VALID
} phn_sql_fn;

/* SQL name of a function ("phn_e164"...). */
const char *phn_sql_fn_name(phn_sql_fn fn);

typedef struct phn_sql_value {
	int is_null;
	int is_int;       /* 1: the answer is i (phn_key, phn_valid); 0: text */
	const char *text; /* NUL-terminated, len bytes; static or in buf */
	size_t len;
	int64_t i;
	char buf[384];
	/* On error: the library's message, "" otherwise. */
	char message[256];
} phn_sql_value;

/*
 * Answer fn for text[len] (need not end in NUL) read in region[region_len]
 * (NULL or empty: no region; case-insensitive ISO 3166-1 alpha-2) with, for
 * PHN_SQL_FORMAT only, the format name format[format_len] (see
 * phn_format_from_name). Returns PHN_OK with *out filled, or PHN_EREGION (a
 * region that is not known), PHN_ENOTFOUND (a format that is not known),
 * PHN_ENOMEM, PHN_EINTERNAL, with out->message saying what. Thread-safe.
 */
int phn_sql_eval(phn_sql_fn fn, const char *text, size_t len, const char *region,
		 size_t region_len, const char *format, size_t format_len, phn_sql_value *out);

/*
 * phn_metadata(): which numbering-plan data answers in this process, as one
 * line: "<upstream version> <source> (libphonenumber <engine version>)",
 * e.g. "9.0.35 bundled (libphonenumber 8.12.57)", followed by "; " and the
 * library's reason when that is not what was asked for. Proves, from inside
 * sqlite3 or a PostgreSQL backend that dlopened the extension, that the
 * bundled metadata is in force. Fixed for the life of the process (not
 * deterministic across processes: a metadata update changes it). Returns
 * PHN_OK, or the library's error with out->message set.
 */
int phn_sql_metadata(phn_sql_value *out);

#endif /* PHN_SQL_H */
