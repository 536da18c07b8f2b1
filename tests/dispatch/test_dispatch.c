/*
 * Dispatch tests against the fake call API (fake_call_api.py), which
 * fakeapi.py starts on 127.0.0.1 and names in PHN_TEST_API_URL and
 * PHN_TEST_CONTROL_URL.
 *
 * usage: test_dispatch bodies|validation|outcomes FILE
 *        test_dispatch multi|token|tls|config
 *
 * The tables in cases/ hold the requests and what must come of them.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <phonenorm.h>

static int failures;
static const char *current = "";

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			failures++; \
			fprintf(stderr, "FAIL %s:%d [%s]: ", __FILE__, __LINE__, current); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

#define STREQ(a, b) streq((a), (b))

static const char *api_url;
static const char *control_url;
static const char *token;

/* ---- small helpers ---------------------------------------------------- */

typedef struct text {
	char *ptr;
	size_t len;
} text;

static void text_add(text *t, const char *s, size_t n)
{
	char *p = realloc(t->ptr, t->len + n + 1);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	t->ptr = p;
	memcpy(t->ptr + t->len, s, n);
	t->len += n;
	t->ptr[t->len] = '\0';
}

static void text_adds(text *t, const char *s)
{
	if (s) {
		text_add(t, s, strlen(s));
		text_add(t, "\n", 1);
	}
}

static size_t on_write(char *data, size_t size, size_t n, void *userp)
{
	text_add(userp, data, size * n);
	return size * n;
}

/* A request to the fake server's /_control; returns its JSON answer. */
static cJSON *control(const char *method, const char *path, const char *body)
{
	char url[512];
	text out = { NULL, 0 };
	const char *ca = getenv("PHN_TEST_CA_FILE");
	CURL *h = curl_easy_init();
	cJSON *json;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", control_url, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK || !out.ptr) {
		fprintf(stderr, "control %s %s failed: %s\n", method, path, curl_easy_strerror(rc));
		exit(99);
	}
	json = cJSON_Parse(out.ptr);
	free(out.ptr);
	if (!json) {
		fprintf(stderr, "control %s %s: not JSON\n", method, path);
		exit(99);
	}
	return json;
}

static void control_do(const char *method, const char *path, const char *body)
{
	cJSON_Delete(control(method, path, body));
}

static void reset_server(void)
{
	control_do("POST", "/reset", "{}");
}

static void add_fault(const cJSON *fault)
{
	char *s = cJSON_PrintUnformatted(fault);

	control_do("POST", "/faults", s);
	free(s);
}

/* The recorded requests; the caller deletes the returned root. */
static cJSON *recorded(cJSON **root)
{
	*root = control("GET", "/requests", NULL);
	return cJSON_GetObjectItem(*root, "requests");
}

static int recorded_count(void)
{
	cJSON *root, *list = recorded(&root);
	int n = cJSON_GetArraySize(list);

	cJSON_Delete(root);
	return n;
}

static cJSON *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	text t = { NULL, 0 };
	char buf[4096];
	size_t n;
	cJSON *json;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(99);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		text_add(&t, buf, n);
	fclose(f);
	json = t.ptr ? cJSON_Parse(t.ptr) : NULL;
	free(t.ptr);
	if (!json) {
		fprintf(stderr, "%s is not JSON\n", path);
		exit(99);
	}
	return json;
}

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jint(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valueint : dflt;
}

static phn_dispatch *open_handle(const char *url, const char *tok, long timeout_ms,
				 phn_dispatch_trace_cb trace, void *payload)
{
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;
	phn_dispatch *d = NULL;
	int rc;

	o.base_url = url;
	o.token = tok;
	o.timeout_ms = timeout_ms;
	o.trace = trace;
	o.trace_payload = payload;
	rc = phn_dispatch_new(&d, &o);
	if (rc != PHN_OK) {
		fprintf(stderr, "phn_dispatch_new: %s: %s\n", phn_strerror(rc), phn_error_last());
		exit(99);
	}
	return d;
}

/* ---- requests from the tables ---------------------------------------- */

typedef struct holder {
	phn_dispatch_kind kind;
	phn_dispatch_call call;
	phn_dispatch_contact contact;
	phn_dispatch_invoice invoice;
	phn_dispatch_kv *tags;
	phn_dispatch_kv *meta;
	char *hex[2];
} holder;

static char *from_hex(const char *hex)
{
	size_t n = strlen(hex) / 2, i;
	char *out = malloc(n + 1);

	for (i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (char)b;
	}
	out[n] = '\0';
	return out;
}

static phn_dispatch_kv *pairs(const cJSON *arr, size_t *count)
{
	const cJSON *p;
	phn_dispatch_kv *kv;
	size_t i = 0;

	*count = (size_t)cJSON_GetArraySize(arr);
	kv = calloc(*count + 1, sizeof(*kv));
	cJSON_ArrayForEach(p, arr) {
		kv[i].key = cJSON_GetArrayItem(p, 0)->valuestring;
		kv[i].value = cJSON_IsString(cJSON_GetArrayItem(p, 1)) ?
			      cJSON_GetArrayItem(p, 1)->valuestring : NULL;
		i++;
	}
	return kv;
}

static phn_dispatch_bool tri(const cJSON *r, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);

	if (!v)
		return PHN_DISPATCH_UNSET;
	return cJSON_IsTrue(v) ? PHN_DISPATCH_TRUE : PHN_DISPATCH_FALSE;
}

/* Strings point into the case's JSON, which outlives the holder's use. */
static void fill(holder *h, const cJSON *c)
{
	const cJSON *r = cJSON_GetObjectItem(c, "request");
	const char *kind = jstr(c, "kind");

	memset(h, 0, sizeof(*h));
	phn_dispatch_call_init(&h->call, PHN_DISPATCH_CALL_VERSION);
	phn_dispatch_contact_init(&h->contact, PHN_DISPATCH_CONTACT_VERSION);
	phn_dispatch_invoice_init(&h->invoice, PHN_DISPATCH_INVOICE_VERSION);
	if (STREQ(kind, "contact")) {
		h->kind = PHN_DISPATCH_KIND_CONTACT;
		h->contact.name = jstr(r, "name");
		h->contact.phone_number = jstr(r, "phone_number");
		h->contact.country_code = jstr(r, "country_code");
		h->contact.email = jstr(r, "email");
		h->contact.role = jstr(r, "role");
		if (cJSON_IsTrue(cJSON_GetObjectItem(r, "allow_possible")))
			h->contact.flags |= PHN_DISPATCH_ALLOW_POSSIBLE;
		return;
	}
	if (STREQ(kind, "invoice")) {
		h->kind = PHN_DISPATCH_KIND_INVOICE;
		h->invoice.number = jstr(r, "number");
		h->invoice.date = jstr(r, "date");
		h->invoice.due_date = jstr(r, "due_date");
		h->invoice.total = jstr(r, "total");
		h->invoice.contact_uuid = jstr(r, "contact_uuid");
		return;
	}
	h->kind = PHN_DISPATCH_KIND_CALL;
	h->call.number = jstr(r, "number");
	if (jstr(r, "number_hex"))
		h->call.number = h->hex[0] = from_hex(jstr(r, "number_hex"));
	h->call.country_code = jstr(r, "country_code");
	h->call.first_name = jstr(r, "first_name");
	if (jstr(r, "first_name_hex"))
		h->call.first_name = h->hex[1] = from_hex(jstr(r, "first_name_hex"));
	h->call.last_name = jstr(r, "last_name");
	h->call.email = jstr(r, "email");
	h->call.contact_uuid = jstr(r, "contact_uuid");
	h->call.template_id = jstr(r, "template_id");
	if (cJSON_GetObjectItem(r, "prompt_tags"))
		h->call.prompt_tags = h->tags = pairs(cJSON_GetObjectItem(r, "prompt_tags"),
						      &h->call.prompt_tags_count);
	h->call.prompt_tags_json = jstr(r, "prompt_tags_json");
	if (cJSON_GetObjectItem(r, "metadata"))
		h->call.metadata = h->meta = pairs(cJSON_GetObjectItem(r, "metadata"),
						   &h->call.metadata_count);
	h->call.metadata_json = jstr(r, "metadata_json");
	h->call.update_existing = tri(r, "update_existing");
	h->call.create_if_not_exists = tri(r, "create_if_not_exists");
	if (cJSON_IsTrue(cJSON_GetObjectItem(r, "allow_possible")))
		h->call.flags |= PHN_DISPATCH_ALLOW_POSSIBLE;
}

static void holder_free(holder *h)
{
	free(h->tags);
	free(h->meta);
	free(h->hex[0]);
	free(h->hex[1]);
}

static int send_h(phn_dispatch_result **res, phn_dispatch *d, const holder *h)
{
	switch (h->kind) {
	case PHN_DISPATCH_KIND_CONTACT: return phn_dispatch_send_contact(res, d, &h->contact);
	case PHN_DISPATCH_KIND_INVOICE: return phn_dispatch_send_invoice(res, d, &h->invoice);
	default: return phn_dispatch_send_call(res, d, &h->call);
	}
}

static int describe_h(phn_dispatch_request **req, phn_dispatch *d, const holder *h)
{
	int rc;

	switch (h->kind) {
	case PHN_DISPATCH_KIND_CONTACT: rc = phn_dispatch_describe_contact(req, d, &h->contact); break;
	case PHN_DISPATCH_KIND_INVOICE: rc = phn_dispatch_describe_invoice(req, d, &h->invoice); break;
	default: rc = phn_dispatch_describe_call(req, d, &h->call); break;
	}
	CHECK((rc == PHN_OK) == (*req != NULL), "describe: rc %d with request %p", rc, (void *)*req);
	return rc;
}

/* The body a request would send, into dst[cap] (a dry run). */
static int json_h(char *dst, size_t cap, phn_dispatch *d, const holder *h)
{
	phn_dispatch_request *req = NULL;
	int rc = describe_h(&req, d, h);

	if (rc == PHN_OK)
		snprintf(dst, cap, "%s", phn_dispatch_request_body(NULL, req));
	phn_dispatch_request_free(req);
	return rc;
}

static int submit_h(uint64_t *id, phn_dispatch *d, const holder *h)
{
	switch (h->kind) {
	case PHN_DISPATCH_KIND_CONTACT: return phn_dispatch_submit_contact(id, d, &h->contact, NULL, NULL);
	case PHN_DISPATCH_KIND_INVOICE: return phn_dispatch_submit_invoice(id, d, &h->invoice, NULL, NULL);
	default: return phn_dispatch_submit_call(id, d, &h->call, NULL, NULL);
	}
}

static int rc_from_name(const char *name)
{
	if (STREQ(name, "EINVAL"))
		return PHN_EINVAL;
	if (STREQ(name, "EREGION"))
		return PHN_EREGION;
	if (STREQ(name, "EAUTH"))
		return PHN_EAUTH;
	return 1;
}

static void seed_contacts(const cJSON *c, char *first_uuid, size_t cap)
{
	const cJSON *contacts = cJSON_GetObjectItem(c, "contacts"), *k;

	first_uuid[0] = '\0';
	cJSON_ArrayForEach(k, contacts) {
		char *s = cJSON_PrintUnformatted(k);
		cJSON *made = control("POST", "/contacts", s);

		if (!first_uuid[0])
			snprintf(first_uuid, cap, "%s", jstr(made, "uuid"));
		cJSON_Delete(made);
		free(s);
	}
}

/* ---- bodies: exact JSON the server received --------------------------- */

static void check_response_member(const phn_dispatch_result *res, const char *key,
				  const char *want, const char *seeded)
{
	const char *got = STREQ(key, "contactUuid") ? res->contact_uuid :
			  STREQ(key, "uuid") ? res->uuid :
			  STREQ(key, "status") ? res->status : NULL;

	if (STREQ(want, "$seeded"))
		CHECK(STREQ(got, seeded), "%s is %s, want the seeded contact %s", key,
		      got ? got : "(null)", seeded);
	else if (STREQ(want, "$new"))
		CHECK(got && strlen(got) == 36 && strcmp(got, "9bfa828a-3c2d-430c-bdc7-f74d90334524") != 0,
		      "%s is %s, want a new uuid", key, got ? got : "(null)");
	else
		CHECK(STREQ(got, want), "%s is %s, want %s", key, got ? got : "(null)", want);
}

/*
 * The description a dry run prints is what went out: method, path, every
 * header (the token masked in the description, real at the server), body.
 */
static void check_described(phn_dispatch *d, const holder *h, const cJSON *rec)
{
	const cJSON *hdr = cJSON_GetObjectItem(rec, "headers");
	phn_dispatch_request *req = NULL;
	const char *url, *path, *name, *value, *got;
	char lower[64], bearer[256];
	size_t i, j, blen = 0;

	if (describe_h(&req, d, h) != PHN_OK) {
		CHECK(0, "describe: %s", phn_error_last());
		return;
	}
	url = phn_dispatch_request_url(req);
	path = strstr(url, "://");
	path = path ? strchr(path + 3, '/') : NULL;
	CHECK(STREQ(phn_dispatch_request_method(req), jstr(rec, "method")), "method %s",
	      phn_dispatch_request_method(req));
	CHECK(STREQ(path, jstr(rec, "path")), "described path %s, sent to %s", path ? path : "(none)",
	      jstr(rec, "path"));
	CHECK(phn_dispatch_request_header_count(req) == 4, "%zu headers",
	      phn_dispatch_request_header_count(req));
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	for (i = 0; i < phn_dispatch_request_header_count(req); i++) {
		phn_dispatch_request_header(&name, &value, req, i);
		for (j = 0; name[j] && j + 1 < sizeof(lower); j++)
			lower[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] - 'A' + 'a' : name[j]);
		lower[j] = '\0';
		got = jstr(hdr, lower);
		if (STREQ(name, "Authorization"))
			CHECK(STREQ(value, "Bearer ****") && STREQ(got, bearer),
			      "Authorization described as %s", value ? value : "(null)");
		else
			CHECK(STREQ(value, got), "%s described as %s, sent as %s", name, value,
			      got ? got : "(not sent)");
	}
	CHECK(STREQ(phn_dispatch_request_body(&blen, req), jstr(rec, "body")) &&
	      blen == strlen(jstr(rec, "body")), "described body\n got  %s\n sent %s",
	      phn_dispatch_request_body(NULL, req), jstr(rec, "body"));
	phn_dispatch_request_free(req);
}

static int test_bodies(const char *file)
{
	cJSON *doc = load(file), *c;
	phn_dispatch *d = open_handle(api_url, token, 0, NULL, NULL);
	char ua[64], path[256];
	int n = 0;

	snprintf(ua, sizeof(ua), "phonenorm/%s", phn_version());
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
		phn_dispatch_result *res = NULL;
		char seeded[64], dry[4096];
		cJSON *root, *list, *rec, *hdr;
		holder h;
		int rc;

		current = jstr(c, "name");
		reset_server();
		seed_contacts(c, seeded, sizeof(seeded));
		fill(&h, c);

		rc = json_h(dry, sizeof(dry), d, &h);
		CHECK(rc == PHN_OK, "dry-run body: %s: %s", phn_strerror(rc), phn_error_last());
		CHECK(rc != PHN_OK || STREQ(dry, jstr(c, "body")), "dry-run body\n got  %s\n want %s",
		      dry, jstr(c, "body"));

		rc = send_h(&res, d, &h);
		CHECK(rc == PHN_OK && res, "send: %s: %s", phn_strerror(rc), phn_error_last());
		if (rc != PHN_OK || !res) {
			holder_free(&h);
			continue;
		}
		list = recorded(&root);
		CHECK(cJSON_GetArraySize(list) == 1, "server saw %d requests, want 1",
		      cJSON_GetArraySize(list));
		rec = cJSON_GetArrayItem(list, 0);
		CHECK(STREQ(jstr(rec, "body"), jstr(c, "body")), "body the server received\n got  %s\n want %s",
		      jstr(rec, "body") ? jstr(rec, "body") : "(none)", jstr(c, "body"));
		snprintf(path, sizeof(path), "/api-service/v1%s",
			 h.kind == PHN_DISPATCH_KIND_CALL ? "/ai/phone-calls/action/call" :
			 h.kind == PHN_DISPATCH_KIND_CONTACT ? "/contact" : "/invoice");
		CHECK(STREQ(jstr(rec, "path"), path) && STREQ(jstr(rec, "method"), "POST"),
		      "request went to %s %s", jstr(rec, "method"), jstr(rec, "path"));
		hdr = cJSON_GetObjectItem(rec, "headers");
		CHECK(STREQ(jstr(hdr, "content-type"), "application/json"), "content-type %s",
		      jstr(hdr, "content-type"));
		CHECK(STREQ(jstr(hdr, "user-agent"), ua), "user-agent %s", jstr(hdr, "user-agent"));
		CHECK(jstr(hdr, "authorization") && strncmp(jstr(hdr, "authorization"), "Bearer ", 7) == 0 &&
		      STREQ(jstr(hdr, "authorization") + 7, token), "the token was not sent as a bearer");
		check_described(d, &h, rec);

		CHECK(res->http_status == jint(c, "status", -1), "HTTP %d, want %d", res->http_status,
		      jint(c, "status", -1));
		CHECK(STREQ(phn_dispatch_outcome_name(res->outcome), jstr(c, "outcome")), "outcome %s, want %s",
		      phn_dispatch_outcome_name(res->outcome), jstr(c, "outcome"));
		CHECK(STREQ(res->body, jstr(rec, "response")), "result body differs from what the server sent");
		CHECK(res->kind == h.kind, "result kind %d", (int)res->kind);
		if (h.kind == PHN_DISPATCH_KIND_CALL) {
			cJSON *sent = cJSON_Parse(jstr(c, "body"));
			CHECK(STREQ(res->number, jstr(sent, "numberToCall")), "result number %s", res->number);
			cJSON_Delete(sent);
			if (res->outcome == PHN_DISPATCH_ACCEPTED)
				CHECK(res->call_id && strncmp(res->call_id, "call-", 5) == 0 &&
				      STREQ(res->status, "initiated"), "callId/status not parsed");
		}
		if (jstr(c, "message"))
			CHECK(STREQ(res->message, jstr(c, "message")), "message %s", res->message);
		{
			const cJSON *want = cJSON_GetObjectItem(c, "response"), *m;
			cJSON_ArrayForEach(m, want)
				check_response_member(res, m->string, m->valuestring, seeded);
		}
		if (cJSON_GetObjectItem(c, "contact_after")) {
			cJSON *croot = control("GET", "/contacts", NULL), *m;
			cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(croot, "contacts"), 0);
			cJSON_ArrayForEach(m, cJSON_GetObjectItem(c, "contact_after"))
				CHECK(STREQ(jstr(first, m->string), m->valuestring), "contact %s is %s after the call",
				      m->string, jstr(first, m->string));
			cJSON_Delete(croot);
		}
		cJSON_Delete(root);
		phn_dispatch_result_free(res);
		holder_free(&h);
		n++;
	}
	current = "";
	CHECK(n >= 20, "only %d cases ran", n);
	phn_dispatch_free(d);
	cJSON_Delete(doc);
	printf("bodies: %d cases\n", n);
	return 0;
}

/* ---- validation: refused locally, nothing sent ------------------------- */

static int test_validation(const char *file)
{
	cJSON *doc = load(file), *c;
	phn_dispatch *d = open_handle(api_url, token, 0, NULL, NULL);
	int n = 0;

	reset_server();
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
		phn_dispatch_result *res = (phn_dispatch_result *)1;
		int want = rc_from_name(jstr(c, "rc")), rc;
		const char *msg = jstr(c, "error"), *also = jstr(c, "also");
		char buf[1024];
		uint64_t id = 7;
		holder h;

		current = jstr(c, "name");
		fill(&h, c);
		rc = send_h(&res, d, &h);
		CHECK(rc == want, "send gave %d (%s), want %s", rc, phn_strerror(rc), jstr(c, "rc"));
		CHECK(res == NULL, "*out not NULL on error");
		CHECK(strstr(phn_error_last(), msg) != NULL, "error\n got  %s\n want ...%s...",
		      phn_error_last(), msg);
		CHECK(!also || strstr(phn_error_last(), also), "error lacks %s", also);
		rc = json_h(buf, sizeof(buf), d, &h);
		CHECK(rc == want && strstr(phn_error_last(), msg), "describe gave %d: %s", rc,
		      phn_error_last());
		rc = submit_h(&id, d, &h);
		CHECK(rc == want && id == 0, "submit gave %d, id %llu", rc, (unsigned long long)id);
		CHECK(phn_dispatch_pending(d) == 0, "a refused request was queued");
		holder_free(&h);
		n++;
	}
	current = "";
	CHECK(recorded_count() == 0, "the server received %d requests; want none", recorded_count());
	CHECK(n >= 40, "only %d cases ran", n);
	phn_dispatch_free(d);
	cJSON_Delete(doc);
	printf("validation: %d cases\n", n);
	return 0;
}

/* ---- outcomes: one per class, by fault injection ---------------------- */

static int refused_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) != 0) {
		perror("socket");
		exit(99);
	}
	port = ntohs(a.sin_port);
	close(s); /* bound, never listened: connecting is refused */
	return port;
}

static void check_copy(const phn_dispatch_result *res)
{
	phn_dispatch_result *copy = NULL;
	size_t i, j;

	CHECK(phn_dispatch_result_copy(&copy, res) == PHN_OK && copy, "result copy failed");
	if (!copy)
		return;
	CHECK(copy->outcome == res->outcome && copy->http_status == res->http_status &&
	      copy->body_len == res->body_len && memcmp(copy->body, res->body, res->body_len) == 0 &&
	      STREQ(copy->error, res->error) && copy->details_count == res->details_count &&
	      copy->body != res->body, "copy differs");
	for (i = 0; i < res->details_count && i < copy->details_count; i++) {
		const phn_dispatch_detail *a = phn_dispatch_result_detail(res, i);
		const phn_dispatch_detail *b = phn_dispatch_result_detail(copy, i);

		CHECK(a != b && STREQ(b->loc, a->loc) && STREQ(b->msg, a->msg) &&
		      STREQ(b->type, a->type) && b->loc_count == a->loc_count, "copied detail %zu", i);
		for (j = 0; j < a->loc_count; j++)
			CHECK(STREQ(b->loc_parts[j], a->loc_parts[j]), "copied loc part");
	}
	CHECK(phn_dispatch_result_detail(copy, copy->details_count) == NULL, "detail past the end");
	phn_dispatch_result_free(copy);
}

static int test_outcomes(const char *file)
{
	cJSON *doc = load(file), *c;
	char refused[128];
	int n = 0, seen[7] = { 0 }, i;

	snprintf(refused, sizeof(refused), "http://127.0.0.1:%d/api-service/v1", refused_port());
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
		phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
		phn_dispatch_result *res = NULL;
		const cJSON *fault = cJSON_GetObjectItem(c, "fault"), *det, *dj;
		const char *url = STREQ(jstr(c, "target"), "refused") ? refused : api_url;
		const char *tok = jstr(c, "token") ? jstr(c, "token") : token;
		phn_dispatch *d = open_handle(url, tok, jint(c, "timeout_ms", 0), NULL, NULL);
		int rc;

		current = jstr(c, "name");
		reset_server();
		if (fault)
			add_fault(fault);
		call.number = "+966501234567";
		rc = phn_dispatch_send_call(&res, d, &call);
		CHECK(rc == PHN_OK && res, "send: %s: %s", phn_strerror(rc), phn_error_last());
		if (!res) {
			phn_dispatch_free(d);
			continue;
		}
		CHECK(STREQ(phn_dispatch_outcome_name(res->outcome), jstr(c, "outcome")),
		      "outcome %s, want %s (%s)", phn_dispatch_outcome_name(res->outcome), jstr(c, "outcome"),
		      res->error);
		if ((unsigned)res->outcome < 7)
			seen[res->outcome]++;
		CHECK(res->http_status == jint(c, "http_status", -1), "HTTP %d, want %d", res->http_status,
		      jint(c, "http_status", -1));
		CHECK(recorded_count() == jint(c, "recorded", -1), "server saw %d requests, want %d",
		      recorded_count(), jint(c, "recorded", -1));
		CHECK(res->error && res->error[0], "no error line");
		CHECK(STREQ(res->number, "+966501234567"), "number %s", res->number);
		if (jstr(c, "error"))
			CHECK(strstr(res->error, jstr(c, "error")) != NULL, "error\n got  %s\n want ...%s...",
			      res->error, jstr(c, "error"));
		if (jstr(c, "message"))
			CHECK(STREQ(res->message, jstr(c, "message")), "message %s", res->message);
		if (jstr(c, "status"))
			CHECK(STREQ(res->status, jstr(c, "status")), "status %s", res->status);
		if (jstr(c, "call_id"))
			CHECK(STREQ(res->call_id, jstr(c, "call_id")), "callId %s, want %s", res->call_id,
			      jstr(c, "call_id"));
		if (cJSON_IsTrue(cJSON_GetObjectItem(c, "has_call_id")))
			CHECK(res->call_id && strncmp(res->call_id, "call-", 5) == 0 && res->contact_uuid &&
			      strlen(res->contact_uuid) == 36, "callId/contactUuid missing");
		if (jstr(c, "retry_after"))
			CHECK(STREQ(res->retry_after, jstr(c, "retry_after")), "Retry-After %s", res->retry_after);
		else
			CHECK(res->retry_after == NULL, "unexpected Retry-After %s", res->retry_after);
		if (cJSON_GetObjectItem(c, "retry_after_seconds"))
			CHECK(res->retry_after_seconds == jint(c, "retry_after_seconds", -2),
			      "Retry-After seconds %ld, want %d", res->retry_after_seconds,
			      jint(c, "retry_after_seconds", -2));
		det = cJSON_GetObjectItem(c, "details");
		if (det) {
			CHECK(res->details_count == (size_t)cJSON_GetArraySize(det), "%zu details, want %d",
			      res->details_count, cJSON_GetArraySize(det));
			i = 0;
			cJSON_ArrayForEach(dj, det) {
				const phn_dispatch_detail *x;

				if ((size_t)i >= res->details_count)
					break;
				x = phn_dispatch_result_detail(res, (size_t)i++);
				CHECK(x && x->version == PHN_DISPATCH_DETAIL_VERSION, "detail %d", i - 1);
				if (!x)
					break;
				CHECK(STREQ(x->loc, cJSON_GetArrayItem(dj, 0)->valuestring), "loc %s", x->loc);
				CHECK(STREQ(x->msg, cJSON_GetArrayItem(dj, 1)->valuestring), "msg %s", x->msg);
				CHECK(STREQ(x->type, cJSON_GetArrayItem(dj, 2)->valuestring), "type %s", x->type);
				CHECK(x->loc_count == (size_t)cJSON_GetArrayItem(dj, 3)->valueint &&
				      STREQ(x->loc_parts[0], "body"), "loc parts %zu", x->loc_count);
			}
			CHECK(phn_dispatch_result_detail(res, res->details_count) == NULL &&
			      phn_dispatch_result_detail(NULL, 0) == NULL, "detail past the end");
			check_copy(res);
		}
		phn_dispatch_result_free(res);
		phn_dispatch_free(d);
		n++;
	}
	current = "";
	for (i = 0; i < 7; i++)
		CHECK(seen[i] > 0, "no case produced outcome %s", phn_dispatch_outcome_name((phn_dispatch_outcome)i));

	/* No token: refused locally, nothing on the wire. */
	{
		phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
		phn_dispatch_result *res = NULL;
		phn_dispatch *d = open_handle(api_url, NULL, 0, NULL, NULL);

		current = "no token";
		reset_server();
		call.number = "+966501234567";
		CHECK(!phn_dispatch_has_token(d), "has a token");
		CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_EAUTH && !res, "sent without a token");
		CHECK(strstr(phn_error_last(), "no API token") != NULL, "error %s",
		      phn_error_last());
		CHECK(phn_dispatch_submit_call(NULL, d, &call, NULL, NULL) == PHN_EAUTH, "queued without a token");
		CHECK(recorded_count() == 0, "the server saw a request");
		phn_dispatch_free(d);
	}
	cJSON_Delete(doc);
	printf("outcomes: %d cases\n", n);
	return 0;
}

/* ---- multi: many in flight, each answer to its own number ------------- */

#define MULTI_N 60
#define MULTI_MAX 8

typedef struct expect {
	char number[20];
	phn_dispatch_outcome outcome;
	uint64_t id;
	int seen;
	char call_id[64];
	phn_dispatch *d;
} expect;

static expect extra_expect;
static int extra_submitted;

static void on_done(const phn_dispatch_result *res, void *payload)
{
	expect *e = payload;

	e->seen++;
	CHECK(STREQ(res->number, e->number), "result for %s came to the slot of %s", res->number, e->number);
	CHECK(res->id == e->id, "id %llu, want %llu", (unsigned long long)res->id, (unsigned long long)e->id);
	CHECK(res->outcome == e->outcome, "%s: outcome %s, want %s (%s)", e->number,
	      phn_dispatch_outcome_name(res->outcome), phn_dispatch_outcome_name(e->outcome), res->error);
	if (res->call_id)
		snprintf(e->call_id, sizeof(e->call_id), "%s", res->call_id);
	/* A callback may queue more work on the same handle. */
	if (!extra_submitted) {
		phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;

		extra_submitted = 1;
		call.number = extra_expect.number;
		CHECK(phn_dispatch_submit_call(&extra_expect.id, e->d, &call, on_done, &extra_expect) == PHN_OK,
		      "submit from a callback: %s", phn_error_last());
		CHECK(phn_dispatch_poll(NULL, e->d, 0) == PHN_EINVAL, "poll from a callback was allowed");
	}
}

static int test_multi(void)
{
	static expect ex[MULTI_N];
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;
	phn_dispatch *d = NULL;
	cJSON *faults = cJSON_CreateArray(), *root, *list, *rec, *stats;
	int i, j, max_seen;
	size_t left;

	current = "multi";
	reset_server();
	o.base_url = api_url;
	o.token = token;
	o.max_in_flight = MULTI_MAX;
	o.timeout_ms = 5000;
	CHECK(phn_dispatch_new(&d, &o) == PHN_OK, "new: %s", phn_error_last());
	snprintf(extra_expect.number, sizeof(extra_expect.number), "+966509999999");
	extra_expect.outcome = PHN_DISPATCH_ACCEPTED;
	extra_expect.d = d;
	for (i = 0; i < MULTI_N; i++) {
		cJSON *f = cJSON_CreateObject();

		snprintf(ex[i].number, sizeof(ex[i].number), "+9665012345%02d", i);
		ex[i].d = d;
		ex[i].outcome = PHN_DISPATCH_ACCEPTED;
		cJSON_AddStringToObject(f, "number", ex[i].number);
		/* Later numbers answer sooner, so completions come out of order. */
		cJSON_AddNumberToObject(f, "delay", 0.05 + 0.01 * (MULTI_N - i) / 2);
		if (i % 10 == 3) {
			cJSON_AddNumberToObject(f, "status", 429);
			cJSON_AddStringToObject(f, "retry_after", "1");
			ex[i].outcome = PHN_DISPATCH_THROTTLED;
		} else if (i % 10 == 6) {
			cJSON_AddNumberToObject(f, "status", 500);
			ex[i].outcome = PHN_DISPATCH_AMBIGUOUS;
		} else if (i % 10 == 8) {
			cJSON_AddTrueToObject(f, "drop");
			ex[i].outcome = PHN_DISPATCH_AMBIGUOUS;
		}
		cJSON_AddItemToArray(faults, f);
	}
	add_fault(faults);
	cJSON_Delete(faults);

	for (i = 0; i < MULTI_N; i++) {
		phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
		char local[16];

		/* Half the numbers in national form: the multi path normalizes too. */
		snprintf(local, sizeof(local), "05012345%02d", i);
		call.number = i % 2 ? ex[i].number : local;
		call.country_code = i % 2 ? NULL : "SA";
		CHECK(phn_dispatch_submit_call(&ex[i].id, d, &call, on_done, &ex[i]) == PHN_OK,
		      "submit %d: %s", i, phn_error_last());
		CHECK(ex[i].id == (uint64_t)i + 1, "id %llu for request %d", (unsigned long long)ex[i].id, i);
	}
	CHECK(phn_dispatch_pending(d) == MULTI_N, "pending %zu", phn_dispatch_pending(d));
	CHECK(phn_dispatch_poll(&left, d, 0) == PHN_OK && left > 0, "poll(0) finished everything at once");
	CHECK(phn_dispatch_run(d) == PHN_OK, "run: %s", phn_error_last());
	CHECK(phn_dispatch_pending(d) == 0, "pending %zu after run", phn_dispatch_pending(d));
	CHECK(extra_submitted && extra_expect.seen == 1, "the request queued by a callback did not finish");

	list = recorded(&root);
	CHECK(cJSON_GetArraySize(list) == MULTI_N + 1, "server saw %d requests, want %d",
	      cJSON_GetArraySize(list), MULTI_N + 1);
	for (i = 0; i < MULTI_N; i++) {
		int found = 0;

		CHECK(ex[i].seen == 1, "%s completed %d times", ex[i].number, ex[i].seen);
		if (ex[i].outcome != PHN_DISPATCH_ACCEPTED)
			continue;
		/* The callId this number got must be the one the server gave that number. */
		cJSON_ArrayForEach(rec, list) {
			const char *resp = jstr(rec, "response");
			if (resp && ex[i].call_id[0] && strstr(resp, ex[i].call_id)) {
				cJSON *body = cJSON_GetObjectItem(rec, "json");
				found++;
				CHECK(STREQ(jstr(body, "numberToCall"), ex[i].number),
				      "callId %s was given to %s, reported for %s", ex[i].call_id,
				      jstr(body, "numberToCall"), ex[i].number);
			}
		}
		CHECK(found == 1, "callId of %s found %d times at the server", ex[i].number, found);
	}
	cJSON_Delete(root);
	stats = control("GET", "/stats", NULL);
	max_seen = jint(stats, "max_in_flight", 0);
	CHECK(max_seen >= 2 && max_seen <= MULTI_MAX, "server saw at most %d at once; want 2..%d",
	      max_seen, MULTI_MAX);
	cJSON_Delete(stats);
	for (i = 0; i < MULTI_N; i++)
		for (j = i + 1; j < MULTI_N; j++)
			CHECK(ex[i].id != ex[j].id, "ids repeat");

	/* Freeing with work still queued abandons it without callbacks. */
	for (i = 0; i < 3; i++) {
		phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
		call.number = "+966501234567";
		CHECK(phn_dispatch_submit_call(NULL, d, &call, on_done, &ex[0]) == PHN_OK, "submit");
	}
	CHECK(phn_dispatch_poll(&left, d, 0) == PHN_OK && left == 3, "left %zu", left);
	ex[0].seen = 0;
	phn_dispatch_free(d);
	CHECK(ex[0].seen == 0, "an abandoned request called back");
	printf("multi: %d requests, at most %d at once\n", MULTI_N + 1, max_seen);
	return 0;
}

/* ---- token: never in anything phonenorm hands out ----------------------- */

static void on_trace(const char *line, void *payload)
{
	text_adds(payload, line);
}

static void collect_result(text *all, const phn_dispatch_result *r)
{
	size_t i, j;

	if (!r)
		return;
	text_adds(all, r->number);
	text_adds(all, r->call_id);
	text_adds(all, r->status);
	text_adds(all, r->contact_uuid);
	text_adds(all, r->uuid);
	text_adds(all, r->message);
	text_add(all, r->body, r->body_len);
	text_adds(all, r->retry_after);
	text_adds(all, r->error);
	for (i = 0; i < r->details_count; i++) {
		const phn_dispatch_detail *x = phn_dispatch_result_detail(r, i);

		text_adds(all, x->loc);
		text_adds(all, x->msg);
		text_adds(all, x->type);
		for (j = 0; j < x->loc_count; j++)
			text_adds(all, x->loc_parts[j]);
	}
}

static void collect_done(const phn_dispatch_result *res, void *payload)
{
	collect_result(payload, res);
}

/*
 * issue 8: pieces of the token. A server echoes the token split over a
 * folded header, escaped (\u00XX, %XX) in a body, cut at the 1 MiB body
 * limit; no 4 characters of the token in a row may show anywhere. The
 * token here shares no 4 characters with anything else the test prints.
 */
#define PIECE_TOKEN "Zq9Xv7/Kp2Wm4-Rt8Yb6"

static int shows_piece(const char *hay, size_t len, const char *tok)
{
	size_t tlen = strlen(tok), i, j;

	for (i = 0; i + 4 <= tlen; i++)
		for (j = 0; j + 4 <= len; j++)
			if (memcmp(hay + j, tok + i, 4) == 0)
				return 1;
	return 0;
}

static void piece_fault(const char *wire)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "wire", wire);
	add_fault(f);
	cJSON_Delete(f);
}

/* form 0: \u00xx, 1: \u00XX, 2: %XX, 3: %xx; every character or every third. */
static char *escaped(const char *tok, int form, int every)
{
	text t = { NULL, 0 };
	char one[16];
	size_t i;

	for (i = 0; tok[i]; i++) {
		unsigned int c = (unsigned char)tok[i];

		if (every || i % 3 == 1) {
			switch (form) {
			case 0: snprintf(one, sizeof(one), "\\u%04x", c); break;
			case 1: snprintf(one, sizeof(one), "\\u%04X", c); break;
			case 2: snprintf(one, sizeof(one), "%%%02X", c); break;
			default: snprintf(one, sizeof(one), "%%%02x", c); break;
			}
		} else
			snprintf(one, sizeof(one), "%c", tok[i]);
		text_add(&t, one, strlen(one));
	}
	return t.ptr;
}

static void test_token_pieces(void)
{
	const char *tok = PIECE_TOKEN;
	size_t tlen = strlen(tok), cut, i;
	text all = { NULL, 0 }, trace = { NULL, 0 };
	phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
	phn_dispatch *d = open_handle(api_url, tok, 5000, on_trace, &trace);
	char wire[4096], *esc;
	int cases = 0;

	current = "token pieces";
	reset_server();
	call.number = "+966501234567";
	/* A header folded (obs-fold) at every place inside the token. */
	for (cut = 1; cut < tlen; cut++) {
		phn_dispatch_result *res = NULL;

		snprintf(wire, sizeof(wire), "HTTP/1.1 401 Unauthorized\r\nX-Echo: Bearer %.*s\r\n %s\r\n"
			 "X-Echo2: %.*s\r\n\t%s\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
			 (int)cut, tok, tok + cut, (int)cut, tok, tok + cut);
		piece_fault(wire);
		CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_OK && res, "send");
		collect_result(&all, res);
		phn_dispatch_result_free(res);
		cases++;
	}
	/* Escaped copies in the body: \u00XX (some or all), %XX, \/ */
	{
		for (i = 0; i < 8; i++) {
			phn_dispatch_result *res = NULL;
			char body[1024];

			esc = escaped(tok, (int)(i % 4), (int)(i / 4));
			snprintf(body, sizeof(body), "{\"detail\": \"credentials %s were refused\"}", esc);
			snprintf(wire, sizeof(wire), "HTTP/1.1 401 Unauthorized\r\nContent-Length: %zu\r\n"
				 "X-Echo: %s\r\nConnection: close\r\n\r\n%s", strlen(body), esc, body);
			free(esc);
			piece_fault(wire);
			CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_OK && res, "send");
			if (res)
				CHECK(STREQ(res->message, "credentials **** were refused"),
				      "escaped token in the message: %s", res->message);
			collect_result(&all, res);
			phn_dispatch_result_free(res);
			cases++;
		}
		{
			/* JSON's \/ for the slash inside the token. */
			phn_dispatch_result *res = NULL;

			snprintf(wire, sizeof(wire), "HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\n"
				 "{\"detail\": \"Zq9Xv7\\/Kp2Wm4-Rt8Yb6\"}");
			piece_fault(wire);
			CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_OK && res, "send");
			collect_result(&all, res);
			phn_dispatch_result_free(res);
			cases++;
		}
	}
	/* The 1 MiB body limit cutting a copy, plain or escaped, at every place. */
	for (cut = 1; cut < tlen + 6; cut += 1) {
		phn_dispatch_result *res = NULL;
		const size_t limit = 1024 * 1024;

		esc = cut >= tlen ? escaped(tok, 0, 1) : NULL;
		/* Plain copies for cuts inside the token, then an escaped copy cut
		 * inside its escapes (the first 6 bytes spell one character). */
		if (esc)
			snprintf(wire, sizeof(wire), "HTTP/1.1 422 Unprocessable\r\nConnection: close\r\n\r\n"
				 "{pad:%zu}%s and more", limit - (cut - tlen + 4 * 6 + 1), esc);
		else
			snprintf(wire, sizeof(wire), "HTTP/1.1 422 Unprocessable\r\nConnection: close\r\n\r\n"
				 "{pad:%zu}%s and more", limit - cut, tok);
		free(esc);
		piece_fault(wire);
		CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_OK && res, "send");
		if (res) {
			CHECK(res->body_truncated && res->body_len >= limit - 64, "body %zu bytes, cut %d",
			      res->body_len, res->body_truncated);
			collect_result(&all, res);
		}
		phn_dispatch_result_free(res);
		cases++;
	}
	phn_dispatch_free(d);
	CHECK(!shows_piece(all.ptr, all.len, tok), "A PIECE OF THE TOKEN IN A RESULT");
	CHECK(!shows_piece(trace.ptr, trace.len, tok), "A PIECE OF THE TOKEN IN THE TRACE");
	CHECK(trace.ptr && strstr(trace.ptr, "< X-Echo: Bearer ****"), "no folded header in the trace");
	CHECK(all.ptr && strstr(all.ptr, "xxxx****"), "no cut body masked at its end");
	if (shows_piece(all.ptr, all.len, tok) || shows_piece(trace.ptr, trace.len, tok)) {
		for (i = 0; i + 4 <= tlen; i++) {
			char piece[5];
			const char *p;

			memcpy(piece, tok + i, 4);
			piece[4] = '\0';
			if ((p = strstr(trace.ptr, piece)) != NULL)
				fprintf(stderr, "trace: ...%.60s\n", p > trace.ptr + 30 ? p - 30 : trace.ptr);
			if ((p = strstr(all.ptr, piece)) != NULL)
				fprintf(stderr, "result: ...%.60s\n", p > all.ptr + 30 ? p - 30 : all.ptr);
		}
	}
	printf("token pieces: %d answers, %zu bytes of results, %zu bytes of trace\n", cases, all.len,
	       trace.len);
	free(all.ptr);
	free(trace.ptr);
}

static int test_token(void)
{
	text all = { NULL, 0 }, trace = { NULL, 0 };
	phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
	phn_dispatch_result *res;
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;
	const char *faults[] = {
		NULL,
		"{\"echo_auth\": true, \"status\": 401}",
		"{\"status\": 422, \"body\": {\"detail\": [{\"loc\": [\"body\", \"x\"], \"msg\": \"m\", \"type\": \"t\"}]}}",
		"{\"status\": 429, \"retry_after\": \"3\"}",
		"{\"drop\": true}",
		"{\"delay\": 3.0}",
	};
	char path[] = "/tmp/phn-token-XXXXXX", want[256], refused[128];
	phn_dispatch_request *req = NULL;
	cJSON *root, *list, *rec;
	phn_dispatch *d, *d2;
	size_t i;
	FILE *f;
	int fd, rc;

	current = "token";
	reset_server();
	snprintf(refused, sizeof(refused), "http://127.0.0.1:%d/api-service/v1", refused_port());
	d = open_handle(api_url, token, 1500, on_trace, &trace);
	call.number = "+966501234567";
	call.first_name = "John";
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		cJSON *fj = faults[i] ? cJSON_Parse(faults[i]) : NULL;

		if (fj)
			add_fault(fj);
		cJSON_Delete(fj);
		res = NULL;
		rc = phn_dispatch_send_call(&res, d, &call);
		CHECK(rc == PHN_OK, "send %zu: %s", i, phn_error_last());
		collect_result(&all, res);
		if (i == 1)
			CHECK(res && strstr(res->body, "Bearer ****") && strstr(res->error, "Bearer ****"),
			      "the echoed token was not masked: %s", res ? res->body : "");
		phn_dispatch_result_free(res);
		text_adds(&all, phn_error_last());
	}
	/* The multi path, with the trace on. */
	for (i = 0; i < 3; i++)
		CHECK(phn_dispatch_submit_call(NULL, d, &call, collect_done, &all) == PHN_OK, "submit");
	CHECK(phn_dispatch_run(d) == PHN_OK, "run");
	/* Dry run (the whole description) and a local error. */
	CHECK(phn_dispatch_describe_call(&req, d, &call) == PHN_OK, "describe: %s", phn_error_last());
	text_adds(&all, phn_dispatch_request_url(req));
	for (i = 0; i < phn_dispatch_request_header_count(req); i++) {
		const char *name, *value;

		phn_dispatch_request_header(&name, &value, req, i);
		text_adds(&all, name);
		text_adds(&all, value);
	}
	text_adds(&all, phn_dispatch_request_body(NULL, req));
	phn_dispatch_request_free(req);
	call.country_code = "sa";
	CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_EINVAL, "lower-case region accepted");
	text_adds(&all, phn_error_last());
	call.country_code = NULL;
	phn_dispatch_free(d);

	/* A connection that is refused, traced. */
	d2 = open_handle(refused, token, 0, on_trace, &trace);
	res = NULL;
	CHECK(phn_dispatch_send_call(&res, d2, &call) == PHN_OK && res &&
	      res->outcome == PHN_DISPATCH_NOT_SENT, "refused connection");
	collect_result(&all, res);
	phn_dispatch_result_free(res);
	phn_dispatch_free(d2);

	/* The token must have gone out: the check below would pass vacuously otherwise. */
	list = recorded(&root);
	CHECK(cJSON_GetArraySize(list) >= 9, "only %d requests recorded", cJSON_GetArraySize(list));
	cJSON_ArrayForEach(rec, list) {
		const char *auth = jstr(cJSON_GetObjectItem(rec, "headers"), "authorization");
		CHECK(auth && strncmp(auth, "Bearer ", 7) == 0 && STREQ(auth + 7, token),
		      "request without the token");
	}
	cJSON_Delete(root);

	CHECK(trace.ptr && strstr(trace.ptr, "> Authorization: Bearer ****"), "the trace shows no masked header");
	CHECK(trace.ptr && strstr(trace.ptr, "> POST /api-service/v1/ai/phone-calls/action/call"),
	      "the trace shows no request line");
	CHECK(trace.ptr && strstr(trace.ptr, "< HTTP/1.1 201"), "the trace shows no response");
	CHECK(trace.ptr && strstr(trace.ptr, "[1] > POST"), "multi trace lines carry no id");
	CHECK(trace.ptr && !strstr(trace.ptr, token), "TOKEN IN THE TRACE");
	CHECK(all.ptr && !strstr(all.ptr, token), "TOKEN IN A RESULT OR ERROR:\n%s", all.ptr);
	CHECK(all.ptr && strstr(all.ptr, "credentials Bearer **** were refused"), "echo result missing");

	/* A token from a file: first line, white space dropped. */
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		perror("mkstemp");
		return 99;
	}
	fprintf(f, "  %s \r\nsecond line is ignored\n", token);
	fclose(f);
	phn_dispatch_options_init(&o, PHN_DISPATCH_OPTIONS_VERSION);
	o.base_url = api_url;
	o.token_file = path;
	d = NULL;
	CHECK(phn_dispatch_new(&d, &o) == PHN_OK && phn_dispatch_has_token(d), "token file: %s",
	      phn_error_last());
	res = NULL;
	CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_OK && res &&
	      res->outcome == PHN_DISPATCH_ACCEPTED, "token from a file refused: %s",
	      res ? res->error : phn_error_last());
	phn_dispatch_result_free(res);
	phn_dispatch_free(d);

	/* Empty, missing and unsendable tokens. */
	f = fopen(path, "w");
	fputs(" \n", f);
	fclose(f);
	d = (phn_dispatch *)&o; /* any non-NULL value: a failed new must clear it */
	CHECK(phn_dispatch_new(&d, &o) == PHN_EIO && d == NULL, "empty token file accepted");
	snprintf(want, sizeof(want), "the token file: the API token is empty");
	CHECK(STREQ(phn_error_last(), want) && phn_error_last_code() == PHN_EIO, "error %s",
	      phn_error_last());
	unlink(path);
	d = (phn_dispatch *)&o;
	CHECK(phn_dispatch_new(&d, &o) == PHN_EIO && d == NULL, "missing token file accepted");
	/* The path names a secret's source: never printed. */
	snprintf(want, sizeof(want), "the token file: No such file or directory");
	CHECK(STREQ(phn_error_last(), want) && !strstr(phn_error_last(), path),
	      "missing token file: %s", phn_error_last());
	o.token_file = NULL;
	o.token = "test-token\r\nX-Injected: 1";
	d = (phn_dispatch *)&o;
	CHECK(phn_dispatch_new(&d, &o) == PHN_EINVAL && d == NULL &&
	      !strstr(phn_error_last(), "test-token") && !strstr(phn_error_last(), "Injected"),
	      "header injection through the token: %s", phn_error_last());

	free(all.ptr);
	free(trace.ptr);
	printf("token: checked %zu bytes of results and %zu bytes of trace\n", all.len, trace.len);
	test_token_pieces();
	return 0;
}

/* ---- tls: verification is on; a failed handshake sends nothing -------- */

static int test_tls(void)
{
	phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
	phn_dispatch_result *res = NULL;
	phn_dispatch *d = open_handle(api_url, token, 0, NULL, NULL);

	current = "tls";
	CHECK(strncmp(api_url, "https://", 8) == 0, "not an https server: %s", api_url);
	reset_server();
	call.number = "+966501234567";
	CHECK(phn_dispatch_send_call(&res, d, &call) == PHN_OK && res, "send: %s", phn_error_last());
	if (res) {
		CHECK(res->outcome == PHN_DISPATCH_NOT_SENT, "outcome %s (%s)",
		      phn_dispatch_outcome_name(res->outcome), res->error);
		CHECK(strstr(res->error, "TLS failed") != NULL, "error %s", res->error);
	}
	CHECK(recorded_count() == 0, "a request got through an unverified TLS connection");
	phn_dispatch_result_free(res);
	phn_dispatch_free(d);
	printf("tls: self-signed certificate refused\n");
	return 0;
}

/* ---- config: URLs, environment, options -------------------------------- */

static int new_with(phn_dispatch **d, const char *url, unsigned int flags)
{
	phn_dispatch_options o = PHN_DISPATCH_OPTIONS_INIT;

	o.base_url = url;
	o.flags = flags;
	*d = NULL;
	return phn_dispatch_new(d, &o);
}

static int test_config(void)
{
	static const struct {
		const char *url;
		int rc;
		const char *err;
	} urls[] = {
		{ "https://api.example.com/api-service/v1", PHN_OK, NULL },
		{ "https://api.example.com/api-service/v1/", PHN_OK, NULL },
		{ "http://127.0.0.1:8080/v1", PHN_OK, NULL },
		{ "http://127.1.2.3/v1", PHN_OK, NULL },
		{ "http://localhost:8080", PHN_OK, NULL },
		{ "http://[::1]:8080/v1", PHN_OK, NULL },
		{ "http://api.example.com/v1", PHN_EINVAL, "not loopback" },
		{ "http://10.0.0.1/v1", PHN_EINVAL, "not loopback" },
		{ "ftp://example.com/", PHN_EINVAL, "must start with https://" },
		{ "api.example.com/v1", PHN_EINVAL, "not an absolute http(s) URL" },
		{ "https://api.example.com/v1?x=1", PHN_EINVAL, "query" },
		{ "https://user:pw@api.example.com/v1", PHN_EINVAL, "credentials" },
	};
	phn_dispatch_options o;
	phn_dispatch_call call = PHN_DISPATCH_CALL_INIT;
	phn_dispatch_request *req = NULL;
	char buf[256];
	size_t needed = 0, i;
	phn_dispatch *d;
	int rc;

	current = "config";
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		phn_error_clear();
		rc = new_with(&d, urls[i].url, 0);
		CHECK(rc == urls[i].rc, "%s gave %d: %s", urls[i].url, rc, phn_error_last());
		CHECK((rc == PHN_OK) == (d != NULL), "handle %p for %s", (void *)d, urls[i].url);
		if (urls[i].err)
			CHECK(strstr(phn_error_last(), urls[i].err) && phn_error_last_code() == rc,
			      "%s: %s", urls[i].url, phn_error_last());
		else
			CHECK(phn_error_last()[0] == '\0', "a good URL left an error: %s", phn_error_last());
		phn_dispatch_free(d);
	}
	{
		static const struct {
			const char *url;
			int loopback;
		} lb[] = {
			{ "http://127.0.0.1:8080/v1", 1 },
			{ "https://127.1.2.3/v1", 1 },
			{ "http://LocalHost:8080", 1 },
			{ "http://[::1]:8080/v1", 1 },
			{ "https://127.0.0.1.nip.io/v1", 0 },
			{ "https://127.evil.example/v1", 0 },
			{ "https://localhost.example/v1", 0 },
			{ "https://api.example.com/v1", 0 },
		};

		for (i = 0; i < sizeof(lb) / sizeof(lb[0]); i++) {
			CHECK(new_with(&d, lb[i].url, 0) == PHN_OK, "%s: %s", lb[i].url,
			      phn_error_last());
			CHECK(phn_dispatch_is_loopback(d) == lb[i].loopback, "%s: loopback %d",
			      lb[i].url, phn_dispatch_is_loopback(d));
			phn_dispatch_free(d);
		}
		CHECK(phn_dispatch_is_loopback(NULL) == 0, "NULL is not loopback");
	}
	new_with(&d, "http://api.example.com/v1", 0);
	CHECK(STREQ(phn_error_last(), "http:// is allowed only for loopback hosts: API URL "
		    "'http://api.example.com/v1' is not loopback, and the bearer token would cross "
		    "the network in clear; use https://"), "message %s", phn_error_last());
	rc = new_with(&d, "https://api.example.com/api-service/v1///", 0);
	phn_dispatch_url(buf, sizeof(buf), NULL, d, PHN_DISPATCH_KIND_CONTACT);
	CHECK(STREQ(buf, "https://api.example.com/api-service/v1/contact"), "url %s", buf);
	CHECK(phn_dispatch_url(buf, 5, &needed, d, PHN_DISPATCH_KIND_CONTACT) == PHN_EBUFS &&
	      needed == strlen("https://api.example.com/api-service/v1/contact") &&
	      phn_error_last_code() == PHN_EBUFS, "URL EBUFS: needed %zu", needed);
	phn_dispatch_free(d);

	/*
	 * The environment is the CLI's policy: ctest sets PHONENORM_API_TOKEN,
	 * and a library caller gets it only by asking (PHN_DISPATCH_USE_ENV).
	 */
	CHECK(getenv("PHONENORM_API_TOKEN") && getenv("PHONENORM_API_TOKEN")[0],
	      "run me under ctest: PHONENORM_API_TOKEN is not set");
	CHECK(new_with(&d, NULL, 0) == PHN_OK && !phn_dispatch_has_token(d),
	      "the token was read from the environment without PHN_DISPATCH_USE_ENV");
	phn_dispatch_free(d);
	CHECK(phn_dispatch_new(&d, NULL) == PHN_OK && !phn_dispatch_has_token(d),
	      "NULL options read the environment");
	phn_dispatch_free(d);
	CHECK(new_with(&d, NULL, PHN_DISPATCH_USE_ENV) == PHN_OK && phn_dispatch_has_token(d),
	      "PHN_DISPATCH_USE_ENV did not read $PHONENORM_API_TOKEN");
	phn_dispatch_free(d);
	setenv("PHONENORM_API_URL", "http://127.0.0.1:9/env-base/", 1);
	new_with(&d, NULL, 0);
	phn_dispatch_url(buf, sizeof(buf), &needed, d, PHN_DISPATCH_KIND_CALL);
	CHECK(STREQ(buf, PHN_DISPATCH_DEFAULT_URL "/ai/phone-calls/action/call"), "default url %s", buf);
	CHECK(needed == strlen(buf), "needed %zu", needed);
	phn_dispatch_free(d);
	new_with(&d, NULL, PHN_DISPATCH_USE_ENV);
	phn_dispatch_url(buf, sizeof(buf), NULL, d, PHN_DISPATCH_KIND_INVOICE);
	CHECK(STREQ(buf, "http://127.0.0.1:9/env-base/invoice"), "env url %s", buf);
	phn_dispatch_free(d);
	new_with(&d, "https://explicit.example.com/v1", PHN_DISPATCH_USE_ENV);
	phn_dispatch_url(buf, sizeof(buf), NULL, d, PHN_DISPATCH_KIND_CONTACT);
	CHECK(STREQ(buf, "https://explicit.example.com/v1/contact"), "explicit url lost to env: %s", buf);
	phn_dispatch_free(d);
	unsetenv("PHONENORM_API_URL");
	CHECK(new_with(&d, NULL, 1u << 7) == PHN_EINVAL && !d && strstr(phn_error_last(), "flags"),
	      "unknown flags accepted: %s", phn_error_last());

	/* Versions (libgit2's rule: 1 to current), bad timeouts. */
	CHECK(phn_dispatch_options_init(&o, PHN_DISPATCH_OPTIONS_VERSION) == PHN_OK, "options init");
	CHECK(phn_dispatch_options_init(&o, 99) == PHN_EVERSION &&
	      strstr(phn_error_last(), "phn_dispatch_options version 99"), "options version 99: %s",
	      phn_error_last());
	CHECK(phn_dispatch_options_init(&o, 0) == PHN_EVERSION, "options version 0 accepted");
	CHECK(phn_dispatch_options_init(NULL, 1) == PHN_EINVAL, "NULL options accepted");
	CHECK(phn_dispatch_call_init(&call, 0) == PHN_EVERSION, "call version 0 accepted");
	CHECK(phn_dispatch_call_init(&call, PHN_DISPATCH_CALL_VERSION) == PHN_OK, "call init");
	{
		/* A version 1 caller's struct ends before flags: init must not write there. */
		phn_dispatch_call v1;
		phn_dispatch_contact c1;

		memset(&v1, 0x5A, sizeof(v1));
		memset(&c1, 0x5A, sizeof(c1));
		CHECK(phn_dispatch_call_init(&v1, 1) == PHN_OK && v1.version == 1 &&
		      v1.flags == 0x5A5A5A5Au && v1.number == NULL, "call init v1 wrote past v1");
		CHECK(phn_dispatch_contact_init(&c1, 1) == PHN_OK && c1.version == 1 &&
		      c1.flags == 0x5A5A5A5Au, "contact init v1 wrote past v1");
		new_with(&d, NULL, 0);
		/* flags of a v1 struct are not read: possible numbers stay refused. */
		v1.number = "0501234567";
		v1.country_code = "US";
		v1.flags = PHN_DISPATCH_ALLOW_POSSIBLE;
		req = NULL;
		CHECK(phn_dispatch_describe_call(&req, d, &v1) == PHN_EINVAL && !req &&
		      strstr(phn_error_last(), "only possible"), "v1 flags were read: %s",
		      phn_error_last());
		v1.version = 2;
		CHECK(phn_dispatch_describe_call(&req, d, &v1) == PHN_OK && req &&
		      STREQ(phn_dispatch_request_body(NULL, req),
			    "{\"numberToCall\":\"+10501234567\",\"countryCode\":\"US\"}"),
		      "allow possible: %s", phn_error_last());
		phn_dispatch_request_free(req);
		req = NULL;
		v1.flags = 1u << 5;
		CHECK(phn_dispatch_describe_call(&req, d, &v1) == PHN_EINVAL &&
		      strstr(phn_error_last(), "unknown bits"), "unknown call flags accepted");
		phn_dispatch_free(d);
	}
	phn_dispatch_options_init(&o, PHN_DISPATCH_OPTIONS_VERSION);
	o.version = 99;
	d = (phn_dispatch *)&o;
	CHECK(phn_dispatch_new(&d, &o) == PHN_EVERSION && !d, "new with version 99");
	phn_dispatch_options_init(&o, PHN_DISPATCH_OPTIONS_VERSION);
	o.timeout_ms = -1;
	d = (phn_dispatch *)&o;
	CHECK(phn_dispatch_new(&d, &o) == PHN_EINVAL && !d && strstr(phn_error_last(), "negative"),
	      "negative timeout accepted");
	o.timeout_ms = INT64_MAX; /* no limit worth the name, but not an error */
	CHECK(phn_dispatch_new(&d, &o) == PHN_OK, "a huge timeout refused: %s", phn_error_last());
	phn_dispatch_free(d);
	CHECK(phn_dispatch_new(NULL, NULL) == PHN_EINVAL && phn_error_last()[0], "NULL out accepted");
	phn_dispatch_free(NULL);
	phn_dispatch_result_free(NULL);
	phn_dispatch_request_free(NULL);

	/* Descriptions: what a dry run shows. */
	new_with(&d, NULL, 0);
	call.number = "+966501234567";
	call.first_name = "John";
	CHECK(phn_dispatch_describe_call(&req, d, &call) == PHN_OK, "describe: %s", phn_error_last());
	CHECK(STREQ(phn_dispatch_request_method(req), "POST") &&
	      STREQ(phn_dispatch_request_url(req), PHN_DISPATCH_DEFAULT_URL "/ai/phone-calls/action/call") &&
	      phn_dispatch_request_kind(req) == PHN_DISPATCH_KIND_CALL, "method/url/kind");
	CHECK(STREQ(phn_dispatch_request_body(&needed, req),
		    "{\"numberToCall\":\"+966501234567\",\"firstName\":\"John\"}") &&
	      needed == strlen(phn_dispatch_request_body(NULL, req)), "body %s",
	      phn_dispatch_request_body(NULL, req));
	CHECK(phn_dispatch_request_header_count(req) == 4, "%zu headers",
	      phn_dispatch_request_header_count(req));
	{
		static const char *const want[][2] = {
			{ "Authorization", NULL }, /* no token */
			{ "Content-Type", "application/json" },
			{ "Accept", "application/json" },
			{ "User-Agent", "phonenorm/" PHN_VERSION },
		};
		const char *name, *value;

		for (i = 0; i < 4; i++) {
			CHECK(phn_dispatch_request_header(&name, &value, req, i) == PHN_OK &&
			      STREQ(name, want[i][0]) &&
			      (want[i][1] ? STREQ(value, want[i][1]) : value == NULL),
			      "header %zu: %s: %s", i, name, value ? value : "(null)");
		}
		CHECK(phn_dispatch_request_header(&name, &value, req, 4) == PHN_EINVAL, "header 4");
	}
	phn_dispatch_request_free(req);
	req = (phn_dispatch_request *)&o;
	call.version = PHN_DISPATCH_CALL_VERSION + 1;
	CHECK(phn_dispatch_describe_call(&req, d, &call) == PHN_EVERSION && !req, "call version 3");
	CHECK(phn_dispatch_describe_call(&req, d, NULL) == PHN_EINVAL && !req, "NULL call");
	CHECK(phn_dispatch_describe_call(&req, NULL, &call) == PHN_EINVAL, "NULL handle");
	call.version = PHN_DISPATCH_CALL_VERSION;
	call.update_existing = (phn_dispatch_bool)7;
	CHECK(phn_dispatch_describe_call(&req, d, &call) == PHN_EINVAL && !req &&
	      strstr(phn_error_last(), "updateExisting"), "bool 7 accepted");
	phn_dispatch_free(d);
	CHECK(STREQ(phn_dispatch_user_agent(), "phonenorm/" PHN_VERSION), "user agent %s",
	      phn_dispatch_user_agent());
	CHECK(STREQ(phn_dispatch_outcome_name(PHN_DISPATCH_NOT_SENT), "not_sent") &&
	      STREQ(phn_dispatch_outcome_name((phn_dispatch_outcome)42), "unknown") &&
	      STREQ(phn_dispatch_kind_name(PHN_DISPATCH_KIND_INVOICE), "invoice"), "names");
	CHECK(phn_dispatch_pending(NULL) == 0 && !phn_dispatch_has_token(NULL), "NULL handle queries");
	printf("config: ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: test_dispatch bodies|validation|outcomes FILE | multi|token|tls|config\n");
		return 2;
	}
	api_url = getenv("PHN_TEST_API_URL");
	control_url = getenv("PHN_TEST_CONTROL_URL");
	token = getenv("PHN_TEST_TOKEN");
	if (strcmp(argv[1], "config") != 0 && (!api_url || !control_url || !token)) {
		fprintf(stderr, "run me through fakeapi.py (PHN_TEST_API_URL is not set)\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(argv[1], "bodies") == 0 && argc > 2)
		rc = test_bodies(argv[2]);
	else if (strcmp(argv[1], "validation") == 0 && argc > 2)
		rc = test_validation(argv[2]);
	else if (strcmp(argv[1], "outcomes") == 0 && argc > 2)
		rc = test_outcomes(argv[2]);
	else if (strcmp(argv[1], "multi") == 0)
		rc = test_multi();
	else if (strcmp(argv[1], "token") == 0)
		rc = test_token();
	else if (strcmp(argv[1], "tls") == 0)
		rc = test_tls();
	else if (strcmp(argv[1], "config") == 0)
		rc = test_config();
	else {
		fprintf(stderr, "unknown test %s\n", argv[1]);
		rc = 2;
	}
	curl_global_cleanup();
	if (rc)
		return rc;
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
