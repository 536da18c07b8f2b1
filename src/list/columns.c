/*
 * Which record is the header, and which columns hold the phone number and
 * the region. Header names compare as keys: ASCII letters lower-cased,
 * digits and UTF-8 kept, everything else (spaces, punctuation) dropped, so
 * "Mobile No." is "mobileno". Keys are compared in full, never through a
 * fixed buffer: two long names that share a prefix are two names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list/cleaner.h"

/* The next key character of s[*i..len), or -1 at the end. */
static int key_char(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		unsigned char ch = (unsigned char)s[(*i)++];
		if (ch >= 'A' && ch <= 'Z')
			return ch - 'A' + 'a';
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80)
			return ch;
	}
	return -1;
}

/* 1 if the keys of a[0..alen) and b[0..blen) are the same. */
static int same_key(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		int x = key_char(a, alen, &i), y = key_char(b, blen, &j);
		if (x != y)
			return 0;
		if (x < 0)
			return 1;
	}
}

/* 1 if word (already a key) occurs in the key of s[0..len). */
static int key_contains(const char *s, size_t len, const char *word)
{
	for (size_t start = 0; start < len; start++) {
		size_t i = start;
		const char *w = word;

		while (*w && key_char(s, len, &i) == (unsigned char)*w)
			w++;
		if (!*w)
			return 1;
	}
	return 0;
}

/* Header names taken as the phone column, best first (as keys). */
static const char *const phone_names[] = {
	"msisdn", "mobile", "mobilenumber", "mobilephone", "mobileno", "cell", "cellphone",
	"cellnumber", "phone", "phonenumber", "phoneno", "telephone", "telephonenumber",
	"tel", "telno", "numbertocall", "contactnumber", "contactphone", "whatsapp",
	"whatsappnumber", "number",
	"\xd8\xb1\xd9\x82\xd9\x85\xd8\xa7\xd9\x84\xd8\xac\xd9\x88\xd8\xa7\xd9\x84", /* رقمالجوال */
	"\xd8\xa7\xd9\x84\xd8\xac\xd9\x88\xd8\xa7\xd9\x84",                         /* الجوال */
	"\xd8\xac\xd9\x88\xd8\xa7\xd9\x84",                                         /* جوال */
	"\xd8\xb1\xd9\x82\xd9\x85\xd8\xa7\xd9\x84\xd9\x87\xd8\xa7\xd8\xaa\xd9\x81", /* رقمالهاتف */
	"\xd8\xa7\xd9\x84\xd9\x87\xd8\xa7\xd8\xaa\xd9\x81",                         /* الهاتف */
};

/* Words that make a header a phone column when no name matches exactly. */
static const char *const phone_words[] = { "msisdn", "mobile", "phone", "cell" };

static int find_named(const phn_csv_record *rec, const char *name)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		if (same_key(name, strlen(name), rec->fields[i], rec->lens[i]))
			return (int)i;
	}
	return -1;
}

static int guess_from_header(const phn_csv_record *rec)
{
	if (rec->nfields == 1)
		return 0; /* a one-column list: whatever its header says */

	for (size_t n = 0; n < sizeof phone_names / sizeof phone_names[0]; n++) {
		for (size_t i = 0; i < rec->nfields; i++) {
			if (same_key(rec->fields[i], rec->lens[i], phone_names[n],
				     strlen(phone_names[n])))
				return (int)i;
		}
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		for (size_t w = 0; w < sizeof phone_words / sizeof phone_words[0]; w++) {
			if (key_contains(rec->fields[i], rec->lens[i], phone_words[w]))
				return (int)i;
		}
	}
	return -1;
}

/* 1 if the field parses as a valid or possible number with the default region. */
static int looks_like_number(const phn_cleaner *c, const char *s, size_t len)
{
	phn_number num = PHN_NUMBER_INIT;

	return phn_number_parse_n(&num, s, len, c->region_opt) == PHN_OK &&
	       (num.status == PHN_STATUS_VALID || num.status == PHN_STATUS_POSSIBLE);
}

static int guess_from_data(const phn_cleaner *c, const phn_csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++) {
		if (looks_like_number(c, rec->fields[i], rec->lens[i]))
			return (int)i;
	}
	return -1;
}

/* The first record's fields for a message: 'a', 'b', ... (shortened). */
static void list_columns(char *dst, size_t cap, const phn_csv_record *rec)
{
	size_t o = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < rec->nfields && o + 8 < cap; i++) {
		int n = snprintf(dst + o, cap - o, "%s'%.*s'", i ? ", " : "",
				 (int)(rec->lens[i] > 40 ? 40 : rec->lens[i]), rec->fields[i]);
		if (n < 0 || (size_t)n >= cap - o) {
			dst[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
}

static int first_is_header(const phn_cleaner *c, const phn_csv_record *rec)
{
	if (c->header != PHN_CLEAN_HEADER_AUTO)
		return c->header == PHN_CLEAN_HEADER_YES;
	if ((c->phone_name && find_named(rec, c->phone_name) >= 0) ||
	    (c->region_name && find_named(rec, c->region_name) >= 0))
		return 1;
	return guess_from_data(c, rec) < 0;
}

/*
 * The column an option names, by header name or by 0-based index, in the
 * first record; what is "" for the phone column, "region " for the other.
 */
static int find_column(int *col, phn_cleaner *c, const phn_csv_record *rec, int header,
		       const char *name, int index, const char *what, const char *cols)
{
	if (name) {
		if (!header)
			return phn_cleaner_fail(c, PHN_ENOTFOUND, "the %scolumn is given by name "
						"('%s'), but the input has no header (first row: %s)",
						what, name, cols);
		if ((*col = find_named(rec, name)) < 0)
			return phn_cleaner_fail(c, PHN_ENOTFOUND, "no %scolumn named '%s' in the "
						"header (columns: %s)", what, name, cols);
		return PHN_OK;
	}
	if ((size_t)index >= rec->nfields)
		return phn_cleaner_fail(c, PHN_ENOTFOUND, "there is no %scolumn %d: the first row "
					"has %zu", what, index + 1, rec->nfields);
	*col = index;
	return PHN_OK;
}

static int resolve_phone(phn_cleaner *c, const phn_csv_record *rec, int header, const char *cols)
{
	if (c->phone_name || c->phone_index >= 0)
		return find_column(&c->phone_col, c, rec, header, c->phone_name, c->phone_index, "",
				   cols);
	c->phone_col = header ? guess_from_header(rec) : guess_from_data(c, rec);
	c->sum.phone_column_guessed = 1;
	if (c->phone_col >= 0)
		return PHN_OK;
	if (header)
		return phn_cleaner_fail(c, PHN_ENOTFOUND, "cannot tell which column holds the phone "
					"numbers (header: %s); name it", cols);
	return phn_cleaner_fail(c, PHN_ENOTFOUND, "no field of the first row is a phone number "
				"(%s); give the column", cols);
}

int phn_cleaner_resolve(int *is_header, phn_cleaner *c, const phn_csv_record *rec)
{
	char cols[160];
	int header = first_is_header(c, rec), rc;

	*is_header = 0;
	list_columns(cols, sizeof cols, rec);
	if ((rc = resolve_phone(c, rec, header, cols)) != PHN_OK)
		return rc;
	if ((c->region_name || c->region_index >= 0) &&
	    (rc = find_column(&c->region_col, c, rec, header, c->region_name, c->region_index,
			      "region ", cols)) != PHN_OK)
		return rc;
	if (header) {
		size_t len = rec->lens[c->phone_col];

		if (!(c->phone_col_name = malloc(len + 1)))
			return phn_cleaner_fail(c, PHN_ENOMEM, "%s", phn_strerror(PHN_ENOMEM));
		memcpy(c->phone_col_name, rec->fields[c->phone_col], len);
		c->phone_col_name[len] = '\0';
		c->sum.phone_column_name = c->phone_col_name;
	}
	c->resolved = 1;
	c->sum.has_header = header;
	c->sum.phone_column = c->phone_col;
	c->sum.region_column = c->region_col;
	*is_header = header;
	return PHN_OK;
}
