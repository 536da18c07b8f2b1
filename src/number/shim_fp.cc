// The fast path's metadata: the PhoneMetadataCollection libphonenumber
// answers with, read from the very bytes it read (the self-check's verdict,
// shim.cc) and handed to C as plain data. The only part of the fast path
// that touches protobuf.
//
// Built once, on first use, and kept for the life of the process (C++11
// guarantees the thread-safe initialisation of the function-local static).

#include "number/fastpath.h"
#include "number/shim.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <list>
#include <new>
#include <string>
#include <vector>

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "phonenorm/common.h"
#include "text/error.h"

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

uint64_t fnv1a64(const void *data, size_t size)
{
	const unsigned char *p = static_cast<const unsigned char *>(data);
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint32_t length_bits(const google::protobuf::RepeatedField<int32_t> &lengths)
{
	uint32_t bits = 0;

	for (int32_t n : lengths) {
		if (n >= 1 && n <= 31)
			bits |= UINT32_C(1) << n;
	}
	return bits;
}

struct Store {
	int rc = PHN_OK;
	std::string error;
	std::deque<std::string> strings; // stable addresses for the const char *s
	std::vector<phn_fp_territory> territories;
	std::vector<uint16_t> by_code;
	std::vector<uint32_t> by_code_start;
	std::vector<int16_t> by_region;
	phn_fp_collection collection = {};

	const char *keep(const std::string &s)
	{
		if (s.empty())
			return "";
		strings.push_back(s);
		return strings.back().c_str();
	}

	void desc(phn_fp_desc *out, bool present, const PhoneNumberDesc &d)
	{
		out->present = present;
		out->pattern = keep(d.national_number_pattern());
		out->lengths = length_bits(d.possible_length());
		out->lengths_count = d.possible_length_size();
		out->no_such_type = d.possible_length_size() > 0 && d.possible_length(0) == -1;
		out->local_lengths = length_bits(d.possible_length_local_only());
	}

	int fail(int code, const std::string &why)
	{
		rc = code;
		error = why;
		return code;
	}

	int build();
};

int Store::build()
{
	const void *bytes, *sys;
	size_t size, sys_size;
	phn_metadata_source source;

	int err = phn_shim_metadata_bytes(&bytes, &size, &source, &sys, &sys_size);
	collection.system_fingerprint = sys ? fnv1a64(sys, sys_size) : 0;
	collection.system_size = sys ? sys_size : 0;
	if (err < 0)
		return fail(err, phn_error_last());

	PhoneMetadataCollection parsed;
	if (size > INT32_MAX || !parsed.ParseFromArray(bytes, static_cast<int>(size)))
		return fail(PHN_ESTATE, "the number metadata that answers does not parse as a "
					"PhoneMetadataCollection");
	if (parsed.metadata_size() > 0xffff)
		return fail(PHN_ESTATE, "the number metadata has too many entries");

	territories.resize(static_cast<size_t>(parsed.metadata_size()));
	by_region.assign(26 * 26, -1);
	for (int i = 0; i < parsed.metadata_size(); i++) {
		const PhoneMetadata &m = parsed.metadata(i);
		phn_fp_territory &t = territories[static_cast<size_t>(i)];
		const std::string &id = m.id();

		if (id.empty() || id.size() > 3)
			return fail(PHN_ESTATE, "a metadata entry has the id '" + id.substr(0, 8) + "'");
		std::memset(&t, 0, sizeof t);
		std::memcpy(t.id, id.data(), id.size());
		t.country_code = m.country_code();
		t.main_country_for_code = m.main_country_for_code();
		t.same_mobile_and_fixed_line_pattern = m.same_mobile_and_fixed_line_pattern();
		t.international_prefix = keep(m.international_prefix());
		t.national_prefix = keep(m.national_prefix());
		t.national_prefix_for_parsing = keep(m.national_prefix_for_parsing());
		t.national_prefix_transform_rule = keep(m.national_prefix_transform_rule());
		t.leading_digits = keep(m.leading_digits());
		desc(&t.desc[PHN_FP_GENERAL], m.has_general_desc(), m.general_desc());
		desc(&t.desc[PHN_FP_FIXED_LINE], m.has_fixed_line(), m.fixed_line());
		desc(&t.desc[PHN_FP_MOBILE], m.has_mobile(), m.mobile());
		desc(&t.desc[PHN_FP_TOLL_FREE], m.has_toll_free(), m.toll_free());
		desc(&t.desc[PHN_FP_PREMIUM_RATE], m.has_premium_rate(), m.premium_rate());
		desc(&t.desc[PHN_FP_SHARED_COST], m.has_shared_cost(), m.shared_cost());
		desc(&t.desc[PHN_FP_PERSONAL_NUMBER], m.has_personal_number(), m.personal_number());
		desc(&t.desc[PHN_FP_VOIP], m.has_voip(), m.voip());
		desc(&t.desc[PHN_FP_PAGER], m.has_pager(), m.pager());
		desc(&t.desc[PHN_FP_UAN], m.has_uan(), m.uan());
		desc(&t.desc[PHN_FP_VOICEMAIL], m.has_voicemail(), m.voicemail());

		// libphonenumber keeps the first entry of a region (map::insert).
		if (id.size() == 2 && id[0] >= 'A' && id[0] <= 'Z' && id[1] >= 'A' && id[1] <= 'Z') {
			int16_t &slot = by_region[static_cast<size_t>((id[0] - 'A') * 26 + (id[1] - 'A'))];
			if (slot < 0)
				slot = static_cast<int16_t>(i);
		}
	}

	// The regions of each calling code in libphonenumber's own order: ask it
	// (it built the map from these same bytes), and check that every region
	// it names is an entry of the collection with that code.
	const PhoneNumberUtil &pnu = *PhoneNumberUtil::GetInstance();
	by_code_start.assign(1001, 0);
	for (int cc = 0; cc < 1000; cc++) {
		std::list<std::string> regions;
		by_code_start[static_cast<size_t>(cc)] = static_cast<uint32_t>(by_code.size());
		pnu.GetRegionCodesForCountryCallingCode(cc, &regions);
		for (const std::string &r : regions) {
			long index = -1;
			if (r == "001") {
				for (size_t i = 0; i < territories.size(); i++) {
					if (std::strcmp(territories[i].id, "001") == 0 &&
					    territories[i].country_code == cc) {
						index = static_cast<long>(i);
						break;
					}
				}
			} else if (r.size() == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' &&
				   r[1] <= 'Z') {
				index = by_region[static_cast<size_t>((r[0] - 'A') * 26 + (r[1] - 'A'))];
			}
			if (index < 0 || territories[static_cast<size_t>(index)].country_code != cc) {
				// snprintf, not std::to_string: its inline digit table is a
				// GNU unique symbol, which the library would export (abi_exports).
				char buf[96];
				std::snprintf(buf, sizeof buf, "libphonenumber's region %.8s for +%d is "
					      "not in the metadata that answers", r.c_str(), cc);
				return fail(PHN_ESTATE, buf);
			}
			by_code.push_back(static_cast<uint16_t>(index));
		}
	}
	by_code_start[1000] = static_cast<uint32_t>(by_code.size());

	collection.count = territories.size();
	collection.territories = territories.data();
	collection.by_code = by_code.data();
	collection.by_code_start = by_code_start.data();
	collection.by_region = by_region.data();
	collection.source = source;
	collection.upstream_version = phn_shim_metadata_version();
	collection.fingerprint = fnv1a64(bytes, size);
	return PHN_OK;
}

const Store &store()
{
	static const Store *const s = [] {
		static Store st;
		try {
			st.build();
		} catch (const std::bad_alloc &) {
			st.fail(PHN_ENOMEM, "out of memory reading the number metadata");
		} catch (const std::exception &e) {
			st.fail(PHN_EINTERNAL, std::string("reading the number metadata: ") + e.what());
		} catch (...) {
			st.fail(PHN_EINTERNAL, "reading the number metadata: unknown exception");
		}
		return &st;
	}();
	return *s;
}

} // namespace

extern "C" int phn_shim_fp_collection(const phn_fp_collection **out)
{
	try {
		const Store &s = store();
		*out = nullptr;
		if (s.rc < 0)
			return phn_error_set(s.rc, "%s", s.error.c_str());
		*out = &s.collection;
		return PHN_OK;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "reading the number metadata: unknown exception");
	}
}
