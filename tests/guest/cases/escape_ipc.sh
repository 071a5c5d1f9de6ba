#!/bin/bash
# Escapes and leaks through what processes share without naming each
# other: System V IPC and POSIX message queues, keyrings (with the
# request-key upcall) and the kernel log.  Root inside a started server
# (and chcontext sandboxes) against live host objects:
#  - a host shm segment, message queue, semaphore set and POSIX queue are
#    not found from inside (ENOENT) and stay as they were;
#  - a key host root added to @u is not found (ENOKEY), not readable by its
#    serial (ENOKEY: it is not there for the caller), not requested
#    (ENOKEY), not listed in /proc/keys; a key added inside is not the
#    host's; entering a server drops the host's session keyring; an upcall
#    from inside runs no host helper;
#  - syslog(2) READ_ALL and /dev/kmsg: EPERM outside context 0.
# (Abstract unix sockets and /proc/net are the network cases' business.)
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# shellcheck source=../lib/escape.sh
. "$(dirname "$0")/../lib/escape.sh"

escape_start

# --- System V IPC and POSIX message queues of the host ---
declare -A ipc_id
for spec in shm:0x7a5e0001 msg:0x7a5e0002 sem:0x7a5e0003; do
	host ipc "${spec%%:*}" create "${spec#*:}"
	ipc_id[${spec%%:*}]=$out
	like "$out" '^[0-9]+$' "setup: the host creates a ${spec%%:*} object with key ${spec#*:} (id $out)"
done
run vx-mq create /vxesc
is "$rc" 0 "setup: the host creates the POSIX message queue /vxesc"
# ipc_state: the host's objects, as ipcs lists them (key, id, owner,
# mode, size or count), and whether /vxesc opens.
# shellcheck disable=SC2317 # (called through refused)
ipc_state() {
	ipcs -m -q -s | awk '$1 ~ /^0x7a5e000/ { print $1, $2, $3, $4, $5 }' | sort
	vx-mq open /vxesc && echo mq-ok
}
refused "sysv: shmget of the host segment's key from inside fails with ENOENT" ENOENT ipc_state \
	attack ipc shm get 0x7a5e0001
refused "sysv: shmat of the host segment's id from inside fails with EINVAL" EINVAL ipc_state \
	attack shmat "${ipc_id[shm]}"
refused "sysv: msgget of the host queue's key from inside fails with ENOENT" ENOENT ipc_state \
	attack ipc msg get 0x7a5e0002
refused "sysv: semget of the host semaphore set's key from inside fails with ENOENT" ENOENT ipc_state \
	attack ipc sem get 0x7a5e0003
refused "mqueue: mq_open of the host's /vxesc from inside fails with ENOENT" ENOENT ipc_state \
	attack mq /vxesc
refused "sysv: shmget of the host segment's key from a chcontext root with every capability fails with ENOENT" \
	ENOENT ipc_state chcontext --silent vx-attack ipc shm get 0x7a5e0001
host ipc shm get 0x7a5e0001
is "$out" "${ipc_id[shm]}" "control: shmget of the segment's key in context 0 finds it"
host mq /vxesc
is "$out" ok "control: mq_open of /vxesc in context 0 works"

# --- keyrings ---
run keyctl add user vxsecret s3cret @u
S=$out
like "$S" '^[0-9]+$' "setup: host root adds the user key vxsecret to @u (serial $S)"
# shellcheck disable=SC2317 # (called through refused)
key_state() { keyctl print "$S" 2>&1; }
refused "keys: searching @u inside for the host's key fails with ENOKEY" ENOKEY key_state \
	attack key-search @u user vxsecret
refused "keys: searching @us inside for the host's key fails with ENOKEY" ENOKEY key_state \
	attack key-search @us user vxsecret
refused "keys: searching @s inside for the host's key fails with ENOKEY" ENOKEY key_state \
	attack key-search @s user vxsecret
refused "keys: reading the host's key by its serial from inside fails with ENOKEY" ENOKEY key_state \
	attack key-read "$S"
refused "keys: request_key(user, vxsecret) inside fails with ENOKEY" ENOKEY key_state \
	attack request-key user vxsecret
refused "keys: reading the host's key by its serial from a chcontext root with every capability fails with ENOKEY" \
	ENOKEY key_state chcontext --silent vx-attack key-read "$S"
refused "keys: searching @u for the host's key from a chcontext --secure root fails with ENOKEY" \
	ENOKEY key_state chcontext --silent --secure vx-attack key-search @u user vxsecret
run inside cat /proc/keys
is "$rc/$(printf '%s\n' "$out" | grep -c vxsecret)" 0/0 "keys: /proc/keys inside does not list the host's key"
# A session keyring of the host's caller is not carried into the server.
# shellcheck disable=SC2016
run keyctl session vxsession sh -c 'keyctl add user vxsesskey s3cret @s >/dev/null &&
	vserver "$0" exec /bin/vx-attack key-search @s user vxsesskey' "$ESC"
is "$out" ENOKEY "keys: the host caller's session keyring is dropped on entering the server (ENOKEY)"
# A key added inside is the server's, not the host's.
attack key-add user vxinside inner @u
like "$out" '^[0-9]+$' "keys: root inside adds a key to its own @u ($out)"
run keyctl search @u user vxinside
is "$rc" 1 "keys: the key added inside is not in the host root's @u"
# The request-key upcall: a host helper (bound over /sbin/request-key for
# the test) that logs each call and fails, which makes the key negative.
helper=$TEST_TMP/request-key
printf '#!/bin/sh\necho "$*" >>%s/upcalls\nexit 1\n' "$TEST_TMP" >"$helper"
chmod 755 "$helper"
: >"$TEST_TMP/upcalls"
upcalls() { wc -l <"$TEST_TMP/upcalls"; }
if mount --bind "$helper" /usr/sbin/request-key; then
	refused "keys: request_key with callout info inside fails with ENOKEY and runs no host helper" \
		ENOKEY upcalls attack request-key user vxupcall:inside callout
	before=$(upcalls)
	host request-key user vxupcall:host callout
	is "$out $(($(upcalls) - before))" "ENOKEY 1" \
		"control: the same request_key in context 0 runs the host helper once"
	umount /usr/sbin/request-key
else
	fail "setup: a logging request-key helper bound over /usr/sbin/request-key"
fi
host key-search @u user vxsecret
is "$out" "$S" "control: host root still finds its key in @u"
host key-read "$S"
is "$out" s3cret "control: host root still reads its key"

# --- the kernel log ---
echo "vxesc-marker: the host's secret log line" >/dev/kmsg
# shellcheck disable=SC2317 # (called through refused)
marker() { dmesg | grep -c vxesc-marker; }
refused "klog: syslog(2) READ_ALL from inside fails with EPERM" EPERM marker attack klogctl 3
refused "klog: syslog(2) CLEAR from inside fails with EPERM" EPERM marker attack klogctl 5
refused "klog: opening /dev/kmsg for reading from a chcontext --secure root fails with EPERM" EPERM marker \
	chcontext --silent --secure vx-attack open /dev/kmsg rdonly
refused "klog: syslog(2) READ_ALL from a chcontext --secure root fails with EPERM" EPERM marker \
	chcontext --silent --secure vx-attack klogctl 3
refused "klog: opening /dev/kmsg for reading from a chcontext root with every capability fails with EPERM" \
	EPERM marker chcontext --silent vx-attack open /dev/kmsg rdonly
refused "klog: syslog(2) READ_ALL from a chcontext root with every capability fails with EPERM" EPERM marker \
	chcontext --silent vx-attack klogctl 3
host klogctl 3
is "$out" ok "control: syslog(2) READ_ALL in context 0 works"
host open /dev/kmsg rdonly
is "$out" ok "control: opening /dev/kmsg for reading in context 0 works"
# Last: were it let through, CLEAR would empty the host's log.
refused "klog: syslog(2) CLEAR from a chcontext root with every capability fails with EPERM" EPERM marker \
	chcontext --silent vx-attack klogctl 5

escape_finish
