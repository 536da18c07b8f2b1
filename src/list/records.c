/*
 * Growth doubles, so filling a store costs amortised O(1) per byte, field
 * and record; clearing keeps the memory for the next record or chunk.
 */
#include "list/records.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap ? *cap : first;
	void *q;

	if (need <= *cap)
		return PHN_OK;
	while (n < need)
		n *= 2;
	if (!(q = realloc(*p, n * size)))
		return PHN_ENOMEM;
	*p = q;
	*cap = n;
	return PHN_OK;
}

void phn_recstore_clear(phn_recstore *s)
{
	s->len = s->nf = s->n = 0;
}

void phn_recstore_free(phn_recstore *s)
{
	free(s->bytes);
	free(s->foff);
	free(s->flen);
	free(s->fptr);
	free(s->raw_off);
	free(s->field0);
	free(s->recs);
	memset(s, 0, sizeof *s);
}

int phn_recstore_reserve(phn_recstore *s, size_t more)
{
	return grow((void **)&s->bytes, &s->cap, s->len + more, 1, 4096);
}

/* The three per-field arrays share one capacity. */
int phn_recstore_reserve_fields(phn_recstore *s, size_t need)
{
	size_t cap;

	if (need <= s->fcap)
		return PHN_OK;
	cap = s->fcap;
	if (grow((void **)&s->foff, &cap, need, sizeof *s->foff, 64) != PHN_OK)
		return PHN_ENOMEM;
	cap = s->fcap;
	if (grow((void **)&s->flen, &cap, need, sizeof *s->flen, 64) != PHN_OK)
		return PHN_ENOMEM;
	cap = s->fcap;
	if (grow((void **)&s->fptr, &cap, need, sizeof *s->fptr, 64) != PHN_OK)
		return PHN_ENOMEM;
	s->fcap = cap;
	return PHN_OK;
}

static int reserve_records(phn_recstore *s, size_t need)
{
	size_t cap;

	if (need <= s->rcap)
		return PHN_OK;
	cap = s->rcap;
	if (grow((void **)&s->raw_off, &cap, need, sizeof *s->raw_off, 256) != PHN_OK)
		return PHN_ENOMEM;
	cap = s->rcap;
	if (grow((void **)&s->field0, &cap, need, sizeof *s->field0, 256) != PHN_OK)
		return PHN_ENOMEM;
	cap = s->rcap;
	if (grow((void **)&s->recs, &cap, need, sizeof *s->recs, 256) != PHN_OK)
		return PHN_ENOMEM;
	s->rcap = cap;
	return PHN_OK;
}

/* 1 when rec's fields lie back to back, each followed by its NUL, as the
 * reader leaves them: then they are copied as one block. */
static int fields_contiguous(const phn_csv_record *rec)
{
	for (size_t f = 1; f < rec->nfields; f++) {
		if (rec->fields[f] != rec->fields[f - 1] + rec->lens[f - 1] + 1)
			return 0;
	}
	return rec->nfields > 0;
}

int phn_recstore_copy(phn_recstore *s, const phn_csv_record *rec)
{
	size_t bytes = rec->raw_len;
	phn_csv_record *out;

	for (size_t f = 0; f < rec->nfields; f++)
		bytes += rec->lens[f] + 1;
	if (phn_recstore_reserve(s, bytes) != PHN_OK || reserve_records(s, s->n + 1) != PHN_OK ||
	    phn_recstore_reserve_fields(s, s->nf + rec->nfields) != PHN_OK)
		return PHN_ENOMEM;
	s->raw_off[s->n] = s->len;
	if (rec->raw_len)
		memcpy(s->bytes + s->len, rec->raw, rec->raw_len);
	s->len += rec->raw_len;
	s->field0[s->n] = s->nf;
	if (fields_contiguous(rec)) {
		/* Two block copies a record (raw bytes, field bytes), not one a field. */
		memcpy(s->bytes + s->len, rec->fields[0], bytes - rec->raw_len);
		for (size_t f = 0; f < rec->nfields; f++) {
			s->foff[s->nf] = s->len;
			s->flen[s->nf++] = rec->lens[f];
			s->len += rec->lens[f] + 1;
		}
	} else {
		for (size_t f = 0; f < rec->nfields; f++) {
			phn_recstore_add_field(s, s->len, rec->lens[f]);
			memcpy(s->bytes + s->len, rec->fields[f], rec->lens[f]);
			s->len += rec->lens[f];
			s->bytes[s->len++] = '\0';
		}
	}
	out = &s->recs[s->n++];
	*out = *rec;
	out->version = PHN_CSV_RECORD_VERSION;
	return PHN_OK;
}

void phn_recstore_views(phn_recstore *s)
{
	for (size_t f = 0; f < s->nf; f++)
		s->fptr[f] = s->bytes + s->foff[f];
	/* A store of records without fields (too long, cut) has no field
	 * arrays at all: NULL + 0 is undefined behaviour, so leave them NULL. */
	for (size_t i = 0; i < s->n; i++) {
		s->recs[i].fields = s->recs[i].nfields ? s->fptr + s->field0[i] : NULL;
		s->recs[i].lens = s->recs[i].nfields ? s->flen + s->field0[i] : NULL;
		s->recs[i].raw = s->bytes ? s->bytes + s->raw_off[i] : "";
	}
}
