/*
 * The compiled fast path of the number layer. Internal.
 *
 * Three parts, one file each:
 *   shim_fp.cc  the active metadata collection (the bytes libphonenumber
 *               reads, whichever source answers) as plain C data. The only
 *               part that touches protobuf.
 *   fpdfa.c     a digit DFA compiled from libphonenumber's national-number
 *               and leading-digits patterns (a small regex subset over
 *               digits), several patterns at once, and the per-territory
 *               compiled form (thread-safe, once per territory).
 *   fastpath.c  the gate (libphonenumber version, PHONENORM_FASTPATH, the
 *               metadata identified) and the parse itself: libphonenumber's
 *               Parse + GetNumberType + IsPossibleNumberWithReason +
 *               GetRegionCodeForNumber + Format(E164) reproduced for the
 *               inputs it handles, or "not handled" (the caller falls back).
 *
 * ../shared/design/fast-path.md has the measured shape and every
 * libphonenumber behaviour the parse reproduces.
 */
#ifndef PHN_NUMBER_FASTPATH_H
#define PHN_NUMBER_FASTPATH_H

#include <stddef.h>
#include <stdint.h>

#include "phonenorm/number.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the metadata as plain data (shim_fp.cc) ----------------------------- */

/* The PhoneNumberDesc fields of PhoneMetadata, in this order. */
typedef enum phn_fp_kind {
	PHN_FP_GENERAL = 0,
	PHN_FP_FIXED_LINE,
	PHN_FP_MOBILE,
	PHN_FP_TOLL_FREE,
	PHN_FP_PREMIUM_RATE,
	PHN_FP_SHARED_COST,
	PHN_FP_PERSONAL_NUMBER,
	PHN_FP_VOIP,
	PHN_FP_PAGER,
	PHN_FP_UAN,
	PHN_FP_VOICEMAIL,
	PHN_FP_KINDS
} phn_fp_kind;

/* One PhoneNumberDesc, as libphonenumber 8.12.57 reads it. */
typedef struct phn_fp_desc {
	int present;          /* has_<kind>() */
	const char *pattern;  /* national_number_pattern; "" when it has none */
	/* possible_length: bit n set for length n (1..31); count is
	 * possible_length_size() (0: libphonenumber uses the general desc's);
	 * no_such_type: possible_length(0) == -1 (the type does not exist). */
	uint32_t lengths;
	int lengths_count;
	int no_such_type;
	uint32_t local_lengths; /* possible_length_local_only, same bits */
} phn_fp_desc;

/* One PhoneMetadata (a region or a non-geographic entity). */
typedef struct phn_fp_territory {
	char id[4];             /* "SA", "001" */
	int country_code;
	int main_country_for_code;
	int same_mobile_and_fixed_line_pattern;
	/* "" when absent. */
	const char *international_prefix;
	const char *national_prefix;
	const char *national_prefix_for_parsing;
	const char *national_prefix_transform_rule;
	const char *leading_digits;
	phn_fp_desc desc[PHN_FP_KINDS];
} phn_fp_territory;

/* The collection libphonenumber answers with, in its order. */
typedef struct phn_fp_collection {
	size_t count;
	const phn_fp_territory *territories; /* metadata order */
	/* Per calling code 0..999: the territories that share it, in
	 * libphonenumber's GetRegionCodesForCountryCallingCode order (main
	 * country first); by_code_start[cc] .. by_code_start[cc + 1] index
	 * by_code. A non-geographic code lists its "001" entry. */
	const uint16_t *by_code;       /* territory indices */
	const uint32_t *by_code_start; /* 1001 entries */
	/* Territory index of each two-letter region, (c0-'A')*26+(c1-'A');
	 * -1 for none. */
	const int16_t *by_region;      /* 676 entries */
	/* Which data this is: PHN_METADATA_BUNDLED or _SYSTEM, its upstream
	 * version, and a fingerprint of its bytes (FNV-1a 64). */
	phn_metadata_source source;
	const char *upstream_version;
	uint64_t fingerprint;
	/* FNV-1a 64 of libphonenumber's own compiled-in (system) bytes, and
	 * their size: identifies the libphonenumber build that runs. 0 when
	 * they could not be reached. */
	uint64_t system_fingerprint;
	size_t system_size;
} phn_fp_collection;

/*
 * The collection that answers (the self-check's verdict), built once and
 * kept for the life of the process. PHN_ESTATE (message says why) when the
 * data that answers is not identified (neither bundled nor system, or
 * mixed): the fast path must then stay off. PHN_ENOMEM, PHN_EINTERNAL.
 * Thread-safe.
 */
int phn_shim_fp_collection(const phn_fp_collection **out);

/* ---- digit DFAs (fpdfa.c) -------------------------------------------------- */

typedef struct phn_fp_dfa phn_fp_dfa;

#define PHN_FP_DFA_MAX_PATTERNS 32

/*
 * Compile n (<= 32) patterns into one DFA over the digits 0-9. Pattern i
 * sets bit i of phn_fp_dfa_match()'s answer: when prefix[i] is 0, if it
 * matches the whole input (ICU matches()); when prefix[i] is 1, if it
 * matches some prefix of it (ICU lookingAt(), libphonenumber's Consume).
 * An empty or NULL pattern never matches. PHN_EINVAL with a message naming
 * the pattern and the construct when a pattern is outside the supported
 * subset (the territory then falls back); PHN_ENOMEM.
 */
int phn_fp_dfa_compile(phn_fp_dfa **out, const char *const *patterns, const int *prefix,
		       size_t n);

/* Bit i: pattern i matches digits[0..len) (ASCII '0'-'9' only). */
uint32_t phn_fp_dfa_match(const phn_fp_dfa *dfa, const char *digits, size_t len);

/* States and bytes, for the start-up figures. */
size_t phn_fp_dfa_states(const phn_fp_dfa *dfa);
size_t phn_fp_dfa_bytes(const phn_fp_dfa *dfa);

void phn_fp_dfa_free(phn_fp_dfa *dfa);

/* Bits of a territory's DFA: PHN_FP_GENERAL .. PHN_FP_VOICEMAIL (whole
 * match of each desc's pattern), then its leading digits (prefix match). */
#define PHN_FP_BIT_LEADING PHN_FP_KINDS

/* One territory, compiled. */
typedef struct phn_fp_compiled {
	const phn_fp_territory *t;
	const phn_fp_dfa *dfa; /* NULL when a pattern did not compile */
	/* The fast path may parse with this territory as the region the
	 * number is read in: its international prefix and national prefix
	 * for parsing are plain digit strings and it has no transform rule. */
	int parse_ok;
} phn_fp_compiled;

/*
 * Territory index (into the collection) compiled, compiling it on first
 * use (once, whatever the threads). NULL on a resource failure (message
 * set) — the caller falls back.
 */
const phn_fp_compiled *phn_fp_territory_compiled(size_t index);

/* Compile all; counters for phn_fastpath_get_info(). */
int phn_fp_compile_all(void);
void phn_fp_compile_stats(int *compiled, int *handled, double *seconds);

/* ---- the parse (fastpath.c) ------------------------------------------------ */

/* The one libphonenumber version the parse reproduces. */
#define PHN_FP_VERIFIED_ENGINE "8.12.57"

/*
 * 1 when the fast path is on in this process (decided once: version gate,
 * PHONENORM_FASTPATH, the collection identified), else 0 with *why (static
 * or process-lifetime string) set if why is not NULL.
 */
int phn_fp_enabled(const char **why);

/*
 * When the fast path is on: *territories in the collection and how many of
 * them it reads numbers in as the default region (an international prefix
 * and a national prefix for parsing it can read -- digit strings,
 * alternations of them, or patterns in the DFA's digit subset -- and no
 * transform rule);
 * returns 1. 0 (nothing set) when it is off.
 */
int phn_fp_territory_counts(int *territories, int *handled);

/*
 * Parse text[0..len) (valid UTF-8 of at most PHN_INPUT_MAX characters;
 * region upper-case and known, or NULL) into *out (reset by the caller).
 * Returns 1 when the fast path answered (*out is exactly what
 * libphonenumber gives), 0 when the input is outside what it handles
 * (*out is reset again; the caller asks libphonenumber), or a negative
 * PHN_E* on a resource failure.
 */
int phn_fp_parse(phn_number *out, const char *text, size_t len, const char *region);

#ifdef __cplusplus
}
#endif

#endif /* PHN_NUMBER_FASTPATH_H */
