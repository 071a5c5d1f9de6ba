#!/bin/sh
# Runs shellcheck on the scripts, their library, the tests and the completions.
TEST=shellcheck
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

command -v shellcheck >/dev/null 2>&1 || skip "shellcheck is not installed"
cd "$SCRIPTS"
run shellcheck -x vps vpstree vtop vserver-stat vserver vservers vrpm newvserver \
	lib/vserver-functions.sh
check "scripts and library" "0|" "$RC|$OUT$ERR"
run shellcheck -x vserver-lock-service lib/v-service.sh
check "vserver-lock-service and v-service.sh" "0|" "$RC|$OUT$ERR"
cd "$SRCROOT/etc/init.d"
run shellcheck -x v_httpd v_sshd v_smb v_xinetd
check "the v_ init wrappers" "0|" "$RC|$OUT$ERR"
run shellcheck -s sh rebootmgr
check "the rebootmgr init script" "0|" "$RC|$OUT$ERR"
run shellcheck -s sh vservers
check "the vservers init script" "0|" "$RC|$OUT$ERR"
cd "$TESTDIR"
run shellcheck -x testlib.sh test-*.sh
check "tests" "0|" "$RC|$OUT$ERR"
cd "$SRCROOT/completion"
run shellcheck -s bash -x chcontext reducecap vkill vps vpstree vtop vserver-stat \
	vserver vservers vrpm newvserver vserver-exec vsyslogd
check "bash completions" "0|" "$RC|$OUT$ERR"
run shellcheck -s bash -x chbind vserver-lock-service
check "bash completions of chbind and vserver-lock-service" "0|" "$RC|$OUT$ERR"
run shellcheck -s bash rebootmgr vreboot
check "bash completions of rebootmgr and vreboot" "0|" "$RC|$OUT$ERR"
finish
