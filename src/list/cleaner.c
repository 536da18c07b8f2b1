/*
 * The cleaner handle: options, pushing one record, dedupe and the counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "list/cleaner.h"
#include "text/text.h"

int phn_clean_options_init(phn_clean_options *opts, unsigned int version)
{
	const phn_clean_options defaults = PHN_CLEAN_OPTIONS_INIT;
	int rc = phn_error_check_version(opts, version, PHN_CLEAN_OPTIONS_VERSION,
					 "phn_clean_options");

	if (rc != PHN_OK)
		return rc;
	*opts = defaults;
	opts->version = version;
	return PHN_OK;
}

int phn_clean_row_init(phn_clean_row *row, unsigned int version)
{
	const phn_clean_row empty = PHN_CLEAN_ROW_INIT;
	int rc = phn_error_check_version(row, version, PHN_CLEAN_ROW_VERSION, "phn_clean_row");

	if (rc != PHN_OK)
		return rc;
	*row = empty;
	row->version = version;
	return PHN_OK;
}

int phn_clean_summary_init(phn_clean_summary *sum, unsigned int version)
{
	const phn_clean_summary empty = PHN_CLEAN_SUMMARY_INIT;
	int rc = phn_error_check_version(sum, version, PHN_CLEAN_SUMMARY_VERSION,
					 "phn_clean_summary");

	if (rc != PHN_OK)
		return rc;
	if (version == 1)
		memcpy(sum, &empty, offsetof(phn_clean_summary, header_guessed));
	else
		*sum = empty;
	sum->version = version;
	return PHN_OK;
}

static int copy_options(phn_cleaner *c, const phn_clean_options *opts)
{
	int rc;

	if (opts->region && opts->region[0]) {
		if ((rc = phn_region_canonical(c->region, opts->region)) != PHN_OK)
			return rc == PHN_EREGION
				       ? phn_error_set(rc, "unknown region '%s' (expected an ISO "
						       "3166-1 alpha-2 code such as SA or US)",
						       opts->region)
				       : phn_error_code(rc);
		c->region_opt = c->region;
	}
	c->header = opts->header;
	c->phone_index = opts->phone_column_index;
	c->region_index = opts->region_column_index;
	c->keep_possible = opts->keep_possible;
	c->types = opts->types;
	c->suppress = opts->suppress;
	c->threads = opts->threads ? opts->threads : 1;
	if (!(c->region_text = phn_text_dup(opts->region ? opts->region : "")) ||
	    (opts->phone_column && !(c->phone_name = phn_text_dup(opts->phone_column))) ||
	    (opts->region_column && !(c->region_name = phn_text_dup(opts->region_column))))
		return phn_error_code(PHN_ENOMEM);
	return phn_dedupe_set_new(&c->seen, 0);
}

int phn_cleaner_new(phn_cleaner **out, const phn_clean_options *opts)
{
	phn_cleaner *c;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_cleaner_new: out is NULL");
	*out = NULL;
	if ((rc = phn_error_check_version(opts, opts ? opts->version : 0,
					  PHN_CLEAN_OPTIONS_VERSION, "phn_clean_options")) != PHN_OK)
		return rc;
	if ((unsigned)opts->header > PHN_CLEAN_HEADER_NO)
		return phn_error_set(PHN_EINVAL, "header option %d is not a phn_clean_header",
				     (int)opts->header);
	if (opts->phone_column_index < -1 || opts->region_column_index < -1)
		return phn_error_set(PHN_EINVAL, "column index %d: indexes are 0-based, -1 for none",
				     opts->phone_column_index < -1 ? opts->phone_column_index
								   : opts->region_column_index);
	if (!(c = calloc(1, sizeof *c)))
		return phn_error_code(PHN_ENOMEM);
	c->phone_col = -1;
	c->region_col = -1;
	phn_clean_summary_init(&c->sum, PHN_CLEAN_SUMMARY_VERSION);
	if ((rc = copy_options(c, opts)) != PHN_OK) {
		phn_cleaner_free(c);
		return rc;
	}
	*out = c;
	return PHN_OK;
}

void phn_cleaner_free(phn_cleaner *c)
{
	if (!c)
		return;
	phn_dedupe_set_free(c->seen);
	free(c->region_text);
	free(c->phone_name);
	free(c->region_name);
	free(c->phone_col_name);
	free(c->first_row);
	free(c->failmsg);
	free(c);
}

int phn_cleaner_fail_last(phn_cleaner *c, int rc)
{
	c->failed = rc;
	free(c->failmsg);
	c->failmsg = phn_text_dup(phn_error_last_code() == rc ? phn_error_last()
							       : phn_strerror(rc));
	return phn_cleaner_failed(c);
}

int phn_cleaner_fail(phn_cleaner *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	phn_error_setv(rc, fmt, ap);
	va_end(ap);
	return phn_cleaner_fail_last(c, rc);
}

int phn_cleaner_failed(const phn_cleaner *c)
{
	return phn_error_set(c->failed, "%s", c->failmsg ? c->failmsg : phn_strerror(c->failed));
}

static size_t region_slot(const char *region)
{
	if (region[0] >= 'A' && region[0] <= 'Z' && region[1] >= 'A' && region[1] <= 'Z' &&
	    region[2] == '\0')
		return (size_t)(region[0] - 'A') * 26 + (size_t)(region[1] - 'A');
	if (strcmp(region, "001") == 0)
		return PHN_REGION_NONGEO;
	return PHN_REGION_NONE;
}

int phn_cleaner_settle(phn_cleaner *c, phn_clean_row *row, unsigned char path)
{
	const phn_number *num = row->number;

	c->sum.rows++;
	if (path < PHN_LIST_PATHS)
		c->path_counts[path]++;
	if (row->outcome == PHN_ROW_CLEAN) {
		int is_new;
		uint64_t first;
		int rc = phn_dedupe_set_insert(&is_new, &first, c->seen, num->key, row->line);

		if (rc != PHN_OK)
			return phn_cleaner_fail_last(c, rc);
		if (!is_new) {
			row->outcome = PHN_ROW_DUPLICATE;
			row->duplicate_of = first;
			c->sum.duplicates++;
			return PHN_OK;
		}
		c->sum.clean++;
		c->clean_by_type[(unsigned)num->type < PHN_LIST_TYPES ? num->type : 0]++;
		if (num->status == PHN_STATUS_POSSIBLE)
			c->sum.clean_possible++;
		c->region_counts[region_slot(num->region)]++;
		return PHN_OK;
	}
	c->sum.rejected++;
	c->rejected_by[(unsigned)row->reason < PHN_LIST_REASONS ? row->reason : 0]++;
	return PHN_OK;
}

/* The library's row to the caller's, which may be of an older version. */
static void give_row(phn_clean_row *dst, const phn_clean_row *src)
{
	unsigned int version = dst->version;

	*dst = *src; /* version 1 is the only one: every field */
	dst->version = version;
}

/* The first record: header and columns, or (headerless) the first data row. */
static int push_first(phn_cleaner *c, const phn_csv_record *rec, int *done)
{
	int rc, header;

	*done = 0;
	if ((rc = phn_cleaner_keep_first_row(c, rec)) != PHN_OK)
		return rc;
	if (rec->problem != PHN_CSV_OK && rec->problem != PHN_CSV_FIELD_COUNT) {
		if (c->header != PHN_CLEAN_HEADER_NO)
			return phn_cleaner_fail(c, PHN_EFORMAT, "the first line (the header) is "
						"malformed CSV (%s)", phn_csv_problem_name(rec->problem));
		return PHN_OK; /* headerless: a bad first row is just a rejected row */
	}
	if ((rc = phn_cleaner_resolve(&header, c, rec)) != PHN_OK)
		return rc;
	if (header) {
		phn_cleaner_row_init(&c->row, &c->number, rec, PHN_ROW_HEADER);
		*done = 1;
	}
	return PHN_OK;
}

int phn_cleaner_push(phn_clean_row *row, phn_cleaner *c, const phn_csv_record *rec)
{
	int rc, done = 0;

	if (!row || !c || !rec || (rec->nfields > 0 && (!rec->fields || !rec->lens)))
		return phn_error_set(PHN_EINVAL, "phn_cleaner_push: %s is NULL",
				     !row ? "row" : !c ? "the cleaner" : !rec ? "rec" : "a field array");
	if ((rc = phn_error_check_version(row, row->version, PHN_CLEAN_ROW_VERSION,
					  "phn_clean_row")) != PHN_OK ||
	    (rc = phn_error_check_version(rec, rec->version, PHN_CSV_RECORD_VERSION,
					  "phn_csv_record")) != PHN_OK)
		return rc;
	if (c->failed)
		return phn_cleaner_failed(c);
	if (!c->resolved && (rc = push_first(c, rec, &done)) != PHN_OK)
		return rc;
	if (!done) {
		unsigned char path;

		if ((rc = phn_cleaner_classify(c, rec, &c->row, &c->number, &path)) != PHN_OK)
			return phn_cleaner_fail_last(c, rc);
		if ((rc = phn_cleaner_settle(c, &c->row, path)) != PHN_OK)
			return rc;
	}
	give_row(row, &c->row);
	return PHN_OK;
}

int phn_cleaner_summary(phn_clean_summary *out, const phn_cleaner *c)
{
	unsigned int version;
	int rc;

	if (!c)
		return phn_error_set(PHN_EINVAL, "phn_cleaner_summary: the cleaner is NULL");
	if ((rc = phn_error_check_version(out, out ? out->version : 0, PHN_CLEAN_SUMMARY_VERSION,
					  "phn_clean_summary")) != PHN_OK)
		return rc;
	version = out->version;
	if (version == 1)
		memcpy(out, &c->sum, offsetof(phn_clean_summary, header_guessed));
	else
		*out = c->sum;
	out->version = version;
	return PHN_OK;
}

int phn_cleaner_count(uint64_t *out, const phn_cleaner *c, phn_clean_count what,
		      unsigned int index)
{
	if (!out || !c)
		return phn_error_set(PHN_EINVAL, "phn_cleaner_count: %s is NULL",
				     out ? "the cleaner" : "out");
	switch (what) {
	case PHN_CLEAN_COUNT_REJECTED:
		if (index >= PHN_LIST_REASONS)
			return phn_error_set(PHN_ENOTFOUND, "no reject reason %u (the last is %u)",
					     index, PHN_LIST_REASONS - 1);
		*out = c->rejected_by[index];
		return PHN_OK;
	case PHN_CLEAN_COUNT_CLEAN_TYPE:
		if (index >= PHN_LIST_TYPES)
			return phn_error_set(PHN_ENOTFOUND, "no number type %u (the last is %u)",
					     index, PHN_LIST_TYPES - 1);
		*out = c->clean_by_type[index];
		return PHN_OK;
	case PHN_CLEAN_COUNT_PARSE_PATH:
		if (index >= PHN_LIST_PATHS)
			return phn_error_set(PHN_ENOTFOUND, "no parse path %u (the last is %u)",
					     index, PHN_LIST_PATHS - 1);
		*out = c->path_counts[index];
		return PHN_OK;
	default:
		return phn_error_set(PHN_EINVAL, "phn_cleaner_count: %d is not a phn_clean_count",
				     (int)what);
	}
}

int phn_cleaner_region_at(char region[4], uint64_t *count, const phn_cleaner *c, size_t i)
{
	/* "001" first, then AA..ZZ, then "" (numbers in no region). */
	for (size_t pass = 0, seen = 0; pass < PHN_REGION_SLOTS; pass++) {
		size_t slot = pass == 0 ? PHN_REGION_NONGEO
					: (pass <= 26 * 26 ? pass - 1 : PHN_REGION_NONE);
		if (c->region_counts[slot] == 0 || seen++ != i)
			continue;
		if (slot == PHN_REGION_NONGEO) {
			memcpy(region, "001", 4);
		} else if (slot == PHN_REGION_NONE) {
			region[0] = '\0';
		} else {
			region[0] = (char)('A' + slot / 26);
			region[1] = (char)('A' + slot % 26);
			region[2] = '\0';
		}
		*count = c->region_counts[slot];
		return 1;
	}
	return 0;
}

int phn_cleaner_region_count(char region[4], uint64_t *count, const phn_cleaner *c, size_t i)
{
	if (!region || !count || !c)
		return phn_error_set(PHN_EINVAL, "phn_cleaner_region_count: an argument is NULL");
	if (!phn_cleaner_region_at(region, count, c, i))
		return phn_error_set(PHN_ENOTFOUND, "no region %zu: clean rows are in fewer regions",
				     i);
	return PHN_OK;
}

const phn_dedupe_set *phn_cleaner_dedupe_set(const phn_cleaner *c)
{
	return c ? c->seen : NULL;
}
