"""Loading libphonenorm and declaring its C API for ctypes.

Everything here mirrors include/phonenorm/*.h exactly: the structs field by
field (version fields included), the enums as the C ints, every function with
its argument and result types. Nothing outside the public headers is used.
"""

import ctypes
import ctypes.util
import os

from ._errors import error_for

#: The library's soname: the binding speaks ABI major version 0.
SONAME = "libphonenorm.so.0"
ABI_MAJOR = 0


def _candidates():
    """Where to look for the library, in order, as (how, path) pairs."""
    env = os.environ.get("PHONENORM_LIBRARY")
    if env:
        # An explicit choice: nothing else is tried, so a wrong path is an
        # error, not a silent fallback to some other copy.
        return [("PHONENORM_LIBRARY", env)]
    found = []
    try:
        from . import _install  # written by `cmake --install`, relative to us
    except ImportError:
        _install = None
    if _install is not None:
        here = os.path.dirname(os.path.abspath(__file__))
        found.append(("installed next to the package",
                      os.path.normpath(os.path.join(here, _install.LIBRARY))))
    name = ctypes.util.find_library("phonenorm")
    if name:
        found.append(("ctypes.util.find_library", name))
    # dlopen()'s own search: LD_LIBRARY_PATH, the ld.so cache, /lib, /usr/lib.
    found.append(("the dynamic loader", SONAME))
    return found


def _load():
    tried = []
    for how, path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s): %s" % (path, how, e))
            if how == "PHONENORM_LIBRARY":
                break
    raise ImportError(
        "phonenorm: cannot load the C library %s. Set PHONENORM_LIBRARY to its "
        "path (e.g. PHONENORM_LIBRARY=build/src/%s after building with CMake), "
        "or install it (cmake --install build; then ldconfig) so that "
        "ctypes.util.find_library('phonenorm') finds it. Tried: %s"
        % (SONAME, SONAME, "; ".join(tried)))


lib, path = _load()

# ---- types -------------------------------------------------------------

c_int = ctypes.c_int
c_uint = ctypes.c_uint
c_long = ctypes.c_long
c_u64 = ctypes.c_uint64
c_size = ctypes.c_size_t
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
POINTER = ctypes.POINTER

PHN_E164_MAX = 21
PHN_EXTENSION_MAX = 24
PHN_CLEAN_COLUMN_NUMBER_STATUS = 1 << 0
PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS = 1 << 0

PHN_NUMBER_VERSION = 1
PHN_INFO_VERSION = 1
PHN_CSV_OPTIONS_VERSION = 2
PHN_CSV_RECORD_VERSION = 2
PHN_CLEAN_OPTIONS_VERSION = 1
PHN_CLEAN_ROW_VERSION = 1
PHN_CLEAN_SUMMARY_VERSION = 2
PHN_CLEAN_WRITER_OPTIONS_VERSION = 2
PHN_CLEAN_REPORT_OPTIONS_VERSION = 1
PHN_DISPATCH_OPTIONS_VERSION = 1
PHN_DISPATCH_CALL_VERSION = 2
PHN_DISPATCH_CONTACT_VERSION = 2
PHN_DISPATCH_ALLOW_POSSIBLE = 1 << 0
PHN_DISPATCH_INVOICE_VERSION = 1
PHN_DISPATCH_RESULT_VERSION = 1
PHN_DISPATCH_DETAIL_VERSION = 1

PHN_OK = 0
PHN_EINVAL = -1
PHN_EBUFS = -3
PHN_EREGION = -4
PHN_EIO = -7
PHN_ENOTFOUND = -9
PHN_DISPATCH_USE_ENV = 1 << 0


class phn_number(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("status", c_int),
        ("type", c_int),
        ("country_code", c_int),
        ("national_number", c_u64),
        ("leading_zeros", c_int),
        ("key", c_u64),
        ("region", ctypes.c_char * 4),
        ("e164", ctypes.c_char * (PHN_E164_MAX + 1)),
        ("extension", ctypes.c_char * (PHN_EXTENSION_MAX + 1)),
    ]


class phn_info(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("is_short_number", c_int),
        ("is_emergency", c_int),
        ("connects_to_emergency", c_int),
        ("short_cost", c_int),
        ("is_geographic", c_int),
    ]


class phn_csv_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("delimiter", ctypes.c_char),
        ("check_field_count", c_int),
        ("max_record", c_size),
        ("sniff_delimiter", c_int),
    ]


class phn_csv_record(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("problem", c_int),
        ("line", c_u64),
        ("offset", c_u64),
        ("nfields", c_size),
        ("fields", POINTER(c_void_p)),
        ("lens", POINTER(c_size)),
        ("raw", c_void_p),
        ("raw_len", c_size),
        ("eol", c_char_p),
        ("record_bytes", c_u64),
    ]


class phn_dedupe_set(ctypes.Structure):
    """Opaque."""


class phn_csv_reader(ctypes.Structure):
    """Opaque."""


class phn_cleaner(ctypes.Structure):
    """Opaque."""


class phn_clean_writer(ctypes.Structure):
    """Opaque."""


class phn_dispatch(ctypes.Structure):
    """Opaque."""


class phn_dispatch_request(ctypes.Structure):
    """Opaque."""


class phn_clean_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("region", c_char_p),
        ("header", c_int),
        ("phone_column", c_char_p),
        ("phone_column_index", c_int),
        ("region_column", c_char_p),
        ("region_column_index", c_int),
        ("keep_possible", c_int),
        ("types", c_uint),
        ("suppress", POINTER(phn_dedupe_set)),
        ("threads", c_uint),
    ]


class phn_clean_row(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("outcome", c_int),
        ("reason", c_int),
        ("line", c_u64),
        ("duplicate_of", c_u64),
        ("number", POINTER(phn_number)),
        ("record", POINTER(phn_csv_record)),
    ]


class phn_clean_summary(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("rows", c_u64),
        ("clean", c_u64),
        ("rejected", c_u64),
        ("duplicates", c_u64),
        ("clean_possible", c_u64),
        ("blank_lines", c_u64),
        ("has_header", c_int),
        ("phone_column", c_int),
        ("phone_column_name", c_char_p),
        ("phone_column_guessed", c_int),
        ("region_column", c_int),
        ("header_guessed", c_int),
        ("first_row", c_char_p),
    ]


class phn_clean_writer_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("delimiter", ctypes.c_char),
        ("columns", c_uint),
        ("reader", POINTER(phn_csv_reader)),
        ("flags", c_uint),
    ]


class phn_clean_report_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("input", c_char_p),
        ("seconds", ctypes.c_double),
    ]


phn_read_cb = ctypes.CFUNCTYPE(ctypes.c_int64, c_void_p, c_size, c_void_p)
phn_clean_row_cb = ctypes.CFUNCTYPE(c_int, POINTER(phn_clean_row), c_void_p)
phn_write_cb = ctypes.CFUNCTYPE(c_int, c_void_p, c_size, c_void_p)

PHN_CLEAN_OUTPUT_CLEAN = 1
PHN_CLEAN_OUTPUT_REJECTS = 2
PHN_CLEAN_OUTPUT_DUPLICATES = 3
PHN_CLEAN_COUNT_REJECTED = 1
PHN_CLEAN_COUNT_CLEAN_TYPE = 2

# ---- dispatch ----------------------------------------------------------

phn_dispatch_trace_cb = ctypes.CFUNCTYPE(None, c_char_p, c_void_p)


class phn_dispatch_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("base_url", c_char_p),
        ("token", c_char_p),
        ("token_file", c_char_p),
        ("flags", c_uint),
        ("connect_timeout_ms", ctypes.c_int64),
        ("timeout_ms", ctypes.c_int64),
        ("max_in_flight", c_uint),
        ("trace", phn_dispatch_trace_cb),
        ("trace_payload", c_void_p),
    ]


class phn_dispatch_kv(ctypes.Structure):
    _fields_ = [("key", c_char_p), ("value", c_char_p)]


class phn_dispatch_call(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("number", c_char_p),
        ("country_code", c_char_p),
        ("first_name", c_char_p),
        ("last_name", c_char_p),
        ("email", c_char_p),
        ("contact_uuid", c_char_p),
        ("template_id", c_char_p),
        ("prompt_tags", POINTER(phn_dispatch_kv)),
        ("prompt_tags_count", c_size),
        ("prompt_tags_json", c_char_p),
        ("metadata", POINTER(phn_dispatch_kv)),
        ("metadata_count", c_size),
        ("metadata_json", c_char_p),
        ("update_existing", c_int),
        ("create_if_not_exists", c_int),
        ("flags", c_uint),
    ]


class phn_dispatch_contact(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("name", c_char_p),
        ("phone_number", c_char_p),
        ("country_code", c_char_p),
        ("email", c_char_p),
        ("role", c_char_p),
        ("flags", c_uint),
    ]


class phn_dispatch_invoice(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("number", c_char_p),
        ("date", c_char_p),
        ("due_date", c_char_p),
        ("total", c_char_p),
        ("contact_uuid", c_char_p),
    ]


class phn_dispatch_detail(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("loc", c_char_p),
        ("loc_parts", POINTER(c_char_p)),
        ("loc_count", c_size),
        ("msg", c_char_p),
        ("type", c_char_p),
    ]


class phn_dispatch_result(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_u64),
        ("kind", c_int),
        ("outcome", c_int),
        ("http_status", c_int),
        ("number", c_char_p),
        ("call_id", c_char_p),
        ("status", c_char_p),
        ("contact_uuid", c_char_p),
        ("uuid", c_char_p),
        ("details_count", c_size),
        ("message", c_char_p),
        ("body", c_void_p),
        ("body_len", c_size),
        ("body_truncated", c_int),
        ("retry_after", c_char_p),
        ("retry_after_seconds", ctypes.c_int64),
        ("error", c_char_p),
        ("elapsed_ms", ctypes.c_int64),
    ]


phn_dispatch_done_cb = ctypes.CFUNCTYPE(None, POINTER(phn_dispatch_result), c_void_p)

# ---- functions ---------------------------------------------------------


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = POINTER
strerror = _fn("phn_strerror", c_char_p, c_int)
error_name = _fn("phn_error_name", c_char_p, c_int)
error_last = _fn("phn_error_last", c_char_p)
error_last_code = _fn("phn_error_last_code", c_int)
error_clear = _fn("phn_error_clear", None)
phn_version = _fn("phn_version", c_char_p)
phn_version_number = _fn("phn_version_number", c_int)

number_init = _fn("phn_number_init", c_int, P(phn_number), c_uint)
number_parse_n = _fn("phn_number_parse_n", c_int, P(phn_number), c_char_p, c_size, c_char_p)
number_format = _fn("phn_number_format", c_int, c_char_p, c_size, P(c_size), P(phn_number), c_int)
number_format_ooc = _fn("phn_number_format_out_of_country", c_int, c_char_p, c_size, P(c_size),
                        P(phn_number), c_char_p)
number_info = _fn("phn_number_info", c_int, P(phn_info), P(phn_number), c_char_p)
number_location = _fn("phn_number_location", c_int, c_char_p, c_size, P(c_size), P(phn_number),
                      c_char_p)
status_name = _fn("phn_status_name", c_char_p, c_int)
status_describe = _fn("phn_status_describe", c_char_p, c_int)
type_name = _fn("phn_type_name", c_char_p, c_int)
short_cost_name = _fn("phn_short_cost_name", c_char_p, c_int)
region_is_known = _fn("phn_region_is_known", c_int, c_char_p)
region_canonical = _fn("phn_region_canonical", c_int, c_char_p, c_char_p)
region_country_code = _fn("phn_region_country_code", c_int, c_char_p)
metadata_version = _fn("phn_metadata_version", c_char_p)

dedupe_set_new = _fn("phn_dedupe_set_new", c_int, P(P(phn_dedupe_set)), c_size)
dedupe_set_free = _fn("phn_dedupe_set_free", None, P(phn_dedupe_set))
dedupe_set_insert = _fn("phn_dedupe_set_insert", c_int, P(c_int), P(c_u64), P(phn_dedupe_set),
                        c_u64, c_u64)
dedupe_set_contains = _fn("phn_dedupe_set_contains", c_int, P(c_int), P(c_u64),
                          P(phn_dedupe_set), c_u64)
dedupe_set_count = _fn("phn_dedupe_set_count", c_size, P(phn_dedupe_set))
dedupe_set_memory = _fn("phn_dedupe_set_memory", c_size, P(phn_dedupe_set))

number_parse_batch = _fn("phn_number_parse_batch", c_int, P(phn_number), P(c_char_p), P(c_size),
                         c_size, c_char_p, c_uint)

csv_reader_open = _fn("phn_csv_reader_open", c_int, P(P(phn_csv_reader)), c_char_p,
                      P(phn_csv_options))
csv_reader_from_callback = _fn("phn_csv_reader_from_callback", c_int, P(P(phn_csv_reader)),
                               phn_read_cb, c_void_p, P(phn_csv_options))
csv_reader_free = _fn("phn_csv_reader_free", None, P(phn_csv_reader))
csv_reader_had_bom = _fn("phn_csv_reader_had_bom", c_int, P(phn_csv_reader))
csv_problem_name = _fn("phn_csv_problem_name", c_char_p, c_int)

cleaner_new = _fn("phn_cleaner_new", c_int, P(P(phn_cleaner)), P(phn_clean_options))
cleaner_free = _fn("phn_cleaner_free", None, P(phn_cleaner))
cleaner_run = _fn("phn_cleaner_run", c_int, P(phn_cleaner), P(phn_csv_reader), phn_clean_row_cb,
                  c_void_p)
cleaner_summary = _fn("phn_cleaner_summary", c_int, P(phn_clean_summary), P(phn_cleaner))
cleaner_region_count = _fn("phn_cleaner_region_count", c_int, c_char_p, P(c_u64), P(phn_cleaner),
                           c_size)
cleaner_count = _fn("phn_cleaner_count", c_int, P(c_u64), P(phn_cleaner), c_int, c_uint)
cleaner_report_json = _fn("phn_cleaner_report_json", c_int, c_char_p, c_size, P(c_size),
                          P(phn_cleaner), P(phn_clean_report_options))
clean_writer_new = _fn("phn_clean_writer_new", c_int, P(P(phn_clean_writer)), c_int, phn_write_cb,
                       c_void_p, P(phn_clean_writer_options))
clean_writer_row = _fn("phn_clean_writer_row", c_int, P(phn_clean_writer), P(phn_clean_row))
clean_writer_finish = _fn("phn_clean_writer_finish", c_int, P(phn_clean_writer))
clean_writer_free = _fn("phn_clean_writer_free", None, P(phn_clean_writer))
row_outcome_name = _fn("phn_row_outcome_name", c_char_p, c_int)
reject_reason_name = _fn("phn_reject_reason_name", c_char_p, c_int)

dispatch_options_init = _fn("phn_dispatch_options_init", c_int, P(phn_dispatch_options), c_uint)
dispatch_new = _fn("phn_dispatch_new", c_int, P(P(phn_dispatch)), P(phn_dispatch_options))
dispatch_free = _fn("phn_dispatch_free", None, P(phn_dispatch))
dispatch_has_token = _fn("phn_dispatch_has_token", c_int, P(phn_dispatch))
dispatch_user_agent = _fn("phn_dispatch_user_agent", c_char_p)
dispatch_call_init = _fn("phn_dispatch_call_init", c_int, P(phn_dispatch_call), c_uint)
dispatch_contact_init = _fn("phn_dispatch_contact_init", c_int, P(phn_dispatch_contact), c_uint)
dispatch_invoice_init = _fn("phn_dispatch_invoice_init", c_int, P(phn_dispatch_invoice), c_uint)
dispatch_url = _fn("phn_dispatch_url", c_int, c_char_p, c_size, P(c_size), P(phn_dispatch), c_int)
dispatch_describe = {
    0: _fn("phn_dispatch_describe_call", c_int, P(P(phn_dispatch_request)), P(phn_dispatch),
           P(phn_dispatch_call)),
    1: _fn("phn_dispatch_describe_contact", c_int, P(P(phn_dispatch_request)), P(phn_dispatch),
           P(phn_dispatch_contact)),
    2: _fn("phn_dispatch_describe_invoice", c_int, P(P(phn_dispatch_request)), P(phn_dispatch),
           P(phn_dispatch_invoice)),
}
dispatch_request_free = _fn("phn_dispatch_request_free", None, P(phn_dispatch_request))
dispatch_request_kind = _fn("phn_dispatch_request_kind", c_int, P(phn_dispatch_request))
dispatch_request_method = _fn("phn_dispatch_request_method", c_char_p, P(phn_dispatch_request))
dispatch_request_url = _fn("phn_dispatch_request_url", c_char_p, P(phn_dispatch_request))
dispatch_request_header_count = _fn("phn_dispatch_request_header_count", c_size,
                                    P(phn_dispatch_request))
dispatch_request_header = _fn("phn_dispatch_request_header", c_int, P(c_char_p), P(c_char_p),
                              P(phn_dispatch_request), c_size)
dispatch_request_body = _fn("phn_dispatch_request_body", c_void_p, P(c_size),
                            P(phn_dispatch_request))
dispatch_send = {
    0: _fn("phn_dispatch_send_call", c_int, P(P(phn_dispatch_result)), P(phn_dispatch),
           P(phn_dispatch_call)),
    1: _fn("phn_dispatch_send_contact", c_int, P(P(phn_dispatch_result)), P(phn_dispatch),
           P(phn_dispatch_contact)),
    2: _fn("phn_dispatch_send_invoice", c_int, P(P(phn_dispatch_result)), P(phn_dispatch),
           P(phn_dispatch_invoice)),
}
dispatch_submit = {
    0: _fn("phn_dispatch_submit_call", c_int, P(c_u64), P(phn_dispatch), P(phn_dispatch_call),
           phn_dispatch_done_cb, c_void_p),
    1: _fn("phn_dispatch_submit_contact", c_int, P(c_u64), P(phn_dispatch),
           P(phn_dispatch_contact), phn_dispatch_done_cb, c_void_p),
    2: _fn("phn_dispatch_submit_invoice", c_int, P(c_u64), P(phn_dispatch),
           P(phn_dispatch_invoice), phn_dispatch_done_cb, c_void_p),
}
dispatch_result_free = _fn("phn_dispatch_result_free", None, P(phn_dispatch_result))
dispatch_result_detail = _fn("phn_dispatch_result_detail", P(phn_dispatch_detail),
                             P(phn_dispatch_result), c_size)
dispatch_outcome_name = _fn("phn_dispatch_outcome_name", c_char_p, c_int)
dispatch_outcome_describe = _fn("phn_dispatch_outcome_describe", c_char_p, c_int)
dispatch_kind_name = _fn("phn_dispatch_kind_name", c_char_p, c_int)
dispatch_poll = _fn("phn_dispatch_poll", c_int, P(c_size), P(phn_dispatch), c_int)
dispatch_run = _fn("phn_dispatch_run", c_int, P(phn_dispatch))
dispatch_pending = _fn("phn_dispatch_pending", c_size, P(phn_dispatch))

# ---- campaign: the dialer ----------------------------------------------

PHN_CALL_WINDOW_VERSION = 1
PHN_DIAL_OPTIONS_VERSION = 2
PHN_DIAL_PROGRESS_VERSION = 2
PHN_DIAL_REDIAL_UNDELIVERED = 1 << 0
PHN_DIAL_EVENT_VERSION = 1
PHN_DIAL_DRY_RUN = 1 << 0
PHN_DIAL_NO_WAIT = 1 << 1
PHN_DIAL_RETRY_UNKNOWN = 1 << 2


class phn_call_window(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("start_minute", c_int),
        ("end_minute", c_int),
        ("days", c_uint),
    ]


class phn_dialer(ctypes.Structure):
    pass


class phn_dial_plan(ctypes.Structure):
    pass


class phn_dial_progress(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("rows", c_u64),
        ("pending", c_u64),
        ("waiting", c_u64),
        ("in_flight", c_u64),
        ("accepted", c_u64),
        ("rejected", c_u64),
        ("failed", c_u64),
        ("unknown", c_u64),
        ("skipped", c_u64),
        ("sent", c_u64),
        ("retries", c_u64),
        ("rate", ctypes.c_double),
        ("eta_seconds", ctypes.c_double),
        ("now_ms", ctypes.c_int64),
        ("redialed", c_u64),          # version 2
    ]


class phn_dial_event(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("kind", c_int),
        ("progress", POINTER(phn_dial_progress)),
        ("line", c_u64),
        ("step", c_char_p),
        ("dispatch_id", c_char_p),
        ("outcome", c_char_p),
        ("http_status", c_int),
        ("detail", c_char_p),
        ("state", c_char_p),
        ("call_id", c_char_p),
        ("at_ms", ctypes.c_int64),
        ("region", c_char_p),
        ("count", c_u64),
        ("retry_after_s", ctypes.c_int64),
        ("cap_ms", ctypes.c_int64),
    ]


phn_dial_event_cb = ctypes.CFUNCTYPE(c_int, POINTER(phn_dial_event), c_void_p)


class phn_dial_options(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("flags", c_uint),
        ("list_path", c_char_p),
        ("csv", POINTER(phn_csv_options)),
        ("clean", POINTER(phn_clean_options)),
        ("dispatch", POINTER(phn_dispatch_options)),
        ("first_name_column", c_char_p),
        ("last_name_column", c_char_p),
        ("email_column", c_char_p),
        ("contact_uuid_column", c_char_p),
        ("timezone_column", c_char_p),
        ("tags", POINTER(phn_dispatch_kv)),
        ("tags_count", c_size),
        ("meta", POINTER(phn_dispatch_kv)),
        ("meta_count", c_size),
        ("template_id", c_char_p),
        ("update_existing", c_int),
        ("create_if_not_exists", c_int),
        ("invoice_number_column", c_char_p),
        ("invoice_date_column", c_char_p),
        ("invoice_due_date_column", c_char_p),
        ("invoice_total_column", c_char_p),
        ("rate", ctypes.c_double),
        ("concurrency", c_uint),
        ("max_retries", c_uint),
        ("retry_cap_ms", ctypes.c_int64),
        ("max_attempts", c_uint),
        ("window_hours", c_char_p),
        ("window_days", c_char_p),
        ("test_now_ms", ctypes.c_int64),
        ("on_event", phn_dial_event_cb),
        ("payload", c_void_p),
        ("redial_flags", c_uint),     # version 2
        ("redial_after_ms", ctypes.c_int64),
    ]


call_window_init = _fn("phn_call_window_init", c_int, P(phn_call_window), c_uint)
call_window_parse = _fn("phn_call_window_parse", c_int, P(phn_call_window), c_char_p, c_char_p)
csv_options_init = _fn("phn_csv_options_init", c_int, P(phn_csv_options), c_uint)
clean_options_init = _fn("phn_clean_options_init", c_int, P(phn_clean_options), c_uint)
dial_options_init = _fn("phn_dial_options_init", c_int, P(phn_dial_options), c_uint)
dialer_open = _fn("phn_dialer_open", c_int, P(P(phn_dialer)), c_char_p, P(phn_dial_options))
dialer_free = _fn("phn_dialer_free", None, P(phn_dialer))
dialer_run = _fn("phn_dialer_run", c_int, P(phn_dialer))
dialer_stop = _fn("phn_dialer_stop", None, P(phn_dialer))
dialer_summary = _fn("phn_dialer_summary", c_int, P(phn_dial_progress), P(c_int), P(phn_dialer))
dialer_campaign_id = _fn("phn_dialer_campaign_id", c_char_p, P(phn_dialer))
dialer_plan = _fn("phn_dialer_plan", c_int, P(P(phn_dial_plan)), P(phn_dialer))
dial_plan_free = _fn("phn_dial_plan_free", None, P(phn_dial_plan))
dial_plan_counts = _fn("phn_dial_plan_counts", c_int, P(c_u64), P(c_u64), P(c_u64), P(c_u64),
                       P(ctypes.c_double), P(phn_dial_plan))
dial_plan_skipped = _fn("phn_dial_plan_skipped", c_int, P(c_char_p), P(c_u64), P(phn_dial_plan),
                        c_size)
dial_plan_request = _fn("phn_dial_plan_request", P(phn_dispatch_request), P(c_u64),
                        P(phn_dial_plan), c_size)
dial_plan_redial = _fn("phn_dial_plan_redial", c_int, P(c_u64), P(c_u64), P(ctypes.c_int64),
                       P(phn_dial_plan))


class phn_campaign_report(ctypes.Structure):
    pass


campaign_report_open = _fn("phn_campaign_report_open", c_int, P(P(phn_campaign_report)), c_char_p)
campaign_report_free = _fn("phn_campaign_report_free", None, P(phn_campaign_report))
campaign_report_write_summary = _fn("phn_campaign_report_write_summary", c_int,
                                    P(phn_campaign_report), phn_write_cb, c_void_p)
dial_plan_window = _fn("phn_dial_plan_window", c_int, P(c_char_p), P(c_u64), P(c_int),
                       P(ctypes.c_int64), P(phn_dial_plan), c_size)

_major = phn_version_number() // 10000
if _major != ABI_MAJOR:
    raise ImportError("phonenorm: %s is version %s; this binding needs major version %d"
                      % (path, phn_version().decode(), ABI_MAJOR))


# ---- helpers -----------------------------------------------------------


def check(rc, detail=None):
    """Raise the Error subclass for a negative PHN_E* code. Its detail is the
    given one, else the C library's phn_error_last() for this thread (every
    failing C call sets it), when that belongs to this code."""
    if rc < 0:
        if detail is None and error_last_code() == rc:
            detail = text(error_last())
        raise error_for(rc, strerror(rc).decode("utf-8", "replace"), detail)
    return rc


def error(code, detail=None):
    """The exception for code, with phn_strerror()'s text (for argument
    problems the binding catches before C could misread them)."""
    return error_for(code, strerror(code).decode("utf-8", "replace"), detail)


def text(b):
    """A static or struct string from C as str ("" for NULL)."""
    if not b:
        return ""
    return b.decode("utf-8", "replace")


def read_sized(call, detail=None):
    """Run call(dst, cap, needed_ptr) -> rc with the usual PHN_EBUFS retry and
    return the string it wrote. detail, if given, is called on an error for
    the handle's explanation."""
    needed = c_size(0)
    cap = 256
    for _ in range(4):
        buf = ctypes.create_string_buffer(cap)
        rc = call(buf, cap, ctypes.byref(needed))
        if rc == PHN_EBUFS and needed.value + 1 > cap:
            cap = needed.value + 1
            continue
        break
    if rc < 0:
        check(rc, detail() if detail else None)
    return buf.raw[:min(needed.value, cap - 1)].decode("utf-8", "replace")
