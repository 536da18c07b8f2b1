/*
 * Fuzz target for the SQL functions as SQLite runs them: the extension's
 * own source (bindings/sqlite/phonenorm_sqlite.c, built with SQLITE_CORE)
 * registered by sqlite3_phonenorm_init on an in-memory database, every
 * function called with bound parameters.
 *
 * Input: byte 0 picks the function checked alone (low 3 bits: phn_e164,
 * phn_status, phn_type, phn_region, phn_key, phn_format, phn_valid, or
 * phn_metadata), bit 3 its one-argument form, bits 4-5 which argument is
 * NULL (none, text, region, format), bit 6 text bound as a BLOB, bit 7 text
 * bound as an INTEGER when it is one; byte 1 the region's length, byte 2
 * the format's length (each capped by what is left), then the region, the
 * format and the text. Properties:
 *   - no crash; NULL in any argument gives NULL out;
 *   - an error exactly for a region that is not known (not empty) or, for
 *     phn_format, a format that is not known, with the library's message;
 *   - phn_e164 is phn_number_parse_n's E.164 when the status is valid and
 *     NULL otherwise; phn_status its status name (text that is not UTF-8:
 *     not_a_number); phn_valid agrees with phn_status; phn_type,
 *     phn_region, phn_key (the C key) and phn_format those of the parse.
 *
 * Under ctest the replay driver (replay.c) runs the corpus with any
 * compiler; tests/fuzz/run_fuzzers.sh builds it with libFuzzer.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <phonenorm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int sqlite3_phonenorm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

static const char *const fn_names[] = { "phn_e164", "phn_status", "phn_type", "phn_region",
					"phn_key", "phn_format", "phn_valid", "phn_metadata" };
enum { E164, STATUS, TYPE, REGION, KEY, FORMAT, VALID, METADATA };

/* What phn_sql answers, from the C API alone. */
struct want {
	int bad_region, bad_format;
	phn_number num;
	phn_format form;
};

static void die(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_sql: %s: %s\n", why, detail ? detail : "(null)");
	abort();
}

/* A NUL-terminated copy of s[len] (any length), or NULL when s holds a NUL:
 * then it cannot be a name, and the library is asked about every other
 * string whole, so the oracle does not repeat the core's own rules. */
static char *name_copy(const char *s, size_t len)
{
	char *c;

	if (memchr(s, '\0', len))
		return NULL;
	if (!(c = malloc(len + 1)))
		die("out of memory", NULL);
	memcpy(c, s, len);
	c[len] = '\0';
	return c;
}

static void reference(struct want *w, const char *text, size_t len, const char *region,
		      size_t region_len, const char *format, size_t format_len)
{
	const phn_number init = PHN_NUMBER_INIT;
	char *reg = NULL, *name;
	int rc;

	memset(w, 0, sizeof *w);
	w->num = init;
	w->form = PHN_FORMAT_E164;
	if (region_len) {
		reg = name_copy(region, region_len);
		w->bad_region = !reg || !phn_region_is_known(reg);
	}
	name = name_copy(format, format_len);
	w->bad_format = !name || phn_format_from_name(&w->form, name) != PHN_OK;
	free(name);
	rc = phn_number_parse_n(&w->num, text, len, reg && !w->bad_region ? reg : NULL);
	free(reg);
	if (rc == PHN_EINVAL)
		w->num.status = PHN_STATUS_NOT_A_NUMBER;
	else if (rc != PHN_OK)
		die("phn_number_parse_n failed", phn_strerror(rc));
}

/* Binds the text as TEXT, a BLOB or (when it is one) an INTEGER. */
static void bind_text(sqlite3_stmt *st, int i, const char *text, size_t len, int how)
{
	if (how == 2 && len > 0 && len < 19 && text[0] != '0') {
		/* The text is not NUL-terminated: no strspn/strtoll. */
		int64_t v = 0;
		size_t k = 0;

		while (k < len && text[k] >= '0' && text[k] <= '9')
			v = v * 10 + (text[k++] - '0');
		if (k == len) {
			sqlite3_bind_int64(st, i, v);
			return;
		}
	}
	if (how == 1)
		sqlite3_bind_blob(st, i, len ? text : "", (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_text(st, i, len ? text : "", (int)len, SQLITE_STATIC);
}

static void expect_text(sqlite3_stmt *st, int col, const char *want, const char *what)
{
	const char *got = (const char *)sqlite3_column_text(st, col);

	if (!want) {
		if (sqlite3_column_type(st, col) != SQLITE_NULL)
			die(what, "not NULL for a number that is not valid");
		return;
	}
	if (!got || strcmp(got, want) != 0)
		die(what, got ? got : "NULL");
}

static void check_one(sqlite3 *db, const struct want *w, uint8_t sel, const char *text,
		      size_t len, const char *region, size_t region_len, const char *format,
		      size_t format_len)
{
	int fn = sel & 7, one_arg = (sel >> 3) & 1, null_arg = (sel >> 4) & 3;
	int how = sel & 0x80 ? 2 : (sel >> 6) & 1;
	int nargs = fn == METADATA ? 0 : fn == FORMAT ? 3 : one_arg ? 1 : 2;
	char sql[64], buf[384];
	sqlite3_stmt *st;
	int rc, is_null = 0, want_error;
	const phn_number *n = &w->num;

	snprintf(sql, sizeof sql, "SELECT %s(%s)", fn_names[fn],
		 nargs == 0 ? "" : nargs == 1 ? "?1" : nargs == 2 ? "?1, ?2" : "?1, ?2, ?3");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	if (nargs >= 1) {
		if (null_arg == 1)
			is_null = 1; /* ?1 stays NULL */
		else
			bind_text(st, 1, text, len, how);
	}
	if (nargs >= 2) {
		if (null_arg == 2)
			is_null = 1;
		else
			sqlite3_bind_text(st, 2, region_len ? region : "", (int)region_len,
					  SQLITE_STATIC);
	}
	if (nargs >= 3) {
		if (null_arg == 3)
			is_null = 1;
		else
			sqlite3_bind_text(st, 3, format_len ? format : "", (int)format_len,
					  SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	want_error = !is_null && nargs > 0 &&
		     ((nargs >= 2 && w->bad_region) || (fn == FORMAT && w->bad_format));
	if (want_error) {
		const char *msg = sqlite3_errmsg(db);

		if (rc != SQLITE_ERROR)
			die("no error for a bad region or format", sql);
		if (strncmp(msg, fn_names[fn], strlen(fn_names[fn])) != 0 ||
		    (!strstr(msg, "unknown region") && !strstr(msg, "is not a format")))
			die("error without the library's message", msg);
		sqlite3_finalize(st);
		return;
	}
	if (rc != SQLITE_ROW)
		die("error for good arguments", sqlite3_errmsg(db));
	if (is_null) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			die("NULL in, not NULL out", sql);
		sqlite3_finalize(st);
		return;
	}
	switch (fn) {
	case E164:
		expect_text(st, 0, n->status == PHN_STATUS_VALID ? n->e164 : NULL, "phn_e164");
		break;
	case STATUS:
		expect_text(st, 0, phn_status_name(n->status), "phn_status");
		break;
	case TYPE:
		expect_text(st, 0, n->status == PHN_STATUS_VALID ? phn_type_name(n->type) : NULL,
			    "phn_type");
		break;
	case REGION:
		expect_text(st, 0, n->status == PHN_STATUS_VALID ? n->region : NULL, "phn_region");
		break;
	case KEY:
		if (n->status != PHN_STATUS_VALID)
			expect_text(st, 0, NULL, "phn_key");
		else if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
			 (uint64_t)sqlite3_column_int64(st, 0) != n->key)
			die("phn_key differs from the C key", n->e164);
		break;
	case FORMAT:
		if (n->status != PHN_STATUS_VALID) {
			expect_text(st, 0, NULL, "phn_format");
		} else {
			if (phn_number_format(buf, sizeof buf, NULL, n, w->form) != PHN_OK)
				die("phn_number_format failed", n->e164);
			expect_text(st, 0, buf, "phn_format");
		}
		break;
	case VALID:
		if (sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
		    sqlite3_column_int64(st, 0) != (n->status == PHN_STATUS_VALID))
			die("phn_valid", phn_status_name(n->status));
		break;
	default: { /* phn_metadata: "<version> <source> (libphonenumber ...)" */
		const char *md = (const char *)sqlite3_column_text(st, 0);
		size_t vl = strlen(phn_metadata_version());

		if (!md || strncmp(md, phn_metadata_version(), vl) != 0 || md[vl] != ' ')
			die("phn_metadata", md);
		break;
	}
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		die("more than one row", sql);
	sqlite3_finalize(st);
}

/* All the functions in one row: they agree with each other. */
static void check_row(sqlite3 *db, const struct want *w, const char *text, size_t len,
		      const char *region, size_t region_len)
{
	static const char sql[] = "SELECT phn_e164(?1, ?2), phn_status(?1, ?2), phn_valid(?1, ?2), "
				  "phn_key(?1, ?2), phn_format(?1, ?2, 'e164')";
	sqlite3_stmt *st;
	int rc, valid;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, len ? text : "", (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region_len ? region : "", (int)region_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (w->bad_region) {
		if (rc != SQLITE_ERROR)
			die("no error for a bad region", sql);
		sqlite3_finalize(st);
		return;
	}
	if (rc != SQLITE_ROW)
		die("row", sqlite3_errmsg(db));
	valid = strcmp((const char *)sqlite3_column_text(st, 1), "valid") == 0;
	if (sqlite3_column_int64(st, 2) != valid)
		die("phn_valid disagrees with phn_status", (const char *)sqlite3_column_text(st, 1));
	if ((sqlite3_column_type(st, 0) == SQLITE_NULL) == valid ||
	    (sqlite3_column_type(st, 3) == SQLITE_NULL) == valid ||
	    (sqlite3_column_type(st, 4) == SQLITE_NULL) == valid)
		die("a value function answers for a number that is not valid, or not for one that is",
		    (const char *)sqlite3_column_text(st, 1));
	if (valid && strcmp((const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 4)) != 0)
		die("phn_e164 and phn_format e164 differ", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *region, *format, *text;
	size_t region_len, format_len, len;
	struct want w;
	sqlite3 *db;
	char *err = NULL;
	uint8_t sel;

	if (size < 3)
		return 0;
	sel = data[0];
	region_len = data[1];
	format_len = data[2];
	data += 3;
	size -= 3;
	if (region_len > size)
		region_len = size;
	region = (const char *)data;
	data += region_len;
	size -= region_len;
	if (format_len > size)
		format_len = size;
	format = (const char *)data;
	text = format + format_len;
	len = size - format_len;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		die("sqlite3_open", db ? sqlite3_errmsg(db) : "no memory");
	if (sqlite3_phonenorm_init(db, &err, NULL) != SQLITE_OK)
		die("sqlite3_phonenorm_init", err ? err : sqlite3_errmsg(db));

	/* The one-argument form reads with no region, as region '' does. */
	if ((sel >> 3) & 1 && (sel & 7) != FORMAT)
		region_len = 0;
	reference(&w, text, len, region, region_len, format, format_len);
	check_one(db, &w, sel, text, len, region, region_len, format, format_len);
	check_row(db, &w, text, len, region, region_len);
	sqlite3_close(db);
	return 0;
}
