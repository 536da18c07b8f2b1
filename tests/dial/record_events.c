/*
 * record_events: write webhook events into a campaign journal through the
 * library's receiver (phn_campaign_receiver_*), the same calls the
 * `phonenorm webhook` server makes once a delivery is verified. The dial
 * tests use it to build journals with real call results without a server.
 *
 * usage: record_events JOURNAL.db < EVENTS
 * One item per line of standard input, tab-separated:
 *   SVIX_ID <tab> SVIX_TIMESTAMP_S <tab> BODY (a JSON object on one line)
 *   !refused <tab> REASON                  (a refused delivery)
 * Standard output: one line per event, the outcome's name ("applied",
 * "superseded", "orphan", "other_type", "duplicate"). Exit 0, or 1 with a
 * message on the first failure.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <phonenorm.h>

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	phn_campaign_receiver *rc = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: record_events JOURNAL.db < EVENTS\n");
		return 2;
	}
	if (phn_campaign_receiver_open(&rc, argv[1]) != PHN_OK) {
		fprintf(stderr, "record_events: %s\n", phn_error_last());
		return 1;
	}
	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *id = line, *ts, *body, *end;
		phn_receiver_outcome out;
		long long t;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (!(ts = strchr(id, '\t'))) {
			fprintf(stderr, "record_events: line %lu: no tab\n", lineno);
			status = 1;
			break;
		}
		*ts++ = '\0';
		if (strcmp(id, "!refused") == 0) {
			phn_campaign_receiver_refused(rc, ts);
			continue;
		}
		if (!(body = strchr(ts, '\t'))) {
			fprintf(stderr, "record_events: line %lu: no body\n", lineno);
			status = 1;
			break;
		}
		*body++ = '\0';
		t = strtoll(ts, &end, 10);
		if (*end || end == ts) {
			fprintf(stderr, "record_events: line %lu: timestamp '%s'\n", lineno, ts);
			status = 1;
			break;
		}
		if (phn_campaign_receiver_record(rc, id, (int64_t)t, body, strlen(body), now_ms(),
						 &out) != PHN_OK) {
			fprintf(stderr, "record_events: line %lu: %s\n", lineno, phn_error_last());
			status = 1;
			break;
		}
		printf("%s\n", phn_receiver_outcome_name(out));
	}
	free(line);
	phn_campaign_receiver_close(rc);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
