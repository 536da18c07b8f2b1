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

/*
 * 1 if the field looks like data rather than a name: it holds a digit and
 * nothing but digits (ASCII, Arabic-Indic or Extended Arabic-Indic),
 * spaces and phone or date punctuation. A number that does not parse for
 * lack of a region (0501234567 without -c) is still no column name; a name
 * has a letter ("phone 2", "Q3").
 */
static int looks_like_data(const char *s, size_t len)
{
	int digit = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		unsigned char next = i + 1 < len ? (unsigned char)s[i + 1] : 0;

		if (ch >= '0' && ch <= '9') {
			digit = 1;
		} else if ((ch == 0xD9 && next >= 0xA0 && next <= 0xA9) ||
			   (ch == 0xDB && next >= 0xB0 && next <= 0xB9)) {
			digit = 1; /* Arabic-Indic and Extended Arabic-Indic digits */
			i++;
		} else if (ch == 0 || ch >= 0x80 || !strchr(" \t+-().,/#*", ch)) {
			return 0; /* a letter (of any script) or other text */
		}
	}
	return digit;
}

static int first_is_header(const phn_cleaner *c, const phn_csv_record *rec)
{
	if (c->header != PHN_CLEAN_HEADER_AUTO)
		return c->header == PHN_CLEAN_HEADER_YES;
	if ((c->phone_name && find_named(rec, c->phone_name) >= 0) ||
	    (c->region_name && find_named(rec, c->region_name) >= 0))
		return 1;
	for (size_t i = 0; i < rec->nfields; i++) {
		if (looks_like_data(rec->fields[i], rec->lens[i]))
			return 0;
	}
	return guess_from_data(c, rec) < 0;
}

/* The first record for showing with the header guess: escaped, cut. */
int phn_cleaner_keep_first_row(phn_cleaner *c, const phn_csv_record *rec)
{
	const size_t show = 60;
	char *d;
	size_t o = 0, n = rec->raw_len < show ? rec->raw_len : show;

	if (c->first_row)
		return PHN_OK;
	/* UTF-8: do not cut inside a character */
	while (n < rec->raw_len && n > 0 && ((unsigned char)rec->raw[n] & 0xC0) == 0x80)
		n--;
	if (!(d = malloc(4 * n + 4)))
		return phn_cleaner_fail(c, PHN_ENOMEM, "%s", phn_strerror(PHN_ENOMEM));
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)rec->raw[i];

		if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
			d[o++] = '\\';
			d[o++] = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
		} else if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(d + o, 5, "\\x%02x", ch);
		} else {
			d[o++] = (char)ch;
		}
	}
	if (n < rec->raw_len) {
		memcpy(d + o, "...", 3);
		o += 3;
	}
	d[o] = '\0';
	c->first_row = d;
	c->sum.first_row = d;
	return PHN_OK;
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
	/* One column (plain text): it is the phone column, whatever row 1 holds. */
	c->phone_col = header ? guess_from_header(rec)
			      : rec->nfields == 1 ? 0 : guess_from_data(c, rec);
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
	if (c->region_col >= 0) {
		/* Every row's region cell is checked against this table, built
		 * once, rather than looked up in the metadata per row. */
		for (int i = 0; i < 26 * 26; i++) {
			const char code[3] = { (char)('A' + i / 26), (char)('A' + i % 26), '\0' };

			c->region_known[i] = (unsigned char)phn_region_is_known(code);
		}
	}
	c->resolved = 1;
	c->sum.has_header = header;
	c->sum.header_guessed = c->header == PHN_CLEAN_HEADER_AUTO;
	c->sum.phone_column = c->phone_col;
	c->sum.region_column = c->region_col;
	*is_header = header;
	return PHN_OK;
}
