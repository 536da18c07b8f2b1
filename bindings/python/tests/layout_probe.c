/*
 * Prints the size and field offsets of every public struct the Python
 * binding mirrors, as JSON, so that test_phonenorm.py can check its ctypes
 * declarations against what the C compiler lays out.
 */
#include <stddef.h>
#include <stdio.h>

#include <phonenorm.h>

static int first_struct = 1, first_field;

static void begin(const char *name, size_t size)
{
	printf("%s\"%s\": {\"size\": %zu, \"fields\": {", first_struct ? "" : ", ", name, size);
	first_struct = 0;
	first_field = 1;
}

static void field(const char *name, size_t offset)
{
	printf("%s\"%s\": %zu", first_field ? "" : ", ", name, offset);
	first_field = 0;
}

static void end(void)
{
	printf("}}");
}

#define S(T) begin(#T, sizeof(T))
#define F(T, f) field(#f, offsetof(T, f))

int main(void)
{
	printf("{");
	S(phn_number);
	F(phn_number, version); F(phn_number, status); F(phn_number, type);
	F(phn_number, country_code); F(phn_number, national_number);
	F(phn_number, leading_zeros); F(phn_number, key); F(phn_number, region);
	F(phn_number, e164); F(phn_number, extension);
	end();
	S(phn_metadata_info);
	F(phn_metadata_info, version); F(phn_metadata_info, requested);
	F(phn_metadata_info, source); F(phn_metadata_info, short_source);
	F(phn_metadata_info, alternate_source); F(phn_metadata_info, as_requested);
	F(phn_metadata_info, upstream_version); F(phn_metadata_info, upstream_commit);
	F(phn_metadata_info, upstream_date); F(phn_metadata_info, engine_version);
	F(phn_metadata_info, reason);
	end();
	S(phn_fastpath_info);
	F(phn_fastpath_info, version); F(phn_fastpath_info, enabled);
	F(phn_fastpath_info, reason); F(phn_fastpath_info, verified_engine);
	F(phn_fastpath_info, territories); F(phn_fastpath_info, territories_handled);
	F(phn_fastpath_info, territories_compiled); F(phn_fastpath_info, compile_seconds);
	end();
	S(phn_info);
	F(phn_info, version); F(phn_info, is_short_number); F(phn_info, is_emergency);
	F(phn_info, connects_to_emergency); F(phn_info, short_cost); F(phn_info, is_geographic);
	end();
	S(phn_match);
	F(phn_match, version); F(phn_match, start); F(phn_match, length); F(phn_match, number);
	end();
	S(phn_csv_options);
	F(phn_csv_options, version); F(phn_csv_options, delimiter);
	F(phn_csv_options, check_field_count); F(phn_csv_options, max_record);
	F(phn_csv_options, sniff_delimiter);
	end();
	S(phn_csv_record);
	F(phn_csv_record, version); F(phn_csv_record, problem); F(phn_csv_record, line);
	F(phn_csv_record, offset); F(phn_csv_record, nfields); F(phn_csv_record, fields);
	F(phn_csv_record, lens); F(phn_csv_record, raw); F(phn_csv_record, raw_len);
	F(phn_csv_record, eol); F(phn_csv_record, record_bytes);
	end();
	S(phn_clean_options);
	F(phn_clean_options, version); F(phn_clean_options, region); F(phn_clean_options, header);
	F(phn_clean_options, phone_column); F(phn_clean_options, phone_column_index);
	F(phn_clean_options, region_column); F(phn_clean_options, region_column_index);
	F(phn_clean_options, keep_possible); F(phn_clean_options, types);
	F(phn_clean_options, suppress); F(phn_clean_options, threads);
	end();
	S(phn_clean_row);
	F(phn_clean_row, version); F(phn_clean_row, outcome); F(phn_clean_row, reason);
	F(phn_clean_row, line); F(phn_clean_row, duplicate_of); F(phn_clean_row, number);
	F(phn_clean_row, record);
	end();
	S(phn_clean_summary);
	F(phn_clean_summary, version); F(phn_clean_summary, rows); F(phn_clean_summary, clean);
	F(phn_clean_summary, rejected); F(phn_clean_summary, duplicates);
	F(phn_clean_summary, clean_possible); F(phn_clean_summary, blank_lines);
	F(phn_clean_summary, has_header); F(phn_clean_summary, phone_column);
	F(phn_clean_summary, phone_column_name); F(phn_clean_summary, phone_column_guessed);
	F(phn_clean_summary, region_column); F(phn_clean_summary, header_guessed);
	F(phn_clean_summary, first_row);
	end();
	S(phn_clean_writer_options);
	F(phn_clean_writer_options, version); F(phn_clean_writer_options, delimiter);
	F(phn_clean_writer_options, columns); F(phn_clean_writer_options, reader);
	F(phn_clean_writer_options, flags);
	end();
	S(phn_clean_report_options);
	F(phn_clean_report_options, version); F(phn_clean_report_options, input);
	F(phn_clean_report_options, seconds);
	end();
	S(phn_dispatch_options);
	F(phn_dispatch_options, version); F(phn_dispatch_options, base_url);
	F(phn_dispatch_options, token); F(phn_dispatch_options, token_file);
	F(phn_dispatch_options, flags); F(phn_dispatch_options, connect_timeout_ms);
	F(phn_dispatch_options, timeout_ms); F(phn_dispatch_options, max_in_flight);
	F(phn_dispatch_options, trace); F(phn_dispatch_options, trace_payload);
	end();
	S(phn_dispatch_kv);
	F(phn_dispatch_kv, key); F(phn_dispatch_kv, value);
	end();
	S(phn_dispatch_call);
	F(phn_dispatch_call, version); F(phn_dispatch_call, number);
	F(phn_dispatch_call, country_code); F(phn_dispatch_call, first_name);
	F(phn_dispatch_call, last_name); F(phn_dispatch_call, email);
	F(phn_dispatch_call, contact_uuid); F(phn_dispatch_call, template_id);
	F(phn_dispatch_call, prompt_tags); F(phn_dispatch_call, prompt_tags_count);
	F(phn_dispatch_call, prompt_tags_json); F(phn_dispatch_call, metadata);
	F(phn_dispatch_call, metadata_count); F(phn_dispatch_call, metadata_json);
	F(phn_dispatch_call, update_existing); F(phn_dispatch_call, create_if_not_exists);
	F(phn_dispatch_call, flags);
	end();
	S(phn_dispatch_contact);
	F(phn_dispatch_contact, version); F(phn_dispatch_contact, name);
	F(phn_dispatch_contact, phone_number); F(phn_dispatch_contact, country_code);
	F(phn_dispatch_contact, email); F(phn_dispatch_contact, role);
	F(phn_dispatch_contact, flags);
	end();
	S(phn_dispatch_invoice);
	F(phn_dispatch_invoice, version); F(phn_dispatch_invoice, number);
	F(phn_dispatch_invoice, date); F(phn_dispatch_invoice, due_date);
	F(phn_dispatch_invoice, total); F(phn_dispatch_invoice, contact_uuid);
	end();
	S(phn_dispatch_detail);
	F(phn_dispatch_detail, version); F(phn_dispatch_detail, loc); F(phn_dispatch_detail, loc_parts);
	F(phn_dispatch_detail, loc_count); F(phn_dispatch_detail, msg); F(phn_dispatch_detail, type);
	end();
	S(phn_dispatch_result);
	F(phn_dispatch_result, version); F(phn_dispatch_result, id); F(phn_dispatch_result, kind);
	F(phn_dispatch_result, outcome); F(phn_dispatch_result, http_status);
	F(phn_dispatch_result, number); F(phn_dispatch_result, call_id);
	F(phn_dispatch_result, status); F(phn_dispatch_result, contact_uuid);
	F(phn_dispatch_result, uuid); F(phn_dispatch_result, details_count);
	F(phn_dispatch_result, message);
	F(phn_dispatch_result, body); F(phn_dispatch_result, body_len);
	F(phn_dispatch_result, body_truncated); F(phn_dispatch_result, retry_after);
	F(phn_dispatch_result, retry_after_seconds); F(phn_dispatch_result, error);
	F(phn_dispatch_result, elapsed_ms);
	end();
	S(phn_call_window);
	F(phn_call_window, version); F(phn_call_window, start_minute);
	F(phn_call_window, end_minute); F(phn_call_window, days);
	end();
	S(phn_dial_progress);
	F(phn_dial_progress, version); F(phn_dial_progress, rows); F(phn_dial_progress, pending);
	F(phn_dial_progress, waiting); F(phn_dial_progress, in_flight);
	F(phn_dial_progress, accepted); F(phn_dial_progress, rejected);
	F(phn_dial_progress, failed); F(phn_dial_progress, unknown); F(phn_dial_progress, skipped);
	F(phn_dial_progress, sent); F(phn_dial_progress, retries); F(phn_dial_progress, rate);
	F(phn_dial_progress, eta_seconds); F(phn_dial_progress, now_ms);
	F(phn_dial_progress, redialed);
	end();
	S(phn_dial_event);
	F(phn_dial_event, version); F(phn_dial_event, kind); F(phn_dial_event, progress);
	F(phn_dial_event, line); F(phn_dial_event, step); F(phn_dial_event, dispatch_id);
	F(phn_dial_event, outcome); F(phn_dial_event, http_status); F(phn_dial_event, detail);
	F(phn_dial_event, state); F(phn_dial_event, call_id); F(phn_dial_event, at_ms);
	F(phn_dial_event, region); F(phn_dial_event, count); F(phn_dial_event, retry_after_s);
	F(phn_dial_event, cap_ms);
	end();
	S(phn_dial_options);
	F(phn_dial_options, version); F(phn_dial_options, flags); F(phn_dial_options, list_path);
	F(phn_dial_options, csv); F(phn_dial_options, clean); F(phn_dial_options, dispatch);
	F(phn_dial_options, first_name_column); F(phn_dial_options, last_name_column);
	F(phn_dial_options, email_column); F(phn_dial_options, contact_uuid_column);
	F(phn_dial_options, timezone_column); F(phn_dial_options, tags);
	F(phn_dial_options, tags_count); F(phn_dial_options, meta); F(phn_dial_options, meta_count);
	F(phn_dial_options, template_id); F(phn_dial_options, update_existing);
	F(phn_dial_options, create_if_not_exists); F(phn_dial_options, invoice_number_column);
	F(phn_dial_options, invoice_date_column); F(phn_dial_options, invoice_due_date_column);
	F(phn_dial_options, invoice_total_column); F(phn_dial_options, rate);
	F(phn_dial_options, concurrency); F(phn_dial_options, max_retries);
	F(phn_dial_options, retry_cap_ms); F(phn_dial_options, max_attempts);
	F(phn_dial_options, window_hours); F(phn_dial_options, window_days);
	F(phn_dial_options, test_now_ms);
	F(phn_dial_options, on_event); F(phn_dial_options, payload);
	F(phn_dial_options, redial_flags); F(phn_dial_options, redial_after_ms);
	end();
	printf(", \"versions\": {\"phn_number\": %d, \"phn_info\": %d, \"phn_csv_options\": %d, "
	       "\"phn_csv_record\": %d, \"phn_clean_options\": %d, \"phn_clean_row\": %d, "
	       "\"phn_clean_summary\": %d, \"phn_clean_writer_options\": %d, "
	       "\"phn_clean_report_options\": %d, "
	       "\"phn_dispatch_options\": %d, \"phn_dispatch_call\": %d, "
	       "\"phn_dispatch_contact\": %d, \"phn_dispatch_invoice\": %d, "
	       "\"phn_dispatch_result\": %d, \"phn_dispatch_detail\": %d, "
	       "\"phn_call_window\": %d, \"phn_dial_options\": %d, \"phn_dial_progress\": %d, "
	       "\"phn_dial_event\": %d}",
	       PHN_NUMBER_VERSION, PHN_INFO_VERSION, PHN_CSV_OPTIONS_VERSION, PHN_CSV_RECORD_VERSION,
	       PHN_CLEAN_OPTIONS_VERSION, PHN_CLEAN_ROW_VERSION, PHN_CLEAN_SUMMARY_VERSION,
	       PHN_CLEAN_WRITER_OPTIONS_VERSION, PHN_CLEAN_REPORT_OPTIONS_VERSION,
	       PHN_DISPATCH_OPTIONS_VERSION, PHN_DISPATCH_CALL_VERSION, PHN_DISPATCH_CONTACT_VERSION,
	       PHN_DISPATCH_INVOICE_VERSION, PHN_DISPATCH_RESULT_VERSION, PHN_DISPATCH_DETAIL_VERSION,
	       PHN_CALL_WINDOW_VERSION, PHN_DIAL_OPTIONS_VERSION, PHN_DIAL_PROGRESS_VERSION,
	       PHN_DIAL_EVENT_VERSION);
	printf(", \"enums\": {\"PHN_CLEAN_COLUMN_NUMBER_STATUS\": %u, "
	       "\"PHN_E164_MAX\": %d, \"PHN_EXTENSION_MAX\": %d}}\n",
	       PHN_CLEAN_COLUMN_NUMBER_STATUS, PHN_E164_MAX, PHN_EXTENSION_MAX);
	return 0;
}
