/*
 * Two phn_number results, field for field (not memcmp: padding bytes are
 * not part of the value). One definition for every test and fuzz target
 * that compares parses: the fast path against the engine, batches against
 * single parses, threads against a serial run, find against parse.
 */
#ifndef PHN_TEST_SAME_NUMBER_H
#define PHN_TEST_SAME_NUMBER_H

#include <string.h>

#include <phonenorm.h>

static inline int same_number(const phn_number *a, const phn_number *b)
{
	return a->version == b->version && a->status == b->status && a->type == b->type &&
	       a->country_code == b->country_code && a->national_number == b->national_number &&
	       a->leading_zeros == b->leading_zeros && a->key == b->key &&
	       strcmp(a->region, b->region) == 0 && strcmp(a->e164, b->e164) == 0 &&
	       strcmp(a->extension, b->extension) == 0;
}

#endif /* PHN_TEST_SAME_NUMBER_H */
