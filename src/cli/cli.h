/*
 * The phonenorm command line: shared conventions of every command.
 *
 * The CLI is built on the public API only (<phonenorm.h>); it never includes
 * anything from src/. Results go to stdout, diagnostics to stderr.
 *
 * Exit codes, the same for every command:
 *   0  success (for validate/format: every number valid)
 *   1  done, but some item was negative (a number not valid, a call rejected)
 *   2  usage error: bad option or argument, unknown region, unreadable input
 *   3  validate, format, info, clean: an output could not be written
 *   6  call, contact, invoice: the result could not be written (see below)
 *   3+ command-specific failures, documented in the command's --help
 *
 * Text output (every tab-separated line and every diagnostic) shows text
 * from the input or from a server escaped, so it can neither add a field or
 * a line nor reach the terminal as a control sequence: see cli_escape().
 * JSON output is exact (JSON escaping).
 */
#ifndef PHN_CLI_H
#define PHN_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "phonenorm/dispatch.h"

#define PHN_EXIT_OK 0
#define PHN_EXIT_NEGATIVE 1
#define PHN_EXIT_USAGE 2
#define PHN_EXIT_WRITE 3 /* validate, format, info, clean: an output failed */
/* call, contact, invoice: the result could not be written to standard output
 * (it went to standard error). Not 3: there 3 means "not sent, safe to run
 * again", and a result that was lost may be of a call that was placed. */
#define CLI_EXIT_RESULT_LOST 6

/* A subcommand: argv[0] is the command's own name, as for main(). */
typedef int (*phn_cli_command_fn)(int argc, char **argv);

/* Print "phonenorm: <message>\n" to stderr. The formatted message is
 * escaped as a whole (cli_escape), so a value it quotes stays on one line. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Print "phonenorm <cmd>: <message>" (escaped) plus a pointer to --help;
 * return PHN_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Write s as a JSON string literal (quotes included). Every control
 * character (C0, DEL, C1) is escaped; bytes that are not valid UTF-8 are
 * written as U+FFFD so the output always parses. */
void cli_json_string(FILE *out, const char *s);

/* Same for len bytes of s. */
void cli_json_string_n(FILE *out, const char *s, size_t len);

/*
 * Write len bytes of s as text that stays one field on one line and sends
 * the terminal no control sequence; the escaping is reversible:
 *   backslash -> \\   tab -> \t   newline -> \n   carriage return -> \r
 *   any other C0 control, DEL, each byte of a C1 control (U+0080..U+009F)
 *   and each byte that is not valid UTF-8 -> \xHH (two lowercase hex digits)
 * Everything else (printable ASCII, valid UTF-8) is written as it is, so an
 * ordinary value comes out unchanged. Write errors show in ferror(out).
 */
void cli_escape_n(FILE *out, const char *s, size_t len);

/* Same for the NUL-terminated s; NULL writes nothing. */
void cli_escape(FILE *out, const char *s);

/* vfprintf(out, fmt, ap), the formatted text escaped as a whole: for a
 * diagnostic that quotes input (cli_error does this). */
void cli_escape_vprintf(FILE *out, const char *fmt, va_list ap);

/* The escaped form of s in a new string the caller frees; NULL when out of
 * memory. */
char *cli_escape_dup(const char *s);

/*
 * Standard output is checked like coreutils' close_stdout: every command's
 * result is worthless if it did not arrive.
 *
 * cli_stdout_flush() flushes stdout and checks its error flag; on a failure
 * it prints "phonenorm: write error on standard output: <reason>" (once per
 * run) and returns -1, else 0. cli_stdout_close() does the same and closes
 * stdout (main calls it after every command); quiet skips the message when
 * the command has reported the failure its own way.
 */
int cli_stdout_flush(void);
int cli_stdout_close(int quiet);

/*
 * Iterate over the inputs of a command: the operands argv[first..argc) if
 * there are any, else the lines of stdin (without their "\n" or "\r\n"; a
 * UTF-8 byte order mark on the first line is dropped).
 */
typedef struct cli_inputs {
	int argc;
	char **argv;
	int next;
	int from_stdin;
	char *line;
	size_t line_cap;
	unsigned long lineno;
} cli_inputs;

void cli_inputs_init(cli_inputs *in, int argc, char **argv, int first);

/* Next input in *text and *len; 1 if there is one, 0 at the end, -1 on a read error. */
int cli_inputs_next(cli_inputs *in, const char **text, size_t *len);

void cli_inputs_dispose(cli_inputs *in);

/* Parse -c/--region's argument: "" or a known region (case-insensitive).
 * Prints the error and returns PHN_EXIT_USAGE when it is not one. */
int cli_check_region(const char *cmd, const char *region);

struct option;

/*
 * getopt_long takes any unambiguous prefix of a long option: "--to SECRET"
 * would be --token-file SECRET, and the error about that file would print
 * the secret. Commands that handle a token refuse abbreviations: every
 * "--name" in argv[1..argc) must be a whole option of opts, checked before
 * getopt_long sees argv, and a refused one is named without its value. A
 * token never goes on a command line (ps, shell history): "--token" gets its
 * own message. shortopts is getopt's string (which short options take an
 * argument). PHN_EXIT_OK, or PHN_EXIT_USAGE after printing why.
 */
int cli_refuse_abbreviations(const char *cmd, int argc, char **argv, const struct option *opts,
			     const char *shortopts);

/*
 * A request description (phn_dispatch_describe_*), as the dry runs show it.
 * cli_request_json_fields() writes its members "method", "url", "headers"
 * (the token masked, null without one) and "body" (the JSON itself), without
 * the enclosing braces, so a command can add members of its own.
 * cli_request_text() writes "METHOD URL", one "Name: value" line per header
 * and the body, each line after indent, the body after a blank line if asked;
 * the URL and header values escaped (cli_escape).
 */
void cli_request_json_fields(FILE *out, const phn_dispatch_request *req);
void cli_request_text(FILE *out, const phn_dispatch_request *req, const char *indent,
		      int blank_line_before_body);

/* The subcommands. */
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_format(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_clean(int argc, char **argv);
int cli_cmd_call(int argc, char **argv);
int cli_cmd_contact(int argc, char **argv);
int cli_cmd_invoice(int argc, char **argv);
int cli_cmd_dial(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_webhook(int argc, char **argv);
int cli_cmd_find(int argc, char **argv);
int cli_cmd_example(int argc, char **argv);
int cli_cmd_regions(int argc, char **argv);

#endif /* PHN_CLI_H */
