#!/bin/sh
# Install the official svix npm package that the webhook_signatures test
# signs with (tests/webhook/svix-signer/, version pinned in its
# package-lock.json): an implementation of the signing scheme independent
# of phonenorm's own.
#
#   tools/install-npm.sh
#
# If npm is missing, Debian's nodejs and npm are installed with apt-get
# (as root, or through sudo). Then `npm ci` installs exactly the locked
# packages into tests/webhook/svix-signer/node_modules (not committed).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
signer="$here/tests/webhook/svix-signer"

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
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
fi

cd "$signer"
npm ci --no-audit --no-fund
# The check the test makes: the package loads and signs.
node -e 'require("svix").Webhook' >/dev/null
echo "install-npm.sh: svix $(node -p 'require("svix/package.json").version') installed in $signer/node_modules" >&2
