/*
 * The dialer's public API (campaign.h) against the fake call API
 * (tests/dispatch/fake_call_api.py, started by fakeapi.py) and real journal
 * files: dry runs send and write nothing, outcomes land in the right states,
 * a resume sends nothing twice, the invoice flow never makes a second
 * contact or invoice, the dial lock, the list check, 401, windows.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <phonenorm.h>

#include "check.h"

static const char *api_url, *control_url, *token;
static char dir[256];

struct text {
	char *ptr;
	size_t len;
};

static size_t on_write(char *data, size_t size, size_t n, void *userp)
{
	struct text *t = userp;
	char *p = realloc(t->ptr, t->len + size * n + 1);

	if (!p)
		abort();
	t->ptr = p;
	memcpy(p + t->len, data, size * n);
	t->len += size * n;
	p[t->len] = '\0';
	return size * n;
}

static cJSON *control(const char *method, const char *path, const char *body)
{
	char url[512];
	struct text out = { NULL, 0 };
	CURL *h = curl_easy_init();
	cJSON *json;

	snprintf(url, sizeof url, "%s%s", control_url, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(h) != CURLE_OK || !out.ptr) {
		fprintf(stderr, "control %s %s failed\n", method, path);
		exit(99);
	}
	curl_easy_cleanup(h);
	json = cJSON_Parse(out.ptr);
	free(out.ptr);
	if (!json)
		exit(99);
	return json;
}

static void control_do(const char *method, const char *path, const char *body)
{
	cJSON_Delete(control(method, path, body));
}

/* Requests the server saw on path (a suffix), and how many were 201. */
static int server_requests(const char *suffix, int *accepted)
{
	cJSON *r = control("GET", "/requests", NULL), *x;
	int n = 0;

	*accepted = 0;
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "requests")) {
		const char *p = cJSON_GetObjectItem(x, "path")->valuestring;
		size_t lp = strlen(p), ls = strlen(suffix);

		if (lp >= ls && strcmp(p + lp - ls, suffix) == 0) {
			n++;
			*accepted += cJSON_GetObjectItem(x, "status")->valueint == 201;
		}
	}
	cJSON_Delete(r);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		exit(99);
}

static char *path_in(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

struct seen {
	int rows, waits, stopping, capped, loaded;
	char detail422[256];
	int64_t wait_at;
};

static int on_event(const phn_dial_event *ev, void *payload)
{
	struct seen *s = payload;

	switch (ev->kind) {
	case PHN_DIAL_EVENT_ROW:
		s->rows++;
		CHECK(ev->dispatch_id && strlen(ev->dispatch_id) == 36 && ev->dispatch_id[14] == '4');
		if (ev->http_status == 422 && ev->detail)
			snprintf(s->detail422, sizeof s->detail422, "%s", ev->detail);
		break;
	case PHN_DIAL_EVENT_WAIT:
		s->waits++;
		if (ev->region && !s->wait_at)
			s->wait_at = ev->at_ms;
		break;
	case PHN_DIAL_EVENT_STOPPING: s->stopping++; break;
	case PHN_DIAL_EVENT_RETRY_CAPPED: s->capped++; break;
	case PHN_DIAL_EVENT_LOADED: s->loaded++; break;
	default: break;
	}
	CHECK(ev->progress != NULL);
	return 0;
}

/* 2026-12-07 (a Monday) 08:00 UTC: 11:00 in Riyadh, inside SA's window. */
#define MONDAY_0800 INT64_C(1796630400000)

static void base_options(phn_dial_options *o, phn_dispatch_options *d, const char *list,
			 struct seen *s)
{
	phn_dial_options_init(o, PHN_DIAL_OPTIONS_VERSION);
	phn_dispatch_options_init(d, PHN_DISPATCH_OPTIONS_VERSION);
	d->base_url = api_url;
	d->token = token;
	o->list_path = list;
	o->first_name_column = "name";
	o->dispatch = d;
	o->rate = 0;
	o->concurrency = 4;
	o->max_retries = 3;
	o->retry_cap_ms = 1000;
	o->test_now_ms = MONDAY_0800;
	o->on_event = on_event;
	o->payload = s;
}

static const char list_text[] =
	"name,phone,email\n"
	"Ali,+966501234561,a@x.com\n"
	"Badr,+966501234562,b@x.com\n"
	"Chadi,+966501234563,c@x.com\n"
	"Dana,+966501234564,d@x.com\n"
	"Eid,+966501234565,e@x.com\n"
	"Dup,+966501234561,\n"
	"Bad,12,\n";

static void test_dry_run(void)
{
	phn_dial_options o;
	phn_dispatch_options d;
	phn_dial_plan *plan = NULL;
	phn_dialer *dl = NULL;
	struct seen s;
	uint64_t rows = 0, to_call = 0, done = 0, skipped = 0, line = 0;
	const phn_dispatch_request *req;
	const char *name, *value, *region;
	double eta;
	int n, acc, open;
	int64_t opens;

	memset(&s, 0, sizeof s);
	control_do("POST", "/reset", "{}");
	write_file(path_in("list.csv"), list_text);
	base_options(&o, &d, path_in("list.csv"), &s);
	o.flags = PHN_DIAL_DRY_RUN;
	o.rate = 2;
	CHECK_INT(phn_dialer_open(&dl, path_in("dry.db"), &o), PHN_OK);
	CHECK(access(path_in("dry.db"), F_OK) != 0); /* nothing created */
	CHECK_INT(phn_dialer_plan(&plan, dl), PHN_OK);
	CHECK_INT(phn_dial_plan_counts(&rows, &to_call, &done, &skipped, &eta, plan), PHN_OK);
	CHECK_INT(rows, 7);
	CHECK_INT(to_call, 5);
	CHECK_INT(skipped, 2);
	CHECK(eta > 2.4 && eta < 2.6);
	req = phn_dial_plan_request(&line, plan, 0);
	CHECK(req != NULL && line == 2);
	for (size_t i = 0; req && i < phn_dispatch_request_header_count(req); i++) {
		phn_dispatch_request_header(&name, &value, req, i);
		if (strcmp(name, "Authorization") == 0)
			CHECK(value && strcmp(value, "Bearer ****") == 0);
	}
	CHECK(req && strstr(phn_dispatch_request_body(NULL, req), "\"firstName\":\"Ali\""));
	CHECK(req && strstr(phn_dispatch_request_body(NULL, req), "phonenorm_dispatch_id"));
	CHECK_INT(phn_dial_plan_window(&region, &rows, &open, &opens, plan, 0), PHN_OK);
	CHECK(strcmp(region, "SA") == 0 && rows == 5 && open == 1);
	CHECK_INT(phn_dialer_run(dl), PHN_EINVAL);
	phn_dial_plan_free(plan);
	phn_dialer_free(dl);
	n = server_requests("", &acc);
	CHECK_INT(n, 0);
	CHECK(access(path_in("dry.db"), F_OK) != 0);
}

static void test_live_faults_and_resume(void)
{
	phn_dial_options o;
	phn_dispatch_options d;
	phn_dialer *dl = NULL, *dl2 = NULL;
	phn_dial_progress p;
	phn_dial_end end;
	struct seen s;
	int n, acc;

	memset(&s, 0, sizeof s);
	control_do("POST", "/reset", "{}");
	control_do("POST", "/faults",
		   "[{\"number\":\"+966501234562\",\"status\":429,\"retry_after\":\"30\"},"
		   "{\"number\":\"+966501234563\",\"status\":422,\"body\":{\"detail\":[{\"type\":"
		   "\"value_error\",\"loc\":[\"body\",\"email\"],\"msg\":\"bad email\"}]}},"
		   "{\"number\":\"+966501234564\",\"drop\":true}]");
	base_options(&o, &d, path_in("list.csv"), &s);
	CHECK_INT(phn_dialer_open(&dl, path_in("live.db"), &o), PHN_OK);
	CHECK(strlen(phn_dialer_campaign_id(dl)) == 36);
	/* The dial lock: a second dialer on the same journal is refused. */
	CHECK_INT(phn_dialer_open(&dl2, path_in("live.db"), &o), PHN_EIO);
	CHECK(strstr(phn_error_last(), "in use") != NULL);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	CHECK_INT(phn_dial_progress_init(&p, PHN_DIAL_PROGRESS_VERSION), PHN_OK);
	CHECK_INT(phn_dial_progress_init(&p, 99), PHN_EVERSION);
	CHECK_INT(phn_dialer_summary(&p, &end, dl), PHN_OK);
	CHECK_INT(end, PHN_DIAL_END_DONE);
	CHECK_INT(p.accepted, 3); /* Ali, Badr (after its retry), Eid */
	CHECK_INT(p.rejected, 1);
	CHECK_INT(p.unknown, 1);
	CHECK_INT(p.skipped, 2);
	CHECK_INT(p.retries, 1);
	CHECK_INT(s.capped, 1); /* Retry-After 30 s, cap 1 s */
	CHECK(strstr(s.detail422, "bad email") != NULL);
	n = server_requests("/call", &acc);
	CHECK_INT(n, 6);
	CHECK_INT(acc, 3);
	phn_dialer_free(dl);

	/* Resume: everything is final; nothing is sent again, unknown included. */
	CHECK_INT(phn_dialer_open(&dl, path_in("live.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	CHECK_INT(server_requests("/call", &acc), 6);
	phn_dialer_free(dl);

	/* --retry-unknown re-sends the one unknown row, and only it. */
	o.flags = PHN_DIAL_RETRY_UNKNOWN;
	CHECK_INT(phn_dialer_open(&dl, path_in("live.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	CHECK_INT(server_requests("/call", &acc), 7);
	CHECK_INT(acc, 4);
	phn_dialer_free(dl);

	/* Another list, or other clean options, against this journal: refused. */
	write_file(path_in("other.csv"), "name,phone\nZ,+966501234569\n");
	o.list_path = path_in("other.csv");
	CHECK_INT(phn_dialer_open(&dl, path_in("live.db"), &o), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "another list") != NULL);
	o.list_path = path_in("list.csv");
	o.email_column = "name";
	CHECK_INT(phn_dialer_open(&dl, path_in("live.db"), &o), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "email_column") != NULL);
}

static void test_auth_stops(void)
{
	phn_dial_options o;
	phn_dispatch_options d;
	phn_dialer *dl = NULL;
	phn_dial_progress p;
	phn_dial_end end;
	struct seen s;
	int acc;

	memset(&s, 0, sizeof s);
	control_do("POST", "/reset", "{}");
	control_do("POST", "/faults", "[{\"status\":401}]");
	base_options(&o, &d, path_in("list.csv"), &s);
	o.concurrency = 1;
	CHECK_INT(phn_dialer_open(&dl, path_in("auth.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	p.version = PHN_DIAL_PROGRESS_VERSION;
	phn_dialer_summary(&p, &end, dl);
	CHECK_INT(end, PHN_DIAL_END_AUTH_FAILED);
	CHECK_INT(s.stopping, 1);
	CHECK_INT(server_requests("/call", &acc), 1);
	CHECK_INT(p.pending, 5); /* the refused row is pending again */
	phn_dialer_free(dl);
}

static void test_invoice_flow(void)
{
	phn_dial_options o;
	phn_dispatch_options d;
	phn_dialer *dl = NULL;
	struct seen s;
	int acc, contacts, invoices;

	memset(&s, 0, sizeof s);
	control_do("POST", "/reset", "{}");
	write_file(path_in("inv.csv"),
		   "first_name,last_name,phone,inv,date,due,total\n"
		   "John,Doe,+966501234571,1,2025-01-01,2025-01-15,100.0\n"
		   "Jane,Roe,+966501234572,2,2025-01-02,2025-01-16,200.5\n");
	/* The call of the first row is lost on the wire: unknown. */
	control_do("POST", "/faults",
		   "[{\"path\":\"/ai/phone-calls/action/call\",\"number\":\"+966501234571\","
		   "\"drop\":true}]");
	base_options(&o, &d, path_in("inv.csv"), &s);
	o.first_name_column = NULL; /* guessed: first_name, last_name */
	o.invoice_number_column = "inv";
	o.invoice_date_column = "date";
	o.invoice_due_date_column = "due";
	o.invoice_total_column = "total";
	CHECK_INT(phn_dialer_open(&dl, path_in("inv.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	phn_dialer_free(dl);
	contacts = server_requests("/contact", &acc);
	CHECK_INT(contacts, 2);
	invoices = server_requests("/invoice", &acc);
	CHECK_INT(invoices, 2);
	CHECK_INT(server_requests("/call", &acc), 2);
	CHECK_INT(acc, 1);
	/* Re-sending the unknown call makes no second contact or invoice. */
	o.flags = PHN_DIAL_RETRY_UNKNOWN;
	CHECK_INT(phn_dialer_open(&dl, path_in("inv.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	phn_dialer_free(dl);
	CHECK_INT(server_requests("/contact", &acc), 2);
	CHECK_INT(server_requests("/invoice", &acc), 2);
	CHECK_INT(server_requests("/call", &acc), 3);
	CHECK_INT(acc, 2);
}

static void test_windows(void)
{
	phn_dial_options o;
	phn_dispatch_options d;
	phn_dialer *dl = NULL;
	phn_dial_progress p;
	phn_dial_end end;
	struct seen s;
	int acc;

	memset(&s, 0, sizeof s);
	control_do("POST", "/reset", "{}");
	base_options(&o, &d, path_in("list.csv"), &s);
	/* 00:00 UTC = 03:00 in Riyadh: closed until 10:00 local (07:00 UTC). */
	o.test_now_ms = MONDAY_0800 - 8 * 3600 * 1000;
	o.flags = PHN_DIAL_NO_WAIT;
	CHECK_INT(phn_dialer_open(&dl, path_in("win.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	p.version = PHN_DIAL_PROGRESS_VERSION;
	phn_dialer_summary(&p, &end, dl);
	CHECK_INT(end, PHN_DIAL_END_LEFT);
	CHECK_INT(p.waiting, 5);
	CHECK_INT(s.wait_at, MONDAY_0800 - 1 * 3600 * 1000);
	CHECK_INT(server_requests("", &acc), 0);
	phn_dialer_free(dl);
	/* A window the user gives: 02:00-04:00 Riyadh time is open at 03:00. */
	o.window_hours = "02:00-04:00";
	o.window_days = "all";
	CHECK_INT(phn_dialer_open(&dl, path_in("win.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	phn_dialer_summary(&p, &end, dl);
	CHECK_INT(end, PHN_DIAL_END_DONE);
	CHECK_INT(p.accepted, 5);
	phn_dialer_free(dl);

	/* --days alone keeps the region's hours: Friday 10:00 Riyadh time. */
	memset(&s, 0, sizeof s);
	o.test_now_ms = MONDAY_0800;
	o.window_hours = NULL;
	o.window_days = "fri,sat";
	CHECK_INT(phn_dialer_open(&dl, path_in("win3.db"), &o), PHN_OK);
	CHECK_INT(phn_dialer_run(dl), PHN_OK);
	phn_dialer_summary(&p, &end, dl);
	CHECK_INT(end, PHN_DIAL_END_LEFT);
	CHECK_INT(p.waiting, 5);
	CHECK_INT(s.wait_at, MONDAY_0800 + (4 * 24 - 1) * INT64_C(3600000));
	phn_dialer_free(dl);
	CHECK_INT(server_requests("", &acc), 5); /* the 5 of the 02:00-04:00 run only */

	/* The test clock only with a loopback API. */
	d.base_url = "https://api.example.invalid/v1";
	o.window_hours = o.window_days = NULL;
	CHECK_INT(phn_dialer_open(&dl, path_in("win2.db"), &o), PHN_EINVAL);
	CHECK(strstr(phn_error_last(), "loopback") || strstr(phn_error_last(), "127.0.0.1"));
}

int main(void)
{
	char tmpl[] = "/tmp/phn_dialer_XXXXXX";

	api_url = getenv("PHN_TEST_API_URL");
	control_url = getenv("PHN_TEST_CONTROL_URL");
	token = getenv("PHN_TEST_TOKEN");
	if (!api_url || !control_url || !token) {
		fprintf(stderr, "run me through tests/dispatch/fakeapi.py\n");
		return 2;
	}
	if (!mkdtemp(tmpl))
		return 99;
	snprintf(dir, sizeof dir, "%s", tmpl);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_dry_run();
	test_live_faults_and_resume();
	test_auth_stops();
	test_invoice_flow();
	test_windows();
	curl_global_cleanup();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_report();
}
