/*
 * The list layer's one record store: CSV records as decoded fields (each
 * NUL-terminated) in one growable arena, with the field offset/length
 * arrays and the phn_csv_record views callers see. The CSV reader keeps its
 * current record's fields in one; the threaded cleaner decodes a chunk of
 * records straight into another (phn_csv_reader_next_into()), whose raw
 * bytes stay where the reader read them (in) instead of being copied.
 * Internal.
 *
 * While a store fills, it holds offsets (the arena and the reader's buffer
 * move when they grow); phn_recstore_views() turns them into the pointers
 * of the views.
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
	/* per record: where its raw bytes start, as raw_at(): in the lent
	 * input buffer in, or (PHN_RAW_IN_ARENA) in bytes */
	size_t *raw_off, *field0;
	const char *in;
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

/* raw_off of a record whose raw bytes are at off in in (arena 0) or in
 * bytes (arena 1). */
#define PHN_RAW_IN_ARENA 1u
static inline size_t phn_recstore_raw_at(size_t off, int arena)
{
	return off << 1 | (arena ? PHN_RAW_IN_ARENA : 0u);
}

/* Add rec as the next record: its fields are the store's fields from
 * field0 on, its raw bytes at raw_at (phn_recstore_raw_at()). The views
 * wait for phn_recstore_views(). PHN_OK or PHN_ENOMEM (no message). */
int phn_recstore_add_record(phn_recstore *s, const phn_csv_record *rec, size_t field0,
			    size_t raw_at);

/* Point fptr and every record view into the arena. */
void phn_recstore_views(phn_recstore *s);

/*
 * Decode the next record into chunk, after the records it holds: its
 * fields into chunk's arena, its raw bytes left in the reader's buffer
 * (chunk->in: no copy; only a record cut at max_record, whose bytes sit in
 * a buffer the next long record reuses, is copied into the arena). *got is
 * 1 when a record was added; 0 at the end of the input, or, with full set,
 * where the reader would have to read (or cut a long record) first: the
 * chunk ends at a read boundary, so the next one starts without moving more
 * than a partial record. Memory sources end a full chunk at once.
 *
 * The reader lends its buffer: a chunk's raw bytes stay valid while the
 * next chunk fills (the reader switches between two buffers when a chunk
 * starts, i.e. when chunk is empty), until the chunk after that starts or
 * phn_csv_reader_next() is called. Errors as phn_csv_reader_next(); the
 * records added before an error stay.
 */
int phn_csv_reader_next_into(int *got, phn_csv_reader *r, phn_recstore *chunk, int full);

/* Read the start of the input: byte order mark, input that is no text, the
 * sniffed delimiter (done once; phn_csv_reader_next() does it too). Errors
 * as phn_csv_reader_next(), message set. */
int phn_csv_reader_start(phn_csv_reader *r);

#endif /* PHN_LIST_RECORDS_H */
