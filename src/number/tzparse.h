/*
 * The parser of libphonenumber's prefix-to-time-zone data
 * (data/timezones/map_data.txt). Internal.
 *
 * Pure C with no dependency on the rest of the library: the build-time
 * generator (tzgen.c), tools/refresh-timezones.sh and the fuzz target
 * fuzz_tzdata compile this very file, so the data the library embeds and a
 * refreshed file are checked by the same rules.
 *
 * The format: one "PREFIX|ZONE&ZONE..." per line; '#' starts a comment
 * line; empty lines are skipped. PREFIX is 1 to PHN_TZ_PREFIX_MAX digits
 * (E.164 digits, country code first, so never a leading 0); a ZONE is an
 * IANA id of ASCII letters, digits and "/_+-", starting with a letter, at
 * most PHN_TZ_ZONE_MAX bytes, no empty part between slashes. A prefix
 * appears once; a zone at most once per line. Anything else is an error
 * that names its line.
 */
#ifndef PHN_NUMBER_TZPARSE_H
#define PHN_NUMBER_TZPARSE_H

#include <stddef.h>

#define PHN_TZ_PREFIX_MAX 15 /* E.164 has at most 15 digits */
#define PHN_TZ_ZONE_MAX 64
#define PHN_TZ_LINE_MAX 8192

typedef struct phn_tzdata_row {
	char prefix[PHN_TZ_PREFIX_MAX + 1];
	size_t line;  /* 1-based line in the input */
	size_t first; /* index of its first zone in refs */
	size_t count; /* >= 1 */
} phn_tzdata_row;

typedef struct phn_tzdata {
	char **zones; /* every distinct zone, sorted (strcmp) */
	size_t nzones;
	phn_tzdata_row *rows; /* sorted by prefix (strcmp) */
	size_t nrows;
	size_t *refs; /* indices into zones; each row's run is sorted */
	size_t nrefs;
	size_t max_prefix; /* length of the longest prefix */
} phn_tzdata;

#define PHN_TZDATA_OK 0
#define PHN_TZDATA_EFORMAT (-1) /* err holds "line N: what is wrong" */
#define PHN_TZDATA_ENOMEM (-2)

/*
 * Parse len bytes of text into *out (zeroed first; free it with
 * phn_tzdata_free() whatever the result). On a format error err[errcap]
 * (if not NULL) receives one line such as "line 12: prefix '01' starts
 * with 0".
 */
int phn_tzdata_parse(phn_tzdata *out, const char *text, size_t len, char *err, size_t errcap);

void phn_tzdata_free(phn_tzdata *d);

#endif /* PHN_NUMBER_TZPARSE_H */
