"""The exceptions: one class per PHN_E* code, all under phonenorm.Error."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type


class Error(Exception):
    """A phonenorm call failed. ``code`` is the C library's negative PHN_E*
    value, ``message`` its phn_strerror() text, ``detail`` the C library's
    phn_error_last() line for the failure, which names the bad value
    ("unknown region 'XX' ..."), or None. ``str(e)`` is the detail when there
    is one, else the message."""

    #: The class's PHN_E* code (None on Error itself); an instance's is the
    #: code the C library returned.
    code: Optional[int] = None

    def __init__(self, code: int, message: str, detail: Optional[str] = None) -> None:
        self.code = code
        self.message: str = message
        self.detail: Optional[str] = detail or None
        Exception.__init__(self, detail or message)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.detail))


class InvalidArgumentError(Error, ValueError):
    """PHN_EINVAL: an argument is missing, out of range or malformed
    (text that is not UTF-8, formatting a text that held no number)."""
    code = -1


class OutOfMemoryError(Error, MemoryError):
    """PHN_ENOMEM."""
    code = -2


class BufferTooSmallError(Error):
    """PHN_EBUFS (the binding sizes its buffers itself; seen only if a result
    keeps growing)."""
    code = -3


class RegionError(Error, ValueError):
    """PHN_EREGION: not a known ISO 3166-1 alpha-2 region."""
    code = -4


class InternalError(Error):
    """PHN_EINTERNAL: unexpected failure inside a dependency."""
    code = -5


class VersionError(Error):
    """PHN_EVERSION: the library does not know a struct version the binding
    sent (a library older than the binding)."""
    code = -6


class InputOutputError(Error, OSError):
    """PHN_EIO: reading or writing a file or stream failed."""
    code = -7


class FormatError(Error, ValueError):
    """PHN_EFORMAT: input data is malformed beyond recovery."""
    code = -8


class NotFoundError(Error, LookupError):
    """PHN_ENOTFOUND: a named thing (a column, a file) does not exist."""
    code = -9


class NetworkError(Error):
    """PHN_ENETWORK: a network transfer could not be carried out."""
    code = -10


class AuthError(Error):
    """PHN_EAUTH: credentials are missing or were refused."""
    code = -11


class StateError(Error):
    """PHN_ESTATE: not allowed now (too late or too early), e.g. choosing the
    metadata after the process has started using it."""
    code = -12


_BY_CODE: Dict[Optional[int], Type[Error]] = {cls.code: cls for cls in (
    InvalidArgumentError, OutOfMemoryError, BufferTooSmallError, RegionError, InternalError,
    VersionError, InputOutputError, FormatError, NotFoundError, NetworkError, AuthError,
    StateError)}


def error_for(code: int, message: str, detail: Optional[str] = None) -> Error:
    """The exception object for a negative code (Error itself for a code this
    binding does not know yet: the C enum only grows)."""
    cls = _BY_CODE.get(code, Error)
    return cls(code, message, detail)
