/*
 * Fuzz target for the time-zone data parser (src/number/tzparse.c, the one
 * the build, tools/refresh-timezones.sh and phn_tzgen share; compiled in
 * here from the source: see tests/layers/layers.txt).
 *
 * Properties: the parser returns OK, EFORMAT with a "line N: ..." message
 * (N no more than the input's line count) or ENOMEM; a result has at
 * least one row, prefixes of 1-15 digits without a leading 0 in strictly
 * increasing order, zones sorted and distinct, every row's zones sorted,
 * distinct and in range, max_prefix the longest prefix; and written back
 * as text it parses to the same table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tzparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_table(const phn_tzdata *d)
{
	size_t i, k, longest = 0;

	if (d->nrows == 0 || d->nzones == 0)
		abort();
	for (i = 0; i < d->nzones; i++)
		if (i && strcmp(d->zones[i - 1], d->zones[i]) >= 0)
			abort();
	for (i = 0; i < d->nrows; i++) {
		const phn_tzdata_row *r = &d->rows[i];
		size_t n = strlen(r->prefix);

		if (n == 0 || n > PHN_TZ_PREFIX_MAX || r->prefix[0] == '0' ||
		    strspn(r->prefix, "0123456789") != n || r->count == 0 ||
		    r->first + r->count > d->nrefs)
			abort();
		if (i && strcmp(d->rows[i - 1].prefix, r->prefix) >= 0)
			abort();
		for (k = 0; k < r->count; k++) {
			if (d->refs[r->first + k] >= d->nzones)
				abort();
			if (k && d->refs[r->first + k - 1] >= d->refs[r->first + k])
				abort();
		}
		if (n > longest)
			longest = n;
	}
	if (longest != d->max_prefix)
		abort();
}

static char *write_back(const phn_tzdata *d, size_t *len)
{
	size_t cap = 64, n = 0, i, k;
	char *out = malloc(cap);

	for (i = 0; out && i < d->nrows; i++) {
		const phn_tzdata_row *r = &d->rows[i];
		size_t need = strlen(r->prefix) + 2;

		for (k = 0; k < r->count; k++)
			need += strlen(d->zones[d->refs[r->first + k]]) + 1;
		while (n + need + 1 > cap) {
			char *m = realloc(out, cap *= 2);

			if (!m) {
				free(out);
				return NULL;
			}
			out = m;
		}
		n += (size_t)sprintf(out + n, "%s|", r->prefix);
		for (k = 0; k < r->count; k++)
			n += (size_t)sprintf(out + n, "%s%s", k ? "&" : "",
					     d->zones[d->refs[r->first + k]]);
		out[n++] = '\n';
	}
	*len = n;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	phn_tzdata d, again;
	char err[160], *text;
	size_t lines = 1, len, i;
	int rc = phn_tzdata_parse(&d, (const char *)data, size, err, sizeof(err));

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (rc == PHN_TZDATA_EFORMAT) {
		unsigned long line = 0;

		if (sscanf(err, "line %lu: ", &line) != 1 || line > lines || !strchr(err, ':'))
			abort();
	} else if (rc == PHN_TZDATA_OK) {
		check_table(&d);
		text = write_back(&d, &len);
		if (!text)
			abort();
		if (phn_tzdata_parse(&again, text, len, err, sizeof(err)) != PHN_TZDATA_OK ||
		    again.nrows != d.nrows || again.nzones != d.nzones || again.nrefs != d.nrefs ||
		    again.max_prefix != d.max_prefix)
			abort();
		for (i = 0; i < d.nzones; i++)
			if (strcmp(d.zones[i], again.zones[i]) != 0)
				abort();
		for (i = 0; i < d.nrows; i++)
			if (strcmp(d.rows[i].prefix, again.rows[i].prefix) != 0 ||
			    d.rows[i].count != again.rows[i].count ||
			    memcmp(d.refs + d.rows[i].first, again.refs + again.rows[i].first,
				   d.rows[i].count * sizeof(*d.refs)) != 0)
				abort();
		phn_tzdata_free(&again);
		free(text);
	} else if (rc != PHN_TZDATA_ENOMEM) {
		abort();
	}
	phn_tzdata_free(&d);
	return 0;
}
