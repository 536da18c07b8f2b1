/*
 * Internal side of the one error rule (see phn_error_last() in common.h):
 * every public function that returns a negative code sets the calling
 * thread's message through one of these on its way out.
 */
#ifndef PHN_TEXT_ERROR_H
#define PHN_TEXT_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#  define PHN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define PHN_PRINTF(f, a)
#endif

/* Set the thread's last error to code and the formatted message; returns
 * code so that a failing path reads "return phn_error_set(...)". */
int phn_error_set(int code, const char *fmt, ...) PHN_PRINTF(2, 3);
int phn_error_setv(int code, const char *fmt, va_list ap);

/* As phn_error_set(), with ": strerror(errnum)" appended. */
int phn_error_set_errno(int code, int errnum, const char *fmt, ...) PHN_PRINTF(3, 4);

/* Set code with phn_strerror(code) as the message (for failures that have
 * nothing more specific to say, such as PHN_ENOMEM). */
int phn_error_code(int code);

/*
 * libgit2's version rule: a struct's version must be 1 <= version <= current.
 * Returns PHN_OK, or PHN_EINVAL for NULL (what names the argument) or
 * PHN_EVERSION with a message naming the struct and the accepted range.
 */
int phn_error_check_version(const void *ptr, unsigned int version, unsigned int current,
			    const char *what);

#ifdef __cplusplus
}
#endif

#endif /* PHN_TEXT_ERROR_H */
