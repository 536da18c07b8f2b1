"""One number: parse, normalize, format, info (include/phonenorm/number.h)."""

from __future__ import annotations

import ctypes
import enum
import os
import reprlib
import struct
from array import array
from dataclasses import dataclass, field
from itertools import accumulate, chain
from typing import (Any, Dict, Iterable, List, Optional, Sequence, Tuple, Type,
                    TypeVar, Union)

from . import _lib

#: What a text argument may be: str, or UTF-8 bytes in any bytes-like object.
TextLike = Union[str, bytes, bytearray, memoryview]

_E = TypeVar("_E", bound="_NamedEnum")

_SHOW = reprlib.Repr()
_SHOW.maxstring = 40
_SHOW.maxother = 40


def _show(value: object) -> str:
    """A short repr of a bad argument for an error message ("'XX'", "5",
    "[1, 2, ...]"), cut so that a huge value cannot flood the message."""
    return _SHOW.repr(value)


def _wrong_type(what: str, expected: str, value: object) -> TypeError:
    """The binding's TypeError for an argument of the wrong type; it names
    the value as well as its type: "text must be str or bytes, not int: 5"."""
    return TypeError("%s must be %s, not %s: %s"
                     % (what, expected, type(value).__name__, _show(value)))


class _NamedEnum(str, enum.Enum):
    """An enum whose value is the C library's name for it ("valid") and whose
    ``code`` is the C enum value. Compares equal to its name."""

    code: int

    def __new__(cls, name: str, code: int) -> "_NamedEnum":
        obj = str.__new__(cls, name)
        obj._value_ = name
        obj.code = code
        return obj

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def from_code(cls: Type[_E], code: int) -> Union[_E, int]:
        """The member for a C value; the int itself for a value added to the
        C enum after this binding was written (data is kept, not refused)."""
        for m in cls:
            if m.code == code:
                return m
        return code


class Status(_NamedEnum):
    """What parsing found (phn_status). A status is data, never an error."""
    VALID = ("valid", 0)
    POSSIBLE = ("possible", 1)
    LOCAL_ONLY = ("local_only", 2)
    NOT_A_NUMBER = ("not_a_number", 3)
    INVALID_COUNTRY_CODE = ("invalid_country_code", 4)
    TOO_SHORT = ("too_short", 5)
    TOO_LONG = ("too_long", 6)
    INVALID_LENGTH = ("invalid_length", 7)
    NEEDS_REGION = ("needs_region", 8)

    @property
    def description(self) -> str:
        """An English sentence that explains the status (phn_status_describe)."""
        return _lib.text(_lib.status_describe(self.code))


class NumberType(_NamedEnum):
    """Number type as libphonenumber classifies it (phn_type)."""
    UNKNOWN = ("unknown", 0)
    FIXED_LINE = ("fixed_line", 1)
    MOBILE = ("mobile", 2)
    FIXED_LINE_OR_MOBILE = ("fixed_line_or_mobile", 3)
    TOLL_FREE = ("toll_free", 4)
    PREMIUM_RATE = ("premium_rate", 5)
    SHARED_COST = ("shared_cost", 6)
    VOIP = ("voip", 7)
    PERSONAL_NUMBER = ("personal_number", 8)
    PAGER = ("pager", 9)
    UAN = ("uan", 10)
    VOICEMAIL = ("voicemail", 11)


class ShortCost(_NamedEnum):
    """Cost of a short number (phn_short_cost)."""
    UNKNOWN = ("unknown", 0)
    TOLL_FREE = ("toll_free", 1)
    STANDARD_RATE = ("standard_rate", 2)
    PREMIUM_RATE = ("premium_rate", 3)


_FORMATS = {
    "e164": 0, "intl": 1, "international": 1, "national": 2, "rfc3966": 3,
}

# C value -> member, for the hot path (from_code walks the members).
_STATUS_BY_CODE: Dict[int, Status] = {m.code: m for m in Status}
_TYPE_BY_CODE: Dict[int, NumberType] = {m.code: m for m in NumberType}


def _encode_text(text: TextLike, what: str = "text") -> bytes:
    """str (or bytes-like) -> UTF-8 bytes for the C library. Surrogates (as
    from os.fsdecode) are passed on as the bytes they stand for, which the
    library then rejects as not UTF-8."""
    if isinstance(text, str):
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise _wrong_type(what, "str or bytes", text)


def _encode_region(region: Optional[str], what: str = "region") -> Optional[bytes]:
    """None or "" -> NULL, a str -> ASCII bytes. Anything that cannot be a
    region code still reaches the library, which says PHN_EREGION."""
    if region is None:
        return None
    if not isinstance(region, str):
        raise _wrong_type(what, "str or None", region)
    if region == "":
        return None
    if "\0" in region:
        # C would stop at the NUL and could accept what comes before it.
        raise _lib.error(_lib.PHN_EREGION, "%s %r contains a NUL character" % (what, region))
    return region.encode("utf-8", "surrogatepass")


def _check_threads(threads: int) -> int:
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise _wrong_type("threads", "an int", threads)
    if threads < 0:
        raise ValueError("threads must be 0 or more, not %d" % threads)
    return min(threads, 1024)


# ---- the phn_number bytes ----------------------------------------------
#
# Numbers are read out of C as raw bytes with one struct.Struct, whose format
# is derived here from the ctypes mirror (itself checked against the C
# compiler by the layout test): one C-level unpack per number, or one
# iter_unpack per batch, instead of a ctypes attribute read per field.

_STRUCT_CODES = {ctypes.c_uint: "I", ctypes.c_int: "i", ctypes.c_uint64: "Q"}


def _struct_for(ctype: Any, names: Sequence[str]) -> struct.Struct:
    """A struct.Struct that unpacks the named fields of ctype, in layout
    order, and skips every other byte."""
    fmt, pos = "=", 0
    for fname, ftype in ctype._fields_:
        desc = getattr(ctype, fname)
        if fname not in names:
            continue
        fmt += "%dx" % (desc.offset - pos) if desc.offset > pos else ""
        if issubclass(ftype, ctypes.Array):
            fmt += "%ds" % desc.size
        else:
            fmt += _STRUCT_CODES[ftype]
        pos = desc.offset + desc.size
    size = ctypes.sizeof(ctype)
    fmt += "%dx" % (size - pos) if size > pos else ""
    st = struct.Struct(fmt)
    if st.size != size:  # pragma: no cover - a field type missing from _STRUCT_CODES
        raise ImportError("phonenorm: cannot mirror %s with struct" % ctype.__name__)
    return st


_NUMBER_FIELDS = ("status", "type", "country_code", "national_number", "leading_zeros",
                  "key", "region", "e164", "extension")
_NUMBER = _struct_for(_lib.phn_number, _NUMBER_FIELDS)
_NUMBER_STATUS_E164 = _struct_for(_lib.phn_number, ("status", "e164"))
_NUMBER_SIZE = ctypes.sizeof(_lib.phn_number)


def _initial_number() -> bytes:
    c = _lib.phn_number()
    _lib.check(_lib.number_init(ctypes.byref(c), _lib.PHN_NUMBER_VERSION))
    return bytes(c)


#: A phn_number as phn_number_init() leaves it: copied, never re-initialised.
_NUMBER_INIT = _initial_number()


def _cstr(b: bytes) -> str:
    """A char[] field: the bytes before the first NUL, as str."""
    return b.partition(b"\0")[0].decode("utf-8", "replace")


_set = object.__setattr__


@dataclass(frozen=True)
class Info:
    """Facts about a number (phn_info)."""
    is_short_number: bool
    is_emergency: bool
    connects_to_emergency: bool
    short_cost: Union[ShortCost, int]
    is_geographic: bool
    #: The offline geocoder's description in the requested language
    #: ("Riyadh"), the country name when only that is known, else "".
    description: str


@dataclass(frozen=True)
class Number:
    """A parsed phone number (phn_number). Plain, immutable data.

    ``status`` says what parsing found; everything else is empty or zero when
    no number was found. ``national_number`` is a string so that leading
    zeros (Italian fixed lines) survive. ``key`` is the 64-bit dedupe key:
    equal exactly when ``e164`` is equal, 0 when there is no number.
    ``str(number)`` is the E.164 form, "" when no number was found.
    """
    status: Union[Status, int]
    type: Union[NumberType, int]
    e164: str
    country_code: int
    national_number: str
    region: str
    extension: str
    key: int
    _c: bytes = field(default=b"", repr=False, compare=False)

    def __str__(self) -> str:
        return self.e164

    @classmethod
    def _from_raw(cls, raw: bytes, fields: Optional[Tuple[Any, ...]] = None) -> "Number":
        """The Number for the bytes of a phn_number (fields: their unpacked
        _NUMBER tuple, when the caller has it already). Fills the frozen
        instance's dict at once: several times cheaper than __init__, which
        matters for parse_many."""
        status, ntype, cc, nn, lz, key, region, e164, ext = fields or _NUMBER.unpack(raw)
        obj = object.__new__(cls)
        _set(obj, "__dict__", {
            "status": _STATUS_BY_CODE.get(status, status),
            "type": _TYPE_BY_CODE.get(ntype, ntype),
            "e164": _cstr(e164),
            "country_code": cc,
            "national_number": ("0" * max(lz, 0) + str(nn)) if (nn or lz) else "",
            "region": _cstr(region),
            "extension": _cstr(ext),
            "key": key,
            "_c": raw,
        })
        return obj

    @classmethod
    def _from_c(cls, c: _lib.phn_number) -> "Number":
        return cls._from_raw(bytes(c))

    def _struct(self) -> _lib.phn_number:
        if len(self._c) != _NUMBER_SIZE:
            raise _lib.error(_lib.PHN_EINVAL,
                             "Number %r was not made by phonenorm.parse() or parse_many()"
                             % (self.e164,))
        c = _lib.phn_number.from_buffer_copy(self._c)
        # Whatever the bytes, the strings C reads end inside the struct.
        for name in ("region", "e164", "extension"):
            f = getattr(_lib.phn_number, name)
            ctypes.memset(ctypes.addressof(c) + f.offset + f.size - 1, 0, 1)
        return c

    @property
    def is_valid(self) -> bool:
        """True when the status is VALID: an assigned number, safe to call."""
        return self.status is Status.VALID

    @property
    def is_possible(self) -> bool:
        """True when the status is VALID or POSSIBLE (right length, range
        unknown to the metadata)."""
        return self.status in (Status.VALID, Status.POSSIBLE)

    def format(self, fmt: str = "e164") -> str:
        """The number as "e164" (+966501234567), "intl" or "international"
        (+966 50 123 4567), "national" (050 123 4567) or "rfc3966"
        (tel:+966-50-123-4567). All but E.164 carry the extension.
        Raises InvalidArgumentError when no number was parsed."""
        if not isinstance(fmt, str):
            raise _wrong_type("format", "a str", fmt)
        code = _FORMATS.get(fmt.lower())
        if code is None:
            raise ValueError("unknown format %s: use one of %s" % (_show(fmt), ", ".join(_FORMATS)))
        c = self._struct()
        return _lib.read_sized(lambda dst, cap, need: _lib.number_format(
            dst, cap, need, ctypes.byref(c), code))

    def format_out_of_country(self, region: str) -> str:
        """The number as dialled from region: "011 966 50 123 4567" from "US"
        for a Saudi mobile; the national form from the number's own region.
        Raises RegionError for an unknown region."""
        if region is None:
            raise TypeError("region must be a region code such as 'US', not None")
        r = _encode_region(region)
        c = self._struct()
        return _lib.read_sized(lambda dst, cap, need: _lib.number_format_ooc(
            dst, cap, need, ctypes.byref(c), r if r is not None else b""))

    def info(self, region: Optional[str] = None, language: Optional[str] = "en") -> Info:
        """Short-number, emergency and geocoder facts (phn_number_info).
        region is where the digits are dialled (default: the number's own);
        language a BCP 47 tag for the description ("en", "ar", "de")."""
        if language is not None and not isinstance(language, str):
            raise _wrong_type("language", "str or None", language)
        r = _encode_region(region)
        lang = None if language is None else language.encode("utf-8", "surrogatepass")
        if lang is not None and b"\0" in lang:
            raise _lib.error(_lib.PHN_EINVAL,
                             "language %s contains a NUL character" % _show(language))
        c = self._struct()
        out = _lib.phn_info()
        out.version = _lib.PHN_INFO_VERSION
        _lib.check(_lib.number_info(ctypes.byref(out), ctypes.byref(c), r))
        description = _lib.read_sized(lambda dst, cap, need: _lib.number_location(
            dst, cap, need, ctypes.byref(c), lang))
        return Info(is_short_number=bool(out.is_short_number), is_emergency=bool(out.is_emergency),
                    connects_to_emergency=bool(out.connects_to_emergency),
                    short_cost=ShortCost.from_code(out.short_cost),
                    is_geographic=bool(out.is_geographic), description=description)

    def as_dict(self) -> Dict[str, Any]:
        """The public fields as a dict (str enums become their names)."""
        return {"status": str(self.status), "type": str(self.type), "e164": self.e164,
                "country_code": self.country_code, "national_number": self.national_number,
                "region": self.region, "extension": self.extension, "key": self.key,
                "is_valid": self.is_valid}


def parse(text: TextLike, region: Optional[str] = None) -> Number:
    """Parse text (str, or UTF-8 bytes) as a phone number.

    region (ISO 3166-1 alpha-2, any case) is used for numbers written without
    + or an international prefix. Returns a Number whatever was found: see
    its status. Raises RegionError for an unknown region,
    InvalidArgumentError for text that is not valid UTF-8, TypeError for text
    that is not str or bytes.
    """
    data = _encode_text(text)
    r = _encode_region(region)
    buf = bytearray(_NUMBER_INIT)
    _lib.check(_lib.number_parse_n(_lib.phn_number.from_buffer(buf), data, len(data), r))
    return Number._from_raw(bytes(buf))


def normalize(text: TextLike, region: Optional[str] = None,
              keep_possible: bool = False) -> Optional[str]:
    """The E.164 form of text if it is a valid number (or, with
    keep_possible, a possible one), else None. Errors as parse()."""
    n = parse(text, region)
    if n.status is Status.VALID or (keep_possible and n.status is Status.POSSIBLE):
        return n.e164
    return None


# ---- batches: one C call ------------------------------------------------


def _array_code(ctype: Any) -> str:
    """The array module's unsigned type code of the same size as ctype."""
    for code in "BHILQ":
        if array(code).itemsize == ctypes.sizeof(ctype):
            return code
    raise ImportError("phonenorm: no array type code for %s" % ctype.__name__)  # pragma: no cover


_SIZE_CODE = _array_code(_lib.c_size)
_PTR_CODE = _array_code(ctypes.c_void_p)


def _encode_item(t: Optional[TextLike], i: int) -> bytes:
    if isinstance(t, str):
        return t.encode("utf-8", "surrogatepass")
    if isinstance(t, (bytes, bytearray, memoryview)) or t is None:
        return b"" if t is None else bytes(t)
    raise _wrong_type("texts[%d]" % i, "str, bytes or None", t)


def _as_list(texts: Iterable[Optional[TextLike]], fn: str) -> List[Optional[TextLike]]:
    if isinstance(texts, (str, bytes, bytearray, memoryview)):
        raise TypeError("%s takes an iterable of texts, not a single %s: %s"
                        % (fn, type(texts).__name__, _show(texts)))
    if isinstance(texts, list):
        return texts
    try:
        return list(texts)
    except TypeError:
        if not hasattr(texts, "__iter__"):
            raise _wrong_type("texts", "an iterable of str, bytes or None", texts) from None
        raise


def _run_batch(texts: List[Optional[TextLike]], region: Optional[str], threads: int) -> bytearray:
    """Parse texts with one phn_number_parse_batch call; return the bytes of
    the phn_number array it filled.

    The texts go to C as one buffer plus offsets: one join and one encode
    when every text is an ASCII str (the common case: len(str) is then its
    byte length), else one encode per text and one join. None gives a NULL
    text, which the C call reports as NOT_A_NUMBER."""
    threads = _check_threads(threads)
    r = _encode_region(region)
    n = len(texts)
    if n == 0:
        _lib.check(_lib.number_parse_batch(None, None, None, 0, r, threads))
        return bytearray()
    nulls: Sequence[int] = ()
    try:
        joined: Optional[str] = "".join(texts)  # type: ignore[arg-type]
    except TypeError:
        joined = None
    if joined is not None:
        data = joined.encode("utf-8", "surrogatepass")
        if len(data) == len(joined):
            lens = array(_SIZE_CODE, map(len, texts))  # type: ignore[arg-type]
        else:
            encoded = [t.encode("utf-8", "surrogatepass") for t in texts]  # type: ignore[union-attr]
            data = b"".join(encoded)
            lens = array(_SIZE_CODE, map(len, encoded))
    else:
        encoded = [_encode_item(t, i) for i, t in enumerate(texts)]
        nulls = [i for i, t in enumerate(texts) if t is None]
        data = b"".join(encoded)
        lens = array(_SIZE_CODE, map(len, encoded))
    base = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value or 0
    ptrs = array(_PTR_CODE, accumulate(chain((base,), lens)))
    for i in nulls:
        ptrs[i] = 0
    out = bytearray(_NUMBER_INIT) * n
    # ctypes views of the three buffers, no copies. The call releases the
    # GIL; data, ptrs, lens and out stay alive until it returns.
    _lib.check(_lib.number_parse_batch(
        (_lib.phn_number * n).from_buffer(out), (_lib.c_char_p * (n + 1)).from_buffer(ptrs),
        (_lib.c_size * n).from_buffer(lens), n, r, threads))
    return out


def parse_many(texts: Iterable[Optional[TextLike]], region: Optional[str] = None,
               threads: int = 1) -> List[Number]:
    """Parse many texts with one C call (phn_number_parse_batch), on up to
    threads threads (0 or 1: this thread). Returns a list of Number in input
    order, the same for any number of threads. Per-item problems are data:
    None or text that is not UTF-8 gives status NOT_A_NUMBER. Raises
    RegionError for an unknown region, TypeError for an item that is not
    str, bytes or None.
    """
    items = _as_list(texts, "parse_many")
    out = _run_batch(items, region, threads)
    raw = bytes(out)
    size = _NUMBER_SIZE
    make = Number._from_raw
    return [make(raw[i * size:(i + 1) * size], f)
            for i, f in enumerate(_NUMBER.iter_unpack(raw))]


def normalize_many(texts: Iterable[Optional[TextLike]], region: Optional[str] = None,
                   threads: int = 1, keep_possible: bool = False) -> List[Optional[str]]:
    """normalize() for many texts with one C call: the E.164 form of each
    valid (or, with keep_possible, possible) number, else None, in input
    order. threads, per-item problems and errors as parse_many(); no Number
    objects are made, so this is the fastest way through a list."""
    items = _as_list(texts, "normalize_many")
    out = _run_batch(items, region, threads)
    worst = Status.POSSIBLE.code if keep_possible else Status.VALID.code
    # VALID is 0 and POSSIBLE 1: "s <= worst" keeps exactly those.
    return [e.partition(b"\0")[0].decode("ascii") if 0 <= s <= worst else None
            for s, e in _NUMBER_STATUS_E164.iter_unpack(out)]


def region_is_known(region: Optional[str]) -> bool:
    """True if libphonenumber has metadata for region (any case)."""
    if not isinstance(region, str):
        return False
    r = _encode_region(region)
    return bool(r) and bool(_lib.region_is_known(r))


def region_country_code(region: str) -> int:
    """The country calling code of a known region (966 for "SA").
    Raises RegionError for an unknown one."""
    r = _encode_region(region)
    dst = ctypes.create_string_buffer(3)
    _lib.check(_lib.region_canonical(dst, r))
    return int(_lib.region_country_code(dst.value))


def version() -> str:
    """The version of the C library actually loaded, e.g. "0.1.0"."""
    return _lib.text(_lib.phn_version())


def metadata_version() -> str:
    """The upstream version of the metadata that answers: "9.0.35" for the
    bundled data, libphonenumber's own ("8.12.57") with "system" (see
    metadata_info()). The first call fixes the metadata."""
    return _lib.text(_lib.metadata_version())


def library_path() -> str:
    """The path (or name) the C library was loaded from."""
    return os.fspath(_lib.path)
