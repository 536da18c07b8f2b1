// The baseline: what a competent C++ programmer writes against libphonenumber
// directly to parse, validate and format a list. One PhoneNumber and output
// strings are reused across iterations, as they would be in a tight loop.
#include "bench_number.h"

#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

extern "C" void bench_raw_loop(struct bench_tally *t, const struct bench_input *in, size_t n)
{
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	PhoneNumber pn;
	std::string e164, intl, region;

	for (size_t i = 0; i < n; i++) {
		pn.Clear();
		if (util.Parse(in[i].text, in[i].region, &pn) != PhoneNumberUtil::NO_PARSING_ERROR)
			continue;
		t->parsed++;
		bool valid = util.IsValidNumber(pn);
		PhoneNumberUtil::PhoneNumberType type = util.GetNumberType(pn);
		util.GetRegionCodeForNumber(pn, &region);
		util.Format(pn, PhoneNumberUtil::E164, &e164);
		t->format_bytes += e164.size();
		if (valid) {
			t->valid++;
			t->types += static_cast<size_t>(type) + 1; // phn_type numbering
			util.Format(pn, PhoneNumberUtil::INTERNATIONAL, &intl);
			t->format_bytes += intl.size();
		} else {
			// Why it is not valid: the C API reports this for every such number.
			t->possible += util.IsPossibleNumberWithReason(pn) == PhoneNumberUtil::IS_POSSIBLE;
		}
		t->region_bytes += region == "ZZ" ? 0 : region.size();
	}
}

namespace {

// Parse, type (and so validity), region, E.164, the possible-number reason
// of a number that is not valid and, when intl, the international form of
// a valid one: the tight loop and the parse-only loop below.
void tight_loop(struct bench_tally *t, const struct bench_input *in, size_t n, bool intl_too)
{
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	PhoneNumber pn;
	std::string e164, intl, region;

	for (size_t i = 0; i < n; i++) {
		pn.Clear();
		if (util.Parse(in[i].text, in[i].region, &pn) != PhoneNumberUtil::NO_PARSING_ERROR)
			continue;
		t->parsed++;
		PhoneNumberUtil::PhoneNumberType type = util.GetNumberType(pn);
		util.GetRegionCodeForNumber(pn, &region);
		util.Format(pn, PhoneNumberUtil::E164, &e164);
		t->format_bytes += e164.size();
		if (type != PhoneNumberUtil::UNKNOWN) {
			t->valid++;
			t->types += static_cast<size_t>(type) + 1;
			if (intl_too) {
				util.Format(pn, PhoneNumberUtil::INTERNATIONAL, &intl);
				t->format_bytes += intl.size();
			}
		} else {
			t->possible += util.IsPossibleNumberWithReason(pn) == PhoneNumberUtil::IS_POSSIBLE;
		}
		t->region_bytes += region == "ZZ" ? 0 : region.size();
	}
}

} // namespace

// The same work written as tightly as libphonenumber allows: IsValidNumber()
// is GetNumberType() != UNKNOWN, so one call answers both (this is what the
// phonenorm shim does). Comparing with this loop isolates the cost of the C
// API itself: string copies, struct filling, the region table.
extern "C" void bench_raw_loop_tight(struct bench_tally *t, const struct bench_input *in,
				     size_t n)
{
	tight_loop(t, in, n, true);
}

// What phn_number_parse() answers, and nothing more: Parse, type (and so
// validity), region, E.164, and the possible-number reason of a number that
// is not valid. The comparator of the fast path's single-parse figure.
extern "C" void bench_raw_parse_loop(struct bench_tally *t, const struct bench_input *in,
				     size_t n)
{
	tight_loop(t, in, n, false);
}
