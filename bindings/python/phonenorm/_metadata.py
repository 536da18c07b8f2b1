"""Which libphonenumber metadata answers (include/phonenorm/number.h,
phn_metadata_*): the bundled upstream data or libphonenumber's own."""

from __future__ import annotations

import ctypes
from ctypes import c_char_p, c_int, c_uint
from dataclasses import dataclass
from typing import Union

from . import _lib
from ._number import _NamedEnum, _show

PHN_METADATA_INFO_VERSION = 1


class phn_metadata_info(ctypes.Structure):
    _fields_ = [
        ("version", c_uint),
        ("requested", c_int),
        ("source", c_int),
        ("short_source", c_int),
        ("alternate_source", c_int),
        ("as_requested", c_int),
        ("upstream_version", ctypes.c_char * 16),
        ("upstream_commit", ctypes.c_char * 41),
        ("upstream_date", ctypes.c_char * 11),
        ("engine_version", ctypes.c_char * 16),
        ("reason", ctypes.c_char * 256),
    ]


_select = _lib._fn("phn_metadata_select", c_int, c_int)
_get_info = _lib._fn("phn_metadata_get_info", c_int, ctypes.POINTER(phn_metadata_info))
_source_name = _lib._fn("phn_metadata_source_name", c_char_p, c_int)


class MetadataSource(_NamedEnum):
    """Where the metadata comes from (phn_metadata_source)."""
    BUNDLED = ("bundled", 0)
    SYSTEM = ("system", 1)


@dataclass(frozen=True)
class MetadataInfo:
    """What answers and why (phn_metadata_info). ``source``,
    ``short_source`` and ``alternate_source`` are what the library's
    start-up self-check found answering for numbers, short numbers and the
    matcher's alternate formats; ``reason`` is "" when ``as_requested``."""
    requested: Union[MetadataSource, int]
    source: Union[MetadataSource, int]
    short_source: Union[MetadataSource, int]
    alternate_source: Union[MetadataSource, int]
    as_requested: bool
    #: Upstream version of the data that answers ("9.0.35", "8.12.57"), and
    #: for the bundled data its upstream commit and date ("" otherwise).
    upstream_version: str
    upstream_commit: str
    upstream_date: str
    #: The libphonenumber library that runs ("8.12.57").
    engine_version: str
    reason: str


def _field(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def metadata_info() -> MetadataInfo:
    """The metadata in force; loads it (and runs the self-check) if nothing
    has yet, which fixes the choice."""
    info = phn_metadata_info()
    info.version = PHN_METADATA_INFO_VERSION
    _lib.check(_get_info(ctypes.byref(info)))
    src = MetadataSource.from_code
    return MetadataInfo(
        requested=src(info.requested), source=src(info.source),
        short_source=src(info.short_source), alternate_source=src(info.alternate_source),
        as_requested=bool(info.as_requested), upstream_version=_field(info.upstream_version),
        upstream_commit=_field(info.upstream_commit), upstream_date=_field(info.upstream_date),
        engine_version=_field(info.engine_version), reason=_field(info.reason))


def select_metadata(source: Union[MetadataSource, str]) -> None:
    """Choose "bundled" or "system" metadata before the first number function
    of the process (it wins over $PHONENORM_METADATA). Choosing again what is
    already in force is fine. Raises InvalidArgumentError for another name,
    StateError when the metadata is already in use with the other choice."""
    try:
        member = MetadataSource(source)
    except ValueError:
        raise _lib.error(_lib.PHN_EINVAL, "unknown metadata source %s (expected 'bundled' or "
                         "'system')" % _show(source)) from None
    _lib.check(_select(member.code))
