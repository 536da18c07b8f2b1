/*
 * The dispatch handle: configuration, the token, error messages.
 */
#include "dispatch/dispatch_internal.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonenorm/version.h"
#include "text/error.h"
#include "text/text.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_IN_FLIGHT 16u
#define TOKEN_MAX 8192

/* Overwrite a secret before its memory goes back to the allocator. */
static void wipe(char *p, size_t n)
{
	volatile char *v = p;

	while (p && n--)
		*v++ = 0;
}

/* Value of a hex digit, -1 for anything else. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The character that s[i..] spells and how many bytes spell it: a JSON
 * escape (\", \\, \/, \u00XX for ASCII), a percent escape (%XX) or the
 * byte itself. A token is printable ASCII, so only ASCII is decoded.
 */
static unsigned char decode_at(const char *s, size_t len, size_t i, size_t *n)
{
	*n = 1;
	if (s[i] == '\\' && i + 1 < len) {
		char c = s[i + 1];
		int h[4], k;

		if (c == '"' || c == '\\' || c == '/') {
			*n = 2;
			return (unsigned char)c;
		}
		if (c == 'u' && i + 6 <= len) {
			for (k = 0; k < 4; k++)
				if ((h[k] = hexval(s[i + 2 + k])) < 0)
					break;
			if (k == 4 && h[0] == 0 && h[1] == 0 && (h[2] << 4 | h[3]) > 0 &&
			    (h[2] << 4 | h[3]) < 0x80) {
				*n = 6;
				return (unsigned char)(h[2] << 4 | h[3]);
			}
		}
	}
	if (s[i] == '%' && i + 3 <= len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
		*n = 3;
		return (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
	}
	return (unsigned char)s[i];
}

/* Bytes at the end of s[0..len) that start an escape the cut left unfinished. */
static size_t partial_escape_tail(const char *s, size_t len)
{
	size_t k;

	for (k = 1; k <= 5 && k <= len; k++) {
		const char *t = s + len - k;
		size_t j;

		if (t[0] == '%' && k <= 2 && (k == 1 || hexval(t[1]) >= 0))
			return k;
		if (t[0] == '\\' && (k == 1 || t[1] == 'u')) {
			for (j = 2; j < k && hexval(t[j]) >= 0; j++)
				;
			if (j == k)
				return k;
		}
	}
	return 0;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void mark_range(unsigned char *mark, size_t from, size_t to)
{
	while (from < to)
		mark[from++] = 1;
}

char *phn_dispatch__scrub_cut(const phn_dispatch *d, const char *s, size_t len,
			      unsigned int flags, size_t *outlen)
{
	static const char mask[] = "****";
	const size_t mlen = sizeof(mask) - 1;
	const char *tok = d ? d->token : NULL;
	size_t tlen = d ? d->token_len : 0;
	unsigned char *dec = NULL, *mark = NULL;
	size_t *start = NULL, m = 0, i, k, n, size;
	char *out = NULL;

	if (!tok || !tlen || !len) {
		if ((out = malloc(len + 1)) == NULL)
			return NULL;
		if (len)
			memcpy(out, s, len);
		out[len] = '\0';
		if (outlen)
			*outlen = len;
		return out;
	}
	/* The text as decoded characters, each with the bytes that spell it. */
	dec = malloc(len);
	start = malloc((len + 1) * sizeof(*start));
	mark = calloc(len, 1);
	if (!dec || !start || !mark)
		goto done;
	for (i = 0; i < len; i += n) {
		start[m] = i;
		dec[m++] = decode_at(s, len, i, &n);
	}
	start[m] = len;

	/* Every whole copy, as written and as decoded. */
	for (i = 0; i + tlen <= len; i++)
		if (memcmp(s + i, tok, tlen) == 0)
			mark_range(mark, i, i + tlen);
	for (k = 0; k + tlen <= m; k++)
		if (memcmp(dec + k, tok, tlen) == 0)
			mark_range(mark, start[k], start[k + tlen]);

	/* A cut end may hold the token's first characters, a cut start its last. */
	if ((flags & PHN_SCRUB_CUT_END) && tlen > 4) {
		size_t tail = partial_escape_tail(s, len), e = m;

		while (e > 0 && start[e - 1] >= len - tail)
			e--;
		if (!tail)
			while (e > 0 && is_space(dec[e - 1]))
				e--;
		for (k = tlen - 1 < e ? tlen - 1 : e; k >= 4; k--)
			if (memcmp(dec + e - k, tok, k) == 0) {
				mark_range(mark, start[e - k], tail ? len : start[e]);
				break;
			}
	}
	if ((flags & PHN_SCRUB_CUT_START) && tlen > 4) {
		size_t b = 0;

		while (b < m && is_space(dec[b]))
			b++;
		for (k = tlen - 1 < m - b ? tlen - 1 : m - b; k >= 4; k--)
			if (memcmp(dec + b, tok + tlen - k, k) == 0) {
				mark_range(mark, start[b], start[b + k]);
				break;
			}
	}

	for (size = 0, i = 0; i < len; i++)
		size += mark[i] ? (i == 0 || !mark[i - 1] ? mlen : 0) : 1;
	if ((out = malloc(size + 1)) == NULL)
		goto done;
	for (n = 0, i = 0; i < len; i++) {
		if (!mark[i])
			out[n++] = s[i];
		else if (i == 0 || !mark[i - 1]) {
			memcpy(out + n, mask, mlen);
			n += mlen;
		}
	}
	out[n] = '\0';
	if (outlen)
		*outlen = n;
done:
	free(dec);
	free(start);
	free(mark);
	return out;
}

char *phn_dispatch__scrub(const phn_dispatch *d, const char *s, size_t len, size_t *outlen)
{
	return phn_dispatch__scrub_cut(d, s, len, 0, outlen);
}

int phn_dispatch__error(const phn_dispatch *d, int rc, const char *fmt, ...)
{
	char tmp[1024];
	char *masked;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	masked = phn_dispatch__scrub(d, tmp, strlen(tmp), NULL);
	phn_error_set(rc, "%s", masked ? masked : phn_strerror(rc));
	wipe(tmp, sizeof(tmp));
	free(masked);
	return rc;
}

void phn_dispatch__quote(const phn_dispatch *d, char *dst, size_t cap, const char *s, char q)
{
	const size_t max = 60;
	size_t i, n = 0;
	char *masked;

	if (cap < 8) {
		if (cap)
			dst[0] = '\0';
		return;
	}
	/* Mask first, then cut: a cut copy of the token would no longer match. */
	if ((masked = phn_dispatch__scrub(d, s, strlen(s), NULL)) == NULL) {
		snprintf(dst, cap, "%c...%c", q, q);
		return;
	}
	s = masked;
	dst[n++] = q;
	for (i = 0; s[i] && i < max && n + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[n++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
	}
	if (s[i]) {
		/* Do not leave half a UTF-8 sequence before the ellipsis. */
		while (n > 1 && ((unsigned char)dst[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 1 && ((unsigned char)dst[n - 1] & 0xC0) == 0xC0)
			n--;
		dst[n++] = '.';
		dst[n++] = '.';
		dst[n++] = '.';
	}
	dst[n++] = q;
	dst[n] = '\0';
	free(masked);
}

/*
 * A URL as error messages show it: the userinfo (user and password), the
 * query and the fragment replaced by "****", the token masked, quoted.
 */
static void quote_url(const phn_dispatch *d, char *dst, size_t cap, const char *url)
{
	phn_buf b = { NULL, 0, 0 };
	const char *p = strstr(url, "://"), *auth, *end, *at = NULL, *x;

	auth = p ? p + 3 : url;
	end = auth + strcspn(auth, "/?#");
	for (x = auth; x < end; x++)
		if (*x == '@')
			at = x;
	if (phn_buf_append(&b, url, (size_t)(auth - url)) ||
	    (at && phn_buf_append(&b, "****", 4)) ||
	    phn_buf_append(&b, at ? at : auth, (size_t)(end - (at ? at : auth)))) {
		phn_buf_free(&b);
		snprintf(dst, cap, "'...'");
		return;
	}
	for (p = end; *p && *p != '?' && *p != '#'; p++)
		;
	if (phn_buf_append(&b, end, (size_t)(p - end)) ||
	    (*p == '?' && phn_buf_append(&b, "?****", 5)) ||
	    (strchr(p, '#') && phn_buf_append(&b, "#****", 5))) {
		phn_buf_free(&b);
		snprintf(dst, cap, "'...'");
		return;
	}
	phn_dispatch__quote(d, dst, cap, b.ptr, '\'');
	phn_buf_free(&b);
}

int phn_buf_append(phn_buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		if ((p = realloc(b->ptr, cap)) == NULL)
			return -1;
		b->ptr = p;
		b->cap = cap;
	}
	memcpy(b->ptr + b->len, s, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

void phn_buf_free(phn_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

int phn_dispatch_options_init(phn_dispatch_options *opts, unsigned int version)
{
	const phn_dispatch_options blank = PHN_DISPATCH_OPTIONS_INIT;
	int rc = phn_error_check_version(opts, version, PHN_DISPATCH_OPTIONS_VERSION,
					 "phn_dispatch_options");

	if (rc == PHN_OK)
		*opts = blank;
	return rc;
}

int phn_dispatch_call_init(phn_dispatch_call *call, unsigned int version)
{
	const phn_dispatch_call blank = PHN_DISPATCH_CALL_INIT;
	int rc = phn_error_check_version(call, version, PHN_DISPATCH_CALL_VERSION,
					 "phn_dispatch_call");

	/* A version 1 caller's struct ends before flags: write no further. */
	if (rc == PHN_OK) {
		memcpy(call, &blank, version >= 2 ? sizeof(blank) : offsetof(phn_dispatch_call, flags));
		call->version = version;
	}
	return rc;
}

int phn_dispatch_contact_init(phn_dispatch_contact *contact, unsigned int version)
{
	const phn_dispatch_contact blank = PHN_DISPATCH_CONTACT_INIT;
	int rc = phn_error_check_version(contact, version, PHN_DISPATCH_CONTACT_VERSION,
					 "phn_dispatch_contact");

	if (rc == PHN_OK) {
		memcpy(contact, &blank,
		       version >= 2 ? sizeof(blank) : offsetof(phn_dispatch_contact, flags));
		contact->version = version;
	}
	return rc;
}

int phn_dispatch_invoice_init(phn_dispatch_invoice *invoice, unsigned int version)
{
	const phn_dispatch_invoice blank = PHN_DISPATCH_INVOICE_INIT;
	int rc = phn_error_check_version(invoice, version, PHN_DISPATCH_INVOICE_VERSION,
					 "phn_dispatch_invoice");

	if (rc == PHN_OK)
		*invoice = blank;
	return rc;
}

const char *phn_dispatch_user_agent(void)
{
	return PHN_DISPATCH_USER_AGENT;
}

static int is_loopback_host(const char *host)
{
	unsigned int a, b, c, e;
	char tail;

	if (phn_text_ascii_casecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0)
		return 1;
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &e, &tail) == 4 && a == 127 &&
	       b < 256 && c < 256 && e < 256;
}

static int set_base_url(phn_dispatch *d, const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *query = NULL, *fragment = NULL, *user = NULL;
	char q[80];
	size_t len;
	int rc = PHN_OK;

	quote_url(d, q, sizeof(q), url);
	if ((u = curl_url()) == NULL)
		return phn_error_code(PHN_ENOMEM);
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = phn_dispatch__error(d, PHN_EINVAL,
			"API URL %s is not an absolute http(s) URL", q);
		goto done;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		rc = phn_dispatch__error(d, PHN_EINVAL,
			"API URL %s must not carry credentials, a query or a fragment", q);
		goto done;
	}
	if (strcmp(scheme, "https") != 0) {
		if (strcmp(scheme, "http") != 0) {
			rc = phn_dispatch__error(d, PHN_EINVAL,
				"API URL %s must start with https:// (or http:// for a local test server)", q);
			goto done;
		}
		if (!is_loopback_host(host)) {
			rc = phn_dispatch__error(d, PHN_EINVAL,
				"http:// is allowed only for loopback hosts: API URL %s is not loopback, "
				"and the bearer token would cross the network in clear; use https://", q);
			goto done;
		}
	}
	d->base_loopback = is_loopback_host(host);
	/* Paths are appended to the base: keep exactly one slash between them. */
	len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	if ((d->base_url = malloc(len + 1)) == NULL) {
		rc = phn_error_code(PHN_ENOMEM);
		goto done;
	}
	memcpy(d->base_url, url, len);
	d->base_url[len] = '\0';
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(query);
	curl_free(fragment);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

/* origin names where the token came from in messages: "the token in the
 * options", "the token file", "$PHONENORM_API_TOKEN"; never a path or a value. */
static int set_token(phn_dispatch *d, const char *token, size_t len, const char *origin)
{
	static const char prefix[] = "Authorization: Bearer ";
	size_t i;

	while (len > 0 && (token[0] == ' ' || token[0] == '\t')) {
		token++;
		len--;
	}
	while (len > 0 && (token[len - 1] == ' ' || token[len - 1] == '\t' ||
			   token[len - 1] == '\r' || token[len - 1] == '\n'))
		len--;
	if (len == 0)
		return phn_error_set(PHN_EIO, "%s: the API token is empty", origin);
	if (len > TOKEN_MAX)
		return phn_error_set(PHN_EINVAL, "%s: the API token is longer than %d bytes",
				     origin, TOKEN_MAX);
	/* Anything else could end the header early and smuggle in another. */
	for (i = 0; i < len; i++)
		if ((unsigned char)token[i] < 0x21 || (unsigned char)token[i] > 0x7E)
			return phn_error_set(PHN_EINVAL,
				"%s: the API token contains a space, control or non-ASCII "
				"character, which an HTTP header cannot carry", origin);
	if ((d->token = malloc(len + 1)) == NULL ||
	    (d->auth_header = malloc(sizeof(prefix) + len)) == NULL)
		return phn_error_code(PHN_ENOMEM);
	memcpy(d->token, token, len);
	d->token[len] = '\0';
	d->token_len = len;
	memcpy(d->auth_header, prefix, sizeof(prefix) - 1);
	memcpy(d->auth_header + sizeof(prefix) - 1, d->token, len + 1);
	return PHN_OK;
}

/*
 * The file's path is not printed: it names a secret's source, and a
 * mistyped option can make it the secret itself.
 */
static int read_token_file(phn_dispatch *d, const char *path, const char *origin)
{
	char buf[TOKEN_MAX + 2];
	size_t n, line;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return phn_error_set_errno(PHN_EIO, errno, "%s", origin);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		wipe(buf, sizeof(buf));
		return phn_error_set_errno(PHN_EIO, err, "%s", origin);
	}
	fclose(f);
	buf[n] = '\0';
	for (line = 0; line < n && buf[line] != '\n'; line++)
		;
	if (line > TOKEN_MAX) {
		wipe(buf, sizeof(buf));
		return phn_error_set(PHN_EINVAL, "%s: the first line is longer than %d bytes", origin,
				     TOKEN_MAX);
	}
	rc = set_token(d, buf, line, origin);
	wipe(buf, sizeof(buf));
	return rc;
}

/* $name if the caller asked for the environment and it is set and not empty. */
static const char *env(const phn_dispatch_options *o, const char *name)
{
	const char *v;

	if (!(o->flags & PHN_DISPATCH_USE_ENV) || (v = getenv(name)) == NULL || !v[0])
		return NULL;
	return v;
}

static int set_timeouts(phn_dispatch *d, const phn_dispatch_options *o)
{
	if (o->connect_timeout_ms < 0 || o->timeout_ms < 0)
		return phn_error_set(PHN_EINVAL, "timeouts must not be negative (got %lld and %lld ms)",
				     (long long)o->connect_timeout_ms, (long long)o->timeout_ms);
	/* libcurl takes a long; a longer wait than LONG_MAX ms is no limit at all. */
	d->connect_timeout_ms = o->connect_timeout_ms == 0 ? DEFAULT_CONNECT_TIMEOUT_MS :
				o->connect_timeout_ms > LONG_MAX ? LONG_MAX : (long)o->connect_timeout_ms;
	d->timeout_ms = o->timeout_ms == 0 ? DEFAULT_TIMEOUT_MS :
			o->timeout_ms > LONG_MAX ? LONG_MAX : (long)o->timeout_ms;
	return PHN_OK;
}

static int configure(phn_dispatch *d, const phn_dispatch_options *o)
{
	const char *url = o->base_url ? o->base_url : env(o, PHN_DISPATCH_ENV_URL), *v;
	int rc = PHN_OK;

	if (o->flags & ~PHN_DISPATCH_USE_ENV)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_options.flags 0x%x has unknown bits",
				     o->flags);
	if ((rc = set_timeouts(d, o)) != PHN_OK)
		return rc;
	/* The token first: a URL error message must be able to mask it. */
	if (o->token)
		rc = set_token(d, o->token, strlen(o->token), "the token in the options");
	else if (o->token_file)
		rc = read_token_file(d, o->token_file, "the token file");
	else if ((v = env(o, PHN_DISPATCH_ENV_TOKEN)) != NULL)
		rc = set_token(d, v, strlen(v), "$" PHN_DISPATCH_ENV_TOKEN);
	else if ((v = env(o, PHN_DISPATCH_ENV_TOKEN_FILE)) != NULL)
		rc = read_token_file(d, v, "the file named by $" PHN_DISPATCH_ENV_TOKEN_FILE);
	if (rc != PHN_OK ||
	    (rc = set_base_url(d, url ? url : PHN_DISPATCH_DEFAULT_URL)) != PHN_OK)
		return rc;
	d->max_in_flight = o->max_in_flight ? o->max_in_flight : DEFAULT_MAX_IN_FLIGHT;
	d->trace = o->trace;
	d->trace_payload = o->trace_payload;
	return PHN_OK;
}

int phn_dispatch_new(phn_dispatch **out, const phn_dispatch_options *opts)
{
	const phn_dispatch_options defaults = PHN_DISPATCH_OPTIONS_INIT;
	phn_dispatch *d;
	int rc;

	if (!out)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_new: out is NULL");
	*out = NULL;
	if (opts && (rc = phn_error_check_version(opts, opts->version, PHN_DISPATCH_OPTIONS_VERSION,
						  "phn_dispatch_options")) != PHN_OK)
		return rc;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return phn_error_code(PHN_ENOMEM);
	d->next_id = 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		phn_dispatch_free(d);
		return phn_error_set(PHN_EINTERNAL, "libcurl failed to initialise");
	}
	d->curl_global = 1;
	if ((rc = configure(d, opts ? opts : &defaults)) != PHN_OK) {
		phn_dispatch_free(d);
		return rc;
	}
	*out = d;
	return PHN_OK;
}

void phn_dispatch_free(phn_dispatch *d)
{
	phn_xfer *x;

	if (!d)
		return;
	while ((x = d->queued_head) != NULL) {
		d->queued_head = x->next;
		phn_dispatch__xfer_free(x);
	}
	while ((x = d->active) != NULL) {
		d->active = x->next;
		if (d->multi && x->easy)
			curl_multi_remove_handle(d->multi, x->easy);
		phn_dispatch__xfer_free(x);
	}
	if (d->multi)
		curl_multi_cleanup(d->multi);
	free(d->base_url);
	wipe(d->token, d->token_len);
	free(d->token);
	if (d->auth_header)
		wipe(d->auth_header, strlen(d->auth_header));
	free(d->auth_header);
	if (d->curl_global)
		curl_global_cleanup();
	free(d);
}

int phn_dispatch_has_token(const phn_dispatch *d)
{
	return d && d->token != NULL;
}

int phn_dispatch_is_loopback(const phn_dispatch *d)
{
	return d && d->base_url && d->base_loopback;
}

char *phn_dispatch__url(const phn_dispatch *d, phn_dispatch_kind kind)
{
	const char *path = phn_dispatch__path(kind);
	size_t blen = strlen(d->base_url), plen = strlen(path);
	char *url = malloc(blen + plen + 1);

	if (url) {
		memcpy(url, d->base_url, blen);
		memcpy(url + blen, path, plen + 1);
	}
	return url;
}

int phn_dispatch_url(char *dst, size_t cap, size_t *needed, const phn_dispatch *d,
		     phn_dispatch_kind kind)
{
	char *url, *shown;
	int rc;

	if (!d)
		return phn_error_set(PHN_EINVAL, "phn_dispatch_url: the handle is NULL");
	if (!phn_dispatch__path(kind))
		return phn_error_set(PHN_EINVAL, "phn_dispatch_url: unknown kind %d", (int)kind);
	if ((url = phn_dispatch__url(d, kind)) == NULL ||
	    (shown = phn_dispatch__scrub(d, url, strlen(url), NULL)) == NULL) {
		free(url);
		return phn_error_code(PHN_ENOMEM);
	}
	free(url);
	url = shown;
	rc = phn_text_copy_out(dst, cap, needed, url, strlen(url));
	if (rc == PHN_EBUFS)
		phn_error_set(rc, "the URL needs %zu bytes and a NUL", strlen(url));
	free(url);
	return rc;
}
