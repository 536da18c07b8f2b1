/*
 * Workers take blocks of a job with one atomic counter, so a slow block
 * never leaves a thread idle while others remain. A job is finished when
 * every item is done and every worker has left it: only then may the next
 * job reuse the counters.
 */
#define _POSIX_C_SOURCE 200809L /* read, open, O_CLOEXEC, pthreads */

#include "text/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "phonenorm/common.h"

struct phn_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;   /* a job started, or shutdown */
	pthread_cond_t idle;   /* a worker left the job */
	pthread_t *threads;
	unsigned int nthreads;
	unsigned long generation;
	unsigned int busy; /* workers still inside the current job */
	int shutdown;

	phn_pool_fn fn;
	void *ctx;
	size_t n;
	size_t block;
	atomic_size_t next;
};

static void run_blocks(phn_pool *pool)
{
	for (;;) {
		size_t b = atomic_fetch_add_explicit(&pool->next, pool->block, memory_order_relaxed);
		size_t e;

		if (b >= pool->n)
			return;
		e = b + pool->block < pool->n ? b + pool->block : pool->n;
		pool->fn(pool->ctx, b, e);
	}
}

static void *worker(void *arg)
{
	phn_pool *pool = arg;
	unsigned long seen = 0;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (!pool->shutdown && pool->generation == seen)
			pthread_cond_wait(&pool->wake, &pool->lock);
		if (pool->shutdown)
			break;
		seen = pool->generation;
		pthread_mutex_unlock(&pool->lock);
		run_blocks(pool);
		pthread_mutex_lock(&pool->lock);
		if (--pool->busy == 0)
			pthread_cond_signal(&pool->idle);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

int phn_pool_new(phn_pool **out, unsigned int workers)
{
	phn_pool *pool;

	*out = NULL;
	if (!(pool = calloc(1, sizeof *pool)))
		return PHN_ENOMEM;
	if (!(pool->threads = calloc(workers ? workers : 1, sizeof *pool->threads))) {
		free(pool);
		return PHN_ENOMEM;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->idle, NULL);
	atomic_init(&pool->next, 0);
	for (unsigned int i = 0; i < workers; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker, pool) != 0)
			break;
		pool->nthreads++;
	}
	/* Fewer threads than asked is slower, never wrong: the caller works too. */
	*out = pool;
	return PHN_OK;
}

void phn_pool_free(phn_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->shutdown = 1;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned int i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_cond_destroy(&pool->idle);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool->threads);
	free(pool);
}

void phn_pool_start(phn_pool *pool, phn_pool_fn fn, void *ctx, size_t n, size_t block)
{
	pthread_mutex_lock(&pool->lock);
	pool->fn = fn;
	pool->ctx = ctx;
	pool->n = n;
	pool->block = block ? block : 1;
	atomic_store(&pool->next, 0);
	pool->busy = pool->nthreads;
	pool->generation++;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
}

void phn_pool_finish(phn_pool *pool)
{
	run_blocks(pool);
	pthread_mutex_lock(&pool->lock);
	while (pool->busy > 0)
		pthread_cond_wait(&pool->idle, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}
