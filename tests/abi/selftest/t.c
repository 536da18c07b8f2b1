#include "t.h"

#include <stdlib.h>

struct t_handle {
	t_options opts;
#ifdef T_GROW_OPAQUE
	char scratch[64];
#endif
	int uses;
};

int t_options_init(t_options *opts, unsigned int version)
{
	if (!opts || version != 1)
		return T_EINVAL;
	opts->version = version;
	opts->count = 0;
	opts->weight = 0;
	return T_OK;
}

int t_handle_new(t_handle **out, const t_options *opts)
{
	t_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return T_EINVAL;
	h->opts = *opts;
	*out = h;
	return T_OK;
}

void t_handle_free(t_handle *h)
{
	free(h);
}

#ifdef T_CHANGE_RETURN
long t_handle_count(const t_handle *h)
#else
int t_handle_count(const t_handle *h)
#endif
{
	return h->opts.count + h->uses;
}

#ifndef T_REMOVE_FUNCTION
double t_handle_weight(const t_handle *h)
{
	return h->opts.weight;
}
#endif

#ifdef T_ADD_FUNCTION
int t_handle_reset(t_handle *h)
{
	h->uses = 0;
	return T_OK;
}
#endif

#ifdef T_ADD_TYPE
int t_handle_stats(t_stats *out, const t_handle *h)
{
	out->seen = h->uses;
	return T_OK;
}
#endif
