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

#include <dlfcn.h>
#include <strings.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
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

#include "number/metadata_data.h"
#include "text/error.h"
#include "text/text.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberOfflineGeocoder;
using i18n::phonenumbers::PhoneNumberUtil;
using i18n::phonenumbers::ShortNumberInfo;

namespace {

// ---- which metadata answers (issue 11) -----------------------------------
//
// libphonenumber 8.12.57 reads its metadata, when PhoneNumberUtil,
// ShortNumberInfo and the matcher's AlternateFormats are first built, from
// six functions it calls through the PLT. phonenorm defines them (default
// visibility, in this object, so a static link keeps them whenever the shim
// is linked at all) and serves either the bundled bytes (metadata_data.c,
// from data/metadata/) or libphonenumber's own compiled-in bytes. The choice
// is fixed at the first call of any of them. Whether libphonenumber really
// called these definitions, and whether the data that answers behaves like
// the bundled data, is checked once at first use (metadata_checked()).

void copy_field(char *dst, size_t cap, const std::string &src);

enum Kind { KIND_MAIN = 0, KIND_SHORT = 1, KIND_ALTERNATE = 2, KIND_COUNT = 3 };

const char *const get_symbol[KIND_COUNT] = {
	"_ZN4i18n12phonenumbers12metadata_getEv",
	"_ZN4i18n12phonenumbers18short_metadata_getEv",
	"_ZN4i18n12phonenumbers20alternate_format_getEv",
};
const char *const size_symbol[KIND_COUNT] = {
	"_ZN4i18n12phonenumbers13metadata_sizeEv",
	"_ZN4i18n12phonenumbers19short_metadata_sizeEv",
	"_ZN4i18n12phonenumbers21alternate_format_sizeEv",
};
const char *const get_name[KIND_COUNT] = {
	"metadata_get()", "short_metadata_get()", "alternate_format_get()",
};

const unsigned char *bundled_bytes(Kind k)
{
	return k == KIND_MAIN ? phn_md_main : k == KIND_SHORT ? phn_md_short : phn_md_alternate;
}

int bundled_size(Kind k)
{
	return k == KIND_MAIN ? phn_md_main_size
	     : k == KIND_SHORT ? phn_md_short_size : phn_md_alternate_size;
}

void append(std::string *reason, const char *fmt, ...) PHN_PRINTF(2, 3);
void append(std::string *reason, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	std::vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (!reason->empty())
		reason->append("; ");
	reason->append(buf);
}

// The choice: phn_metadata_select() before first use, else PHONENORM_METADATA,
// else bundled. Plain data under a mutex: the accessors may run on any thread
// (whichever first builds PhoneNumberUtil).
struct Choice {
	std::mutex mu;
	bool fixed = false;
	int api = -1;
	phn_metadata_source requested = PHN_METADATA_BUNDLED;
	std::string env_reason;
};

Choice &choice()
{
	static Choice c;
	return c;
}

phn_metadata_source fix_choice()
{
	Choice &c = choice();
	std::lock_guard<std::mutex> lock(c.mu);

	if (!c.fixed) {
		const char *env = std::getenv("PHONENORM_METADATA");
		if (c.api >= 0) {
			c.requested = static_cast<phn_metadata_source>(c.api);
		} else if (env && *env) {
			if (strcasecmp(env, "bundled") == 0) {
				c.requested = PHN_METADATA_BUNDLED;
			} else if (strcasecmp(env, "system") == 0) {
				c.requested = PHN_METADATA_SYSTEM;
			} else {
				char buf[160];
				std::snprintf(buf, sizeof buf,
					      "PHONENORM_METADATA='%.40s' is neither 'bundled' nor 'system': "
					      "bundled requested instead", env);
				c.env_reason = buf;
				c.requested = PHN_METADATA_BUNDLED;
			}
		}
		c.fixed = true;
	}
	return c.requested;
}

// libphonenumber's own accessors, found in the object that defines
// PhoneNumberUtil::GetInstance (dlsym on that object's handle searches it
// first, whatever comes earlier in the global lookup order).
struct SystemAccessors {
	const void *(*get[KIND_COUNT])();
	int (*size[KIND_COUNT])();
	bool ok;
	char where[200];
	char why[200];
};

SystemAccessors resolve_system()
{
	SystemAccessors s = {};
	Dl_info di, self;
	void *anchor = reinterpret_cast<void *>(&PhoneNumberUtil::GetInstance);
	void *h = nullptr;

	if (!dladdr(reinterpret_cast<const void *>(phn_md_version), &self))
		self.dli_fbase = nullptr;
	if (!dladdr(anchor, &di) || !di.dli_fname) {
		std::snprintf(s.why, sizeof s.why, "no loaded object holds PhoneNumberUtil::GetInstance");
		return s;
	}
	// A non-PIE program that links phonenorm statically sees GetInstance at
	// its own PLT entry: then the next definition after this object in the
	// lookup order is libphonenumber's. Never phonenorm's own accessors
	// (forwarding to them would recurse).
	if (di.dli_fbase != self.dli_fbase) {
		h = dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
		if (!h) {
			const char *e = dlerror();
			std::snprintf(s.why, sizeof s.why, "dlopen(%s): %s", di.dli_fname,
				      e ? e : "failed");
			return s;
		}
	}
	s.ok = true;
	for (int k = 0; k < KIND_COUNT; k++) {
		void *g = dlsym(h ? h : RTLD_NEXT, get_symbol[k]);
		void *z = dlsym(h ? h : RTLD_NEXT, size_symbol[k]);
		Dl_info dg, dz;
		if (!g || !z || !dladdr(g, &dg) || !dladdr(z, &dz) || dg.dli_fbase != dz.dli_fbase ||
		    dg.dli_fbase == self.dli_fbase || (h && dg.dli_fbase != di.dli_fbase)) {
			std::snprintf(s.why, sizeof s.why, "%s does not define its own %s",
				      h ? di.dli_fname : "libphonenumber", get_name[k]);
			s.ok = false;
			break;
		}
		std::snprintf(s.where, sizeof s.where, "%s", dg.dli_fname ? dg.dli_fname : "?");
		s.get[k] = reinterpret_cast<const void *(*)()>(g);
		s.size[k] = reinterpret_cast<int (*)()>(z);
	}
	if (h)
		dlclose(h);
	return s;
}

const SystemAccessors &system_accessors()
{
	static const SystemAccessors s = resolve_system();
	return s;
}

// What phonenorm's accessors served, per kind and for the bytes and their
// size apart (libphonenumber calls both; if only one of ours answered, the
// bytes and the size would come from different data): -1 never called, else
// the phn_metadata_source served.
std::atomic<int> served_get[KIND_COUNT] = { { -1 }, { -1 }, { -1 } };
std::atomic<int> served_size[KIND_COUNT] = { { -1 }, { -1 }, { -1 } };

// Both accessors of a kind serve the same source (the choice is fixed at the
// first of them): the bytes and their size always match.
phn_metadata_source serve(std::atomic<int> *flag)
{
	phn_metadata_source src = fix_choice();

	if (src == PHN_METADATA_SYSTEM && !system_accessors().ok)
		src = PHN_METADATA_BUNDLED;
	flag->store(src);
	return src;
}

const void *accessor_get(Kind k)
{
	if (serve(&served_get[k]) == PHN_METADATA_SYSTEM)
		return system_accessors().get[k]();
	return bundled_bytes(k);
}

int accessor_size(Kind k)
{
	if (serve(&served_size[k]) == PHN_METADATA_SYSTEM)
		return system_accessors().size[k]();
	return bundled_size(k);
}

} // namespace

// The six accessors libphonenumber declares (metadata.h, short_metadata.h,
// alternate_format.h: `int x_size(); const void *x_get();`), exported so that
// they come first in the symbol lookup of libphonenumber's calls.
namespace i18n {
namespace phonenumbers {
#define PHN_ACCESSOR __attribute__((visibility("default")))
PHN_ACCESSOR int metadata_size();
PHN_ACCESSOR const void *metadata_get();
PHN_ACCESSOR int short_metadata_size();
PHN_ACCESSOR const void *short_metadata_get();
PHN_ACCESSOR int alternate_format_size();
PHN_ACCESSOR const void *alternate_format_get();

int metadata_size() { return accessor_size(KIND_MAIN); }
const void *metadata_get() { return accessor_get(KIND_MAIN); }
int short_metadata_size() { return accessor_size(KIND_SHORT); }
const void *short_metadata_get() { return accessor_get(KIND_SHORT); }
int alternate_format_size() { return accessor_size(KIND_ALTERNATE); }
const void *alternate_format_get() { return accessor_get(KIND_ALTERNATE); }
#undef PHN_ACCESSOR
} // namespace phonenumbers
} // namespace i18n

namespace {

const ShortNumberInfo &short_info()
{
	static const ShortNumberInfo instance;
	return instance;
}

// Which data a kind's bytes are when phonenorm's accessors were not the ones
// libphonenumber called: the definition the lookup finds (dlsym from here
// searches the same scopes as libphonenumber's own calls) is asked for its
// bytes, which are compared with both candidates. *story says what happened,
// without the accessor's name (kinds with the same story are reported once).
phn_metadata_source identify_foreign(Kind k, std::string *story, bool *doubtful)
{
	const SystemAccessors &sys = system_accessors();
	void *g = dlsym(RTLD_DEFAULT, get_symbol[k]);
	void *z = dlsym(RTLD_DEFAULT, size_symbol[k]);
	Dl_info dg, self;
	char buf[200];

	if (!dladdr(reinterpret_cast<const void *>(phn_md_version), &self))
		self.dli_fbase = nullptr;
	if (!g || !z || !dladdr(g, &dg)) {
		*story = "not phonenorm's, and no definition is visible: libphonenumber's own data assumed";
		*doubtful = true;
		return PHN_METADATA_SYSTEM;
	}
	if (dg.dli_fbase == self.dli_fbase) {
		*story = "phonenorm's are not called although the lookup finds them: libphonenumber "
			 "binds them internally (e.g. -Bsymbolic-functions) and its own data (system) answers";
		return PHN_METADATA_SYSTEM;
	}
	const void *bytes = reinterpret_cast<const void *(*)()>(g)();
	int size = reinterpret_cast<int (*)()>(z)();
	const char *who = dg.dli_fname ? std::strrchr(dg.dli_fname, '/') : nullptr;
	who = who ? who + 1 : dg.dli_fname ? dg.dli_fname : "?";
	phn_metadata_source src = PHN_METADATA_SYSTEM;
	const char *what;
	if (size == bundled_size(k) && std::memcmp(bytes, bundled_bytes(k), size) == 0) {
		src = PHN_METADATA_BUNDLED;
		what = "with the bundled data";
	} else if (sys.ok && size == sys.size[k]() && std::memcmp(bytes, sys.get[k](), size) == 0) {
		what = "with libphonenumber's own data (system)";
	} else {
		what = "with data that is neither bundled nor libphonenumber's own";
		*doubtful = true;
	}
	std::snprintf(buf, sizeof buf, "%s's answer instead of phonenorm's (earlier in the symbol "
		      "lookup order) %s", who, what);
	*story = buf;
	return src;
}

bool number_is(const PhoneNumberUtil &pnu, const char *e164, PhoneNumberUtil::PhoneNumberType want)
{
	PhoneNumber pn;
	return pnu.Parse(e164, "ZZ", &pn) == PhoneNumberUtil::NO_PARSING_ERROR &&
	       pnu.GetNumberType(pn) == want;
}

bool short_is_valid(const PhoneNumberUtil &pnu, const ShortNumberInfo &sni, const char *digits,
		    const char *region)
{
	PhoneNumber pn;
	return pnu.Parse(digits, region, &pn) == PhoneNumberUtil::NO_PARSING_ERROR &&
	       sni.IsValidShortNumberForRegion(pn, region);
}

// A sentinel pair per kind: one number only the bundled (v9.0.35) data calls
// valid, one only libphonenumber 8.12.57's. Which of the two holds says which
// data answers; both or neither says it is neither.
phn_metadata_source judge(bool fresh_valid, bool old_valid, phn_metadata_source origin,
			  const char *what, const char *fresh, const char *old, std::string *reason,
			  bool *doubtful)
{
	if (fresh_valid && !old_valid) {
		if (origin != PHN_METADATA_BUNDLED)
			append(reason, "%s sentinel %s is valid: the bundled data answers", what, fresh);
		return PHN_METADATA_BUNDLED;
	}
	if (!fresh_valid && old_valid) {
		if (origin != PHN_METADATA_SYSTEM)
			append(reason, "%s sentinel %s is not valid and %s is: libphonenumber's own "
				       "data (system) answers", what, fresh, old);
		return PHN_METADATA_SYSTEM;
	}
	append(reason, "%s sentinels %s and %s are both %s: the data that answers is neither the "
		       "bundled data nor libphonenumber's own", what, fresh, old,
	       fresh_valid ? "valid" : "invalid");
	*doubtful = true;
	return origin;
}

struct MetaState {
	phn_metadata_info info;
	const char *version; // static string: phn_md_version, PHN_ENGINE_VERSION or "unknown"
	// The main bytes libphonenumber read are known to be exactly the bundled
	// or libphonenumber's own (info.source), with no doubt about the kind:
	// the fast path may compile them (phn_shim_metadata_bytes()).
	bool main_identified;
};

void run_self_check(MetaState *st)
{
	phn_metadata_info info = PHN_METADATA_INFO_INIT;
	std::string reason;
	phn_metadata_source origin[KIND_COUNT];
	phn_metadata_source *out[KIND_COUNT] = { &info.source, &info.short_source,
						 &info.alternate_source };

	info.requested = fix_choice();
	{
		Choice &c = choice();
		std::lock_guard<std::mutex> lock(c.mu);
		if (!c.env_reason.empty())
			append(&reason, "%s", c.env_reason.c_str());
	}

	// Build everything that reads metadata: PhoneNumberUtil, ShortNumberInfo
	// and (through a matcher) AlternateFormats.
	const PhoneNumberUtil &pnu = *PhoneNumberUtil::GetInstance();
	const ShortNumberInfo &sni = short_info();
	{
		PhoneNumberMatcher m(pnu, "", "US", PhoneNumberMatcher::VALID, 1);
		(void)m.HasNext();
	}

	std::string story[KIND_COUNT];
	bool doubtful = false, main_doubtful = false;
	for (int k = 0; k < KIND_COUNT; k++) {
		int g = served_get[k].load(), z = served_size[k].load();
		bool d = false;
		if (g < 0 && z < 0) {
			origin[k] = identify_foreign(static_cast<Kind>(k), &story[k], &d);
		} else if (g < 0 || z < 0) {
			// One of the pair is phonenorm's, the other not: bytes and size
			// come from different places; the sentinels say what answers.
			origin[k] = static_cast<phn_metadata_source>(g < 0 ? z : g);
			story[k] = g < 0 ? "phonenorm's size answered but another definition's bytes"
					 : "phonenorm's bytes answered but another definition's size";
			d = true;
		} else {
			origin[k] = static_cast<phn_metadata_source>(g);
			if (origin[k] != info.requested)
				story[k] = std::string("libphonenumber's own could not be reached (") +
					   system_accessors().why + "): phonenorm served the bundled data";
		}
		if (k == KIND_MAIN)
			main_doubtful = d;
		doubtful = doubtful || d;
	}
	// One sentence per story, naming every accessor pair it is about.
	for (int k = 0; k < KIND_COUNT; k++) {
		if (story[k].empty())
			continue;
		std::string names = get_name[k];
		for (int j = k + 1; j < KIND_COUNT; j++) {
			if (story[j] == story[k]) {
				names += std::string(", ") + get_name[j];
				story[j].clear();
			}
		}
		append(&reason, "%s: %s", names.c_str(), story[k].c_str());
	}

	info.source = judge(number_is(pnu, "+966579512345", PhoneNumberUtil::MOBILE),
			    number_is(pnu, "+9668110123456", PhoneNumberUtil::UAN), origin[KIND_MAIN],
			    "number", "+966579512345 (SA mobile)", "+9668110123456 (SA UAN)", &reason,
			    &main_doubtful);
	doubtful = doubtful || main_doubtful;
	st->main_identified = !main_doubtful && info.source == origin[KIND_MAIN];
	info.short_source = judge(short_is_valid(pnu, sni, "44844", "DE"),
				  short_is_valid(pnu, sni, "30000123", "CA"), origin[KIND_SHORT],
				  "short-number", "44844 (DE)", "30000123 (CA)", &reason, &doubtful);
	// The alternate formats have no sentinel that a single match could
	// show reliably: what was served (or found answering) decides.
	info.alternate_source = origin[KIND_ALTERNATE];

	// As requested: all three are the requested data, the request itself
	// was understood, and nothing is in doubt. Then the reason is "" even if
	// another definition served exactly the requested bytes.
	info.as_requested = !doubtful;
	{
		Choice &c = choice();
		std::lock_guard<std::mutex> lock(c.mu);
		if (!c.env_reason.empty())
			info.as_requested = 0;
	}
	for (int k = 0; k < KIND_COUNT; k++) {
		if (*out[k] != info.requested) {
			info.as_requested = 0;
			if (reason.empty())
				append(&reason, "%s answers with %s data", get_name[k],
				       phn_metadata_source_name(*out[k]));
		}
	}
	if (info.as_requested)
		reason.clear();
	copy_field(info.reason, sizeof info.reason, reason);

	copy_field(info.engine_version, sizeof info.engine_version, PHN_ENGINE_VERSION);
	if (info.source == PHN_METADATA_BUNDLED && origin[KIND_MAIN] == PHN_METADATA_BUNDLED) {
		st->version = phn_md_version;
		copy_field(info.upstream_commit, sizeof info.upstream_commit, phn_md_commit);
		copy_field(info.upstream_date, sizeof info.upstream_date, phn_md_date);
	} else if (info.source == PHN_METADATA_SYSTEM && origin[KIND_MAIN] == PHN_METADATA_SYSTEM) {
		st->version = PHN_ENGINE_VERSION;
	} else {
		st->version = "unknown";
	}
	copy_field(info.upstream_version, sizeof info.upstream_version, st->version);
	st->info = info;
}

const MetaState &metadata_checked()
{
	static const MetaState *const state = [] {
		static MetaState st;
		run_self_check(&st);
		return &st;
	}();
	return *state;
}

const PhoneNumberUtil &util()
{
	static const PhoneNumberUtil *const instance =
		(metadata_checked(), PhoneNumberUtil::GetInstance());
	return *instance;
}

} // namespace

int phn_shim_error_from_exception()
{
	try {
		throw;
	} catch (const std::bad_alloc &) {
		return phn_error_code(PHN_ENOMEM);
	} catch (const std::exception &e) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: %s", e.what());
	} catch (...) {
		return phn_error_set(PHN_EINTERNAL, "libphonenumber: unknown exception");
	}
}

extern "C" int phn_shim_metadata_select(phn_metadata_source source)
{
	try {
		Choice &c = choice();
		phn_metadata_source chosen;
		{
			std::lock_guard<std::mutex> lock(c.mu);
			if (!c.fixed) {
				c.api = source;
				return PHN_OK;
			}
			if (c.requested == source)
				return PHN_OK;
			chosen = c.requested;
		}
		const MetaState &st = metadata_checked();
		return phn_error_set(PHN_ESTATE,
				     "the metadata is already in use (%s was chosen; %s data %s answers): "
				     "phn_metadata_select() must come before the first number function",
				     phn_metadata_source_name(chosen),
				     phn_metadata_source_name(st.info.source), st.version);
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}

extern "C" int phn_shim_metadata_info(phn_metadata_info *out)
{
	try {
		const unsigned int version = out->version;
		*out = metadata_checked().info;
		out->version = version;
		return PHN_OK;
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}

extern "C" const char *phn_shim_metadata_version(void)
{
	try {
		return metadata_checked().version;
	} catch (...) {
		return "unknown";
	}
}

extern "C" int phn_shim_metadata_bytes(const void **bytes, size_t *size,
				       phn_metadata_source *source, const void **system,
				       size_t *system_size)
{
	try {
		const MetaState &st = metadata_checked();
		const SystemAccessors &sys = system_accessors();

		*bytes = nullptr;
		*size = 0;
		*source = st.info.source;
		*system = sys.ok ? sys.get[KIND_MAIN]() : nullptr;
		*system_size = sys.ok ? static_cast<size_t>(sys.size[KIND_MAIN]()) : 0;
		if (!st.main_identified)
			return phn_error_set(PHN_ESTATE, "the number metadata that answers is not "
						     "identified as the bundled data nor libphonenumber's own");
		if (st.info.source == PHN_METADATA_BUNDLED) {
			*bytes = bundled_bytes(KIND_MAIN);
			*size = static_cast<size_t>(bundled_size(KIND_MAIN));
		} else if (sys.ok) {
			*bytes = *system;
			*size = *system_size;
		} else {
			return phn_error_set(PHN_ESTATE, "libphonenumber's own data answers but its bytes "
						     "cannot be reached (%s)", sys.why);
		}
		return PHN_OK;
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}

namespace {

const PhoneNumberOfflineGeocoder &geocoder()
{
	// Its constructor reaches PhoneNumberUtil: the metadata is fixed first.
	util();
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
	} catch (...) {
		return phn_shim_error_from_exception();
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
	} catch (...) {
		return phn_shim_error_from_exception();
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
	} catch (...) {
		return phn_shim_error_from_exception();
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
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}

// ---- regions, example numbers, numbers in free text ----------------------

namespace {

using i18n::phonenumbers::PhoneNumberMatch;

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
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}

extern "C" int phn_shim_non_geo_codes(const int **codes, size_t *count)
{
	try {
		static const NonGeoList list;
		*codes = list.codes.data();
		*count = list.codes.size();
		return PHN_OK;
	} catch (...) {
		return phn_shim_error_from_exception();
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
	} catch (...) {
		return phn_shim_error_from_exception();
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
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}

namespace {

// The matcher refuses the whole text (no match at all) when one code point
// in it is not "interchange valid" (libphonenumber's IsInputUtf8: C0
// controls other than tab, LF, FF and CR, DEL and the C1 controls, the
// noncharacters U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF). One escape sequence
// in a notes column must not hide every number in it: such a code point is
// searched as spaces of the same byte length, so offsets stay the caller's.
// The text is checked UTF-8.
void blank_non_interchange(std::string *s)
{
	const int32_t n = static_cast<int32_t>(s->size());
	const uint8_t *p = reinterpret_cast<const uint8_t *>(s->data());
	int32_t i = 0;

	while (i < n) {
		const int32_t at = i;
		UChar32 c;
		U8_NEXT(p, i, n, c);
		if ((c >= 0 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) ||
		    (c >= 0x7F && c <= 0x9F) || (c >= 0xFDD0 && c <= 0xFDEF) ||
		    (c >= 0 && (c & 0xFFFE) == 0xFFFE))
			s->replace(at, i - at, i - at, ' ');
	}
}

} // namespace

extern "C" int phn_shim_find(const char *text, size_t len, const char *region,
			     phn_leniency leniency, phn_match_fn fn, void *ctx)
{
	try {
		// The C++ matcher works on the UTF-8 std::string itself: start() is
		// a byte offset into it and raw_string() its bytes (tests/number
		// and the comparison with python3-phonenumbers check both on text
		// with multi-byte characters before the numbers).
		std::string input(text, len);
		blank_non_interchange(&input);
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
			if (rc < 0) {
				if (phn_error_last_code() == rc)
					return rc; /* the callback's own message */
				return phn_error_set(rc, "the match callback stopped the search: %s",
						     phn_strerror(rc));
			}
		}
		return PHN_OK;
	} catch (...) {
		return phn_shim_error_from_exception();
	}
}
