"""phonenorm: make phone-number lists safe to call.

A pure-Python binding (ctypes) over the C library libphonenorm.so.0, on its
public API only. The library is found through $PHONENORM_LIBRARY, else next
to an installed package, else ctypes.util.find_library("phonenorm"), else
the dynamic loader's own search.

    >>> import phonenorm
    >>> n = phonenorm.parse("٠٥٠١٢٣٤٥٦٧", "SA")
    >>> n.e164, n.status, n.type
    ('+966501234567', <Status.VALID: 'valid'>, <NumberType.MOBILE: 'mobile'>)
    >>> n.format("intl")
    '+966 50 123 4567'
    >>> str(n)
    '+966501234567'
    >>> phonenorm.normalize_many(["050 123 4567", "0501234", None], "SA")
    ['+966501234567', None, None]
    >>> [(m.start, m.raw, str(m)) for m in phonenorm.find("اتصل ٠٥٠١٢٣٤٥٦٧", "SA")]
    [(5, '٠٥٠١٢٣٤٥٦٧', '+966501234567')]
"""

from __future__ import annotations

from ._errors import (AuthError, BufferTooSmallError, Error, FormatError, InputOutputError,
                      InternalError, InvalidArgumentError, NetworkError, NotFoundError,
                      OutOfMemoryError, RegionError, VersionError)
from ._errors import StateError
from ._number import (Info, Number, NumberType, ShortCost, Status, TextLike, library_path,
                      metadata_version, normalize, normalize_many, parse, parse_many,
                      region_country_code, region_is_known, version)
from ._find import (FIND_TEXT_MAX, Leniency, Match, example_number, example_number_non_geo,
                    find, non_geo_country_codes, regions)
from ._metadata import MetadataInfo, MetadataSource, metadata_info, select_metadata
from ._fastpath import (FastPathInfo, ParsePath, fastpath_compile_all, fastpath_info,
                        parse_traced)
from ._lists import CleanRow, DedupeSet, RejectReason, RowOutcome, clean
from ._dispatch import (Detail, Dispatch, DispatchKind, DispatchOutcome, DispatchRequest,
                        DispatchResult, user_agent)
from ._campaign import Campaign, CampaignPlan
from ._webhook import WebhookVerdict, verify_webhook

#: The version of this binding; version() is that of the C library loaded.
#: pyproject.toml's build backend reads it from here (the one place it is set).
__version__: str = "0.1.0"

__all__ = [
    "AuthError", "BufferTooSmallError", "Campaign", "CampaignPlan", "CleanRow", "DedupeSet", "Detail", "Dispatch",
    "DispatchKind", "DispatchOutcome", "DispatchRequest", "DispatchResult", "Error", "FormatError", "Info",
    "InputOutputError", "InternalError", "InvalidArgumentError", "NetworkError",
    "NotFoundError", "Number", "NumberType", "OutOfMemoryError", "RegionError",
    "RejectReason", "RowOutcome", "ShortCost", "Status", "VersionError", "clean",
    "TextLike", "library_path", "metadata_version", "normalize", "normalize_many", "parse",
    "parse_many", "region_country_code", "region_is_known", "user_agent", "version",
    "WebhookVerdict", "verify_webhook",
    "FIND_TEXT_MAX", "Leniency", "Match", "example_number", "example_number_non_geo", "find",
    "non_geo_country_codes", "regions",
    "MetadataInfo", "MetadataSource", "StateError", "metadata_info", "select_metadata",
    "FastPathInfo", "ParsePath", "fastpath_compile_all", "fastpath_info", "parse_traced",
]
