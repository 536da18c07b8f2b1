/*
 * Validation and JSON bodies of the three requests. Everything the API's
 * schema constrains is checked here, so that a request the API would answer
 * with 422 is refused before it costs a round trip (and a rate-limit slot).
 */
#include "dispatch/dispatch_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "text/error.h"
#include "text/text.h"

#define NUMBER_MAX_CHARS 100

/* User text in a validation message, between double quotes. */
#define phn_dispatch__quote_dq(d, dst, cap, s) phn_dispatch__quote((d), (dst), (cap), (s), '"')

typedef struct field_ctx {
	const phn_dispatch *d;
	cJSON *root;
} field_ctx;

static int oom(const phn_dispatch *d)
{
	return phn_dispatch__error(d, PHN_ENOMEM, "out of memory while building the request");
}

static int check_utf8(const phn_dispatch *d, const char *field, const char *s)
{
	if (!phn_text_utf8_valid(s, strlen(s)))
		return phn_dispatch__error(d, PHN_EINVAL, "%s is not valid UTF-8", field);
	return PHN_OK;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The canonical 8-4-4-4-12 form; the API's "format: uuid". */
static int is_uuid(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return s[36] == '\0';
}

static int check_uuid(const phn_dispatch *d, const char *field, const char *s)
{
	char q[80];

	if (is_uuid(s))
		return PHN_OK;
	phn_dispatch__quote_dq(d, q, sizeof(q), s);
	return phn_dispatch__error(d, PHN_EINVAL,
		"%s %s is not a UUID (expected 8-4-4-4-12 hex digits such as "
		"550e8400-e29b-41d4-a716-446655440000)", field, q);
}

static int add_string(field_ctx *c, const char *key, const char *value)
{
	if (!cJSON_AddStringToObject(c->root, key, value))
		return oom(c->d);
	return PHN_OK;
}

/* An optional string field: skipped when NULL, checked for UTF-8 otherwise. */
static int add_opt_string(field_ctx *c, const char *key, const char *value)
{
	int rc;

	if (!value)
		return PHN_OK;
	if ((rc = check_utf8(c->d, key, value)) != PHN_OK)
		return rc;
	return add_string(c, key, value);
}

static int add_opt_bool(field_ctx *c, const char *key, phn_dispatch_bool value)
{
	if (value == PHN_DISPATCH_UNSET)
		return PHN_OK;
	if (value != PHN_DISPATCH_TRUE && value != PHN_DISPATCH_FALSE)
		return phn_dispatch__error(c->d, PHN_EINVAL,
			"%s must be PHN_DISPATCH_UNSET, _FALSE or _TRUE, got %d", key, (int)value);
	if (!cJSON_AddBoolToObject(c->root, key, value == PHN_DISPATCH_TRUE))
		return oom(c->d);
	return PHN_OK;
}

static const char *json_type_name(const cJSON *item)
{
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsBool(item))
		return "a boolean";
	if (cJSON_IsNull(item))
		return "null";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	return "not JSON";
}

/* JSON with a key twice means different things to different parsers. */
static const char *find_duplicate_key(const cJSON *item)
{
	const cJSON *a, *b;
	const char *dup;

	if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
		return NULL;
	for (a = item->child; a; a = a->next) {
		if (cJSON_IsObject(item))
			for (b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return a->string;
		if ((dup = find_duplicate_key(a)) != NULL)
			return dup;
	}
	return NULL;
}

/*
 * A raw JSON object option: validated, then sent as written minus white
 * space (cJSON would print numbers back as doubles and lose digits of
 * large ids). strings_only: every value must be a string (promptTags).
 */
static int add_raw_object(field_ctx *c, const char *key, const char *text, int strings_only)
{
	char *min, q[80];
	const char *end = NULL, *dup;
	cJSON *parsed, *item;
	int rc = PHN_OK;

	if ((rc = check_utf8(c->d, key, text)) != PHN_OK)
		return rc;
	if ((min = malloc(strlen(text) + 1)) == NULL)
		return oom(c->d);
	strcpy(min, text);
	cJSON_Minify(min);
	parsed = cJSON_ParseWithOpts(min, &end, 1);
	if (!parsed) {
		size_t at = end && end >= min ? (size_t)(end - min) : 0;
		rc = phn_dispatch__error(c->d, PHN_EINVAL,
			"%s is not valid JSON (error near character %zu of the text without white space)",
			key, at + 1);
		goto done;
	}
	if (!cJSON_IsObject(parsed)) {
		rc = phn_dispatch__error(c->d, PHN_EINVAL, "%s must be a JSON object, got %s",
					 key, json_type_name(parsed));
		goto done;
	}
	if ((dup = find_duplicate_key(parsed)) != NULL) {
		phn_dispatch__quote_dq(c->d, q, sizeof(q), dup);
		rc = phn_dispatch__error(c->d, PHN_EINVAL, "%s has the key %s twice", key, q);
		goto done;
	}
	if (strings_only) {
		cJSON_ArrayForEach(item, parsed) {
			if (!cJSON_IsString(item)) {
				phn_dispatch__quote_dq(c->d, q, sizeof(q), item->string);
				rc = phn_dispatch__error(c->d, PHN_EINVAL,
					"%s value of %s must be a string (the API substitutes only "
					"string values), got %s", key, q, json_type_name(item));
				goto done;
			}
		}
	}
	if (!cJSON_AddRawToObject(c->root, key, min))
		rc = oom(c->d);
done:
	cJSON_Delete(parsed);
	free(min);
	return rc;
}

static int add_pairs(field_ctx *c, const char *key, const phn_dispatch_kv *kv, size_t n)
{
	cJSON *obj;
	char q[80];
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		if (!kv[i].key || !kv[i].key[0])
			return phn_dispatch__error(c->d, PHN_EINVAL, "%s pair %zu has %s key", key,
						   i + 1, kv[i].key ? "an empty" : "a NULL");
		if ((rc = check_utf8(c->d, key, kv[i].key)) != PHN_OK)
			return rc;
		phn_dispatch__quote_dq(c->d, q, sizeof(q), kv[i].key);
		if (!kv[i].value)
			return phn_dispatch__error(c->d, PHN_EINVAL,
				"%s value of %s is NULL (values must be strings)", key, q);
		if (!phn_text_utf8_valid(kv[i].value, strlen(kv[i].value)))
			return phn_dispatch__error(c->d, PHN_EINVAL,
				"%s value of %s is not valid UTF-8", key, q);
		for (j = 0; j < i; j++)
			if (strcmp(kv[j].key, kv[i].key) == 0)
				return phn_dispatch__error(c->d, PHN_EINVAL,
					"%s has the key %s twice", key, q);
	}
	if ((obj = cJSON_AddObjectToObject(c->root, key)) == NULL)
		return oom(c->d);
	for (i = 0; i < n; i++)
		if (!cJSON_AddStringToObject(obj, kv[i].key, kv[i].value))
			return oom(c->d);
	return PHN_OK;
}

static int add_object(field_ctx *c, const char *key, const phn_dispatch_kv *kv, size_t n,
		      const char *json, int strings_only)
{
	if (kv && json)
		return phn_dispatch__error(c->d, PHN_EINVAL,
			"%s: give key/value pairs or a JSON object, not both", key);
	if (!kv && n)
		return phn_dispatch__error(c->d, PHN_EINVAL,
			"%s: %zu pairs announced but the array is NULL", key, n);
	if (kv)
		return add_pairs(c, key, kv, n);
	if (json)
		return add_raw_object(c, key, json, strings_only);
	return PHN_OK;
}

static int check_country_code(const phn_dispatch *d, const char *field, const char *cc)
{
	char q[80];

	if (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z' && cc[2] == '\0')
		return PHN_OK;
	phn_dispatch__quote_dq(d, q, sizeof(q), cc);
	return phn_dispatch__error(d, PHN_EINVAL,
		"%s %s must be two capital letters, an ISO 3166-1 alpha-2 region such as SA or US "
		"(pattern ^[A-Z]{2}$)", field, q);
}

/*
 * Normalize a number the way the rest of phonenorm does; only numbers that
 * can be dialled in E.164 go out, and an extension would be silently lost.
 * A merely possible number is usually one read in the wrong region: it
 * goes out only when the caller allows it.
 */
static int normalize(phn_number *num, const phn_dispatch *d, const char *field,
		     const char *text, const char *region, int allow_possible)
{
	char q[80];
	long chars;
	int rc;

	if (!text)
		return phn_dispatch__error(d, PHN_EINVAL, "%s is required", field);
	if ((rc = check_utf8(d, field, text)) != PHN_OK)
		return rc;
	chars = phn_text_utf8_count(text, strlen(text));
	if (chars < 1 || chars > NUMBER_MAX_CHARS)
		return phn_dispatch__error(d, PHN_EINVAL,
			"%s must be 1 to %d characters, got %ld", field, NUMBER_MAX_CHARS, chars);
	if (region && (rc = check_country_code(d, "countryCode", region)) != PHN_OK)
		return rc;
	rc = phn_number_parse(num, text, region);
	phn_dispatch__quote_dq(d, q, sizeof(q), text);
	if (rc == PHN_EREGION)
		return phn_dispatch__error(d, rc, "countryCode \"%s\" is not a region phonenorm knows",
					   region);
	if (rc != PHN_OK)
		return phn_dispatch__error(d, rc, "%s %s could not be parsed: %s", field, q,
					   phn_strerror(rc));
	if (num->status == PHN_STATUS_POSSIBLE && !allow_possible)
		return phn_dispatch__error(d, PHN_EINVAL,
			"%s %s%s%s gives %s, which is only possible (the right length, but in no "
			"range known to be assigned): check the number and its region, or allow "
			"possible numbers (PHN_DISPATCH_ALLOW_POSSIBLE, --allow-possible)", field, q,
			region ? " read in " : "", region ? region : "", num->e164);
	if (num->status != PHN_STATUS_VALID && num->status != PHN_STATUS_POSSIBLE)
		return phn_dispatch__error(d, PHN_EINVAL, "%s %s cannot be called: %s (%s)", field, q,
					   phn_status_name(num->status),
					   phn_status_describe(num->status));
	if (num->extension[0])
		return phn_dispatch__error(d, PHN_EINVAL,
			"%s %s has an extension (%s) that an AI call cannot dial; "
			"give the number without it", field, q, num->extension);
	return PHN_OK;
}

/*
 * countryCode goes out only when it is the number's own region. A number
 * of another calling code with a region is a mistake in the list or the
 * options: refused, since the API would file the contact under a country
 * that is not the number's.
 */
static int call_country(const char **send, const phn_dispatch *d, const phn_number *num,
			const char *text, const char *region)
{
	char q[80];

	*send = NULL;
	if (!region)
		return PHN_OK;
	if (phn_region_country_code(region) != num->country_code) {
		phn_dispatch__quote_dq(d, q, sizeof(q), text);
		return phn_dispatch__error(d, PHN_EINVAL,
			"numberToCall %s is a +%d number (%s), not a number of countryCode %s "
			"(+%d): check the number or its countryCode, or leave countryCode out "
			"for a number written in international form", q, num->country_code,
			num->region[0] ? num->region : "no region", region,
			phn_region_country_code(region));
	}
	/* A possible-only number has no region of its own: it was read in
	 * region, and nothing says it belongs elsewhere. */
	if (strcmp(num->region, region) == 0 || !num->region[0])
		*send = region;
	return PHN_OK;
}

static int finish(phn_request *req, field_ctx *c)
{
	char *text = cJSON_PrintUnformatted(c->root);

	if (!text)
		return oom(c->d);
	/* cJSON allocates with malloc unless told otherwise; keep ownership plain. */
	req->body_len = strlen(text);
	req->body = malloc(req->body_len + 1);
	if (!req->body) {
		cJSON_free(text);
		return oom(c->d);
	}
	memcpy(req->body, text, req->body_len + 1);
	cJSON_free(text);
	return PHN_OK;
}

/* What every builder does first: check the arguments, make the request and
 * its URL, and the JSON object the fields go into. */
static int start(field_ctx *c, phn_request **out, const phn_dispatch *d, const void *in,
		 unsigned int version, unsigned int current, const char *what,
		 phn_dispatch_kind kind)
{
	phn_request *req;
	int rc;

	c->d = d;
	c->root = NULL;
	if (!out)
		return phn_error_set(PHN_EINVAL, "the output pointer is NULL");
	*out = NULL;
	if (!d)
		return phn_error_set(PHN_EINVAL, "the dispatch handle is NULL");
	if ((rc = phn_error_check_version(in, version, current, what)) != PHN_OK)
		return rc;
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return oom(d);
	*out = req;
	req->kind = kind;
	req->has_token = phn_dispatch_has_token(d);
	if ((req->url = phn_dispatch__url(d, kind)) == NULL ||
	    (req->shown_url = phn_dispatch__scrub(d, req->url, strlen(req->url), NULL)) == NULL ||
	    (c->root = cJSON_CreateObject()) == NULL)
		return oom(d);
	return PHN_OK;
}

/* What every builder does last: on error nothing is left behind. */
static int end(phn_request **out, field_ctx *c, int rc)
{
	cJSON_Delete(c->root);
	if (rc != PHN_OK && out) {
		phn_dispatch_request_free(*out);
		*out = NULL;
	}
	return rc;
}

int phn_dispatch__build_call(phn_request **out, const phn_dispatch *d,
			     const phn_dispatch_call *call)
{
	phn_number num = PHN_NUMBER_INIT;
	const char *country = NULL;
	phn_request *req;
	unsigned int flags;
	field_ctx c;
	int rc;

	rc = start(&c, out, d, call, call ? call->version : 0, PHN_DISPATCH_CALL_VERSION,
		   "phn_dispatch_call", PHN_DISPATCH_KIND_CALL);
	if (rc != PHN_OK)
		goto out;
	req = *out;
	flags = call->version >= 2 ? call->flags : 0;
	if (flags & ~PHN_DISPATCH_ALLOW_POSSIBLE) {
		rc = phn_dispatch__error(d, PHN_EINVAL,
					 "phn_dispatch_call.flags 0x%x has unknown bits", flags);
		goto out;
	}
	if ((rc = normalize(&num, d, "numberToCall", call->number, call->country_code,
			    (flags & PHN_DISPATCH_ALLOW_POSSIBLE) != 0)) != PHN_OK ||
	    (rc = call_country(&country, d, &num, call->number, call->country_code)) != PHN_OK)
		goto out;
	memcpy(req->number, num.e164, sizeof(num.e164));
	/* Order: the guides' examples, so bodies read like the documentation. */
	if ((rc = add_string(&c, "numberToCall", req->number)) != PHN_OK ||
	    (rc = add_opt_string(&c, "countryCode", country)) != PHN_OK ||
	    (rc = add_opt_string(&c, "firstName", call->first_name)) != PHN_OK ||
	    (rc = add_opt_string(&c, "lastName", call->last_name)) != PHN_OK ||
	    (rc = add_opt_string(&c, "email", call->email)) != PHN_OK)
		goto out;
	if (call->contact_uuid && (rc = check_uuid(d, "contactUuid", call->contact_uuid)) != PHN_OK)
		goto out;
	if (call->template_id &&
	    (rc = check_uuid(d, "aiSettingsTemplateId", call->template_id)) != PHN_OK)
		goto out;
	if ((rc = add_opt_string(&c, "contactUuid", call->contact_uuid)) != PHN_OK ||
	    (rc = add_opt_string(&c, "aiSettingsTemplateId", call->template_id)) != PHN_OK ||
	    (rc = add_opt_bool(&c, "updateExisting", call->update_existing)) != PHN_OK ||
	    (rc = add_opt_bool(&c, "createIfNotExists", call->create_if_not_exists)) != PHN_OK ||
	    (rc = add_object(&c, "promptTags", call->prompt_tags, call->prompt_tags_count,
			     call->prompt_tags_json, 1)) != PHN_OK ||
	    (rc = add_object(&c, "metadata", call->metadata, call->metadata_count,
			     call->metadata_json, 0)) != PHN_OK)
		goto out;
	rc = finish(req, &c);
out:
	return end(out, &c, rc);
}

int phn_dispatch__build_contact(phn_request **out, const phn_dispatch *d,
				const phn_dispatch_contact *contact)
{
	phn_number num = PHN_NUMBER_INIT;
	phn_request *req;
	unsigned int flags;
	field_ctx c;
	int rc;

	rc = start(&c, out, d, contact, contact ? contact->version : 0,
		   PHN_DISPATCH_CONTACT_VERSION, "phn_dispatch_contact", PHN_DISPATCH_KIND_CONTACT);
	if (rc != PHN_OK)
		goto out;
	req = *out;
	flags = contact->version >= 2 ? contact->flags : 0;
	if (flags & ~PHN_DISPATCH_ALLOW_POSSIBLE) {
		rc = phn_dispatch__error(d, PHN_EINVAL,
					 "phn_dispatch_contact.flags 0x%x has unknown bits", flags);
		goto out;
	}
	if ((rc = add_opt_string(&c, "name", contact->name)) != PHN_OK ||
	    (rc = normalize(&num, d, "phoneNumber", contact->phone_number, contact->country_code,
			    (flags & PHN_DISPATCH_ALLOW_POSSIBLE) != 0)) != PHN_OK)
		goto out;
	memcpy(req->number, num.e164, sizeof(num.e164));
	if ((rc = add_string(&c, "phoneNumber", req->number)) != PHN_OK ||
	    (rc = add_opt_string(&c, "email", contact->email)) != PHN_OK ||
	    (rc = add_opt_string(&c, "role", contact->role)) != PHN_OK)
		goto out;
	rc = finish(req, &c);
out:
	return end(out, &c, rc);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned dd)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Parse a real calendar date written YYYY-MM-DD; days since the epoch in *days. */
static int parse_date(int64_t *days, const char *s)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y = 0, m, dd, i, max;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
	}
	if (s[10] != '\0')
		return 0;
	for (i = 0; i < 4; i++)
		y = y * 10 + (unsigned)(s[i] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	dd = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || dd < 1)
		return 0;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	if (dd > max)
		return 0;
	*days = days_from_civil(y, m, dd);
	return 1;
}

static int check_date(const phn_dispatch *d, const char *field, const char *s, int not_future)
{
	int64_t days, today;
	char q[80];

	phn_dispatch__quote_dq(d, q, sizeof(q), s);
	if (!parse_date(&days, s))
		return phn_dispatch__error(d, PHN_EINVAL,
			"%s %s must be a calendar date written YYYY-MM-DD, e.g. 2025-01-01", field, q);
	today = (int64_t)time(NULL) / 86400;
	if (not_future && days > today)
		return phn_dispatch__error(d, PHN_EINVAL,
			"%s %s is in the future; the API takes today (UTC) or earlier", field, q);
	return PHN_OK;
}

/* A JSON number without exponent: "100", "100.0", "-3.5". */
static int is_decimal(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return 0;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int phn_dispatch__build_invoice(phn_request **out, const phn_dispatch *d,
				const phn_dispatch_invoice *invoice)
{
	field_ctx c;
	char q[80];
	int rc;

	rc = start(&c, out, d, invoice, invoice ? invoice->version : 0,
		   PHN_DISPATCH_INVOICE_VERSION, "phn_dispatch_invoice", PHN_DISPATCH_KIND_INVOICE);
	if (rc != PHN_OK)
		goto out;
	if (!invoice->date) {
		rc = phn_dispatch__error(d, PHN_EINVAL, "date is required");
		goto out;
	}
	if (!invoice->contact_uuid) {
		rc = phn_dispatch__error(d, PHN_EINVAL,
			"contactUuid is required: an invoice belongs to a contact");
		goto out;
	}
	if ((rc = check_date(d, "date", invoice->date, 1)) != PHN_OK ||
	    (invoice->due_date && (rc = check_date(d, "dueDate", invoice->due_date, 0)) != PHN_OK) ||
	    (rc = check_uuid(d, "contactUuid", invoice->contact_uuid)) != PHN_OK)
		goto out;
	if (invoice->total && !is_decimal(invoice->total)) {
		phn_dispatch__quote_dq(d, q, sizeof(q), invoice->total);
		rc = phn_dispatch__error(d, PHN_EINVAL,
			"total %s must be a decimal number such as 100.0", q);
		goto out;
	}
	if ((rc = add_opt_string(&c, "number", invoice->number)) != PHN_OK ||
	    (rc = add_string(&c, "date", invoice->date)) != PHN_OK ||
	    (rc = add_opt_string(&c, "dueDate", invoice->due_date)) != PHN_OK)
		goto out;
	if (invoice->total && !cJSON_AddRawToObject(c.root, "total", invoice->total)) {
		rc = oom(d);
		goto out;
	}
	if ((rc = add_string(&c, "contactUuid", invoice->contact_uuid)) != PHN_OK)
		goto out;
	rc = finish(*out, &c);
out:
	return end(out, &c, rc);
}

/* ---- the public description ------------------------------------------ */

int phn_dispatch_describe_call(phn_dispatch_request **out, const phn_dispatch *d,
			       const phn_dispatch_call *call)
{
	return phn_dispatch__build_call(out, d, call);
}

int phn_dispatch_describe_contact(phn_dispatch_request **out, const phn_dispatch *d,
				  const phn_dispatch_contact *contact)
{
	return phn_dispatch__build_contact(out, d, contact);
}

int phn_dispatch_describe_invoice(phn_dispatch_request **out, const phn_dispatch *d,
				  const phn_dispatch_invoice *invoice)
{
	return phn_dispatch__build_invoice(out, d, invoice);
}

void phn_dispatch_request_free(phn_dispatch_request *req)
{
	if (!req)
		return;
	free(req->url);
	free(req->shown_url);
	free(req->body);
	free(req);
}

phn_dispatch_kind phn_dispatch_request_kind(const phn_dispatch_request *req)
{
	return req ? req->kind : PHN_DISPATCH_KIND_CALL;
}

const char *phn_dispatch_request_method(const phn_dispatch_request *req)
{
	(void)req;
	return "POST";
}

const char *phn_dispatch_request_url(const phn_dispatch_request *req)
{
	return req ? req->shown_url : NULL;
}

/*
 * The headers every request sends, in order: the one list the dry run
 * prints and the transfer sends. The transfer puts the real token where
 * the Authorization value is masked here (PHN_REQUEST_AUTH_HEADER).
 */
static const struct {
	const char *name;
	const char *value;
} headers[] = {
	[PHN_REQUEST_AUTH_HEADER] = { "Authorization", "Bearer ****" },
	{ "Content-Type", "application/json" },
	{ "Accept", "application/json" },
	{ "User-Agent", PHN_DISPATCH_USER_AGENT },
};

size_t phn_dispatch_request_header_count(const phn_dispatch_request *req)
{
	return req ? sizeof(headers) / sizeof(headers[0]) : 0;
}

int phn_dispatch_request_header(const char **name, const char **value,
				const phn_dispatch_request *req, size_t i)
{
	if (!req || i >= phn_dispatch_request_header_count(req))
		return phn_error_set(PHN_EINVAL, "phn_dispatch_request_header: %s",
				     req ? "index out of range" : "the request is NULL");
	if (name)
		*name = headers[i].name;
	if (value)
		*value = i == PHN_REQUEST_AUTH_HEADER && !req->has_token ? NULL : headers[i].value;
	return PHN_OK;
}

const char *phn_dispatch_request_body(size_t *len, const phn_dispatch_request *req)
{
	if (len)
		*len = req ? req->body_len : 0;
	return req ? req->body : NULL;
}

const char *phn_dispatch__path(phn_dispatch_kind kind)
{
	switch (kind) {
	case PHN_DISPATCH_KIND_CALL: return "/ai/phone-calls/action/call";
	case PHN_DISPATCH_KIND_CONTACT: return "/contact";
	case PHN_DISPATCH_KIND_INVOICE: return "/invoice";
	}
	return NULL;
}
