#!/bin/sh
# The kill -9 soak: `phonenorm dial --live` killed at random points and
# resumed 100 times (the suite's dial_kill does 20), against the fake call
# API on 127.0.0.1. A failure prints the seed; replay it with
#   PHN_DIAL_KILL_SEED=N tests/dial/soak.sh
#
# usage: tests/dial/soak.sh [PATH/TO/phonenorm] [CYCLES]
#        (default build/src/cli/phonenorm, 100 cycles)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/src/cli/phonenorm}
cycles=${2:-100}
[ -x "$bin" ] || { echo "soak.sh: no phonenorm binary at $bin (build first)" >&2; exit 2; }
py=/usr/bin/python3
[ -x "$py" ] || py=python3
PHN_DIAL_KILL_CYCLES=$cycles PYTHONDONTWRITEBYTECODE=1 exec "$py" "$here/test_dial_kill.py" "$bin"
