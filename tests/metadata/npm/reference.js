#!/usr/bin/env node
// The npm side of the metadata_npm_diff test: phonenorm's rules on
// google-libphonenumber (Google's JavaScript port, Closure-compiled, pinned in
// package-lock.json next to this file).
//
// Reads lines "REGION<TAB>TEXT" on stdin and writes, for each, the line that
// tests/diff/diff_driver prints for phn_number_parse_n(TEXT, REGION):
//
//     status<TAB>e164<TAB>type<TAB>region<TAB>extension
//
// with phonenorm's rules restated on the JS API (the same rules as
// tests/diff/reference.py states them on python-phonenumbers):
// - REGION "" is no region; otherwise upper-cased, and a region the package
//   has no metadata for is an error ("error:" and empty fields).
// - parse(TEXT, REGION); on an exception: INVALID_COUNTRY_CODE is
//   needs_region when no region was given and the first [+\uFF0B\p{Nd}]
//   character is a digit, invalid_country_code otherwise; NOT_A_NUMBER is
//   not_a_number; TOO_SHORT_AFTER_IDD and TOO_SHORT_NSN are too_short;
//   TOO_LONG is too_long. Nothing else is set; the type is "unknown".
// - A parsed number is valid with getNumberType() if isValidNumber();
//   otherwise isPossibleNumberWithReason() gives possible, local_only,
//   invalid_country_code, too_short, too_long or invalid_length and the type
//   is unknown.
// - e164 is format(E164) of every parsed number; region is
//   getRegionCodeForNumber() ("ZZ"/null as ""); extension with its digits
//   normalized to ASCII.
//
// "reference.js [--metadata-override FILE] < lines" answers with some
// regions' metadata replaced (see below).
// "reference.js --info" prints the package version and its regions (JSON);
// "reference.js --metadata" prints the package's phone-number metadata (its
// countryToMetadata: one array per region, indexed by phonemetadata.proto
// field number) as JSON, so the runner can compare it with the bundled data.
'use strict';

const fs = require('fs');
let lib;
try {
  lib = require('google-libphonenumber');
} catch (e) {
  process.stderr.write('reference.js: google-libphonenumber is not installed next to this ' +
    'script (' + e.message.split('\n')[0] + '): run tools/install-npm.sh\n');
  process.exit(3);
}

// "--metadata-override FILE": replace the package's metadata of some regions
// (FILE: {key: jspb array}, keys as in countryToMetadata) before any use, so
// the runner can show a difference comes from the data: the JS port on
// phonenorm's data for those regions must answer as phonenorm does.
if (process.argv[2] === '--metadata-override') {
  const override = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  Object.assign(lib.metadata.countryToMetadata, override);
  process.argv.splice(2, 2);
}

const PNU = lib.PhoneNumberUtil;
const util = PNU.getInstance();
const E164 = lib.PhoneNumberFormat.E164;

const TYPE_NAMES = new Map([
  [lib.PhoneNumberType.FIXED_LINE, 'fixed_line'],
  [lib.PhoneNumberType.MOBILE, 'mobile'],
  [lib.PhoneNumberType.FIXED_LINE_OR_MOBILE, 'fixed_line_or_mobile'],
  [lib.PhoneNumberType.TOLL_FREE, 'toll_free'],
  [lib.PhoneNumberType.PREMIUM_RATE, 'premium_rate'],
  [lib.PhoneNumberType.SHARED_COST, 'shared_cost'],
  [lib.PhoneNumberType.VOIP, 'voip'],
  [lib.PhoneNumberType.PERSONAL_NUMBER, 'personal_number'],
  [lib.PhoneNumberType.PAGER, 'pager'],
  [lib.PhoneNumberType.UAN, 'uan'],
  [lib.PhoneNumberType.VOICEMAIL, 'voicemail'],
  [lib.PhoneNumberType.UNKNOWN, 'unknown'],
]);

const VR = PNU.ValidationResult;
const POSSIBLE_REASONS = new Map([
  [VR.IS_POSSIBLE, 'possible'],
  [VR.IS_POSSIBLE_LOCAL_ONLY, 'local_only'],
  [VR.INVALID_COUNTRY_CODE, 'invalid_country_code'],
  [VR.TOO_SHORT, 'too_short'],
  [VR.TOO_LONG, 'too_long'],
  [VR.INVALID_LENGTH, 'invalid_length'],
]);

// The package throws Error(message) with these messages (lib.Error).
const PARSE_ERRORS = new Map([
  [lib.Error.NOT_A_NUMBER, 'not_a_number'],
  [lib.Error.TOO_SHORT_AFTER_IDD, 'too_short'],
  [lib.Error.TOO_SHORT_NSN, 'too_short'],
  [lib.Error.TOO_LONG, 'too_long'],
]);

const FIRST_START_CHAR = /[+\uFF0B\p{Nd}]/u;
const REGIONS = new Set(util.getSupportedRegions());

function failed(status) {
  return [status, '', 'unknown', '', ''];
}

function classify(regionIn, text) {
  let region = null;
  if (regionIn) {
    region = regionIn.toUpperCase();
    if (!REGIONS.has(region)) return ['error:', '', '', '', ''];
  }
  let num;
  try {
    num = util.parse(text, region);
  } catch (e) {
    const msg = e && e.message;
    if (msg === lib.Error.INVALID_COUNTRY_CODE) {
      const first = FIRST_START_CHAR.exec(text);
      if (region === null && first && first[0] !== '+' && first[0] !== '\uFF0B') {
        return failed('needs_region');
      }
      return failed('invalid_country_code');
    }
    if (PARSE_ERRORS.has(msg)) return failed(PARSE_ERRORS.get(msg));
    throw e; // not a parse outcome: a bug here or in the package, never data
  }
  let status;
  let type = 'unknown';
  if (util.isValidNumber(num)) {
    status = 'valid';
    type = TYPE_NAMES.get(util.getNumberType(num));
  } else {
    status = POSSIBLE_REASONS.get(util.isPossibleNumberWithReason(num));
  }
  const e164 = util.format(num, E164);
  let numRegion = util.getRegionCodeForNumber(num) || '';
  if (numRegion === 'ZZ') numRegion = '';
  const ext = num.hasExtension() ? PNU.normalizeDigitsOnly(num.getExtension()) : '';
  return [status, e164, type, numRegion, ext];
}

function main() {
  if (process.argv[2] === '--info') {
    const version = require('google-libphonenumber/package.json').version;
    process.stdout.write(JSON.stringify({version: version, regions: [...REGIONS].sort()}) + '\n');
    return 0;
  }
  if (process.argv[2] === '--metadata') {
    fs.writeFileSync(1, JSON.stringify(lib.metadata.countryToMetadata) + '\n');
    return 0;
  }
  if (process.argv.length > 2) {
    process.stderr.write('usage: reference.js [--info | --metadata | --metadata-override FILE] ' +
      '< REGION<TAB>TEXT lines\n');
    return 2;
  }
  const input = fs.readFileSync(0, 'utf8');
  const lines = input.split('\n');
  if (lines[lines.length - 1] !== '') {
    process.stderr.write('reference.js: input does not end in a newline\n');
    return 2;
  }
  const out = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i];
    const tab = line.indexOf('\t');
    if (tab < 0) {
      process.stderr.write('reference.js: line ' + (i + 1) + ': no TAB between REGION and TEXT\n');
      return 2;
    }
    out.push(classify(line.slice(0, tab), line.slice(tab + 1)).join('\t'));
  }
  out.push('');
  fs.writeFileSync(1, out.join('\n'));
  return 0;
}

process.exitCode = main();
