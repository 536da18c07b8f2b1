/*
 * The bundled metadata (data/metadata/, converted at build time into
 * metadata_data.c by tools/metadata/embed.py). Internal.
 */
#ifndef PHN_NUMBER_METADATA_DATA_H
#define PHN_NUMBER_METADATA_DATA_H

#ifdef __cplusplus
extern "C" {
#endif

/* Upstream version ("9.0.35"), tag commit and date (YYYY-MM-DD). */
extern const char phn_md_version[];
extern const char phn_md_commit[];
extern const char phn_md_date[];

/* Serialized PhoneMetadataCollection: main, short-number, alternate formats. */
extern const unsigned char phn_md_main[];
extern const int phn_md_main_size;
extern const unsigned char phn_md_short[];
extern const int phn_md_short_size;
extern const unsigned char phn_md_alternate[];
extern const int phn_md_alternate_size;

#ifdef __cplusplus
}
#endif

#endif /* PHN_NUMBER_METADATA_DATA_H */
