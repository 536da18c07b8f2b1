/*
 * The dialer's insides, shared by dialer.c (open, run), load.c (the list
 * into the journal) and plan.c (dry runs). Nothing here is public.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHN_CAMPAIGN_DIALER_INTERNAL_H
#define PHN_CAMPAIGN_DIALER_INTERNAL_H

#include <signal.h>
#include <stdint.h>

#include "phonenorm/campaign.h"

#include "campaign/journal.h"

/* Columns of the mapping, resolved against the header. */
enum dl_field {
	DL_FIRST_NAME = 0,
	DL_LAST_NAME,
	DL_EMAIL,
	DL_CONTACT_UUID,
	DL_TIMEZONE,
	DL_INV_NUMBER,
	DL_INV_DATE,
	DL_INV_DUE_DATE,
	DL_INV_TOTAL,
	DL_FIELD_COUNT
};

struct phn_dialer {
	char *journal_path;
	journal *j;       /* NULL: a dry run with no journal file */
	int loaded;       /* the journal holds the list */
	unsigned int flags;

	/* Copies of the options. */
	char *list_path;
	phn_csv_options csv;
	phn_clean_options clean;
	char *clean_region, *clean_phone_column, *clean_region_column;
	phn_dispatch_options dopts;
	char *d_base_url, *d_token, *d_token_file;
	char *columns[DL_FIELD_COUNT];
	phn_dispatch_kv *tags;
	size_t tags_count;
	phn_dispatch_kv *meta;
	size_t meta_count;
	char *template_id;
	phn_dispatch_bool update_existing, create_if_not_exists;
	double rate;
	unsigned int concurrency, max_retries, max_attempts;
	int64_t retry_cap_ms;
	char *window_hours, *window_days; /* NULL: the region's default half */
	int64_t test_now_ms, mono_start_ms;
	unsigned int redial_flags;  /* PHN_DIAL_REDIAL_* */
	int64_t redial_after_ms;    /* the gap, the default resolved */
	phn_dial_event_cb on_event;
	void *payload;

	phn_dispatch *d;
	char campaign_id[40];
	char list_sha256[65];
	char *options_json;

	volatile sig_atomic_t stop;
	phn_dial_progress prog;
	phn_dial_end end;
	int ran;
};

/* The dialer's clock: real time, or the test clock advancing from test_now_ms. */
int64_t dl_now_ms(const phn_dialer *dl);
int64_t dl_mono_ms(void);

/* Call the event callback (if any) with progress filled in; a nonzero
 * return of it asks the run to stop. */
void dl_emit(phn_dialer *dl, phn_dial_event *ev);

/* SHA-256 of the file's bytes as 64 hex digits. */
int dl_file_sha256(char hex[65], const char *path);

/* The options that decide what is loaded, as canonical JSON (malloc'd). */
int dl_options_json(char **out, const phn_dialer *dl);
int dl_suppress_digest(char hex[65], uint64_t **keys, size_t *n, const phn_dialer *dl);

/* Whether the invoice flow is on. */
int dl_invoice_flow(const phn_dialer *dl);

/*
 * Read the list through the cleaner and give every data row to cb as the
 * journal stores it. *sha256 (if not NULL) gets the hash of the bytes read.
 * A nonzero return of cb stops the scan and is returned.
 */
typedef int (*dl_row_cb)(const struct jrow *row, void *payload);
int dl_scan_list(phn_dialer *dl, char sha256[65], dl_row_cb cb, void *payload);

/* Load the list into the journal (first run) or check it against it. */
int dl_load(phn_dialer *dl);

/* The window that applies to a row of region (a user window intersected
 * with 08:00-21:00 for +1 numbers, else the region's default). */
int dl_window_for(phn_call_window *w, const phn_dialer *dl, const char *region);

/* Split a '&'-joined zones string into zones[] (pointers into buf);
 * no zone known gives "Etc/UTC". Returns the count. */
size_t dl_split_zones(const char **zones, size_t cap, char *buf, size_t bufcap,
		      const char *joined);

/*
 * Build the requests of one row's step from the journal's fields. The
 * struct dl_req owns what the request points to; dl_req_dispose frees it.
 */
struct dl_req {
	jstep step;
	phn_dispatch_call call;
	phn_dispatch_contact contact;
	phn_dispatch_invoice invoice;
	void *json;   /* the parsed fields (cJSON) */
	phn_dispatch_kv *tags;
	phn_dispatch_kv *meta;
	char *name;
	char region[4];
};

/* Which step a row is at. */
jstep dl_next_step(const phn_dialer *dl, const char *fields_json, const char *contact_uuid,
		   const char *invoice_uuid);
int dl_req_build(struct dl_req *r, const phn_dialer *dl, jstep step, const char *e164,
		 const char *region, const char *fields_json, const char *contact_uuid,
		 const char *dispatch_id);
void dl_req_dispose(struct dl_req *r);

/*
 * Window checks, cached per (region, zones): a campaign has few distinct
 * ones, and a result holds until the window next changes.
 */
#define DL_WCACHE_SIZE 128
struct dl_wentry {
	char key[256];
	int open;
	int64_t change_ms;   /* when it closes (open) or opens (closed); 0: not within 14 days */
	int64_t valid_until;
	int64_t announced;   /* the change_ms a WAIT event was sent for */
	uint64_t deferred;   /* rows deferred to it so far */
};
struct dl_wcache {
	struct dl_wentry e[DL_WCACHE_SIZE];
	size_t n, next;
};

/* *entry: the cached result for the row (valid until the next call). */
int dl_window_check(struct dl_wentry **entry, struct dl_wcache *c, const phn_dialer *dl,
		    const char *region, const char *zones, int64_t now_ms);

/* A fresh UUIDv4 (getrandom) into out[37]. */
int dl_uuid4(char out[37]);

#endif /* PHN_CAMPAIGN_DIALER_INTERNAL_H */
