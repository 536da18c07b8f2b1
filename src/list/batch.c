/*
 * phn_number_parse_batch: many numbers, optionally on several threads. Each
 * result slot is written by exactly one thread, so the output does not
 * depend on how the work was split.
 */
#include "phonenorm/list.h"

#include <stdatomic.h>
#include <string.h>

#include "list/pool.h"

struct batch {
	phn_number *results;
	const char *const *texts;
	const size_t *lens;
	const char *region;
	atomic_int error; /* first resource error; per-item outcomes are data */
};

static void parse_range(void *ctx, size_t begin, size_t end)
{
	struct batch *b = ctx;

	for (size_t i = begin; i < end; i++) {
		const char *t = b->texts[i];
		int rc;

		if (!t) {
			phn_number_init(&b->results[i], PHN_NUMBER_VERSION);
			continue;
		}
		rc = phn_number_parse_n(&b->results[i], t, b->lens ? b->lens[i] : strlen(t),
					b->region);
		/* PHN_EINVAL here is text that is not UTF-8: the result already
		 * says "not a number". */
		if (rc != PHN_OK && rc != PHN_EINVAL) {
			int expected = PHN_OK;
			atomic_compare_exchange_strong(&b->error, &expected, rc);
		}
	}
}

int phn_number_parse_batch(phn_number *results, const char *const *texts, const size_t *lens,
			   size_t count, const char *region, unsigned int threads)
{
	struct batch b;
	phn_pool *pool;
	int rc;

	if (count == 0)
		return PHN_OK;
	if (!results || !texts)
		return PHN_EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (results[i].version != PHN_NUMBER_VERSION)
			return PHN_EVERSION;
	}
	if (region && region[0] && !phn_region_is_known(region))
		return PHN_EREGION;
	b.results = results;
	b.texts = texts;
	b.lens = lens;
	b.region = region;
	atomic_init(&b.error, PHN_OK);

	if (threads > count / 64)
		threads = (unsigned int)(count / 64); /* tiny batches are not worth a thread */
	if (threads <= 1) {
		parse_range(&b, 0, count);
		return atomic_load(&b.error);
	}
	if ((rc = phn_pool_new(&pool, threads - 1)) != PHN_OK)
		return rc;
	phn_pool_start(pool, parse_range, &b, count, 64);
	phn_pool_finish(pool);
	phn_pool_free(pool);
	return atomic_load(&b.error);
}
