#!/usr/bin/env bash
# The read-log crash test at benchmark strength: 200 SIGKILLs of a scripted reader session (CI runs 50).
# Prints the number of kills and reads; fails if any read is lost or doubled or the hash chain breaks.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS="${1:-200}"
./jdk mvn -B -q -o test -Dtest=ReadLogCrashTest -Dfuzz.skip=true -Dfunduslens.crash.kills="$KILLS" -Dsurefire.failIfNoSpecifiedTests=false \
  | grep -E "crash test:|Tests run|FAIL" || true
