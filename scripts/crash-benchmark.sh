#!/usr/bin/env bash
# The read-log crash test at benchmark strength: 200 scripted reader sessions over 1,200 cases, each killed with SIGKILL
# at a random moment while it is still reading (CI runs 50 sessions over 300 cases).
# Prints the number of kills and reads; fails if any read is lost or doubled or the hash chain breaks.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${1:-200}"
./jdk mvn -B -q -o test -Dtest=ReadLogCrashTest -Dfuzz.skip=true -Dfunduslens.crash.kills="$KILLS" -Dsurefire.failIfNoSpecifiedTests=false \
  | grep -E "crash test:|Tests run|FAIL" || true
