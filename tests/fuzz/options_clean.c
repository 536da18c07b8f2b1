/*
 * The option parser of `phonenorm clean`, compiled from the CLI's own
 * source for tests/fuzz/fuzz_options.c: parse_args() only, nothing is run.
 */
#include "../../src/cli/cmd_clean.c"

#include "fuzz_options.h"

int fuzz_clean_parse(char *desc, size_t cap, int argc, char **argv, int *done)
{
	struct clean_args a;
	int rc = parse_args(&a, argc, argv, done);

	if (rc == PHN_EXIT_OK && !*done) {
		/* What parsing promises about a good command line. */
		if (a.in.threads < 1 || a.in.threads > 4096 || a.in.delimiter == '"' || a.in.delimiter == '\n' ||
		    a.in.delimiter == '\r' || (a.in.region && a.in.region[0] && !phn_region_is_known(a.in.region)) ||
		    (a.in.text && a.in.region_column) || (a.in.header != PHN_CLEAN_HEADER_AUTO &&
						    a.in.header != PHN_CLEAN_HEADER_YES &&
						    a.in.header != PHN_CLEAN_HEADER_NO))
			abort();
	}
#define S(x) ((x) ? (x) : "(null)")
	snprintf(desc, cap, "rc=%d done=%d r=%s c=%s rc=%s h=%d d=%d t=%d k=%d ty=%u s=%s o=%s "
		 "rj=%s du=%s rp=%s j=%u q=%d np=%d in=%s", rc, *done, S(a.in.region), S(a.in.column),
		 S(a.in.region_column), (int)a.in.header, a.in.delimiter, a.in.text, a.in.keep_possible, a.in.types,
		 S(a.in.suppress), S(a.output), S(a.rejects), S(a.duplicates), S(a.report), a.in.threads,
		 a.quiet, a.no_progress, S(a.input));
	return rc;
}
