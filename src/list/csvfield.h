/*
 * One CSV field as the list layer writes it: the one quoting rule of every
 * CSV phonenorm writes (the clean outputs, the campaign report), so that
 * quoting and --safe-for-spreadsheets are the same everywhere. Internal.
 */
#ifndef PHN_LIST_CSVFIELD_H
#define PHN_LIST_CSVFIELD_H

#include <stddef.h>

/* A sink of bytes; it remembers its own failures. */
typedef void (*phn_csv_put_fn)(const char *data, size_t len, void *ctx);

/* Whether a spreadsheet would take the cell for a formula (OWASP's CSV
 * injection list: = + - @ tab CR first) and it is not simply a number. */
int phn_csv_formula_cell(const char *s, size_t len);

/*
 * Write s[0..len) as one field: as it is, or quoted ("" for a quote) when it
 * holds a quote, CR, LF or delim. With PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS
 * in flags, a formula cell is written quoted with a "'" first.
 */
void phn_csv_put_cell(phn_csv_put_fn put, void *ctx, const char *s, size_t len, char delim,
		      unsigned int flags);

#endif /* PHN_LIST_CSVFIELD_H */
