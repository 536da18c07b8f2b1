/* The single-number benchmark: shared declarations of its C and C++ halves. */
#ifndef PHN_BENCH_NUMBER_H
#define PHN_BENCH_NUMBER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bench_input {
	const char *text;
	const char *region; /* upper-case, never NULL */
};

/* What each loop produced, summed up so the two can be compared. */
struct bench_tally {
	size_t valid;
	size_t parsed;
	size_t possible;
	size_t types;        /* sum of the type enum values of valid numbers */
	size_t format_bytes; /* E.164 of every parsed number + international of valid ones */
	size_t region_bytes;
};

/* The raw libphonenumber C++ loop as usually written (bench_number_raw.cc):
 * IsValidNumber() and GetNumberType(). */
void bench_raw_loop(struct bench_tally *t, const struct bench_input *in, size_t n);

/* The same work with validity read off GetNumberType(), as the shim does. */
void bench_raw_loop_tight(struct bench_tally *t, const struct bench_input *in, size_t n);

/* Only what phn_number_parse() answers (no international format). */
void bench_raw_parse_loop(struct bench_tally *t, const struct bench_input *in, size_t n);

#ifdef __cplusplus
}
#endif

#endif
