#!/usr/bin/python3
"""The Python side of the differential test: phonenorm's rules on python-phonenumbers.

classify(region, text) returns what phn_number_parse() must report for the
same input, as the tuple (status, e164, type, region, extension) that
diff_driver prints. The rules are the C library's, restated on the Python
port of libphonenumber:

- region: "" means none (None for Python); otherwise it is upper-cased and
  must be a region libphonenumber has metadata for, or the call fails with
  PHN_EREGION (status "error:..."; ERROR_PREFIX here).
- parse(text, region). On NumberParseException:
  INVALID_COUNTRY_CODE is needs_region when no region was given and the
  first character of text that is a plus or a digit ([+\\uFF0B\\d]) is a
  digit, invalid_country_code otherwise; NOT_A_NUMBER is not_a_number;
  TOO_SHORT_AFTER_IDD and TOO_SHORT_NSN are too_short; TOO_LONG is too_long.
  Nothing else is set.
- A parsed number is valid (with its type) if is_valid_number(); otherwise
  is_possible_number_with_reason() decides possible, local_only,
  invalid_country_code, too_short, too_long or invalid_length, and the type
  is unknown.
- e164 is format_number(E164) for every parsed number; region is
  region_code_for_number() with "ZZ" as ""; extension is numobj.extension with its digits
  normalized to ASCII (normalize_digits_only), as the C library reports it.

Run as a program it reads REGION<TAB>TEXT lines on stdin and writes the
same lines diff_driver does.
"""

import re
import sys

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from phonenumbers import ValidationResult

# python-phonenumbers compiles its per-region patterns through re's cache of
# 512 entries; a corpus over every region thrashes it and runs twice as slow.
# A bigger cache changes no result.
re._MAXCACHE = max(re._MAXCACHE, 20000)

# Status of a call that failed with PHN_EREGION. diff_driver prints
# "error:" + phn_strerror(); the runner compares only this prefix, since the
# text is the library's to word.
ERROR_PREFIX = "error:"

TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

PARSE_ERRORS = {
    NumberParseException.NOT_A_NUMBER: "not_a_number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    NumberParseException.TOO_SHORT_NSN: "too_short",
    NumberParseException.TOO_LONG: "too_long",
}

POSSIBLE_REASONS = {
    ValidationResult.IS_POSSIBLE: "possible",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local_only",
    ValidationResult.INVALID_COUNTRY_CODE: "invalid_country_code",
    ValidationResult.TOO_SHORT: "too_short",
    ValidationResult.TOO_LONG: "too_long",
    ValidationResult.INVALID_LENGTH: "invalid_length",
}

STATUS_NAMES = ("valid", "possible", "local_only", "not_a_number", "invalid_country_code",
                "too_short", "too_long", "invalid_length", "needs_region")

# Python's \d is any Unicode Nd digit, as libphonenumber's \p{Nd}.
_FIRST_START_CHAR = re.compile("[+\uff0b\\d]")
KNOWN_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _failed(status):
    return (status, "", "unknown", "", "")


def classify(region, text):
    """What phn_number_parse(text, region) must report, as printed by diff_driver."""
    if region:
        region = region.upper()
        if region not in KNOWN_REGIONS:
            return (ERROR_PREFIX, "", "", "", "")
    else:
        region = None

    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException as e:
        if e.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            first = _FIRST_START_CHAR.search(text)
            if region is None and first is not None and first.group() not in "+\uff0b":
                return _failed("needs_region")
            return _failed("invalid_country_code")
        return _failed(PARSE_ERRORS[e.error_type])

    if phonenumbers.is_valid_number(num):
        status = "valid"
        num_type = TYPE_NAMES[phonenumbers.number_type(num)]
    else:
        status = POSSIBLE_REASONS[phonenumbers.is_possible_number_with_reason(num)]
        num_type = "unknown"
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    num_region = phonenumbers.region_code_for_number(num) or ""
    if num_region == "ZZ":
        num_region = ""
    ext = phonenumbers.normalize_digits_only(num.extension) if num.extension else ""
    return (status, e164, num_type, num_region, ext)


def main():
    out = sys.stdout
    for line in sys.stdin.buffer.read().decode("utf-8").split("\n")[:-1]:
        region, _, text = line.partition("\t")
        out.write("\t".join(classify(region, text)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
