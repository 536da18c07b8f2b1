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
 *   3+ command-specific failures, documented in the command's --help
 */
#ifndef PHN_CLI_H
#define PHN_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define PHN_EXIT_OK 0
#define PHN_EXIT_NEGATIVE 1
#define PHN_EXIT_USAGE 2

/* A subcommand: argv[0] is the command's own name, as for main(). */
typedef int (*phn_cli_command_fn)(int argc, char **argv);

/* Print "phonenorm: <message>\n" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Print "phonenorm <cmd>: <message>" plus a pointer to --help; return PHN_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Write s as a JSON string literal (quotes included). Bytes that are not
 * valid UTF-8 are written as U+FFFD so the output always parses. */
void cli_json_string(FILE *out, const char *s);

/* Same for len bytes of s. */
void cli_json_string_n(FILE *out, const char *s, size_t len);

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

/* The subcommands. */
int cli_cmd_validate(int argc, char **argv);
int cli_cmd_format(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_clean(int argc, char **argv);
int cli_cmd_call(int argc, char **argv);
int cli_cmd_contact(int argc, char **argv);
int cli_cmd_invoice(int argc, char **argv);

#endif /* PHN_CLI_H */
