/*
 * phonenorm: the command-line tool. Each subcommand lives in its own file
 * and is listed in the table below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <phonenorm.h>

#include "cli.h"

struct command {
	const char *name;
	phn_cli_command_fn run;
	const char *summary;
	int write_status; /* exit status when standard output could not be written */
};

static const struct command commands[] = {
	{ "validate", cli_cmd_validate, "check numbers; print status and E.164 for each", PHN_EXIT_WRITE },
	{ "format", cli_cmd_format, "print numbers as E.164, international, national, RFC 3966 or dial-out", PHN_EXIT_WRITE },
	{ "info", cli_cmd_info, "print everything the library knows about a number", PHN_EXIT_WRITE },
	{ "clean", cli_cmd_clean, "clean a CSV phone list: E.164, dedupe, rejects with reasons", PHN_EXIT_WRITE },
	{ "call", cli_cmd_call, "trigger one AI phone call through the call API", CLI_EXIT_RESULT_LOST },
	{ "contact", cli_cmd_contact, "create a contact in the call API (contact create)", CLI_EXIT_RESULT_LOST },
	{ "invoice", cli_cmd_invoice, "create an invoice for a contact (invoice create)", CLI_EXIT_RESULT_LOST },
	{ "dial", cli_cmd_dial, "dial a campaign list: paced calls, calling hours, a resumable journal", PHN_EXIT_WRITE },
	{ "report", cli_cmd_report, "show a campaign journal's summary; export its rows (CSV, JSON)", PHN_EXIT_WRITE },
	{ "webhook", cli_cmd_webhook, "receive signed call results (phone_call.ended) into a campaign journal", PHN_EXIT_WRITE },
	{ "find", cli_cmd_find, "find the phone numbers in free text (notes, message bodies)", PHN_EXIT_WRITE },
	{ "example", cli_cmd_example, "print the metadata's example numbers of a region, per type", PHN_EXIT_WRITE },
	{ "regions", cli_cmd_regions, "list the regions with their country calling codes", PHN_EXIT_WRITE },
	/* more commands: add a line here and the file in CMakeLists.txt */
};

static void usage(FILE *out)
{
	fputs("usage: phonenorm [--version] [--help] COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "Make phone-number lists safe to call.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "Run 'phonenorm COMMAND --help' for a command's options. Numbers come from\n"
	      "the arguments, or from standard input one per line when none are given.\n"
	      "\n"
	      "Exit status: 0 success (all numbers valid), 1 some number not valid or\n"
	      "request rejected, 2 usage error, 3 and above: see the command's help.\n", out);
}

/* PHONENORM_METADATA picks the metadata (the library reads it too). The
 * library falls back to the bundled data on a bad value and says so; a
 * command line is better refused: the user meant something else. */
static int check_metadata_env(void)
{
	const char *v = getenv("PHONENORM_METADATA");

	if (!v || !*v || strcasecmp(v, phn_metadata_source_name(PHN_METADATA_BUNDLED)) == 0 ||
	    strcasecmp(v, phn_metadata_source_name(PHN_METADATA_SYSTEM)) == 0)
		return PHN_EXIT_OK;
	cli_error("PHONENORM_METADATA='%s' is neither 'bundled' nor 'system'", v);
	return PHN_EXIT_USAGE;
}

/* The metadata in force; a warning line when it is not what was asked for
 * (the library's self-check says why). */
static void metadata_info(phn_metadata_info *info)
{
	if (phn_metadata_get_info(info) != PHN_OK) {
		cli_error("cannot tell which metadata answers: %s", phn_error_last());
		return;
	}
	if (!info->as_requested)
		cli_error("warning: %s metadata was requested but does not answer as asked: %s",
			  phn_metadata_source_name(info->requested), info->reason);
}

/* The end of every run: what a command printed must have arrived. A
 * command that has reported a failure of its own returns status. */
static int finish(int rc, int status)
{
	if (cli_stdout_close(rc == status) != 0)
		return status;
	return rc;
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return PHN_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return finish(PHN_EXIT_OK, PHN_EXIT_WRITE);
	}
	if (check_metadata_env() != PHN_EXIT_OK)
		return PHN_EXIT_USAGE;
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		phn_metadata_info info = PHN_METADATA_INFO_INIT;

		metadata_info(&info);
		printf("phonenorm %s (libphonenumber %s, metadata %s %s)\n", phn_version(),
		       info.engine_version, info.upstream_version,
		       phn_metadata_source_name(info.source));
		return finish(PHN_EXIT_OK, PHN_EXIT_WRITE);
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(name, commands[i].name) == 0) {
			phn_metadata_info info = PHN_METADATA_INFO_INIT;

			metadata_info(&info);
			return finish(commands[i].run(argc - 1, argv + 1), commands[i].write_status);
		}
	}
	cli_error("'%s' is not a command; see 'phonenorm --help'", name);
	return PHN_EXIT_USAGE;
}
