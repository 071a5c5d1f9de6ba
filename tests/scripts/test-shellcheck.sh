#!/bin/sh
# Runs shellcheck on the scripts, their library, the tests and the completions.
TEST=shellcheck
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

command -v shellcheck >/dev/null 2>&1 || skip "shellcheck is not installed"
cd "$SCRIPTS"
run shellcheck -x vps vpstree vtop vserver-stat lib/vserver-functions.sh
check "scripts and library" "0|" "$RC|$OUT$ERR"
cd "$TESTDIR"
run shellcheck -x testlib.sh test-*.sh
check "tests" "0|" "$RC|$OUT$ERR"
cd "$SRCROOT/completion"
run shellcheck -s bash -x chcontext reducecap vkill vps vpstree vtop vserver-stat
check "bash completions" "0|" "$RC|$OUT$ERR"
finish
