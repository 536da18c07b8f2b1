/*
 * The list cleaner. A row is classified in two steps:
 *   classify(): everything that depends on the row alone (CSV problems,
 *     region, parsing, status, type, suppress list); safe to run on many
 *     threads because it only reads the cleaner.
 *   settle(): dedupe and counters, in input order, on one thread.
 * phn_cleaner_run() pipelines them: while the pool parses one chunk of rows,
 * the calling thread hands the previous chunk to the callback and reads the
 * next one, then joins the parsing. The output order is the input order and
 * does not depend on the number of threads.
 */
#include "phonenorm/list.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/pool.h"
#include "text/text.h"

#define CHUNK_ROWS 8192
#define CHUNK_BYTES (1024u * 1024u)
#define PARSE_BLOCK 16
#define REGION_SLOTS (26 * 26 + 2)
#define REGION_NONGEO (26 * 26)   /* "001" */
#define REGION_NONE (26 * 26 + 1) /* "" */

struct phn_cleaner {
	/* Options, copied. */
	char region[3];
	const char *region_opt; /* region or NULL */
	phn_clean_header header;
	char *phone_name;
	int phone_index;
	char *region_name;
	int region_index;
	int keep_possible;
	unsigned int types;
	const phn_dedupe_set *suppress;
	unsigned int threads;

	/* Resolved on the first record. */
	int resolved;
	int phone_col;
	int region_col;
	uint64_t records; /* records pushed, header included */

	phn_dedupe_set *seen;
	phn_clean_summary sum;
	uint64_t region_counts[REGION_SLOTS];
	int failed;
	char errmsg[256];
};

static const char *const reason_names[PHN_REJECT_REASON_COUNT] = {
	"none", "malformed_csv", "field_count", "empty", "bad_text", "bad_region",
	"not_a_number", "invalid_country_code", "too_short", "too_long", "invalid_length",
	"needs_region", "local_only", "not_valid", "type_not_allowed", "suppressed",
};

static const char *const outcome_names[] = { "clean", "rejected", "duplicate", "header" };

const char *phn_reject_reason_name(phn_reject_reason reason)
{
	return (unsigned)reason < PHN_REJECT_REASON_COUNT ? reason_names[reason] : "unknown";
}

const char *phn_row_outcome_name(phn_row_outcome outcome)
{
	return (unsigned)outcome < sizeof outcome_names / sizeof outcome_names[0]
		       ? outcome_names[outcome] : "unknown";
}

static char *dup_string(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if ((d = malloc(n)))
		memcpy(d, s, n);
	return d;
}

int phn_cleaner_new(phn_cleaner **out, const phn_clean_options *opts)
{
	phn_cleaner *c;
	int rc;

	if (!out)
		return PHN_EINVAL;
	*out = NULL;
	if (!opts)
		return PHN_EINVAL;
	if (opts->version != PHN_CLEAN_OPTIONS_VERSION)
		return PHN_EVERSION;
	if ((unsigned)opts->header > PHN_CLEAN_HEADER_NO || opts->phone_column_index < -1 ||
	    opts->region_column_index < -1)
		return PHN_EINVAL;
	if (!(c = calloc(1, sizeof *c)))
		return PHN_ENOMEM;
	if (opts->region && opts->region[0]) {
		if ((rc = phn_region_canonical(c->region, opts->region)) != PHN_OK) {
			free(c);
			return rc;
		}
		c->region_opt = c->region;
	}
	c->header = opts->header;
	c->phone_index = opts->phone_column_index;
	c->region_index = opts->region_column_index;
	c->keep_possible = opts->keep_possible;
	c->types = opts->types;
	c->suppress = opts->suppress;
	c->threads = opts->threads ? opts->threads : 1;
	c->phone_col = -1;
	c->region_col = -1;
	c->sum.version = PHN_CLEAN_SUMMARY_VERSION;
	c->sum.phone_column = -1;
	c->sum.region_column = -1;
	if ((opts->phone_column && !(c->phone_name = dup_string(opts->phone_column))) ||
	    (opts->region_column && !(c->region_name = dup_string(opts->region_column))) ||
	    phn_dedupe_set_new(&c->seen, 0) != PHN_OK) {
		phn_cleaner_free(c);
		return PHN_ENOMEM;
	}
	*out = c;
	return PHN_OK;
}

void phn_cleaner_free(phn_cleaner *c)
{
	if (!c)
		return;
	phn_dedupe_set_free(c->seen);
	free(c->phone_name);
	free(c->region_name);
	free(c);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(phn_cleaner *c, int rc, const char *fmt, ...)
{
	va_list ap;

	c->failed = rc;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- column resolution ------------------------------------------------ */

/* Lower-case ASCII letters and digits of s; other ASCII dropped, UTF-8 kept. */
static void header_key(char *dst, size_t cap, const char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 'A' && ch <= 'Z')
			dst[o++] = (char)(ch - 'A' + 'a');
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80)
			dst[o++] = (char)ch;
	}
	dst[o] = '\0';
}

/* Header names taken as the phone column, best first (as header_key makes them). */
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
	char want[64], have[64];

	header_key(want, sizeof want, name, strlen(name));
	for (size_t i = 0; i < rec->nfields; i++) {
		header_key(have, sizeof have, rec->fields[i], rec->lens[i]);
		if (strcmp(want, have) == 0)
			return (int)i;
	}
	return -1;
}

static int guess_from_header(const phn_csv_record *rec)
{
	char have[64];

	if (rec->nfields == 1)
		return 0; /* a one-column list: whatever its header says */

	for (size_t n = 0; n < sizeof phone_names / sizeof phone_names[0]; n++) {
		for (size_t i = 0; i < rec->nfields; i++) {
			header_key(have, sizeof have, rec->fields[i], rec->lens[i]);
			if (strcmp(have, phone_names[n]) == 0)
				return (int)i;
		}
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		header_key(have, sizeof have, rec->fields[i], rec->lens[i]);
		for (size_t w = 0; w < sizeof phone_words / sizeof phone_words[0]; w++) {
			if (strstr(have, phone_words[w]))
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

static int is_header(const phn_cleaner *c, const phn_csv_record *rec)
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
			return fail(c, PHN_ENOTFOUND, "the %scolumn is given by name ('%.60s'), but "
				    "the input has no header (first row: %s)", what, name, cols);
		if ((*col = find_named(rec, name)) < 0)
			return fail(c, PHN_ENOTFOUND, "no %scolumn named '%.60s' in the header "
				    "(columns: %s)", what, name, cols);
		return PHN_OK;
	}
	if ((size_t)index >= rec->nfields)
		return fail(c, PHN_ENOTFOUND, "there is no %scolumn %d: the first row has %zu",
			    what, index + 1, rec->nfields);
	*col = index;
	return PHN_OK;
}

/* Decide header and columns from the first well-formed record. 1 if rec is the header. */
static int resolve(phn_cleaner *c, const phn_csv_record *rec, int *rc)
{
	char cols[160];
	int header = is_header(c, rec);

	*rc = PHN_OK;
	list_columns(cols, sizeof cols, rec);
	if (c->phone_name || c->phone_index >= 0) {
		*rc = find_column(&c->phone_col, c, rec, header, c->phone_name, c->phone_index, "",
				  cols);
		if (*rc != PHN_OK)
			return 0;
	} else {
		c->phone_col = header ? guess_from_header(rec) : guess_from_data(c, rec);
		c->sum.phone_column_guessed = 1;
		if (c->phone_col < 0) {
			*rc = fail(c, PHN_ENOTFOUND, header
				   ? "cannot tell which column holds the phone numbers (header: %s); "
				     "name it"
				   : "no field of the first row is a phone number (%s); give the column",
				   cols);
			return 0;
		}
	}
	if (c->region_name || c->region_index >= 0) {
		*rc = find_column(&c->region_col, c, rec, header, c->region_name, c->region_index,
				  "region ", cols);
		if (*rc != PHN_OK)
			return 0;
	}
	c->resolved = 1;
	c->sum.has_header = header;
	c->sum.phone_column = c->phone_col;
	c->sum.region_column = c->region_col;
	if (header)
		snprintf(c->sum.phone_column_name, sizeof c->sum.phone_column_name, "%.*s",
			 (int)(rec->lens[c->phone_col] < 63 ? rec->lens[c->phone_col] : 63),
			 rec->fields[c->phone_col]);
	return header;
}

/* ---- classification ---------------------------------------------------- */

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return 1;
}

static phn_reject_reason reason_of_status(phn_status s)
{
	switch (s) {
	case PHN_STATUS_LOCAL_ONLY: return PHN_REJECT_LOCAL_ONLY;
	case PHN_STATUS_INVALID_COUNTRY_CODE: return PHN_REJECT_INVALID_COUNTRY_CODE;
	case PHN_STATUS_TOO_SHORT: return PHN_REJECT_TOO_SHORT;
	case PHN_STATUS_TOO_LONG: return PHN_REJECT_TOO_LONG;
	case PHN_STATUS_INVALID_LENGTH: return PHN_REJECT_INVALID_LENGTH;
	case PHN_STATUS_NEEDS_REGION: return PHN_REJECT_NEEDS_REGION;
	case PHN_STATUS_POSSIBLE: return PHN_REJECT_NOT_VALID;
	case PHN_STATUS_NOT_A_NUMBER:
	default:
		return PHN_REJECT_NOT_A_NUMBER;
	}
}

/* The row's region: the region column's value if any, else the default. */
static int row_region(const phn_cleaner *c, const phn_csv_record *rec, char buf[3],
		      const char **out)
{
	const char *s;
	size_t len;

	*out = c->region_opt;
	if (c->region_col < 0)
		return 1;
	s = rec->fields[c->region_col];
	len = rec->lens[c->region_col];
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 1;
	if (len != 2)
		return 0;
	buf[0] = s[0];
	buf[1] = s[1];
	buf[2] = '\0';
	if (phn_region_canonical(buf, buf) != PHN_OK)
		return 0;
	*out = buf;
	return 1;
}

/* A fresh row for rec with the given outcome, no reason and no number yet. */
static void row_init(phn_clean_row *row, const phn_csv_record *rec, phn_row_outcome outcome)
{
	phn_number_init(&row->number, PHN_NUMBER_VERSION);
	row->version = PHN_CLEAN_ROW_VERSION;
	row->outcome = outcome;
	row->reason = PHN_REJECT_NONE;
	row->line = rec->line;
	row->duplicate_of = 0;
	row->record = rec;
}

/* Everything about a row that does not depend on other rows. Thread-safe.
 * Returns PHN_OK or a resource error; the outcome is in *row. */
static int classify(const phn_cleaner *c, const phn_csv_record *rec, phn_clean_row *row)
{
	char regbuf[3];
	const char *region;
	const char *text;
	size_t len;
	int rc, found;

	row_init(row, rec, PHN_ROW_REJECTED);
	if (rec->problem == PHN_CSV_FIELD_COUNT) {
		row->reason = PHN_REJECT_FIELD_COUNT;
		return PHN_OK;
	}
	if (rec->problem != PHN_CSV_OK) {
		row->reason = PHN_REJECT_MALFORMED_CSV;
		return PHN_OK;
	}
	if ((size_t)c->phone_col >= rec->nfields ||
	    (c->region_col >= 0 && (size_t)c->region_col >= rec->nfields)) {
		row->reason = PHN_REJECT_FIELD_COUNT;
		return PHN_OK;
	}
	text = rec->fields[c->phone_col];
	len = rec->lens[c->phone_col];
	if (blank(text, len)) {
		row->reason = PHN_REJECT_EMPTY;
		return PHN_OK;
	}
	if (!row_region(c, rec, regbuf, &region)) {
		row->reason = PHN_REJECT_BAD_REGION;
		return PHN_OK;
	}
	rc = phn_number_parse_n(&row->number, text, len, region);
	if (rc == PHN_EINVAL) {
		row->reason = PHN_REJECT_BAD_TEXT;
		return PHN_OK;
	}
	if (rc != PHN_OK)
		return rc;
	if (row->number.status == PHN_STATUS_VALID) {
		if (c->types && !(c->types & PHN_TYPE_BIT(row->number.type))) {
			row->reason = PHN_REJECT_TYPE;
			return PHN_OK;
		}
	} else if (!(row->number.status == PHN_STATUS_POSSIBLE && c->keep_possible)) {
		row->reason = reason_of_status(row->number.status);
		return PHN_OK;
	}
	if (row->number.key == 0) {
		row->reason = PHN_REJECT_NOT_VALID;
		return PHN_OK;
	}
	if (c->suppress) {
		phn_dedupe_set_contains(&found, NULL, c->suppress, row->number.key);
		if (found) {
			row->reason = PHN_REJECT_SUPPRESSED;
			return PHN_OK;
		}
	}
	row->outcome = PHN_ROW_CLEAN; /* so far: settle() dedupes */
	return PHN_OK;
}

static size_t region_slot(const char *region)
{
	if (region[0] >= 'A' && region[0] <= 'Z' && region[1] >= 'A' && region[1] <= 'Z' &&
	    region[2] == '\0')
		return (size_t)(region[0] - 'A') * 26 + (size_t)(region[1] - 'A');
	if (strcmp(region, "001") == 0)
		return REGION_NONGEO;
	return REGION_NONE;
}

/* Dedupe and count, in input order. */
static int settle(phn_cleaner *c, phn_clean_row *row)
{
	c->sum.rows++;
	if (row->outcome == PHN_ROW_CLEAN) {
		int is_new;
		uint64_t first;
		int rc = phn_dedupe_set_insert(&is_new, &first, c->seen, row->number.key, row->line);

		if (rc != PHN_OK)
			return rc;
		if (!is_new) {
			row->outcome = PHN_ROW_DUPLICATE;
			row->duplicate_of = first;
			c->sum.duplicates++;
			return PHN_OK;
		}
		c->sum.clean++;
		c->sum.clean_by_type[(unsigned)row->number.type < PHN_TYPE_COUNT ? row->number.type : 0]++;
		if (row->number.status == PHN_STATUS_POSSIBLE)
			c->sum.clean_possible++;
		c->region_counts[region_slot(row->number.region)]++;
		return PHN_OK;
	}
	c->sum.rejected++;
	c->sum.rejected_by_reason[row->reason]++;
	return PHN_OK;
}

static void header_row(phn_clean_row *row, const phn_csv_record *rec)
{
	row_init(row, rec, PHN_ROW_HEADER);
}

int phn_cleaner_push(phn_clean_row *row, phn_cleaner *c, const phn_csv_record *rec)
{
	int rc;

	if (!row || !c || !rec || (rec->nfields > 0 && (!rec->fields || !rec->lens)))
		return PHN_EINVAL;
	if (row->version != PHN_CLEAN_ROW_VERSION || rec->version != PHN_CSV_RECORD_VERSION)
		return PHN_EVERSION;
	if (c->failed)
		return c->failed;
	c->records++;
	if (!c->resolved) {
		if (rec->problem != PHN_CSV_OK && rec->problem != PHN_CSV_FIELD_COUNT) {
			if (c->header != PHN_CLEAN_HEADER_NO)
				return fail(c, PHN_EFORMAT, "the first line (the header) is malformed "
					    "CSV (%s)", phn_csv_problem_name(rec->problem));
			/* Headerless input: a bad first row is just a rejected row. */
			rc = classify(c, rec, row);
			return rc != PHN_OK ? (c->failed = rc) : settle(c, row);
		}
		if (resolve(c, rec, &rc)) {
			header_row(row, rec);
			return PHN_OK;
		}
		if (rc != PHN_OK)
			return rc;
	}
	if ((rc = classify(c, rec, row)) != PHN_OK || (rc = settle(c, row)) != PHN_OK)
		c->failed = rc;
	return rc;
}

/* ---- threaded run ---------------------------------------------------- */

struct crow {
	size_t raw_off, raw_len;
	size_t field0; /* index of its first field in the chunk's field arrays */
	size_t nfields;
	phn_csv_problem problem;
	uint64_t line, offset;
	const char *eol;
};

struct chunk {
	char *arena;
	size_t arena_len, arena_cap;
	size_t *foff, *flen;
	const char **fptr;
	size_t nf, fcap;
	struct crow *rows;
	phn_csv_record *recs;
	phn_clean_row *out;
	size_t n, cap;
};

static void chunk_free(struct chunk *k)
{
	free(k->arena);
	free(k->foff);
	free(k->flen);
	free(k->fptr);
	free(k->rows);
	free(k->recs);
	free(k->out);
}

static int grow_array(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 256;
	void *q;

	while (n < need)
		n *= 2;
	if (n == *cap)
		return PHN_OK;
	if (!(q = realloc(*p, n * size)))
		return PHN_ENOMEM;
	*p = q;
	*cap = n;
	return PHN_OK;
}

static int chunk_reserve_fields(struct chunk *k, size_t need)
{
	size_t cap;

	if (need <= k->fcap)
		return PHN_OK;
	cap = k->fcap;
	if (grow_array((void **)&k->foff, &cap, need, sizeof *k->foff) != PHN_OK)
		return PHN_ENOMEM;
	cap = k->fcap;
	if (grow_array((void **)&k->flen, &cap, need, sizeof *k->flen) != PHN_OK)
		return PHN_ENOMEM;
	cap = k->fcap;
	if (grow_array((void **)&k->fptr, &cap, need, sizeof *k->fptr) != PHN_OK)
		return PHN_ENOMEM;
	k->fcap = cap;
	return PHN_OK;
}

static int chunk_add(struct chunk *k, const phn_csv_record *rec)
{
	size_t bytes = rec->raw_len;
	struct crow *row;

	for (size_t f = 0; f < rec->nfields; f++)
		bytes += rec->lens[f] + 1;
	if (k->arena_len + bytes > k->arena_cap) {
		size_t cap = k->arena_cap ? k->arena_cap : CHUNK_BYTES;
		char *a;
		while (cap < k->arena_len + bytes)
			cap *= 2;
		if (!(a = realloc(k->arena, cap)))
			return PHN_ENOMEM;
		k->arena = a;
		k->arena_cap = cap;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap;
		if (grow_array((void **)&k->rows, &cap, k->n + 1, sizeof *k->rows) != PHN_OK)
			return PHN_ENOMEM;
		cap = k->cap;
		if (grow_array((void **)&k->recs, &cap, k->n + 1, sizeof *k->recs) != PHN_OK)
			return PHN_ENOMEM;
		cap = k->cap;
		if (grow_array((void **)&k->out, &cap, k->n + 1, sizeof *k->out) != PHN_OK)
			return PHN_ENOMEM;
		k->cap = cap;
	}
	if (chunk_reserve_fields(k, k->nf + rec->nfields) != PHN_OK)
		return PHN_ENOMEM;
	row = &k->rows[k->n++];
	row->raw_off = k->arena_len;
	row->raw_len = rec->raw_len;
	memcpy(k->arena + k->arena_len, rec->raw, rec->raw_len);
	k->arena_len += rec->raw_len;
	row->field0 = k->nf;
	row->nfields = rec->nfields;
	for (size_t f = 0; f < rec->nfields; f++) {
		k->foff[k->nf] = k->arena_len;
		k->flen[k->nf++] = rec->lens[f];
		memcpy(k->arena + k->arena_len, rec->fields[f], rec->lens[f]);
		k->arena_len += rec->lens[f];
		k->arena[k->arena_len++] = '\0';
	}
	row->problem = rec->problem;
	row->line = rec->line;
	row->offset = rec->offset;
	row->eol = rec->eol;
	return PHN_OK;
}

/* Read up to one chunk of records; point the records into the arena. */
static int chunk_fill(struct chunk *k, phn_csv_reader *r)
{
	const phn_csv_record *rec;
	int rc = PHN_OK;

	k->n = k->nf = k->arena_len = 0;
	while (k->n < CHUNK_ROWS && k->arena_len < CHUNK_BYTES) {
		if ((rc = phn_csv_reader_next(&rec, r)) != PHN_OK || !rec)
			break;
		if ((rc = chunk_add(k, rec)) != PHN_OK)
			break;
	}
	for (size_t f = 0; f < k->nf; f++)
		k->fptr[f] = k->arena + k->foff[f];
	for (size_t i = 0; i < k->n; i++) {
		const struct crow *row = &k->rows[i];
		phn_csv_record *out = &k->recs[i];
		out->version = PHN_CSV_RECORD_VERSION;
		out->problem = row->problem;
		out->line = row->line;
		out->offset = row->offset;
		out->nfields = row->nfields;
		out->fields = k->fptr + row->field0;
		out->lens = k->flen + row->field0;
		out->raw = k->arena + row->raw_off;
		out->raw_len = row->raw_len;
		out->eol = row->eol;
	}
	return rc;
}

struct job {
	const phn_cleaner *c;
	struct chunk *k;
	atomic_int error;
};

static void classify_range(void *ctx, size_t begin, size_t end)
{
	struct job *j = ctx;

	for (size_t i = begin; i < end; i++) {
		int rc = classify(j->c, &j->k->recs[i], &j->k->out[i]);
		if (rc != PHN_OK) {
			int expected = PHN_OK;
			atomic_compare_exchange_strong(&j->error, &expected, rc);
		}
	}
}

static int emit(phn_cleaner *c, struct chunk *k, phn_clean_row_fn fn, void *payload)
{
	for (size_t i = 0; i < k->n; i++) {
		int rc = settle(c, &k->out[i]);
		if (rc != PHN_OK)
			return c->failed = rc;
		if (fn && (rc = fn(&k->out[i], payload)) != 0)
			return rc;
	}
	return PHN_OK;
}

/*
 * Push records one at a time, handing each row to fn: to the end of the
 * input, or with until_resolved only until the header and columns are known.
 */
static int run_serial(phn_cleaner *c, phn_csv_reader *r, phn_clean_row_fn fn, void *payload,
		      int until_resolved)
{
	const phn_csv_record *rec;
	phn_clean_row row;
	int rc;

	row.version = PHN_CLEAN_ROW_VERSION;
	while (!(until_resolved && c->resolved)) {
		if ((rc = phn_csv_reader_next(&rec, r)) != PHN_OK || !rec)
			return rc;
		if ((rc = phn_cleaner_push(&row, c, rec)) != PHN_OK)
			return rc;
		if (fn && (rc = fn(&row, payload)) != 0)
			return rc;
	}
	return PHN_OK;
}

static int run_parallel(phn_cleaner *c, phn_csv_reader *r, phn_clean_row_fn fn, void *payload)
{
	struct chunk chunks[2];
	struct chunk *cur = &chunks[0], *prev = &chunks[1], *t;
	struct job job;
	phn_pool *pool = NULL;
	int rc, have_prev = 0;

	memset(chunks, 0, sizeof chunks);
	job.c = c;
	if ((rc = phn_pool_new(&pool, c->threads - 1)) != PHN_OK)
		return rc;
	rc = chunk_fill(cur, r);
	c->sum.blank_lines = phn_csv_reader_blank_lines(r);
	while (rc == PHN_OK && cur->n > 0) {
		int emit_rc = PHN_OK, fill_rc = PHN_OK, parse_rc;

		job.k = cur;
		atomic_init(&job.error, PHN_OK);
		phn_pool_start(pool, classify_range, &job, cur->n, PARSE_BLOCK);
		if (have_prev)
			emit_rc = emit(c, prev, fn, payload);
		if (emit_rc == PHN_OK)
			fill_rc = chunk_fill(prev, r);
		phn_pool_finish(pool);
		parse_rc = atomic_load(&job.error);
		if (emit_rc != PHN_OK)
			rc = emit_rc;
		else if (parse_rc != PHN_OK)
			rc = c->failed = parse_rc;
		else
			rc = fill_rc;
		c->sum.blank_lines = phn_csv_reader_blank_lines(r);
		t = cur;
		cur = prev;
		prev = t;
		have_prev = 1;
		if (rc == PHN_OK && cur->n == 0)
			rc = emit(c, prev, fn, payload);
	}
	phn_pool_free(pool);
	chunk_free(&chunks[0]);
	chunk_free(&chunks[1]);
	return rc;
}

int phn_cleaner_run(phn_cleaner *c, phn_csv_reader *r, phn_clean_row_fn fn, void *payload)
{
	int rc;

	if (!c || !r)
		return PHN_EINVAL;
	if (c->failed)
		return c->failed;
	if (c->threads <= 1) {
		rc = run_serial(c, r, fn, payload, 0);
		c->sum.blank_lines = phn_csv_reader_blank_lines(r);
		return rc;
	}
	/* The header (and, without one, any malformed rows before the first
	 * good one) go one at a time: the columns must be known to parse. */
	if ((rc = run_serial(c, r, fn, payload, 1)) != PHN_OK || !c->resolved)
		return rc; /* stopped, failed, or the input ended first */
	return run_parallel(c, r, fn, payload);
}

int phn_cleaner_summary(phn_clean_summary *out, const phn_cleaner *c)
{
	if (!out || !c)
		return PHN_EINVAL;
	if (out->version != PHN_CLEAN_SUMMARY_VERSION)
		return PHN_EVERSION;
	*out = c->sum;
	return PHN_OK;
}

int phn_cleaner_region_count(char region[4], uint64_t *count, const phn_cleaner *c, size_t i)
{
	/* "001" first, then AA..ZZ, then "" (numbers in no region). */
	static const size_t order_first = REGION_NONGEO;

	if (!region || !count || !c)
		return PHN_EINVAL;
	for (size_t pass = 0, seen = 0; pass < REGION_SLOTS; pass++) {
		size_t slot = pass == 0 ? order_first : (pass <= 26 * 26 ? pass - 1 : REGION_NONE);
		if (c->region_counts[slot] == 0)
			continue;
		if (seen++ == i) {
			if (slot == REGION_NONGEO) {
				memcpy(region, "001", 4);
			} else if (slot == REGION_NONE) {
				region[0] = '\0';
			} else {
				region[0] = (char)('A' + slot / 26);
				region[1] = (char)('A' + slot % 26);
				region[2] = '\0';
			}
			*count = c->region_counts[slot];
			return PHN_OK;
		}
	}
	return PHN_ENOTFOUND;
}

const phn_dedupe_set *phn_cleaner_dedupe_set(const phn_cleaner *c)
{
	return c ? c->seen : NULL;
}

const char *phn_cleaner_errmsg(const phn_cleaner *c)
{
	return c ? c->errmsg : "";
}
