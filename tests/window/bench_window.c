/*
 * Benchmark of the calling-hours calls: prints figures, asserts nothing.
 *
 *   bench_window [ROUNDS]     (default 20000; the smoke test runs 50)
 *
 * For numbers with 1, 2 and 42 zones (New York, Idaho 208 2.., +1 toll
 * free) it times phn_call_window_check() at instants spread over two weeks
 * (so open and closed answers, both phases of the search), and
 * phn_number_timezones() on its own.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <phonenorm.h>

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const numbers[] = { "+1 212 555 0199", "+1 208 229 1417",
					       "+1 800 555 0199" };
	long rounds = argc > 1 ? atol(argv[1]) : 20000;
	phn_call_window w = PHN_CALL_WINDOW_INIT;
	const int64_t base = 1796644800000LL; /* 2026-12-07T12:00Z */
	size_t k;

	if (rounds < 1 || phn_call_window_default(&w, "US") != PHN_OK)
		return 2;
	printf("%-18s %6s %8s %12s\n", "number", "zones", "checks", "us/check");
	for (k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++) {
		phn_number num = PHN_NUMBER_INIT;
		const char *const *zones;
		size_t n = 0;
		long i, r, opened = 0;
		double t0;

		if (phn_number_parse(&num, numbers[k], NULL) != PHN_OK ||
		    phn_number_timezones(&zones, &n, &num) != PHN_OK || n == 0)
			return 1;
		r = n > 10 ? (rounds / 20 > 0 ? rounds / 20 : 1) : rounds;
		t0 = seconds();
		for (i = 0; i < r; i++) {
			int open = 0;
			int64_t change = 0;

			/* 61 minutes apart: every hour of the day and every weekday */
			if (phn_call_window_check(&open, &change, &w, zones, n,
						  base + (int64_t)(i % 330) * 61 * 60000) != PHN_OK)
				return 1;
			opened += open;
		}
		printf("%-18s %6zu %8ld %12.1f   (open in %ld)\n", numbers[k], n, r,
		       (seconds() - t0) / (double)r * 1e6, opened);
	}
	{
		phn_number num = PHN_NUMBER_INIT;
		const char *const *zones;
		size_t n;
		long i, r = rounds * 50;
		double t0;

		phn_number_parse(&num, "+1 208 229 1417", NULL);
		t0 = seconds();
		for (i = 0; i < r; i++)
			phn_number_timezones(&zones, &n, &num);
		printf("phn_number_timezones: %.3f us/call\n", (seconds() - t0) / (double)r * 1e6);
	}
	return 0;
}
