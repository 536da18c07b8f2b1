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

#ifdef __cplusplus
}
#endif

#endif /* PHN_NUMBER_SHIM_H */
