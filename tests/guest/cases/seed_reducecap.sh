#!/bin/bash
# Seed paper 2.6.4, "Playing with /usr/sbin/reducecap": root lowers the
# capability ceiling with reducecap --secure: that root reads root-only
# files but cannot reconfigure the network. Then the CVE-2000-0506 guard:
# an unprivileged caller that removes any capability gets no_new_privs, so
# su and setuid programs gain nothing under its ceiling (the paper's user
# who su's to a root of reduced power now stays the user); root, with
# CAP_SETPCAP, does not get it.
# The single-quoted scripts are for the shells they run in.
# shellcheck disable=SC2016
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

last_cap=$(cat /proc/sys/kernel/cap_last_cap)
FULL=$(printf '%016x' $(((1 << (last_cap + 1)) - 1)))
# What --secure keeps (reducecap(8)): CHOWN 0, DAC_OVERRIDE 1, FOWNER 3,
# FSETID 4, KILL 5, SETGID 6, SETUID 7, NET_BIND_SERVICE 10, SYS_CHROOT 18,
# SYS_PTRACE 19, LEASE 28, AUDIT_WRITE 29, SETFCAP 31.
SECURE=$(printf '%016x' $(((1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) |
	(1 << 7) | (1 << 10) | (1 << 18) | (1 << 19) | (1 << 28) | (1 << 29) | (1 << 31))))
CAP_NET_ADMIN=12
CAP_SETUID=7
NO_NET_ADMIN=$(printf '%016x' $(((1 << (last_cap + 1)) - 1 - (1 << CAP_NET_ADMIN))))
NO_SETUID=$(printf '%016x' $(((1 << (last_cap + 1)) - 1 - (1 << CAP_SETUID))))

expect_caps() { printf 'CapEff:\t%s\nCapBnd:\t%s\nNoNewPrivs:\t%s' "$1" "$2" "$3"; }

# su with an empty root password: a copy of /etc/shadow on the tmpfs.
sed 's/^root:[^:]*:/root::/' /etc/shadow >"$TEST_TMP/shadow"
chmod 640 "$TEST_TMP/shadow"
mount --bind "$TEST_TMP/shadow" /etc/shadow
run as_user su -c 'id -u'
is "$rc/$out" "0/0" "su works for the ordinary user (empty root password)"

# A file only root may read, and an interface only root may configure.
echo "root only" >"$TEST_TMP/secret"
chmod 600 "$TEST_TMP/secret"
check_run "root creates vxdummy0" 0 "" "" ip link add vxdummy0 type dummy
check_run "root sets vxdummy0 up" 0 "" "" ip link set vxdummy0 up
link_state() { ip -o link show vxdummy0 | grep -o '<[^>]*>'; }
is "$(link_state)" "<BROADCAST,NOARP,UP,LOWER_UP>" "vxdummy0 is up"

# As an ordinary user (the seed).
run as_user sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
is "$out" "$(expect_caps 0000000000000000 "$FULL" 0)" "user: the ceiling is full, no privilege"
run as_user reducecap --secure sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
is "$out" "$(expect_caps 0000000000000000 "$SECURE" 1)" \
	"user: reducecap --secure lowers the ceiling to the secure set, CapEff 0, no_new_privs"
run as_user reducecap --secure su -c "id -u; cat $TEST_TMP/secret"
is "$rc/$out" "1/" "user: under reducecap --secure, su does not become root"
if [ $((0x$SECURE & (1 << CAP_NET_ADMIN))) -eq 0 ] && [ "$SECURE" != 0000000000000000 ]; then
	pass "the secure set has capabilities, CAP_NET_ADMIN not among them"
else
	fail "the secure set has capabilities, CAP_NET_ADMIN not among them" "$SECURE"
fi

# As root.
run reducecap --secure sh -c "
	grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status
	cat $TEST_TMP/secret
	ip link set vxdummy0 down"
is "$out" "$(expect_caps "$SECURE" "$SECURE" 0)
root only" "root: reducecap --secure sh keeps the secure set, reads a root-only file"
is "$rc: $err" "2: RTNETLINK answers: Operation not permitted" \
	"root: under reducecap --secure, ip link set vxdummy0 down is refused"
is "$(link_state)" "<BROADCAST,NOARP,UP,LOWER_UP>" "vxdummy0 is still up"
run reducecap --secure sh -c 'ip link set lo down'
is "$rc: $err" "2: RTNETLINK answers: Operation not permitted" \
	"root: under reducecap --secure, ip link set lo down is refused"
check_run "root without reducecap sets vxdummy0 down" 0 "" "" ip link set vxdummy0 down
check_run "root deletes vxdummy0" 0 "" "" ip link del vxdummy0

# Even a setuid-root program gets nothing outside the ceiling.
cp /bin/bash "$TEST_TMP/suid-bash"
chmod 4755 "$TEST_TMP/suid-bash"
run as_user "$TEST_TMP/suid-bash" -p -c 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
is "$out" "0
$(expect_caps "$FULL" "$FULL" 0)" "user: the setuid-root bash runs as root with every capability"
run reducecap --cap net_admin setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups \
	"$TEST_TMP/suid-bash" -p -c \
	'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status; ip link set lo down'
is "$out" "0
$(expect_caps "$NO_NET_ADMIN" "$NO_NET_ADMIN" 0)" \
	"root's ceiling without CAP_NET_ADMIN: the user's setuid-root bash is root without it"
is "$rc: $err" "2: RTNETLINK answers: Operation not permitted" \
	"user: that root may not set lo down"
run as_user reducecap --cap net_admin "$TEST_TMP/suid-bash" -p -c \
	'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
is "$out" "$USER_ID
$(expect_caps 0000000000000000 "$NO_NET_ADMIN" 1)" \
	"user: under the user's own reducecap --cap net_admin, the setuid-root bash gains nothing"

# The CVE-2000-0506 guard.
for cap in SETUID setgid 6 CAP_SETUID; do
	run as_user reducecap --cap "$cap" sh -c 'grep "^NoNewPrivs:" /proc/self/status'
	is "$rc: $out" "0: $(printf 'NoNewPrivs:\t1')" \
		"user: reducecap --cap $cap gives no_new_privs"
done
run as_user chcontext --silent --cap setuid sh -c 'grep "^NoNewPrivs:" /proc/self/status'
is "$rc: $out" "0: $(printf 'NoNewPrivs:\t1')" "user: chcontext --cap setuid gives no_new_privs"
for cap in net_raw,sys_admin chown dac_override; do
	run as_user reducecap --cap "$cap" sh -c 'grep "^NoNewPrivs:" /proc/self/status'
	is "$rc: $out" "0: $(printf 'NoNewPrivs:\t1')" \
		"user: removing any capability ($cap) sets no_new_privs too"
done
run as_user reducecap --cap SETUID "$TEST_TMP/suid-bash" -p -c \
	'echo "$(id -u) $(id -ru)"; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
is "$out" "$USER_ID $USER_ID
$(expect_caps 0000000000000000 "$NO_SETUID" 1)" \
	"user: under reducecap --cap SETUID the setuid-root bash runs as the user, without privilege"
run as_user reducecap --cap SETUID su -c 'id -u'
is "$rc/$out" "1/" "user: under reducecap --cap SETUID, su does not become root"
run reducecap --cap SETUID sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
is "$out" "$(expect_caps "$NO_SETUID" "$NO_SETUID" 0)" \
	"root: reducecap --cap SETUID lowers the ceiling without no_new_privs"
run reducecap --cap setpcap reducecap --cap setuid sh -c 'grep "^NoNewPrivs:" /proc/self/status'
is "$rc: $out" "0: $(printf 'NoNewPrivs:\t1')" \
	"root without CAP_SETPCAP: removing CAP_SETUID gives no_new_privs"

umount /etc/shadow
finish
