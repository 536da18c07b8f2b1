#include "phonenorm/number.h"

#include <stdio.h>
#include <string.h>

#include "number/fastpath.h"
#include "number/shim.h"
#include "text/error.h"
#include "text/text.h"

static const char *const status_names[] = {
	"valid", "possible", "local_only", "not_a_number", "invalid_country_code",
	"too_short", "too_long", "invalid_length", "needs_region",
};

static const char *const status_sentences[] = {
	"valid number",
	"right length for its country, but not in any range the metadata knows",
	"only dialable locally inside an area; not callable in international form",
	"not a phone number",
	"the country calling code does not exist",
	"too short for its country",
	"too long for its country",
	"a length its country never uses",
	"a local number, but no region was given to read it in",
};

static const char *const type_names[] = {
	"unknown", "fixed_line", "mobile", "fixed_line_or_mobile", "toll_free", "premium_rate",
	"shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
};

static const char *const cost_names[] = {
	"unknown", "toll_free", "standard_rate", "premium_rate",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void reset_number(phn_number *num)
{
	const phn_number blank = PHN_NUMBER_INIT;

	*num = blank;
}

/* NULL or "" is "no region"; otherwise upper-case it into dst[3] and check it. */
static int canonical_region(char dst[3], const char **out, const char *region)
{
	if (!region || !region[0]) {
		*out = NULL;
		return PHN_OK;
	}
	if (phn_region_canonical(dst, region) != PHN_OK)
		return PHN_EREGION; /* phn_region_canonical() set the message */
	*out = dst;
	return PHN_OK;
}

/* phn_number is frozen at version 1: the range check is libgit2's rule with
 * a range of one. */
static int check_number(const phn_number *num, const char *what)
{
	return phn_error_check_version(num, num ? num->version : 0, PHN_NUMBER_VERSION, what);
}

int phn_number_init(phn_number *num, unsigned int version)
{
	int rc = phn_error_check_version(num, version, PHN_NUMBER_VERSION, "phn_number");

	if (rc == PHN_OK)
		reset_number(num);
	return rc;
}

int phn_info_init(phn_info *info, unsigned int version)
{
	const phn_info blank = PHN_INFO_INIT;
	int rc = phn_error_check_version(info, version, PHN_INFO_VERSION, "phn_info");

	if (rc == PHN_OK)
		*info = blank;
	return rc;
}

int phn_number_parse_traced(phn_number *out, const char *text, size_t len, const char *region,
			    phn_parse_path *path)
{
	char upper[3];
	const char *reg;
	long chars;
	int rc, fast;

	if (path)
		*path = PHN_PATH_ENGINE;
	if ((rc = check_number(out, "phn_number (out)")) != PHN_OK)
		return rc;
	reset_number(out);
	if (!text)
		return phn_error_set(PHN_EINVAL, "text is NULL");
	if ((chars = phn_text_utf8_count(text, len)) < 0)
		return phn_error_set(PHN_EINVAL, "text is not valid UTF-8");
	if ((rc = canonical_region(upper, &reg, region)) != PHN_OK)
		return rc;
	fast = phn_fp_enabled(NULL);
	/* libphonenumber's C++ Parse() runs its regular expressions over the
	 * whole text before it looks at the length, and their cost grows
	 * faster than the length (10,000 digits take over a second). Its Java
	 * and Python ports refuse text over 250 characters up front; so do we. */
	if (chars > PHN_INPUT_MAX) {
		out->status = PHN_STATUS_TOO_LONG;
		if (path && fast)
			*path = PHN_PATH_FAST; /* libphonenumber was not asked */
		return PHN_OK;
	}
	/* The fast path answers exactly as libphonenumber would, or not at
	 * all (0: outside what it handles; < 0: a resource failure, which
	 * libphonenumber may still get through). Either way *out is reset. */
	if (fast) {
		if (phn_fp_parse(out, text, len, reg) == 1) {
			if (path)
				*path = PHN_PATH_FAST;
			return PHN_OK;
		}
		reset_number(out);
		if (path)
			*path = PHN_PATH_FALLBACK;
	}
	rc = phn_shim_parse(out, text, len, reg);
	if (rc != PHN_OK)
		reset_number(out);
	return rc;
}

int phn_number_parse_n(phn_number *out, const char *text, size_t len, const char *region)
{
	return phn_number_parse_traced(out, text, len, region, NULL);
}

int phn_fastpath_get_info(phn_fastpath_info *out)
{
	static const phn_fastpath_info blank = PHN_FASTPATH_INFO_INIT;
	unsigned int version;
	const char *why = "";
	int rc = phn_error_check_version(out, out ? out->version : 0, PHN_FASTPATH_INFO_VERSION,
					 "phn_fastpath_info");

	if (rc < 0)
		return rc;
	version = out->version;
	*out = blank;
	out->version = version;
	out->enabled = phn_fp_enabled(&why);
	snprintf(out->reason, sizeof out->reason, "%s", why ? why : "");
	snprintf(out->verified_engine, sizeof out->verified_engine, "%s", PHN_FP_VERIFIED_ENGINE);
	if (out->enabled) {
		int compiled = 0, handled = 0;
		double seconds = 0;
		phn_fp_territory_counts(&out->territories, &out->territories_handled);
		phn_fp_compile_stats(&compiled, &handled, &seconds);
		out->territories_compiled = compiled;
		out->compile_seconds = seconds;
	}
	return PHN_OK;
}

int phn_fastpath_compile_all(void)
{
	if (!phn_fp_enabled(NULL))
		return PHN_OK;
	return phn_fp_compile_all();
}

int phn_number_parse(phn_number *out, const char *text, const char *region)
{
	return phn_number_parse_n(out, text, text ? strlen(text) : 0, region);
}

static int check_formattable(const phn_number *num)
{
	int rc = check_number(num, "phn_number");

	if (rc != PHN_OK)
		return rc;
	if (num->country_code <= 0 || num->e164[0] == '\0')
		return phn_error_set(PHN_EINVAL, "the number holds no parsed number (status %s)",
				     phn_status_name(num->status));
	return PHN_OK;
}

int phn_number_format(char *dst, size_t cap, size_t *needed, const phn_number *num,
		      phn_format format)
{
	int rc = check_formattable(num);

	if (rc != PHN_OK)
		return rc;
	if ((int)format < PHN_FORMAT_E164 || format > PHN_FORMAT_RFC3966)
		return phn_error_set(PHN_EINVAL, "unknown format %d", (int)format);
	if (format == PHN_FORMAT_E164)
		return phn_text_copy_out(dst, cap, needed, num->e164, strlen(num->e164));
	return phn_shim_format(dst, cap, needed, num, format, NULL);
}

int phn_number_format_out_of_country(char *dst, size_t cap, size_t *needed,
				     const phn_number *num, const char *from_region)
{
	char upper[3];
	int rc = check_formattable(num);

	if (rc != PHN_OK)
		return rc;
	if (!from_region)
		return phn_error_set(PHN_EINVAL, "from_region is NULL");
	if ((rc = phn_region_canonical(upper, from_region)) != PHN_OK)
		return rc;
	return phn_shim_format(dst, cap, needed, num, PHN_FORMAT_E164, upper);
}

static int language_ok(const char *language)
{
	size_t n = 0;

	for (; language[n]; n++) {
		char c = language[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return 0;
	}
	return n >= 2 && n <= 16;
}

int phn_number_info(phn_info *out, const phn_number *num, const char *region)
{
	const phn_info blank = PHN_INFO_INIT;
	char upper[3];
	const char *reg;
	int rc;

	if ((rc = phn_error_check_version(out, out ? out->version : 0, PHN_INFO_VERSION,
					  "phn_info (out)")) != PHN_OK)
		return rc;
	*out = blank;
	if ((rc = check_formattable(num)) != PHN_OK)
		return rc;
	if ((rc = canonical_region(upper, &reg, region)) != PHN_OK)
		return rc;
	rc = phn_shim_info(out, num, reg);
	if (rc != PHN_OK)
		*out = blank;
	return rc;
}

int phn_number_location(char *dst, size_t cap, size_t *needed, const phn_number *num,
			const char *language)
{
	int rc;

	if (needed)
		*needed = 0;
	if ((rc = check_formattable(num)) != PHN_OK)
		return rc;
	if (language && !language_ok(language))
		return phn_error_set(PHN_EINVAL, "'%.40s' is not a BCP 47 language tag", language);
	return phn_shim_location(dst, cap, needed, num, language ? language : "en");
}

const char *phn_status_name(phn_status status)
{
	return (unsigned)status < COUNT(status_names) ? status_names[status] : "unknown";
}

const char *phn_status_describe(phn_status status)
{
	return (unsigned)status < COUNT(status_sentences) ? status_sentences[status]
							   : "unknown status";
}

const char *phn_type_name(phn_type type)
{
	return (unsigned)type < COUNT(type_names) ? type_names[type] : "unknown";
}

const char *phn_short_cost_name(phn_short_cost cost)
{
	return (unsigned)cost < COUNT(cost_names) ? cost_names[cost] : "unknown";
}

static int index_of(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (phn_text_ascii_casecmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

int phn_type_from_name(phn_type *out, const char *name)
{
	int i;

	if (!out || !name)
		return phn_error_set(PHN_EINVAL, "%s is NULL", out ? "name" : "out");
	if ((i = index_of(type_names, COUNT(type_names), name)) < 0)
		return phn_error_set(PHN_ENOTFOUND, "'%.40s' is not a number type", name);
	*out = (phn_type)i;
	return PHN_OK;
}

int phn_status_from_name(phn_status *out, const char *name)
{
	int i;

	if (!out || !name)
		return phn_error_set(PHN_EINVAL, "%s is NULL", out ? "name" : "out");
	if ((i = index_of(status_names, COUNT(status_names), name)) < 0)
		return phn_error_set(PHN_ENOTFOUND, "'%.40s' is not a number status", name);
	*out = (phn_status)i;
	return PHN_OK;
}

int phn_region_canonical(char dst[3], const char *region)
{
	char upper[3];

	if (!dst || !region)
		return phn_error_set(PHN_EINVAL, "%s is NULL", dst ? "region" : "dst");
	if (phn_text_ascii_upper(upper, sizeof upper, region) != PHN_OK ||
	    phn_shim_region_code(upper) == 0)
		return phn_error_set(PHN_EREGION,
				     "unknown region '%.40s' (expected an ISO 3166-1 alpha-2 code "
				     "such as SA or US)", region);
	memcpy(dst, upper, sizeof upper);
	return PHN_OK;
}

/* phn_region_canonical() without touching the thread's last error: the two
 * callers below do not fail, they answer. */
static int region_quiet(char upper[3], const char *region)
{
	return region && phn_text_ascii_upper(upper, 3, region) == PHN_OK &&
	       phn_shim_region_code(upper) != 0;
}

int phn_region_is_known(const char *region)
{
	char upper[3];

	return region_quiet(upper, region);
}

int phn_region_country_code(const char *region)
{
	char upper[3];

	if (!region_quiet(upper, region))
		return 0;
	return phn_shim_region_code(upper);
}

const char *phn_metadata_version(void)
{
	return phn_shim_metadata_version();
}

int phn_metadata_select(phn_metadata_source source)
{
	if (source != PHN_METADATA_BUNDLED && source != PHN_METADATA_SYSTEM)
		return phn_error_set(PHN_EINVAL, "unknown metadata source %d (expected "
				     "PHN_METADATA_BUNDLED or PHN_METADATA_SYSTEM)", (int)source);
	return phn_shim_metadata_select(source);
}

const char *phn_metadata_source_name(phn_metadata_source source)
{
	switch (source) {
	case PHN_METADATA_BUNDLED: return "bundled";
	case PHN_METADATA_SYSTEM: return "system";
	default: return "unknown";
	}
}

int phn_metadata_info_init(phn_metadata_info *info, unsigned int version)
{
	static const phn_metadata_info init = PHN_METADATA_INFO_INIT;
	int rc = phn_error_check_version(info, version, PHN_METADATA_INFO_VERSION,
					 "phn_metadata_info");

	if (rc < 0)
		return rc;
	*info = init;
	info->version = version;
	return PHN_OK;
}

int phn_metadata_get_info(phn_metadata_info *out)
{
	int rc = phn_error_check_version(out, out ? out->version : 0, PHN_METADATA_INFO_VERSION,
					 "phn_metadata_info");

	if (rc < 0)
		return rc;
	return phn_shim_metadata_info(out);
}

/* ---- regions and example numbers ---------------------------------------- */

int phn_region_list(const char *const **regions, size_t *count)
{
	if (!regions || !count)
		return phn_error_set(PHN_EINVAL, "%s is NULL", regions ? "count" : "regions");
	return phn_shim_region_list(regions, count);
}

int phn_non_geo_country_codes(const int **codes, size_t *count)
{
	if (!codes || !count)
		return phn_error_set(PHN_EINVAL, "%s is NULL", codes ? "count" : "codes");
	return phn_shim_non_geo_codes(codes, count);
}

int phn_number_example(phn_number *out, const char *region, phn_type type)
{
	char upper[3];
	int rc;

	if ((rc = check_number(out, "phn_number (out)")) != PHN_OK)
		return rc;
	reset_number(out);
	if (!region)
		return phn_error_set(PHN_EINVAL, "region is NULL");
	if ((unsigned)type >= COUNT(type_names))
		return phn_error_set(PHN_EINVAL, "unknown number type %d", (int)type);
	if ((rc = phn_region_canonical(upper, region)) != PHN_OK)
		return rc;
	rc = phn_shim_example(out, upper, type);
	if (rc != PHN_OK)
		reset_number(out);
	return rc;
}

int phn_number_example_non_geo(phn_number *out, int country_code)
{
	int rc;

	if ((rc = check_number(out, "phn_number (out)")) != PHN_OK)
		return rc;
	reset_number(out);
	rc = phn_shim_example_non_geo(out, country_code);
	if (rc != PHN_OK)
		reset_number(out);
	return rc;
}

/* ---- format names -------------------------------------------------------- */

static const char *const format_names[] = {
	"e164", "international", "national", "rfc3966",
};

const char *phn_format_name(phn_format format)
{
	return (unsigned)format < COUNT(format_names) ? format_names[format] : "unknown";
}

int phn_format_from_name(phn_format *out, const char *name)
{
	int i;

	if (!out || !name)
		return phn_error_set(PHN_EINVAL, "%s is NULL", out ? "name" : "out");
	if ((i = index_of(format_names, COUNT(format_names), name)) < 0) {
		if (phn_text_ascii_casecmp(name, "intl") != 0)
			return phn_error_set(PHN_ENOTFOUND,
					     "'%.40s' is not a format (e164, international, "
					     "national, rfc3966)", name);
		i = PHN_FORMAT_INTERNATIONAL;
	}
	*out = (phn_format)i;
	return PHN_OK;
}

/* ---- numbers in free text ------------------------------------------------ */

static const char *const leniency_names[] = {
	"possible", "valid", "strict_grouping", "exact_grouping",
};

const char *phn_leniency_name(phn_leniency leniency)
{
	return (unsigned)leniency < COUNT(leniency_names) ? leniency_names[leniency] : "unknown";
}

int phn_leniency_from_name(phn_leniency *out, const char *name)
{
	int i;

	if (!out || !name)
		return phn_error_set(PHN_EINVAL, "%s is NULL", out ? "name" : "out");
	if ((i = index_of(leniency_names, COUNT(leniency_names), name)) < 0) {
		if (phn_text_ascii_casecmp(name, "strict") == 0)
			i = PHN_LENIENCY_STRICT_GROUPING;
		else if (phn_text_ascii_casecmp(name, "exact") == 0)
			i = PHN_LENIENCY_EXACT_GROUPING;
		else
			return phn_error_set(PHN_ENOTFOUND,
					     "'%.40s' is not a leniency (possible, valid, "
					     "strict_grouping, exact_grouping)", name);
	}
	*out = (phn_leniency)i;
	return PHN_OK;
}

int phn_number_find(const char *text, size_t len, const char *region, phn_leniency leniency,
		    phn_match_fn fn, void *ctx)
{
	char upper[3];
	const char *reg;
	int rc;

	if (!text || !fn)
		return phn_error_set(PHN_EINVAL, "%s is NULL", text ? "fn" : "text");
	if ((unsigned)leniency >= COUNT(leniency_names))
		return phn_error_set(PHN_EINVAL, "unknown leniency %d", (int)leniency);
	if (len > PHN_FIND_TEXT_MAX)
		return phn_error_set(PHN_EINVAL,
				     "text is %zu bytes, longer than PHN_FIND_TEXT_MAX (%d): "
				     "search it in pieces", len, PHN_FIND_TEXT_MAX);
	if (phn_text_utf8_count(text, len) < 0)
		return phn_error_set(PHN_EINVAL, "text is not valid UTF-8");
	if ((rc = canonical_region(upper, &reg, region)) != PHN_OK)
		return rc;
	return phn_shim_find(text, len, reg, leniency, fn, ctx);
}
