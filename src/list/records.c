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

int phn_recstore_add_record(phn_recstore *s, const phn_csv_record *rec, size_t field0,
			    size_t raw_at)
{
	phn_csv_record *out;

	if (reserve_records(s, s->n + 1) != PHN_OK)
		return PHN_ENOMEM;
	s->raw_off[s->n] = raw_at;
	s->field0[s->n] = field0;
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
		const char *base = s->raw_off[i] & PHN_RAW_IN_ARENA ? s->bytes : s->in;

		s->recs[i].raw = base ? base + (s->raw_off[i] >> 1) : "";
		s->recs[i].fields = s->recs[i].nfields ? s->fptr + s->field0[i] : NULL;
		s->recs[i].lens = s->recs[i].nfields ? s->flen + s->field0[i] : NULL;
	}
}
