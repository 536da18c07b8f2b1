/*
 * The dedupe set: open addressing with linear probing on 64-bit keys, laid
 * out for the cache. A probe reads a one-byte tag per slot (seven bits of
 * the key's hash, high bit set; 0 is empty) and touches a slot (key and
 * value side by side: one cache line) only when its tag matches: a list of
 * a million numbers probes a 2 MiB tag array, which stays in the cache,
 * instead of a 32 MiB slot array, where every probe was a miss. The table
 * stays at most half full, so probes stay short; a slot costs 17 bytes, and
 * a 10 million number list needs 16 Mi slots: 272 MiB.
 */
#include "phonenorm/list.h"

#include <stdlib.h>
#include <string.h>

#include "list/cleaner.h"
#include "text/error.h"

struct slot {
	uint64_t key;
	uint64_t value;
};

struct phn_dedupe_set {
	/* One block: tags[cap], then slots[cap] (cap is a multiple of 64, so
	 * the slots after the tags are aligned). */
	void *block;
	uint8_t *tags;
	struct slot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two >= 64 */
	size_t count;
};

#define MIN_CAPACITY 64
#define SLOT_BYTES (1 + sizeof(struct slot))

/* A 64-bit mixer (splitmix64's finaliser): keys are E.164 digits read as an
 * integer, whose low bits alone would cluster. */
static uint64_t hash_key(uint64_t k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	k ^= k >> 31;
	return k;
}

/* The slot index comes from the low bits, the tag from the top seven. */
static uint8_t tag_of(uint64_t h)
{
	return (uint8_t)(0x80u | (h >> 57));
}

static size_t capacity_for(size_t keys)
{
	size_t cap = MIN_CAPACITY;

	while (cap / 2 < keys) {
		if (cap > SIZE_MAX / 4 / SLOT_BYTES)
			return 0;
		cap *= 2;
	}
	return cap;
}

/* Empty tables of cap slots into *set's arrays. */
static int alloc_slots(phn_dedupe_set *set, size_t cap)
{
	char *block = calloc(cap, SLOT_BYTES);

	if (!block)
		return PHN_ENOMEM;
	set->block = block;
	set->tags = (uint8_t *)block;
	set->slots = (struct slot *)(void *)(block + cap);
	set->mask = cap - 1;
	return PHN_OK;
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
	if (alloc_slots(set, cap) != PHN_OK) {
		free(set);
		return phn_error_code(PHN_ENOMEM);
	}
	*out = set;
	return PHN_OK;
}

void phn_dedupe_set_free(phn_dedupe_set *set)
{
	if (!set)
		return;
	free(set->block);
	free(set);
}

/* The slot of key (*found = 1), or the empty slot where it would go. */
static size_t find_slot(const phn_dedupe_set *set, uint64_t key, int *found)
{
	uint64_t h = hash_key(key);
	uint8_t tag = tag_of(h);
	size_t i = (size_t)h & set->mask;

	for (;; i = (i + 1) & set->mask) {
		uint8_t t = set->tags[i];

		if (t == 0) {
			*found = 0;
			return i;
		}
		if (t == tag && set->slots[i].key == key) {
			*found = 1;
			return i;
		}
	}
}

void phn_dedupe_set_prefetch(const phn_dedupe_set *set, uint64_t key)
{
#if defined(__GNUC__)
	size_t i = (size_t)hash_key(key) & set->mask;

	__builtin_prefetch(&set->tags[i], 1);
	__builtin_prefetch(&set->slots[i], 1);
#else
	(void)set;
	(void)key;
#endif
}

static void put_slot(phn_dedupe_set *set, size_t i, uint64_t key, uint64_t value)
{
	set->tags[i] = tag_of(hash_key(key));
	set->slots[i].key = key;
	set->slots[i].value = value;
}

static int grow(phn_dedupe_set *set)
{
	phn_dedupe_set old = *set;
	size_t old_cap = set->mask + 1;
	int found;

	if (old_cap > SIZE_MAX / 4 / SLOT_BYTES || alloc_slots(set, old_cap * 2) != PHN_OK) {
		*set = old;
		return PHN_ENOMEM;
	}
	for (size_t i = 0; i < old_cap; i++) {
		if (old.tags[i])
			put_slot(set, find_slot(set, old.slots[i].key, &found), old.slots[i].key,
				 old.slots[i].value);
	}
	free(old.block);
	return PHN_OK;
}

int phn_dedupe_set_insert(int *is_new, uint64_t *first_value, phn_dedupe_set *set,
			  uint64_t key, uint64_t value)
{
	size_t i;
	int found;

	if (!is_new || !set || key == 0)
		return phn_error_set(PHN_EINVAL, "phn_dedupe_set_insert: %s",
				     !is_new ? "is_new is NULL" : !set ? "the set is NULL"
								: "key 0 is no number");
	i = find_slot(set, key, &found);
	if (found) {
		*is_new = 0;
		if (first_value)
			*first_value = set->slots[i].value;
		return PHN_OK;
	}
	if ((set->count + 1) * 2 > set->mask + 1) {
		if (grow(set) != PHN_OK)
			return phn_error_set(PHN_ENOMEM, "growing a dedupe set of %zu keys: %s",
					     set->count, phn_strerror(PHN_ENOMEM));
		i = find_slot(set, key, &found);
	}
	put_slot(set, i, key, value);
	set->count++;
	*is_new = 1;
	if (first_value)
		*first_value = value;
	return PHN_OK;
}

int phn_dedupe_set_contains(int *found, uint64_t *value, const phn_dedupe_set *set, uint64_t key)
{
	size_t i;
	int hit;

	if (!found || !set)
		return phn_error_set(PHN_EINVAL, "phn_dedupe_set_contains: %s is NULL",
				     found ? "the set" : "found");
	*found = 0;
	if (key == 0)
		return PHN_OK;
	i = find_slot(set, key, &hit);
	if (hit) {
		*found = 1;
		if (value)
			*value = set->slots[i].value;
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
		if (set->tags[i])
			keys[n++] = set->slots[i].key;
	qsort(keys, n, sizeof *keys, cmp_u64);
	return PHN_OK;
}

size_t phn_dedupe_set_memory(const phn_dedupe_set *set)
{
	return set ? sizeof *set + (set->mask + 1) * SLOT_BYTES : 0;
}
