# Shared functions of the command-line tests (tools_cli.sh, reboot_cli.sh):
# each command runs with its output in $tmp/out and $tmp/err; a check that
# fails prints why and counts in $failures. Sourced, POSIX sh.
# shellcheck shell=sh

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0

fail() {
    echo "FAIL: $*"
    echo "  status: $status"
    echo "  stdout:"; sed 's/^/    /' "$tmp/out"
    echo "  stderr:"; sed 's/^/    /' "$tmp/err"
    failures=$((failures + 1))
}

# run CMD...: runs it with output captured in $tmp/out and $tmp/err, sets $status.
run() {
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

lines() { wc -l <"$1" | tr -d ' '; }

# expect STATUS CMD...: the exit status.
expect_status() {
    want=$1
    shift
    run "$@"
    [ "$status" -eq "$want" ] || { fail "$* exited $status, expected $want"; return 1; }
}

# expect_usage_error PATTERN CMD...: status 1, nothing on stdout, "PROG: ..."
# matching PATTERN, then the "Try 'PROG --help'" line, and no syscall message.
expect_usage_error() {
    pattern=$1
    shift
    prog=$(basename "$1")
    expect_status 1 "$@" || return
    [ -s "$tmp/out" ] && { fail "$*: wrote to stdout"; return; }
    [ "$(lines "$tmp/err")" -eq 2 ] || { fail "$*: expected two stderr lines"; return; }
    head -n 1 "$tmp/err" | grep -q "^$prog: .*$pattern" ||
        fail "$*: first line does not match '$prog: ...$pattern'"
    tail -n 1 "$tmp/err" | grep -qx "Try '$prog --help' for more information." ||
        fail "$*: no Try '$prog --help' line"
}

# expect_info CMD...: status 0, output on stdout only.
expect_info() {
    expect_status 0 "$@" || return
    [ -s "$tmp/out" ] || fail "$*: nothing on stdout"
    [ -s "$tmp/err" ] && fail "$*: wrote to stderr"
}
