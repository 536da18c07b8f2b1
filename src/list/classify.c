/*
 * The outcome of one row, from the row alone: many threads classify rows of
 * one cleaner at once, so nothing here writes to the cleaner.
 */
#include <string.h>

#include "list/cleaner.h"

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return 1;
}

static phn_reject_reason reason_of_status(phn_status s)
{
	switch (s) {
	case PHN_STATUS_LOCAL_ONLY: return PHN_REJECT_LOCAL_ONLY;
	case PHN_STATUS_INVALID_COUNTRY_CODE: return PHN_REJECT_INVALID_COUNTRY_CODE;
	case PHN_STATUS_TOO_SHORT: return PHN_REJECT_TOO_SHORT;
	case PHN_STATUS_TOO_LONG: return PHN_REJECT_TOO_LONG;
	case PHN_STATUS_INVALID_LENGTH: return PHN_REJECT_INVALID_LENGTH;
	case PHN_STATUS_NEEDS_REGION: return PHN_REJECT_NEEDS_REGION;
	case PHN_STATUS_POSSIBLE: return PHN_REJECT_NOT_VALID;
	case PHN_STATUS_NOT_A_NUMBER:
	default:
		return PHN_REJECT_NOT_A_NUMBER;
	}
}

/* The row's region: the region column's value if any, else the default.
 * 0 when the column holds something that is no region. */
static int row_region(const phn_cleaner *c, const phn_csv_record *rec, char buf[3],
		      const char **out)
{
	const char *s;
	size_t len;

	*out = c->region_opt;
	if (c->region_col < 0)
		return 1;
	s = rec->fields[c->region_col];
	len = rec->lens[c->region_col];
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 1;
	if (len != 2)
		return 0;
	/* Upper-cased as phn_region_canonical() does, then the cleaner's table. */
	buf[0] = (char)(s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0]);
	buf[1] = (char)(s[1] >= 'a' && s[1] <= 'z' ? s[1] - 'a' + 'A' : s[1]);
	buf[2] = '\0';
	if (buf[0] < 'A' || buf[0] > 'Z' || buf[1] < 'A' || buf[1] > 'Z' ||
	    !c->region_known[(buf[0] - 'A') * 26 + (buf[1] - 'A')])
		return 0;
	*out = buf;
	return 1;
}

void phn_cleaner_row_init(phn_clean_row *row, phn_number *num, const phn_csv_record *rec,
			  phn_row_outcome outcome)
{
	phn_number_init(num, PHN_NUMBER_VERSION);
	row->version = PHN_CLEAN_ROW_VERSION;
	row->outcome = outcome;
	row->reason = PHN_REJECT_NONE;
	row->line = rec->line;
	row->duplicate_of = 0;
	row->number = num;
	row->record = rec;
}

/* The reason a well-formed record's phone field is rejected for, or NONE. */
static phn_reject_reason check_number(const phn_cleaner *c, const phn_csv_record *rec,
				      phn_number *num, unsigned char *path, int *rc)
{
	char regbuf[3];
	const char *region, *text = rec->fields[c->phone_col];
	size_t len = rec->lens[c->phone_col];
	phn_parse_path how = PHN_PATH_ENGINE;
	int found;

	*rc = PHN_OK;
	if (blank(text, len))
		return PHN_REJECT_EMPTY;
	if (!row_region(c, rec, regbuf, &region))
		return PHN_REJECT_BAD_REGION;
	*rc = phn_number_parse_traced(num, text, len, region, &how);
	if (*rc == PHN_OK)
		*path = (unsigned char)how;
	if (*rc == PHN_EINVAL) {
		*rc = PHN_OK;
		return PHN_REJECT_BAD_TEXT;
	}
	if (*rc != PHN_OK)
		return PHN_REJECT_NONE;
	if (num->status == PHN_STATUS_VALID) {
		if (c->types && !(c->types & PHN_TYPE_BIT(num->type)))
			return PHN_REJECT_TYPE;
	} else if (!(num->status == PHN_STATUS_POSSIBLE && c->keep_possible)) {
		return reason_of_status(num->status);
	}
	if (num->key == 0)
		return PHN_REJECT_NOT_VALID;
	if (c->suppress) {
		phn_dedupe_set_contains(&found, NULL, c->suppress, num->key);
		if (found)
			return PHN_REJECT_SUPPRESSED;
	}
	return PHN_REJECT_NONE;
}

int phn_cleaner_classify(const phn_cleaner *c, const phn_csv_record *rec, phn_clean_row *row,
			 phn_number *num, unsigned char *path)
{
	int rc;

	*path = PHN_LIST_UNPARSED;
	phn_cleaner_row_init(row, num, rec, PHN_ROW_REJECTED);
	if (rec->problem == PHN_CSV_FIELD_COUNT)
		row->reason = PHN_REJECT_FIELD_COUNT;
	else if (rec->problem == PHN_CSV_TOO_LONG)
		row->reason = PHN_REJECT_TOO_LONG_RECORD;
	else if (rec->problem != PHN_CSV_OK)
		row->reason = PHN_REJECT_MALFORMED_CSV;
	else if ((size_t)c->phone_col >= rec->nfields ||
		 (c->region_col >= 0 && (size_t)c->region_col >= rec->nfields))
		row->reason = PHN_REJECT_FIELD_COUNT;
	else if ((row->reason = check_number(c, rec, num, path, &rc)) == PHN_REJECT_NONE) {
		if (rc != PHN_OK) {
			if (phn_error_last_code() != rc)
				phn_error_set(rc, "parsing line %llu: %s",
					      (unsigned long long)rec->line, phn_strerror(rc));
			return rc;
		}
		row->outcome = PHN_ROW_CLEAN; /* so far: settle() dedupes */
	}
	return PHN_OK;
}
