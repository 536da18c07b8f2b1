"""Regions, example numbers and numbers in free text (include/phonenorm/number.h,
"regions and example numbers" and "numbers in free text").

The ctypes declarations of that part of number.h live here rather than in
_lib.py, as _lib.py's do for the rest: phn_match mirrors the C struct field
by field (checked against the compiler by tests/test_find.py's layout test).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Dict, List, Optional, Union

from . import _lib
from ._number import (Number, NumberType, TextLike, _NamedEnum, _NUMBER_INIT, _encode_region,
                      _encode_text, _show, _wrong_type)

# ---- the C declarations ---------------------------------------------------

PHN_MATCH_VERSION = 1
#: Longest text phn_number_find() searches, in bytes (PHN_FIND_TEXT_MAX).
FIND_TEXT_MAX = 64 * 1024


class phn_match(ctypes.Structure):
    _fields_ = [
        ("version", _lib.c_uint),
        ("start", _lib.c_size),
        ("length", _lib.c_size),
        ("number", _lib.phn_number),
    ]


_P = ctypes.POINTER
phn_match_fn = ctypes.CFUNCTYPE(_lib.c_int, _P(phn_match), _lib.c_void_p)

_region_list = _lib._fn("phn_region_list", _lib.c_int, _P(_P(_lib.c_char_p)), _P(_lib.c_size))
_non_geo_codes = _lib._fn("phn_non_geo_country_codes", _lib.c_int, _P(_P(_lib.c_int)),
                          _P(_lib.c_size))
_number_example = _lib._fn("phn_number_example", _lib.c_int, _P(_lib.phn_number),
                           _lib.c_char_p, _lib.c_int)
_number_example_non_geo = _lib._fn("phn_number_example_non_geo", _lib.c_int,
                                   _P(_lib.phn_number), _lib.c_int)
_leniency_name = _lib._fn("phn_leniency_name", _lib.c_char_p, _lib.c_int)
_number_find = _lib._fn("phn_number_find", _lib.c_int, _lib.c_char_p, _lib.c_size,
                        _lib.c_char_p, _lib.c_int, phn_match_fn, _lib.c_void_p)

_NUMBER_OFFSET = phn_match.number.offset
_NUMBER_SIZE = ctypes.sizeof(_lib.phn_number)


class Leniency(_NamedEnum):
    """How sure a match in free text must be (phn_leniency): libphonenumber's
    Leniency, from the most to the least accepting."""
    POSSIBLE = ("possible", 0)
    VALID = ("valid", 1)
    STRICT_GROUPING = ("strict_grouping", 2)
    EXACT_GROUPING = ("exact_grouping", 3)


_LENIENCY_ALIASES = {"strict": Leniency.STRICT_GROUPING, "exact": Leniency.EXACT_GROUPING}


def _leniency(value: Union[Leniency, str]) -> Leniency:
    if isinstance(value, Leniency):
        return value
    if not isinstance(value, str):
        raise _wrong_type("leniency", "a Leniency or str", value)
    name = value.lower()
    if name in _LENIENCY_ALIASES:
        return _LENIENCY_ALIASES[name]
    for m in Leniency:
        if m.value == name:
            return m
    raise ValueError("unknown leniency %s: use one of %s"
                     % (_show(value), ", ".join(m.value for m in Leniency)))


def _number_type(value: Union[NumberType, str, None]) -> NumberType:
    if value is None:
        return NumberType.UNKNOWN
    if isinstance(value, NumberType):
        return value
    if not isinstance(value, str):
        raise _wrong_type("type", "a NumberType, str or None", value)
    for m in NumberType:
        if m.value == value.lower():
            return m
    raise ValueError("unknown number type %s: use one of %s"
                     % (_show(value), ", ".join(m.value for m in NumberType)))


# ---- regions and example numbers -------------------------------------------


def regions() -> Dict[str, int]:
    """The regions the metadata in force knows, each with its country calling
    code: {"AC": 247, "AD": 376, ..., "SA": 966, ...}, in region order.
    The non-geographic calling codes (region "001") are
    non_geo_country_codes()."""
    arr = _P(_lib.c_char_p)()
    count = _lib.c_size(0)
    _lib.check(_region_list(ctypes.byref(arr), ctypes.byref(count)))
    out: Dict[str, int] = {}
    for i in range(count.value):
        r = arr[i]
        out[r.decode("ascii")] = int(_lib.region_country_code(r))
    return out


def non_geo_country_codes() -> List[int]:
    """The country calling codes of the non-geographic entities (800, 808,
    870, ...; region "001"), ascending."""
    arr = _P(_lib.c_int)()
    count = _lib.c_size(0)
    _lib.check(_non_geo_codes(ctypes.byref(arr), ctypes.byref(count)))
    return [int(arr[i]) for i in range(count.value)]


def example_number(region: str, type: Union[NumberType, str, None] = None) -> Optional[Number]:
    """The metadata's example number of a type ("mobile", NumberType.MOBILE)
    for region; type None means the region's example of any type. None when
    the region has no example of that type (US pager): that is data, not an
    error. Raises RegionError for an unknown region, ValueError for an
    unknown type name."""
    if region is None:
        raise TypeError("region must be a region code such as 'SA', not None")
    r = _encode_region(region)
    t = _number_type(type)
    buf = bytearray(_NUMBER_INIT)
    rc = _number_example(_lib.phn_number.from_buffer(buf), r if r is not None else b"", t.code)
    if rc == _lib.PHN_ENOTFOUND:
        return None
    _lib.check(rc)
    return Number._from_raw(bytes(buf))


def example_number_non_geo(country_code: int) -> Optional[Number]:
    """The example number of a non-geographic calling code (800 ->
    +80012345678); None when country_code is not one (see
    non_geo_country_codes())."""
    if isinstance(country_code, bool) or not isinstance(country_code, int):
        raise _wrong_type("country_code", "an int", country_code)
    if not -2**31 <= country_code < 2**31:
        return None
    buf = bytearray(_NUMBER_INIT)
    rc = _number_example_non_geo(_lib.phn_number.from_buffer(buf), country_code)
    if rc == _lib.PHN_ENOTFOUND:
        return None
    _lib.check(rc)
    return Number._from_raw(bytes(buf))


# ---- numbers in free text --------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One number found in free text.

    ``text[start:end] == raw``: for str text, start and end count code points
    (str indices); for bytes text they are byte offsets and raw is bytes.
    ``number`` is what parsing ``raw`` gives (status VALID; at leniency
    "possible" also POSSIBLE or LOCAL_ONLY). ``str(match)`` is the number's E.164 form.
    """
    start: int
    end: int
    raw: Union[str, bytes]
    number: Number

    def __str__(self) -> str:
        return self.number.e164


def find(text: TextLike, region: Optional[str] = None,
         leniency: Union[Leniency, str] = "valid") -> List[Match]:
    """The phone numbers in text, in order, as libphonenumber's
    PhoneNumberMatcher finds them (phn_number_find).

    region (any case) is needed for numbers written without + or an
    international prefix; None finds only those written with one. Dates,
    amounts and times are not numbers; digits of any script count.
    leniency: "possible", "valid" (default), "strict_grouping" ("strict") or
    "exact_grouping" ("exact"), or a Leniency.

    Time grows with the square of the text's length (libphonenumber's
    matcher re-reads the rest of the text per candidate: 64 KiB of numbers
    take about a second, 1 MiB over a minute), hence FIND_TEXT_MAX (64 KiB):
    search long text by line.

    Raises RegionError for an unknown region, InvalidArgumentError for text
    that is not UTF-8 or longer than FIND_TEXT_MAX bytes (search it in
    pieces), ValueError for an unknown leniency, TypeError for text that is
    not str or bytes.
    """
    is_str = isinstance(text, str)
    data = _encode_text(text)
    r = _encode_region(region)
    lev = _leniency(leniency)
    found: List[tuple] = []
    failure: List[BaseException] = []

    def on_match(m, _ctx):  # type: ignore[no-untyped-def]
        try:
            c = m.contents
            raw = ctypes.string_at(ctypes.addressof(c) + _NUMBER_OFFSET, _NUMBER_SIZE)
            found.append((c.start, c.length, raw))
            return 0
        except BaseException as e:  # pragma: no cover - only MemoryError is possible
            failure.append(e)
            return 1

    cb = phn_match_fn(on_match)
    rc = _number_find(data, len(data), r, lev.code, cb, None)
    if failure:  # pragma: no cover
        raise failure[0]
    _lib.check(rc)

    matches: List[Match] = []
    # Byte offsets -> str indices, walking the text once: matches come in
    # order, so each step decodes only the bytes since the previous one.
    byte_pos = char_pos = 0
    for start, length, raw in found:
        end = start + length
        if is_str:
            char_pos += len(data[byte_pos:start].decode("utf-8"))
            raw_text: Union[str, bytes] = data[start:end].decode("utf-8")
            s = char_pos
            e = s + len(raw_text)
            byte_pos, char_pos = end, e
        else:
            raw_text, s, e = data[start:end], start, end
        matches.append(Match(start=s, end=e, raw=raw_text, number=Number._from_raw(raw)))
    return matches
