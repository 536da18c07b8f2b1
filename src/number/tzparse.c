#include "tzparse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept apart from the rest of the library on purpose (see tzparse.h): the
 * generator builds it alone on the build host. */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(char *err, size_t errcap, size_t line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errcap) {
		n = snprintf(err, errcap, "line %zu: ", line);
		if (n >= 0 && (size_t)n < errcap) {
			va_start(ap, fmt);
			vsnprintf(err + n, errcap - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return PHN_TZDATA_EFORMAT;
}

/* Show at most 40 bytes of a bad token, printable ASCII only, so a message
 * about binary input stays one short line. */
static void shown(char dst[48], const char *s, size_t len)
{
	size_t i, n = len < 40 ? len : 40;

	for (i = 0; i < n; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (len > n) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

static int is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_zone_char(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '+' ||
	       c == '-';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_row(const void *a, const void *b)
{
	const phn_tzdata_row *x = a, *y = b;
	int c = strcmp(x->prefix, y->prefix);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Grow *p (of *cap elements of size sz) to hold at least n. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *q;

	if (n <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < n)
		ncap *= 2;
	q = realloc(*p, ncap * sz);
	if (!q)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

void phn_tzdata_free(phn_tzdata *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nzones; i++)
		free(d->zones[i]);
	free(d->zones);
	free(d->rows);
	free(d->refs);
	memset(d, 0, sizeof(*d));
}

/* Check one zone token; 0 if good, else fail()'s code. */
static int check_zone(const char *z, size_t n, size_t line, char *err, size_t errcap)
{
	char buf[48];
	size_t i;

	shown(buf, z, n);
	if (n == 0)
		return fail(err, errcap, line, "empty time zone");
	if (n > PHN_TZ_ZONE_MAX)
		return fail(err, errcap, line, "time zone '%s' is longer than %d bytes", buf,
			    PHN_TZ_ZONE_MAX);
	if (!is_alpha(z[0]))
		return fail(err, errcap, line, "time zone '%s' does not start with a letter", buf);
	for (i = 0; i < n; i++) {
		if (!is_zone_char(z[i]))
			return fail(err, errcap, line,
				    "time zone '%s' has a character outside A-Z a-z 0-9 / _ + -",
				    buf);
		if (z[i] == '/' && (i + 1 == n || z[i + 1] == '/'))
			return fail(err, errcap, line, "time zone '%s' has an empty part", buf);
	}
	return 0;
}

int phn_tzdata_parse(phn_tzdata *out, const char *text, size_t len, char *err, size_t errcap)
{
	/* Zone tokens as they come: row after row, so each row's run is contiguous. */
	char **names = NULL;
	size_t nnames = 0, cap_names = 0, cap_rows = 0;
	size_t pos = 0, line = 0, i, j;
	int rc = PHN_TZDATA_OK;

	if (!out)
		return PHN_TZDATA_EFORMAT;
	memset(out, 0, sizeof(*out));
	if (err && errcap)
		err[0] = '\0';
	if (!text && len)
		return fail(err, errcap, 0, "no input");

	while (pos < len) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, k, start;
		phn_tzdata_row *row;
		char buf[48];

		pos += n + (nl ? 1 : 0);
		line++;
		if (n > PHN_TZ_LINE_MAX) {
			rc = fail(err, errcap, line, "line longer than %d bytes", PHN_TZ_LINE_MAX);
			goto out;
		}
		if (memchr(s, '\0', n)) {
			rc = fail(err, errcap, line, "NUL byte");
			goto out;
		}
		if (n == 0 || s[0] == '#')
			continue;
		if (memchr(s, '\r', n)) {
			rc = fail(err, errcap, line, "carriage return (the file must use LF line ends)");
			goto out;
		}

		for (k = 0; k < n && s[k] >= '0' && s[k] <= '9'; k++)
			;
		shown(buf, s, k);
		if (k == n || s[k] != '|') {
			shown(buf, s, n);
			rc = fail(err, errcap, line, "'%s' is not PREFIX|ZONE[&ZONE...]", buf);
			goto out;
		}
		if (k == 0) {
			rc = fail(err, errcap, line, "empty prefix");
			goto out;
		}
		if (k > PHN_TZ_PREFIX_MAX) {
			rc = fail(err, errcap, line, "prefix '%s' is longer than %d digits", buf,
				  PHN_TZ_PREFIX_MAX);
			goto out;
		}
		if (s[0] == '0') {
			rc = fail(err, errcap, line, "prefix '%s' starts with 0", buf);
			goto out;
		}
		if (grow((void **)&out->rows, &cap_rows, out->nrows + 1, sizeof(*out->rows))) {
			rc = PHN_TZDATA_ENOMEM;
			goto out;
		}
		row = &out->rows[out->nrows];
		memcpy(row->prefix, s, k);
		row->prefix[k] = '\0';
		row->line = line;
		row->first = 0;
		row->count = 0;
		if (k > out->max_prefix)
			out->max_prefix = k;

		start = k + 1;
		for (;;) {
			const char *amp = memchr(s + start, '&', n - start);
			size_t end = amp ? (size_t)(amp - s) : n;
			char *name;

			rc = check_zone(s + start, end - start, line, err, errcap);
			if (rc)
				goto out;
			if (grow((void **)&names, &cap_names, nnames + 1, sizeof(*names)) ||
			    !(name = malloc(end - start + 1))) {
				rc = PHN_TZDATA_ENOMEM;
				goto out;
			}
			memcpy(name, s + start, end - start);
			name[end - start] = '\0';
			names[nnames++] = name;
			row->count++;
			if (!amp)
				break;
			start = end + 1;
		}
		out->nrows++;
	}
	if (out->nrows == 0) {
		rc = fail(err, errcap, line, "no PREFIX|ZONE line in the data");
		goto out;
	}

	/* Distinct zones, sorted: a sorted copy of the tokens, deduplicated. */
	out->zones = malloc(nnames * sizeof(*out->zones));
	out->refs = malloc(nnames * sizeof(*out->refs));
	if (!out->zones || !out->refs) {
		rc = PHN_TZDATA_ENOMEM;
		goto out;
	}
	{
		char **sorted = malloc(nnames * sizeof(*sorted));

		if (!sorted) {
			rc = PHN_TZDATA_ENOMEM;
			goto out;
		}
		memcpy(sorted, names, nnames * sizeof(*sorted));
		qsort(sorted, nnames, sizeof(*sorted), cmp_str);
		for (i = 0; i < nnames; i++) {
			if (out->nzones && strcmp(out->zones[out->nzones - 1], sorted[i]) == 0)
				continue;
			out->zones[out->nzones] = malloc(strlen(sorted[i]) + 1);
			if (!out->zones[out->nzones]) {
				free(sorted);
				rc = PHN_TZDATA_ENOMEM;
				goto out;
			}
			strcpy(out->zones[out->nzones++], sorted[i]);
		}
		free(sorted);
	}

	/* Tokens are in row order; each row's run becomes sorted zone indices. */
	for (i = 0; i < nnames; i++) {
		char **hit = bsearch(&names[i], out->zones, out->nzones, sizeof(*out->zones),
				     cmp_str);

		out->refs[i] = (size_t)(hit - out->zones);
	}
	out->nrefs = nnames;
	for (i = 0, j = 0; i < out->nrows; i++) {
		phn_tzdata_row *row = &out->rows[i];
		size_t k;

		row->first = j;
		qsort(out->refs + j, row->count, sizeof(*out->refs), cmp_size);
		for (k = 1; k < row->count; k++) {
			if (out->refs[j + k] == out->refs[j + k - 1]) {
				rc = fail(err, errcap, row->line, "time zone '%s' listed twice",
					  out->zones[out->refs[j + k]]);
				goto out;
			}
		}
		j += row->count;
	}

	qsort(out->rows, out->nrows, sizeof(*out->rows), cmp_row);
	for (i = 1; i < out->nrows; i++) {
		if (strcmp(out->rows[i].prefix, out->rows[i - 1].prefix) == 0) {
			rc = fail(err, errcap, out->rows[i].line,
				  "prefix '%s' already given on line %zu", out->rows[i].prefix,
				  out->rows[i - 1].line);
			goto out;
		}
	}

out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	return rc;
}
