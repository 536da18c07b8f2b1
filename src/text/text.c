#include "text/text.h"

#include <stdlib.h>
#include <string.h>

#include "phonenorm/common.h"
#include "text/error.h"

int phn_text_utf8_valid(const char *s, size_t len)
{
	return phn_text_utf8_count(s, len) >= 0;
}

long phn_text_utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	long count = 0;

	for (; p < end; count++) {
		unsigned char c = *p;
		size_t n;
		unsigned int cp, min;

		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1; cp = c & 0x1F; min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2; cp = c & 0x0F; min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return -1;
		}
		if ((size_t)(end - p) <= n)
			return -1;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		p += n + 1;
	}
	return count;
}

int phn_text_copy_out(char *dst, size_t cap, size_t *needed, const char *src, size_t srclen)
{
	if (needed)
		*needed = srclen;
	if (!dst || cap <= srclen) {
		if (dst && cap > 0)
			dst[0] = '\0';
		return phn_error_set(PHN_EBUFS, "a buffer of %zu bytes is too small: %zu needed",
				     cap, srclen + 1);
	}
	memcpy(dst, src, srclen);
	dst[srclen] = '\0';
	return PHN_OK;
}

int phn_text_ascii_upper(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		if (i + 1 >= cap)
			return PHN_EINVAL;
		dst[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	}
	if (cap == 0)
		return PHN_EINVAL;
	dst[i] = '\0';
	return PHN_OK;
}

int phn_text_ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : (unsigned char)*a;
		int cb = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : (unsigned char)*b;
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

char *phn_text_dup(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if ((d = malloc(n)))
		memcpy(d, s, n);
	return d;
}
