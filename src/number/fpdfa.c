/*
 * Digit DFAs for the fast path, compiled from libphonenumber's metadata
 * patterns, and the per-territory compiled form.
 *
 * The national-number and leading-digits patterns use a small subset of
 * ICU's regular expressions over the digits: literal digits, \d, classes
 * of digits and ranges ([2-79], [^0]), groups ((?:...) and (...)),
 * alternation, and the greedy quantifiers ?, *, +, {n}, {n,}, {n,m}.
 * Over inputs that are all ASCII digits, ICU's matches() (whole input) and
 * lookingAt() (some prefix) depend only on the language such a pattern
 * denotes, so a DFA answers them exactly: the patterns are parsed straight
 * into one Thompson NFA (a bounded repeat parses its atom again for each
 * copy), determinised by subset construction, minimised (Moore), and
 * packed into a table of 10 successors per state. Each state carries a
 * bitmask of the patterns that accept there; a prefix pattern's accepting
 * state loops on every digit, so once some prefix matched its bit stays.
 * Anything outside the subset is refused with a message naming the pattern
 * and the construct (the territory then falls back to libphonenumber).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "number/fastpath.h"

#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phonenorm/common.h"
#include "text/error.h"

#define ALL_DIGITS 0x3ffu
/* Bounds that no metadata pattern comes near (the largest repeat in the
 * metadata is 14, the largest territory DFA ~350 states once minimised);
 * they make a pathological pattern fail fast instead of taking the process
 * with it. */
#define MAX_REPEAT 100
#define MAX_NFA_STATES (1u << 20)
#define MAX_DFA_STATES 65535u

/* ---- NFA ------------------------------------------------------------------ */

typedef struct nstate {
	uint16_t mask;   /* digits with an edge to next */
	int32_t next;
	int32_t eps[2];  /* epsilon edges, -1 for none */
	uint32_t accept; /* patterns that accept here */
} nstate;

typedef struct nfa {
	nstate *s;
	size_t n, cap;
	int oom;     /* malloc failed */
	int too_big; /* more than MAX_NFA_STATES: the pattern is refused */
} nfa;

typedef struct frag {
	int32_t start, end; /* end has no outgoing edge yet */
} frag;

static int32_t nfa_new(nfa *a, uint16_t mask)
{
	if (a->oom || a->too_big)
		return -1;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		nstate *s;
		if (cap > MAX_NFA_STATES) {
			a->too_big = 1;
			return -1;
		}
		if (!(s = realloc(a->s, cap * sizeof *s))) {
			a->oom = 1;
			return -1;
		}
		a->s = s;
		a->cap = cap;
	}
	a->s[a->n] = (nstate){ mask, -1, { -1, -1 }, 0 };
	return (int32_t)a->n++;
}

static void nfa_link(nfa *a, int32_t from, int32_t to)
{
	if (from < 0 || to < 0)
		return;
	nstate *s = &a->s[from];
	s->eps[s->eps[0] < 0 ? 0 : 1] = to;
}

/* ---- the pattern parser ---------------------------------------------------- */

typedef struct parser {
	nfa *a;
	const char *p;  /* the pattern */
	size_t len, pos;
	int index;      /* which pattern, for the message */
	const char *err; /* static text; NULL while all is well */
	size_t err_pos;
	int depth;
} parser;

static frag bad(parser *ps, const char *what)
{
	if (!ps->err) {
		ps->err = what;
		ps->err_pos = ps->pos;
	}
	return (frag){ -1, -1 };
}

static frag empty_frag(parser *ps)
{
	int32_t s = nfa_new(ps->a, 0);
	return (frag){ s, s };
}

static frag class_frag(parser *ps, uint16_t mask)
{
	int32_t s = nfa_new(ps->a, mask), e = nfa_new(ps->a, 0);
	if (s >= 0)
		ps->a->s[s].next = e;
	return (frag){ s, e };
}

static frag cat(parser *ps, frag x, frag y)
{
	nfa_link(ps->a, x.end, y.start);
	return (frag){ x.start, y.end };
}

static frag alt(parser *ps, frag x, frag y)
{
	int32_t s = nfa_new(ps->a, 0), e = nfa_new(ps->a, 0);
	nfa_link(ps->a, s, x.start);
	nfa_link(ps->a, s, y.start);
	nfa_link(ps->a, x.end, e);
	nfa_link(ps->a, y.end, e);
	return (frag){ s, e };
}

static frag opt(parser *ps, frag x)
{
	int32_t s = nfa_new(ps->a, 0), e = nfa_new(ps->a, 0);
	nfa_link(ps->a, s, x.start);
	nfa_link(ps->a, s, e);
	nfa_link(ps->a, x.end, e);
	return (frag){ s, e };
}

static frag star(parser *ps, frag x)
{
	int32_t s = nfa_new(ps->a, 0), e = nfa_new(ps->a, 0);
	nfa_link(ps->a, s, x.start);
	nfa_link(ps->a, s, e);
	nfa_link(ps->a, x.end, s);
	return (frag){ s, e };
}

static int peek(const parser *ps)
{
	return ps->pos < ps->len ? (unsigned char)ps->p[ps->pos] : -1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static frag parse_alt(parser *ps);

/* [...]: digits, ranges of digits, \d; a leading ^ complements (within the
 * digits, all an input here can hold). */
static frag parse_class(parser *ps)
{
	uint16_t mask = 0;
	int negate = 0, first = 1;

	ps->pos++; /* [ */
	if (peek(ps) == '^') {
		negate = 1;
		ps->pos++;
	}
	for (;;) {
		int c = peek(ps);
		if (c < 0)
			return bad(ps, "unterminated character class");
		if (c == ']' && !first)
			break;
		first = 0;
		if (c == '\\') {
			ps->pos++;
			if (peek(ps) != 'd')
				return bad(ps, "escape other than \\d in a character class");
			ps->pos++;
			mask |= ALL_DIGITS;
			continue;
		}
		if (!is_digit(c))
			return bad(ps, "character other than a digit, a range or \\d in a class");
		ps->pos++;
		if (peek(ps) == '-' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] != ']') {
			int hi = (unsigned char)ps->p[ps->pos + 1];
			if (!is_digit(hi))
				return bad(ps, "range whose end is not a digit");
			if (hi < c)
				return bad(ps, "range out of order");
			for (int d = c; d <= hi; d++)
				mask |= (uint16_t)(1u << (d - '0'));
			ps->pos += 2;
		} else {
			mask |= (uint16_t)(1u << (c - '0'));
		}
	}
	ps->pos++; /* ] */
	if (negate)
		mask = (uint16_t)(~mask & ALL_DIGITS);
	return class_frag(ps, mask);
}

/* One atom (without its quantifier). */
static frag parse_atom(parser *ps)
{
	int c = peek(ps);

	if (is_digit(c)) {
		ps->pos++;
		return class_frag(ps, (uint16_t)(1u << (c - '0')));
	}
	if (c == '\\') {
		ps->pos++;
		if (peek(ps) != 'd')
			return bad(ps, "escape other than \\d");
		ps->pos++;
		return class_frag(ps, ALL_DIGITS);
	}
	if (c == '[')
		return parse_class(ps);
	if (c == '(') {
		ps->pos++;
		if (peek(ps) == '?') {
			if (ps->pos + 1 >= ps->len || ps->p[ps->pos + 1] != ':')
				return bad(ps, "group other than (?:...) or (...)");
			ps->pos += 2;
		}
		if (++ps->depth > 200)
			return bad(ps, "groups nested too deep");
		frag f = parse_alt(ps);
		ps->depth--;
		if (ps->err)
			return f;
		if (peek(ps) != ')')
			return bad(ps, "unbalanced parenthesis");
		ps->pos++;
		return f;
	}
	if (c < 0 || c == '|' || c == ')')
		return bad(ps, "nothing to repeat or an empty group");
	if (c == '?' || c == '*' || c == '+' || c == '{')
		return bad(ps, "quantifier with nothing to repeat");
	return bad(ps, "character outside the digit subset (only digits, \\d, [...], "
		       "groups, | and greedy quantifiers are compiled)");
}

static int parse_number(parser *ps, int *out)
{
	int v = 0, any = 0;

	while (is_digit(peek(ps))) {
		v = v * 10 + (peek(ps) - '0');
		if (v > MAX_REPEAT)
			return 0;
		ps->pos++;
		any = 1;
	}
	*out = v;
	return any;
}

/* An atom and its quantifier. A bounded repeat parses the atom once per
 * copy (from the same place): each copy is its own piece of NFA. */
static frag parse_repeat(parser *ps)
{
	size_t at = ps->pos;
	frag f = parse_atom(ps);
	int lo, hi, c;

	if (ps->a->oom || ps->a->too_big)
		return bad(ps, "pattern too large to compile");
	if (ps->err)
		return f;
	c = peek(ps);
	if (c == '?' || c == '*' || c == '+') {
		ps->pos++;
		lo = c == '+' ? 1 : 0;
		hi = c == '?' ? 1 : -1;
	} else if (c == '{') {
		ps->pos++;
		if (!parse_number(ps, &lo))
			return bad(ps, "bad or too large repeat count");
		hi = lo;
		if (peek(ps) == ',') {
			ps->pos++;
			hi = -1;
			if (is_digit(peek(ps)) && !parse_number(ps, &hi))
				return bad(ps, "bad or too large repeat count");
			if (peek(ps) != '}' && !ps->err)
				return bad(ps, "bad repeat");
		}
		if (peek(ps) != '}')
			return bad(ps, "bad repeat");
		ps->pos++;
		if (hi >= 0 && hi < lo)
			return bad(ps, "repeat {n,m} with m < n");
	} else {
		return f;
	}
	c = peek(ps);
	if (c == '?' || c == '+')
		return bad(ps, "lazy or possessive quantifier");
	if (c == '*' || c == '{')
		return bad(ps, "quantifier after a quantifier");

	size_t after = ps->pos;
	frag out = f;
	int copies = 0;
	/* x{lo,hi}: lo copies of x, then hi - lo optional ones (or x*). */
	for (int i = 0; i < lo; i++) {
		frag x = f;
		if (ps->a->oom || ps->a->too_big)
			return bad(ps, "pattern too large to compile");
		if (copies++) {
			ps->pos = at;
			x = parse_atom(ps);
		}
		out = i ? cat(ps, out, x) : x;
	}
	if (hi != lo) {
		frag x = f;
		if (copies++) {
			ps->pos = at;
			x = parse_atom(ps);
		}
		if (hi < 0) {
			x = star(ps, x);
			out = lo ? cat(ps, out, x) : x;
		} else {
			for (int i = lo; i < hi; i++) {
				if (ps->a->oom || ps->a->too_big)
					return bad(ps, "pattern too large to compile");
				if (i > lo) {
					ps->pos = at;
					x = parse_atom(ps);
				}
				frag o = opt(ps, x);
				out = i ? cat(ps, out, o) : o;
			}
		}
	} else if (lo == 0) {
		out = empty_frag(ps); /* x{0} */
	}
	ps->pos = after;
	return out;
}

static frag parse_seq(parser *ps)
{
	frag f = empty_frag(ps);

	while (!ps->err && ps->pos < ps->len && peek(ps) != '|' && peek(ps) != ')')
		f = cat(ps, f, parse_repeat(ps));
	return f;
}

static frag parse_alt(parser *ps)
{
	frag f = parse_seq(ps);

	while (!ps->err && peek(ps) == '|') {
		ps->pos++;
		f = alt(ps, f, parse_seq(ps));
	}
	return f;
}

/* ---- DFA ------------------------------------------------------------------ */

struct phn_fp_dfa {
	uint32_t states;
	uint32_t start;
	uint16_t *next;   /* states * 10; state 0 is dead */
	uint32_t *accept; /* states */
};

/* A set of NFA states (the important ones: with a digit edge or accepting),
 * sorted, as one DFA state during subset construction. */
typedef struct builder {
	const nfa *a;
	/* sets, concatenated */
	int32_t *items;
	size_t items_n, items_cap;
	size_t *set_off;
	uint32_t *set_len;
	uint32_t *trans;  /* n * 10 */
	uint32_t *accept;
	size_t n, cap;
	/* hash table of set -> DFA state, open addressing, -1 empty */
	int32_t *table;
	size_t table_cap;
	/* closure scratch */
	uint32_t *mark;
	uint32_t gen;
	int32_t *stack, *tmp;
	int oom, too_big;
} builder;

static uint64_t set_hash(const int32_t *v, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint32_t)v[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

static int cmp_i32(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
	return (a > b) - (a < b);
}

static int table_grow(builder *b)
{
	size_t cap = b->table_cap ? b->table_cap * 2 : 1024;
	int32_t *t = malloc(cap * sizeof *t);
	if (!t)
		return -1;
	memset(t, 0xff, cap * sizeof *t);
	for (size_t i = 0; i < b->n; i++) {
		size_t h = set_hash(b->items + b->set_off[i], b->set_len[i]) & (cap - 1);
		while (t[h] >= 0)
			h = (h + 1) & (cap - 1);
		t[h] = (int32_t)i;
	}
	free(b->table);
	b->table = t;
	b->table_cap = cap;
	return 0;
}

/* The DFA state of the set v[0..n) (sorted), added if new; -1 on failure. */
static int32_t intern(builder *b, const int32_t *v, size_t n)
{
	if ((b->n + 1) * 2 > b->table_cap && table_grow(b) < 0) {
		b->oom = 1;
		return -1;
	}
	size_t h = set_hash(v, n) & (b->table_cap - 1);
	for (; b->table[h] >= 0; h = (h + 1) & (b->table_cap - 1)) {
		int32_t i = b->table[h];
		if (b->set_len[i] == n &&
		    (!n || memcmp(b->items + b->set_off[i], v, n * sizeof *v) == 0))
			return i;
	}
	if (b->n >= MAX_DFA_STATES) {
		b->too_big = 1;
		return -1;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		size_t *off = realloc(b->set_off, cap * sizeof *off);
		if (off)
			b->set_off = off;
		uint32_t *len = realloc(b->set_len, cap * sizeof *len);
		if (len)
			b->set_len = len;
		uint32_t *tr = realloc(b->trans, cap * 10 * sizeof *tr);
		if (tr)
			b->trans = tr;
		uint32_t *acc = realloc(b->accept, cap * sizeof *acc);
		if (acc)
			b->accept = acc;
		if (!off || !len || !tr || !acc) {
			b->oom = 1;
			return -1;
		}
		b->cap = cap;
	}
	if (b->items_n + n > b->items_cap) {
		size_t cap = b->items_cap ? b->items_cap : 1024;
		while (cap < b->items_n + n)
			cap *= 2;
		int32_t *it = realloc(b->items, cap * sizeof *it);
		if (!it) {
			b->oom = 1;
			return -1;
		}
		b->items = it;
		b->items_cap = cap;
	}
	int32_t id = (int32_t)b->n++;
	if (n)
		memcpy(b->items + b->items_n, v, n * sizeof *v);
	b->set_off[id] = b->items_n;
	b->set_len[id] = (uint32_t)n;
	b->items_n += n;
	uint32_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b->a->s[v[i]].accept;
	b->accept[id] = acc;
	b->table[h] = id;
	return id;
}

/* Epsilon closure of seeds[0..n) into b->tmp (important states, sorted);
 * returns its size. */
static size_t closure(builder *b, const int32_t *seeds, size_t n)
{
	size_t sp = 0, out = 0;

	if (++b->gen == 0) {
		memset(b->mark, 0, b->a->n * sizeof *b->mark);
		b->gen = 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (b->mark[seeds[i]] != b->gen) {
			b->mark[seeds[i]] = b->gen;
			b->stack[sp++] = seeds[i];
		}
	}
	while (sp) {
		int32_t s = b->stack[--sp];
		const nstate *st = &b->a->s[s];
		if (st->mask || st->accept)
			b->tmp[out++] = s;
		for (int k = 0; k < 2; k++) {
			int32_t t = st->eps[k];
			if (t >= 0 && b->mark[t] != b->gen) {
				b->mark[t] = b->gen;
				b->stack[sp++] = t;
			}
		}
	}
	qsort(b->tmp, out, sizeof *b->tmp, cmp_i32);
	return out;
}

static void builder_free(builder *b)
{
	free(b->items);
	free(b->set_off);
	free(b->set_len);
	free(b->trans);
	free(b->accept);
	free(b->table);
	free(b->mark);
	free(b->stack);
	free(b->tmp);
}

/* Moore's partition refinement: states with the same accept mask and, digit
 * by digit, successors in the same block are merged. Rounds grow with the
 * longest chain of states told apart only at its end (a phone number's
 * length, under 20 here), so this is quick for the metadata though
 * quadratic for a pattern such as \d{1000}. cls[] gets each
 * state's block; returns the number of blocks (the dead state's block is 0). */
static uint32_t minimise(const builder *b, uint32_t *cls, int *oom)
{
	size_t n = b->n;
	uint32_t blocks = 0;
	size_t cap = 1;
	while (cap < n * 2)
		cap *= 2;
	int32_t *table = malloc(cap * sizeof *table);
	uint32_t *sig = malloc(n * 11 * sizeof *sig);
	uint32_t *next = malloc(n * sizeof *next);

	if (!table || !sig || !next) {
		free(table);
		free(sig);
		free(next);
		*oom = 1;
		return 0;
	}
	/* Round 0 splits by accept mask, later rounds by successors' blocks.
	 * State 0 (dead) always opens block 0, and every state that can no
	 * longer accept joins it: matching stops there. */
	for (int round = 0;; round++) {
		uint32_t count = 0;
		memset(table, 0xff, cap * sizeof *table);
		for (size_t i = 0; i < n; i++) {
			uint32_t *s = sig + i * 11;
			s[0] = round ? cls[i] : b->accept[i];
			for (int d = 0; d < 10; d++)
				s[d + 1] = round ? cls[b->trans[i * 10 + d]] : 0;
			size_t h = set_hash((const int32_t *)s, 11) & (cap - 1);
			for (;; h = (h + 1) & (cap - 1)) {
				int32_t j = table[h];
				if (j < 0) {
					table[h] = (int32_t)i;
					next[i] = count++;
					break;
				}
				if (memcmp(sig + (size_t)j * 11, s, 11 * sizeof *s) == 0) {
					next[i] = next[j];
					break;
				}
			}
		}
		memcpy(cls, next, n * sizeof *cls);
		if (count == blocks)
			break;
		blocks = count;
	}
	free(table);
	free(sig);
	free(next);
	return blocks;
}

int phn_fp_dfa_compile(phn_fp_dfa **out, const char *const *patterns, const int *prefix,
		       size_t n)
{
	nfa a = { 0 };
	builder b = { 0 };
	phn_fp_dfa *dfa = NULL;
	uint32_t *cls = NULL;
	int rc = PHN_OK;

	*out = NULL;
	if (n > PHN_FP_DFA_MAX_PATTERNS)
		return phn_error_set(PHN_EINVAL, "%zu patterns: at most %d in one DFA", n,
				     PHN_FP_DFA_MAX_PATTERNS);

	/* One start state with an epsilon path to each pattern. */
	int32_t start = nfa_new(&a, 0);
	int32_t hub = start;
	for (size_t i = 0; i < n && !a.oom; i++) {
		const char *p = patterns ? patterns[i] : NULL;
		if (!p || !*p)
			continue;
		parser ps = { &a, p, strlen(p), 0, (int)i, NULL, 0, 0 };
		frag f = parse_alt(&ps);
		if (!ps.err && ps.pos < ps.len)
			bad(&ps, "unbalanced parenthesis");
		if (a.oom)
			break;
		if (a.too_big && !ps.err)
			bad(&ps, "pattern too large to compile");
		if (ps.err) {
			rc = phn_error_set(PHN_EINVAL, "pattern %zu '%.80s%s': %s at offset %zu", i, p,
					   ps.len > 80 ? "..." : "", ps.err, ps.err_pos);
			goto done;
		}
		int32_t fin = nfa_new(&a, prefix && prefix[i] ? ALL_DIGITS : 0);
		int32_t fork = nfa_new(&a, 0);
		if (a.oom || a.too_big)
			break;
		a.s[fin].accept = UINT32_C(1) << i;
		if (prefix && prefix[i])
			a.s[fin].next = fin; /* once a prefix matched, every longer input does */
		nfa_link(&a, f.end, fin);
		nfa_link(&a, hub, f.start);
		nfa_link(&a, hub, fork);
		hub = fork;
	}
	if (a.oom) {
		rc = phn_error_code(PHN_ENOMEM);
		goto done;
	}
	if (a.too_big) {
		rc = phn_error_set(PHN_EINVAL, "%zu patterns: more than %u NFA states", n,
				   MAX_NFA_STATES);
		goto done;
	}

	/* Subset construction. */
	b.a = &a;
	b.mark = calloc(a.n, sizeof *b.mark);
	b.stack = malloc(a.n * sizeof *b.stack);
	b.tmp = malloc(a.n * sizeof *b.tmp);
	int32_t *seeds = malloc(a.n * sizeof *seeds);
	if (!b.mark || !b.stack || !b.tmp || !seeds) {
		free(seeds);
		rc = phn_error_code(PHN_ENOMEM);
		goto done;
	}
	intern(&b, b.tmp, 0); /* dead: 0 */
	size_t k = closure(&b, &start, 1);
	int32_t dstart = intern(&b, b.tmp, k);
	for (size_t i = 0; i < b.n && !b.oom && !b.too_big; i++) {
		for (int d = 0; d < 10; d++) {
			size_t ns = 0;
			const int32_t *set = b.items + b.set_off[i];
			for (uint32_t j = 0; j < b.set_len[i]; j++) {
				const nstate *st = &a.s[set[j]];
				if (st->mask & (1u << d))
					seeds[ns++] = st->next;
			}
			size_t m = ns ? closure(&b, seeds, ns) : 0;
			int32_t t = intern(&b, b.tmp, m);
			if (t < 0)
				break;
			b.trans[i * 10 + d] = (uint32_t)t;
		}
	}
	free(seeds);
	if (b.too_big) {
		rc = phn_error_set(PHN_EINVAL, "%zu patterns: the DFA has more than %u states", n,
				   MAX_DFA_STATES);
		goto done;
	}
	if (b.oom || dstart < 0) {
		rc = phn_error_code(PHN_ENOMEM);
		goto done;
	}

	/* Minimise and pack. */
	int oom = 0;
	cls = malloc(b.n * sizeof *cls);
	uint32_t blocks = cls ? minimise(&b, cls, &oom) : 0;
	dfa = calloc(1, sizeof *dfa);
	if (!cls || oom || !dfa || !(dfa->next = malloc((size_t)blocks * 10 * sizeof *dfa->next)) ||
	    !(dfa->accept = malloc((size_t)blocks * sizeof *dfa->accept))) {
		rc = phn_error_code(PHN_ENOMEM);
		goto done;
	}
	dfa->states = blocks;
	dfa->start = cls[dstart];
	for (size_t i = 0; i < b.n; i++) {
		uint32_t c = cls[i];
		dfa->accept[c] = b.accept[i];
		for (int d = 0; d < 10; d++)
			dfa->next[(size_t)c * 10 + d] = (uint16_t)cls[b.trans[i * 10 + d]];
	}
	*out = dfa;
	dfa = NULL;
done:
	phn_fp_dfa_free(dfa);
	free(cls);
	builder_free(&b);
	free(a.s);
	return rc;
}

uint32_t phn_fp_dfa_match(const phn_fp_dfa *dfa, const char *digits, size_t len)
{
	uint32_t s = dfa->start;

	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)digits[i] - (unsigned)'0';
		if (d > 9)
			return 0;
		s = dfa->next[(size_t)s * 10 + d];
		if (!s)
			return 0;
	}
	return dfa->accept[s];
}

size_t phn_fp_dfa_states(const phn_fp_dfa *dfa)
{
	return dfa ? dfa->states : 0;
}

size_t phn_fp_dfa_bytes(const phn_fp_dfa *dfa)
{
	return dfa ? sizeof *dfa + (size_t)dfa->states * (10 * sizeof *dfa->next + sizeof *dfa->accept)
		   : 0;
}

void phn_fp_dfa_free(phn_fp_dfa *dfa)
{
	if (!dfa)
		return;
	free(dfa->next);
	free(dfa->accept);
	free(dfa);
}

/* ---- territories ------------------------------------------------------------ */

/*
 * One slot per territory of the collection. A territory is compiled once:
 * readers check `ready` (acquire) without a lock; the first to find it
 * unset compiles it under `lock` (which also guards the counters), so two
 * threads never compile the same territory and a reader never sees half a
 * slot. A territory takes a few milliseconds; contention is only at start.
 */
typedef struct slot {
	atomic_int ready;
	int parse_rule; /* the prefixes allow the fast path (see parse_rule()) */
	phn_fp_compiled c;
} slot;

static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	const phn_fp_collection *coll;
	slot *slots;
	/* g.slots once init_once() succeeded (release): the lookup of a
	 * compiled territory is then two plain loads, no call. */
	_Atomic(slot *) published;
	size_t count;
	int init_rc;
	char init_err[256];
	/* under lock */
	int compiled, failed_rule, rule;
	double seconds;
} g = { PTHREAD_ONCE_INIT, PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, 0, 0, "", 0, 0, 0, 0.0 };

static int all_digits(const char *s)
{
	for (; *s; s++) {
		if (!is_digit((unsigned char)*s))
			return 0;
	}
	return 1;
}

/*
 * The fast path may read numbers with a territory as the default region
 * when libphonenumber's regular expressions for its prefixes are plain
 * digit strings: the international prefix (non-empty), the national prefix
 * for parsing (possibly empty) and no transform rule. A non-geographic
 * entity ("001") is never a default region.
 */
static int parse_rule(const phn_fp_territory *t)
{
	return t->id[2] == '\0' && t->id[0] >= 'A' && t->id[0] <= 'Z' && t->id[1] >= 'A' &&
	       t->id[1] <= 'Z' && *t->international_prefix &&
	       all_digits(t->international_prefix) && all_digits(t->national_prefix_for_parsing) &&
	       !*t->national_prefix_transform_rule;
}

static void init_once(void)
{
	int rc = phn_shim_fp_collection(&g.coll);

	if (rc == PHN_OK && !(g.slots = calloc(g.coll->count ? g.coll->count : 1, sizeof *g.slots)))
		rc = phn_error_code(PHN_ENOMEM);
	if (rc < 0) {
		const char *m = phn_error_last();
		snprintf(g.init_err, sizeof g.init_err, "%s", m ? m : "");
		g.init_rc = rc;
		g.coll = NULL;
		return;
	}
	for (size_t i = 0; i < g.coll->count; i++) {
		g.slots[i].c.t = &g.coll->territories[i];
		g.slots[i].parse_rule = parse_rule(&g.coll->territories[i]);
		g.rule += g.slots[i].parse_rule;
	}
	g.count = g.coll->count;
	atomic_store_explicit(&g.published, g.slots, memory_order_release);
}

static int ensure_init(void)
{
	pthread_once(&g.once, init_once);
	if (g.init_rc < 0)
		return phn_error_set(g.init_rc, "%s", g.init_err);
	return PHN_OK;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Compile slot i; the caller holds g.lock and has seen it not ready. */
static int compile_slot(size_t i)
{
	slot *s = &g.slots[i];
	const phn_fp_territory *t = s->c.t;
	const char *patterns[PHN_FP_KINDS + 1];
	int prefix[PHN_FP_KINDS + 1] = { 0 };
	phn_fp_dfa *dfa = NULL;
	double t0 = now();

	for (int k = 0; k < PHN_FP_KINDS; k++)
		patterns[k] = t->desc[k].pattern;
	patterns[PHN_FP_BIT_LEADING] = t->leading_digits;
	prefix[PHN_FP_BIT_LEADING] = 1;
	int rc = phn_fp_dfa_compile(&dfa, patterns, prefix, PHN_FP_KINDS + 1);
	g.seconds += now() - t0;
	if (rc == PHN_ENOMEM)
		return rc; /* not ready: a later call tries again */
	/* A pattern outside the subset: the territory stays with libphonenumber. */
	s->c.dfa = dfa;
	s->c.parse_ok = dfa && s->parse_rule;
	if (!dfa && s->parse_rule)
		g.failed_rule++;
	g.compiled++;
	atomic_store_explicit(&s->ready, 1, memory_order_release);
	return PHN_OK;
}

const phn_fp_compiled *phn_fp_territory_compiled(size_t index)
{
	slot *ready = atomic_load_explicit(&g.published, memory_order_acquire);
	if (ready && index < g.count &&
	    atomic_load_explicit(&ready[index].ready, memory_order_acquire))
		return &ready[index].c;
	if (ensure_init() < 0)
		return NULL;
	if (index >= g.coll->count) {
		phn_error_set(PHN_EINVAL, "territory %zu of %zu", index, g.coll->count);
		return NULL;
	}
	slot *s = &g.slots[index];
	if (!atomic_load_explicit(&s->ready, memory_order_acquire)) {
		int rc = PHN_OK;
		pthread_mutex_lock(&g.lock);
		if (!atomic_load_explicit(&s->ready, memory_order_relaxed))
			rc = compile_slot(index);
		pthread_mutex_unlock(&g.lock);
		if (rc < 0)
			return NULL;
	}
	return &s->c;
}

int phn_fp_compile_all(void)
{
	int rc = ensure_init();

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&g.lock);
	for (size_t i = 0; i < g.coll->count && rc == PHN_OK; i++) {
		if (!atomic_load_explicit(&g.slots[i].ready, memory_order_relaxed))
			rc = compile_slot(i);
	}
	pthread_mutex_unlock(&g.lock);
	return rc;
}

void phn_fp_compile_stats(int *compiled, int *handled, double *seconds)
{
	int c = 0, h = 0;
	double sec = 0;

	if (ensure_init() == PHN_OK) {
		pthread_mutex_lock(&g.lock);
		c = g.compiled;
		h = g.rule - g.failed_rule;
		sec = g.seconds;
		pthread_mutex_unlock(&g.lock);
	}
	if (compiled)
		*compiled = c;
	if (handled)
		*handled = h;
	if (seconds)
		*seconds = sec;
}
