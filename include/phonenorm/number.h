/*
 * phonenorm: parse, validate and format one phone number.
 *
 * Thread safety: every function in this header may be called from any number
 * of threads at once. A phn_number is a plain value owned by the caller; two
 * threads may read the same one, but not write it while another reads it.
 *
 * Errors: a function that returns a negative PHN_E* code also sets the
 * calling thread's phn_error_last() message ("unknown region 'XX'"), valid
 * until the next failing phonenorm call on that thread (common.h).
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#ifndef PHONENORM_NUMBER_H
#define PHONENORM_NUMBER_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What parsing found. A status is data about the number, never an error.
 * Values only grow; they are never renumbered.
 */
typedef enum phn_status {
	/* A number the metadata knows as assigned: safe to call. */
	PHN_STATUS_VALID = 0,
	/* Right length for its country, but in a range the metadata does not
	 * know (newer ranges than libphonenumber's bundled metadata land here). */
	PHN_STATUS_POSSIBLE = 1,
	/* Long enough only for local dialling inside an area; not callable as E.164. */
	PHN_STATUS_LOCAL_ONLY = 2,
	/* No phone number in the text at all. */
	PHN_STATUS_NOT_A_NUMBER = 3,
	/* The country calling code (after + or the international prefix) does not exist. */
	PHN_STATUS_INVALID_COUNTRY_CODE = 4,
	/* Too few digits for the country (also: nothing after the international prefix). */
	PHN_STATUS_TOO_SHORT = 5,
	/* Too many digits for the country. */
	PHN_STATUS_TOO_LONG = 6,
	/* A length between the shortest and longest that the country never uses. */
	PHN_STATUS_INVALID_LENGTH = 7,
	/* A local number (no + and no international prefix) and no region was given. */
	PHN_STATUS_NEEDS_REGION = 8
} phn_status;

/* Number type, as libphonenumber classifies it. Values only grow. */
typedef enum phn_type {
	PHN_TYPE_UNKNOWN = 0,
	PHN_TYPE_FIXED_LINE = 1,
	PHN_TYPE_MOBILE = 2,
	/* Regions (e.g. US) where fixed and mobile ranges cannot be told apart. */
	PHN_TYPE_FIXED_LINE_OR_MOBILE = 3,
	PHN_TYPE_TOLL_FREE = 4,
	PHN_TYPE_PREMIUM_RATE = 5,
	PHN_TYPE_SHARED_COST = 6,
	PHN_TYPE_VOIP = 7,
	PHN_TYPE_PERSONAL_NUMBER = 8,
	PHN_TYPE_PAGER = 9,
	PHN_TYPE_UAN = 10,
	PHN_TYPE_VOICEMAIL = 11
} phn_type;

/* Output formats for phn_number_format(). */
typedef enum phn_format {
	PHN_FORMAT_E164 = 0,          /* +966501234567 */
	PHN_FORMAT_INTERNATIONAL = 1, /* +966 50 123 4567 */
	PHN_FORMAT_NATIONAL = 2,      /* 050 123 4567 */
	PHN_FORMAT_RFC3966 = 3        /* tel:+966-50-123-4567 */
} phn_format;

/* "+" and up to 20 digits. E.164 proper has at most 15; longer forms only
 * occur for numbers whose status says they are too long. */
#define PHN_E164_MAX 21
#define PHN_EXTENSION_MAX 24 /* libphonenumber keeps at most 20 digits */

/*
 * A parsed number. Plain data: copy it, keep it, compare its key, keep
 * arrays of it.
 *
 * Frozen: this layout is fixed for the life of ABI major version 1 and the
 * struct never grows (PHN_NUMBER_VERSION stays 1), so arrays of it
 * (phn_number_parse_batch) and copies of it inside the caller's own structs
 * are safe. Facts added later come in side structs filled by their own
 * calls, as phn_info is. Initialise with PHN_NUMBER_INIT (or
 * phn_number_init()) before the first call.
 */
typedef struct phn_number {
	unsigned int version;
	phn_status status;
	phn_type type; /* PHN_TYPE_UNKNOWN unless status is VALID */
	/* Country calling code, e.g. 966; 0 when parsing found no number. */
	int country_code;
	/* National significant number without leading zeros, e.g. 501234567. */
	uint64_t national_number;
	/* Zeros that precede national_number (Italian fixed lines: 06...). */
	int leading_zeros;
	/*
	 * Dedupe key: two numbers have the same key exactly when their E.164
	 * forms are the same. It packs the country code, the leading zeros and
	 * the national number: it is the E.164 digits read as one integer (the
	 * country code never starts with 0), so "+%" PRIu64 prints the E.164.
	 * Nonzero for every number that parsed with at most 19 digits, which
	 * includes every VALID and POSSIBLE number; 0 otherwise.
	 */
	uint64_t key;
	/* Region the number belongs to: "SA", "001" for non-geographic
	 * (+800, +882 ...), "" when parsing failed or no region matches. */
	char region[4];
	/* E.164 form, "" when parsing failed. Extensions are not part of it. */
	char e164[PHN_E164_MAX + 1];
	/* Extension digits in ASCII ("45" for "x45", "ext. 45", "x٤٥"), "" when none. */
	char extension[PHN_EXTENSION_MAX + 1];
} phn_number;

#define PHN_NUMBER_VERSION 1
#define PHN_NUMBER_INIT { PHN_NUMBER_VERSION, PHN_STATUS_NOT_A_NUMBER, PHN_TYPE_UNKNOWN, \
		0, 0, 0, 0, "", "", "" }

/* Initialise *num as PHN_NUMBER_INIT does. Errors: PHN_EINVAL (NULL),
 * PHN_EVERSION (version is not PHN_NUMBER_VERSION). */
PHN_EXTERN int phn_number_init(phn_number *num, unsigned int version);

/*
 * Longest text, in characters, that is parsed at all: longer text is
 * PHN_STATUS_TOO_LONG without being looked at (libphonenumber's own limit,
 * which also bounds the time one parse can take).
 */
#define PHN_INPUT_MAX 250

/*
 * Parse text (UTF-8, NUL-terminated) as a phone number.
 *
 * region is an ISO 3166-1 alpha-2 code, case-insensitive ("sa" == "SA"),
 * used for numbers written without + or an international prefix; NULL or ""
 * means none. Any separators, any digit script libphonenumber knows
 * (Arabic-Indic, Extended Arabic-Indic, full-width), vanity letters
 * (1-800-FLOWERS) and the region's international prefix (00, 011) work.
 *
 * Returns PHN_OK whenever the arguments are good; what was found, including
 * "not a number" or "too short", is in out->status. Errors:
 * PHN_EINVAL (NULL out or text, or text that is not valid UTF-8),
 * PHN_EREGION (region is not a known region), PHN_EVERSION, PHN_ENOMEM,
 * PHN_EINTERNAL. On error *out is set to "not a number" (when out is usable).
 */
PHN_EXTERN int phn_number_parse(phn_number *out, const char *text, const char *region);

/* As phn_number_parse(), for text of len bytes that need not end in NUL. */
PHN_EXTERN int phn_number_parse_n(phn_number *out, const char *text, size_t len,
				  const char *region);

/* ---- the compiled fast path -------------------------------------------- */

/*
 * Which code answered one parse. Every parse gives the same phn_number
 * whoever answers: the fast path (libphonenumber's own metadata compiled
 * into one digit automaton per territory) only answers inputs it handles
 * exactly as libphonenumber does, and hands everything else to it.
 */
typedef enum phn_parse_path {
	/* The fast path is off in this process (PHONENORM_FASTPATH=0, another
	 * libphonenumber version, metadata that could not be identified):
	 * libphonenumber alone answered. */
	PHN_PATH_ENGINE = 0,
	/* The fast path answered. */
	PHN_PATH_FAST = 1,
	/* The fast path is on, but this input is outside what it handles (a
	 * letter, a territory whose prefixes are regular expressions...):
	 * libphonenumber answered. */
	PHN_PATH_FALLBACK = 2
} phn_parse_path;

/*
 * As phn_number_parse_n(), and *path (if path is not NULL) says which code
 * answered. Same errors. Thread-safe.
 */
PHN_EXTERN int phn_number_parse_traced(phn_number *out, const char *text, size_t len,
				       const char *region, phn_parse_path *path);

/*
 * The fast path in this process. Versioned: initialise with
 * PHN_FASTPATH_INFO_INIT; the struct may grow at its end.
 */
typedef struct phn_fastpath_info {
	unsigned int version;
	/* 1 when parses try the fast path first. */
	int enabled;
	/* Why it is off, one line of English; "" when enabled. */
	char reason[200];
	/* The libphonenumber version the fast path was verified against
	 * ("8.12.57"); it runs only with that one. */
	char verified_engine[16];
	/* Territories (regions and non-geographic entities) in the metadata
	 * that answers; how many of them the fast path parses with as the
	 * default region (the rest have regular-expression prefixes and fall
	 * back); how many are compiled so far; and the time spent compiling
	 * them (seconds, all threads). */
	int territories;
	int territories_handled;
	int territories_compiled;
	double compile_seconds;
} phn_fastpath_info;

#define PHN_FASTPATH_INFO_VERSION 1
#define PHN_FASTPATH_INFO_INIT { PHN_FASTPATH_INFO_VERSION, 0, "", "", 0, 0, 0, 0.0 }

/*
 * Fill *out (initialised) with the fast path's state; decides it (and
 * loads the metadata) if nothing has yet. Does not compile territories.
 * Errors: PHN_EINVAL, PHN_EVERSION, PHN_ENOMEM, PHN_EINTERNAL. Thread-safe.
 */
PHN_EXTERN int phn_fastpath_get_info(phn_fastpath_info *out);

/*
 * Compile every territory now rather than on first use (a server that
 * wants no first-request latency). Idempotent; PHN_OK and nothing to do
 * when the fast path is off. Errors: PHN_ENOMEM, PHN_EINTERNAL. Thread-safe.
 */
PHN_EXTERN int phn_fastpath_compile_all(void);

/*
 * Parse count texts, each with phn_number_parse_n() semantics, into
 * results[0..count). lens may be NULL (every text is NUL-terminated). threads
 * is how many threads may work on it (0 or 1: the calling thread only); the
 * results are the same for any number of threads. results is an array of
 * the frozen phn_number, so its stride never changes.
 *
 * Every results[i] must have been initialised (PHN_NUMBER_INIT). Per-item
 * outcomes are data: a NULL texts[i] or text that is not UTF-8 gives status
 * PHN_STATUS_NOT_A_NUMBER. The call fails only on its arguments or resources:
 * PHN_EINVAL (NULL results or texts with count > 0), PHN_EVERSION (a result
 * not initialised; the message gives its index), PHN_EREGION, PHN_ENOMEM,
 * PHN_EINTERNAL. May be called from any thread.
 */
PHN_EXTERN int phn_number_parse_batch(phn_number *results, const char *const *texts,
				      const size_t *lens, size_t count, const char *region,
				      unsigned int threads);

/*
 * Write num in the given format into dst (cap bytes, NUL included). The
 * international, national and RFC 3966 forms carry the extension; E.164
 * does not. If needed is not NULL it receives the length of the whole
 * result (without the NUL), also when the buffer is too small.
 * Errors: PHN_EINVAL (no number was parsed, bad format), PHN_EBUFS.
 */
PHN_EXTERN int phn_number_format(char *dst, size_t cap, size_t *needed, const phn_number *num,
				 phn_format format);

/*
 * Write num as dialled from another country: from_region "US" gives
 * "011 966 50 123 4567" for a Saudi mobile, and the national form when the
 * number is in from_region itself. Errors as phn_number_format(), plus
 * PHN_EREGION for an unknown from_region.
 */
PHN_EXTERN int phn_number_format_out_of_country(char *dst, size_t cap, size_t *needed,
						const phn_number *num, const char *from_region);

/* Short-number facts, from libphonenumber's ShortNumberInfo. */
typedef enum phn_short_cost {
	PHN_SHORT_COST_UNKNOWN = 0,
	PHN_SHORT_COST_TOLL_FREE = 1,
	PHN_SHORT_COST_STANDARD_RATE = 2,
	PHN_SHORT_COST_PREMIUM_RATE = 3
} phn_short_cost;

/* Everything else the library knows about a number. Filled by the library
 * into the caller's struct: it may grow at its end (the version says how much
 * of it the caller has), so never keep it in an array or another struct. */
typedef struct phn_info {
	unsigned int version;
	/* 1 if the digits form a valid short code (e.g. 911, 112, 937) in the region. */
	int is_short_number;
	/* 1 if the digits, as dialled inside the region (national form, trunk
	 * prefix included), are exactly an emergency number there. */
	int is_emergency;
	/* 1 if dialling them there would connect to emergency services: also
	 * true for an emergency number with digits appended where the region
	 * allows that (911 and 9111 in US). */
	int connects_to_emergency;
	phn_short_cost short_cost;
	/* 1 if the number's country code and national number belong to a
	 * geographic area (fixed lines in most regions). */
	int is_geographic;
} phn_info;

#define PHN_INFO_VERSION 1
#define PHN_INFO_INIT { PHN_INFO_VERSION, 0, 0, 0, PHN_SHORT_COST_UNKNOWN, 0 }

/* Initialise *info as PHN_INFO_INIT does; version is the PHN_INFO_VERSION
 * the caller was built with. Errors: PHN_EINVAL, PHN_EVERSION. */
PHN_EXTERN int phn_info_init(phn_info *info, unsigned int version);

/*
 * Fill *out with facts about num. region is the region the digits were
 * dialled in (for short and emergency numbers, which only make sense there:
 * they are all 0 when num's country code is not the region's); NULL means
 * num's own region.
 * Errors: PHN_EINVAL, PHN_EREGION, PHN_EVERSION, PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_number_info(phn_info *out, const phn_number *num, const char *region);

/*
 * Write the offline geocoder's description of where num is into dst[cap]
 * (UTF-8, NUL included): "Riyadh", "Washington D.C."; the country's name
 * when only that is known; "" when nothing is. language is a BCP 47
 * language tag ("en", "ar", "de"); NULL means "en". needed (if not NULL)
 * gets the whole description's length, also when dst is too small: it is
 * never cut short. Errors: PHN_EINVAL (no number, bad language tag),
 * PHN_EBUFS, PHN_EVERSION, PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_number_location(char *dst, size_t cap, size_t *needed, const phn_number *num,
				   const char *language);

/*
 * The IANA time zones num may be in, from libphonenumber's prefix-to-time-
 * zone data (upstream resources/timezones/map_data.txt, compiled into the
 * library; version in data/timezones/README.md), with the rules of its
 * PhoneNumberToTimeZonesMapper.getTimeZonesForNumber():
 *   - a number whose type is PHN_TYPE_UNKNOWN (every number that is not
 *     VALID) has none: *count is 0;
 *   - a geographical number (fixed line, fixed line or mobile, and mobile in
 *     the countries that assign mobile numbers by area: +52 +54 +55 +62
 *     +86) gets the zones of the longest data prefix of its E.164 digits
 *     (+1 208 201 ... -> America/Denver; +1 208 2... -> America/Boise and
 *     America/Los_Angeles);
 *   - any other valid number (mobile elsewhere, toll free, VoIP...) gets its
 *     country calling code's zones (all 42 for +1, one for +966).
 * Upstream's "Etc/Unknown" answer is *count == 0 here.
 *
 * *zones points at a static array of *count sorted, NUL-terminated IANA ids,
 * followed by a NULL; it lives as long as the process. Never NULL on
 * success. Thread-safe, no allocation. Errors: PHN_EINVAL (NULL argument),
 * PHN_EVERSION (num not initialised).
 */
PHN_EXTERN int phn_number_timezones(const char *const **zones, size_t *count,
				    const phn_number *num);

/*
 * The zones of a country calling code as phn_number_timezones() gives them
 * to a non-geographical number of that code (966 -> Asia/Riyadh; 1 -> the
 * 42 zones of the NANP; 800 -> none): libphonenumber's country-level
 * lookup. For a caller that must place a number the mapper gives no zone
 * (a merely possible number, say) somewhere. Same lifetime and thread
 * rules. Errors: PHN_EINVAL (NULL, country_code outside 1-999).
 */
PHN_EXTERN int phn_country_timezones(const char *const **zones, size_t *count,
				     int country_code);

/* Static name of a status: "valid", "possible", "local_only", "not_a_number",
 * "invalid_country_code", "too_short", "too_long", "invalid_length",
 * "needs_region"; "unknown" for anything else. */
PHN_EXTERN const char *phn_status_name(phn_status status);

/* Static English sentence that explains a status to a person. */
PHN_EXTERN const char *phn_status_describe(phn_status status);

/* Static name of a type: "fixed_line", "mobile", "fixed_line_or_mobile",
 * "toll_free", "premium_rate", "shared_cost", "voip", "personal_number",
 * "pager", "uan", "voicemail", "unknown". */
PHN_EXTERN const char *phn_type_name(phn_type type);

/* Parse a type name as phn_type_name() writes it (case-insensitive).
 * Errors: PHN_EINVAL, PHN_ENOTFOUND for a name that is not a type. */
PHN_EXTERN int phn_type_from_name(phn_type *out, const char *name);

/* Parse a status name as phn_status_name() writes it (case-insensitive).
 * Errors: PHN_EINVAL, PHN_ENOTFOUND. */
PHN_EXTERN int phn_status_from_name(phn_status *out, const char *name);

/* Static name of a format: "e164", "international", "national", "rfc3966";
 * "unknown" for anything else. */
PHN_EXTERN const char *phn_format_name(phn_format format);

/* Parse a format name as phn_format_name() writes it (case-insensitive;
 * "intl" is accepted for "international"). Errors: PHN_EINVAL,
 * PHN_ENOTFOUND for a name that is not a format (the message lists them). */
PHN_EXTERN int phn_format_from_name(phn_format *out, const char *name);

/* Static name of a short-number cost: "unknown", "toll_free", "standard_rate",
 * "premium_rate". */
PHN_EXTERN const char *phn_short_cost_name(phn_short_cost cost);

/*
 * 1 if region (case-insensitive) is a region libphonenumber has metadata
 * for, 0 otherwise (also for NULL, "", "ZZ" and the non-geographic "001").
 */
PHN_EXTERN int phn_region_is_known(const char *region);

/*
 * Write the canonical (upper-case) form of a known region into dst[3].
 * Errors: PHN_EINVAL, PHN_EREGION.
 */
PHN_EXTERN int phn_region_canonical(char dst[3], const char *region);

/* Country calling code of a known region (966 for "SA"), 0 if unknown. */
PHN_EXTERN int phn_region_country_code(const char *region);

/*
 * Upstream libphonenumber version of the metadata that answers: "9.0.35" for
 * the bundled data (data/metadata/VERSION), libphonenumber's own version
 * ("8.12.57") when its compiled-in data answers. Static; thread-safe. The
 * first call fixes the metadata (see phn_metadata_select()).
 */
PHN_EXTERN const char *phn_metadata_version(void);

/* ---- which metadata answers -------------------------------------------- */

/*
 * libphonenorm carries upstream's metadata (data/metadata/, converted at
 * build time) and defines libphonenumber's metadata accessors with it, so
 * the stock libphonenumber 8.12.57 answers with today's numbering plans.
 * PHN_METADATA_SYSTEM gives libphonenumber's compiled-in data instead.
 */
typedef enum phn_metadata_source {
	PHN_METADATA_BUNDLED = 0, /* phonenorm's data/metadata (the default) */
	PHN_METADATA_SYSTEM = 1   /* the data compiled into libphonenumber */
} phn_metadata_source;

/*
 * Choose the metadata before the first use of any number function (the
 * choice is fixed when libphonenumber first reads its metadata; it cannot
 * change in a running process). Wins over the environment variable
 * PHONENORM_METADATA ("bundled" or "system"), which wins over the default,
 * PHN_METADATA_BUNDLED. Before first use the last call wins; after it,
 * calling it again with the choice already made is PHN_OK (whether that
 * choice answers is phn_metadata_get_info()'s to say). The accessors are
 * process-wide: any other user of libphonenumber in the process reads the
 * same choice. Errors: PHN_EINVAL (not a source), PHN_ESTATE (metadata
 * already in use with the other choice; the message says which answers).
 * Thread-safe.
 */
PHN_EXTERN int phn_metadata_select(phn_metadata_source source);

/* Static name of a source: "bundled", "system"; "unknown" otherwise. */
PHN_EXTERN const char *phn_metadata_source_name(phn_metadata_source source);

/*
 * What answers, and why. Filled by the library into the caller's struct: it
 * may grow at its end (the version says how much the caller has).
 */
typedef struct phn_metadata_info {
	unsigned int version;
	/* What was asked for: phn_metadata_select(), else PHONENORM_METADATA,
	 * else PHN_METADATA_BUNDLED. */
	phn_metadata_source requested;
	/* What really answers for numbers (PhoneNumberUtil), for short numbers
	 * (ShortNumberInfo: phn_number_info) and for the alternate formats
	 * (phn_number_find's grouping checks). A start-up self-check (sentinel
	 * numbers only the bundled data knows) decides: it is never assumed. */
	phn_metadata_source source;
	phn_metadata_source short_source;
	phn_metadata_source alternate_source;
	/* 1 when all three are what was requested. */
	int as_requested;
	/* Upstream version of the data that answers ("9.0.35", "8.12.57"), and
	 * for bundled data the upstream tag's commit and date ("" otherwise). */
	char upstream_version[16];
	char upstream_commit[41];
	char upstream_date[11];
	/* Version of the libphonenumber library that runs ("8.12.57"). */
	char engine_version[16];
	/* One line of English: "" when as_requested; otherwise what happened
	 * and why (a bad PHONENORM_METADATA value, a libphonenumber that binds
	 * its metadata accessors internally, a sentinel that failed...). */
	char reason[256];
} phn_metadata_info;

#define PHN_METADATA_INFO_VERSION 1
#define PHN_METADATA_INFO_INIT { PHN_METADATA_INFO_VERSION, PHN_METADATA_BUNDLED, \
		PHN_METADATA_BUNDLED, PHN_METADATA_BUNDLED, PHN_METADATA_BUNDLED, 0, "", "", "", "", "" }

/* Initialise *info as PHN_METADATA_INFO_INIT does. Errors: PHN_EINVAL,
 * PHN_EVERSION. */
PHN_EXTERN int phn_metadata_info_init(phn_metadata_info *info, unsigned int version);

/*
 * Fill *out (initialised) with the metadata in force; loads it (and runs the
 * self-check) if nothing has yet. Errors: PHN_EINVAL, PHN_EVERSION,
 * PHN_ENOMEM, PHN_EINTERNAL. Thread-safe.
 */
PHN_EXTERN int phn_metadata_get_info(phn_metadata_info *out);

/* ---- regions and example numbers ---------------------------------------- */

/*
 * The regions the metadata in force knows: *regions points at a static,
 * sorted array of *count upper-case two-letter codes ("AC" ... "ZW"),
 * followed by NULL; it lives as long as the process. Their calling codes:
 * phn_region_country_code(). Thread-safe. Errors: PHN_EINVAL (NULL),
 * PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_region_list(const char *const **regions, size_t *count);

/*
 * The country calling codes of the non-geographic entities (region "001":
 * 800, 808, 870, 878, 881, 882, 883, 888, 979): a static, ascending array
 * of *count codes. Thread-safe. Errors: PHN_EINVAL, PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_non_geo_country_codes(const int **codes, size_t *count);

/*
 * Parse the metadata's example number of a type for a region into *out
 * (initialised): phn_number_example(&n, "SA", PHN_TYPE_MOBILE) gives
 * +966512345678. PHN_TYPE_UNKNOWN means the region's example of any type
 * (libphonenumber's GetExampleNumber). Non-geographic entities ("001")
 * have phn_number_example_non_geo().
 * Errors: PHN_EINVAL (NULL, bad type), PHN_EREGION (unknown region),
 * PHN_ENOTFOUND (the region has no example of that type, e.g. US pager),
 * PHN_EVERSION, PHN_ENOMEM, PHN_EINTERNAL.
 */
PHN_EXTERN int phn_number_example(phn_number *out, const char *region, phn_type type);

/* The example number of a non-geographic calling code (800 -> +80012345678).
 * Errors: PHN_EINVAL, PHN_ENOTFOUND (not a non-geographic code), PHN_EVERSION,
 * PHN_ENOMEM, PHN_EINTERNAL. */
PHN_EXTERN int phn_number_example_non_geo(phn_number *out, int country_code);

/* ---- numbers in free text ------------------------------------------------ */

/* How sure a match in free text must be: libphonenumber's Leniency. */
typedef enum phn_leniency {
	PHN_LENIENCY_POSSIBLE = 0,        /* a possible number */
	PHN_LENIENCY_VALID = 1,           /* a valid number (the default) */
	PHN_LENIENCY_STRICT_GROUPING = 2, /* valid, digits grouped as the region groups them */
	PHN_LENIENCY_EXACT_GROUPING = 3   /* valid, grouped exactly as the region formats it */
} phn_leniency;

/* Static name: "possible", "valid", "strict_grouping", "exact_grouping";
 * "unknown" otherwise. */
PHN_EXTERN const char *phn_leniency_name(phn_leniency leniency);

/* Parse a name as phn_leniency_name() writes it (case-insensitive; "strict"
 * and "exact" are accepted too). Errors: PHN_EINVAL, PHN_ENOTFOUND. */
PHN_EXTERN int phn_leniency_from_name(phn_leniency *out, const char *name);

/*
 * One number found in free text. Frozen as phn_number is (version 1 for the
 * life of ABI 1): start and length are byte offsets into the text given to
 * phn_number_find(); text[start..start+length) is the raw match, as
 * written ("(202) 555-0110", "٠٥٠١٢٣٤٥٦٧"). number is what parsing that
 * match gives (status VALID; at PHN_LENIENCY_POSSIBLE also POSSIBLE or
 * LOCAL_ONLY, as libphonenumber's IsPossibleNumber accepts both).
 */
typedef struct phn_match {
	unsigned int version;
	size_t start;
	size_t length;
	phn_number number;
} phn_match;

#define PHN_MATCH_VERSION 1

/* Called once per match, in text order. Return 0 to go on, a positive value
 * to stop (phn_number_find then returns PHN_OK), or a negative PHN_E* code
 * to stop with that error returned. */
typedef int (*phn_match_fn)(const phn_match *match, void *ctx);

/*
 * Longest text phn_number_find() searches, in bytes: longer text is
 * PHN_EINVAL (search it in pieces, e.g. by line). The cap bounds the time
 * of one call (under a second measured: see below), so text from outside
 * cannot stall a caller.
 */
#define PHN_FIND_TEXT_MAX (64 * 1024)

/*
 * Find the phone numbers in text[0..len) (UTF-8; need not end in NUL) as
 * libphonenumber's PhoneNumberMatcher does: numbers written in the
 * region's own way need region (NULL or "": only numbers written with + or
 * an international prefix are found), dates, amounts and times are not
 * numbers, digits in any script count. Control characters other than tab,
 * LF, FF and CR, and Unicode noncharacters, are searched as spaces (the
 * matcher would otherwise find nothing at all in a text holding one). At
 * most 65,535 candidates are tried (phonenorm's cap; the C++ default is
 * unbounded). Cost: libphonenumber's matcher re-reads the
 * rest of the text for every candidate, so time grows with the square of
 * the length (measured: 16 KiB of numbers 0.14 s, 64 KiB 0.8 s, 256 KiB
 * 7 s, 1 MiB 75 s): hence PHN_FIND_TEXT_MAX. Errors: PHN_EINVAL
 * (NULL, not UTF-8, longer than PHN_FIND_TEXT_MAX, bad leniency),
 * PHN_EREGION, PHN_ENOMEM, PHN_EINTERNAL, or what fn returned. Thread-safe.
 */
PHN_EXTERN int phn_number_find(const char *text, size_t len, const char *region,
			       phn_leniency leniency, phn_match_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* PHONENORM_NUMBER_H */
