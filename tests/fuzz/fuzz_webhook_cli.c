/*
 * Fuzz target for the option parser of `phonenorm webhook`, compiled from
 * the CLI's own source (src/cli/cmd_webhook.c is included): parse_args()
 * and parse_size() only; nothing is opened, listened on or read.
 *
 * Input: split at NUL bytes, argv after the command name (at most 40
 * arguments).
 *
 * Properties: no crash, leak or read out of argv; parsing the same command
 * line twice gives the same status, output and options; the status is 0 or
 * 2; what parsing accepts satisfies the command's invariants (a journal,
 * numbers in their documented ranges, TLS files both or neither); and a
 * secret never shows in what the parser prints: neither the value of a
 * --secret option (refused) nor an argument that looks like a secret
 * ("whsec_...") given where an operand or an option's value goes.
 */
#include "../../src/cli/cmd_webhook.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 40

/* getopt keeps its position inside a cluster across calls; the CLI parses
 * once per process, the fuzzer many times: start afresh. */
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
	struct webhook_args a;
	char desc[4096];
	char *out;
	size_t out_len;
};

static void parse_once(struct parse *p, int argc, char *const *args)
{
	char *argv[MAX_ARGS + 2];
	FILE *saved_out = stdout, *saved_err = stderr, *mem;
	unsigned long size;

	for (int i = 0; i < argc; i++)
		if (!(argv[i] = strdup(args[i])))
			abort();
	argv[argc] = NULL;
	if (!(mem = open_memstream(&p->out, &p->out_len)))
		abort();
	stdout = stderr = mem;
	reset_getopt();
	p->rc = parse_args(&p->a, argc, argv, &p->done);
	stdout = saved_out;
	stderr = saved_err;
	fclose(mem);

	/* parse_size on each argument: what it takes is within its range. */
	for (int i = 1; i < argc; i++)
		if (parse_size(args[i], &size) == 0 && (size < 1024 || size > (64ul << 20)))
			abort();

#define S(x) ((x) ? (x) : "(null)")
	snprintf(p->desc, sizeof p->desc, "rc=%d done=%d j=%s l=%s p=%s sf=%s c=%s k=%s r=%s "
		 "t=%lu mb=%lu i=%lu d=%lu mc=%lu q=%d", p->rc, p->done, S(p->a.journal),
		 S(p->a.listen), S(p->a.path), S(p->a.secret_file), S(p->a.tls_cert),
		 S(p->a.tls_key), S(p->a.ready_file), p->a.tolerance, p->a.max_body, p->a.idle,
		 p->a.deadline, p->a.max_conn, p->a.quiet);
	/* The strings point into argv, freed now: desc holds them. */
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	memset(&p->a, 0, sizeof p->a);
}

/* An argument that a secret check applies to: "whsec_" and more, not an
 * option itself (an option's name is echoed when it is unknown). */
static int looks_secret(const char *s)
{
	return strncmp(s, "whsec_", 6) == 0 && strlen(s) >= 10;
}

/* An option whose value an error may quote (a file the user named, the
 * address to listen on): a secret typed there is the user's to see. The
 * secret file's own path is never quoted, so --secret-file is not one. */
static int names_a_file(const char *opt)
{
	static const char *const opts[] = { "--journal", "--tls-cert", "--tls-key", "--ready-file",
					    "--listen", "--path" };

	for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
		if (strcmp(opt, opts[k]) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS + 2], *buf;
	struct parse a, b;
	int argc = 0;
	size_t start;

	if (!(buf = malloc(size + 1)))
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	args[argc++] = (char *)"webhook";
	for (start = 0; size > 0 && argc < MAX_ARGS && start <= size;) {
		args[argc++] = buf + start;
		start += strlen(buf + start) + 1;
	}

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	parse_once(&a, argc, args);
	parse_once(&b, argc, args);
	if (a.rc != b.rc || a.done != b.done || strcmp(a.desc, b.desc) != 0 ||
	    a.out_len != b.out_len || memcmp(a.out, b.out, a.out_len) != 0)
		abort();
	if (a.rc != PHN_EXIT_OK && a.rc != PHN_EXIT_USAGE)
		abort();

	/* Invariants of an accepted command line, re-parsed to read them. */
	if (a.rc == PHN_EXIT_OK && !a.done) {
		struct webhook_args w;
		char *argv[MAX_ARGS + 2];
		FILE *saved_err = stderr, *null = fopen("/dev/null", "w");
		int done, rc;

		for (int i = 0; i < argc; i++)
			if (!(argv[i] = strdup(args[i])))
				abort();
		argv[argc] = NULL;
		if (null)
			stderr = null;
		reset_getopt();
		rc = parse_args(&w, argc, argv, &done);
		stderr = saved_err;
		if (null)
			fclose(null);
		if (rc != PHN_EXIT_OK || !w.journal || !*w.journal || !w.listen || !w.path ||
		    w.tolerance < 1 || w.tolerance > 86400 || w.max_body < 1024 ||
		    w.max_body > (64ul << 20) || w.idle < 1 || w.idle > 3600 || w.deadline < 1 ||
		    w.deadline > 3600 || w.max_conn < 1 || w.max_conn > 10000 ||
		    !w.tls_cert != !w.tls_key || (w.ready_file && !*w.ready_file))
			abort();
		for (int i = 0; i < argc; i++)
			free(argv[i]);
	}

	/* A secret is never echoed: an argument that looks like one, unless
	 * it is in an option's name position (then it starts with '-'), or
	 * the value after a --secret option. */
	for (int i = 1; i < argc; i++) {
		const char *s = NULL;

		if (looks_secret(args[i]) && !names_a_file(args[i - 1]))
			s = args[i];
		else if (strncmp(args[i], "--secret=", 9) == 0 && strlen(args[i]) >= 13)
			s = args[i] + 9;
		else if (strcmp(args[i], "--secret") == 0 && i + 1 < argc && strlen(args[i + 1]) >= 4)
			s = args[i + 1];
		if (!s || a.done)
			continue;
		/* It leaks when the output holds it and the same command line
		 * with another value in its place does not (the text may be
		 * a word of the message, or of another argument). */
		if (memmem(a.out, a.out_len, s, strlen(s))) {
			char *alt[MAX_ARGS + 2], other[64];
			struct parse c;

			memcpy(alt, args, sizeof(char *) * (size_t)argc);
			if (s == args[i]) {
				alt[i] = (char *)"whsec_Zq7Zq7Zq7";
			} else if (s == args[i] + 9) {
				snprintf(other, sizeof other, "--secret=Zq7Zq7Zq7");
				alt[i] = other;
			} else {
				alt[i + 1] = (char *)"Zq7Zq7Zq7";
			}
			memset(&c, 0, sizeof c);
			parse_once(&c, argc, alt);
			if (!memmem(c.out, c.out_len, s, strlen(s))) {
				fprintf(stderr, "a secret was echoed: %.*s\n", (int)a.out_len, a.out);
				abort();
			}
			free(c.out);
		}
	}
	free(a.out);
	free(b.out);
	free(buf);
	return 0;
}
