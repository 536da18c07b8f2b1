"""The compiled fast path of the number layer (include/phonenorm/number.h,
phn_fastpath_*, phn_number_parse_traced): libphonenumber's own metadata
compiled into one digit automaton per territory, which answers the inputs it
handles exactly as libphonenumber does and hands it everything else. Every
parse gives the same Number whoever answers; these say who did."""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_char, c_double, c_int, c_uint
from dataclasses import dataclass
from typing import Optional, Tuple, Union

from . import _lib
from ._number import (Number, TextLike, _NamedEnum, _NUMBER_INIT, _encode_region,
                      _encode_text)

PHN_FASTPATH_INFO_VERSION = 1


class phn_fastpath_info(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("enabled", c_int),
        ("reason", c_char * 200),
        ("verified_engine", c_char * 16),
        ("territories", c_int),
        ("territories_handled", c_int),
        ("territories_compiled", c_int),
        ("compile_seconds", c_double),
    ]


_get_info = _lib._fn("phn_fastpath_get_info", c_int, POINTER(phn_fastpath_info))
_compile_all = _lib._fn("phn_fastpath_compile_all", c_int)
_parse_traced = _lib._fn("phn_number_parse_traced", c_int, POINTER(_lib.phn_number),
                         ctypes.c_char_p, _lib.c_size, ctypes.c_char_p, POINTER(c_int))


class ParsePath(_NamedEnum):
    """Which code answered one parse (phn_parse_path)."""
    #: The fast path is off in this process: libphonenumber alone answered.
    ENGINE = ("engine", 0)
    #: The compiled fast path answered.
    FAST = ("fast", 1)
    #: The fast path is on but the input is outside what it handles (a
    #: letter, a territory whose prefixes are regular expressions...):
    #: libphonenumber answered.
    FALLBACK = ("fallback", 2)


@dataclass(frozen=True)
class FastPathInfo:
    """The fast path in this process (phn_fastpath_info)."""
    #: True when parses try the fast path first.
    enabled: bool
    #: Why it is off, one line of English; "" when enabled.
    reason: str
    #: The libphonenumber version it was verified against (it runs only
    #: with that one).
    verified_engine: str
    #: Territories in the metadata that answers; how many the fast path
    #: parses with as the default region; how many are compiled so far, and
    #: the seconds spent compiling them (all threads).
    territories: int
    territories_handled: int
    territories_compiled: int
    compile_seconds: float


def fastpath_info() -> FastPathInfo:
    """The fast path's state; decides it (and loads the metadata) if nothing
    has yet. Compiles nothing."""
    info = phn_fastpath_info()
    info.version = PHN_FASTPATH_INFO_VERSION
    _lib.check(_get_info(ctypes.byref(info)))
    return FastPathInfo(
        enabled=bool(info.enabled), reason=info.reason.decode("utf-8", "replace"),
        verified_engine=info.verified_engine.decode("utf-8", "replace"),
        territories=info.territories, territories_handled=info.territories_handled,
        territories_compiled=info.territories_compiled,
        compile_seconds=info.compile_seconds)


def fastpath_compile_all() -> None:
    """Compile every territory now rather than on first use (a server that
    wants no first-request latency). Idempotent; nothing to do when the fast
    path is off."""
    _lib.check(_compile_all())


def parse_traced(text: TextLike,
                 region: Optional[str] = None) -> Tuple[Number, Union[ParsePath, int]]:
    """parse(text, region) and which code answered. Errors as parse()."""
    data = _encode_text(text)
    r = _encode_region(region)
    buf = bytearray(_NUMBER_INIT)
    path = c_int(0)
    _lib.check(_parse_traced(_lib.phn_number.from_buffer(buf), data, len(data), r,
                             ctypes.byref(path)))
    return Number._from_raw(bytes(buf)), ParsePath.from_code(path.value)
