/*
 * The C side of the libphonenumber shim (shim.cc). Internal.
 */
#ifndef PHN_NUMBER_SHIM_H
#define PHN_NUMBER_SHIM_H

#include <stddef.h>

#include "phonenorm/number.h"

#ifdef __cplusplus
extern "C" {
#endif

/* phn_metadata_select() once source is checked; the choice is fixed at first use. */
int phn_shim_metadata_select(phn_metadata_source source);

/* Fill *out (version checked by the caller) from the self-check, running it
 * (and loading the metadata) if nothing has yet. */
int phn_shim_metadata_info(phn_metadata_info *out);

/* Upstream version of the data that answers ("unknown" if neither). */
const char *phn_shim_metadata_version(void);

/* The bytes of the main metadata that answers (a serialized
 * PhoneMetadataCollection; the self-check's verdict in *source), and
 * libphonenumber's own compiled-in bytes in *system (NULL, 0 when they
 * cannot be reached). PHN_ESTATE (message says why) when the data that
 * answers is not identified as exactly the bundled or libphonenumber's own:
 * *bytes is then NULL. Static data, valid for the life of the process. */
int phn_shim_metadata_bytes(const void **bytes, size_t *size, phn_metadata_source *source,
			    const void **system, size_t *system_size);

/* Country calling code of an upper-case two-letter region, 0 if unknown. */
int phn_shim_region_code(const char *upper);

/* Parse into *out, which the caller has reset. region: upper-case and known, or NULL. */
int phn_shim_parse(phn_number *out, const char *text, size_t len, const char *region);

/* Format a parsed number; from_region (upper-case, known) selects out-of-country. */
int phn_shim_format(char *dst, size_t cap, size_t *needed, const phn_number *num,
		    phn_format format, const char *from_region);

/* Fill *out (reset by the caller). region: upper-case and known, or NULL. */
int phn_shim_info(phn_info *out, const phn_number *num, const char *region);

/* The geocoder's description of num in language (a checked tag). */
int phn_shim_location(char *dst, size_t cap, size_t *needed, const phn_number *num,
		      const char *language);

/* The sorted region list and the non-geographic calling codes: static, built once. */
int phn_shim_region_list(const char *const **regions, size_t *count);
int phn_shim_non_geo_codes(const int **codes, size_t *count);

/* Fill *out (reset by the caller) with an example number. region: upper-case
 * and known; type PHN_TYPE_UNKNOWN: any type. PHN_ENOTFOUND when none. */
int phn_shim_example(phn_number *out, const char *region, phn_type type);
int phn_shim_example_non_geo(phn_number *out, int country_code);

/* PhoneNumberMatcher over text[0..len), checked UTF-8 of at most
 * PHN_FIND_TEXT_MAX bytes; region: upper-case and known, or NULL; leniency
 * and fn checked. */
int phn_shim_find(const char *text, size_t len, const char *region, phn_leniency leniency,
		  phn_match_fn fn, void *ctx);

#ifdef __cplusplus
}

/* Inside a catch (...) of a shim function: the exception in flight as a
 * PHN_E* code with the thread's message set (std::bad_alloc is PHN_ENOMEM,
 * anything else PHN_EINTERNAL naming what libphonenumber threw). */
int phn_shim_error_from_exception();
#endif

#endif /* PHN_NUMBER_SHIM_H */
