/*
 * Fuzz target for the CLI's option parsers: `clean`, `call`, `contact
 * create`, `invoice create` and `dial`, compiled from src/cli itself (options_*.c)
 * with an entry that parses argv and returns, opening, sending or writing
 * nothing.
 *
 * Input: byte 0 picks the command (modulo 5: 0 clean, 1 call, 2 contact,
 * 3 invoice, 4 dial); the rest, split at NUL bytes, is argv
 * after the command name (at most 40 arguments).
 *
 * Properties: no crash, leak or read out of argv; parsing the same command
 * line twice gives the same status, output and parsed options; what parsing
 * accepts satisfies the command's invariants (threads 1..256, a known
 * region, no tag list with tags JSON, ...: checked in options_*.c); and the
 * value given to --token-file (a secret's source) never shows in anything
 * the parser prints.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 40

/* getopt keeps its position inside a cluster ("-qj") across calls; the CLI
 * parses once per process, the fuzzer many times: start afresh. */
static void reset_getopt(void)
{
	static char prog[] = "x";
	static char *argv[] = { prog, NULL };

	optind = 0;
	opterr = 0;
	getopt_long(1, argv, "", NULL, NULL);
}

struct parse {
	int rc, done;
	char desc[4096];
	char token_file[4096]; /* the --token-file value parsing took */
	char *out;
	size_t out_len;
};

/* One parse of a fresh copy of the command line (parsers permute and
 * split argv in place), with stdout and stderr captured. */
static void parse_once(struct parse *p, int which, int argc, char *const *args)
{
	char *argv[MAX_ARGS + 2];
	FILE *saved_out = stdout, *saved_err = stderr, *mem;

	for (int i = 0; i < argc; i++)
		if (!(argv[i] = strdup(args[i])))
			abort();
	argv[argc] = NULL;
	if (!(mem = open_memstream(&p->out, &p->out_len)))
		abort();
	stdout = stderr = mem;
	reset_getopt();
	if (which == 0)
		p->rc = fuzz_clean_parse(p->desc, sizeof p->desc, argc, argv, &p->done);
	else if (which == 4)
		p->rc = fuzz_dial_parse(p->desc, sizeof p->desc, p->token_file,
					sizeof p->token_file, argc, argv, &p->done);
	else
		p->rc = fuzz_call_parse(p->desc, sizeof p->desc, p->token_file,
					sizeof p->token_file, which - 1, argc, argv, &p->done);
	stdout = saved_out;
	stderr = saved_err;
	fclose(mem);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[5] = { "clean", "call", "contact", "invoice", "dial" };
	char *args[MAX_ARGS + 2], *buf;
	struct parse a, b;
	int argc = 0, which;
	const char *secret;
	size_t start;

	if (size < 1)
		return 0;
	which = data[0] % 5;
	data++;
	size--;
	if (!(buf = malloc(size + 1)))
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* contact and invoice: argv[0] is the verb ("create"), as create_command() passes it. */
	args[argc++] = (char *)(which == 2 || which == 3 ? "create" : names[which]);
	for (start = 0; argc < MAX_ARGS && start <= size;) {
		args[argc++] = buf + start;
		start += strlen(buf + start) + 1;
	}
	if (size == 0)
		argc = 1;

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	parse_once(&a, which, argc, args);
	parse_once(&b, which, argc, args);
	if (a.rc != b.rc || a.done != b.done || strcmp(a.desc, b.desc) != 0 ||
	    a.out_len != b.out_len || memcmp(a.out, b.out, a.out_len) != 0)
		abort();
	if (a.rc != 0 && a.rc != 2)
		abort();
	/*
	 * A path for the token, or a token mistaken for one, is never echoed.
	 * It leaks when the output holds it and the same command line with
	 * another value in its place does not ("--help" is in every hint).
	 */
	secret = which && a.token_file[0] ? a.token_file : NULL;
	if (secret && strlen(secret) >= 4 && !a.done &&
	    memmem(a.out, a.out_len, secret, strlen(secret))) {
		char *alt[MAX_ARGS + 2], other[32];
		struct parse c;

		memcpy(alt, args, sizeof(char *) * (size_t)argc);
		for (int i = 1; i < argc; i++) {
			/* Only the token file's own value: the same text elsewhere
			 * on the line (an option named like it) must stay. */
			if (strcmp(args[i], secret) == 0 && strcmp(args[i - 1], "--token-file") == 0) {
				alt[i] = (char *)"Zq7path";
			} else if (strncmp(args[i], "--token-file=", 13) == 0 &&
				   strcmp(args[i] + 13, secret) == 0) {
				snprintf(other, sizeof other, "--token-file=Zq7path");
				alt[i] = other;
			}
		}
		memset(&c, 0, sizeof c);
		parse_once(&c, which, argc, alt);
		if (!memmem(c.out, c.out_len, secret, strlen(secret))) {
			fprintf(stderr, "--token-file value printed: %.*s\n", (int)a.out_len, a.out);
			abort();
		}
		free(c.out);
	}
	free(a.out);
	free(b.out);
	free(buf);
	return 0;
}
