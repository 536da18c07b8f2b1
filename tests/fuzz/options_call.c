/*
 * The option parsers of `phonenorm call`, `contact create` and `invoice
 * create`, compiled from the CLI's own source for tests/fuzz/fuzz_options.c:
 * parse() only, nothing is sent.
 */
#include "../../src/cli/cmd_call.c"

#include "fuzz_options.h"

int fuzz_call_parse(char *desc, size_t cap, char *tf, size_t tfcap, int which, int argc,
		    char **argv, int *done)
{
	static const char *const cmds[3] = { "call", "contact create", "invoice create" };
	const struct option *opts[3] = { call_options, contact_options, invoice_options };
	const char *help[3] = { call_help, contact_help, invoice_help };
	struct args a;
	int rc;

	args_init(&a, cmds[which]);
	rc = parse(&a, argc, argv, opts[which], help[which], done);
	if (rc == PHN_EXIT_OK && !*done) {
		if (a.timeout_ms < 0 || a.timeout_ms > 86400 * 1000 ||
		    (a.has_region && !phn_region_is_known(a.region)) ||
		    (a.call.prompt_tags_count && a.call.prompt_tags_json) ||
		    (a.call.metadata_count && a.call.metadata_json))
			abort();
	}
#define S(x) ((x) ? (x) : "(null)")
	snprintf(desc, cap, "rc=%d done=%d u=%s tf=%s to=%lld n=%d j=%d v=%d r=%s fn=%s ln=%s "
		 "em=%s cu=%s tp=%s tags=%zu meta=%zu tj=%s mj=%s nm=%s ph=%s ro=%s dt=%s dd=%s "
		 "no=%s tt=%s", rc, *done, S(a.api_url), S(a.token_file), (long long)a.timeout_ms,
		 a.dry_run, a.json, a.verbose, a.has_region ? a.region : "-", S(a.call.first_name),
		 S(a.call.last_name), S(a.call.email), S(a.call.contact_uuid), S(a.call.template_id),
		 a.call.prompt_tags_count, a.call.metadata_count, S(a.call.prompt_tags_json),
		 S(a.call.metadata_json), S(a.contact.name), S(a.contact.phone_number),
		 S(a.contact.role), S(a.invoice.date), S(a.invoice.due_date), S(a.invoice.number),
		 S(a.invoice.total));
	snprintf(tf, tfcap, "%s", a.token_file ? a.token_file : "");
	args_dispose(&a);
	return rc;
}
