/*
 * Fuzz target for Retry-After (phn_dispatch__retry_after_seconds, internal
 * to the dispatch layer). Input: bytes 0-4 give "now" (Unix seconds, 40 bits
 * big endian: 1970 to year 36812), the rest is the header value.
 *
 * Properties: the answer is -1 (absent or unreadable) or
 * 0..PHN_DISPATCH_RETRY_AFTER_MAX; it is the same for the same value and
 * now; delta-seconds do not depend on now and are the number (capped);
 * for an HTTP date, one second later asks for one second less (until 0,
 * below the cap); an empty value is -1.
 */
#include "dispatch/dispatch_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t cap = PHN_DISPATCH_RETRY_AFTER_MAX;
	int64_t now = 0, a, b, later;
	int digits = 1;
	char *v;

	if (size < 5)
		return 0;
	for (int i = 0; i < 5; i++)
		now = now << 8 | data[i];
	data += 5;
	size -= 5;
	if (!(v = malloc(size + 1)))
		abort();
	memcpy(v, data, size);
	v[size] = '\0'; /* a header value is a C string: stops at a NUL */

	a = phn_dispatch__retry_after_seconds(v, now);
	b = phn_dispatch__retry_after_seconds(v, now);
	if (a != b || a < -1 || a > cap)
		abort();
	if (!v[0] && a != -1)
		abort();
	for (const char *p = v; *p; p++)
		digits &= *p >= '0' && *p <= '9';
	if (v[0] && digits) {
		/* delta-seconds: the number, capped, whatever now is. */
		int64_t want = 0;

		for (const char *p = v; *p; p++)
			want = want > cap ? want : want * 10 + (*p - '0');
		if (a != (want > cap ? cap : want) ||
		    phn_dispatch__retry_after_seconds(v, now + 1000) != a)
			abort();
	} else if (a >= 0) {
		later = phn_dispatch__retry_after_seconds(v, now + 1);
		if (a > 0 && a < cap && later != a - 1)
			abort();
		if (a == 0 && later != 0)
			abort();
	}
	if (phn_dispatch__retry_after_seconds(NULL, now) != -1)
		abort();
	free(v);
	return 0;
}
