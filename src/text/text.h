/*
 * Internal text helpers: the bottom layer, used by every other layer.
 */
#ifndef PHN_TEXT_TEXT_H
#define PHN_TEXT_TEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates), else 0. */
int phn_text_utf8_valid(const char *s, size_t len);

/* Number of code points in s[0..len) if it is well-formed UTF-8, else -1. */
long phn_text_utf8_count(const char *s, size_t len);

/*
 * Copy src (srclen bytes) into dst[cap] with a NUL, the way every public
 * "(char *dst, size_t cap)" function does: *needed (if not NULL) gets srclen;
 * PHN_EBUFS when cap <= srclen (dst then holds "" when cap > 0).
 */
int phn_text_copy_out(char *dst, size_t cap, size_t *needed, const char *src, size_t srclen);

/* A malloc'ed copy of s (NULL for NULL, or when out of memory). */
char *phn_text_dup(const char *s);

/* ASCII upper-case of s into dst[cap]; PHN_EINVAL when it does not fit. */
int phn_text_ascii_upper(char *dst, size_t cap, const char *s);

/* Case-insensitive ASCII comparison, like strcasecmp but locale-free. */
int phn_text_ascii_casecmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif /* PHN_TEXT_TEXT_H */
