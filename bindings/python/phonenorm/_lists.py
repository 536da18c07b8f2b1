"""Lists: the dedupe set and the list cleaner (include/phonenorm/list.h).
Batch parsing, also from list.h, is phonenorm.parse_many()."""

from __future__ import annotations

import codecs
import ctypes
import io
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import (IO, TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence,
                    Tuple, TypeVar, Union, overload)

from . import _lib
from ._errors import InvalidArgumentError
from ._number import (Number, NumberType, Status, _NamedEnum, _encode_region, _show, _wrong_type,
                      parse)

if TYPE_CHECKING:
    _Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
else:
    # os.PathLike is subscriptable only from Python 3.9: get_type_hints()
    # must resolve these hints on 3.7 too.
    _Path = Union[str, bytes, os.PathLike]

#: What clean() reads and writes: a path (str, bytes or os.PathLike), or a
#: binary stream, or a text stream (UTF-8 as str).
_PathOrStream = Union[_Path, IO[bytes], IO[str]]

#: A DedupeSet item: a Number, text (str, or UTF-8 bytes or bytearray; not
#: memoryview) parsed with the set's region, or a raw key (Number.key).
_Item = Union[Number, str, bytes, bytearray, int]

_T = TypeVar("_T")


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
    TOO_LONG_RECORD = ("too_long_record", 16)


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

    def __init__(self, numbers: Iterable[_Item] = (), region: Optional[str] = None,
                 expected: int = 0) -> None:
        if isinstance(expected, bool) or not isinstance(expected, int):
            raise _wrong_type("expected", "an int", expected)
        if expected < 0:
            raise ValueError("expected must be 0 or more, not %d" % expected)
        r = _encode_region(region)
        if r is not None and not _lib.region_is_known(r):
            raise _lib.error(_lib.PHN_EREGION, _show(region))
        self._region: Optional[str] = region or None
        self._lock = threading.RLock()
        self._set: Any = None
        p = ctypes.POINTER(_lib.phn_dedupe_set)()
        _lib.check(_lib.dedupe_set_new(ctypes.byref(p), min(expected, 1 << 40)))
        self._set = p
        if isinstance(numbers, (str, bytes)):
            raise TypeError("numbers must be an iterable of numbers, not a single %s: %s"
                            % (type(numbers).__name__, _show(numbers)))
        self.update(numbers)

    @property
    def region(self) -> Optional[str]:
        """The region strings are parsed with (None: none)."""
        return self._region

    def _handle(self) -> Any:
        if self._set is None:
            raise ValueError("operation on a closed DedupeSet")
        return self._set

    def key_of(self, item: _Item) -> int:
        """The key of item: a Number's key, an int as it is, a string's
        parsed key (0 when it holds no number)."""
        if isinstance(item, Number):
            return item.key
        if isinstance(item, bool):
            raise _wrong_type("a DedupeSet item", "a Number, a str or an int key", item)
        if isinstance(item, int):
            if not 0 <= item <= _KEY_MAX:
                raise ValueError("a number key is between 1 and 2**64-1, not %d" % item)
            return item
        if isinstance(item, (str, bytes, bytearray)):
            try:
                return parse(item, self._region).key
            except InvalidArgumentError:  # not UTF-8: no number, no key
                return 0
        raise _wrong_type("a DedupeSet item", "a Number, a str or an int key", item)

    def insert(self, item: _Item, value: int = 0) -> Tuple[bool, int]:
        """Add item with value unless its number is already there. Returns
        (is_new, first_value): first_value is the value stored with the
        number, value itself when it is new."""
        key = self.key_of(item)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong_type("value", "an int", value)
        if not 0 <= value <= _KEY_MAX:
            raise ValueError("value must be between 0 and 2**64-1, not %d" % value)
        if key == 0:
            raise _lib.error(_lib.PHN_EINVAL,
                             "%s is not a phone number: it has no key" % _show(item))
        is_new = ctypes.c_int(0)
        first = _lib.c_u64(0)
        with self._lock:
            _lib.check(_lib.dedupe_set_insert(ctypes.byref(is_new), ctypes.byref(first),
                                              self._handle(), key, value))
        return bool(is_new.value), first.value

    def add(self, item: _Item, value: int = 0) -> bool:
        """Add item; True if its number was new, False if already present."""
        return self.insert(item, value)[0]

    def update(self, items: Iterable[_Item], start_value: int = 0) -> int:
        """Add every item (with values start_value, start_value + 1, ...);
        returns how many were new."""
        new = 0
        for i, item in enumerate(items):
            new += self.insert(item, start_value + i)[0]
        return new

    @overload
    def get(self, item: _Item) -> Optional[int]: ...

    @overload
    def get(self, item: _Item, default: _T) -> Union[int, _T]: ...

    def get(self, item: _Item, default: Any = None) -> Any:
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

    def __contains__(self, item: object) -> bool:
        try:  # anything may be asked: what cannot be a number is not in the set
            return self.get(item, None) is not None  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False

    def __len__(self) -> int:
        with self._lock:
            return _lib.dedupe_set_count(self._handle())

    @property
    def memory(self) -> int:
        """Bytes the set holds on the C heap."""
        with self._lock:
            return _lib.dedupe_set_memory(self._handle())

    def close(self) -> None:
        """Free the C set now (also done when the object is collected)."""
        with self._lock:
            if self._set is not None:
                _lib.dedupe_set_free(self._set)
                self._set = None

    def __enter__(self) -> "DedupeSet":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_set", None) is not None:
            try:
                _lib.dedupe_set_free(self._set)
            except (AttributeError, TypeError):  # interpreter shutdown
                pass
            self._set = None

    def __repr__(self) -> str:
        if self._set is None:
            return "<phonenorm.DedupeSet closed>"
        return "<phonenorm.DedupeSet %d numbers>" % len(self)


@dataclass(frozen=True)
class CleanRow:
    """One record as the cleaner classified it (phn_clean_row), given to
    clean(on_row=...). The header comes too, with outcome HEADER."""
    outcome: Union[RowOutcome, int]
    reason: Union[RejectReason, int]
    #: Line the row starts on (the header is line 1).
    line: int
    #: For a duplicate, the line of the first occurrence (which is kept); else 0.
    duplicate_of: int
    number: Number
    #: Decoded fields (UTF-8, undecodable bytes replaced); empty for a record
    #: too long to split. fields[0] is column 1 of the CLI's --column.
    fields: Tuple[str, ...]
    #: The record exactly as in the input, without its line ending.
    raw: bytes


# ---- clean ------------------------------------------------------------
#
# The bytes of every output and of the report are the C library's
# (phn_clean_writer, phn_cleaner_report_json): this module only moves them
# between Python objects and C.


def _encode_text(data: str) -> bytes:
    """Text read from a text stream, as the UTF-8 bytes the reader wants.
    surrogateescape gives back the bytes of a stream opened with
    errors="surrogateescape"; other lone surrogates pass through (and make
    their row bad_text)."""
    try:
        return data.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return data.encode("utf-8", "surrogatepass")


class _Sink:
    """An output: a path we open and close, a binary stream, or a text stream
    (the library's UTF-8 bytes decoded; bytes that are not UTF-8 come as
    surrogate escapes). Given to the C writer as a phn_write_cb."""

    def __init__(self, target: Optional[_PathOrStream], what: str) -> None:
        self.f: Any = None
        self.own = False
        self.decoder: Optional[codecs.IncrementalDecoder] = None
        self.exc: Optional[BaseException] = None
        self.what = what
        if target is None:
            return
        if isinstance(target, (str, bytes, os.PathLike)):
            self.f = open(target, "wb")
            self.own = True
        elif isinstance(target, io.TextIOBase):
            self.f = target
            self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        elif hasattr(target, "write"):
            self.f = target
        else:
            raise _wrong_type(what, "a path, a binary or text stream or None", target)
        self.cb = _lib.phn_write_cb(self._write)

    def write(self, data: bytes) -> None:
        if self.decoder is not None:
            self.f.write(self.decoder.decode(data))
        else:
            self.f.write(data)

    def _write(self, data: int, n: int, _payload: Optional[int]) -> int:
        try:
            self.write(ctypes.string_at(data, n))
            return 0
        except BaseException as e:  # noqa: B902 - the writer fails, we re-raise
            self.exc = e
            return -1

    def close(self) -> None:
        if self.f is not None and self.decoder is not None:
            self.f.write(self.decoder.decode(b"", final=True))
        if self.f is not None and self.own:
            self.f.close()
        self.f = None


class _Writers:
    """One C writer per output that has a target."""

    def __init__(self, sinks: Sequence[_Sink], opts: Any) -> None:
        self.pairs: List[Tuple[_Sink, Any]] = []
        for sink, output in zip(sinks, (_lib.PHN_CLEAN_OUTPUT_CLEAN, _lib.PHN_CLEAN_OUTPUT_REJECTS,
                                        _lib.PHN_CLEAN_OUTPUT_DUPLICATES)):
            if sink.f is None:
                continue
            w = ctypes.POINTER(_lib.phn_clean_writer)()
            _lib.check(_lib.clean_writer_new(ctypes.byref(w), output, sink.cb, None,
                                             ctypes.byref(opts)))
            self.pairs.append((sink, w))

    def row(self, row_p: Any) -> int:
        for _, w in self.pairs:
            rc = _lib.clean_writer_row(w, row_p)
            if rc != 0:
                return rc
        return 0

    def finish(self) -> None:
        for _, w in self.pairs:
            _lib.check(_lib.clean_writer_finish(w))

    def raise_pending(self) -> None:
        for sink, _ in self.pairs:
            if sink.exc is not None:
                raise sink.exc

    def free(self) -> None:
        for _, w in self.pairs:
            _lib.clean_writer_free(w)
        self.pairs = []


class _Run:
    def __init__(self, writers: _Writers, on_row: Optional[Callable[[CleanRow], Any]]) -> None:
        self.writers = writers
        self.on_row = on_row
        self.exc: Optional[BaseException] = None

    def row(self, row_p: Any, _payload: Optional[int]) -> int:
        try:
            rc = self.writers.row(row_p)
            if rc != 0:
                return rc
            if self.on_row is not None:
                self._on_row(row_p.contents)
            return 0
        except BaseException as e:  # noqa: B902 - stop the C run, re-raise after it
            self.exc = e
            return 1

    def _on_row(self, row: Any) -> None:
        rec = row.record.contents
        raw = ctypes.string_at(rec.raw, rec.raw_len) if rec.raw_len else b""
        fields = tuple(ctypes.string_at(rec.fields[i], rec.lens[i]).decode("utf-8", "replace")
                       for i in range(rec.nfields))
        clean_row = CleanRow(outcome=RowOutcome.from_code(row.outcome),
                             reason=RejectReason.from_code(row.reason), line=row.line,
                             duplicate_of=row.duplicate_of,
                             number=Number._from_c(row.number.contents), fields=fields,
                             raw=raw)
        self.on_row(clean_row)  # type: ignore[misc]  # not None: called only with an on_row


class _Source:
    """A binary or text stream as a phn_read_cb. Text is read as UTF-8."""

    def __init__(self, f: Union[IO[bytes], IO[str]]) -> None:
        self.f: IO[Any] = f
        self.exc: Optional[BaseException] = None
        self.pending = b""
        self.text = isinstance(f, io.TextIOBase)
        self.fn = _lib.phn_read_cb(self.read)

    def read(self, buf: int, cap: int, _payload: Optional[int]) -> int:
        try:
            if not self.pending:
                # A character is at most 4 UTF-8 bytes: text never overfills buf.
                data = self.f.read(max(1, cap // 4) if self.text else cap)
                if data is None:  # a non-blocking stream with nothing yet
                    data = b""
                if isinstance(data, str):
                    data = _encode_text(data)
                self.pending = bytes(data)
            n = min(cap, len(self.pending))
            ctypes.memmove(buf, self.pending, n)
            self.pending = self.pending[n:]
            return n
        except BaseException as e:  # noqa: B902 - the reader fails, we re-raise
            self.exc = e
            return -1


def _column(value: Union[str, int, None], what: str) -> Tuple[Optional[bytes], int]:
    """A column option as (name bytes or None, 0-based index or -1). Integers
    are 1-based column numbers, as the CLI's --column."""
    if value is None:
        return None, -1
    if isinstance(value, bool):
        raise _wrong_type(what, "a column name (str) or a 1-based column number (int)", value)
    if isinstance(value, int):
        if not 1 <= value < (1 << 31):
            raise ValueError("%s=%s: column numbers start at 1" % (what, _show(value)))
        return None, value - 1
    if isinstance(value, str):
        if value == "" or "\0" in value:
            raise ValueError("%s=%s: a column name is a non-empty string without NUL"
                             % (what, _show(value)))
        return value.encode("utf-8", "surrogatepass"), -1
    raise _wrong_type(what, "a column name (str) or a 1-based column number (int)", value)


def _types_mask(types: Union[NumberType, str, Iterable[Union[NumberType, str]], None]) -> int:
    if types is None:
        return 0
    if isinstance(types, (str, NumberType)):
        types = [types]
    mask = 0
    for i, t in enumerate(types):
        if not isinstance(t, str):
            raise _wrong_type("types[%d]" % i, "a number type name such as 'mobile'", t)
        try:
            # a lookup by value, not __new__
            member = (NumberType(t.lower())  # type: ignore[call-arg]
                      if not isinstance(t, NumberType) else t)
        except ValueError:
            raise ValueError("%s is not a number type: use %s"
                             % (_show(t), ", ".join(m.value for m in NumberType))) from None
        mask |= 1 << member.code
    if mask == 0:
        raise ValueError("types=%s: give at least one type (None keeps every type)"
                         % _show(types))
    return mask


def _report_json(c: Any, input_name: str, seconds: float) -> str:
    opts = _lib.phn_clean_report_options()
    opts.version = _lib.PHN_CLEAN_REPORT_OPTIONS_VERSION
    opts.input = input_name.encode("utf-8", "surrogateescape")
    opts.seconds = seconds
    return _lib.read_sized(lambda dst, cap, need: _lib.cleaner_report_json(
        dst, cap, need, c, ctypes.byref(opts)))


def _write_report(target: _PathOrStream, text: str) -> None:
    if isinstance(target, (str, bytes, os.PathLike)):
        with open(target, "wb") as f:
            f.write(text.encode("utf-8"))
    elif isinstance(target, io.TextIOBase):
        target.write(text)
    else:
        target.write(text.encode("utf-8"))  # type: ignore[arg-type]  # a binary stream


def _input_name(input: _PathOrStream) -> str:
    if isinstance(input, (str, bytes, os.PathLike)):
        return os.fsdecode(input)
    name = getattr(input, "name", None)
    return name if isinstance(name, str) else "-"


def clean(input: _PathOrStream, output: Optional[_PathOrStream] = None,
          rejects: Optional[_PathOrStream] = None, duplicates: Optional[_PathOrStream] = None, *,
          report: Optional[_PathOrStream] = None, region: Optional[str] = None,
          header: Union[bool, str, None] = None, phone_column: Union[str, int, None] = None,
          region_column: Union[str, int, None] = None, keep_possible: bool = False,
          types: Union[NumberType, str, Iterable[Union[NumberType, str]], None] = None,
          suppress: Optional[DedupeSet] = None, threads: int = 1,
          delimiter: Optional[str] = None, text: bool = False, check_field_count: bool = True,
          max_record: int = 0, safe_for_spreadsheets: bool = False,
          on_row: Optional[Callable[[CleanRow], Any]] = None,
          max_record_bytes: Optional[int] = None) -> Dict[str, Any]:
    """Clean a phone list with the C list cleaner, as `phonenorm clean` does.

    input is a path, a binary stream or a text stream (read as UTF-8; open
    files with newline="" so that line endings reach the cleaner as they
    are). Every data row ends up in exactly one place: rows = clean +
    rejected + duplicates.

    output, rejects, duplicates: where to write the clean rows (every
    original column plus e164 and number_type, and number_status with
    keep_possible), the rejected rows (plus reject_reason and line) and the
    duplicates (plus e164 and duplicate_of_line); report: where to write the
    summary as JSON. Each is a path, a binary or text stream, or None (not
    written). The C library writes them: the bytes are the CLI's.

    Options, as in phn_clean_options: region (for local numbers); header
    (None: guess, True, False); phone_column and region_column (a header
    name, or a column number counted from 1 as the CLI's --column; None:
    guess the phone column, no region column); keep_possible; types (names
    such as ["mobile"]; None keeps every type); suppress (a DedupeSet of
    do-not-call numbers); threads (0: one per CPU; the result is the same
    for any number). CSV options: delimiter (one character; None: sniffed
    from the first lines among , ; TAB |, as the CLI does without -d), text (one
    number per line, no quoting), check_field_count, max_record_bytes (or
    max_record: the longest row read whole, in bytes; 0 or None: 1 MiB; at
    most 1 GiB; a longer row is rejected as too_long_record, its first
    max_record_bytes bytes kept in rejects with a cut_at_byte note).
    on_row, if given, is called with a CleanRow for every record, in input
    order.

    safe_for_spreadsheets: neutralise CSV formula injection in the outputs
    (PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS): a cell that starts with =, +,
    -, @, a tab or a carriage return, and is not simply a number, is
    written quoted with a ' before it. Default False: the original bytes.

    Returns the summary: the report as a dict, with report.json's keys
    (input, rows, clean, rejected, duplicates, possible_kept, blank_lines,
    rejected_by_reason, by_region, by_type, delimiter, delimiter_sniffed,
    header_guessed, first_row, has_header, phone_column
    {index, name, guessed}, region_column, region, keep_possible, threads,
    seconds, metadata_version); column numbers count from 1.

    Raises RegionError (unknown region), NotFoundError (the phone or region
    column does not exist), FormatError (malformed header),
    InputOutputError (input unreadable), an OSError from writing, and any
    exception on_row or a stream raised. Outputs already written stay as
    they are.
    """
    if header is None or (isinstance(header, str) and header.lower() == "auto"):
        header_c = 0
    elif header is True:
        header_c = 1
    elif header is False:
        header_c = 2
    else:
        raise ValueError("header=%s: use None ('auto'), True or False" % _show(header))
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise _wrong_type("threads", "an int", threads)
    if threads < 0:
        raise ValueError("threads=%d: use 0 (one per CPU) or more" % threads)
    if threads == 0:
        threads = os.cpu_count() or 1
    threads = min(threads, 256)
    sniff = 0
    if text:
        delim_c = b"\0"
    elif delimiter is None:
        delim_c, sniff = b",", 1
    else:
        if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n\0' \
                or ord(delimiter) > 127:
            raise ValueError("delimiter=%s: use one ASCII character other than a quote or "
                             "a line break" % _show(delimiter))
        delim_c = delimiter.encode()
    if max_record_bytes is not None:
        if max_record:
            raise ValueError("give max_record_bytes or max_record, not both")
        max_record = max_record_bytes
    if isinstance(max_record, bool) or not isinstance(max_record, int) or max_record < 0:
        raise ValueError("max_record_bytes=%s: use an int, 0 or more" % _show(max_record))
    if suppress is not None and not isinstance(suppress, DedupeSet):
        raise _wrong_type("suppress", "a DedupeSet or None", suppress)
    if on_row is not None and not callable(on_row):
        raise _wrong_type("on_row", "callable or None", on_row)
    if report is not None and not isinstance(report, (str, bytes, os.PathLike)) \
            and not hasattr(report, "write"):
        raise _wrong_type("report", "a path, a binary or text stream or None", report)

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
    copts.sniff_delimiter = sniff
    copts.check_field_count = 1 if check_field_count else 0
    copts.max_record = max_record

    source: Optional[_Source] = None
    if isinstance(input, (str, bytes, os.PathLike)):
        in_path = os.fsencode(input)
        if b"\0" in in_path:
            raise ValueError("input=%s: a path cannot hold a NUL character" % _show(input))
    elif hasattr(input, "read"):
        source = _Source(input)
    else:
        raise _wrong_type("input", "a path or a binary or text stream", input)

    cleaner = ctypes.POINTER(_lib.phn_cleaner)()
    reader = ctypes.POINTER(_lib.phn_csv_reader)()
    sinks: List[_Sink] = []
    writers: Optional[_Writers] = None
    lock = suppress._lock if suppress is not None else threading.RLock()
    with lock:
        try:
            if suppress is not None:
                opts.suppress = suppress._handle()
            _lib.check(_lib.cleaner_new(ctypes.byref(cleaner), ctypes.byref(opts)))
            if source is None:
                _lib.check(_lib.csv_reader_open(ctypes.byref(reader), in_path,
                                                ctypes.byref(copts)))
            else:
                _lib.check(_lib.csv_reader_from_callback(ctypes.byref(reader), source.fn, None,
                                                         ctypes.byref(copts)))
            for target, what in ((output, "output"), (rejects, "rejects"),
                                 (duplicates, "duplicates")):
                sinks.append(_Sink(target, what))
            wopts = _lib.phn_clean_writer_options()
            wopts.version = _lib.PHN_CLEAN_WRITER_OPTIONS_VERSION
            wopts.delimiter = delim_c
            wopts.columns = _lib.PHN_CLEAN_COLUMN_NUMBER_STATUS if keep_possible else 0
            wopts.reader = reader
            wopts.flags = _lib.PHN_CLEAN_WRITE_SAFE_FOR_SPREADSHEETS if safe_for_spreadsheets else 0
            writers = _Writers(sinks, wopts)
            run = _Run(writers, on_row)
            need_rows = on_row is not None or writers.pairs
            # phn_clean_row_cb(): a NULL callback (no row wanted)
            fn = (_lib.phn_clean_row_cb(run.row) if need_rows
                  else _lib.phn_clean_row_cb())  # type: ignore[call-overload]
            start = time.monotonic()
            rc = _lib.cleaner_run(cleaner, reader, fn, None)
            seconds = time.monotonic() - start
            if run.exc is not None:
                raise run.exc
            if source is not None and source.exc is not None:
                raise source.exc
            writers.raise_pending()
            _lib.check(rc)
            writers.finish()
            writers.raise_pending()
            text_report = _report_json(cleaner, _input_name(input), seconds)
            if report is not None:
                _write_report(report, text_report)
            return json.loads(text_report)
        finally:
            if writers is not None:
                # Rows written before an error stay written.
                for _, w in writers.pairs:
                    _lib.clean_writer_finish(w)
                writers.free()
            for s in sinks:
                s.close()
            _lib.csv_reader_free(reader)
            _lib.cleaner_free(cleaner)
