/* A tiny library for abi_check_selftest. The baseline is built with no
 * macro defined; each T_* macro makes one kind of change (selftest.txt
 * says which must pass the check and which must fail it). */
#ifndef T_H
#define T_H

#define T_EXTERN __attribute__((visibility("default")))

typedef enum t_code {
	T_OK = 0,
	T_EINVAL = -1
#ifdef T_ADD_ENUMERATOR
	, T_ENOMEM = -2
#endif
} t_code;

/* A caller-allocated struct. */
typedef struct t_options {
	unsigned int version;
#ifdef T_REORDER_MEMBERS
	double weight;
	int count;
#else
	int count;
	double weight;
#endif
#ifdef T_GROW_STRUCT
	int extra;
#endif
} t_options;

/* An opaque handle: its layout is the library's business. */
typedef struct t_handle t_handle;

T_EXTERN int t_options_init(t_options *opts, unsigned int version);
T_EXTERN int t_handle_new(t_handle **out, const t_options *opts);
T_EXTERN void t_handle_free(t_handle *h);
#ifdef T_CHANGE_RETURN
T_EXTERN long t_handle_count(const t_handle *h);
#else
T_EXTERN int t_handle_count(const t_handle *h);
#endif
#ifndef T_REMOVE_FUNCTION
T_EXTERN double t_handle_weight(const t_handle *h);
#endif
#ifdef T_ADD_FUNCTION
T_EXTERN int t_handle_reset(t_handle *h);
#endif
#ifdef T_ADD_TYPE
typedef struct t_stats { unsigned int version; int seen; } t_stats;
T_EXTERN int t_handle_stats(t_stats *out, const t_handle *h);
#endif

#endif
