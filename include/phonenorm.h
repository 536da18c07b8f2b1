/*
 * phonenorm: make phone-number lists safe to call.
 *
 * The one header a user includes: #include <phonenorm.h>, link -lphonenorm.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_H
#define PHONENORM_H

#include "phonenorm/common.h"
#include "phonenorm/version.h"
#include "phonenorm/number.h"
#include "phonenorm/list.h"
#include "phonenorm/dispatch.h"
#include "phonenorm/campaign.h"
#include "phonenorm/webhook.h"

#endif /* PHONENORM_H */
