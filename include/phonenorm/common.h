/*
 * phonenorm: common definitions shared by every public header.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_COMMON_H
#define PHONENORM_COMMON_H

#include <stddef.h>

#if defined(PHN_STATIC)
#  define PHN_EXTERN
#elif defined(_WIN32)
#  if defined(PHN_BUILDING_LIBRARY)
#    define PHN_EXTERN __declspec(dllexport)
#  else
#    define PHN_EXTERN __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define PHN_EXTERN __attribute__((visibility("default")))
#else
#  define PHN_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Error codes. Every function that can fail returns PHN_OK (0) or one of
 * these negative values. The list only grows; values are never renumbered.
 *
 * Per-item outcomes (a number that is too short, a row that is rejected, an
 * HTTP 422 from the call API) are not errors: they are reported as data in
 * the result of the call.
 *
 * The one error rule (libgit2's): every function that returns a negative
 * code, constructors and reader opens included, also leaves a one-line
 * message for the calling thread in phn_error_last(), e.g.
 * "open 'x.csv': No such file or directory". errno is never part of the API.
 */
typedef enum phn_error {
	PHN_OK = 0,
	PHN_EINVAL = -1,    /* an argument is NULL, out of range or malformed */
	PHN_ENOMEM = -2,    /* out of memory */
	PHN_EBUFS = -3,     /* the caller's buffer is too small; see *needed */
	PHN_EREGION = -4,   /* not a known ISO 3166-1 alpha-2 region */
	PHN_EINTERNAL = -5, /* unexpected failure inside a dependency */
	PHN_EVERSION = -6,  /* a struct's version field is not one we know */
	PHN_EIO = -7,       /* reading or writing a file or stream failed */
	PHN_EFORMAT = -8,   /* input data is malformed beyond recovery */
	PHN_ENOTFOUND = -9, /* a named thing (column, key, file) does not exist */
	/* Reserved, never returned: a request that could not be carried out
	 * over the network is a result (PHN_DISPATCH_NOT_SENT or
	 * PHN_DISPATCH_AMBIGUOUS in dispatch.h), not an error. */
	PHN_ENETWORK = -10,
	PHN_EAUTH = -11,    /* credentials are missing or were refused */
	PHN_ESTATE = -12    /* too late or too early: e.g. choosing the metadata after first use */
} phn_error;

/*
 * Static, English text for an error code ("invalid argument", ...).
 * Never NULL; unknown codes give "unknown error". Thread-safe.
 */
PHN_EXTERN const char *phn_strerror(int code);

/*
 * Static name of an error code's enum constant: "PHN_EINVAL", "PHN_OK";
 * "PHN_E?" for codes this library does not know. Thread-safe.
 */
PHN_EXTERN const char *phn_error_name(int code);

/*
 * The message of the last error on the calling thread: one line of UTF-8
 * that names the failing call's subject ("open 'x.csv': No such file or
 * directory", "unknown region 'XX'"); "" when no phonenorm call has failed
 * on this thread since the last phn_error_clear(). Never NULL; never holds
 * a secret (the API token, a webhook secret).
 *
 * Lifetime: valid until the next phonenorm call on the same thread that
 * fails, or phn_error_clear(). Calls that succeed leave it as it is. Each
 * thread has its own; the library frees it when the thread exits.
 */
PHN_EXTERN const char *phn_error_last(void);

/* The code that went with phn_error_last(); PHN_OK when there is none. */
PHN_EXTERN int phn_error_last_code(void);

/* Forget the calling thread's last error. */
PHN_EXTERN void phn_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_COMMON_H */
