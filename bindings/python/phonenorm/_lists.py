"""Lists: the dedupe set and the list cleaner (include/phonenorm/list.h).
Batch parsing, also from list.h, is phonenorm.parse_many()."""

import ctypes
import os
import threading
from dataclasses import dataclass

from . import _lib
from ._errors import InvalidArgumentError
from ._number import Number, NumberType, Status, _NamedEnum, _encode_region, parse


class RowOutcome(_NamedEnum):
    """What became of a row (phn_row_outcome)."""
    CLEAN = ("clean", 0)
    REJECTED = ("rejected", 1)
    DUPLICATE = ("duplicate", 2)
    HEADER = ("header", 3)


class RejectReason(_NamedEnum):
    """Why a row was rejected (phn_reject_reason)."""
    NONE = ("none", 0)
    MALFORMED_CSV = ("malformed_csv", 1)
    FIELD_COUNT = ("field_count", 2)
    EMPTY = ("empty", 3)
    BAD_TEXT = ("bad_text", 4)
    BAD_REGION = ("bad_region", 5)
    NOT_A_NUMBER = ("not_a_number", 6)
    INVALID_COUNTRY_CODE = ("invalid_country_code", 7)
    TOO_SHORT = ("too_short", 8)
    TOO_LONG = ("too_long", 9)
    INVALID_LENGTH = ("invalid_length", 10)
    NEEDS_REGION = ("needs_region", 11)
    LOCAL_ONLY = ("local_only", 12)
    NOT_VALID = ("not_valid", 13)
    TYPE_NOT_ALLOWED = ("type_not_allowed", 14)
    SUPPRESSED = ("suppressed", 15)


_KEY_MAX = (1 << 64) - 1


class DedupeSet:
    """A set of phone numbers keyed on their E.164 form (phn_dedupe_set),
    each with an integer value (e.g. the line of the first occurrence).

    Items are Number objects, strings (parsed with the set's region) or raw
    keys (Number.key). Two items are the same exactly when their E.164 forms
    are: "0501234567" (region SA) and "+966 50 123 4567" are one entry.
    Adding text that holds no number raises InvalidArgumentError; asking
    whether such text is in the set answers False.

    Safe to share between Python threads (calls are serialised). Pass it as
    clean(suppress=...) to reject its numbers as do-not-call.
    """

    def __init__(self, numbers=(), region=None, expected=0):
        if isinstance(expected, bool) or not isinstance(expected, int):
            raise TypeError("expected must be an int")
        if expected < 0:
            raise ValueError("expected must be 0 or more")
        r = _encode_region(region)
        if r is not None and not _lib.region_is_known(r):
            raise _lib.error(_lib.PHN_EREGION, "%r" % (region,))
        self._region = region or None
        self._lock = threading.RLock()
        self._set = None
        p = ctypes.POINTER(_lib.phn_dedupe_set)()
        _lib.check(_lib.dedupe_set_new(ctypes.byref(p), min(expected, 1 << 40)))
        self._set = p
        if isinstance(numbers, (str, bytes)):
            raise TypeError("numbers must be an iterable of numbers, not a single %s"
                            % type(numbers).__name__)
        self.update(numbers)

    @property
    def region(self):
        """The region strings are parsed with (None: none)."""
        return self._region

    def _handle(self):
        if self._set is None:
            raise ValueError("operation on a closed DedupeSet")
        return self._set

    def key_of(self, item):
        """The key of item: a Number's key, an int as it is, a string's
        parsed key (0 when it holds no number)."""
        if isinstance(item, Number):
            return item.key
        if isinstance(item, bool):
            raise TypeError("a DedupeSet item is a Number, a str or an int key, not bool")
        if isinstance(item, int):
            if not 0 <= item <= _KEY_MAX:
                raise ValueError("a number key is between 1 and 2**64-1, not %d" % item)
            return item
        if isinstance(item, (str, bytes, bytearray)):
            try:
                return parse(item, self._region).key
            except InvalidArgumentError:  # not UTF-8: no number, no key
                return 0
        raise TypeError("a DedupeSet item is a Number, a str or an int key, not %s"
                        % type(item).__name__)

    def insert(self, item, value=0):
        """Add item with value unless its number is already there. Returns
        (is_new, first_value): first_value is the value stored with the
        number, value itself when it is new."""
        key = self.key_of(item)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("value must be an int")
        if not 0 <= value <= _KEY_MAX:
            raise ValueError("value must be between 0 and 2**64-1")
        if key == 0:
            raise _lib.error(_lib.PHN_EINVAL, "%r is not a phone number: it has no key" % (item,))
        is_new = ctypes.c_int(0)
        first = _lib.c_u64(0)
        with self._lock:
            _lib.check(_lib.dedupe_set_insert(ctypes.byref(is_new), ctypes.byref(first),
                                              self._handle(), key, value))
        return bool(is_new.value), first.value

    def add(self, item, value=0):
        """Add item; True if its number was new, False if already present."""
        return self.insert(item, value)[0]

    def update(self, items, start_value=0):
        """Add every item (with values start_value, start_value + 1, ...);
        returns how many were new."""
        new = 0
        for i, item in enumerate(items):
            new += self.insert(item, start_value + i)[0]
        return new

    def get(self, item, default=None):
        """The value stored with item's number, or default."""
        key = self.key_of(item)
        if key == 0:
            return default
        found = ctypes.c_int(0)
        value = _lib.c_u64(0)
        with self._lock:
            _lib.check(_lib.dedupe_set_contains(ctypes.byref(found), ctypes.byref(value),
                                                self._handle(), key))
        return value.value if found.value else default

    def __contains__(self, item):
        try:
            return self.get(item, None) is not None
        except (TypeError, ValueError):
            return False

    def __len__(self):
        with self._lock:
            return _lib.dedupe_set_count(self._handle())

    @property
    def memory(self):
        """Bytes the set holds on the C heap."""
        with self._lock:
            return _lib.dedupe_set_memory(self._handle())

    def close(self):
        """Free the C set now (also done when the object is collected)."""
        with self._lock:
            if self._set is not None:
                _lib.dedupe_set_free(self._set)
                self._set = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_set", None) is not None:
            try:
                _lib.dedupe_set_free(self._set)
            except (AttributeError, TypeError):  # interpreter shutdown
                pass
            self._set = None

    def __repr__(self):
        if self._set is None:
            return "<phonenorm.DedupeSet closed>"
        return "<phonenorm.DedupeSet %d numbers>" % len(self)


@dataclass(frozen=True)
class CleanRow:
    """One record as the cleaner classified it (phn_clean_row), given to
    clean(on_row=...). The header comes too, with outcome HEADER."""
    outcome: RowOutcome
    reason: RejectReason
    #: Line the row starts on (the header is line 1).
    line: int
    #: For a duplicate, the line of the first occurrence (which is kept); else 0.
    duplicate_of: int
    number: Number
    #: Decoded fields (UTF-8, undecodable bytes replaced); empty for a record
    #: too long to split.
    fields: tuple
    #: The record exactly as in the input, without its line ending.
    raw: bytes


# ---- clean ------------------------------------------------------------


def _csv_field(data, delim):
    if any(c in data for c in (b'"', b"\n", b"\r", delim)):
        return b'"' + data.replace(b'"', b'""') + b'"'
    return data


class _Sink:
    """An output: a path we open and close, or a binary file we only write."""

    def __init__(self, target, what):
        self.f = None
        self.own = False
        self.bom_done = False
        if target is None:
            return
        if isinstance(target, (str, bytes, os.PathLike)):
            self.f = open(target, "wb")
            self.own = True
        elif hasattr(target, "write"):
            self.f = target
        else:
            raise TypeError("%s must be a path, a binary file or None, not %s"
                            % (what, type(target).__name__))

    def close(self):
        if self.f is not None and self.own:
            self.f.close()
        self.f = None


class _Run:
    def __init__(self, text_mode, delim, keep_possible, on_row, sinks):
        self.text_mode = text_mode
        self.delim = delim
        self.keep_possible = keep_possible
        self.on_row = on_row
        self.out, self.rejects, self.dups = sinks
        self.reader = None
        self.eol = None
        self.exc = None

    def original(self, rec, raw):
        verbatim = not self.text_mode and rec.problem in (0, 3)  # OK, FIELD_COUNT
        return raw if verbatim else _csv_field(raw, self.delim)

    def put(self, sink, line):
        if not sink.bom_done:
            if _lib.csv_reader_had_bom(self.reader):
                sink.f.write(b"\xef\xbb\xbf")
            sink.bom_done = True
        sink.f.write(line)

    def row(self, row_p, _payload):
        try:
            self._row(row_p.contents)
            return 0
        except BaseException as e:  # noqa: B902 - stop the C run, re-raise after it
            self.exc = e
            return 1

    def _row(self, row):
        rec = row.record.contents
        raw = ctypes.string_at(rec.raw, rec.raw_len) if rec.raw_len else b""
        if self.eol is None:
            self.eol = rec.eol or b"\n"
        d, eol = self.delim, self.eol
        outcome = row.outcome
        if outcome == 3:  # header
            orig = self.original(rec, raw)
            if self.out.f:
                extra = d + b"e164" + d + b"number_type"
                if self.keep_possible:
                    extra += d + b"number_status"
                self.put(self.out, orig + extra + eol)
            if self.rejects.f:
                self.put(self.rejects, orig + d + b"reject_reason" + d + b"line" + eol)
            if self.dups.f:
                self.put(self.dups, orig + d + b"e164" + d + b"duplicate_of_line" + eol)
        elif outcome == 0 and self.out.f:
            num = row.number
            t = _lib.type_name(num.type) if num.status == Status.VALID.code else b"unknown"
            line = self.original(rec, raw) + d + num.e164 + d + t
            if self.keep_possible:
                line += d + _lib.status_name(num.status)
            self.put(self.out, line + eol)
        elif outcome == 1 and self.rejects.f:
            self.put(self.rejects, self.original(rec, raw) + d + _lib.reject_reason_name(row.reason)
                     + d + str(row.line).encode() + eol)
        elif outcome == 2 and self.dups.f:
            self.put(self.dups, self.original(rec, raw) + d + row.number.e164 + d
                     + str(row.duplicate_of).encode() + eol)
        if self.on_row is not None:
            fields = tuple(ctypes.string_at(rec.fields[i], rec.lens[i]).decode("utf-8", "replace")
                           for i in range(rec.nfields))
            self.on_row(CleanRow(outcome=RowOutcome.from_code(outcome),
                                 reason=RejectReason.from_code(row.reason), line=row.line,
                                 duplicate_of=row.duplicate_of,
                                 number=Number._from_c(row.number), fields=fields, raw=raw))


class _Source:
    """A binary file object as a phn_read_fn."""

    def __init__(self, f):
        self.f = f
        self.exc = None
        self.fn = _lib.phn_read_fn(self.read)

    def read(self, buf, cap, _payload):
        try:
            data = self.f.read(cap)
            if data is None:  # a non-blocking stream with nothing yet
                data = b""
            if isinstance(data, str):
                raise TypeError("clean() input must be opened in binary mode ('rb')")
            data = bytes(data)
            if len(data) > cap:
                raise ValueError("read(%d) returned %d bytes" % (cap, len(data)))
            ctypes.memmove(buf, data, len(data))
            return len(data)
        except BaseException as e:  # noqa: B902 - the reader reports -1, we re-raise
            self.exc = e
            return -1


def _column(value, what):
    """A column option as (name bytes or None, 0-based index or -1)."""
    if value is None:
        return None, -1
    if isinstance(value, bool):
        raise TypeError("%s must be a column name (str) or a 0-based index (int)" % what)
    if isinstance(value, int):
        if not 0 <= value < (1 << 31) - 1:
            raise ValueError("%s index must be 0 or more" % what)
        return None, value
    if isinstance(value, str):
        if value == "" or "\0" in value:
            raise ValueError("%s name must be a non-empty string without NUL" % what)
        return value.encode("utf-8", "surrogatepass"), -1
    raise TypeError("%s must be a column name (str) or a 0-based index (int), not %s"
                    % (what, type(value).__name__))


def _types_mask(types):
    if types is None:
        return 0
    if isinstance(types, (str, NumberType)):
        types = [types]
    mask = 0
    for t in types:
        if not isinstance(t, str):
            raise TypeError("types holds number type names such as 'mobile', not %s"
                            % type(t).__name__)
        try:
            member = NumberType(t.lower()) if not isinstance(t, NumberType) else t
        except ValueError:
            raise ValueError("%r is not a number type: use %s"
                             % (t, ", ".join(m.value for m in NumberType))) from None
        mask |= 1 << member.code
    if mask == 0:
        raise ValueError("types needs at least one type (None keeps every type)")
    return mask


def _summary(c):
    s = _lib.phn_clean_summary()
    s.version = _lib.PHN_CLEAN_SUMMARY_VERSION
    _lib.check(_lib.cleaner_summary(ctypes.byref(s), c))
    by_region = {}
    region = ctypes.create_string_buffer(4)
    n = _lib.c_u64(0)
    i = 0
    while True:
        rc = _lib.cleaner_region_count(region, ctypes.byref(n), c, i)
        if rc == _lib.PHN_ENOTFOUND:
            break
        _lib.check(rc)
        by_region[_lib.text(region.value)] = n.value
        i += 1
    return {
        "rows": s.rows,
        "clean": s.clean,
        "rejected": s.rejected,
        "duplicates": s.duplicates,
        "rejected_by_reason": {m.value: s.rejected_by_reason[m.code]
                               for m in RejectReason if m is not RejectReason.NONE},
        "clean_by_type": {m.value: s.clean_by_type[m.code] for m in NumberType},
        "clean_possible": s.clean_possible,
        "blank_lines": s.blank_lines,
        "by_region": by_region,
        "has_header": bool(s.has_header),
        "phone_column": s.phone_column if s.phone_column >= 0 else None,
        "phone_column_name": _lib.text(s.phone_column_name) if s.has_header else None,
        "phone_column_guessed": bool(s.phone_column_guessed),
        "region_column": s.region_column if s.region_column >= 0 else None,
    }


def clean(input, output=None, rejects=None, duplicates=None, *, region=None, header=None,
          phone_column=None, region_column=None, keep_possible=False, types=None,
          suppress=None, threads=1, delimiter=",", text=False, check_field_count=True,
          max_record=0, on_row=None):
    """Clean a phone list with the C list cleaner, as `phonenorm clean` does.

    input is a path or a binary file object. Every data row ends up in exactly
    one place: rows = clean + rejected + duplicates.

    output, rejects, duplicates: where to write the clean rows (every
    original column plus e164 and number_type, and number_status with
    keep_possible), the rejected rows (plus reject_reason and line) and the
    duplicates (plus e164 and duplicate_of_line); each a path, a binary file
    object or None (not written). The files are byte for byte what the CLI
    writes.

    Options, as in phn_clean_options: region (for local numbers); header
    (None: guess, True, False); phone_column and region_column (a header
    name or a 0-based index; None: guess the phone column, no region
    column); keep_possible; types (names such as ["mobile"]; None keeps
    every type); suppress (a DedupeSet of do-not-call numbers); threads (0:
    one per CPU; the result is the same for any number). CSV options:
    delimiter (one character), text (one number per line, no quoting),
    check_field_count, max_record (bytes, 0: 1 MiB). on_row, if given, is
    called with a CleanRow for every record, in input order.

    Returns the summary as a dict (rows, clean, rejected, duplicates,
    rejected_by_reason, clean_by_type, clean_possible, blank_lines,
    by_region, has_header, phone_column, phone_column_name,
    phone_column_guessed, region_column; column indexes are 0-based).

    Raises RegionError (unknown region), NotFoundError (the phone or region
    column does not exist), FormatError (malformed header),
    InputOutputError (input unreadable), an OSError from writing, and any
    exception on_row raised. Outputs already written stay as they are.
    """
    if header is None or (isinstance(header, str) and header.lower() == "auto"):
        header_c = 0
    elif header is True:
        header_c = 1
    elif header is False:
        header_c = 2
    else:
        raise ValueError("header must be None ('auto'), True or False")
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError("threads must be an int")
    if threads < 0:
        raise ValueError("threads must be 0 (one per CPU) or more")
    if threads == 0:
        threads = os.cpu_count() or 1
    threads = min(threads, 256)
    if text:
        delim_c = b"\0"
    else:
        if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n\0' \
                or ord(delimiter) > 127:
            raise ValueError("delimiter must be one ASCII character other than a quote or "
                             "a line break")
        delim_c = delimiter.encode()
    if isinstance(max_record, bool) or not isinstance(max_record, int) or max_record < 0:
        raise ValueError("max_record must be an int, 0 or more")
    if suppress is not None and not isinstance(suppress, DedupeSet):
        raise TypeError("suppress must be a DedupeSet or None")
    if on_row is not None and not callable(on_row):
        raise TypeError("on_row must be callable")

    opts = _lib.phn_clean_options()
    opts.version = _lib.PHN_CLEAN_OPTIONS_VERSION
    opts.region = _encode_region(region)
    opts.header = header_c
    opts.phone_column, opts.phone_column_index = _column(phone_column, "phone_column")
    opts.region_column, opts.region_column_index = _column(region_column, "region_column")
    opts.keep_possible = 1 if keep_possible else 0
    opts.types = _types_mask(types)
    opts.threads = threads
    copts = _lib.phn_csv_options()
    copts.version = _lib.PHN_CSV_OPTIONS_VERSION
    copts.delimiter = delim_c
    copts.check_field_count = 1 if check_field_count else 0
    copts.max_record = max_record

    source = None
    if isinstance(input, (str, bytes, os.PathLike)):
        in_path = os.fsencode(input)
        if b"\0" in in_path:
            raise ValueError("input path contains a NUL character")
    elif hasattr(input, "read"):
        source = _Source(input)
    else:
        raise TypeError("input must be a path or a binary file object, not %s"
                        % type(input).__name__)

    cleaner = ctypes.POINTER(_lib.phn_cleaner)()
    reader = ctypes.POINTER(_lib.phn_csv_reader)()
    sinks = []
    lock = suppress._lock if suppress is not None else threading.RLock()
    with lock:
        try:
            if suppress is not None:
                opts.suppress = suppress._handle()
            _lib.check(_lib.cleaner_new(ctypes.byref(cleaner), ctypes.byref(opts)))
            if source is None:
                ctypes.set_errno(0)
                rc = _lib.csv_reader_open(ctypes.byref(reader), in_path, ctypes.byref(copts))
                if rc == -7:
                    err = ctypes.get_errno()
                    raise _lib.error_for(rc, _lib.text(_lib.strerror(rc)), "cannot read %r: %s"
                                         % (os.fsdecode(in_path), os.strerror(err)))
                _lib.check(rc)
            else:
                _lib.check(_lib.csv_reader_from_callback(ctypes.byref(reader), source.fn, None,
                                                         ctypes.byref(copts)))
            for target, what in ((output, "output"), (rejects, "rejects"),
                                 (duplicates, "duplicates")):
                sinks.append(_Sink(target, what))
            run = _Run(bool(text), b"," if text else delim_c, bool(keep_possible), on_row, sinks)
            run.reader = reader
            need_rows = on_row is not None or any(s.f is not None for s in sinks)
            fn = _lib.phn_clean_row_fn(run.row) if need_rows else _lib.phn_clean_row_fn()
            rc = _lib.cleaner_run(cleaner, reader, fn, None)
            if run.exc is not None:
                raise run.exc
            if source is not None and source.exc is not None:
                raise source.exc
            if rc != 0:
                _lib.check(rc, _lib.text(_lib.cleaner_errmsg(cleaner)) or None)
            return _summary(cleaner)
        finally:
            for s in sinks:
                s.close()
            _lib.csv_reader_free(reader)
            _lib.cleaner_free(cleaner)
