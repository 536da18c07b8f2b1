/*
 * The option parser of `phonenorm dial`, compiled from the CLI's own source
 * for tests/fuzz/fuzz_options.c: parse_args() only, nothing is opened or sent.
 */
#include "../../src/cli/cmd_dial.c"

#include "fuzz_options.h"

int fuzz_dial_parse(char *desc, size_t cap, char *tf, size_t tfcap, int argc, char **argv,
		    int *done)
{
	struct dial_args a;
	int64_t now_ms = 0;
	int rc;

	/* $PHONENORM_TEST_NOW's parser, on each argument: accepted means a
	 * time after the epoch. */
	for (int i = 1; i < argc; i++)
		if (parse_test_now(argv[i], &now_ms) == 0 && now_ms <= 0)
			abort();
	rc = parse_args(&a, argc, argv, done);

	if (rc == PHN_EXIT_OK && !*done) {
		/* What parsing promises about a good command line. */
		if (!a.list || !a.journal || strcmp(a.list, "-") == 0 || a.concurrency < 1 ||
		    a.concurrency > 1024 || !(a.rate >= 0 && a.rate <= 100000) ||
		    a.max_retries > 100 || a.max_attempts > 1000 || a.retry_cap_ms < 1 ||
		    a.retry_cap_ms > 86400000 || a.ntags > DIAL_MAX_PAIRS || a.nmeta > DIAL_MAX_PAIRS ||
		    (a.in.region && a.in.region[0] && !phn_region_is_known(a.in.region)) ||
		    (a.in.text && a.in.region_column) ||
		    ((a.inv_number || a.inv_due || a.inv_total) && !a.inv_date) ||
		    (a.has_window && (a.win.start_minute < 0 || a.win.end_minute > 1440 ||
				      a.win.start_minute > a.win.end_minute ||
				      a.win.days > PHN_CALL_DAYS_ALL)))
			abort();
		/* --redial-after: a duration of at most 365 days, only with --redial. */
		if (a.redial_after_ms < -1 || a.redial_after_ms > (int64_t)365 * 86400000 ||
		    (a.redial_after && !a.redial_undelivered) ||
		    (!a.redial_after && a.redial_after_ms != -1))
			abort();
		for (size_t i = 0; i < a.ntags; i++)
			if (!a.tags[i].key[0] || !a.tags[i].value[0] ||
			    strncmp(a.tags[i].key, "phonenorm_", 10) == 0)
				abort();
		for (size_t i = 0; i < a.nmeta; i++)
			if (!a.meta[i].key[0] || !a.meta[i].value[0] ||
			    strncmp(a.meta[i].key, "phonenorm_", 10) == 0)
				abort();
	}
#define S(x) ((x) ? (x) : "(null)")
	snprintf(desc, cap, "rc=%d done=%d l=%s j=%s r=%s c=%s fn=%s ln=%s em=%s cu=%s tz=%s "
		 "tags=%zu meta=%zu tp=%s ue=%d nc=%d in=%s/%s/%s/%s live=%d rate=%g cc=%u mr=%u "
		 "ma=%u cap=%lld w=%d:%d-%d/%u nw=%d ru=%d js=%d q=%d u=%s tf=%s to=%lld rd=%d/%lld",
		 rc, *done, S(a.list), S(a.journal), S(a.in.region), S(a.in.column),
		 S(a.first_name_col), S(a.last_name_col), S(a.email_col), S(a.cuuid_col),
		 S(a.tz_col), a.ntags, a.nmeta, S(a.template_id), a.update_existing, a.no_create,
		 S(a.inv_number), S(a.inv_date), S(a.inv_due), S(a.inv_total), a.live, a.rate,
		 a.concurrency, a.max_retries, a.max_attempts, (long long)a.retry_cap_ms,
		 a.has_window, a.win.start_minute, a.win.end_minute, a.win.days, a.no_wait,
		 a.retry_unknown, a.json, a.quiet, S(a.api_url), S(a.token_file),
		 (long long)a.timeout_ms, a.redial_undelivered, (long long)a.redial_after_ms);
	snprintf(tf, tfcap, "%s", a.token_file ? a.token_file : "");
	args_dispose(&a);
	return rc;
}
