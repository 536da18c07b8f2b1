/*
 * The clean report as JSON: the one writer of report.json. The layout (two
 * spaces, one key a line, small objects on one line) is what `phonenorm
 * clean --report` has always written.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list/cleaner.h"
#include "text/text.h"

struct jbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void jput(struct jbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 2048;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void jputs(struct jbuf *b, const char *s)
{
	jput(b, s, strlen(s));
}

PHN_PRINTF(2, 3)
static void jprintf(struct jbuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		jput(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 if there is none. */
static size_t utf8_seq(const char *s, size_t n)
{
	size_t len;

	if ((unsigned char)s[0] < 0x80)
		return 1;
	for (len = 2; len <= 4 && len <= n; len++) {
		if (phn_text_utf8_count(s, len) == 1)
			return len;
	}
	return 0;
}

/* s as a JSON string; bytes that are not UTF-8 become U+FFFD, so the report
 * always parses. */
static void jstring(struct jbuf *b, const char *s)
{
	size_t len = strlen(s), i = 0;

	jputs(b, "\"");
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n;

		switch (c) {
		case '"': jputs(b, "\\\""); i++; continue;
		case '\\': jputs(b, "\\\\"); i++; continue;
		case '\n': jputs(b, "\\n"); i++; continue;
		case '\r': jputs(b, "\\r"); i++; continue;
		case '\t': jputs(b, "\\t"); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7F) {
			jprintf(b, "\\u%04x", c);
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i)) == 0) {
			jputs(b, "\\ufffd");
			i++;
			continue;
		}
		jput(b, s + i, n);
		i += n;
	}
	jputs(b, "\"");
}

/* The counters straight from the cleaner: the public getters end their
 * loops with PHN_ENOTFOUND, which would leave a message behind a call that
 * succeeds. */
static void counts(struct jbuf *b, const phn_cleaner *c)
{
	char region[4];
	uint64_t n;

	jputs(b, "  \"rejected_by_reason\": {");
	for (unsigned int r = 1; r < PHN_LIST_REASONS; r++)
		jprintf(b, "%s\"%s\": %" PRIu64, r > 1 ? ", " : "",
			phn_reject_reason_name((phn_reject_reason)r), c->rejected_by[r]);
	jputs(b, "},\n  \"by_region\": {");
	for (size_t i = 0; phn_cleaner_region_at(region, &n, c, i); i++) {
		jputs(b, i ? ", " : "");
		jstring(b, region);
		jprintf(b, ": %" PRIu64, n);
	}
	jputs(b, "},\n  \"by_type\": {");
	for (unsigned int t = 0; t < PHN_LIST_TYPES; t++)
		jprintf(b, "%s\"%s\": %" PRIu64, t ? ", " : "", phn_type_name((phn_type)t),
			c->clean_by_type[t]);
	jputs(b, "},\n");
}

/* What was guessed about the input (issue 8): the delimiter and whether
 * the first row is the header, with that row as shown on stderr. */
static void input_guesses(struct jbuf *b, const phn_cleaner *c)
{
	const phn_clean_summary *s = &c->sum;
	char d[2] = { c->delim, '\0' };

	jputs(b, "  \"delimiter\": ");
	if (c->delim_known)
		jstring(b, d);
	else
		jputs(b, "null");
	jprintf(b, ", \"delimiter_sniffed\": %s,\n  \"header_guessed\": %s, \"first_row\": ",
		c->delim_sniffed ? "true" : "false", s->header_guessed ? "true" : "false");
	jstring(b, s->first_row);
	jputs(b, ",\n");
}

/* Whether the compiled fast path answered, and for how many of the rows
 * whose phone field was parsed; the share that fell back to libphonenumber
 * is what decides the speed (null when the fast path is off or nothing was
 * parsed). */
static void fast_path(struct jbuf *b, const phn_cleaner *c)
{
	phn_fastpath_info fi = PHN_FASTPATH_INFO_INIT;
	const uint64_t *n = c->path_counts;
	uint64_t tried = n[PHN_PATH_FAST] + n[PHN_PATH_FALLBACK];

	if (phn_fastpath_get_info(&fi) != PHN_OK) {
		fi.enabled = 0;
		snprintf(fi.reason, sizeof fi.reason, "%s", phn_error_last());
	}
	jprintf(b, "  \"fast_path\": {\"enabled\": %s, \"reason\": ", fi.enabled ? "true" : "false");
	jstring(b, fi.reason);
	jprintf(b, ", \"parsed\": %" PRIu64 ", \"fast\": %" PRIu64 ", \"fallback\": %" PRIu64
		", \"engine\": %" PRIu64 ", \"fallback_share\": ",
		tried + n[PHN_PATH_ENGINE], n[PHN_PATH_FAST], n[PHN_PATH_FALLBACK],
		n[PHN_PATH_ENGINE]);
	if (fi.enabled && tried > 0)
		jprintf(b, "%.6f}", (double)n[PHN_PATH_FALLBACK] / (double)tried);
	else
		jputs(b, "null}");
}

static void render(struct jbuf *b, const phn_cleaner *c, const phn_clean_report_options *o)
{
	const phn_clean_summary *s = &c->sum;

	jputs(b, "{\n  \"input\": ");
	jstring(b, o->input ? o->input : "-");
	jprintf(b, ",\n  \"rows\": %" PRIu64 ",\n  \"clean\": %" PRIu64, s->rows, s->clean);
	jprintf(b, ",\n  \"rejected\": %" PRIu64 ",\n  \"duplicates\": %" PRIu64, s->rejected,
		s->duplicates);
	jprintf(b, ",\n  \"possible_kept\": %" PRIu64 ",\n  \"blank_lines\": %" PRIu64 ",\n",
		s->clean_possible, s->blank_lines);
	counts(b, c);
	input_guesses(b, c);
	jprintf(b, "  \"has_header\": %s,\n  \"phone_column\": {\"index\": %d, \"name\": ",
		s->has_header ? "true" : "false", s->phone_column + 1);
	if (s->has_header)
		jstring(b, s->phone_column_name);
	else
		jputs(b, "null");
	jprintf(b, ", \"guessed\": %s},\n  \"region_column\": ",
		s->phone_column_guessed ? "true" : "false");
	if (s->region_column >= 0)
		jprintf(b, "%d", s->region_column + 1);
	else
		jputs(b, "null");
	jputs(b, ",\n  \"region\": ");
	jstring(b, c->region_text);
	jprintf(b, ",\n  \"keep_possible\": %s,\n  \"threads\": %u,\n  \"seconds\": %.3f,\n"
		"  \"metadata_version\": ", c->keep_possible ? "true" : "false", c->threads,
		o->seconds);
	{
		/* Which data answered: the self-check's verdict, not the request. */
		phn_metadata_info mi = PHN_METADATA_INFO_INIT;

		if (phn_metadata_get_info(&mi) == PHN_OK) {
			jstring(b, mi.upstream_version);
			jputs(b, ",\n  \"metadata_source\": ");
			jstring(b, phn_metadata_source_name(mi.source));
		} else {
			jstring(b, phn_metadata_version());
		}
	}
	jputs(b, ",\n");
	fast_path(b, c);
	jputs(b, "\n}\n");
}

int phn_clean_report_options_init(phn_clean_report_options *opts, unsigned int version)
{
	const phn_clean_report_options defaults = PHN_CLEAN_REPORT_OPTIONS_INIT;
	int rc = phn_error_check_version(opts, version, PHN_CLEAN_REPORT_OPTIONS_VERSION,
					 "phn_clean_report_options");

	if (rc != PHN_OK)
		return rc;
	*opts = defaults;
	opts->version = version;
	return PHN_OK;
}

int phn_cleaner_report_json(char *dst, size_t cap, size_t *needed, const phn_cleaner *c,
			    const phn_clean_report_options *opts)
{
	const phn_clean_report_options defaults = PHN_CLEAN_REPORT_OPTIONS_INIT;
	struct jbuf b = { NULL, 0, 0, 0 };
	int rc;

	if (!c)
		return phn_error_set(PHN_EINVAL, "phn_cleaner_report_json: the cleaner is NULL");
	if (!opts)
		opts = &defaults;
	if ((rc = phn_error_check_version(opts, opts->version, PHN_CLEAN_REPORT_OPTIONS_VERSION,
					  "phn_clean_report_options")) != PHN_OK)
		return rc;
	render(&b, c, opts);
	if (b.oom) {
		free(b.p);
		return phn_error_code(PHN_ENOMEM);
	}
	rc = phn_text_copy_out(dst, cap, needed, b.p, b.len);
	free(b.p);
	if (rc == PHN_EBUFS)
		return phn_error_set(rc, "the report needs %zu bytes and a NUL; the buffer has %zu",
				     b.len, cap);
	return rc;
}
