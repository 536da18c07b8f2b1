/*
 * phonenorm: dial a campaign list through the call API, paced, only inside
 * the callee's calling hours, with a journal that survives any crash.
 *
 * Three parts: calling windows (when a number may be called, in the
 * callee's own time zones, through ICU), the dialer (a list cleaned as
 * phn_cleaner does, every row recorded in a SQLite journal, one AI call per
 * clean row), and the report (what a journal says, for people and programs).
 *
 * Errors: a function that returns a negative PHN_E* code also sets the
 * calling thread's phn_error_last() message (common.h).
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_CAMPAIGN_H
#define PHONENORM_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/common.h"
#include "phonenorm/number.h"
#include "phonenorm/list.h"
#include "phonenorm/dispatch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- calling windows -------------------------------------------------- */

/* ---- end of calling windows ------------------------------------------- */


/* ---- the dialer ------------------------------------------------------- */

/* ---- end of the dialer ------------------------------------------------ */


/* ---- the report ------------------------------------------------------- */

/* ---- end of the report ------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_CAMPAIGN_H */
