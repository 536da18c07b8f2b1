/*
 * Static names of the list layer's enums, as the outputs and the report
 * write them.
 */
#include "list/cleaner.h"

static const char *const problem_names[] = {
	"ok", "unterminated_quote", "bad_quote", "field_count", "too_long",
};

static const char *const reason_names[PHN_LIST_REASONS] = {
	"none", "malformed_csv", "field_count", "empty", "bad_text", "bad_region",
	"not_a_number", "invalid_country_code", "too_short", "too_long", "invalid_length",
	"needs_region", "local_only", "not_valid", "type_not_allowed", "suppressed",
	"too_long_record",
};

static const char *const outcome_names[] = { "clean", "rejected", "duplicate", "header" };

const char *phn_csv_problem_name(phn_csv_problem problem)
{
	return (unsigned)problem < sizeof problem_names / sizeof problem_names[0]
		       ? problem_names[problem] : "unknown";
}

const char *phn_reject_reason_name(phn_reject_reason reason)
{
	return (unsigned)reason < PHN_LIST_REASONS ? reason_names[reason] : "unknown";
}

const char *phn_row_outcome_name(phn_row_outcome outcome)
{
	return (unsigned)outcome < sizeof outcome_names / sizeof outcome_names[0]
		       ? outcome_names[outcome] : "unknown";
}
