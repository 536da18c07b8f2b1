/*
 * Parsing and formatting are safe from many threads at once: every thread
 * parses and formats the same inputs many times, and every result must be
 * byte-identical to the serial result.
 *
 * usage: test_threads CASES.tsv [THREADS] [ROUNDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

#include "check.h"

struct input {
	char region[4];
	char *text;
};

struct result {
	phn_number num;
	char intl[64];
	char dialout[64];
	char description[128];
};

static struct input *inputs;
static size_t ninputs;
static struct result *serial;
static int rounds = 20;

static void compute(struct result *r, const struct input *in)
{
	phn_info info = PHN_INFO_INIT;

	memset(r, 0, sizeof *r);
	phn_number_init(&r->num, PHN_NUMBER_VERSION);
	if (phn_number_parse(&r->num, in->text, in->region) != PHN_OK)
		return;
	if (r->num.e164[0]) {
		phn_number_format(r->intl, sizeof r->intl, NULL, &r->num, PHN_FORMAT_INTERNATIONAL);
		phn_number_format_out_of_country(r->dialout, sizeof r->dialout, NULL, &r->num, "GB");
		if (phn_number_info(&info, &r->num, NULL) == PHN_OK)
			phn_number_location(r->description, sizeof r->description, NULL, &r->num,
					    "en");
	}
}

static void *worker(void *arg)
{
	size_t offset = (size_t)arg, *mismatches = calloc(1, sizeof *mismatches);
	struct result r;

	for (int round = 0; round < rounds; round++) {
		/* Each thread walks the inputs from its own offset, so threads hit
		 * different numbers and regions at the same moment. */
		for (size_t k = 0; k < ninputs; k++) {
			size_t i = (k + offset * 7919) % ninputs;
			compute(&r, &inputs[i]);
			if (memcmp(&r, &serial[i], sizeof r) != 0)
				(*mismatches)++;
		}
	}
	return mismatches;
}

/* Inputs: every case of the table in many spellings. */
static void load_inputs(const char *path)
{
	static const char *const prefixes[] = { "", " ", "(", "tel:" };
	static const char *const suffixes[] = { "", " ", " x12", ")" };
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, max = 0;
	ssize_t len;

	if (!f) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *tab, *text, *end;

		if (line[0] == '#' || !(tab = strchr(line, '\t')))
			continue;
		text = tab + 1;
		if ((end = strchr(text, '\t')))
			*end = '\0';
		*tab = '\0';
		for (int p = 0; p < 4; p++) {
			for (int s = 0; s < 4; s++) {
				if (ninputs == max) {
					max = max ? max * 2 : 256;
					inputs = realloc(inputs, max * sizeof *inputs);
				}
				snprintf(inputs[ninputs].region, sizeof inputs[ninputs].region, "%s", line);
				inputs[ninputs].text = malloc(strlen(text) + 16);
				sprintf(inputs[ninputs].text, "%s%s%s", prefixes[p], text, suffixes[s]);
				ninputs++;
			}
		}
	}
	free(line);
	fclose(f);
}

int main(int argc, char **argv)
{
	int nthreads = argc > 2 ? atoi(argv[2]) : 8;
	pthread_t threads[64];
	size_t valid = 0;

	if (argc < 2 || nthreads < 2 || nthreads > 64) {
		fprintf(stderr, "usage: %s CASES.tsv [THREADS 2..64] [ROUNDS]\n", argv[0]);
		return 2;
	}
	if (argc > 3)
		rounds = atoi(argv[3]);
	load_inputs(argv[1]);
	CHECK(ninputs >= 1000);

	serial = calloc(ninputs, sizeof *serial);
	for (size_t i = 0; i < ninputs; i++) {
		compute(&serial[i], &inputs[i]);
		valid += serial[i].num.status == PHN_STATUS_VALID;
	}
	/* The load must be real work: many valid numbers with formats. */
	CHECK(valid > ninputs / 3);

	for (int t = 0; t < nthreads; t++)
		CHECK_INT(pthread_create(&threads[t], NULL, worker, (void *)(size_t)t), 0);
	for (int t = 0; t < nthreads; t++) {
		void *ret;
		CHECK_INT(pthread_join(threads[t], &ret), 0);
		CHECK_INT(*(size_t *)ret, 0);
		free(ret);
	}
	printf("%d threads x %d rounds x %zu inputs\n", nthreads, rounds, ninputs);
	for (size_t i = 0; i < ninputs; i++)
		free(inputs[i].text);
	free(inputs);
	free(serial);
	return check_report();
}
