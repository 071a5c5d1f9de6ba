#!/bin/bash
# The demo (tests/guest/demo.sh, what tests/demo shows) runs to its end and
# prints nothing unexpected: no warning, failure, missing file or command,
# error or traceback.  Its refusals are the expected kind of message
# ("Operation not permitted", "Permission denied", "Cannot assign
# requested address"), so they do not count.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

run bash "$(dirname "$0")/../demo.sh"
is "$rc" 0 "the demo exits 0"
like "$out" "== Done" "the demo runs to its end"
bad=$(printf '%s\n' "$out" "$err" | grep -inE 'warn|fail|no such file|not found|error|traceback|unknown')
is "$bad" "" "the demo prints no warning, failure or error"
finish
