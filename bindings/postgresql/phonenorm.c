/*
 * PostgreSQL extension: the SQL functions of bindings/sql/phn_sql.h as
 * PostgreSQL functions. This file only maps Datums in and out and turns the
 * core's errors into ereport(); what each function answers is decided in
 * phn_sql.c, shared with the SQLite extension.
 *
 * Safety at the boundary: libphonenorm is pure C at its public API and its
 * C++ shim catches every exception (std::bad_alloc -> PHN_ENOMEM, anything
 * else -> PHN_EINTERNAL), so no C++ exception can unwind through a backend's
 * frames, and no libphonenumber object is handed out: the backend sees
 * only phn_sql_value, a plain struct on this file's stack. ereport() longjmps
 * only from here, after the library call has returned, so it never skips a
 * C++ destructor or leaves a library lock held. What reaches PostgreSQL is
 * palloc'd (cstring_to_text_with_len), so it is freed with the memory
 * context like any other result.
 *
 * Parallel safety: the library is thread-safe, keeps no per-call state and
 * answers the same for the same input and metadata version, so the functions
 * are IMMUTABLE PARALLEL SAFE; a parallel worker loads the same .so and the
 * same metadata as its leader.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "phn_sql.h"

PG_MODULE_MAGIC;

/* Text as the library reads it: UTF-8 bytes with their length. */
typedef struct pg_utf8 {
	const char *p;
	size_t len;
} pg_utf8;

/*
 * The bytes of a text Datum, converted to UTF-8 when the database is in
 * another encoding. UTF8 and SQL_ASCII databases pass their bytes through:
 * the library treats text that is not UTF-8 as data (status not_a_number),
 * where pg_server_to_any() on SQL_ASCII would raise an error instead.
 */
static pg_utf8 arg_utf8(FunctionCallInfo fcinfo, int n)
{
	text *t = PG_GETARG_TEXT_PP(n);
	pg_utf8 u = { VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t) };
	int enc = GetDatabaseEncoding();

	if (enc != PG_UTF8 && enc != PG_SQL_ASCII && u.len > 0) {
		char *c = pg_server_to_any(u.p, (int)u.len, PG_UTF8);

		if (c != u.p) {
			u.p = c;
			u.len = strlen(c);
		}
	}
	return u;
}

/*
 * Make s valid UTF-8 in place: the bytes of a sequence that is cut or not
 * legal become '?', whole characters stay.
 */
static void utf8_repair(char *s)
{
	while (*s) {
		int n = (unsigned char)*s < 0x80 ? 1 : pg_utf_mblen((const unsigned char *)s);

		if (n > 1 && strnlen(s, n) == (size_t)n &&
		    pg_utf8_islegal((const unsigned char *)s, n)) {
			s += n;
			continue;
		}
		if ((unsigned char)*s >= 0x80)
			*s = '?';
		s++;
	}
}

/*
 * Raise the core's error. Its message is UTF-8 (the caller's bad region or
 * format name reached the core converted to UTF-8, see arg_utf8) and may
 * quote that name cut at 40 bytes, perhaps mid-character. So it is repaired
 * to valid UTF-8 and, in a database that is neither UTF8 nor SQL_ASCII,
 * converted back to the database encoding: sent as is, a LATIN1 database
 * would show 'é' as 'Ã©'. Every character in it came from the database
 * encoding, so the conversion back cannot fail.
 */
static void raise_error(int rc, phn_sql_value *v) pg_attribute_noreturn();

static void raise_error(int rc, phn_sql_value *v)
{
	char *msg = v->message;
	int enc = GetDatabaseEncoding();

	if (enc != PG_SQL_ASCII) {
		utf8_repair(msg);
		if (enc != PG_UTF8)
			msg = pg_any_to_server(msg, (int)strlen(msg), PG_UTF8);
	}
	if (rc == PHN_EREGION || rc == PHN_ENOTFOUND)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", msg)));
	if (rc == PHN_ENOMEM)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("%s", msg)));
	ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("%s", msg)));
	pg_unreachable();
}

/* The answer as a Datum of the function's SQL type (text, bigint, boolean). */
static Datum result(FunctionCallInfo fcinfo, phn_sql_fn fn, phn_sql_value *v)
{
	if (v->is_null)
		PG_RETURN_NULL();
	if (fn == PHN_SQL_VALID)
		PG_RETURN_BOOL(v->i != 0);
	if (fn == PHN_SQL_KEY)
		PG_RETURN_INT64(v->i);
	/* The core's text is ASCII (digits, '+', names): valid in every server
	 * encoding, as all of them are ASCII supersets. */
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v->text, (int)v->len));
}

/*
 * One entry point per SQL function; phn_x(text) and phn_x(text, text) share
 * it and tell themselves apart by PG_NARGS(). The SQL declarations are
 * STRICT, so no argument is NULL here; the check keeps a non-STRICT
 * declaration someone might write from crashing.
 */
static Datum call(FunctionCallInfo fcinfo, phn_sql_fn fn)
{
	phn_sql_value v;
	pg_utf8 num, reg = { NULL, 0 }, form = { NULL, 0 };
	int nargs = PG_NARGS();
	int rc;

	for (int i = 0; i < nargs; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();
	num = arg_utf8(fcinfo, 0);
	if (nargs > 1)
		reg = arg_utf8(fcinfo, 1);
	if (nargs > 2)
		form = arg_utf8(fcinfo, 2);
	rc = phn_sql_eval(fn, num.p, num.len, reg.p, reg.len, form.p, form.len, &v);
	if (rc != PHN_OK)
		raise_error(rc, &v);
	return result(fcinfo, fn, &v);
}

#define PHN_PG_FUNCTION(name, fn)                 \
	PG_FUNCTION_INFO_V1(name);                \
	Datum name(PG_FUNCTION_ARGS)              \
	{                                         \
		return call(fcinfo, fn);          \
	}

PHN_PG_FUNCTION(phn_pg_e164, PHN_SQL_E164)
PHN_PG_FUNCTION(phn_pg_status, PHN_SQL_STATUS)
PHN_PG_FUNCTION(phn_pg_type, PHN_SQL_TYPE)
PHN_PG_FUNCTION(phn_pg_region, PHN_SQL_REGION)
PHN_PG_FUNCTION(phn_pg_key, PHN_SQL_KEY)
PHN_PG_FUNCTION(phn_pg_format, PHN_SQL_FORMAT)
PHN_PG_FUNCTION(phn_pg_valid, PHN_SQL_VALID)

PG_FUNCTION_INFO_V1(phn_pg_metadata);
Datum phn_pg_metadata(PG_FUNCTION_ARGS)
{
	phn_sql_value v;
	int rc = phn_sql_metadata(&v);

	if (rc != PHN_OK)
		raise_error(rc, &v);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v.text, (int)v.len));
}
