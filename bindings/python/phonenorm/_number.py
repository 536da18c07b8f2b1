"""One number: parse, normalize, format, info (include/phonenorm/number.h)."""

import ctypes
import enum
import os
from dataclasses import dataclass, field

from . import _lib


class _NamedEnum(str, enum.Enum):
    """An enum whose value is the C library's name for it ("valid") and whose
    ``code`` is the C enum value. Compares equal to its name."""

    def __new__(cls, name, code):
        obj = str.__new__(cls, name)
        obj._value_ = name
        obj.code = code
        return obj

    def __str__(self):
        return self.value

    def __format__(self, spec):
        return format(self.value, spec)

    @classmethod
    def from_code(cls, code):
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
    def description(self):
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


def _encode_text(text, what="text"):
    """str (or bytes-like) -> UTF-8 bytes for the C library. Surrogates (as
    from os.fsdecode) are passed on as the bytes they stand for, which the
    library then rejects as not UTF-8."""
    if isinstance(text, str):
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise TypeError("%s must be str or bytes, not %s" % (what, type(text).__name__))


def _encode_region(region, what="region"):
    """None or "" -> NULL, a str -> ASCII bytes. Anything that cannot be a
    region code still reaches the library, which says PHN_EREGION."""
    if region is None:
        return None
    if not isinstance(region, str):
        raise TypeError("%s must be str or None, not %s" % (what, type(region).__name__))
    if region == "":
        return None
    if "\0" in region:
        # C would stop at the NUL and could accept what comes before it.
        raise _lib.error(_lib.PHN_EREGION, "%s %r contains a NUL character" % (what, region))
    return region.encode("utf-8", "surrogatepass")


def _new_c_number():
    c = _lib.phn_number()
    _lib.check(_lib.number_init(ctypes.byref(c), _lib.PHN_NUMBER_VERSION))
    return c


@dataclass(frozen=True)
class Info:
    """Facts about a number (phn_info)."""
    is_short_number: bool
    is_emergency: bool
    connects_to_emergency: bool
    short_cost: ShortCost
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
    """
    status: Status
    type: NumberType
    e164: str
    country_code: int
    national_number: str
    region: str
    extension: str
    key: int
    _c: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def _from_c(cls, c):
        nn = ""
        if c.national_number or c.leading_zeros:
            nn = "0" * max(c.leading_zeros, 0) + str(c.national_number)
        return cls(status=Status.from_code(c.status), type=NumberType.from_code(c.type),
                   e164=_lib.text(c.e164), country_code=c.country_code, national_number=nn,
                   region=_lib.text(c.region), extension=_lib.text(c.extension),
                   key=c.key, _c=bytes(c))

    def _struct(self):
        if len(self._c) != ctypes.sizeof(_lib.phn_number):
            raise _lib.error(_lib.PHN_EINVAL,
                             "this Number was not made by phonenorm.parse()")
        c = _lib.phn_number.from_buffer_copy(self._c)
        # Whatever the bytes, the strings C reads end inside the struct.
        for name in ("region", "e164", "extension"):
            f = getattr(_lib.phn_number, name)
            ctypes.memset(ctypes.addressof(c) + f.offset + f.size - 1, 0, 1)
        return c

    @property
    def is_valid(self):
        """True when the status is VALID: an assigned number, safe to call."""
        return self.status is Status.VALID

    @property
    def is_possible(self):
        """True when the status is VALID or POSSIBLE (right length, range
        unknown to the metadata)."""
        return self.status in (Status.VALID, Status.POSSIBLE)

    def format(self, fmt="e164"):
        """The number as "e164" (+966501234567), "intl" or "international"
        (+966 50 123 4567), "national" (050 123 4567) or "rfc3966"
        (tel:+966-50-123-4567). All but E.164 carry the extension.
        Raises InvalidArgumentError when no number was parsed."""
        if not isinstance(fmt, str):
            raise TypeError("format must be a str, not %s" % type(fmt).__name__)
        code = _FORMATS.get(fmt.lower())
        if code is None:
            raise ValueError("unknown format %r: use one of %s" % (fmt, ", ".join(_FORMATS)))
        c = self._struct()
        return _lib.read_sized(lambda dst, cap, need: _lib.number_format(
            dst, cap, need, ctypes.byref(c), code))

    def format_out_of_country(self, region):
        """The number as dialled from region: "011 966 50 123 4567" from "US"
        for a Saudi mobile; the national form from the number's own region.
        Raises RegionError for an unknown region."""
        if region is None:
            raise TypeError("region must be a region code such as 'US', not None")
        r = _encode_region(region)
        c = self._struct()
        return _lib.read_sized(lambda dst, cap, need: _lib.number_format_ooc(
            dst, cap, need, ctypes.byref(c), r if r is not None else b""))

    def info(self, region=None, language="en"):
        """Short-number, emergency and geocoder facts (phn_number_info).
        region is where the digits are dialled (default: the number's own);
        language a BCP 47 tag for the description ("en", "ar", "de")."""
        if language is not None and not isinstance(language, str):
            raise TypeError("language must be str or None, not %s" % type(language).__name__)
        r = _encode_region(region)
        lang = None if language is None else language.encode("utf-8", "surrogatepass")
        if lang is not None and b"\0" in lang:
            raise _lib.error(_lib.PHN_EINVAL, "language contains a NUL character")
        c = self._struct()
        out = _lib.phn_info()
        out.version = _lib.PHN_INFO_VERSION
        _lib.check(_lib.number_info(ctypes.byref(out), ctypes.byref(c), r, lang))
        return Info(is_short_number=bool(out.is_short_number), is_emergency=bool(out.is_emergency),
                    connects_to_emergency=bool(out.connects_to_emergency),
                    short_cost=ShortCost.from_code(out.short_cost),
                    is_geographic=bool(out.is_geographic), description=_lib.text(out.description))

    def as_dict(self):
        """The public fields as a dict (str enums become their names)."""
        return {"status": str(self.status), "type": str(self.type), "e164": self.e164,
                "country_code": self.country_code, "national_number": self.national_number,
                "region": self.region, "extension": self.extension, "key": self.key,
                "is_valid": self.is_valid}


def parse(text, region=None):
    """Parse text (str, or UTF-8 bytes) as a phone number.

    region (ISO 3166-1 alpha-2, any case) is used for numbers written without
    + or an international prefix. Returns a Number whatever was found: see
    its status. Raises RegionError for an unknown region,
    InvalidArgumentError for text that is not valid UTF-8, TypeError for text
    that is not str or bytes.
    """
    data = _encode_text(text)
    r = _encode_region(region)
    c = _new_c_number()
    _lib.check(_lib.number_parse_n(ctypes.byref(c), data, len(data), r))
    return Number._from_c(c)


def normalize(text, region=None, keep_possible=False):
    """The E.164 form of text if it is a valid number (or, with
    keep_possible, a possible one), else None. Errors as parse()."""
    n = parse(text, region)
    if n.status is Status.VALID or (keep_possible and n.status is Status.POSSIBLE):
        return n.e164
    return None


def parse_many(texts, region=None, threads=1):
    """Parse many texts at once with the C batch call, on up to threads
    threads (0 or 1: this thread). Returns a list of Number in input order,
    the same for any number of threads. Per-item problems are data: None or
    text that is not UTF-8 gives status NOT_A_NUMBER. Raises RegionError for
    an unknown region, TypeError for an item that is not str, bytes or None.
    """
    if isinstance(texts, (str, bytes, bytearray)):
        raise TypeError("parse_many takes an iterable of texts, not a single %s"
                        % type(texts).__name__)
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError("threads must be an int")
    if threads < 0:
        raise ValueError("threads must be 0 or more")
    threads = min(threads, 1024)
    r = _encode_region(region)
    encoded = [None if t is None else _encode_text(t, "each text") for t in texts]
    count = len(encoded)
    results = (_lib.phn_number * count)()
    for i in range(count):
        _lib.check(_lib.number_init(ctypes.byref(results[i]), _lib.PHN_NUMBER_VERSION))
    ptrs = (_lib.c_char_p * count)(*encoded)
    lens = (_lib.c_size * count)(*[0 if b is None else len(b) for b in encoded])
    # The call releases the GIL; encoded (and so ptrs' targets) stays alive.
    _lib.check(_lib.number_parse_batch(results if count else None, ptrs if count else None,
                                       lens if count else None, count, r, threads))
    out = [Number._from_c(results[i]) for i in range(count)]
    del encoded
    return out


def region_is_known(region):
    """True if libphonenumber has metadata for region (any case)."""
    if not isinstance(region, str):
        return False
    r = _encode_region(region)
    return bool(r) and bool(_lib.region_is_known(r))


def region_country_code(region):
    """The country calling code of a known region (966 for "SA").
    Raises RegionError for an unknown one."""
    r = _encode_region(region)
    dst = ctypes.create_string_buffer(3)
    _lib.check(_lib.region_canonical(dst, r))
    return _lib.region_country_code(dst.value)


def version():
    """The version of the C library actually loaded, e.g. "0.1.0"."""
    return _lib.text(_lib.phn_version())


def metadata_version():
    """The libphonenumber version (and so metadata) the library was built
    against, e.g. "8.12.57"."""
    return _lib.text(_lib.metadata_version())


def library_path():
    """The path (or name) the C library was loaded from."""
    return os.fspath(_lib.path)
