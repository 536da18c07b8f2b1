/*
 * Inputs for the fast path's differential tests (fastpath_diff,
 * fastpath_threads): deterministic for a seed. Every family the design note
 * asks for: the formats of tests/bench/clean_gen.py and of bench_number's
 * generator, random digit strings around many calling codes in about
 * seventy prefix shapes (+, ++, 00, 011, +00966, +0, trunk 0 and 1,
 * doubled prefixes, the calling code without +), lengths one short and one
 * long, separators, other digit scripts, extensions, stray plus signs, and
 * a valid-heavy family built from every region's example number of every
 * type (and the non-geographic entities'), with digits changed at the end.
 */
#ifndef PHN_TEST_FP_GEN_H
#define PHN_TEST_FP_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonenorm.h>

struct fpg {
	uint64_t s;
	/* Example NSNs: region (or "001" + code), type, digits. */
	size_t nex;
	struct fpg_ex {
		char region[4];
		int cc;
		char nsn[24];
	} *ex;
	const char *const *regions;
	size_t nregions;
};

static inline uint64_t fpg_next(struct fpg *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return g->s;
}

static inline unsigned fpg_rnd(struct fpg *g, unsigned n)
{
	return (unsigned)(fpg_next(g) % n);
}

static const char *fpg_pick(struct fpg *g, const char *const *a, size_t n)
{
	return a[fpg_rnd(g, (unsigned)n)];
}

#define FPG_N(a) (sizeof(a) / sizeof((a)[0]))

/* Load every region's example numbers (each type) and the non-geographic
 * ones. 0 on success. */
static inline int fpg_init(struct fpg *g, uint64_t seed)
{
	static const int nongeo[] = { 800, 808, 870, 878, 881, 882, 883, 888, 979 };
	size_t cap = 4096;

	memset(g, 0, sizeof *g);
	g->s = seed ? seed : 0x9E3779B97F4A7C15ull;
	if (phn_region_list(&g->regions, &g->nregions) != PHN_OK)
		return -1;
	g->ex = calloc(cap, sizeof *g->ex);
	if (!g->ex)
		return -1;
	for (size_t r = 0; r < g->nregions; r++) {
		for (int t = 0; t <= PHN_TYPE_VOICEMAIL; t++) {
			phn_number n = PHN_NUMBER_INIT;
			if (phn_number_example(&n, g->regions[r], (phn_type)t) != PHN_OK || !n.e164[0])
				continue;
			if (g->nex == cap)
				break;
			snprintf(g->ex[g->nex].region, 4, "%s", g->regions[r]);
			g->ex[g->nex].cc = n.country_code;
			snprintf(g->ex[g->nex].nsn, 24, "%s",
				 n.e164 + 1 + snprintf(NULL, 0, "%d", n.country_code));
			g->nex++;
		}
	}
	for (size_t i = 0; i < FPG_N(nongeo) && g->nex < cap; i++) {
		phn_number n = PHN_NUMBER_INIT;
		if (phn_number_example_non_geo(&n, nongeo[i]) != PHN_OK || !n.e164[0])
			continue;
		snprintf(g->ex[g->nex].region, 4, "001");
		g->ex[g->nex].cc = n.country_code;
		snprintf(g->ex[g->nex].nsn, 24, "%s", n.e164 + 1 + snprintf(NULL, 0, "%d", n.country_code));
		g->nex++;
	}
	return g->nex ? 0 : -1;
}

static inline void fpg_free(struct fpg *g)
{
	free(g->ex);
	g->ex = NULL;
}

/* Append s to dst (cap 512). */
static inline void fpg_cat(char *dst, const char *s)
{
	size_t n = strlen(dst), m = strlen(s);

	if (n + m < 511) {
		memcpy(dst + n, s, m + 1);
	}
}

/* Write digits d with separators (style 0: none; 1: random among " -.";
 * 2: groups of 3/4 with spaces; 3: "(ddd) ddd-dddd"-like) into dst. */
static inline void fpg_digits(struct fpg *g, char *dst, const char *d, int style)
{
	static const char *const seps[] = { " ", "-", ".", " - ", "  ", "/", "\xC2\xA0", " / " };
	size_t n = strlen(d);
	char one[2] = { 0, 0 };

	if (style == 3 && n >= 7) {
		char buf[80];
		snprintf(buf, sizeof buf, "(%.3s) %.3s-%.60s", d, d + 3, d + 6);
		fpg_cat(dst, buf);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		one[0] = d[i];
		fpg_cat(dst, one);
		if (i + 1 < n) {
			if (style == 1 && fpg_rnd(g, 4) == 0)
				fpg_cat(dst, fpg_pick(g, seps, FPG_N(seps)));
			else if (style == 2 && (i % 3) == 2 && fpg_rnd(g, 3))
				fpg_cat(dst, " ");
		}
	}
}

/* Rewrite the ASCII digits of s (in place, cap 512) in another script:
 * 0 keep, 1 Arabic-Indic, 2 Extended Arabic-Indic, 3 full-width, 4 mixed. */
static inline void fpg_script(struct fpg *g, char *s, int script)
{
	char out[512];
	size_t o = 0;

	if (script == 0)
		return;
	for (size_t i = 0; s[i] && o + 4 < sizeof out; i++) {
		int sc = script == 4 ? (int)fpg_rnd(g, 4) : script;
		unsigned c = (unsigned char)s[i];
		if (c < '0' || c > '9' || sc == 0) {
			out[o++] = s[i];
			continue;
		}
		c -= '0';
		if (sc == 1) {           /* U+0660 */
			out[o++] = (char)0xD9;
			out[o++] = (char)(0xA0 + c);
		} else if (sc == 2) {    /* U+06F0 */
			out[o++] = (char)0xDB;
			out[o++] = (char)(0xB0 + c);
		} else {                 /* U+FF10 */
			out[o++] = (char)0xEF;
			out[o++] = (char)0xBC;
			out[o++] = (char)(0x90 + c);
		}
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
}

/* Random digits. */
static inline void fpg_rand_digits(struct fpg *g, char *d, int n)
{
	for (int i = 0; i < n; i++)
		d[i] = (char)('0' + fpg_rnd(g, 10));
	d[n] = '\0';
}

/* A calling-code neighbourhood: region, code, trunk, idd. */
struct fpg_cc {
	const char *region, *cc, *trunk, *idd;
	int len; /* typical NSN length */
};

static const struct fpg_cc fpg_ccs[] = {
	{ "SA", "966", "0", "00", 9 },   { "US", "1", "1", "011", 10 },
	{ "CA", "1", "1", "011", 10 },   { "AG", "1", "1", "011", 10 },
	{ "BS", "1", "1", "011", 10 },   { "JM", "1", "1", "011", 10 },
	{ "PR", "1", "1", "011", 10 },   { "GB", "44", "0", "00", 10 },
	{ "GG", "44", "0", "00", 10 },   { "JE", "44", "0", "00", 10 },
	{ "IM", "44", "0", "00", 10 },   { "IT", "39", "", "00", 10 },
	{ "VA", "39", "", "00", 10 },    { "RU", "7", "8", "810", 10 },
	{ "KZ", "7", "8", "810", 10 },   { "DE", "49", "0", "00", 10 },
	{ "FR", "33", "0", "00", 9 },    { "IN", "91", "0", "00", 10 },
	{ "AE", "971", "0", "00", 9 },   { "EG", "20", "0", "00", 10 },
	{ "BR", "55", "0", "00", 11 },   { "AR", "54", "0", "00", 10 },
	{ "MX", "52", "01", "00", 10 },  { "CN", "86", "0", "00", 11 },
	{ "JP", "81", "0", "010", 10 },  { "AU", "61", "0", "0011", 9 },
	{ "NZ", "64", "0", "00", 9 },    { "SG", "65", "", "000", 8 },
	{ "HK", "852", "", "001", 8 },   { "CH", "41", "0", "00", 9 },
	{ "NL", "31", "0", "00", 9 },    { "SE", "46", "0", "00", 9 },
	{ "PK", "92", "0", "00", 10 },   { "NG", "234", "0", "009", 10 },
	{ "ZA", "27", "0", "00", 9 },    { "KR", "82", "0", "001", 10 },
	{ "TR", "90", "0", "00", 10 },   { "IR", "98", "0", "00", 10 },
	{ "FI", "358", "0", "00", 9 },   { "AX", "358", "0", "00", 9 },
	{ "NO", "47", "", "00", 8 },     { "SJ", "47", "", "00", 8 },
	{ "MA", "212", "0", "00", 9 },   { "EH", "212", "0", "00", 9 },
	{ "RE", "262", "0", "00", 9 },   { "YT", "262", "0", "00", 9 },
	{ "SH", "290", "", "00", 5 },    { "TA", "290", "", "00", 4 },
	{ "KW", "965", "", "00", 8 },    { "QA", "974", "", "00", 8 },
	{ "BH", "973", "", "00", 8 },    { "OM", "968", "", "00", 8 },
	{ "JO", "962", "0", "00", 9 },   { "LB", "961", "0", "00", 8 },
	{ "IL", "972", "0", "00", 9 },   { "ES", "34", "", "00", 9 },
	{ "PL", "48", "", "00", 9 },     { "ID", "62", "0", "001", 10 },
	{ "PH", "63", "0", "00", 10 },   { "VN", "84", "0", "00", 9 },
	{ "SM", "378", "", "00", 10 },   { "VA", "379", "", "00", 10 },
	{ "IL", "972", "0", "012", 9 },  { "TH", "66", "0", "001", 9 },
	{ "TW", "886", "0", "002", 9 },  { "CO", "57", "0", "005", 10 },
	{ "UY", "598", "0", "00", 8 },   { "BY", "375", "8", "810", 9 },
	{ "LT", "370", "8", "00", 8 },   { "KH", "855", "0", "001", 9 },
	{ "UG", "256", "0", "000", 9 },  { "TZ", "255", "0", "005", 9 },
	{ "MU", "230", "", "020", 8 },   { "CL", "56", "", "1230", 9 },
	{ "PE", "51", "0", "1911", 9 },  { "CR", "506", "1900", "00", 8 },
	{ "LU", "352", "1500", "00", 9 }, { "BO", "591", "0", "0012", 8 },
	{ "CN", "86", "12500", "11800", 11 }, { "AU", "61", "1831", "0011", 9 },
	{ NULL, "800", "", "", 8 },      { NULL, "808", "", "", 8 },
	{ NULL, "870", "", "", 9 },      { NULL, "878", "", "", 12 },
	{ NULL, "881", "", "", 9 },      { NULL, "882", "", "", 10 },
	{ NULL, "883", "", "", 10 },     { NULL, "888", "", "", 11 },
	{ NULL, "979", "", "", 9 },      { NULL, "999", "", "", 8 },
	{ NULL, "210", "", "", 8 },      { NULL, "0", "", "", 8 },
};

static const char *const fpg_some_regions[] = {
	"SA", "US", "GB", "DE", "IT", "RU", "KZ", "CA", "AG", "JM", "IN", "AE", "FR", "BR",
	"AR", "MX", "CN", "JP", "AU", "GG", "FI", "NO", "RE", "SH", "EG", "SG", "HK", "PR",
	"IL", "TH", "TW", "CO", "BY", "LT", "NZ", "KR", "ID", "CL", "PE", "CR", "LU", "BO",
};

/* One extension, in one of the forms (some handled, some not). */
static inline void fpg_extension(struct fpg *g, char *dst)
{
	static const char *const labels[] = {
		" x", "x", " X", " ext", " ext.", " ext. ", " Ext: ", " EXT", " extn", " extn: ",
		" extension ", " #", "#", " x ", " x.", " x-", "  x  ", " ext-", " e", " xt",
		" ext.:", ";ext=", ",,", ",", " ~", " # ", " ext#",
	};
	char d[32];
	int n = fpg_rnd(g, 8) ? 1 + (int)fpg_rnd(g, 6) : 1 + (int)fpg_rnd(g, 24);

	fpg_cat(dst, fpg_pick(g, labels, FPG_N(labels)));
	fpg_rand_digits(g, d, n);
	fpg_cat(dst, d);
	if (fpg_rnd(g, 30) == 0)
		fpg_cat(dst, fpg_rnd(g, 2) ? "#" : " ");
}

/* clean_gen.py's formats (SA 9 formats, US 7, garbage), region as the
 * list says (SA rows without a country 10% of the time). */
static inline void fpg_clean_gen(struct fpg *g, char *text, const char **region)
{
	static const char *const garbage[] = {
		"n/a", "", "12345", "unknown", "+999 123 4567", "05012", "call office", "0000",
		"-", "050123456789012",
	};
	static const int sa_pre[] = { 50, 53, 54, 55, 56, 58, 59, 11, 12, 13 };
	static const int us_area[] = { 201, 202, 206, 212, 213, 214, 303, 305, 310, 312, 404,
				       415, 503, 512, 602, 617, 646, 702, 713, 718, 773, 805,
				       818, 917 };
	unsigned x = fpg_rnd(g, 100);
	char d[32];

	text[0] = '\0';
	if (x < 5) {
		fpg_cat(text, fpg_pick(g, garbage, FPG_N(garbage)));
		*region = "SA";
		return;
	}
	if (x < 70) {
		char nsn[16];
		snprintf(nsn, sizeof nsn, "%d%07u", sa_pre[fpg_rnd(g, FPG_N(sa_pre))],
			 fpg_rnd(g, 10000000));
		*region = fpg_rnd(g, 10) ? "SA" : NULL;
		switch (fpg_rnd(g, 9)) {
		case 0: snprintf(text, 512, "0%s", nsn); break;
		case 1: snprintf(text, 512, "0%.2s %.3s %s", nsn, nsn + 2, nsn + 5); break;
		case 2: snprintf(text, 512, "+966%s", nsn); break;
		case 3: snprintf(text, 512, "+966 %.2s %.3s %s", nsn, nsn + 2, nsn + 5); break;
		case 4: snprintf(text, 512, "00966%s", nsn); break;
		case 5: snprintf(text, 512, "966%s", nsn); break;
		case 6: snprintf(text, 512, "0%s", nsn); fpg_script(g, text, 1); break;
		case 7: snprintf(text, 512, "(0%.2s) %.3s-%s", nsn, nsn + 2, nsn + 5); break;
		default: snprintf(text, 512, "0%.2s-%.3s-%s", nsn, nsn + 2, nsn + 5); break;
		}
		return;
	}
	snprintf(d, sizeof d, "%u%u%06u", us_area[fpg_rnd(g, FPG_N(us_area))], 2 + fpg_rnd(g, 8),
		 fpg_rnd(g, 1000000));
	*region = "US";
	switch (fpg_rnd(g, 7)) {
	case 0: snprintf(text, 512, "(%.3s) %.3s-%s", d, d + 3, d + 6); break;
	case 1: snprintf(text, 512, "%.3s-%.3s-%s", d, d + 3, d + 6); break;
	case 2: snprintf(text, 512, "%.3s.%.3s.%s", d, d + 3, d + 6); break;
	case 3: snprintf(text, 512, "+1 %.3s %.3s %s", d, d + 3, d + 6); break;
	case 4: snprintf(text, 512, "1-%.3s-%.3s-%s", d, d + 3, d + 6); break;
	case 5: snprintf(text, 512, "%s ext. %u", d, 1 + fpg_rnd(g, 998)); break;
	default: snprintf(text, 512, "%s", d); break;
	}
}

/* bench_number's generator (8 regions, its format switch). */
static inline void fpg_bench(struct fpg *g, char *text, const char **region)
{
	static const struct {
		const char *region, *cc, *trunk, *idd, *pre[4];
		int digits;
	} r[] = {
		{ "SA", "966", "0", "00", { "50", "55", "11", "12" }, 7 },
		{ "US", "1", "1", "011", { "202", "415", "212", "617" }, 7 },
		{ "GB", "44", "0", "00", { "20", "7400", "161", "121" }, 7 },
		{ "DE", "49", "0", "00", { "30", "151", "89", "40" }, 7 },
		{ "IN", "91", "0", "00", { "98", "99", "70", "80" }, 8 },
		{ "AE", "971", "0", "00", { "50", "55", "4", "2" }, 7 },
		{ "EG", "20", "0", "00", { "10", "11", "12", "2" }, 8 },
		{ "FR", "33", "0", "00", { "6", "1", "7", "4" }, 8 },
	};
	unsigned k = fpg_rnd(g, FPG_N(r));
	char nsn[32], tail[16];

	snprintf(nsn, sizeof nsn, "%s", r[k].pre[fpg_rnd(g, 4)]);
	fpg_rand_digits(g, tail, r[k].digits);
	fpg_cat(nsn, tail);
	*region = r[k].region;
	switch (fpg_rnd(g, 20)) {
	case 0: snprintf(text, 512, "n/a %u", fpg_rnd(g, 1000)); break;
	case 1: snprintf(text, 512, "%.4s", nsn); break;
	case 2: case 3: case 4: snprintf(text, 512, "+%s %s", r[k].cc, nsn); break;
	case 5: case 6: snprintf(text, 512, "%s%s%s", r[k].idd, r[k].cc, nsn); break;
	case 7: snprintf(text, 512, "(%s%.3s) %s", r[k].trunk, nsn, nsn + 3); break;
	case 8: snprintf(text, 512, "%s%.3s-%.3s-%s", r[k].trunk, nsn, nsn + 3, nsn + 6); break;
	default: snprintf(text, 512, "%s%s", r[k].trunk, nsn); break;
	}
}

/* A prefix shape before the national digits. */
static inline void fpg_prefix(struct fpg *g, char *dst, const struct fpg_cc *c, const char *idd)
{
	char buf[64];

	switch (fpg_rnd(g, 26)) {
	case 0: case 1: case 2: snprintf(buf, sizeof buf, "+%s", c->cc); break;
	case 3: snprintf(buf, sizeof buf, "+%s ", c->cc); break;
	case 4: snprintf(buf, sizeof buf, "++%s", c->cc); break;
	case 5: snprintf(buf, sizeof buf, "00%s", c->cc); break;
	case 6: snprintf(buf, sizeof buf, "011%s", c->cc); break;
	case 7: snprintf(buf, sizeof buf, "+00%s", c->cc); break;
	case 8: snprintf(buf, sizeof buf, "+0%s", c->cc); break;
	case 9: snprintf(buf, sizeof buf, "%s", c->cc); break;
	case 10: snprintf(buf, sizeof buf, "%s", c->trunk); break;
	case 11: snprintf(buf, sizeof buf, "0"); break;
	case 12: snprintf(buf, sizeof buf, "1"); break;
	case 13: snprintf(buf, sizeof buf, "00"); break;
	case 14: snprintf(buf, sizeof buf, "+%s0", c->cc); break;
	case 15: snprintf(buf, sizeof buf, "%s%s", idd, c->cc); break;
	case 16: snprintf(buf, sizeof buf, "%s%s%s", idd, idd, c->cc); break;
	case 17: snprintf(buf, sizeof buf, "+%s%s", idd, c->cc); break;
	case 18: snprintf(buf, sizeof buf, "(+%s) ", c->cc); break;
	case 19: snprintf(buf, sizeof buf, "+ %s ", c->cc); break;
	case 20: snprintf(buf, sizeof buf, "%s%s", c->cc, c->trunk); break;
	case 21: snprintf(buf, sizeof buf, "+%s (%s)", c->cc, c->trunk); break;
	case 22: snprintf(buf, sizeof buf, "%s %s", idd, c->cc); break;
	case 23: snprintf(buf, sizeof buf, "\xEF\xBC\x8B%s\xC2\xA0", c->cc); break;
	default: buf[0] = '\0'; break;
	}
	fpg_cat(dst, buf);
}

/* Random digits around a calling code: prefix shape, NSN of about the
 * typical length (one short, one long, or anything), separators, script,
 * sometimes an extension or a stray character. */
static inline void fpg_random(struct fpg *g, char *text, const char **region)
{
	const struct fpg_cc *c = &fpg_ccs[fpg_rnd(g, FPG_N(fpg_ccs))];
	static const char *const idds[] = { "00", "011", "810", "0011", "001", "010", "000", "009" };
	char d[64], tmp[512];
	int len;
	unsigned r = fpg_rnd(g, 10);

	if (r < 6)
		len = c->len - 1 + (int)fpg_rnd(g, 3);
	else if (r < 8)
		len = 1 + (int)fpg_rnd(g, 18);
	else
		len = c->len;
	fpg_rand_digits(g, d, len);
	/* Sometimes start like a real range: keep the example's leading digits. */
	if (fpg_rnd(g, 2) && g->nex) {
		const struct fpg_ex *e = &g->ex[fpg_rnd(g, (unsigned)g->nex)];
		size_t k = strlen(e->nsn), keep = 1 + fpg_rnd(g, 4);
		if (keep > k)
			keep = k;
		if (keep <= (size_t)len)
			memcpy(d, e->nsn, keep);
	}
	text[0] = '\0';
	if (fpg_rnd(g, 12) == 0)
		fpg_cat(text, fpg_rnd(g, 2) ? " " : "(");
	else if (fpg_rnd(g, 12) == 0) {
		static const char *const leads[] = { "Tel: ", "tel:", "Phone ", "mob. ", "n/a ",
						     "a;b ", "#", "Call: ", "x ", "ext 1 ", "*",
						     "tel:;phone-context=", "Fax:", "[", "~",
						     "\x0b", "\x02 " };
		fpg_cat(text, fpg_pick(g, leads, FPG_N(leads)));
	}
	fpg_prefix(g, text, c, c->idd[0] ? c->idd : fpg_pick(g, idds, FPG_N(idds)));
	tmp[0] = '\0';
	fpg_digits(g, tmp, d, (int)fpg_rnd(g, 4));
	fpg_cat(text, tmp);
	switch (fpg_rnd(g, 16)) {
	case 0: fpg_extension(g, text); break;
	case 1: fpg_cat(text, fpg_rnd(g, 2) ? " " : "-"); break;
	case 2: fpg_cat(text, fpg_rnd(g, 2) ? "+" : ")"); break;
	case 3: {
		/* A stray character somewhere. */
		static const char *const stray[] = { "+", "x", "#", ";", "/", "a", "*", ",", ":",
						     "\t", "\xC2\xA0", "\xEF\xBC\x8B", "/ x",
						     "\x02", "\x0b", "\x7f", "\x1f", "\r", "\n",
						     "\x0c", ";\x01" };
		size_t n = strlen(text), at = n ? fpg_rnd(g, (unsigned)n) : 0;
		char buf[512];
		while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
			at--; /* a character boundary */
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)at, text, fpg_pick(g, stray, FPG_N(stray)),
			 text + at);
		memcpy(text, buf, strlen(buf) + 1);
		break;
	}
	default: break;
	}
	if (fpg_rnd(g, 10) == 0)
		fpg_script(g, text, 1 + (int)fpg_rnd(g, 4));
	r = fpg_rnd(g, 10);
	if (r < 5 && c->region)
		*region = c->region;
	else if (r < 8)
		*region = fpg_pick(g, fpg_some_regions, FPG_N(fpg_some_regions));
	else if (r < 9 && g->nregions)
		*region = g->regions[fpg_rnd(g, (unsigned)g->nregions)];
	else
		*region = NULL;
}

/* Valid-heavy: an example number of some type, its last digits changed,
 * written in some national or international form. */
static inline void fpg_valid(struct fpg *g, char *text, const char **region)
{
	const struct fpg_ex *e = &g->ex[fpg_rnd(g, (unsigned)g->nex)];
	char nsn[32], tmp[512];
	size_t n = strlen(e->nsn);
	int change = (int)fpg_rnd(g, 5);
	int plain = e->region[0] == '0';

	memcpy(nsn, e->nsn, n + 1);
	for (int i = 0; i < change && (size_t)i < n; i++)
		nsn[n - 1 - i] = (char)('0' + fpg_rnd(g, 10));
	if (fpg_rnd(g, 20) == 0 && n > 1)
		nsn[n - 1] = '\0'; /* one short */
	else if (fpg_rnd(g, 20) == 0)
		fpg_cat(nsn, "5"); /* one long */
	text[0] = '\0';
	tmp[0] = '\0';
	fpg_digits(g, tmp, nsn, (int)fpg_rnd(g, 4));
	switch (plain ? 0 : fpg_rnd(g, 6)) {
	case 0: case 1: snprintf(text, 512, "+%d %s", e->cc, tmp); break;
	case 2: snprintf(text, 512, "00%d%s", e->cc, nsn); break;
	case 3: snprintf(text, 512, "0%s", tmp); break;
	case 4: snprintf(text, 512, "1%s", nsn); break;
	default: snprintf(text, 512, "%s", tmp); break;
	}
	if (fpg_rnd(g, 25) == 0)
		fpg_extension(g, text);
	if (fpg_rnd(g, 15) == 0)
		fpg_script(g, text, 1 + (int)fpg_rnd(g, 4));
	if (plain)
		*region = fpg_rnd(g, 3) ? NULL : fpg_pick(g, fpg_some_regions, FPG_N(fpg_some_regions));
	else
		*region = fpg_rnd(g, 6) ? e->region
					: (fpg_rnd(g, 2) ? NULL
						       : fpg_pick(g, fpg_some_regions,
								  FPG_N(fpg_some_regions)));
}

/* Edges: extensions at their digit limits (9 after x or #, 20 after ext),
 * a prefix followed by one to three digits, two- and three-digit inputs,
 * trunk prefixes before short numbers, runs of plus signs. */
static inline void fpg_edge(struct fpg *g, char *text, const char **region)
{
	static const char *const heads[] = { "+", "++", "+++", "00", "011", "+00", "0", "1", "",
					     "810", "8", "001", "0011", "180020", "99", "16",
					     "0180020" };
	static const char *const ext_short[] = { " x", "x", " #", "#", " x ", " X." };
	static const char *const ext_long[] = { " ext", " ext. ", " extn: ", " extension ", " EXT" };
	const struct fpg_cc *c = &fpg_ccs[fpg_rnd(g, FPG_N(fpg_ccs))];
	char d[64];
	int n;

	text[0] = '\0';
	switch (fpg_rnd(g, 5)) {
	case 0: {
		/* extension digits around the limits */
		int lim = fpg_rnd(g, 2) ? 9 : 20;
		fpg_valid(g, text, region);
		if (strchr(text, 'x') || strchr(text, 'X') || strchr(text, '#'))
			return;
		fpg_cat(text, lim == 9 ? fpg_pick(g, ext_short, FPG_N(ext_short))
				       : fpg_pick(g, ext_long, FPG_N(ext_long)));
		fpg_rand_digits(g, d, lim - 1 + (int)fpg_rnd(g, 3));
		fpg_cat(text, d);
		return;
	}
	case 1:
		/* a prefix and a few digits */
		fpg_cat(text, fpg_pick(g, heads, FPG_N(heads)));
		if (fpg_rnd(g, 2))
			fpg_cat(text, c->cc);
		n = 1 + (int)fpg_rnd(g, 4);
		fpg_rand_digits(g, d, n);
		if (fpg_rnd(g, 3) == 0)
			d[0] = '0';
		fpg_cat(text, d);
		break;
	case 2:
		/* the trunk prefix (or the calling code) then a short or long national number */
		fpg_cat(text, fpg_rnd(g, 2) ? c->trunk : c->cc);
		n = c->len - 4 + (int)fpg_rnd(g, 8);
		fpg_rand_digits(g, d, n > 0 ? n : 1);
		if (g->nex && fpg_rnd(g, 2)) {
			const struct fpg_ex *e = &g->ex[fpg_rnd(g, (unsigned)g->nex)];
			size_t k = strlen(e->nsn);
			memcpy(d, e->nsn, k < strlen(d) ? k : strlen(d));
		}
		fpg_cat(text, d);
		break;
	case 3:
		if (fpg_rnd(g, 3) == 0) {
			/* ASCII without a digit */
			static const char *const words[] = { "n/a", "unknown", "+", "++ ext", "-",
							     "call office", "tel:", "x", "#;", "none" };
			fpg_cat(text, fpg_pick(g, words, FPG_N(words)));
			break;
		}
		/* fall through */
	default:
		/* two or three digits, sometimes with punctuation or a plus */
		n = 2 + (int)fpg_rnd(g, 2);
		fpg_rand_digits(g, d, n);
		if (fpg_rnd(g, 3) == 0)
			fpg_cat(text, fpg_rnd(g, 2) ? "+" : "(");
		fpg_cat(text, d);
		if (fpg_rnd(g, 3) == 0)
			fpg_cat(text, fpg_rnd(g, 2) ? "-" : " 5");
		break;
	}
	*region = fpg_rnd(g, 4) ? (c->region ? c->region : "US") : NULL;
}

/* One input (text: 512 bytes): the families in turn. */
static inline void fpg_one(struct fpg *g, char *text, const char **region)
{
	unsigned f = fpg_rnd(g, 100);

	if (f < 8) {
		fpg_edge(g, text, region);
		return;
	}
	if (f < 20)
		fpg_clean_gen(g, text, region);
	else if (f < 30)
		fpg_bench(g, text, region);
	else if (f < 65)
		fpg_random(g, text, region);
	else
		fpg_valid(g, text, region);
}

#endif
