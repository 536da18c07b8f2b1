/*
 * Minimal assertion helpers for phonenorm's C tests: a failed check prints
 * where and why, the test goes on, and the exit code says whether any failed.
 */
#ifndef PHN_TEST_CHECK_H
#define PHN_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) \
	do { \
		check_count++; \
		if (!(cond)) { \
			check_failures++; \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

/* CHECK with a printf-style explanation of what was being checked. */
#define CHECK_MSG(cond, ...) \
	do { \
		check_count++; \
		if (!(cond)) { \
			check_failures++; \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

#define CHECK_INT(got, want) \
	do { \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		check_count++; \
		if (g_ != w_) { \
			check_failures++; \
			fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, \
				#got, g_, w_); \
		} \
	} while (0)

#define CHECK_STR(got, want) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		check_count++; \
		if (strcmp(g_, w_) != 0) { \
			check_failures++; \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
				#got, g_, w_); \
		} \
	} while (0)

/* Print the tally in the "N passed, N failed" form and give main's exit code. */
static int check_report(void)
{
	printf("%d passed, %d failed\n", check_count - check_failures, check_failures);
	return check_failures ? 1 : 0;
}

#endif /* PHN_TEST_CHECK_H */
