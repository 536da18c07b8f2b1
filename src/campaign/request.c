/*
 * From a journal row to the request of its next step (contact, invoice or
 * call), and the small pieces every request needs: a dispatch id, the
 * calling window of the row's region, its zones.
 *
 * Copyright 2026 The phonenorm Authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE /* getrandom, strdup, strndup, clock_gettime */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <cjson/cJSON.h>

#include "campaign/dialer_internal.h"
#include "text/error.h"

int dl_uuid4(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return phn_error_set_errno(PHN_EINTERNAL, errno, "getrandom");
		got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return PHN_OK;
}

int dl_invoice_flow(const phn_dialer *dl)
{
	return dl->columns[DL_INV_DATE] != NULL;
}

/*
 * A +1 number may be called only 08:00-21:00 its local time (47 CFR
 * 64.1200(c)(1)), whatever window the user asks for: phn_call_window_limit()
 * narrows the user's window to that, never widens it. Nothing left of it:
 * the empty window, the row waits and the run says when nothing opens.
 */
int dl_window_for(phn_call_window *w, const phn_dialer *dl, const char *region)
{
	const char *reg = region && strlen(region) == 2 ? region : NULL;
	int rc;

	if ((rc = phn_call_window_init(w, PHN_CALL_WINDOW_VERSION)) != PHN_OK)
		return rc;
	if ((rc = phn_call_window_default(w, reg)) != PHN_OK)
		return rc;
	if (!dl->window_hours && !dl->window_days)
		return PHN_OK;
	if ((rc = phn_call_window_parse(w, dl->window_hours, dl->window_days)) != PHN_OK)
		return rc;
	if (!reg)
		return PHN_OK;
	rc = phn_call_window_limit(w, reg);
	if (rc == PHN_EINVAL) {
		w->end_minute = w->start_minute;
		return PHN_OK;
	}
	return rc;
}

size_t dl_split_zones(const char **zones, size_t cap, char *buf, size_t bufcap,
		      const char *joined)
{
	size_t n = 0;
	char *p, *save = NULL;

	if (!joined || !joined[0] || strlen(joined) >= bufcap) {
		/* No zone known for the number: the window is checked in UTC. */
		zones[0] = "Etc/UTC";
		return 1;
	}
	memcpy(buf, joined, strlen(joined) + 1);
	for (p = strtok_r(buf, "&", &save); p && n < cap; p = strtok_r(NULL, "&", &save))
		zones[n++] = p;
	if (n == 0) {
		zones[0] = "Etc/UTC";
		n = 1;
	}
	return n;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

jstep dl_next_step(const phn_dialer *dl, const char *fields_json, const char *contact_uuid,
		   const char *invoice_uuid)
{
	if (!dl_invoice_flow(dl))
		return J_STEP_CALL;
	if (!contact_uuid || !contact_uuid[0]) {
		/* A contactUuid column names an existing contact: no contact step. */
		cJSON *o = cJSON_Parse(fields_json ? fields_json : "{}");
		int has = o && jstr(o, "contactUuid") != NULL;

		cJSON_Delete(o);
		if (!has)
			return J_STEP_CONTACT;
	}
	if (!invoice_uuid || !invoice_uuid[0])
		return J_STEP_INVOICE;
	return J_STEP_CALL;
}

/* An object of string values as pairs; extra (may be NULL) appended. */
static int object_pairs(phn_dispatch_kv **out, size_t *n, const cJSON *o,
			const phn_dispatch_kv *extra, size_t nextra)
{
	const cJSON *x;
	size_t cap = (size_t)cJSON_GetArraySize(o) + nextra, k = 0;

	*out = NULL;
	*n = 0;
	if (cap == 0)
		return PHN_OK;
	if (!(*out = calloc(cap, sizeof **out)))
		return phn_error_set(PHN_ENOMEM, "out of memory");
	cJSON_ArrayForEach(x, o) {
		if (cJSON_IsString(x) && x->string) {
			(*out)[k].key = x->string;
			(*out)[k].value = x->valuestring;
			k++;
		}
	}
	for (size_t i = 0; i < nextra; i++)
		(*out)[k++] = extra[i];
	*n = k;
	return PHN_OK;
}

int dl_req_build(struct dl_req *r, const phn_dialer *dl, jstep step, const char *e164,
		 const char *region, const char *fields_json, const char *contact_uuid,
		 const char *dispatch_id)
{
	phn_dispatch_kv ours[2];
	const cJSON *o, *inv;
	const char *first, *last, *cu;
	size_t ntags = 0, nmeta = 0;
	int rc;

	memset(r, 0, sizeof *r);
	r->step = step;
	phn_dispatch_call_init(&r->call, PHN_DISPATCH_CALL_VERSION);
	phn_dispatch_contact_init(&r->contact, PHN_DISPATCH_CONTACT_VERSION);
	phn_dispatch_invoice_init(&r->invoice, PHN_DISPATCH_INVOICE_VERSION);
	if (!(r->json = cJSON_Parse(fields_json && fields_json[0] ? fields_json : "{}")))
		return phn_error_set(PHN_EFORMAT, "journal '%s': a row's fields are not JSON",
				     dl->journal_path);
	o = r->json;
	/* The number is E.164 already; its own region goes as countryCode. */
	if (region && strlen(region) == 2) {
		memcpy(r->region, region, 3);
	}
	first = jstr(o, "firstName");
	last = jstr(o, "lastName");
	cu = contact_uuid && contact_uuid[0] ? contact_uuid : jstr(o, "contactUuid");
	switch (step) {
	case J_STEP_CONTACT:
		if (first && last) {
			size_t n = strlen(first) + strlen(last) + 2;
			if (!(r->name = malloc(n)))
				return phn_error_set(PHN_ENOMEM, "out of memory");
			snprintf(r->name, n, "%s %s", first, last);
			r->contact.name = r->name;
		} else {
			r->contact.name = first ? first : last;
		}
		r->contact.phone_number = e164;
		r->contact.country_code = r->region[0] ? r->region : NULL;
		r->contact.email = jstr(o, "email");
		r->contact.role = "PRIMARY";
		r->contact.flags = PHN_DISPATCH_ALLOW_POSSIBLE;
		return PHN_OK;
	case J_STEP_INVOICE:
		inv = cJSON_GetObjectItemCaseSensitive(o, "invoice");
		r->invoice.number = jstr(inv, "number");
		r->invoice.date = jstr(inv, "date");
		r->invoice.due_date = jstr(inv, "dueDate");
		r->invoice.total = jstr(inv, "total");
		r->invoice.contact_uuid = cu;
		return PHN_OK;
	default:
		break;
	}
	r->call.number = e164;
	r->call.country_code = r->region[0] ? r->region : NULL;
	r->call.flags = PHN_DISPATCH_ALLOW_POSSIBLE;
	if (dl_invoice_flow(dl)) {
		/* "Call to Number": the contact holds the names. */
		r->call.contact_uuid = cu;
	} else {
		r->call.first_name = first;
		r->call.last_name = last;
		r->call.email = jstr(o, "email");
		r->call.contact_uuid = cu;
	}
	r->call.template_id = dl->template_id;
	r->call.update_existing = dl->update_existing;
	r->call.create_if_not_exists = dl->create_if_not_exists;
	if ((rc = object_pairs(&r->tags, &ntags, cJSON_GetObjectItemCaseSensitive(o, "promptTags"),
			       NULL, 0)) != PHN_OK)
		return rc;
	if (r->tags) {
		r->call.prompt_tags = r->tags;
		r->call.prompt_tags_count = ntags;
	}
	ours[0].key = "phonenorm_dispatch_id";
	ours[0].value = dispatch_id;
	ours[1].key = "phonenorm_campaign";
	ours[1].value = dl->campaign_id;
	if ((rc = object_pairs(&r->meta, &nmeta, cJSON_GetObjectItemCaseSensitive(o, "metadata"),
			       ours, dl->campaign_id[0] ? 2 : 1)) != PHN_OK)
		return rc;
	r->call.metadata = r->meta;
	r->call.metadata_count = nmeta;
	return PHN_OK;
}

void dl_req_dispose(struct dl_req *r)
{
	cJSON_Delete(r->json);
	free(r->tags);
	free(r->meta);
	free(r->name);
	memset(r, 0, sizeof *r);
}

int dl_window_check(struct dl_wentry **entry, struct dl_wcache *c, const phn_dialer *dl,
		    const char *region, const char *zones, int64_t now_ms)
{
	const char *zv[32];
	char key[256], buf[1024];
	struct dl_wentry *e = NULL;
	phn_call_window w;
	size_t nz;
	int rc;

	snprintf(key, sizeof key, "%s|%s", region ? region : "", zones ? zones : "");
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->e[i].key, key) == 0) {
			e = &c->e[i];
			break;
		}
	}
	if (e && now_ms < e->valid_until) {
		*entry = e;
		return PHN_OK;
	}
	if (!e) {
		if (c->n < DL_WCACHE_SIZE) {
			e = &c->e[c->n++];
		} else {
			e = &c->e[c->next];
			c->next = (c->next + 1) % DL_WCACHE_SIZE;
		}
		memset(e, 0, sizeof *e);
		snprintf(e->key, sizeof e->key, "%s", key);
	}
	if ((rc = dl_window_for(&w, dl, region)) != PHN_OK)
		return rc;
	nz = dl_split_zones(zv, sizeof zv / sizeof zv[0], buf, sizeof buf, zones);
	if ((rc = phn_call_window_check(&e->open, &e->change_ms, &w, zv, nz, now_ms)) != PHN_OK) {
		e->key[0] = '\0';
		return rc;
	}
	/* Held until the window changes; looked at again every 10 minutes. */
	e->valid_until = now_ms + 600000;
	if (e->change_ms > now_ms && e->change_ms < e->valid_until)
		e->valid_until = e->change_ms;
	*entry = e;
	return PHN_OK;
}
