/*
 * The list into the journal: cleaned with the public cleaner exactly as
 * `phonenorm clean` cleans it, streamed row by row (memory does not grow
 * with the list), each row with its mapped request fields and time zones.
 * A journal keeps the list's SHA-256 and the options it was loaded with, so
 * that a later run on another list is refused instead of mixing two.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* getrandom, strdup, strndup, clock_gettime */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "campaign/dialer_internal.h"
#include "text/error.h"

/* ---- hashing -------------------------------------------------------- */

struct hashing_reader {
	int fd;
	const char *path;
	EVP_MD_CTX *md;
	int err;
};

static int64_t hashing_read(char *buf, size_t cap, void *payload)
{
	struct hashing_reader *h = payload;
	ssize_t n;

	do
		n = read(h->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		h->err = errno;
		return -1;
	}
	if (n > 0 && h->md && EVP_DigestUpdate(h->md, buf, (size_t)n) != 1) {
		h->err = EIO;
		return -1;
	}
	return n;
}

static void hex_digest(char hex[65], EVP_MD_CTX *md)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(md, d, &n);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	hex[64] = '\0';
}

static int open_list(int *fd, const char *path)
{
	do
		*fd = open(path, O_RDONLY | O_CLOEXEC);
	while (*fd < 0 && errno == EINTR);
	if (*fd < 0)
		return phn_error_set_errno(PHN_EIO, errno, "list '%s'", path);
	return PHN_OK;
}

int dl_file_sha256(char hex[65], const char *path)
{
	struct hashing_reader h = { -1, path, NULL, 0 };
	char buf[1 << 16];
	int64_t n;
	int rc;

	if ((rc = open_list(&h.fd, path)) != PHN_OK)
		return rc;
	if (!(h.md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(h.md, EVP_sha256(), NULL) != 1) {
		close(h.fd);
		EVP_MD_CTX_free(h.md);
		return phn_error_set(PHN_EINTERNAL, "list '%s': SHA-256 is not available", path);
	}
	while ((n = hashing_read(buf, sizeof buf, &h)) > 0)
		;
	close(h.fd);
	if (n < 0) {
		EVP_MD_CTX_free(h.md);
		return phn_error_set_errno(PHN_EIO, h.err, "read '%s'", path);
	}
	hex_digest(hex, h.md);
	EVP_MD_CTX_free(h.md);
	return PHN_OK;
}

/* The do-not-call set's digest: SHA-256 of its keys (E.164 digits as
 * numbers), ascending, 8 bytes big-endian each; that of no key without
 * --suppress. *keys (if not NULL) gets the sorted keys (malloc'd), *n their
 * count. */
int dl_suppress_digest(char hex[65], uint64_t **keys, size_t *n, const phn_dialer *dl)
{
	const phn_dedupe_set *set = dl->clean.suppress;
	size_t count = phn_dedupe_set_count(set), got = 0;
	uint64_t *k = NULL;
	EVP_MD_CTX *md;
	int rc = PHN_OK;

	if (keys)
		*keys = NULL;
	*n = 0;
	if (count && !(k = malloc(count * sizeof *k)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	if (count && (rc = phn_dedupe_set_keys(k, count, &got, set)) != PHN_OK) {
		free(k);
		return rc;
	}
	if (!(md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		free(k);
		return phn_error_set(PHN_EINTERNAL, "--suppress: SHA-256 is not available");
	}
	for (size_t i = 0; i < got; i++) {
		unsigned char b[8];

		for (int j = 0; j < 8; j++)
			b[j] = (unsigned char)(k[i] >> (56 - 8 * j));
		EVP_DigestUpdate(md, b, sizeof b);
	}
	hex_digest(hex, md);
	EVP_MD_CTX_free(md);
	if (keys)
		*keys = k;
	else
		free(k);
	*n = got;
	return rc;
}

/* ---- the options a journal is loaded with ----------------------------- */

static const char *const field_keys[DL_FIELD_COUNT] = {
	"first_name_column", "last_name_column", "email_column", "contact_uuid_column",
	"timezone_column", "invoice_number_column", "invoice_date_column",
	"invoice_due_date_column", "invoice_total_column"
};

static void norm_name(char *dst, size_t cap, const char *s, size_t len);
static int all_digits(const char *s);

/* A column name as it is matched against the header (the cleaner's key:
 * ASCII letters lower case, only letters, digits and non-ASCII bytes), so
 * that "First Name" and "first_name" are the same option. A column number,
 * or a name whose key would read as one, is kept as given. */
static cJSON *column_json(const char *spec)
{
	char key[1024];

	if (!spec)
		return cJSON_CreateNull();
	if (all_digits(spec))
		return cJSON_CreateString(spec);
	norm_name(key, sizeof key, spec, strlen(spec));
	if (!key[0] || all_digits(key) || strlen(spec) >= sizeof key)
		return cJSON_CreateString(spec);
	return cJSON_CreateString(key);
}

/* The region as the library takes it: upper case ("sa" is "SA"). */
static cJSON *region_json(const char *region)
{
	char up[16];
	size_t i;

	if (!region)
		return cJSON_CreateNull();
	for (i = 0; region[i] && i + 1 < sizeof up; i++)
		up[i] = (region[i] >= 'a' && region[i] <= 'z') ? (char)(region[i] - 'a' + 'A')
							       : region[i];
	up[i] = '\0';
	return cJSON_CreateString(region[i] ? region : up);
}

static cJSON *pairs_json(const phn_dispatch_kv *kv, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++) {
		cJSON *p = cJSON_CreateArray();
		cJSON_AddItemToArray(p, cJSON_CreateString(kv[i].key));
		cJSON_AddItemToArray(p, column_json(kv[i].value));
		cJSON_AddItemToArray(a, p);
	}
	return a;
}

int dl_options_json(char **out, const phn_dialer *dl)
{
	cJSON *o = cJSON_CreateObject();
	char delim[8];

	*out = NULL;
	if (!o)
		return phn_error_set(PHN_ENOMEM, "out of memory");
	if (dl->csv.sniff_delimiter)
		snprintf(delim, sizeof delim, "sniff");
	else if (dl->csv.delimiter == '\0')
		snprintf(delim, sizeof delim, "text");
	else
		snprintf(delim, sizeof delim, "%c", dl->csv.delimiter);
	cJSON_AddItemToObject(o, "delimiter", cJSON_CreateString(delim));
	cJSON_AddNumberToObject(o, "max_record", (double)dl->csv.max_record);
	cJSON_AddItemToObject(o, "region", region_json(dl->clean.region));
	cJSON_AddNumberToObject(o, "header", (double)dl->clean.header);
	cJSON_AddItemToObject(o, "phone_column", column_json(dl->clean.phone_column));
	cJSON_AddNumberToObject(o, "phone_column_index", dl->clean.phone_column_index);
	cJSON_AddItemToObject(o, "region_column", column_json(dl->clean.region_column));
	cJSON_AddNumberToObject(o, "region_column_index", dl->clean.region_column_index);
	cJSON_AddBoolToObject(o, "keep_possible", dl->clean.keep_possible != 0);
	cJSON_AddNumberToObject(o, "types", (double)dl->clean.types);
	for (int i = 0; i < DL_FIELD_COUNT; i++)
		cJSON_AddItemToObject(o, field_keys[i], column_json(dl->columns[i]));
	cJSON_AddItemToObject(o, "tags", pairs_json(dl->tags, dl->tags_count));
	cJSON_AddItemToObject(o, "meta", pairs_json(dl->meta, dl->meta_count));
	*out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return *out ? PHN_OK : phn_error_set(PHN_ENOMEM, "out of memory");
}

/* "region ('SA' then, 'US' now), tags" */
static void options_diff(char *dst, size_t cap, const char *then, const char *now)
{
	cJSON *a = cJSON_Parse(then), *b = cJSON_Parse(now), *x;
	size_t len = 0;

	dst[0] = '\0';
	if (!a || !b) {
		snprintf(dst, cap, "options");
		goto out;
	}
	cJSON_ArrayForEach(x, b) {
		cJSON *y = cJSON_GetObjectItemCaseSensitive(a, x->string);
		char *s1, *s2;

		if (y && cJSON_Compare(x, y, 1))
			continue;
		s1 = y ? cJSON_PrintUnformatted(y) : NULL;
		s2 = cJSON_PrintUnformatted(x);
		if (len < cap)
			len += (size_t)snprintf(dst + len, cap - len, "%s%s (%s then, %s now)",
						len ? ", " : "", x->string, s1 ? s1 : "absent",
						s2 ? s2 : "?");
		free(s1);
		free(s2);
	}
	if (!dst[0])
		snprintf(dst, cap, "options");
out:
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- column mapping ---------------------------------------------------- */

/* Lower-case letters and digits only: "First Name" == "first_name" == "firstName". */
static void norm_name(char *dst, size_t cap, const char *s, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < len && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			dst[k++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
			dst[k++] = (char)c;
	}
	dst[k] = '\0';
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Resolve a column spec against the header (NULL when there is none). */
static int resolve_column(int *col, const char *spec, const char *what,
			  const phn_csv_record *hdr)
{
	char want[256], have[256];

	*col = -1;
	if (!spec)
		return PHN_OK;
	if (all_digits(spec)) {
		long v = strtol(spec, NULL, 10);
		if (v < 1 || v > 1000000)
			return phn_error_set(PHN_EINVAL, "%s %s: column numbers start at 1", what,
					     spec);
		*col = (int)(v - 1);
		return PHN_OK;
	}
	if (!hdr)
		return phn_error_set(PHN_EINVAL, "%s '%s': the list has no header; give the "
				     "column's number", what, spec);
	norm_name(want, sizeof want, spec, strlen(spec));
	for (size_t i = 0; i < hdr->nfields; i++) {
		norm_name(have, sizeof have, hdr->fields[i], hdr->lens[i]);
		if (strcmp(want, have) == 0) {
			*col = (int)i;
			return PHN_OK;
		}
	}
	return phn_error_set(PHN_ENOTFOUND, "%s: no column named '%s' in the header", what,
			     spec);
}

/* Header names a field is guessed from when no column is given for it. */
static const char *const guess_names[DL_FIELD_COUNT][6] = {
	[DL_FIRST_NAME] = { "firstname", "givenname", "first", NULL },
	[DL_LAST_NAME] = { "lastname", "surname", "familyname", "last", NULL },
	[DL_EMAIL] = { "email", "emailaddress", "mail", NULL },
	[DL_CONTACT_UUID] = { "contactuuid", NULL },
};

static int guess_column(const phn_csv_record *hdr, int f)
{
	char have[256];

	if (!hdr)
		return -1;
	for (size_t i = 0; i < hdr->nfields; i++) {
		norm_name(have, sizeof have, hdr->fields[i], hdr->lens[i]);
		for (int k = 0; guess_names[f][k]; k++)
			if (strcmp(have, guess_names[f][k]) == 0)
				return (int)i;
	}
	return -1;
}

struct scan {
	phn_dialer *dl;
	dl_row_cb cb;
	void *payload;
	const phn_cleaner *cleaner;
	int resolved;
	int phone_col;
	int cols[DL_FIELD_COUNT];
	int *tag_cols, *meta_cols;
	int err; /* a PHN_E* code the callback failed with */
};

static int resolve_all(struct scan *s, const phn_csv_record *hdr)
{
	static const char *const what[DL_FIELD_COUNT] = {
		"--first-name-column", "--last-name-column", "--email-column",
		"--contact-uuid-column", "--timezone-column", "--invoice number",
		"--invoice date", "--invoice dueDate", "--invoice total"
	};
	phn_dialer *dl = s->dl;
	phn_clean_summary sum = PHN_CLEAN_SUMMARY_INIT;
	int rc;

	phn_cleaner_summary(&sum, s->cleaner);
	s->phone_col = sum.phone_column;
	for (int f = 0; f < DL_FIELD_COUNT; f++) {
		if ((rc = resolve_column(&s->cols[f], dl->columns[f], what[f], hdr)) != PHN_OK)
			return rc;
		if (!dl->columns[f] && f <= DL_CONTACT_UUID)
			s->cols[f] = guess_column(hdr, f);
	}
	for (size_t i = 0; i < dl->tags_count; i++)
		if ((rc = resolve_column(&s->tag_cols[i], dl->tags[i].value, "--tag", hdr)) != PHN_OK)
			return rc;
	for (size_t i = 0; i < dl->meta_count; i++)
		if ((rc = resolve_column(&s->meta_cols[i], dl->meta[i].value, "--meta", hdr)) != PHN_OK)
			return rc;
	s->resolved = 1;
	return PHN_OK;
}

/* A cell of the record, trimmed; NULL when absent or blank. */
static char *cell(const phn_csv_record *rec, int col)
{
	const char *s;
	size_t n;
	char *out;

	if (col < 0 || (size_t)col >= rec->nfields ||
	    (rec->problem != PHN_CSV_OK && rec->problem != PHN_CSV_FIELD_COUNT))
		return NULL;
	s = rec->fields[col];
	n = rec->lens[col];
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (!n || memchr(s, '\0', n))
		return NULL;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static void add_cell(cJSON *o, const char *key, const phn_csv_record *rec, int col)
{
	char *v = cell(rec, col);

	if (v)
		cJSON_AddItemToObject(o, key, cJSON_CreateString(v));
	free(v);
}

static cJSON *pairs_object(const phn_dispatch_kv *kv, const int *cols, size_t n,
			   const phn_csv_record *rec)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o && i < n; i++)
		add_cell(o, kv[i].key, rec, cols[i]);
	return o;
}

static char *fields_json(struct scan *s, const phn_csv_record *rec)
{
	phn_dialer *dl = s->dl;
	cJSON *o = cJSON_CreateObject(), *inv;
	char *out;

	if (!o)
		return NULL;
	add_cell(o, "firstName", rec, s->cols[DL_FIRST_NAME]);
	add_cell(o, "lastName", rec, s->cols[DL_LAST_NAME]);
	add_cell(o, "email", rec, s->cols[DL_EMAIL]);
	add_cell(o, "contactUuid", rec, s->cols[DL_CONTACT_UUID]);
	if (dl->tags_count)
		cJSON_AddItemToObject(o, "promptTags",
				      pairs_object(dl->tags, s->tag_cols, dl->tags_count, rec));
	if (dl->meta_count)
		cJSON_AddItemToObject(o, "metadata",
				      pairs_object(dl->meta, s->meta_cols, dl->meta_count, rec));
	if (dl_invoice_flow(dl)) {
		inv = cJSON_CreateObject();
		add_cell(inv, "number", rec, s->cols[DL_INV_NUMBER]);
		add_cell(inv, "date", rec, s->cols[DL_INV_DATE]);
		add_cell(inv, "dueDate", rec, s->cols[DL_INV_DUE_DATE]);
		add_cell(inv, "total", rec, s->cols[DL_INV_TOTAL]);
		cJSON_AddItemToObject(o, "invoice", inv);
	}
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

/* The row's zones, '&'-joined, into buf: its --timezone-column cell when
 * ICU knows it, else the number's. */
static void row_zones(char *buf, size_t cap, struct scan *s, const phn_csv_record *rec,
		      const phn_number *num)
{
	const char *const *zones = NULL;
	size_t n = 0, len = 0;
	char *tz = cell(rec, s->cols[DL_TIMEZONE]);

	buf[0] = '\0';
	if (tz && phn_timezone_known(tz) == 1 && strlen(tz) < cap) {
		snprintf(buf, cap, "%s", tz);
		free(tz);
		return;
	}
	free(tz);
	if (phn_number_timezones(&zones, &n, num) != PHN_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t zl = strlen(zones[i]);
		if (len + zl + 2 > cap)
			break;
		if (len)
			buf[len++] = '&';
		memcpy(buf + len, zones[i], zl);
		len += zl;
		buf[len] = '\0';
	}
}

static int on_clean_row(const phn_clean_row *row, void *payload)
{
	struct scan *s = payload;
	const phn_csv_record *rec = row->record;
	const phn_number *num = row->number;
	struct jrow jr;
	char zones[512], type[32];
	char *input = NULL, *fields = NULL;
	int rc;

	if (!s->resolved) {
		rc = resolve_all(s, row->outcome == PHN_ROW_HEADER ? rec : NULL);
		if (rc != PHN_OK) {
			s->err = rc;
			return rc;
		}
	}
	if (row->outcome == PHN_ROW_HEADER)
		return 0;
	memset(&jr, 0, sizeof jr);
	jr.line = rec->line;
	switch (row->outcome) {
	case PHN_ROW_CLEAN: jr.state = J_PENDING; break;
	case PHN_ROW_DUPLICATE: jr.state = J_DUPLICATE; break;
	default:
		jr.state = row->reason == PHN_REJECT_SUPPRESSED ? J_SUPPRESSED : J_INVALID;
		jr.reason = phn_reject_reason_name(row->reason);
		break;
	}
	jr.duplicate_of = row->outcome == PHN_ROW_DUPLICATE ? row->duplicate_of : 0;
	if (s->phone_col >= 0 && (size_t)s->phone_col < rec->nfields &&
	    (rec->problem == PHN_CSV_OK || rec->problem == PHN_CSV_FIELD_COUNT) &&
	    !memchr(rec->fields[s->phone_col], '\0', rec->lens[s->phone_col]))
		jr.input = input = strndup(rec->fields[s->phone_col], rec->lens[s->phone_col]);
	if (num && (num->status == PHN_STATUS_VALID || num->status == PHN_STATUS_POSSIBLE) &&
	    num->e164[0]) {
		jr.e164 = num->e164;
		jr.region = num->region;
		jr.number_key = num->key;
		if (num->status == PHN_STATUS_VALID) {
			snprintf(type, sizeof type, "%s", phn_type_name(num->type));
			jr.type = type;
		}
	}
	if (jr.state == J_PENDING) {
		row_zones(zones, sizeof zones, s, rec, num);
		jr.zones = zones;
		if (!(jr.fields_json = fields = fields_json(s, rec))) {
			free(input);
			s->err = phn_error_set(PHN_ENOMEM, "out of memory");
			return s->err;
		}
	}
	rc = s->cb(&jr, s->payload);
	free(input);
	free(fields);
	if (rc)
		s->err = rc < 0 ? rc : PHN_EINTERNAL;
	return rc;
}

int dl_scan_list(phn_dialer *dl, char sha256[65], dl_row_cb cb, void *payload)
{
	struct hashing_reader h = { -1, dl->list_path, NULL, 0 };
	phn_csv_reader *r = NULL;
	phn_cleaner *c = NULL;
	struct scan s;
	int rc;

	memset(&s, 0, sizeof s);
	s.dl = dl;
	s.cb = cb;
	s.payload = payload;
	s.phone_col = -1;
	if ((dl->tags_count && !(s.tag_cols = calloc(dl->tags_count, sizeof(int)))) ||
	    (dl->meta_count && !(s.meta_cols = calloc(dl->meta_count, sizeof(int))))) {
		rc = phn_error_set(PHN_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = open_list(&h.fd, dl->list_path)) != PHN_OK)
		goto out;
	if (sha256 && (!(h.md = EVP_MD_CTX_new()) ||
		       EVP_DigestInit_ex(h.md, EVP_sha256(), NULL) != 1)) {
		rc = phn_error_set(PHN_EINTERNAL, "SHA-256 is not available");
		goto out;
	}
	if ((rc = phn_csv_reader_from_callback(&r, hashing_read, &h, &dl->csv)) != PHN_OK ||
	    (rc = phn_cleaner_new(&c, &dl->clean)) != PHN_OK)
		goto out;
	s.cleaner = c;
	rc = phn_cleaner_run(c, r, on_clean_row, &s);
	if (rc != PHN_OK && s.err)
		rc = s.err;
	else if (rc == PHN_EIO && h.err)
		rc = phn_error_set_errno(PHN_EIO, h.err, "read '%s'", dl->list_path);
	else if (rc != PHN_OK)
		rc = phn_error_set(phn_error_code(rc), "list '%s': %s", dl->list_path,
				   phn_error_last());
	if (rc == PHN_OK && sha256)
		hex_digest(sha256, h.md);
out:
	phn_cleaner_free(c);
	phn_csv_reader_free(r);
	if (h.fd >= 0)
		close(h.fd);
	EVP_MD_CTX_free(h.md);
	free(s.tag_cols);
	free(s.meta_cols);
	return rc;
}

/* ---- loading --------------------------------------------------------- */

struct loading {
	phn_dialer *dl;
	uint64_t rows;
};

static int load_row(const struct jrow *row, void *payload)
{
	struct loading *l = payload;
	int rc = journal_load_row(l->dl->j, row);

	if (rc != PHN_OK)
		return rc;
	if (++l->rows % 50000 == 0) {
		phn_dial_event ev;

		memset(&ev, 0, sizeof ev);
		ev.kind = PHN_DIAL_EVENT_LOADING;
		ev.count = l->rows;
		dl_emit(l->dl, &ev);
	}
	if (l->dl->stop)
		return phn_error_set(PHN_EINTERNAL, "journal '%s': loading stopped at row %" PRIu64
				     "; the next run loads the list again", l->dl->journal_path,
				     l->rows);
	return PHN_OK;
}

static int check_loaded(phn_dialer *dl)
{
	const char *v;
	char *sha, *name, diff[1024];
	int rc;

	if ((rc = journal_meta_get(dl->j, "list_sha256", &v)) != PHN_OK)
		return rc;
	sha = v ? strdup(v) : NULL;
	if ((rc = journal_meta_get(dl->j, "list_name", &v)) != PHN_OK) {
		free(sha);
		return rc;
	}
	name = v ? strdup(v) : NULL;
	if (!sha || strcmp(sha, dl->list_sha256) != 0) {
		rc = phn_error_set(PHN_EINVAL, "journal '%s' belongs to another list ('%s', "
				   "sha256 %.12s...); '%s' is not that file (sha256 %.12s...): "
				   "use a new journal for a new list", dl->journal_path,
				   name ? name : "?", sha ? sha : "?", dl->list_path,
				   dl->list_sha256);
		free(sha);
		free(name);
		return rc;
	}
	free(sha);
	free(name);
	if ((rc = journal_meta_get(dl->j, "options", &v)) != PHN_OK)
		return rc;
	if (v && strstr(v, "\"suppress_numbers\"")) {
		/* Journals of before suppress_sha256 kept the list's size among the
		 * options: the list itself is checked at each live run now. */
		cJSON *o = cJSON_Parse(v);
		char *p = NULL;
		int same;

		if (o) {
			cJSON_DeleteItemFromObjectCaseSensitive(o, "suppress_numbers");
			p = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
		}
		same = p && strcmp(p, dl->options_json) == 0;
		free(p);
		if (same)
			v = dl->options_json;
	}
	if (!v || strcmp(v, dl->options_json) != 0) {
		options_diff(diff, sizeof diff, v ? v : "{}", dl->options_json);
		return phn_error_set(PHN_EINVAL, "journal '%s' was loaded with other clean or "
				     "mapping options: %s; run with the same options, or use a new "
				     "journal", dl->journal_path, diff);
	}
	if ((rc = journal_meta_get(dl->j, "campaign_id", &v)) != PHN_OK)
		return rc;
	snprintf(dl->campaign_id, sizeof dl->campaign_id, "%s", v ? v : "");
	return PHN_OK;
}

/* The first load: the cleaner applied this do-not-call list to every row. */
static int set_suppress_digest(phn_dialer *dl)
{
	char hex[65];
	size_t n;
	int rc;

	if ((rc = dl_suppress_digest(hex, NULL, &n, dl)) != PHN_OK)
		return rc;
	return journal_meta_set(dl->j, "suppress_sha256", hex);
}

int dl_load(phn_dialer *dl)
{
	const char *v, *base;
	char created[32];
	int rc;

	if ((rc = dl_file_sha256(dl->list_sha256, dl->list_path)) != PHN_OK ||
	    (rc = dl_options_json(&dl->options_json, dl)) != PHN_OK)
		return rc;
	if (!dl->j)
		return PHN_OK;
	if ((rc = journal_meta_get(dl->j, "loaded", &v)) != PHN_OK)
		return rc;
	if (v && strcmp(v, "1") == 0) {
		dl->loaded = 1;
		return check_loaded(dl);
	}
	if (dl->flags & PHN_DIAL_DRY_RUN)
		return PHN_OK; /* a load that never ended: the plan reads the list */
	/* The first run (or one whose load died): the list goes in now. */
	if ((rc = journal_meta_get(dl->j, "campaign_id", &v)) != PHN_OK)
		return rc;
	if (v && v[0])
		snprintf(dl->campaign_id, sizeof dl->campaign_id, "%s", v);
	else if ((rc = dl_uuid4(dl->campaign_id)) != PHN_OK)
		return rc;
	base = strrchr(dl->list_path, '/');
	snprintf(created, sizeof created, "%" PRId64, dl_now_ms(dl));
	if ((rc = journal_meta_set(dl->j, "campaign_id", dl->campaign_id)) != PHN_OK ||
	    (rc = journal_meta_set(dl->j, "list_sha256", dl->list_sha256)) != PHN_OK ||
	    (rc = journal_meta_set(dl->j, "list_name", base ? base + 1 : dl->list_path)) != PHN_OK ||
	    (rc = journal_meta_set(dl->j, "options", dl->options_json)) != PHN_OK ||
	    (rc = set_suppress_digest(dl)) != PHN_OK ||
	    (rc = journal_meta_set(dl->j, "created_at", created)) != PHN_OK)
		return rc;
	if ((rc = journal_load_begin(dl->j)) != PHN_OK ||
	    (rc = dl_scan_list(dl, NULL, load_row, &(struct loading){ dl, 0 })) != PHN_OK ||
	    (rc = journal_load_end(dl->j)) != PHN_OK)
		return rc;
	dl->loaded = 1;
	return PHN_OK;
}
