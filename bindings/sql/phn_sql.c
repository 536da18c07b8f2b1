/*
 * The SQL functions' answers (see phn_sql.h). Region and format arrive as
 * counted strings (PostgreSQL's text is not NUL-terminated): the library
 * checks a printable, NUL-terminated excerpt of at most 40 bytes, which is
 * a name exactly when the argument is one.
 */
#include "phn_sql.h"

#include <stdio.h>
#include <string.h>

#include "phonenorm/common.h"

const char *phn_sql_fn_name(phn_sql_fn fn)
{
	static const char *const names[] = {
		"phn_e164", "phn_status", "phn_type", "phn_region", "phn_key", "phn_format",
		"phn_valid",
	};

	return (unsigned)fn < sizeof names / sizeof names[0] ? names[fn] : "phn_unknown";
}

static void set_text(phn_sql_value *out, const char *s)
{
	out->is_null = 0;
	out->is_int = 0;
	out->text = s;
	out->len = strlen(s);
}

static void set_int(phn_sql_value *out, int64_t i)
{
	out->is_null = 0;
	out->is_int = 1;
	out->i = i;
}

/* The library's message for rc, or the error's own sentence. */
static int fail(phn_sql_value *out, int rc, const char *what)
{
	const char *msg = phn_error_last();

	if (!msg || !*msg)
		msg = phn_strerror(rc);
	snprintf(out->message, sizeof out->message, "%s: %s", what, msg);
	return rc;
}

/* A printable excerpt of a name, NUL-terminated: at most 40 bytes, control
 * bytes (NUL among them) as '?'. */
static void excerpt(char *dst, size_t cap, const char *s, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	dst[n] = '\0';
}

int phn_sql_eval(phn_sql_fn fn, const char *text, size_t len, const char *region,
		 size_t region_len, const char *format, size_t format_len, phn_sql_value *out)
{
	phn_number num = PHN_NUMBER_INIT;
	phn_format form = PHN_FORMAT_E164;
	char reg[3], shown[41];
	int rc;

	memset(out, 0, sizeof *out);
	out->is_null = 1;
	out->text = "";
	/* The library decides what a region or format name is and words the
	 * error (as the CLI says it). It is handed the printable excerpt: for
	 * a name that is cut or had bytes replaced, that is never a name. */
	if (region && region_len) {
		excerpt(shown, sizeof shown, region, region_len);
		if ((rc = phn_region_canonical(reg, shown)) != PHN_OK)
			return fail(out, rc, phn_sql_fn_name(fn));
	} else {
		reg[0] = '\0';
	}
	if (fn == PHN_SQL_FORMAT) {
		excerpt(shown, sizeof shown, format ? format : "", format ? format_len : 0);
		if ((rc = phn_format_from_name(&form, shown)) != PHN_OK)
			return fail(out, rc, phn_sql_fn_name(fn));
	}
	rc = phn_number_parse_n(&num, text ? text : "", text ? len : 0, reg[0] ? reg : NULL);
	if (rc == PHN_EINVAL) {
		/* Text that is not UTF-8: data, as `phonenorm clean` treats it. */
		num.status = PHN_STATUS_NOT_A_NUMBER;
	} else if (rc != PHN_OK) {
		return fail(out, rc, phn_sql_fn_name(fn));
	}
	if (fn == PHN_SQL_STATUS) {
		set_text(out, phn_status_name(num.status));
		return PHN_OK;
	}
	if (fn == PHN_SQL_VALID) {
		set_int(out, num.status == PHN_STATUS_VALID);
		return PHN_OK;
	}
	if (num.status != PHN_STATUS_VALID)
		return PHN_OK; /* NULL */
	switch (fn) {
	case PHN_SQL_E164:
		memcpy(out->buf, num.e164, sizeof num.e164);
		set_text(out, out->buf);
		break;
	case PHN_SQL_TYPE:
		set_text(out, phn_type_name(num.type));
		break;
	case PHN_SQL_REGION:
		memcpy(out->buf, num.region, sizeof num.region);
		set_text(out, out->buf);
		break;
	case PHN_SQL_KEY:
		/* At most 15 digits for a valid number: it fits a signed 64-bit. */
		set_int(out, (int64_t)num.key);
		break;
	case PHN_SQL_FORMAT:
		rc = phn_number_format(out->buf, sizeof out->buf, NULL, &num, form);
		if (rc != PHN_OK) {
			out->is_null = 1;
			return fail(out, rc, phn_sql_fn_name(fn));
		}
		set_text(out, out->buf);
		break;
	default:
		break;
	}
	return PHN_OK;
}

int phn_sql_metadata(phn_sql_value *out)
{
	phn_metadata_info mi = PHN_METADATA_INFO_INIT;
	int rc;

	memset(out, 0, sizeof *out);
	out->is_null = 1;
	out->text = "";
	if ((rc = phn_metadata_get_info(&mi)) != PHN_OK)
		return fail(out, rc, "phn_metadata");
	snprintf(out->buf, sizeof out->buf, "%s %s (libphonenumber %s)%s%s", mi.upstream_version,
		 phn_metadata_source_name(mi.source), mi.engine_version,
		 mi.as_requested ? "" : "; ", mi.as_requested ? "" : mi.reason);
	set_text(out, out->buf);
	return PHN_OK;
}
