/*
 * Outputs written to a temporary file and renamed into place at the end; see
 * outfile.h. rename(2) within one directory is atomic: a reader of the
 * destination sees the old file or the whole new one, never a part.
 */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Temporary files open now, for the second signal's emergency cleanup. */
#define MAX_TEMPS 16
static char *volatile temps[MAX_TEMPS];
static volatile sig_atomic_t interrupted;
/* The command named in messages ("clean", "report"). */
static const char *outfile_cmd = "clean";

void cli_outfile_command(const char *name)
{
	outfile_cmd = name;
}

static void temp_register(char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (!temps[i]) {
			temps[i] = path;
			return;
		}
	}
}

static void temp_forget(const char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (temps[i] == path)
			temps[i] = NULL;
	}
}

static void on_signal(int sig)
{
	if (!interrupted) {
		interrupted = sig;
		return;
	}
	/* Asked twice (the run may be blocked reading a terminal): unlink() and
	 * _exit() are async-signal-safe. */
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (temps[i])
			unlink(temps[i]);
	}
	_exit(128 + sig);
}

void cli_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
	return interrupted;
}

/* ---- identities ---------------------------------------------------------- */

static void set_stat(cli_file_id *id, const struct stat *st)
{
	id->exists = 1;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->mode = st->st_mode;
}

int cli_file_id_of_path(cli_file_id *id, const char *path)
{
	struct stat st;
	char *dir, *slash, *real;
	const char *base;
	size_t n;

	memset(id, 0, sizeof *id);
	if (stat(path, &st) == 0) {
		set_stat(id, &st);
		if (!(id->path = realpath(path, NULL)))
			return -1;
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	/* Not there yet: the real directory plus the name, so that "a.csv",
	 * "./a.csv" and "dir/../a.csv" are one file. */
	n = strlen(path);
	if (n == 0 || path[n - 1] == '/') {
		errno = n ? EISDIR : ENOENT;
		return -1;
	}
	if (!(dir = strdup(path)))
		return -1;
	slash = strrchr(dir, '/');
	if (slash) {
		base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0'; /* "/x" */
		else
			slash[0] = '\0';
	} else {
		base = path;
		strcpy(dir, ".");
	}
	real = realpath(dir, NULL);
	free(dir);
	if (!real)
		return -1;
	n = strlen(real) + 1 + strlen(base) + 1;
	if (!(id->path = malloc(n))) {
		free(real);
		return -1;
	}
	snprintf(id->path, n, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", base);
	free(real);
	return 0;
}

int cli_file_id_of_fd(cli_file_id *id, int fd)
{
	struct stat st;

	memset(id, 0, sizeof *id);
	if (fstat(fd, &st) != 0)
		return -1;
	set_stat(id, &st);
	return 0;
}

int cli_file_id_same(const cli_file_id *a, const cli_file_id *b)
{
	/* Devices (/dev/null, a terminal) and sockets may be shared; files,
	 * pipes and directories may not. */
	if (a->exists && b->exists)
		return a->dev == b->dev && a->ino == b->ino &&
		       (S_ISREG(a->mode) || S_ISFIFO(a->mode) || S_ISDIR(a->mode));
	if (!a->exists && !b->exists && a->path && b->path)
		return strcmp(a->path, b->path) == 0;
	return 0;
}

void cli_file_id_dispose(cli_file_id *id)
{
	free(id->path);
	id->path = NULL;
}

/* ---- outputs --------------------------------------------------------------- */

int cli_outfile_init(cli_outfile *o, const char *name)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	if (strcmp(name, "-") == 0) {
		o->is_stdout = 1;
		o->name = "standard output";
		if (cli_file_id_of_fd(&o->id, 1) != 0)
			o->id.exists = 0; /* closed: the write will fail and say so */
		return 0;
	}
	if (cli_file_id_of_path(&o->id, name) != 0) {
		cli_error("%s: cannot write '%s': %s", outfile_cmd, name, strerror(errno));
		return -1;
	}
	if (o->id.exists && S_ISDIR(o->id.mode)) {
		cli_error("%s: cannot write '%s': %s", outfile_cmd, name, strerror(EISDIR));
		return -1;
	}
	return 0;
}

/* Replaced through a temporary file: regular files and new files. */
static int replaceable(const cli_outfile *o)
{
	return !o->is_stdout && (!o->id.exists || S_ISREG(o->id.mode));
}

int cli_outfile_open(cli_outfile *o)
{
	const char *slash;
	mode_t mode, mask;
	size_t n;
	int fd;

	if (o->is_stdout) {
		o->f = stdout;
		return 0;
	}
	if (!replaceable(o)) {
		if (!(o->f = fopen(o->id.path, "wb"))) {
			cli_error("%s: cannot write '%s': %s", outfile_cmd, o->name, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* "<dir>/.<name>.XXXXXX": hidden, and in the destination's directory so
	 * that rename() stays on one file system. */
	slash = strrchr(o->id.path, '/');
	n = strlen(o->id.path) + 16;
	if (!(o->tmp = malloc(n))) {
		cli_error("%s: cannot write '%s': %s", outfile_cmd, o->name, strerror(ENOMEM));
		return -1;
	}
	snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)(slash - o->id.path + 1), o->id.path,
		 slash + 1);
	if ((fd = mkostemp(o->tmp, O_CLOEXEC)) < 0) {
		cli_error("%s: cannot write '%s': cannot create a temporary file beside it: %s",
			  outfile_cmd, o->name, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	temp_register(o->tmp);
	/* The mode the file would have had: the old file's, or what fopen()
	 * gives a new one (0666 less the umask). */
	if (o->id.exists) {
		mode = o->id.mode & 07777;
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "wb"))) {
		cli_error("%s: cannot write '%s': %s", outfile_cmd, o->name, strerror(errno));
		close(fd);
		cli_outfile_discard(o);
		return -1;
	}
	return 0;
}

/* Make the rename itself durable. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash || !(dir = strndup(path, slash == path ? 1 : (size_t)(slash - path))))
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int cli_outfile_commit(cli_outfile *o)
{
	int bad, err = 0;

	if (!o->f)
		return 0;
	bad = fflush(o->f) != 0 || ferror(o->f);
	if (bad)
		err = errno;
	if (o->is_stdout) {
		o->f = NULL;
		if (bad)
			cli_error("%s: writing %s failed%s%s", outfile_cmd, o->name, err ? ": " : "",
				  err ? strerror(err) : "");
		return bad ? -1 : 0;
	}
	if (!bad && o->tmp && fsync(fileno(o->f)) != 0) {
		bad = 1;
		err = errno;
	}
	if (fclose(o->f) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	o->f = NULL;
	if (!bad && o->tmp) {
		if (rename(o->tmp, o->id.path) != 0) {
			bad = 1;
			err = errno;
		} else {
			temp_forget(o->tmp);
			free(o->tmp);
			o->tmp = NULL;
			sync_dir(o->id.path);
		}
	}
	if (bad) {
		cli_error("%s: writing '%s' failed%s%s", outfile_cmd, o->name, err ? ": " : "",
			  err ? strerror(err) : "");
		cli_outfile_discard(o);
		return -1;
	}
	return 0;
}

void cli_outfile_discard(cli_outfile *o)
{
	if (o->f && !o->is_stdout)
		fclose(o->f);
	else if (o->f)
		fflush(o->f);
	o->f = NULL;
	if (o->tmp) {
		unlink(o->tmp);
		temp_forget(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}

void cli_outfile_dispose(cli_outfile *o)
{
	cli_outfile_discard(o);
	cli_file_id_dispose(&o->id);
}
