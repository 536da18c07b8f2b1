/*
 * Output files that never destroy anything: each output is written to a
 * temporary file beside its destination and renamed into place only when the
 * whole run succeeded (cli_outfile_commit), so a failed or interrupted run
 * leaves every old file as it was and no temporary file behind.
 *
 * Standard output ("-") and destinations that exist but are not regular files
 * (/dev/null, a FIFO, a terminal) are written directly, as they cannot be
 * replaced.
 *
 * Also the identity of files (device and inode, or the resolved name of a file
 * that does not exist yet), so that a command can refuse an output that is one
 * of its inputs or another of its outputs before anything is opened.
 *
 * Single-threaded: call these from the main thread only.
 */
#ifndef PHN_CLI_OUTFILE_H
#define PHN_CLI_OUTFILE_H

#include <stdio.h>
#include <sys/types.h>

/* What a path (or an open descriptor) is, for comparisons. */
typedef struct cli_file_id {
	int exists;   /* dev/ino are valid */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	char *path;   /* resolved absolute name; NULL for a descriptor */
} cli_file_id;

/* The identity of path (symlinks followed) into *id. A path that does not
 * exist yet is named by the real path of its directory plus its last part.
 * Returns 0, or -1 with errno set (the directory does not exist, ...). */
int cli_file_id_of_path(cli_file_id *id, const char *path);

/* The identity of the open descriptor fd. Returns 0 or -1 with errno set. */
int cli_file_id_of_fd(cli_file_id *id, int fd);

/* Whether a and b are the same file: the same device and inode of a regular
 * file, pipe or directory (devices such as /dev/null and sockets may be
 * shared), or the same resolved name for files that do not exist yet. */
int cli_file_id_same(const cli_file_id *a, const cli_file_id *b);

void cli_file_id_dispose(cli_file_id *id);

typedef struct cli_outfile {
	const char *name;  /* as the user gave it, for messages */
	cli_file_id id;    /* where it goes (stdout: the identity of fd 1) */
	int is_stdout;
	char *tmp;         /* the temporary file; NULL when written directly */
	FILE *f;           /* NULL until opened */
} cli_outfile;

/* The command the messages below name ("clean" unless set): "phonenorm
 * report: cannot write 'x': ...". */
void cli_outfile_command(const char *name);

/* Set *o for name ("-": standard output) without opening anything: resolves
 * the destination. Returns 0, or -1 with a message printed ("cannot write
 * 'x': No such file or directory", "is a directory"). */
int cli_outfile_init(cli_outfile *o, const char *name);

/* Open the output for writing: a temporary file in the destination's
 * directory (mode as a new file would get, or the old file's mode), or the
 * destination itself when it cannot be replaced. Returns 0, or -1 with a
 * message printed. */
int cli_outfile_open(cli_outfile *o);

/* Flush, sync and rename the temporary file into place (standard output and
 * direct files are flushed). Returns 0, or -1 with a message printed; the
 * temporary file is then removed. */
int cli_outfile_commit(cli_outfile *o);

/* Close and remove the temporary file; the destination is untouched (a
 * direct output keeps what was written). Safe to call more than once. */
void cli_outfile_discard(cli_outfile *o);

/* Free what init allocated (after commit or discard). */
void cli_outfile_dispose(cli_outfile *o);

/*
 * Catch SIGINT and SIGTERM: the first sets a flag that cli_interrupted()
 * returns (the signal number, else 0), so a run can stop between rows and
 * discard its outputs; a second one removes every temporary file still open
 * and exits at once with 128 + the signal.
 */
void cli_catch_signals(void);
int cli_interrupted(void);

#endif /* PHN_CLI_OUTFILE_H */
