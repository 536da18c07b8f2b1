/* The CLI option parsers as tests/fuzz/fuzz_options.c reaches them. Each
 * writes a description of what it parsed into desc and returns the exit
 * status parsing gave (0: go on; *done: --help was printed). */
#ifndef PHN_FUZZ_OPTIONS_H
#define PHN_FUZZ_OPTIONS_H

#include <stddef.h>

int fuzz_clean_parse(char *desc, size_t cap, int argc, char **argv, int *done);
/* which: 0 call, 1 contact create, 2 invoice create (argv[0] is the verb).
 * tf[tfcap] receives the --token-file value parsing took ("" if none). */
int fuzz_call_parse(char *desc, size_t cap, char *tf, size_t tfcap, int which, int argc,
		    char **argv, int *done);

/* phonenorm dial (argv[0] is "dial"); tf as for call. */
int fuzz_dial_parse(char *desc, size_t cap, char *tf, size_t tfcap, int argc, char **argv,
		    int *done);

#endif
