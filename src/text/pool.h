/*
 * A small fork-join pool (used by batch parsing and the list cleaner): the calling thread starts a job
 * over [0, n), may do other work, then joins in and waits for the end.
 * Internal.
 */
#ifndef PHN_TEXT_POOL_H
#define PHN_TEXT_POOL_H

#include <stddef.h>

typedef void (*phn_pool_fn)(void *ctx, size_t begin, size_t end);

typedef struct phn_pool phn_pool;

/* A pool with workers extra threads (the caller is one more). */
int phn_pool_new(phn_pool **out, unsigned int workers);

void phn_pool_free(phn_pool *pool);

/* Start fn over [0, n) in blocks of block items; returns at once. */
void phn_pool_start(phn_pool *pool, phn_pool_fn fn, void *ctx, size_t n, size_t block);

/* Work on the started job from the calling thread until all of it is done. */
void phn_pool_finish(phn_pool *pool);

#endif /* PHN_TEXT_POOL_H */
