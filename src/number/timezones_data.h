/*
 * The prefix-to-time-zone table that phn_tzgen generates at build time from
 * data/timezones/map_data.txt (timezones_data.c in the build tree). Internal.
 */
#ifndef PHN_NUMBER_TIMEZONES_DATA_H
#define PHN_NUMBER_TIMEZONES_DATA_H

#include <stddef.h>

typedef struct phn_tz_row {
	const char *prefix;        /* E.164 digits, country code first */
	const char *const *zones;  /* sorted IANA ids, NULL-terminated */
	size_t count;
} phn_tz_row;

/* Sorted by prefix (strcmp); every prefix once. */
extern const phn_tz_row phn_tz_rows[];
extern const size_t phn_tz_row_count;
extern const size_t phn_tz_prefix_max;

#endif /* PHN_NUMBER_TIMEZONES_DATA_H */
