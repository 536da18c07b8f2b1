/*
 * phonenorm: version of the library, at compile time and at run time.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_VERSION_H
#define PHONENORM_VERSION_H

#include "phonenorm/common.h"

#define PHN_VERSION_MAJOR 0
#define PHN_VERSION_MINOR 1
#define PHN_VERSION_PATCH 0
#define PHN_VERSION "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define PHN_VERSION_NUMBER \
	(PHN_VERSION_MAJOR * 10000 + PHN_VERSION_MINOR * 100 + PHN_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library actually loaded, e.g. "0.1.0". Static; thread-safe. */
PHN_EXTERN const char *phn_version(void);

/* PHN_VERSION_NUMBER of the library actually loaded. Thread-safe. */
PHN_EXTERN int phn_version_number(void);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_VERSION_H */
