/*
 * The fast path from a cold start on many threads: nothing in the process
 * has parsed a number when THREADS threads start at once, each on its own
 * region's numbers (so territories are compiled concurrently, on first
 * use), then a serial run of the same inputs, and libphonenumber alone,
 * must give the same phn_number for every input.
 *
 * usage: fastpath_threads [THREADS (default 8)] [PER_THREAD (default 20000)]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "fp_gen.h"
#include "number/shim.h"
#include "same_number.h"

static const char *const thread_regions[] = {
	"SA", "US", "GB", "DE", "IT", "RU", "JP", "AU", "CA", "IN", "FR", "KZ", "GG", "EG", "AE",
	"CN",
};

struct input {
	char text[512];
	const char *region;
	phn_number got;
	phn_parse_path path;
	int rc;
};

struct slice {
	struct input *in;
	size_t n;
};

static pthread_barrier_t start;

static void *worker(void *arg)
{
	struct slice *s = arg;

	pthread_barrier_wait(&start);
	for (size_t i = 0; i < s->n; i++) {
		struct input *in = &s->in[i];
		phn_number_init(&in->got, PHN_NUMBER_VERSION);
		in->rc = phn_number_parse_traced(&in->got, in->text, strlen(in->text), in->region,
						 &in->path);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 8;
	size_t per = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 20000;
	struct fpg g;
	struct input *in;
	struct slice *sl;
	pthread_t *tid;
	size_t total, fast = 0, bad = 0;

	if (threads < 1 || threads > 64 || per == 0)
		return 2;
	total = per * (size_t)threads;
	in = calloc(total, sizeof *in);
	sl = calloc((size_t)threads, sizeof *sl);
	tid = calloc((size_t)threads, sizeof *tid);
	if (!in || !sl || !tid)
		return 2;
	/* The generator without the example numbers: no library call yet. */
	memset(&g, 0, sizeof g);
	g.s = 0x5DEECE66Dull;
	for (int t = 0; t < threads; t++) {
		const char *own = thread_regions[t % FPG_N(thread_regions)];
		for (size_t i = 0; i < per; i++) {
			struct input *x = &in[t * per + i];
			unsigned f = fpg_rnd(&g, 10);
			if (f < 3)
				fpg_clean_gen(&g, x->text, &x->region);
			else if (f < 5)
				fpg_bench(&g, x->text, &x->region);
			else
				fpg_random(&g, x->text, &x->region);
			if (fpg_rnd(&g, 10) < 7)
				x->region = own;
		}
		sl[t].in = &in[t * per];
		sl[t].n = per;
	}
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	for (int t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, worker, &sl[t]);
	for (int t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	pthread_barrier_destroy(&start);

	for (size_t i = 0; i < total; i++) {
		phn_number serial = PHN_NUMBER_INIT, engine = PHN_NUMBER_INIT;
		phn_parse_path path;
		int rc = phn_number_parse_traced(&serial, in[i].text, strlen(in[i].text), in[i].region,
						 &path);
		int rc2 = phn_shim_parse(&engine, in[i].text, strlen(in[i].text), in[i].region);
		fast += in[i].path == PHN_PATH_FAST;
		if (rc != in[i].rc || rc2 != rc || path != in[i].path || !same_number(&serial, &in[i].got) ||
		    !same_number(&engine, &in[i].got)) {
			if (++bad <= 20)
				fprintf(stderr, "MISMATCH [%s] region=%s: threaded %s/%s path %d, serial "
					"%s/%s path %d, engine %s/%s\n", in[i].text,
					in[i].region ? in[i].region : "(none)",
					phn_status_name(in[i].got.status), in[i].got.e164,
					(int)in[i].path, phn_status_name(serial.status), serial.e164,
					(int)path, phn_status_name(engine.status), engine.e164);
		}
	}
	printf("%d threads x %zu inputs from a cold start: %zu took the fast path, %zu "
	       "mismatches\n", threads, per, fast, bad);
	free(in);
	free(sl);
	free(tid);
	return bad ? 1 : 0;
}
