/*
 * The list layer's one record store: CSV records as decoded fields (each
 * NUL-terminated) and raw bytes in one growable arena, with the field
 * offset/length arrays and the phn_csv_record views callers see. The CSV
 * reader keeps its current record's fields in one; the threaded cleaner
 * keeps a chunk of copied records in another. Internal.
 *
 * While a store fills, it holds offsets (the arena moves when it grows);
 * phn_recstore_views() turns them into the pointers of the views.
 */
#ifndef PHN_LIST_RECORDS_H
#define PHN_LIST_RECORDS_H

#include <stddef.h>

#include "phonenorm/list.h"

typedef struct phn_recstore {
	char *bytes;
	size_t len, cap;
	size_t *foff, *flen;   /* per field: offset in bytes, length */
	const char **fptr;     /* per field, after phn_recstore_views() */
	size_t nf, fcap;
	size_t *raw_off, *field0; /* per record */
	phn_csv_record *recs;
	size_t n, rcap;
} phn_recstore;

/* Empty the store, keeping its memory. */
void phn_recstore_clear(phn_recstore *s);

void phn_recstore_free(phn_recstore *s);

/* Room for more bytes after bytes[len]. PHN_OK or PHN_ENOMEM (no message). */
int phn_recstore_reserve(phn_recstore *s, size_t more);

/* Room for need fields. PHN_OK or PHN_ENOMEM (no message). */
int phn_recstore_reserve_fields(phn_recstore *s, size_t need);

/* Add the field bytes[start..start+len) (its NUL is the caller's). Inline:
 * the reader calls it for every field. */
static inline int phn_recstore_add_field(phn_recstore *s, size_t start, size_t len)
{
	if (s->nf == s->fcap && phn_recstore_reserve_fields(s, s->nf + 1) != PHN_OK)
		return PHN_ENOMEM;
	s->foff[s->nf] = start;
	s->flen[s->nf++] = len;
	return PHN_OK;
}

/* Append a copy of rec (raw bytes and fields) as the next record. */
int phn_recstore_copy(phn_recstore *s, const phn_csv_record *rec);

/* Point fptr and every record view into the arena. */
void phn_recstore_views(phn_recstore *s);

/* Read the start of the input: byte order mark, input that is no text, the
 * sniffed delimiter (done once; phn_csv_reader_next() does it too). Errors
 * as phn_csv_reader_next(), message set. */
int phn_csv_reader_start(phn_csv_reader *r);

#endif /* PHN_LIST_RECORDS_H */
