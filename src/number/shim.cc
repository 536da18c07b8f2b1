// The only C++ in phonenorm: a thin shim over libphonenumber.
//
// Every extern "C" function here catches everything: std::bad_alloc becomes
// PHN_ENOMEM, anything else PHN_EINTERNAL. No exception reaches C.
//
// Thread safety: PhoneNumberUtil, ShortNumberInfo and the geocoder are
// created once (C++11 guarantees thread-safe initialisation of function-local
// statics) and only their const methods are used afterwards, which
// libphonenumber documents as safe to call from many threads.

#include "number/shim.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <set>
#include <vector>
#include <string>
#include <exception>

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/shortnumberinfo.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "text/error.h"
#include "text/text.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberOfflineGeocoder;
using i18n::phonenumbers::PhoneNumberUtil;
using i18n::phonenumbers::ShortNumberInfo;

namespace {

const PhoneNumberUtil &util()
{
	static const PhoneNumberUtil *const instance = PhoneNumberUtil::GetInstance();
	return *instance;
}

const ShortNumberInfo &short_info()
{
	static const ShortNumberInfo instance;
	return instance;
}

const PhoneNumberOfflineGeocoder &geocoder()
{
	static const PhoneNumberOfflineGeocoder instance;
	return instance;
}

// Country calling code of each two-letter region, indexed by letters; 0 for
// regions libphonenumber does not know. Built once: parsing looks the
// region up on every call and a set of strings would cost more than the
// parse of a short number is worth.
struct RegionTable {
	int code[26 * 26];

	RegionTable() : code()
	{
		std::set<std::string> regions;
		util().GetSupportedRegions(&regions);
		for (const std::string &r : regions) {
			if (r.size() == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z')
				code[(r[0] - 'A') * 26 + (r[1] - 'A')] = util().GetCountryCodeForRegion(r);
		}
	}
};

const RegionTable &regions()
{
	static const RegionTable table;
	return table;
}

phn_status status_from_parse_error(PhoneNumberUtil::ErrorType err)
{
	switch (err) {
	case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
		return PHN_STATUS_INVALID_COUNTRY_CODE;
	case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
	case PhoneNumberUtil::TOO_SHORT_NSN:
		return PHN_STATUS_TOO_SHORT;
	case PhoneNumberUtil::TOO_LONG_NSN:
		return PHN_STATUS_TOO_LONG;
	case PhoneNumberUtil::NOT_A_NUMBER:
	default:
		return PHN_STATUS_NOT_A_NUMBER;
	}
}

phn_status status_from_possibility(PhoneNumberUtil::ValidationResult r)
{
	switch (r) {
	case PhoneNumberUtil::IS_POSSIBLE:
		return PHN_STATUS_POSSIBLE;
	case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
		return PHN_STATUS_LOCAL_ONLY;
	case PhoneNumberUtil::INVALID_COUNTRY_CODE:
		return PHN_STATUS_INVALID_COUNTRY_CODE;
	case PhoneNumberUtil::TOO_SHORT:
		return PHN_STATUS_TOO_SHORT;
	case PhoneNumberUtil::TOO_LONG:
		return PHN_STATUS_TOO_LONG;
	case PhoneNumberUtil::INVALID_LENGTH:
	default:
		return PHN_STATUS_INVALID_LENGTH;
	}
}

phn_type type_from_lib(PhoneNumberUtil::PhoneNumberType t)
{
	switch (t) {
	case PhoneNumberUtil::FIXED_LINE: return PHN_TYPE_FIXED_LINE;
	case PhoneNumberUtil::MOBILE: return PHN_TYPE_MOBILE;
	case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return PHN_TYPE_FIXED_LINE_OR_MOBILE;
	case PhoneNumberUtil::TOLL_FREE: return PHN_TYPE_TOLL_FREE;
	case PhoneNumberUtil::PREMIUM_RATE: return PHN_TYPE_PREMIUM_RATE;
	case PhoneNumberUtil::SHARED_COST: return PHN_TYPE_SHARED_COST;
	case PhoneNumberUtil::VOIP: return PHN_TYPE_VOIP;
	case PhoneNumberUtil::PERSONAL_NUMBER: return PHN_TYPE_PERSONAL_NUMBER;
	case PhoneNumberUtil::PAGER: return PHN_TYPE_PAGER;
	case PhoneNumberUtil::UAN: return PHN_TYPE_UAN;
	case PhoneNumberUtil::VOICEMAIL: return PHN_TYPE_VOICEMAIL;
	case PhoneNumberUtil::UNKNOWN:
	default:
		return PHN_TYPE_UNKNOWN;
	}
}

// libphonenumber reports INVALID_COUNTRY_CODE both for "+999 1234" and, when
// no region is given, for every local number. Its own rule for where a
// number starts is the first character in [+＋\p{Nd}]: if that is a digit,
// the number was local and the honest answer is "needs a region".
bool starts_with_plus(const char *text, size_t len)
{
	int32_t i = 0;
	const int32_t n = static_cast<int32_t>(len);

	while (i < n) {
		UChar32 c;
		U8_NEXT(reinterpret_cast<const uint8_t *>(text), i, n, c);
		if (c == '+' || c == 0xFF0B)
			return true;
		if (c >= 0 && u_isdigit(c))
			return false;
	}
	return false;
}

void copy_field(char *dst, size_t cap, const std::string &src)
{
	size_t n = src.size() < cap - 1 ? src.size() : cap - 1;
	std::memcpy(dst, src.data(), n);
	dst[n] = '\0';
}

// Rebuild libphonenumber's value from ours: formatting needs nothing else.
void to_lib(PhoneNumber *pn, const phn_number *num)
{
	pn->set_country_code(num->country_code);
	pn->set_national_number(num->national_number);
	if (num->leading_zeros > 0) {
		pn->set_italian_leading_zero(true);
		pn->set_number_of_leading_zeros(num->leading_zeros);
	}
	if (num->extension[0])
		pn->set_extension(num->extension);
}

// The E.164 digits read as one integer; injective because the first digit
// (of the country code) is never 0. 0 when they do not fit in 64 bits.
uint64_t key_of(const std::string &e164)
{
	if (e164.size() < 2 || e164.size() > 20)
		return 0;
	uint64_t key = 0;
	for (size_t i = 1; i < e164.size(); i++)
		key = key * 10 + static_cast<uint64_t>(e164[i] - '0');
	return key;
}

// The one place a libphonenumber PhoneNumber becomes a phn_number (out was
// reset by the caller): parse, find and the example numbers all report the
// same fields the same way.
void fill_number(phn_number *out, const PhoneNumber &pn)
{
	const PhoneNumberUtil &pnu = util();

	// IsValidNumber() is exactly GetNumberType() != UNKNOWN (both look
	// up the number's region and run the same type matcher), so one
	// call gives both answers.
	PhoneNumberUtil::PhoneNumberType t = pnu.GetNumberType(pn);
	if (t != PhoneNumberUtil::UNKNOWN) {
		out->status = PHN_STATUS_VALID;
		out->type = type_from_lib(t);
	} else {
		out->status = status_from_possibility(pnu.IsPossibleNumberWithReason(pn));
	}

	std::string s;
	pnu.Format(pn, PhoneNumberUtil::E164, &s);
	copy_field(out->e164, sizeof out->e164, s);
	out->key = key_of(s);
	out->country_code = pn.country_code();
	out->national_number = pn.national_number();
	out->leading_zeros = pn.italian_leading_zero() ? pn.number_of_leading_zeros() : 0;
	if (pn.has_extension()) {
		// libphonenumber keeps extension digits in the script they were
		// typed in (up to 20 of them, 60 bytes in full-width): report
		// them as ASCII, which always fits and always round-trips.
		s = pn.extension();
		pnu.NormalizeDigitsOnly(&s);
		copy_field(out->extension, sizeof out->extension, s);
	}

	pnu.GetRegionCodeForNumber(pn, &s);
	if (s != "ZZ")
		copy_field(out->region, sizeof out->region, s);
}

int copy_out(char *dst, size_t cap, size_t *needed, const std::string &s)
{
	return phn_text_copy_out(dst, cap, needed, s.data(), s.size());
}

} // namespace

extern "C" int phn_shim_region_code(const char *upper)
{
	try {
		if (!upper || !(upper[0] >= 'A' && upper[0] <= 'Z') ||
		    !(upper[1] >= 'A' && upper[1] <= 'Z') || upper[2] != '\0')
			return 0;
		return regions().code[(upper[0] - 'A') * 26 + (upper[1] - 'A')];
	} catch (...) {
		return 0;
	}
}

extern "C" int phn_shim_parse(phn_number *out, const char *text, size_t len, const char *region)
{
	try {
		const PhoneNumberUtil &pnu = util();
		PhoneNumber pn;
		const std::string input(text, len);
		PhoneNumberUtil::ErrorType err = pnu.Parse(input, region ? region : "ZZ", &pn);

		if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
			out->status = status_from_parse_error(err);
			if (err == PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR && !region &&
			    !starts_with_plus(text, len))
				out->status = PHN_STATUS_NEEDS_REGION;
			return PHN_OK;
		}

		fill_number(out, pn);
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_format(char *dst, size_t cap, size_t *needed, const phn_number *num,
			       phn_format format, const char *from_region)
{
	try {
		PhoneNumber pn;
		std::string s;

		to_lib(&pn, num);
		if (from_region) {
			util().FormatOutOfCountryCallingNumber(pn, from_region, &s);
		} else {
			PhoneNumberUtil::PhoneNumberFormat f;
			switch (format) {
			case PHN_FORMAT_E164: f = PhoneNumberUtil::E164; break;
			case PHN_FORMAT_INTERNATIONAL: f = PhoneNumberUtil::INTERNATIONAL; break;
			case PHN_FORMAT_NATIONAL: f = PhoneNumberUtil::NATIONAL; break;
			case PHN_FORMAT_RFC3966: f = PhoneNumberUtil::RFC3966; break;
			default: return phn_error_set(PHN_EINVAL, "unknown format %d", (int)format);
			}
			util().Format(pn, f, &s);
		}
		return copy_out(dst, cap, needed, s);
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_info(phn_info *out, const phn_number *num, const char *region)
{
	try {
		const PhoneNumberUtil &pnu = util();
		const ShortNumberInfo &sni = short_info();
		PhoneNumber pn;
		std::string dialled, where;

		to_lib(&pn, num);
		pn.clear_extension();
		if (region)
			where = region;
		else
			pnu.GetRegionCodeForNumber(pn, &where);

		// A short number is only a short number in its own country.
		if (where != "ZZ" && pnu.GetCountryCodeForRegion(where) == pn.country_code()) {
			// Emergency checks take the digits as dialled in the region:
			// the national form with its trunk prefix. The bare national
			// number would be wrong: Riyadh's 011 234 5678 is 112345678,
			// which "connects to" 112 under the appended-digits rule.
			pnu.Format(pn, PhoneNumberUtil::NATIONAL, &dialled);
			pnu.NormalizeDigitsOnly(&dialled);
			out->is_short_number = sni.IsValidShortNumberForRegion(pn, where);
			out->is_emergency = sni.IsEmergencyNumber(dialled, where);
			out->connects_to_emergency = sni.ConnectsToEmergencyNumber(dialled, where);
			if (out->is_short_number) {
				switch (sni.GetExpectedCostForRegion(pn, where)) {
				case ShortNumberInfo::TOLL_FREE: out->short_cost = PHN_SHORT_COST_TOLL_FREE; break;
				case ShortNumberInfo::STANDARD_RATE: out->short_cost = PHN_SHORT_COST_STANDARD_RATE; break;
				case ShortNumberInfo::PREMIUM_RATE: out->short_cost = PHN_SHORT_COST_PREMIUM_RATE; break;
				default: out->short_cost = PHN_SHORT_COST_UNKNOWN; break;
				}
			}
		}
		out->is_geographic = pnu.IsNumberGeographical(pn);

		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_location(char *dst, size_t cap, size_t *needed, const phn_number *num,
				 const char *language)
{
	try {
		PhoneNumber pn;

		to_lib(&pn, num);
		pn.clear_extension();
		std::string desc = geocoder().GetDescriptionForNumber(pn, icu::Locale(language));
		return copy_out(dst, cap, needed, desc);
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

// ---- regions, example numbers, numbers in free text ----------------------

namespace {

using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;

// The region codes, sorted (std::set's order is byte order: "AC" ... "ZW"),
// and a NULL-terminated array of pointers into them for C. Built once on
// first use; never changes afterwards, so any thread may read it.
struct RegionList {
	std::vector<std::string> names;
	std::vector<const char *> ptrs;

	RegionList()
	{
		std::set<std::string> regions;
		util().GetSupportedRegions(&regions);
		names.assign(regions.begin(), regions.end());
		ptrs.reserve(names.size() + 1);
		for (const std::string &r : names)
			ptrs.push_back(r.c_str());
		ptrs.push_back(nullptr);
	}
};

struct NonGeoList {
	std::vector<int> codes;

	NonGeoList()
	{
		std::set<int> set;
		util().GetSupportedGlobalNetworkCallingCodes(&set);
		codes.assign(set.begin(), set.end());
	}
};

bool type_to_lib(phn_type t, PhoneNumberUtil::PhoneNumberType *out)
{
	switch (t) {
	case PHN_TYPE_FIXED_LINE: *out = PhoneNumberUtil::FIXED_LINE; return true;
	case PHN_TYPE_MOBILE: *out = PhoneNumberUtil::MOBILE; return true;
	case PHN_TYPE_FIXED_LINE_OR_MOBILE: *out = PhoneNumberUtil::FIXED_LINE_OR_MOBILE; return true;
	case PHN_TYPE_TOLL_FREE: *out = PhoneNumberUtil::TOLL_FREE; return true;
	case PHN_TYPE_PREMIUM_RATE: *out = PhoneNumberUtil::PREMIUM_RATE; return true;
	case PHN_TYPE_SHARED_COST: *out = PhoneNumberUtil::SHARED_COST; return true;
	case PHN_TYPE_VOIP: *out = PhoneNumberUtil::VOIP; return true;
	case PHN_TYPE_PERSONAL_NUMBER: *out = PhoneNumberUtil::PERSONAL_NUMBER; return true;
	case PHN_TYPE_PAGER: *out = PhoneNumberUtil::PAGER; return true;
	case PHN_TYPE_UAN: *out = PhoneNumberUtil::UAN; return true;
	case PHN_TYPE_VOICEMAIL: *out = PhoneNumberUtil::VOICEMAIL; return true;
	case PHN_TYPE_UNKNOWN:
	default:
		return false;
	}
}

PhoneNumberMatcher::Leniency leniency_to_lib(phn_leniency l)
{
	switch (l) {
	case PHN_LENIENCY_POSSIBLE: return PhoneNumberMatcher::POSSIBLE;
	case PHN_LENIENCY_STRICT_GROUPING: return PhoneNumberMatcher::STRICT_GROUPING;
	case PHN_LENIENCY_EXACT_GROUPING: return PhoneNumberMatcher::EXACT_GROUPING;
	case PHN_LENIENCY_VALID:
	default:
		return PhoneNumberMatcher::VALID;
	}
}

} // namespace

extern "C" int phn_shim_region_list(const char *const **regions, size_t *count)
{
	try {
		static const RegionList list;
		*regions = list.ptrs.data();
		*count = list.names.size();
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_non_geo_codes(const int **codes, size_t *count)
{
	try {
		static const NonGeoList list;
		*codes = list.codes.data();
		*count = list.codes.size();
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_example(phn_number *out, const char *region, phn_type type)
{
	try {
		PhoneNumber pn;
		PhoneNumberUtil::PhoneNumberType t;
		bool found;

		if (type == PHN_TYPE_UNKNOWN)
			found = util().GetExampleNumber(region, &pn);
		else if (type_to_lib(type, &t))
			found = util().GetExampleNumberForType(region, t, &pn);
		else
			return phn_error_set(PHN_EINVAL, "unknown number type %d", (int)type);
		if (!found && type == PHN_TYPE_UNKNOWN)
			return phn_error_set(PHN_ENOTFOUND, "the metadata has no example number for %s",
					     region);
		if (!found)
			return phn_error_set(PHN_ENOTFOUND, "the metadata has no %s example number for %s",
					     phn_type_name(type), region);
		fill_number(out, pn);
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_example_non_geo(phn_number *out, int country_code)
{
	try {
		PhoneNumber pn;

		if (!util().GetExampleNumberForNonGeoEntity(country_code, &pn))
			return phn_error_set(PHN_ENOTFOUND,
					     "%d is not a non-geographic calling code with an example "
					     "(see phn_non_geo_country_codes())", country_code);
		fill_number(out, pn);
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_find(const char *text, size_t len, const char *region,
			     phn_leniency leniency, phn_match_fn fn, void *ctx)
{
	try {
		// The C++ matcher works on the UTF-8 std::string itself: start() is
		// a byte offset into it and raw_string() its bytes (tests/number
		// and the comparison with python3-phonenumbers check both on text
		// with multi-byte characters before the numbers).
		const std::string input(text, len);
		PhoneNumberMatcher matcher(util(), input, region ? region : "ZZ",
					   leniency_to_lib(leniency), 65535);
		PhoneNumberMatch m;

		while (matcher.HasNext()) {
			if (!matcher.Next(&m))
				break;
			phn_match out;
			const phn_number blank = PHN_NUMBER_INIT;
			out.version = PHN_MATCH_VERSION;
			if (m.start() < 0 || static_cast<size_t>(m.start()) > len ||
			    m.raw_string().size() > len - static_cast<size_t>(m.start()) ||
			    input.compare(m.start(), m.raw_string().size(), m.raw_string()) != 0)
				return phn_error_set(PHN_EINTERNAL,
						     "libphonenumber reported a match outside the text");
			out.start = static_cast<size_t>(m.start());
			out.length = m.raw_string().size();
			out.number = blank;
			fill_number(&out.number, m.number());
			int rc = fn(&out, ctx);
			if (rc > 0)
				break;
			if (rc < 0)
				return phn_error_set(rc, "the match callback stopped the search: %s",
						     phn_strerror(rc));
		}
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}
