#include "text/error.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonenorm/common.h"

/*
 * One heap buffer per thread, found through a pthread key so that its
 * destructor frees it when the thread exits (a _Thread_local pointer would
 * leak it). If a message cannot be stored (no memory), the thread keeps the
 * code and falls back to phn_strerror()'s static text.
 */
struct last_error {
	int code;
	char *msg;
	size_t cap;
};

static pthread_key_t error_key;
static pthread_once_t error_once = PTHREAD_ONCE_INIT;
static int error_key_ok;

static void free_last_error(void *p)
{
	struct last_error *e = p;

	if (e) {
		free(e->msg);
		free(e);
	}
}

static void make_key(void)
{
	error_key_ok = pthread_key_create(&error_key, free_last_error) == 0;
}

static struct last_error *thread_error(int create)
{
	struct last_error *e;

	pthread_once(&error_once, make_key);
	if (!error_key_ok)
		return NULL;
	e = pthread_getspecific(error_key);
	if (!e && create) {
		e = calloc(1, sizeof *e);
		if (e && pthread_setspecific(error_key, e) != 0) {
			free(e);
			e = NULL;
		}
	}
	return e;
}

/* Messages are one line: control characters become spaces, so a file name
 * or a server's text can never start a second line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static int store(struct last_error *e, int code, const char *fmt, va_list ap,
		 const char *suffix)
{
	va_list again;
	int n;
	size_t need, slen = suffix ? strlen(suffix) : 0;

	e->code = code;
	va_copy(again, ap);
	n = vsnprintf(e->msg, e->msg ? e->cap : 0, fmt, ap);
	if (n < 0) {
		va_end(again);
		if (e->msg)
			e->msg[0] = '\0';
		return code;
	}
	need = (size_t)n + slen + 1;
	if (need > e->cap) {
		char *p = realloc(e->msg, need);

		if (!p) {
			va_end(again);
			free(e->msg);
			e->msg = NULL;
			e->cap = 0;
			return code;
		}
		e->msg = p;
		e->cap = need;
		vsnprintf(e->msg, e->cap, fmt, again);
	}
	va_end(again);
	if (slen)
		memcpy(e->msg + n, suffix, slen + 1);
	one_line(e->msg);
	return code;
}

int phn_error_setv(int code, const char *fmt, va_list ap)
{
	struct last_error *e = thread_error(1);

	if (!e)
		return code;
	return store(e, code, fmt, ap, NULL);
}

int phn_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	phn_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

int phn_error_set_errno(int code, int errnum, const char *fmt, ...)
{
	struct last_error *e = thread_error(1);
	char suffix[256];
	va_list ap;

	if (!e)
		return code;
	snprintf(suffix, sizeof suffix, ": %s", strerror(errnum));
	va_start(ap, fmt);
	store(e, code, fmt, ap, suffix);
	va_end(ap);
	return code;
}

int phn_error_code(int code)
{
	return phn_error_set(code, "%s", phn_strerror(code));
}

int phn_error_check_version(const void *ptr, unsigned int version, unsigned int current,
			    const char *what)
{
	if (!ptr)
		return phn_error_set(PHN_EINVAL, "%s is NULL", what);
	if (version < 1 || version > current)
		return phn_error_set(PHN_EVERSION,
				     "%s version %u is not supported (this library accepts 1 to %u; "
				     "initialise it with its _INIT macro or _init())",
				     what, version, current);
	return PHN_OK;
}

const char *phn_error_last(void)
{
	struct last_error *e = thread_error(0);

	if (!e || e->code == PHN_OK)
		return "";
	return e->msg ? e->msg : phn_strerror(e->code);
}

int phn_error_last_code(void)
{
	struct last_error *e = thread_error(0);

	return e ? e->code : PHN_OK;
}

void phn_error_clear(void)
{
	struct last_error *e = thread_error(0);

	if (e) {
		e->code = PHN_OK;
		if (e->msg)
			e->msg[0] = '\0';
	}
}
