#!/bin/sh
# vunify and vdu on temporary server trees under /tmp, with --no-attr: this
# build host's kernel has no immutable-linkage-invert.  With VUNIFY_ATTR=1
# (a vserver kernel, TMPDIR on ext4: in the guest) the same runs set the
# attributes, which are then checked too, with what they allow and forbid.  Checks what is unified and what is not, the exact
# summary numbers, --dry-run, the exclude options, leftovers of a killed run,
# bad input, vunify killed (SIGKILL) at random moments, and vdu's totals
# against du's.
#
# Usage: unify_cli.sh VUNIFY VDU SRCDIR
# Environment: VUNIFY_KILL_ROUNDS (default 30) kills of the interruption test;
# VUNIFY_ATTR=1 to run without --no-attr; TMPDIR (default /tmp).

set -u

# Absolute paths: the tests change directory.
abs() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
VUNIFY=$(abs "$1")
VDU=$(abs "$2")
SRC=$(abs "$3")
ROUNDS=${VUNIFY_KILL_ROUNDS:-30}
NOATTR=1
[ "${VUNIFY_ATTR:-0}" = 1 ] && NOATTR=

# The shipped exclude list, whatever is installed on this machine.
VSERVER_CONFDIR=$SRC/etc
export VSERVER_CONFDIR
unset VSERVER_GLOBAL_CONF

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vunify-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
checks=0
uid=$(id -u)

# fail MESSAGE: a failure about the last run: shows its output.
fail() {
    echo "FAIL: $*"
    if [ -n "${status:-}" ]; then
        echo "  status: $status"
        echo "  stdout:"; sed 's/^/    /' "$tmp/out"
        echo "  stderr:"; sed 's/^/    /' "$tmp/err"
    fi
    failures=$((failures + 1))
}

# failed MESSAGE: any other failure.
failed() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# check NAME EXPECTED ACTUAL
check() {
    checks=$((checks + 1))
    [ "$2" = "$3" ] || {
        failed "$1"
        echo "  expected: $2"
        echo "  actual:   $3"
    }
}

run() {
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

lines() { wc -l <"$1" | tr -d ' '; }

start=$(date +%s)
section() { echo "== $* ($(($(date +%s) - start))s)"; }

# gen SIZE SEED: SIZE bytes of a content that depends on SEED.
gen() { yes "$2" | head -c "$1"; }

ino() { stat -c %i "$1"; }

# unified NAME FILE: with VUNIFY_ATTR=1, FILE has immutable and iunlink.
unified() {
    [ -n "$NOATTR" ] && return
    checks=$((checks + 1))
    attrs=$("$VUNIFY" --show-attr "$2" | cut -d ' ' -f 1)
    case $attrs in
    *i*U) ;;
    *) failed "$1: $2 has the attributes $attrs, not i and U" ;;
    esac
}

# same NAME A B / differ NAME A B: one inode, or two.
same() {
    checks=$((checks + 1))
    [ "$(ino "$2")" = "$(ino "$3")" ] || failed "$1: $2 and $3 are not linked"
    unified "$1" "$2"
}
differ() {
    checks=$((checks + 1))
    [ "$(ino "$2")" != "$(ino "$3")" ] || failed "$1: $2 and $3 are linked"
}

# manifest DIR...: everything about every entry (content, metadata, links).
manifest() {
    find "$@" -printf '%p %y %i %n %m %U %G %T@ %s %l\n' | sort
    find "$@" -type f -exec sha256sum {} + | sort
}

# contents DIR...: what every file holds: content, mode, owner, time, size.
contents() {
    find "$@" -type f -printf '%p %m %U %G %T@ %s\n' | sort
    find "$@" -type f -exec sha256sum {} + | sort
}

# mkserver DIR [extra]: a small server tree; file metadata is fixed.
mkserver() {
    d=$1
    mkdir -p "$d/usr/bin" "$d/usr/lib/app" "$d/usr/share/doc/pkg" "$d/etc" \
        "$d/var/lib/dpkg/info" "$d/var/lib/x" "$d/opt"
    gen 5000 tool >"$d/usr/bin/tool"
    gen 20000 libx >"$d/usr/lib/libx.so"
    gen 1234 copyright >"$d/usr/share/doc/pkg/copyright"
    gen 300 appconf >"$d/usr/lib/app/app.conf"         # a dpkg conffile (info)
    gen 400 oldconf >"$d/usr/share/doc/pkg/old.conf"    # one from dpkg's status
    gen 500 config >"$d/etc/config"                     # under /etc
    gen 600 data >"$d/var/lib/x/data"                   # under /var
    : >"$d/usr/share/empty"
    gen 700 mode >"$d/usr/bin/mode"
    gen 800 owner >"$d/usr/bin/owner"
    gen 900 mtime >"$d/usr/bin/mtime"
    gen 1000 content >"$d/usr/bin/content"
    gen 1100 hardlinked >"$d/opt/hl1"
    ln "$d/opt/hl1" "$d/opt/hl2"
    gen 1200 dup >"$d/usr/share/dup1"
    gen 1200 dup >"$d/usr/share/dup2"
    [ "${2:-}" = extra ] && gen 1500 only >"$d/usr/share/only-servers"
    ln -s tool "$d/usr/bin/link"
    mkfifo "$d/usr/share/fifo"
    [ "$uid" = 0 ] && mknod "$d/usr/share/null" c 1 3
    echo /usr/lib/app/app.conf >"$d/var/lib/dpkg/info/app.conffiles"
    printf 'Package: pkg\nConffiles:\n /usr/share/doc/pkg/old.conf 0123 obsolete\n' \
        >"$d/var/lib/dpkg/status"
    find "$d" -type f -exec chmod 644 {} +
    chmod 755 "$d/usr/bin/mode"
    find "$d" -exec touch -h -d @1700000000 {} +
}

# mkvariant DIR: what differs in the second server.
mkvariant() {
    chmod 700 "$1/usr/bin/mode"
    [ "$uid" = 0 ] && chown 1:1 "$1/usr/bin/owner"
    touch -d @1600000000 "$1/usr/bin/mtime"
    gen 1000 other >"$1/usr/bin/content"
    touch -d @1700000000 "$1/usr/bin/content"
}

# The numbers of a unification of a (reference), b (variant), c (like a):
#   b: tool 5000, libx.so 20000, copyright 1234, hl1+hl2 1100 (one inode),
#      dup1 1200 + dup2 1200 (both linked to one of the reference's two
#      copies) [+ owner 800 when not root: then it cannot differ]
#   c: the same + mode 700, owner 800, mtime 900, content 1000
if [ "$uid" = 0 ]; then
    ref_summary="18 files unified, 62868 bytes saved"
else
    ref_summary="19 files unified, 63668 bytes saved"
fi

section "help and version"
for tool in "$VUNIFY" "$VDU"; do
    prog=$(basename "$tool")
    run "$tool" --help
    check "$prog --help status" 0 "$status"
    grep -q "^Usage: $prog " "$tmp/out" || fail "$prog --help: no Usage line"
    [ -s "$tmp/err" ] && fail "$prog --help wrote to stderr"
    run "$tool" --version
    check "$prog --version" "0|$prog (vserver) 0.1.0|" "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
done
run "$VUNIFY" --help
for o in --all --dry-run --verbose --ignore-mtime --no-attr --exclude --exclude-from \
    --no-default-excludes "$SRC/etc/vunify-exclude"; do
    grep -q -- "$o" "$tmp/out" || fail "vunify --help does not mention $o"
done
run "$VDU" --help
for o in --shared-once --apparent-size --bytes --human-readable --total --one-file-system; do
    grep -q -- "$o" "$tmp/out" || fail "vdu --help does not mention $o"
done

section "bad input"
mkserver "$tmp/bad/a"
mkserver "$tmp/bad/b"
: >"$tmp/bad/file"
before=$(manifest "$tmp/bad")
# expect_usage STATUS PATTERN ARGS...: one "vunify: PATTERN" line, then the
# "Try" line; nothing on stdout.
expect_usage() {
    pattern=$1
    shift
    run "$VUNIFY" "$@"
    check "vunify $* status" 1 "$status"
    [ -s "$tmp/out" ] && fail "vunify $*: wrote to stdout"
    check "vunify $*: two stderr lines" 2 "$(lines "$tmp/err")"
    head -n 1 "$tmp/err" | grep -q "^vunify: $pattern" || fail "vunify $*: not 'vunify: $pattern'"
    tail -n 1 "$tmp/err" | grep -qx "Try 'vunify --help' for more information." ||
        fail "vunify $*: no Try line"
}
# expect_error STATUS PATTERN ARGS...: exactly one stderr line.
expect_error() {
    want=$1
    pattern=$2
    shift 2
    run "$VUNIFY" "$@"
    check "vunify $* status" "$want" "$status"
    [ -s "$tmp/out" ] && fail "vunify $*: wrote to stdout"
    check "vunify $*: one stderr line" 1 "$(lines "$tmp/err")"
    grep -q "^vunify: $pattern" "$tmp/err" || fail "vunify $*: not 'vunify: $pattern'"
}
expect_usage "unrecognized option '--bogus'" --bogus "$tmp/bad/a" "$tmp/bad/b"
expect_usage "missing REFERENCE and SERVER"
expect_usage "missing SERVER" --all
expect_usage "missing SERVER after the reference '$tmp/bad/a'" --no-attr "$tmp/bad/a"
expect_usage "--all needs at least two servers" --no-attr --all "$tmp/bad/a"
expect_usage "$tmp/bad/a and $tmp/bad/a/ are the same directory" --no-attr "$tmp/bad/a" "$tmp/bad/a/"
expect_usage "empty exclude pattern" --no-attr --exclude '' "$tmp/bad/a" "$tmp/bad/b"
expect_usage "option '--exclude' requires an argument" --no-attr --exclude
expect_error 1 "cannot open $tmp/bad/missing: No such file or directory" \
    --no-attr "$tmp/bad/a" "$tmp/bad/missing"
expect_error 1 "$tmp/bad/file: not a directory" --no-attr "$tmp/bad/file" "$tmp/bad/b"
expect_error 1 "cannot read the exclude file $tmp/nope: No such file or directory" \
    --no-attr --exclude-from "$tmp/nope" "$tmp/bad/a" "$tmp/bad/b"
# Options after the operands are operands ("+" in getopt): a missing dir.
expect_error 1 "cannot open -n: No such file or directory" --no-attr "$tmp/bad/a" -n
# Without --no-attr on this kernel: the attribute cannot be set, nothing is
# linked.  (On a kernel and file system with iunlink this unifies: skipped.)
run "$VUNIFY" "$tmp/bad/a" "$tmp/bad/b"
if [ "$status" = 0 ]; then
    echo "note: this kernel sets iunlink; the unsupported-attribute check is skipped"
    rm -rf "$tmp/bad/a" "$tmp/bad/b"
    mkserver "$tmp/bad/a"
    mkserver "$tmp/bad/b"
    before=$(manifest "$tmp/bad")
else
    check "vunify without --no-attr, status" 2 "$status"
    if [ "$uid" = 0 ]; then
        grep -q "^vunify: cannot set the immutable and iunlink attributes on $tmp/bad/a/.*lacks immutable-linkage-invert" \
            "$tmp/err" || fail "vunify without --no-attr: message"
    else
        grep -q "^vunify: .*needs CAP_LINUX_IMMUTABLE" "$tmp/err" ||
            fail "vunify without --no-attr, not root: message"
    fi
    check "vunify without --no-attr: one stderr line" 1 "$(lines "$tmp/err")"
fi
check "bad input changed nothing" "$before" "$(manifest "$tmp/bad")"

section "--show-attr"
: >"$tmp/plain"
if command -v lsattr >/dev/null 2>&1 && lsattr "$tmp/plain" >/dev/null 2>&1; then
    run "$VUNIFY" --show-attr "$tmp/plain"
    check "--show-attr: lsattr's columns and one for iunlink" \
        "0|$(lsattr "$tmp/plain" | cut -d ' ' -f 1)- $tmp/plain|" \
        "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
    run "$VUNIFY" -v --show-attr "$tmp/plain"
    check "--show-attr -v: lsattr -l's form" "0|$(lsattr -l "$tmp/plain")|" \
        "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
fi
run "$VUNIFY" --show-attr "$tmp/none"
check "--show-attr, a missing file" "1||vunify: cannot open $tmp/none: No such file or directory" \
    "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
run "$VUNIFY" --show-attr
check "--show-attr without FILE" "1||vunify: missing FILE
Try 'vunify --help' for more information." "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"

section "dry run"
mkserver "$tmp/r/a"
mkserver "$tmp/r/b" extra
mkvariant "$tmp/r/b"
mkserver "$tmp/r/c" extra
gen 1300 solo >"$tmp/r/a/usr/share/solo1"   # twice in the reference only
gen 1300 solo >"$tmp/r/a/usr/share/solo2"
touch -d @1700000000 "$tmp/r/a/usr/share/solo1" "$tmp/r/a/usr/share/solo2"
before=$(manifest "$tmp/r")
before_contents=$(contents "$tmp/r")
run "$VUNIFY" ${NOATTR:+--no-attr} --dry-run "$tmp/r/a" "$tmp/r/b" "$tmp/r/c"
check "dry run" "0|$(echo "$ref_summary" | sed 's/files unified/files would be unified/;
    s/bytes saved/bytes would be saved/')|" "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
run "$VUNIFY" ${NOATTR:+--no-attr} -n -v "$tmp/r/a" "$tmp/r/b" "$tmp/r/c"
check "dry run -v: a line per file" "${ref_summary%% *}" "$(grep -c '^would link ' "$tmp/out")"
grep -q "^would link $tmp/r/b/usr/bin/tool to $tmp/r/a/usr/bin/tool\$" "$tmp/out" ||
    fail "dry run -v: no line for usr/bin/tool"
check "dry run changed nothing" "$before" "$(manifest "$tmp/r")"

section "with a reference"
run "$VUNIFY" ${NOATTR:+--no-attr} -v "$tmp/r/a" "$tmp/r/b" "$tmp/r/c"
check "reference: status and stderr" "0|" "$status|$(cat "$tmp/err")"
check "reference: summary" "$ref_summary" "$(tail -n 1 "$tmp/out")"
check "reference: -v lines" "${ref_summary%% *}" "$(grep -c '^linked ' "$tmp/out")"
grep -q "^$tmp/r/a: 2 configuration files (dpkg 2, rpm 0) left alone\$" "$tmp/out" ||
    fail "reference -v: no configuration file count"
for s in b c; do
    for f in usr/bin/tool usr/lib/libx.so usr/share/doc/pkg/copyright opt/hl1 opt/hl2; do
        same "reference" "$tmp/r/a/$f" "$tmp/r/$s/$f"
    done
    same "reference, duplicates" "$tmp/r/$s/usr/share/dup1" "$tmp/r/$s/usr/share/dup2"
    for f in usr/lib/app/app.conf usr/share/doc/pkg/old.conf etc/config var/lib/x/data \
        usr/share/empty; do
        differ "reference, never unified" "$tmp/r/a/$f" "$tmp/r/$s/$f"
    done
    check "symlink left a symlink" "symbolic link" "$(stat -c %F "$tmp/r/$s/usr/bin/link")"
    check "fifo left a fifo" "fifo" "$(stat -c %F "$tmp/r/$s/usr/share/fifo")"
    [ "$uid" = 0 ] && check "device left a device" "character special file" \
        "$(stat -c %F "$tmp/r/$s/usr/share/null")"
done
for f in mode mtime content; do
    differ "reference, different $f" "$tmp/r/a/usr/bin/$f" "$tmp/r/b/usr/bin/$f"
    same "reference, same $f" "$tmp/r/a/usr/bin/$f" "$tmp/r/c/usr/bin/$f"
done
if [ "$uid" = 0 ]; then
    differ "reference, different owner" "$tmp/r/a/usr/bin/owner" "$tmp/r/b/usr/bin/owner"
fi
differ "reference: files not in the reference" "$tmp/r/b/usr/share/only-servers" \
    "$tmp/r/c/usr/share/only-servers"
differ "the reference's own duplicates" "$tmp/r/a/usr/share/solo1" "$tmp/r/a/usr/share/solo2"
differ "the reference's own duplicates" "$tmp/r/a/usr/share/dup1" "$tmp/r/a/usr/share/dup2"
check "hl1, hl2 of b were freed: a's inode has 6 names" 6 "$(stat -c %h "$tmp/r/a/opt/hl1")"
# The reference is never changed (apart from the links it gained).
find "$tmp/r/a" -printf '%p %y %i %m %U %G %T@ %s\n' | sort >"$tmp/a.after"
printf '%s\n' "$before" | grep "^$tmp/r/a[ /]" |
    awk '{ print $1, $2, $3, $5, $6, $7, $8, $9 }' >"$tmp/a.before"
check "the reference is unchanged" "" "$(diff "$tmp/a.before" "$tmp/a.after")"
# Every file still has its content, mode, owner and time.
check "contents" "$before_contents" "$(contents "$tmp/r")"
run "$VUNIFY" ${NOATTR:+--no-attr} "$tmp/r/a" "$tmp/r/b" "$tmp/r/c"
check "second run: nothing to do" "0|0 files unified, 0 bytes saved|" \
    "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"

if [ -z "$NOATTR" ]; then
    section "what a unified file allows"
    f=$tmp/r/b/usr/bin/tool
    sum=$(sha256sum <"$f")
    forbidden() {
        checks=$((checks + 1))
        "$@" >/dev/null 2>&1 && failed "allowed on a unified file: $*"
    }
    # shellcheck disable=SC2016 # for the inner sh
    forbidden sh -c 'echo x >>"$1"' sh "$f"
    # shellcheck disable=SC2016
    forbidden sh -c ': >"$1"' sh "$f"
    forbidden truncate -s 0 "$f"
    forbidden chmod 600 "$f"
    forbidden chown 1 "$f"
    forbidden touch "$f"
    command -v setfattr >/dev/null 2>&1 && forbidden setfattr -n user.x -v 1 "$f"
    check "a unified file keeps its content" "$sum" "$(sha256sum <"$f")"
    ln "$f" "$tmp/r/b/usr/bin/tool.link" || fail "ln of a unified file"
    mv "$tmp/r/b/usr/bin/tool.link" "$tmp/r/b/usr/bin/tool.moved" || fail "mv of a unified file"
    gen 5000 new >"$tmp/r/b/usr/bin/tool.new"
    mv "$tmp/r/b/usr/bin/tool.new" "$tmp/r/b/usr/bin/tool.moved" ||
        fail "rename over a unified file"
    rm "$tmp/r/b/usr/bin/tool.moved" || fail "rm of a renamed file"
    check "the other servers keep theirs" "$sum" "$(sha256sum <"$tmp/r/c/usr/bin/tool")"
fi

section "--all"
mkserver "$tmp/all/d"
mkserver "$tmp/all/e" extra
mkvariant "$tmp/all/e"
mkserver "$tmp/all/f" extra
gen 1300 solo >"$tmp/all/d/usr/share/solo1"   # twice in one server only
gen 1300 solo >"$tmp/all/d/usr/share/solo2"
touch -d @1700000000 "$tmp/all/d/usr/share/solo1" "$tmp/all/d/usr/share/solo2"
# As with a reference, plus only-servers 1500 (e and f); the six dup files
# go to one inode (d's dup2 too, since other servers have the content).
if [ "$uid" = 0 ]; then
    all_summary="20 files unified, 65568 bytes saved"
else
    all_summary="21 files unified, 66368 bytes saved"
fi
run "$VUNIFY" ${NOATTR:+--no-attr} --all "$tmp/all/d" "$tmp/all/e" "$tmp/all/f"
check "--all" "0|$all_summary|" "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
same "--all: only in two servers" "$tmp/all/e/usr/share/only-servers" \
    "$tmp/all/f/usr/share/only-servers"
same "--all" "$tmp/all/d/usr/bin/tool" "$tmp/all/f/usr/bin/tool"
same "--all" "$tmp/all/d/usr/bin/mode" "$tmp/all/f/usr/bin/mode"
differ "--all" "$tmp/all/d/usr/bin/mode" "$tmp/all/e/usr/bin/mode"
differ "--all: a server's own duplicates" "$tmp/all/d/usr/share/solo1" "$tmp/all/d/usr/share/solo2"
same "--all: duplicates other servers have" "$tmp/all/d/usr/share/dup1" "$tmp/all/e/usr/share/dup2"
differ "--all: /etc" "$tmp/all/d/etc/config" "$tmp/all/e/etc/config"
# A fourth server joins: its files go to the inodes with the most names.
mkserver "$tmp/all/g" extra
run "$VUNIFY" ${NOATTR:+--no-attr} --all "$tmp/all/d" "$tmp/all/e" "$tmp/all/f" "$tmp/all/g"
same "--all, joining server" "$tmp/all/e/usr/share/only-servers" "$tmp/all/g/usr/share/only-servers"
same "--all, joining server" "$tmp/all/d/usr/bin/tool" "$tmp/all/g/usr/bin/tool"
check "--all, joining server: status" 0 "$status"

section "options"
mkserver "$tmp/o/a"
mkserver "$tmp/o/b"
mkvariant "$tmp/o/b"
printf '# a comment\n\n/usr/lib\ncopyright\n' >"$tmp/o/excl"
run "$VUNIFY" ${NOATTR:+--no-attr} --exclude /opt --exclude-from "$tmp/o/excl" "$tmp/o/a" "$tmp/o/b"
# tool 5000, dup1 + dup2 2400 [+ owner 800 when not root]
if [ "$uid" = 0 ]; then excl_summary="3 files unified, 7400 bytes saved"
else excl_summary="4 files unified, 8200 bytes saved"; fi
check "--exclude, --exclude-from" "0|$excl_summary|" \
    "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
same "--exclude" "$tmp/o/a/usr/bin/tool" "$tmp/o/b/usr/bin/tool"
differ "--exclude" "$tmp/o/a/opt/hl1" "$tmp/o/b/opt/hl1"
differ "--exclude-from" "$tmp/o/a/usr/lib/libx.so" "$tmp/o/b/usr/lib/libx.so"
differ "--exclude-from, a name" "$tmp/o/a/usr/share/doc/pkg/copyright" \
    "$tmp/o/b/usr/share/doc/pkg/copyright"
run "$VUNIFY" ${NOATTR:+--no-attr} --ignore-mtime "$tmp/o/a" "$tmp/o/b"
check "--ignore-mtime: status" 0 "$status"
same "--ignore-mtime" "$tmp/o/a/usr/bin/mtime" "$tmp/o/b/usr/bin/mtime"
differ "--ignore-mtime, not the mode" "$tmp/o/a/usr/bin/mode" "$tmp/o/b/usr/bin/mode"
run "$VUNIFY" ${NOATTR:+--no-attr} --no-default-excludes "$tmp/o/a" "$tmp/o/b"
check "--no-default-excludes: status" 0 "$status"
same "--no-default-excludes: /etc" "$tmp/o/a/etc/config" "$tmp/o/b/etc/config"
same "--no-default-excludes: /var" "$tmp/o/a/var/lib/x/data" "$tmp/o/b/var/lib/x/data"
differ "--no-default-excludes: conffiles still" "$tmp/o/a/usr/lib/app/app.conf" \
    "$tmp/o/b/usr/lib/app/app.conf"
differ "--no-default-excludes: status conffiles still" "$tmp/o/a/usr/share/doc/pkg/old.conf" \
    "$tmp/o/b/usr/share/doc/pkg/old.conf"
# The exclude file of VSERVER_CONFDIR.
mkserver "$tmp/o/c"
mkserver "$tmp/o/d"
mkdir "$tmp/o/conf"
printf '/usr/bin\n' >"$tmp/o/conf/vunify-exclude"
run env VSERVER_CONFDIR="$tmp/o/conf" "$VUNIFY" ${NOATTR:+--no-attr} "$tmp/o/c" "$tmp/o/d"
check "VSERVER_CONFDIR: status" 0 "$status"
differ "VSERVER_CONFDIR's list" "$tmp/o/c/usr/bin/tool" "$tmp/o/d/usr/bin/tool"
same "VSERVER_CONFDIR's list replaces the default" "$tmp/o/c/etc/config" "$tmp/o/d/etc/config"
# Without any exclude file, the built-in copy of the shipped list.
mkserver "$tmp/o/e"
mkserver "$tmp/o/f"
run env VSERVER_CONFDIR="$tmp/o/none" "$VUNIFY" ${NOATTR:+--no-attr} "$tmp/o/e" "$tmp/o/f"
check "built-in list" "0|11 files unified, 33134 bytes saved|" \
    "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
same "built-in list" "$tmp/o/e/usr/bin/tool" "$tmp/o/f/usr/bin/tool"
differ "built-in list: /var" "$tmp/o/e/var/lib/x/data" "$tmp/o/f/var/lib/x/data"
differ "built-in list: /etc" "$tmp/o/e/etc/config" "$tmp/o/f/etc/config"

section "leftovers of a killed run"
ln "$tmp/r/a/usr/bin/tool" "$tmp/r/b/usr/bin/.vunify.Ab3dE9"
gen 10 alone >"$tmp/r/c/usr/bin/.vunify.Zz9999"
run "$VUNIFY" ${NOATTR:+--no-attr} -n "$tmp/r/a" "$tmp/r/b" "$tmp/r/c"
check "dry run with a leftover" \
    "0|0 files would be unified, 0 bytes would be saved; 1 leftover temporary link would be removed" \
    "$status|$(cat "$tmp/out")"
[ -e "$tmp/r/b/usr/bin/.vunify.Ab3dE9" ] || fail "dry run removed a leftover"
run "$VUNIFY" ${NOATTR:+--no-attr} -v "$tmp/r/a" "$tmp/r/b" "$tmp/r/c"
check "leftover removed" \
    "0|removed leftover $tmp/r/b/usr/bin/.vunify.Ab3dE9
0 files unified, 0 bytes saved; 1 leftover temporary link removed" \
    "$status|$(grep -v 'configuration files' "$tmp/out")"
check "a lone .vunify.* file is left alone, with a warning" \
    "vunify: $tmp/r/c/usr/bin/.vunify.Zz9999 looks like a temporary link of vunify but is the only name of its file: left alone" \
    "$(cat "$tmp/err")"
[ -e "$tmp/r/b/usr/bin/.vunify.Ab3dE9" ] && fail "leftover not removed"
[ -e "$tmp/r/c/usr/bin/.vunify.Zz9999" ] || fail "lone .vunify.* file removed"
rm -f "$tmp/r/c/usr/bin/.vunify.Zz9999"

section "a second vunify on the same server"
if command -v flock >/dev/null 2>&1; then
    # The holder is the sleep itself (exec), so that killing it frees the lock.
    sh -c 'exec 9<"$1" && flock 9 && exec sleep 30' sh "$tmp/r/b" >/dev/null 2>&1 &
    holder=$!
    n=0
    while [ $n -lt 100 ] && flock -n "$tmp/r/b" true; do
        sleep 0.05
        n=$((n + 1))
    done
    run "$VUNIFY" ${NOATTR:+--no-attr} "$tmp/r/a" "$tmp/r/b"
    check "locked server" "2||vunify: $tmp/r/b is being unified by another vunify" \
        "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
    run "$VUNIFY" ${NOATTR:+--no-attr} -n "$tmp/r/a" "$tmp/r/b"
    check "locked server, dry run" 0 "$status"
    kill "$holder"
    wait "$holder" 2>/dev/null
else
    echo "note: no flock(1), the lock check is skipped"
fi

section "vdu"
# No hard links: vdu is du -s.
mkdir -p "$tmp/du/x/sub" "$tmp/du/y"
gen 1000 a >"$tmp/du/x/f1"
gen 5000 b >"$tmp/du/x/sub/f2"
gen 100000 c >"$tmp/du/x/sub/f3"
ln -s f1 "$tmp/du/x/link"
gen 3333 d >"$tmp/du/y/f4"
cd "$tmp/du" || exit 1
for opts in "-b" "" "--apparent-size" "-h" "-h --apparent-size" "-k"; do
    # shellcheck disable=SC2086
    run "$VDU" $opts x y
    # shellcheck disable=SC2086
    check "vdu $opts = du -s $opts without links" "0|$(du -s $opts x y)|" \
        "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
done
run "$VDU" -c -b x y
check "vdu -c" "$(du -sbc x y)" "$(cat "$tmp/out")"
run "$VDU" -b x/f1
check "vdu FILE" "1000	x/f1" "$(cat "$tmp/out")"
# -h's rounding, on sparse files of chosen sizes.
for size in 0 1 1023 1024 1025 10239 10240 10241 1048575 1048576 1572864 123456789 \
    1073741824 1099511627776; do
    truncate -s "$size" "$tmp/du/sparse"
    check "vdu -h, $size bytes" "$(du -h --apparent-size sparse)" \
        "$("$VDU" -h --apparent-size sparse)"
done
rm -f "$tmp/du/sparse"
# Unified servers: only single-link files (and directories) count...
cd "$tmp/r" || exit 1
for s in a b c; do
    own_bytes=$(find "$s" \( -type d -o -links 1 \) -printf '%s\n' | awk '{ n += $1 } END { print n }')
    own_kib=$(find "$s" \( -type d -o -links 1 \) -printf '%b\n' |
        awk '{ n += $1 } END { print int((n * 512 + 1023) / 1024) }')
    check "vdu -b $s" "$own_bytes	$s" "$("$VDU" -b "$s")"
    check "vdu $s" "$own_kib	$s" "$("$VDU" "$s")"
done
check "a unified server counts less than du says" 1 \
    "$("$VDU" -b b | awk -v du="$(du -sb b | cut -f1)" '{ print ($1 < du) }')"
# ... and --shared-once counts each inode once, like du with several DIRs.
run "$VDU" --shared-once -b a b c
check "vdu --shared-once -b" "0|$(du -sbc a b c)|" "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
run "$VDU" --shared-once a b c
check "vdu --shared-once" "0|$(du -sc a b c)|" "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
run "$VDU" --shared-once -b a b a c/usr
check "vdu --shared-once, a DIR twice, one inside another" "0|$(du -sbc a b a c/usr)|" \
    "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
cd "$tmp" || exit 1
run "$VDU" -b "$tmp/missing" "$tmp/du/y"
check "vdu, a missing DIR" \
    "1|$(du -sb "$tmp/du/y")|vdu: cannot access '$tmp/missing': No such file or directory" \
    "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
run "$VDU"
check "vdu without DIR" "1||vdu: missing DIR
Try 'vdu --help' for more information." "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
run "$VDU" --bogus x
check "vdu --bogus" "1||vdu: unrecognized option '--bogus'
Try 'vdu --help' for more information." "$status|$(cat "$tmp/out")|$(cat "$tmp/err")"
if [ "$uid" != 0 ]; then
    mkdir -p "$tmp/du/locked/in"
    chmod 000 "$tmp/du/locked"
    run "$VDU" "$tmp/du/locked"
    check "vdu, unreadable DIR: status" 1 "$status"
    chmod 755 "$tmp/du/locked"
fi

section "interrupted at random moments"
# Three servers of a few hundred files of various sizes, mostly identical:
# every 10th file differs in s2, every 7th is only in s1 and s3.
p=$tmp/k/pristine
for s in s1 s2 s3; do
    for d in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
        mkdir -p "$p/$s/usr/lib/d$d"
    done
done
awk -v p="$p" 'BEGIN {
    for (i = 0; i < 300; i++) {
        size = (i * 7919) % 65536 + 1
        for (k = 1; k <= 3; k++) {
            seed = "f" i
            if (k == 2 && i % 10 == 0) seed = "g" i
            if (k == 2 && i % 7 == 0) continue
            line = seed "\n"
            text = line
            while (length(text) < size) text = text text
            f = p "/s" k "/usr/lib/d" (i % 17) "/file" i
            printf "%s", substr(text, 1, size) > f
            close(f)
        }
    }
}'
find "$p" -exec touch -h -d @1700000000 {} +
servers="$tmp/k/work/s1 $tmp/k/work/s2 $tmp/k/work/s3"
# What every name must hold, whatever happens: content, mode, owner, time.
(cd "$p" && find . -type f -printf '%p %m %U %G %T@ %s\n' | sort) >"$tmp/k/meta"
(cd "$p" && find . -type f -exec sha256sum {} + | sort -k 2) >"$tmp/k/sums"
# verify: every name of the pristine trees holds its content in work/, and
# nothing else is there but temporary links.
verify() {
    (cd "$tmp/k/work" && find . -type f ! -name '.vunify.??????' -printf '%p %m %U %G %T@ %s\n' |
        sort) >"$tmp/k/meta.now"
    cmp -s "$tmp/k/meta" "$tmp/k/meta.now" || { echo "metadata differs after $1"; return 1; }
    (cd "$tmp/k/work" && sha256sum --quiet -c "$tmp/k/sums") >/dev/null 2>&1 ||
        { echo "contents differ after $1"; return 1; }
}
# The unified result of an uninterrupted run, and how long the reading
# (walk and hashes: a dry run) and the whole take: the kills aim at the
# linking, which comes last.
cp -a "$p" "$tmp/k/work"
all_inodes=$(find "$tmp/k/work" -type f -printf '%i\n' | sort -u | wc -l)
t0=$(date +%s%N)
# shellcheck disable=SC2086
run "$VUNIFY" ${NOATTR:+--no-attr} --all --dry-run $servers
t1=$(date +%s%N)
# shellcheck disable=SC2086
run "$VUNIFY" ${NOATTR:+--no-attr} --all $servers
t2=$(date +%s%N)
check "interruption test: full run" 0 "$status"
full_summary=$(cat "$tmp/out")
inodes=$(find "$tmp/k/work" -type f -printf '%i\n' | sort -u | wc -l)
verify "a full run" || fail "a full run lost content"
dry_ms=$(( (t1 - t0) / 1000000 ))
ms=$(( (t2 - t1) / 1000000 ))
rm -rf "$tmp/k/work"
round=0
interrupted=0
partial=0
leftover_rounds=0
while [ $round -lt "$ROUNDS" ]; do
    round=$((round + 1))
    cp -a "$p" "$tmp/k/work"
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    delay=$(awk -v r="$r" -v lo="$dry_ms" -v hi="$ms" 'BEGIN {
        if (hi < lo) { t = lo; lo = hi; hi = t }
        lo = int(lo / 2); hi = int(hi * 1.2) + 1
        printf "%.3f", (lo + r % (hi - lo + 1)) / 1000 }')
    # shellcheck disable=SC2086
    timeout -s KILL "$delay" "$VUNIFY" ${NOATTR:+--no-attr} --all $servers >/dev/null 2>&1
    st=$?
    [ $st = 137 ] && interrupted=$((interrupted + 1))
    if [ $st != 0 ] && [ $st != 137 ]; then
        fail "round $round: vunify exited $st"
    fi
    verify "a kill after ${delay}s" || { fail "round $round: content lost"; break; }
    n=$(find "$tmp/k/work" -type f ! -name '.vunify.??????' -printf '%i\n' | sort -u | wc -l)
    [ "$n" -lt "$all_inodes" ] && [ "$n" -gt "$inodes" ] && partial=$((partial + 1))
    [ -n "$(find "$tmp/k/work" -name '.vunify.??????' -print -quit)" ] &&
        leftover_rounds=$((leftover_rounds + 1))
    # shellcheck disable=SC2086
    run "$VUNIFY" ${NOATTR:+--no-attr} --all $servers
    check "round $round: the next run" 0 "$status"
    verify "the run after a kill" || { fail "round $round: content lost"; break; }
    check "round $round: no temporary link left" "" \
        "$(find "$tmp/k/work" -name '.vunify.*' -print)"
    check "round $round: fully unified" "$inodes" \
        "$(find "$tmp/k/work" -type f -printf '%i\n' | sort -u | wc -l)"
    rm -rf "$tmp/k/work"
done
echo "$ROUNDS rounds: $interrupted killed, $partial half unified, $leftover_rounds with temporary links left"
echo "(reading ${dry_ms} ms, full run $ms ms: $full_summary)"

section "man pages and completion"
if command -v man >/dev/null 2>&1; then
    for page in vunify.8 vdu.8; do
        run env MANWIDTH=80 man --warnings -l "$SRC/man/$page"
        check "$page renders without warnings" "0|" "$status|$(cat "$tmp/err")"
        for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
            grep -q "^\.SH \"*$s\"*\$" "$SRC/man/$page" || fail "$page: no $s section"
        done
        grep -q "${page%.8} (vserver) 0\.1\.0" "$SRC/man/$page" || fail "$page: --version text"
    done
fi
if command -v bash >/dev/null 2>&1; then
    for c in vunify vdu; do
        bash -n "$SRC/completion/$c" || fail "completion/$c: syntax"
    done
    check "completion: vunify options" "--exclude --exclude-from" "$(bash -c '
        . "$1"; COMP_WORDS=(vunify --excl); COMP_CWORD=1; _vunify; echo "${COMPREPLY[*]}"' \
        sh "$SRC/completion/vunify")"
    check "completion: vdu options" "--shared-once" "$(bash -c '
        . "$1"; COMP_WORDS=(vdu --sh); COMP_CWORD=1; _vdu; echo "${COMPREPLY[*]}"' \
        sh "$SRC/completion/vdu")"
fi

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
