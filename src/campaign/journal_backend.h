/*
 * The backends of the journal (journal.h): each one fills a struct
 * journal_ops, and journal.c only dispatches. The SQLite backend
 * (journal_sqlite.c) is the one there is; a PostgreSQL backend, for several
 * dialer hosts on one campaign, adds its ops and a way to be chosen in
 * journal_open() (a "postgresql://" path), and nothing above journal.h
 * changes.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHN_CAMPAIGN_JOURNAL_BACKEND_H
#define PHN_CAMPAIGN_JOURNAL_BACKEND_H

#include "campaign/journal.h"

struct journal_ops {
	const char *name; /* "sqlite" */
	int (*open)(journal **out, const char *path, unsigned int flags);
	void (*close)(journal *j);
	int (*meta_get)(journal *j, const char *key, const char **value);
	int (*meta_set)(journal *j, const char *key, const char *value);
	int (*load_begin)(journal *j);
	int (*load_row)(journal *j, const struct jrow *row);
	int (*load_end)(journal *j);
	int (*run_begin)(journal *j, int64_t now_ms, const char *mode, int64_t *run_id);
	int (*run_end)(journal *j, int64_t run_id, int64_t now_ms, const char *result);
	int (*recover)(journal *j, int64_t now_ms, uint64_t *n);
	int (*requeue_unknown)(journal *j, unsigned int max_attempts, uint64_t *n);
	int (*requeue_for_run)(journal *j, unsigned int max_attempts, uint64_t *n);
	int (*ready)(journal *j, struct jwork *out, size_t cap, size_t *n, uint64_t after_line,
		     int64_t now_ms);
	int (*defer)(journal *j, const uint64_t *lines, const int64_t *next_at, size_t n,
		     jstate state, int64_t now_ms);
	int (*mark_sending)(journal *j, int64_t run_id, const struct jsend *items, size_t n,
			    int64_t now_ms);
	int (*record)(journal *j, const struct joutcome *items, size_t n, int64_t now_ms);
	int (*suppress)(journal *j, const uint64_t *keys, size_t n, const char *digest,
			int64_t now_ms, uint64_t *changed);
	int (*record_and_mark)(journal *j, const struct joutcome *done, size_t ndone,
			       int64_t run_id, const struct jsend *items, size_t nitems,
			       int64_t now_ms);
	int (*counts)(journal *j, struct jcounts *out);
	int (*read_begin)(journal *j);
	void (*read_end)(journal *j);
	int (*next_wake)(journal *j, int64_t *at_ms);
	int (*runs)(journal *j, struct jruns *out);
	int (*each_row)(journal *j, int (*cb)(const struct jreport_row *row, void *payload),
			void *payload);
	int (*results)(journal *j, struct jresults *out);
	int (*each_histogram)(journal *j, const char *column,
			      int (*cb)(const char *value, uint64_t n, void *payload),
			      void *payload);
	int (*each_refusal)(journal *j,
			    int (*cb)(const char *reason, uint64_t n, int64_t last_at,
				      void *payload),
			    void *payload);
	int (*redial_count)(journal *j, unsigned int max_attempts, int64_t gap_ms, int64_t now_ms,
			    uint64_t *due, uint64_t *later, int64_t *next_due_ms);
	int (*requeue_undelivered)(journal *j, unsigned int max_attempts, int64_t gap_ms,
				   int64_t now_ms, uint64_t *n);
	int (*record_events)(journal *j, const struct jevent *ev, size_t n,
			     phn_receiver_outcome *out, const char *const *refusal_reasons,
			     const uint64_t *refusal_counts, size_t nref, int64_t now_ms);
};

/* Every backend's handle starts with this. */
struct journal {
	const struct journal_ops *ops;
};

extern const struct journal_ops journal_sqlite_ops;

#endif /* PHN_CAMPAIGN_JOURNAL_BACKEND_H */
