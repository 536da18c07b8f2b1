/*
 * libphonenumber's six metadata accessors, defined by the program itself
 * (exported with -rdynamic): they come before libphonenorm.so's in the
 * symbol lookup, so libphonenumber calls these, as it would in a process
 * whose load order or distribution defeats phonenorm's. They hand out
 * libphonenumber's own compiled-in data. phonenorm must notice (its own
 * accessors are never called) and report the system data, never the
 * bundled one. Linked into test_metadata (test_metadata_override target).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* The C++ names of `const void *x_get()` and `int x_size()` in namespace
 * i18n::phonenumbers, from C; default visibility (the project builds with
 * hidden) so that -rdynamic exports them. */
#define OV __attribute__((visibility("default")))
OV const void *ov_metadata_get(void) __asm__("_ZN4i18n12phonenumbers12metadata_getEv");
OV int ov_metadata_size(void) __asm__("_ZN4i18n12phonenumbers13metadata_sizeEv");
OV const void *ov_short_get(void) __asm__("_ZN4i18n12phonenumbers18short_metadata_getEv");
OV int ov_short_size(void) __asm__("_ZN4i18n12phonenumbers19short_metadata_sizeEv");
OV const void *ov_alt_get(void) __asm__("_ZN4i18n12phonenumbers20alternate_format_getEv");
OV int ov_alt_size(void) __asm__("_ZN4i18n12phonenumbers21alternate_format_sizeEv");

static void *own(const char *name)
{
	/* dlsym on libphonenumber's handle finds its own definition first. */
	void *h = dlopen(PHN_TEST_LIBPHONENUMBER, RTLD_LAZY | RTLD_NOLOAD);
	void *f = h ? dlsym(h, name) : NULL;

	if (!f) {
		fprintf(stderr, "test_metadata_override: %s: %s\n", name, dlerror());
		abort();
	}
	return f;
}

#define FORWARD(fn, type, sym) \
	type fn(void) \
	{ \
		return ((type (*)(void))own(sym))(); \
	}

FORWARD(ov_metadata_get, const void *, "_ZN4i18n12phonenumbers12metadata_getEv")
FORWARD(ov_metadata_size, int, "_ZN4i18n12phonenumbers13metadata_sizeEv")
FORWARD(ov_short_get, const void *, "_ZN4i18n12phonenumbers18short_metadata_getEv")
FORWARD(ov_short_size, int, "_ZN4i18n12phonenumbers19short_metadata_sizeEv")
FORWARD(ov_alt_get, const void *, "_ZN4i18n12phonenumbers20alternate_format_getEv")
FORWARD(ov_alt_size, int, "_ZN4i18n12phonenumbers21alternate_format_sizeEv")
