/*
 * The dedupe set: open addressing with linear probing on 64-bit keys.
 * Key 0 marks an empty slot (it is the key of "no number", never inserted).
 * The table stays at most half full, so probes stay short and a 10 million
 * number list needs 16 Mi slots: 256 MiB.
 */
#include "phonenorm/list.h"

#include <stdlib.h>
#include <string.h>

#include "text/error.h"

struct slot {
	uint64_t key;
	uint64_t value;
};

struct phn_dedupe_set {
	struct slot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two */
	size_t count;
};

#define MIN_CAPACITY 64

/* A 64-bit mixer (splitmix64's finaliser): keys are E.164 digits read as an
 * integer, whose low bits alone would cluster. */
static size_t hash_key(uint64_t k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return (size_t)k;
}

static size_t capacity_for(size_t keys)
{
	size_t cap = MIN_CAPACITY;

	while (cap / 2 < keys) {
		if (cap > SIZE_MAX / 4 / sizeof(struct slot))
			return 0;
		cap *= 2;
	}
	return cap;
}

int phn_dedupe_set_new(phn_dedupe_set **out, size_t expected)
{
	phn_dedupe_set *set;
	size_t cap;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_dedupe_set_new: out is NULL");
	*out = NULL;
	if ((cap = capacity_for(expected)) == 0)
		return phn_error_set(PHN_ENOMEM, "a dedupe set for %zu keys is too large", expected);
	if (!(set = calloc(1, sizeof *set)))
		return phn_error_code(PHN_ENOMEM);
	if (!(set->slots = calloc(cap, sizeof *set->slots))) {
		free(set);
		return phn_error_code(PHN_ENOMEM);
	}
	set->mask = cap - 1;
	*out = set;
	return PHN_OK;
}

void phn_dedupe_set_free(phn_dedupe_set *set)
{
	if (!set)
		return;
	free(set->slots);
	free(set);
}

static struct slot *find_slot(struct slot *slots, size_t mask, uint64_t key)
{
	size_t i = hash_key(key) & mask;

	while (slots[i].key != 0 && slots[i].key != key)
		i = (i + 1) & mask;
	return &slots[i];
}

static int grow(phn_dedupe_set *set)
{
	size_t old_cap = set->mask + 1, new_cap;
	struct slot *slots;

	if (old_cap > SIZE_MAX / 4 / sizeof(struct slot))
		return PHN_ENOMEM;
	new_cap = old_cap * 2;
	if (!(slots = calloc(new_cap, sizeof *slots)))
		return PHN_ENOMEM;
	for (size_t i = 0; i < old_cap; i++) {
		if (set->slots[i].key != 0)
			*find_slot(slots, new_cap - 1, set->slots[i].key) = set->slots[i];
	}
	free(set->slots);
	set->slots = slots;
	set->mask = new_cap - 1;
	return PHN_OK;
}

int phn_dedupe_set_insert(int *is_new, uint64_t *first_value, phn_dedupe_set *set,
			  uint64_t key, uint64_t value)
{
	struct slot *s;

	if (!is_new || !set || key == 0)
		return phn_error_set(PHN_EINVAL, "phn_dedupe_set_insert: %s",
				     !is_new ? "is_new is NULL" : !set ? "the set is NULL"
								: "key 0 is no number");
	s = find_slot(set->slots, set->mask, key);
	if (s->key == key) {
		*is_new = 0;
		if (first_value)
			*first_value = s->value;
		return PHN_OK;
	}
	if ((set->count + 1) * 2 > set->mask + 1) {
		if (grow(set) != PHN_OK)
			return phn_error_set(PHN_ENOMEM, "growing a dedupe set of %zu keys: %s",
					     set->count, phn_strerror(PHN_ENOMEM));
		s = find_slot(set->slots, set->mask, key);
	}
	s->key = key;
	s->value = value;
	set->count++;
	*is_new = 1;
	if (first_value)
		*first_value = value;
	return PHN_OK;
}

int phn_dedupe_set_contains(int *found, uint64_t *value, const phn_dedupe_set *set, uint64_t key)
{
	const struct slot *s;

	if (!found || !set)
		return phn_error_set(PHN_EINVAL, "phn_dedupe_set_contains: %s is NULL",
				     found ? "the set" : "found");
	*found = 0;
	if (key == 0)
		return PHN_OK;
	s = find_slot(set->slots, set->mask, key);
	if (s->key == key) {
		*found = 1;
		if (value)
			*value = s->value;
	}
	return PHN_OK;
}

size_t phn_dedupe_set_count(const phn_dedupe_set *set)
{
	return set ? set->count : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int phn_dedupe_set_keys(uint64_t *keys, size_t cap, size_t *count, const phn_dedupe_set *set)
{
	size_t n = 0;

	if (!count || !set)
		return phn_error_set(PHN_EINVAL, "phn_dedupe_set_keys: %s is NULL",
				     count ? "the set" : "count");
	*count = set->count;
	if (cap < set->count)
		return phn_error_set(PHN_EBUFS, "phn_dedupe_set_keys: room for %zu keys, the set "
				     "holds %zu", cap, set->count);
	for (size_t i = 0; i <= set->mask && n < set->count; i++)
		if (set->slots[i].key)
			keys[n++] = set->slots[i].key;
	qsort(keys, n, sizeof *keys, cmp_u64);
	return PHN_OK;
}

size_t phn_dedupe_set_memory(const phn_dedupe_set *set)
{
	return set ? sizeof *set + (set->mask + 1) * sizeof(struct slot) : 0;
}
