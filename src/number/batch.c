/*
 * phn_number_parse_batch: many numbers, optionally on several threads. Each
 * result slot is written by exactly one thread, so the output does not
 * depend on how the work was split.
 */
#include "phonenorm/number.h"

#include <stdatomic.h>
#include <string.h>

#include "text/error.h"
#include "text/pool.h"
#include "text/text.h"

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
		size_t len;
		int rc;

		/* Text that is not UTF-8 is a per-item outcome ("not a number"),
		 * not a failure: screen it here so that it leaves no error
		 * message behind on a call that succeeds. */
		if (!t || !phn_text_utf8_valid(t, len = b->lens ? b->lens[i] : strlen(t))) {
			phn_number_init(&b->results[i], PHN_NUMBER_VERSION);
			continue;
		}
		rc = phn_number_parse_n(&b->results[i], t, len, b->region);
		if (rc != PHN_OK) {
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
		return phn_error_set(PHN_EINVAL, "%s is NULL", results ? "texts" : "results");
	for (size_t i = 0; i < count; i++) {
		if (results[i].version != PHN_NUMBER_VERSION)
			return phn_error_set(PHN_EVERSION,
					     "results[%zu] is not initialised (version %u; "
					     "use PHN_NUMBER_INIT)", i, results[i].version);
	}
	if (region && region[0]) {
		char upper[3];

		if ((rc = phn_region_canonical(upper, region)) != PHN_OK)
			return rc;
	}
	b.results = results;
	b.texts = texts;
	b.lens = lens;
	b.region = region;
	atomic_init(&b.error, PHN_OK);

	if (threads > count / 64)
		threads = (unsigned int)(count / 64); /* tiny batches are not worth a thread */
	if (threads <= 1) {
		parse_range(&b, 0, count); /* a failure set this thread's message */
		return atomic_load(&b.error);
	}
	if ((rc = phn_pool_new(&pool, threads - 1)) != PHN_OK)
		return phn_error_code(rc);
	phn_pool_start(pool, parse_range, &b, count, 64);
	phn_pool_finish(pool);
	phn_pool_free(pool);
	/* A worker's message stays on the worker's thread. */
	rc = atomic_load(&b.error);
	return rc == PHN_OK ? PHN_OK : phn_error_set(rc, "parsing a batch item failed: %s",
						     phn_strerror(rc));
}
