/*
 * The fast path's gate and parse: libphonenumber 8.12.57's Parse(),
 * GetNumberType(), IsPossibleNumberWithReason(), GetRegionCodeForNumber()
 * and Format(E164), as shim.cc's phn_shim_parse() turns them into a
 * phn_number, reproduced over compiled digit automata for a narrow input
 * grammar. Anything outside it, a territory with a national prefix
 * transform rule or prefixes outside the DFA's digit subset, or a prefix
 * whose match length the DFA cannot pin down, returns 0 and libphonenumber
 * answers.
 *
 * The grammar: any ASCII but ';' before the first digit or plus (dropped,
 * as ExtractPossibleNumber does); then ASCII digits, Arabic-Indic
 * (U+0660..9), Extended Arabic-Indic (U+06F0..9) and full-width (U+FF10..9)
 * digits, space, no-break space, '-', '.', '(', ')', '/' (when no letter
 * follows), '+' and the full-width plus; optionally followed by one
 * extension written "x45", "ext 45", "ext. 45", "extn: 45", "extension 45"
 * or "#45" (any case), at the very end. Text without a digit is not a
 * number. Every step below names the libphonenumber function it
 * reproduces (phonenumberutil.cc of 8.12.57); the reasoning for the
 * extension split is at split_extension().
 */
#define _POSIX_C_SOURCE 200809L
#include "number/fastpath.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/error.h"
#include "text/text.h"

/* The libphonenumber the parse was verified against, and the size and
 * FNV-1a 64 of its compiled-in metadata (Debian 8.12.57+ds-3): the running
 * library must have exactly these bytes, which pins its version at run time
 * (PHN_ENGINE_VERSION only says what phonenorm was compiled against). */
#define FP_ENGINE PHN_FP_VERIFIED_ENGINE
#define FP_SYSTEM_SIZE ((size_t)195204)
#define FP_SYSTEM_FNV UINT64_C(0x886eba90b953db99)

#define MIN_NSN 2  /* PhoneNumberUtil::kMinLengthForNsn */
#define MAX_NSN 17 /* kMaxLengthForNsn */
#define MAX_CC 3   /* kMaxLengthCountryCode */
#define MAX_DIGITS PHN_INPUT_MAX

/* Per territory: what the parse may use it for. */
enum {
	/* As the default region: an international prefix, and a national
	 * prefix for parsing (or none), that prefix_len() reads; no transform
	 * rule. */
	USE_DEFAULT = 1,
	/* As the number's own territory (national prefix stripping): a
	 * national prefix for parsing (or none) that prefix_len() reads, no
	 * transform rule. */
	USE_NUMBER = 2
};

static struct {
	pthread_once_t once;
	int enabled;
	const char *why;
	char why_buf[200];
	const phn_fp_collection *col;
	unsigned char *use; /* per territory, USE_* bits */
	/* Per territory: how its international prefix and national prefix
	 * for parsing are read (PRE_*), and the DFA of those that are
	 * regular expressions (pattern 0 the international prefix, 1 the
	 * national one, each a whole match), or NULL. */
	unsigned char *idd_mode, *np_mode;
	phn_fp_dfa **pre;
	int handled;        /* territories with USE_DEFAULT */
} fp = { PTHREAD_ONCE_INIT, 0, "", "", NULL, NULL, NULL, NULL, NULL, 0 };

/* How a prefix pattern is read. */
enum { PRE_NONE = 0, PRE_DIGITS, PRE_DFA };

/*
 * A prefix pattern the parse reads without a regex engine: digit strings
 * separated by '|' ("00", "0|180020"), or "" when allow_empty. Consume()
 * (ICU lookingAt) of such an alternation takes the first alternative, in
 * order, that the text starts with; nothing follows it in the pattern, so
 * no later alternative is ever tried after one matched.
 */
static int digit_alternation(const char *s, int allow_empty)
{
	int run = 0;

	if (!s[0])
		return allow_empty;
	for (; *s; s++) {
		if (*s == '|') {
			if (run == 0)
				return 0;
			run = 0;
		} else if (*s >= '0' && *s <= '9') {
			run++;
		} else {
			return 0;
		}
	}
	return run > 0;
}

static int env_off(void)
{
	const char *v = getenv("PHONENORM_FASTPATH");

	return v && (strcmp(v, "0") == 0 || phn_text_ascii_casecmp(v, "off") == 0 ||
		     phn_text_ascii_casecmp(v, "false") == 0 || phn_text_ascii_casecmp(v, "no") == 0);
}

static void decide_now(void)
{
	const phn_fp_collection *col = NULL;
	int rc;

	if (env_off()) {
		snprintf(fp.why_buf, sizeof fp.why_buf, "PHONENORM_FASTPATH=%.20s turns it off",
			 getenv("PHONENORM_FASTPATH"));
		fp.why = fp.why_buf;
		return;
	}
	if (strcmp(PHN_ENGINE_VERSION, FP_ENGINE) != 0) {
		snprintf(fp.why_buf, sizeof fp.why_buf,
			 "built against libphonenumber %s; the fast path is verified against %s only",
			 PHN_ENGINE_VERSION, FP_ENGINE);
		fp.why = fp.why_buf;
		return;
	}
	rc = phn_shim_fp_collection(&col);
	if (rc != PHN_OK || !col) {
		snprintf(fp.why_buf, sizeof fp.why_buf, "the metadata that answers is not usable "
			 "for it: %.150s", rc != PHN_OK ? phn_error_last() : "no collection");
		fp.why = fp.why_buf;
		return;
	}
	if (col->system_size == 0) {
		fp.why = "libphonenumber's own metadata could not be reached to identify its version";
		return;
	}
	if (col->system_size != FP_SYSTEM_SIZE || col->system_fingerprint != FP_SYSTEM_FNV) {
		snprintf(fp.why_buf, sizeof fp.why_buf,
			 "the libphonenumber that runs is not %s (its own metadata is %zu bytes, "
			 "fingerprint %016llx)", FP_ENGINE, col->system_size,
			 (unsigned long long)col->system_fingerprint);
		fp.why = fp.why_buf;
		return;
	}
	fp.use = calloc(col->count ? col->count : 1, 1);
	fp.idd_mode = calloc(col->count ? col->count : 1, 1);
	fp.np_mode = calloc(col->count ? col->count : 1, 1);
	fp.pre = calloc(col->count ? col->count : 1, sizeof *fp.pre);
	if (!fp.use || !fp.idd_mode || !fp.np_mode || !fp.pre) {
		fp.why = "out of memory";
		return;
	}
	for (size_t i = 0; i < col->count; i++) {
		const phn_fp_territory *t = &col->territories[i];
		const char *pat[2] = { NULL, NULL };
		static const int whole[2] = { 0, 0 };

		if (t->national_prefix_transform_rule[0])
			continue; /* the transform needs the regex's groups */
		fp.idd_mode[i] = !t->international_prefix[0] ? PRE_NONE
			       : digit_alternation(t->international_prefix, 0) ? PRE_DIGITS : PRE_DFA;
		fp.np_mode[i] = !t->national_prefix_for_parsing[0] ? PRE_NONE
			      : digit_alternation(t->national_prefix_for_parsing, 0) ? PRE_DIGITS
										 : PRE_DFA;
		if (fp.idd_mode[i] == PRE_DFA)
			pat[0] = t->international_prefix;
		if (fp.np_mode[i] == PRE_DFA)
			pat[1] = t->national_prefix_for_parsing;
		if ((pat[0] || pat[1]) && phn_fp_dfa_compile(&fp.pre[i], pat, whole, 2) != PHN_OK) {
			/* Outside the digit subset (e.g. '$'): this territory's
			 * regex answers only through libphonenumber. */
			fp.pre[i] = NULL;
			if (pat[1])
				continue;
			fp.idd_mode[i] = PRE_NONE;
			fp.use[i] = USE_NUMBER;
			continue;
		}
		fp.use[i] = USE_NUMBER;
		if (strcmp(t->id, "001") != 0 && fp.idd_mode[i] != PRE_NONE) {
			fp.use[i] |= USE_DEFAULT;
			fp.handled++;
		}
	}
	fp.col = col;
	fp.enabled = 1;
	fp.why = "";
}

/* Deciding never fails the call that triggered it (a territory's prefix
 * that does not compile is an answer, not an error): the thread's last
 * error is left as it was. */
static void decide(void)
{
	int code = phn_error_last_code();
	char saved[512];

	snprintf(saved, sizeof saved, "%s", phn_error_last());
	decide_now();
	if (code == PHN_OK)
		phn_error_clear();
	else
		phn_error_set(code, "%s", saved);
}

int phn_fp_enabled(const char **why)
{
	pthread_once(&fp.once, decide);
	if (why)
		*why = fp.why;
	return fp.enabled;
}

int phn_fp_territory_counts(int *territories, int *handled)
{
	if (!phn_fp_enabled(NULL))
		return 0;
	*territories = (int)fp.col->count;
	*handled = fp.handled;
	return 1;
}

/* ---- the parse ------------------------------------------------------------ */

/* A failure that is not an answer: the caller asks libphonenumber. */
#define FALLBACK (-1000)

/* libphonenumber's ErrorType, as the shim maps it. */
enum perr {
	P_OK = 0,
	P_INVALID_CC,
	P_NOT_A_NUMBER,
	P_TOO_SHORT_AFTER_IDD,
	P_TOO_SHORT_NSN,
	P_TOO_LONG_NSN
};

/* Token classes of the input. */
/* K_OTHER: any other ASCII character (allowed before the number only). */
enum { K_DIGIT, K_PLUS, K_SEP, K_LETTER, K_HASH, K_COLON, K_OTHER };

struct ctx {
	const phn_fp_compiled *td; /* default region's, or NULL */
	int td_unusable;           /* a region was given that the parse cannot read in */
};

/* The compiled territory with index i; NULL means fall back. */
static const phn_fp_compiled *terr(size_t i)
{
	const phn_fp_compiled *c = phn_fp_territory_compiled(i);

	return c && c->dfa ? c : NULL;
}

static uint32_t match(const phn_fp_compiled *c, const char *d, size_t n)
{
	return phn_fp_dfa_match(c->dfa, d, n);
}

/* IsMatch(number, general_desc): the general pattern matches all of it (no
 * length check; an empty pattern never matches, as the DFA says). */
static int general_match(const phn_fp_compiled *c, const char *d, size_t n)
{
	return (match(c, d, n) >> PHN_FP_GENERAL) & 1;
}

/* TestNumberLength(number, metadata) with type UNKNOWN: the general desc. */
static int test_length(const phn_fp_territory *t, size_t len, phn_status *out)
{
	const phn_fp_desc *g = &t->desc[PHN_FP_GENERAL];
	uint32_t set = g->lengths;
	int min, max;

	if (g->lengths_count == 0)
		return FALLBACK; /* libphonenumber would read past an empty list */
	if (g->no_such_type) {
		*out = PHN_STATUS_INVALID_LENGTH;
		return 0;
	}
	if (set == 0)
		return FALLBACK;
	if (len < 32 && ((g->local_lengths >> len) & 1)) {
		*out = PHN_STATUS_LOCAL_ONLY;
		return 0;
	}
	min = __builtin_ctz(set);
	max = 31 - __builtin_clz(set);
	if ((size_t)min == len)
		*out = PHN_STATUS_POSSIBLE;
	else if ((size_t)min > len)
		*out = PHN_STATUS_TOO_SHORT;
	else if ((size_t)max < len)
		*out = PHN_STATUS_TOO_LONG;
	else
		*out = ((set >> len) & 1) ? PHN_STATUS_POSSIBLE : PHN_STATUS_INVALID_LENGTH;
	return 0;
}

/* IsNumberMatchingDesc: the desc's own possible lengths (when it has any;
 * a -1 marker never matches a length), then its pattern. */
static int desc_matches(const phn_fp_desc *d, uint32_t bits, int kind, size_t len)
{
	if (d->lengths_count > 0 && !(len < 32 && ((d->lengths >> len) & 1)))
		return 0;
	return (bits >> kind) & 1;
}

/* GetNumberTypeHelper, with the DFA's answer for the NSN. */
static phn_type type_of(const phn_fp_territory *t, uint32_t bits, size_t len)
{
	static const struct { int kind; phn_type type; } order[] = {
		{ PHN_FP_PREMIUM_RATE, PHN_TYPE_PREMIUM_RATE },
		{ PHN_FP_TOLL_FREE, PHN_TYPE_TOLL_FREE },
		{ PHN_FP_SHARED_COST, PHN_TYPE_SHARED_COST },
		{ PHN_FP_VOIP, PHN_TYPE_VOIP },
		{ PHN_FP_PERSONAL_NUMBER, PHN_TYPE_PERSONAL_NUMBER },
		{ PHN_FP_PAGER, PHN_TYPE_PAGER },
		{ PHN_FP_UAN, PHN_TYPE_UAN },
		{ PHN_FP_VOICEMAIL, PHN_TYPE_VOICEMAIL },
	};
	const phn_fp_desc *d = t->desc;

	if (!desc_matches(&d[PHN_FP_GENERAL], bits, PHN_FP_GENERAL, len))
		return PHN_TYPE_UNKNOWN;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (desc_matches(&d[order[i].kind], bits, order[i].kind, len))
			return order[i].type;
	}
	if (desc_matches(&d[PHN_FP_FIXED_LINE], bits, PHN_FP_FIXED_LINE, len)) {
		if (t->same_mobile_and_fixed_line_pattern ||
		    desc_matches(&d[PHN_FP_MOBILE], bits, PHN_FP_MOBILE, len))
			return PHN_TYPE_FIXED_LINE_OR_MOBILE;
		return PHN_TYPE_FIXED_LINE;
	}
	if (!t->same_mobile_and_fixed_line_pattern &&
	    desc_matches(&d[PHN_FP_MOBILE], bits, PHN_FP_MOBILE, len))
		return PHN_TYPE_MOBILE;
	return PHN_TYPE_UNKNOWN;
}

/* The decimal digits of a calling code (1..999) into buf; their count. */
static size_t cc_text(char buf[4], int cc)
{
	size_t n = cc >= 100 ? 3 : cc >= 10 ? 2 : 1;

	for (size_t i = n; i-- > 0; cc /= 10)
		buf[i] = (char)('0' + cc % 10);
	buf[n] = '\0';
	return n;
}

static int has_prefix(const char *d, size_t n, const char *p, size_t *plen)
{
	size_t k = strlen(p);

	*plen = k;
	return k <= n && memcmp(d, p, k) == 0;
}

/* Consume() of a digit_alternation() pattern at the start of d[0..n): the
 * first alternative d starts with, its length in *plen. */
static int has_alt_prefix(const char *d, size_t n, const char *p, size_t *plen)
{
	while (*p) {
		size_t k = strcspn(p, "|");
		if (k <= n && memcmp(d, p, k) == 0) {
			*plen = k;
			return 1;
		}
		p += k;
		if (*p == '|')
			p++;
	}
	return 0;
}

/* Longest text the regex prefixes are tried on (an IDD or a national
 * prefix is a few digits; longer text falls back). */
#define PRE_MAX_SCAN 64

/*
 * Consume() of territory ti's international (which 0) or national (1)
 * prefix at the start of d[0..n): 1 with *plen its length, 0 when it does
 * not match there, FALLBACK when that cannot be told without the regex
 * engine. A digit alternation is read directly. A regular expression is
 * run as a DFA (whole match) over every prefix of d: when exactly one
 * length matches, lookingAt() can only have taken that one; when several
 * do, which one ICU's backtracking takes depends on the pattern: fall back.
 */
static int prefix_len(size_t ti, int which, const char *d, size_t n, size_t *plen)
{
	const phn_fp_territory *t = &fp.col->territories[ti];
	int mode = which ? fp.np_mode[ti] : fp.idd_mode[ti];
	int found = 0;

	if (mode == PRE_NONE)
		return FALLBACK; /* callers handle the empty pattern themselves */
	if (mode == PRE_DIGITS)
		return has_alt_prefix(d, n, which ? t->national_prefix_for_parsing
						  : t->international_prefix, plen);
	if (!fp.pre[ti] || n > PRE_MAX_SCAN)
		return FALLBACK;
	for (size_t i = 0; i <= n; i++) {
		if ((phn_fp_dfa_match(fp.pre[ti], d, i) >> which) & 1) {
			if (found)
				return FALLBACK;
			found = 1;
			*plen = i;
		}
	}
	return found;
}

/*
 * MaybeStripNationalPrefixAndCarrierCode without a transform rule and with
 * a national prefix for parsing that prefix_len() can read (a carrier code
 * it captures is not kept by Parse). *out: how many leading digits to
 * drop. 0 or FALLBACK.
 */
static int national_prefix_len(const phn_fp_compiled *c, const char *d, size_t n, size_t *out)
{
	size_t ti = (size_t)(c->t - fp.col->territories), k = 0;
	int rc;

	*out = 0;
	if (n == 0 || !c->t->national_prefix_for_parsing[0])
		return 0;
	if ((rc = prefix_len(ti, 1, d, n, &k)) <= 0)
		return rc; /* no match (0) or FALLBACK */
	if (general_match(c, d, n) && !general_match(c, d + k, n - k))
		return 0;
	*out = k;
	return 0;
}

/* Territories that share a calling code, libphonenumber's order. */
static size_t code_count(int cc)
{
	const phn_fp_collection *col = fp.col;

	if (cc <= 0 || cc > 999)
		return 0;
	return col->by_code_start[cc + 1] - col->by_code_start[cc];
}

static size_t code_territory(int cc, size_t i)
{
	return fp.col->by_code[fp.col->by_code_start[cc] + i];
}

/* ExtractCountryCode on d[0..n) (n > 2): the calling code and its length,
 * or 0. */
static int extract_cc(const char *d, size_t n, size_t *len)
{
	int cc = 0;

	if (n == 0 || d[0] == '0')
		return 0;
	for (size_t i = 1; i <= MAX_CC && i <= n; i++) {
		cc = cc * 10 + (d[i - 1] - '0');
		if (code_count(cc) > 0) {
			*len = i;
			return cc;
		}
	}
	return 0;
}

/*
 * MaybeExtractCountryCode over the digits d[0..n) (already normalised).
 * plus: the raw text began with plus signs (stripped). Sets *cc (0: none)
 * and *skip (digits before the national number). Returns a perr or
 * FALLBACK.
 */
static int maybe_extract_cc(const struct ctx *x, int plus, const char *d, size_t n, int *cc,
			    size_t *skip)
{
	int from_default = !plus;
	size_t off = 0, k;

	*cc = 0;
	*skip = 0;
	if (!plus && x->td_unusable)
		return FALLBACK;
	if (!plus && x->td) {
		size_t ti = (size_t)(x->td->t - fp.col->territories);
		int m = prefix_len(ti, 0, d, n, &k);
		/* ParsePrefixAsIdd: not taken when the next digit is 0. */
		if (m < 0)
			return m;
		if (m && (k == n || d[k] != '0')) {
			off = k;
			from_default = 0;
		}
	}
	if (!from_default) {
		if (n - off <= MIN_NSN)
			return P_TOO_SHORT_AFTER_IDD;
		*cc = extract_cc(d + off, n - off, &k);
		if (*cc) {
			*skip = off + k;
			return P_OK;
		}
		return P_INVALID_CC;
	}
	if (x->td) {
		const phn_fp_compiled *c = x->td;
		char ccs[4];
		phn_status st;

		if (c->t->country_code < 1 || c->t->country_code > 999)
			return FALLBACK;
		cc_text(ccs, c->t->country_code);
		if (has_prefix(d, n, ccs, &k)) {
			const char *p = d + k;
			size_t pn = n - k, np;
			int rc = national_prefix_len(c, p, pn, &np);

			if (rc || (rc = test_length(c->t, n, &st)) != 0)
				return rc;
			p += np;
			pn -= np;
			if ((!general_match(c, d, n) && general_match(c, p, pn)) ||
			    st == PHN_STATUS_TOO_LONG) {
				*cc = c->t->country_code;
				*skip = (size_t)(p - d);
				return P_OK;
			}
		}
	}
	*cc = 0;
	return P_OK;
}

/* One code point of valid UTF-8 at s[*i], advancing *i; -1 past the end. */
static long next_cp(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c;
	long cp;
	int more;

	if (*i >= len)
		return -1;
	c = s[(*i)++];
	if (c < 0x80)
		return c;
	if (c >= 0xF0) {
		cp = c & 0x07;
		more = 3;
	} else if (c >= 0xE0) {
		cp = c & 0x0F;
		more = 2;
	} else {
		cp = c & 0x1F;
		more = 1;
	}
	while (more-- && *i < len)
		cp = (cp << 6) | (s[(*i)++] & 0x3F);
	return cp;
}

/* The input as tokens. */
struct toks {
	int n;
	int control; /* an interchange-invalid ASCII control character */
	unsigned char kind[MAX_DIGITS + 1];
	char ch[MAX_DIGITS + 1]; /* ASCII digit, lower-case letter, or the char */
};

static int tokenize(struct toks *tk, const char *text, size_t len)
{
	size_t i = 0;
	long cp;

	tk->n = 0;
	tk->control = 0;
	while ((cp = next_cp((const unsigned char *)text, len, &i)) >= 0) {
		unsigned char kind;
		char ch;

		if (tk->n >= MAX_DIGITS)
			return FALLBACK;
		if (cp >= '0' && cp <= '9') {
			kind = K_DIGIT;
			ch = (char)cp;
		} else if (cp >= 0x660 && cp <= 0x669) {
			kind = K_DIGIT;
			ch = (char)('0' + (cp - 0x660));
		} else if (cp >= 0x6F0 && cp <= 0x6F9) {
			kind = K_DIGIT;
			ch = (char)('0' + (cp - 0x6F0));
		} else if (cp >= 0xFF10 && cp <= 0xFF19) {
			kind = K_DIGIT;
			ch = (char)('0' + (cp - 0xFF10));
		} else if (cp == '+' || cp == 0xFF0B) { /* kPlusChars */
			kind = K_PLUS;
			ch = '+';
		} else if (cp == ' ' || cp == 0xA0) {
			/* The no-break space is punctuation and an extension
			 * separator wherever the space is. */
			kind = K_SEP;
			ch = ' ';
		} else if (cp == '-' || cp == '.' || cp == '(' || cp == ')' || cp == '/') {
			kind = K_SEP;
			ch = (char)cp;
		} else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
			kind = K_LETTER;
			ch = (char)(cp | 0x20);
		} else if (cp == '#') {
			kind = K_HASH;
			ch = '#';
		} else if (cp == ':') {
			kind = K_COLON;
			ch = ':';
		} else if (cp < 0x80) {
			kind = K_OTHER;
			ch = (char)cp;
			/* Not interchange-valid (utf/unilib.cc): C0 controls but
			 * tab, LF, FF, CR; and DEL. */
			if (cp <= 0x08 || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F)
				tk->control = 1;
		} else {
			/* Possibly a digit of another script (a start char). */
			return FALLBACK;
		}
		tk->kind[tk->n] = kind;
		tk->ch[tk->n] = ch;
		tk->n++;
	}
	return 0;
}

/*
 * IsViablePhoneNumber over tokens [b, e) that hold only digits, separators
 * and plus signs: valid_phone_number_pattern is "\d{2}" or "[+]*" then three
 * or more digits with punctuation among them (a plus after the first
 * non-plus is none of that). -1 when a token outside that set is there.
 */
static int viable(const struct toks *tk, int b, int e)
{
	int digits = 0, others = 0, i = b;

	while (i < e && tk->kind[i] == K_PLUS)
		i++;
	others = i - b;
	for (; i < e; i++) {
		if (tk->kind[i] == K_DIGIT)
			digits++;
		else if (tk->kind[i] == K_SEP)
			others++;
		else if (tk->kind[i] == K_PLUS)
			return 0;
		else
			return -1;
	}
	if (digits == 2 && others == 0)
		return 1;
	return digits >= 3;
}

/*
 * MaybeStripExtension for the forms handled, on the extracted and trimmed
 * tokens [b, e) (the last is a digit, a letter or '#'). The extension
 * pattern (phonenumberutil.cc CreateExtnPattern, searched with find() and
 * anchored at the end) can only start where a label can follow: every
 * alternative begins with [ \u00a0\t,]* then a label, or with [- ]+ digits
 * '#' at the very end, or ";" / ",". The tokens before the label are
 * digits, plus signs and separators, so the leftmost match begins at the
 * run of spaces just before the label; the explicit labels (e?xt, extn,
 * extension) come before the ambiguous ones (x, #) and allow 20 digits,
 * the ambiguous ones 9; "[:.]?[ -]*" may follow the label; the digits run
 * to the end. What precedes the match must itself be viable (three digits
 * or more here, which also makes the whole text viable: the number part
 * then the extension alternative of valid_phone_number_pattern).
 * Returns the end of the number part and fills ext (ASCII digits), 0 with
 * *ext "" when there is no extension, FALLBACK for anything else.
 */
static int split_extension(const struct toks *tk, int b, int e, char *ext, int *num_end)
{
	int p = b, q, lab, max_digits, n = 0, digits = 0;

	ext[0] = '\0';
	*num_end = e;
	while (p < e && tk->kind[p] != K_LETTER && tk->kind[p] != K_HASH &&
	       tk->kind[p] != K_COLON)
		p++;
	if (p == e)
		return 0;
	/* The label. */
	q = p;
	while (q < e && tk->kind[q] == K_LETTER)
		q++;
	lab = q - p;
	if (lab == 0) {
		if (tk->kind[p] != K_HASH)
			return FALLBACK;
		q = p + 1;
		max_digits = 9;
	} else if (lab == 1 && tk->ch[p] == 'x') {
		max_digits = 9;
	} else if ((lab == 3 && memcmp(&tk->ch[p], "ext", 3) == 0) ||
		   (lab == 4 && memcmp(&tk->ch[p], "extn", 4) == 0) ||
		   (lab == 9 && memcmp(&tk->ch[p], "extension", 9) == 0)) {
		max_digits = 20;
	} else {
		return FALLBACK;
	}
	/* [:.]? then [ -]* */
	if (q < e && (tk->kind[q] == K_COLON || (tk->kind[q] == K_SEP && tk->ch[q] == '.')))
		q++;
	while (q < e && tk->kind[q] == K_SEP && (tk->ch[q] == ' ' || tk->ch[q] == '-'))
		q++;
	for (; q < e; q++) {
		if (tk->kind[q] != K_DIGIT)
			return FALLBACK;
		if (n < PHN_EXTENSION_MAX)
			ext[n++] = tk->ch[q];
		digits++;
	}
	ext[n] = '\0';
	if (digits < 1 || digits > max_digits) {
		ext[0] = '\0';
		return FALLBACK;
	}
	/* The match starts at the spaces just before the label. */
	while (p > b && tk->kind[p - 1] == K_SEP && tk->ch[p - 1] == ' ')
		p--;
	{
		int d = 0;
		for (int i = b; i < p; i++)
			d += tk->kind[i] == K_DIGIT;
		if (d < 3 || viable(tk, b, p) != 1) {
			ext[0] = '\0';
			return FALLBACK;
		}
	}
	*num_end = p;
	return 0;
}

static int answer_status(phn_number *out, phn_status st)
{
	out->status = st;
	return 1;
}

static int parse_error(phn_number *out, int err, int region_given, int starts_plus)
{
	switch (err) {
	case P_INVALID_CC:
		return answer_status(out, !region_given && !starts_plus ? PHN_STATUS_NEEDS_REGION
								  : PHN_STATUS_INVALID_COUNTRY_CODE);
	case P_TOO_SHORT_AFTER_IDD:
	case P_TOO_SHORT_NSN:
		return answer_status(out, PHN_STATUS_TOO_SHORT);
	case P_TOO_LONG_NSN:
		return answer_status(out, PHN_STATUS_TOO_LONG);
	default:
		return answer_status(out, PHN_STATUS_NOT_A_NUMBER);
	}
}

/* fill_number (shim.cc) for country code cc and NSN d[0..n). */
static int fill(phn_number *out, int cc, const char *d, size_t n, const char *ext)
{
	size_t count = code_count(cc), main_index, region_index = (size_t)-1;
	const phn_fp_compiled *mc, *rc = NULL;
	phn_type type = PHN_TYPE_UNKNOWN;
	uint32_t bits = 0;
	char e164[PHN_E164_MAX + 8];
	int len;

	if (count == 0)
		return FALLBACK;
	main_index = code_territory(cc, 0);
	if (!(mc = terr(main_index)))
		return FALLBACK;
	/* GetRegionCodeForNumber */
	if (count == 1) {
		region_index = main_index;
		rc = mc;
		bits = match(rc, d, n);
	} else {
		for (size_t i = 0; i < count; i++) {
			const phn_fp_compiled *c = terr(code_territory(cc, i));
			uint32_t b;
			if (!c)
				return FALLBACK;
			b = match(c, d, n);
			if (c->t->leading_digits[0] ? ((b >> PHN_FP_BIT_LEADING) & 1)
						    : type_of(c->t, b, n) != PHN_TYPE_UNKNOWN) {
				region_index = code_territory(cc, i);
				rc = c;
				bits = b;
				break;
			}
		}
	}
	/* GetNumberType */
	if (rc)
		type = type_of(rc->t, bits, n);
	if (type != PHN_TYPE_UNKNOWN) {
		out->status = PHN_STATUS_VALID;
		out->type = type;
	} else {
		/* IsPossibleNumberWithReason: the main region's lengths. */
		phn_status st;
		int r = test_length(mc->t, n, &st);
		if (r)
			return r;
		out->status = st;
	}
	/* Format(E164): "+", the calling code, the NSN. */
	e164[0] = '+';
	len = (int)cc_text(e164 + 1, cc) + 1;
	if ((size_t)len + n > PHN_E164_MAX)
		return FALLBACK;
	memcpy(e164 + len, d, n);
	len += (int)n;
	e164[len] = '\0';
	memcpy(out->e164, e164, (size_t)len + 1);
	if (len >= 2 && len <= 20) {
		uint64_t key = 0;
		for (int i = 1; i < len; i++)
			key = key * 10 + (uint64_t)(e164[i] - '0');
		out->key = key;
	}
	out->country_code = cc;
	{
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (uint64_t)(d[i] - '0');
		out->national_number = v;
	}
	/* SetItalianLeadingZerosForPhoneNumber */
	if (n > 1 && d[0] == '0') {
		size_t z = 1;
		while (z < n - 1 && d[z] == '0')
			z++;
		out->leading_zeros = (int)z;
	}
	memcpy(out->extension, ext, strlen(ext) + 1); /* at most 20 digits */
	if (rc)
		memcpy(out->region, fp.col->territories[region_index].id, sizeof out->region);
	return 1;
}

static int parse(phn_number *out, const char *text, size_t len, const char *region)
{
	struct toks tk;
	struct ctx x = { NULL, 0 };
	char digits[MAX_DIGITS + 1], ext[PHN_EXTENSION_MAX + 1];
	int b, e, num_end, plus, rc, cc, nd = 0, v;
	size_t skip, n, np;
	const char *d;

	if ((rc = tokenize(&tk, text, len)) != 0)
		return rc;
	/* ExtractPossibleNumber reads the whole text as UnicodeText: one code
	 * point that is not interchange-valid empties the number (not a
	 * number) -- unless ";phone-context=" sends the text elsewhere. */
	if (tk.control) {
		for (int i = 0; i < tk.n; i++) {
			if (tk.kind[i] == K_OTHER && tk.ch[i] == ';')
				return FALLBACK;
		}
		return answer_status(out, PHN_STATUS_NOT_A_NUMBER);
	}
	/* ExtractPossibleNumber: from the first plus or digit ([+＋\p{Nd}]);
	 * what comes before it is dropped, whatever it is (the shim's "needs
	 * a region" test finds the same first character). Only ASCII gets
	 * here, so no digit of another script hides in it; ';' could start
	 * ";phone-context=", which BuildNationalNumberForParsing reads. Text
	 * with no digit at all is never viable: not a number. */
	for (b = 0; b < tk.n && tk.kind[b] != K_PLUS && tk.kind[b] != K_DIGIT; b++) {
		if (tk.kind[b] == K_OTHER && tk.ch[b] == ';')
			return FALLBACK;
	}
	if (b == tk.n)
		return answer_status(out, PHN_STATUS_NOT_A_NUMBER);
	{
		/* A slash is punctuation, except that ExtractPossibleNumber
		 * cuts the text at "[\\/] *x" (a second number): only without
		 * letters. */
		int slash = 0, letter = 0;
		for (int i = b; i < tk.n; i++) {
			if (tk.kind[i] == K_OTHER)
				return FALLBACK;
			slash |= tk.ch[i] == '/';
			letter |= tk.kind[i] == K_LETTER;
		}
		if (slash && letter)
			return FALLBACK;
	}
	/* TrimUnwantedEndChars: drop trailing chars other than digits,
	 * letters and '#'. */
	for (e = tk.n; e > b && tk.kind[e - 1] != K_DIGIT && tk.kind[e - 1] != K_LETTER &&
		       tk.kind[e - 1] != K_HASH; e--)
		;
	if (e <= b)
		return answer_status(out, PHN_STATUS_NOT_A_NUMBER);
	if ((rc = split_extension(&tk, b, e, ext, &num_end)) != 0)
		return rc;
	v = viable(&tk, b, num_end);
	if (v < 0)
		return FALLBACK;
	if (v == 0)
		return answer_status(out, PHN_STATUS_NOT_A_NUMBER);
	plus = tk.kind[b] == K_PLUS;
	/* CheckRegionForParsing */
	if (!region && !plus)
		return answer_status(out, PHN_STATUS_NEEDS_REGION);
	if (region) {
		int idx;
		if (!(region[0] >= 'A' && region[0] <= 'Z' && region[1] >= 'A' && region[1] <= 'Z' &&
		      region[2] == '\0'))
			return FALLBACK;
		idx = fp.col->by_region[(region[0] - 'A') * 26 + (region[1] - 'A')];
		if (idx < 0)
			return FALLBACK;
		/* Its prefixes are only read for a number without a plus. */
		if (!(fp.use[idx] & USE_DEFAULT) || !(x.td = terr((size_t)idx)))
			x.td_unusable = 1;
	}
	/* Normalize: the digits, ASCII. */
	for (int i = b; i < num_end; i++) {
		if (tk.kind[i] == K_DIGIT)
			digits[nd++] = tk.ch[i];
	}
	digits[nd] = '\0';
	n = (size_t)nd;
	rc = maybe_extract_cc(&x, plus, digits, n, &cc, &skip);
	if (rc == P_INVALID_CC && plus) {
		/* Strip the plus and try again: the same digits, as if dialled
		 * in the default region. */
		rc = maybe_extract_cc(&x, 0, digits, n, &cc, &skip);
		if (rc == FALLBACK)
			return FALLBACK;
		if (cc == 0)
			return parse_error(out, P_INVALID_CC, region != NULL, plus);
		rc = P_OK;
	}
	if (rc == FALLBACK)
		return FALLBACK;
	if (rc != P_OK)
		return parse_error(out, rc, region != NULL, plus);
	{
		const phn_fp_compiled *tm;
		phn_status st;
		if (cc != 0) {
			if (code_count(cc) == 0)
				return FALLBACK;
			size_t mi = code_territory(cc, 0);
			if (!(fp.use[mi] & USE_NUMBER) || !(tm = terr(mi)))
				return FALLBACK;
		} else {
			if (!x.td)
				return FALLBACK;
			tm = x.td;
			cc = tm->t->country_code;
		}
		d = digits + skip;
		n -= skip;
		if (n < MIN_NSN)
			return parse_error(out, P_TOO_SHORT_NSN, 1, 1);
		if ((rc = national_prefix_len(tm, d, n, &np)) != 0)
			return rc;
		if (np) {
			if ((rc = test_length(tm->t, n - np, &st)) != 0)
				return rc;
			if (st != PHN_STATUS_TOO_SHORT && st != PHN_STATUS_LOCAL_ONLY &&
			    st != PHN_STATUS_INVALID_LENGTH) {
				d += np;
				n -= np;
			}
		}
	}
	if (n < MIN_NSN)
		return parse_error(out, P_TOO_SHORT_NSN, 1, 1);
	if (n > MAX_NSN)
		return parse_error(out, P_TOO_LONG_NSN, 1, 1);
	return fill(out, cc, d, n, ext);
}

int phn_fp_parse(phn_number *out, const char *text, size_t len, const char *region)
{
	const phn_number blank = PHN_NUMBER_INIT;
	int rc;

	if (!phn_fp_enabled(NULL))
		return 0;
	rc = parse(out, text, len, region);
	if (rc == 1)
		return 1;
	*out = blank;
	return 0;
}
