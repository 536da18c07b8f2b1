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
 * Per-item outcomes (a number that is too short, a row that is rejected)
 * are not errors: they are reported as data in the result of the call.
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
	PHN_ENETWORK = -10, /* a network transfer could not be carried out */
	PHN_EAUTH = -11     /* credentials are missing or were refused */
} phn_error;

/*
 * Static, English text for an error code ("invalid argument", ...).
 * Never NULL; unknown codes give "unknown error". Thread-safe.
 */
PHN_EXTERN const char *phn_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_COMMON_H */
