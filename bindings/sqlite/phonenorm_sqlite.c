/*
 * phonenorm.so, the SQLite loadable extension: `.load phonenorm` in the
 * sqlite3 shell, sqlite3_load_extension() or load_extension() from SQL.
 * Each function maps its SQL arguments onto phn_sql_eval()
 * (bindings/sql/phn_sql.h, the semantics shared with PostgreSQL) and its
 * answer back onto a SQL value; nothing else is decided here.
 *
 * Built with -DSQLITE_CORE (the fuzz target), the same source registers the
 * functions on a statically linked SQLite: sqlite3ext.h then calls SQLite
 * directly instead of through the loader's routine table.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stddef.h>

#include "phn_sql.h"
#include "phonenorm/common.h"

/* Older headers than the flags (3.31): the functions are still pure, only
 * the trusted_schema check cannot be told. */
#ifndef SQLITE_INNOCUOUS
#define SQLITE_INNOCUOUS 0
#endif
#ifndef SQLITE_DETERMINISTIC
#define SQLITE_DETERMINISTIC 0
#endif

#if defined(__GNUC__)
#define PHN_SQLITE_EXPORT __attribute__((visibility("default")))
#else
#define PHN_SQLITE_EXPORT
#endif

/* Text of argument i: sqlite3_value_text first, then its length (SQLite's
 * documented order: the length is of the converted text). An INTEGER or
 * REAL arrives as SQLite's own text for it ("501234567", "966501234567.0"),
 * a BLOB as its bytes. */
static const char *arg_text(sqlite3_value **argv, int i, size_t *len)
{
	const char *s = (const char *)sqlite3_value_text(argv[i]);

	*len = s ? (size_t)sqlite3_value_bytes(argv[i]) : 0;
	return s;
}

static void set_result(sqlite3_context *ctx, int rc, const phn_sql_value *v)
{
	if (rc == PHN_ENOMEM) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (rc != PHN_OK) {
		sqlite3_result_error(ctx, v->message[0] ? v->message : phn_strerror(rc), -1);
		return;
	}
	if (v->is_null)
		sqlite3_result_null(ctx);
	else if (v->is_int)
		sqlite3_result_int64(ctx, (sqlite3_int64)v->i);
	else
		/* Names (status, type) are the library's static strings; a number
		 * is in v->buf, on the caller's stack: SQLite copies it. */
		sqlite3_result_text(ctx, v->text, (int)v->len,
				    v->text == v->buf ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

/* phn_e164(text [, region]) and the others; phn_format(text, region, format). */
static void call_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	phn_sql_fn fn = (phn_sql_fn)(ptrdiff_t)sqlite3_user_data(ctx);
	const char *text, *region = NULL, *format = NULL;
	size_t len, region_len = 0, format_len = 0;
	phn_sql_value v;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
			sqlite3_result_null(ctx);
			return;
		}
	}
	text = arg_text(argv, 0, &len);
	if (argc > 1)
		region = arg_text(argv, 1, &region_len);
	if (argc > 2)
		format = arg_text(argv, 2, &format_len);
	/* A value that cannot be turned into text: SQLite ran out of memory. */
	if (!text || (argc > 1 && !region) || (argc > 2 && !format)) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	rc = phn_sql_eval(fn, text, len, region, region_len, format, format_len, &v);
	set_result(ctx, rc, &v);
}

static void call_metadata(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	phn_sql_value v;

	(void)argc;
	(void)argv;
	set_result(ctx, phn_sql_metadata(&v), &v);
}

/* Deterministic for one metadata version, no side effects: usable in
 * indexes, generated columns, CHECK constraints and views. */
#define PHN_PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)

static const struct {
	phn_sql_fn fn;
	signed char min_args, max_args;
} functions[] = {
	{ PHN_SQL_E164, 1, 2 },   { PHN_SQL_STATUS, 1, 2 }, { PHN_SQL_TYPE, 1, 2 },
	{ PHN_SQL_REGION, 1, 2 }, { PHN_SQL_KEY, 1, 2 },    { PHN_SQL_FORMAT, 3, 3 },
	{ PHN_SQL_VALID, 1, 2 },
};

PHN_SQLITE_EXPORT int sqlite3_phonenorm_init(sqlite3 *db, char **errmsg,
					     const sqlite3_api_routines *api);

int sqlite3_phonenorm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
	int rc = SQLITE_OK;

	SQLITE_EXTENSION_INIT2(api);
	(void)errmsg;
	for (size_t i = 0; i < sizeof functions / sizeof functions[0] && rc == SQLITE_OK; i++) {
		for (int n = functions[i].min_args; n <= functions[i].max_args && rc == SQLITE_OK;
		     n++)
			rc = sqlite3_create_function(db, phn_sql_fn_name(functions[i].fn), n, PHN_PURE,
						     (void *)(ptrdiff_t)functions[i].fn, call_fn,
						     NULL, NULL);
	}
	/* Not deterministic: which metadata answers is fixed per process, not
	 * forever (an upgrade changes it), so no index may store it. */
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "phn_metadata", 0, SQLITE_UTF8 | SQLITE_INNOCUOUS,
					     NULL, call_metadata, NULL, NULL);
	return rc;
}
