#!/bin/sh
# Install the npm packages that tests compare phonenorm with, each pinned in
# its folder's package-lock.json:
# - the official svix package that the webhook_signatures test signs with
#   (tests/webhook/svix-signer/): an implementation of the signing scheme
#   independent of phonenorm's own;
# - google-libphonenumber, Google's JavaScript port of libphonenumber, that
#   the metadata_npm_diff test compares the bundled metadata with
#   (tests/metadata/npm/).
#
#   tools/install-npm.sh
#
# If npm is missing, Debian's nodejs and npm are installed with apt-get
# (as root, or through sudo). Then `npm ci` installs exactly the locked
# packages into each folder's node_modules (not committed).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
signer="$here/tests/webhook/svix-signer"
npmdiff="$here/tests/metadata/npm"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ]; then
		sudo=
	elif command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	else
		echo "install-npm.sh: npm is missing and this is not root (no sudo): install Debian's nodejs and npm" >&2
		exit 1
	fi
	echo "install-npm.sh: installing Debian's nodejs and npm" >&2
	# The package lists are fresh when this runs after the packages install
	# (.ci/run, the README's quick start): update them only if that fails.
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ||
		{ $sudo env DEBIAN_FRONTEND=noninteractive apt-get update &&
		  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm; }
fi

cd "$signer"
npm ci --no-audit --no-fund
# The check the test makes: the package loads and signs.
node -e 'require("svix").Webhook' >/dev/null
echo "install-npm.sh: svix $(node -p 'require("svix/package.json").version') installed in $signer/node_modules" >&2

cd "$npmdiff"
npm ci --no-audit --no-fund
# The check the test makes: the package loads and parses.
node -e 'require("google-libphonenumber").PhoneNumberUtil.getInstance().parse("+966579512345")' >/dev/null
echo "install-npm.sh: google-libphonenumber $(node -p 'require("google-libphonenumber/package.json").version') installed in $npmdiff/node_modules" >&2
