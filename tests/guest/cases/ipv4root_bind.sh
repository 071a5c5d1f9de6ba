#!/bin/bash
# set_ipv4root (VCMD_SET_IPV4ROOT), the kernel's side, through the probe
# vx-netprobe (tests/guest/helpers/vx-netprobe.cpp; "lock ADDR" is the raw
# system call, no chbind):
#  - /proc/PID/status shows ipv4root, ipv4root_bcast and ipv4root_loopback;
#  - one shot: a second call fails with EPERM, even with the same address;
#    children inherit the lock; any user may set it once; bad arguments
#    fail with EINVAL; the unlocked (this shell, siblings) are unaffected;
#  - bind(): 0.0.0.0 becomes the ipv4root, the ipv4root itself works, any
#    other address (127.0.0.1 too) fails with EADDRNOTAVAIL, TCP and UDP;
#    the broadcast address given with it: UDP only;
#  - outgoing: connect() and sendto() of unbound sockets, and listen()
#    without bind(), use the ipv4root (what the peer sees, getsockname).
# Addresses: 127.0.0.2 and 127.0.0.3 (lo answers for all of 127/8), and a
# dummy interface vx0 with 127.1.0.1/24, broadcast 127.1.0.255.
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/netprobe.sh
. "$(dirname "$0")/../lib/netprobe.sh"
# (context 0: 127.0.0.1 stays the host's, see private_loopback)
status_lines() { printf 'ipv4root:\t%s\nipv4root_bcast:\t%s\nipv4root_loopback:\thost' "$1" "$2"; }

ip link add vx0 type dummy &&
	ip addr add 127.1.0.1/24 broadcast 127.1.0.255 dev vx0 &&
	ip link set vx0 up
is "$?" 0 "setup: a dummy interface vx0 with 127.1.0.1/24, broadcast 127.1.0.255"

# ---- /proc/PID/status ----
is "$(grep '^ipv4root' /proc/$$/status)" "$(status_lines 0.0.0.0 0.0.0.0)" \
	"status: an unlocked process shows ipv4root 0.0.0.0 and ipv4root_bcast 0.0.0.0"
probe "status: a locked process shows its ipv4root, ipv4root_bcast 0.0.0.0 without one" \
	"$(status_lines $A 0.0.0.0)" lock $A + status
probe "status: with a broadcast address, ipv4root_bcast shows it" \
	"$(status_lines 127.1.0.1 127.1.0.255)" lock 127.1.0.1 127.1.0.255 + status
bg_start vx-netprobe lock $B -- sleep 1000
held=$!
wait_ready "$held" sleep
is "$(grep '^ipv4root' "/proc/$held/status")" "$(status_lines $B 0.0.0.0)" \
	"status: another process reads the ipv4root of a locked one in /proc/PID/status"

# ---- one shot ----
probe "one shot: a second set_ipv4root with the same address fails with EPERM" \
	"ok${NL}EPERM" set $A + set $A
probe "one shot: a second set_ipv4root with another address fails with EPERM" \
	"ok${NL}EPERM" set $A + set $B
probe "one shot: adding a broadcast address later fails with EPERM" \
	"EPERM" lock 127.1.0.1 + set 127.1.0.1 127.1.0.255
probe "one shot: after the refused change the ipv4root is unchanged" \
	"EPERM${NL}$(status_lines $A 0.0.0.0)" lock $A + set $B + status
probe "children: a forked child of a locked process is locked to the same address" \
	"$(status_lines $A 0.0.0.0)" lock $A + fork + status
probe "children: a child's own set_ipv4root (another address) fails with EPERM" \
	"EPERM" lock $A + fork + set $B
probe "children: a child's own set_ipv4root (the same address) fails with EPERM" \
	"EPERM" lock $A + fork + set $A
probe "children: a child's bind of 0.0.0.0 gets the inherited ipv4root" \
	"$A" lock $A + fork + bind tcp 0.0.0.0
# shellcheck disable=SC2016 # (expanded by that sh)
check_run "children: the lock survives exec, and a shell's children have it" 0 \
	"$(status_lines $A 0.0.0.0)${NL}EPERM" "" \
	vx-netprobe lock $A -- sh -c 'grep "^ipv4root" /proc/self/status; vx-netprobe set $0; :' $B
probe_user "any user: nobody may set an ipv4root once" \
	"ok${NL}$(status_lines $A 0.0.0.0)" set $A + status
probe_user "any user: nobody's second set_ipv4root fails with EPERM" \
	"EPERM" lock $A + set $B
probe_user "any user: nobody's locked bind of 0.0.0.0 gets the ipv4root" \
	"$A" lock $A + bind udp 0.0.0.0
probe_user "any user: nobody's locked bind of another address fails with EADDRNOTAVAIL" \
	"EADDRNOTAVAIL" lock $A + bind tcp $B
probe "EINVAL: 0.0.0.0 as the ipv4root" "EINVAL" set 0.0.0.0
probe "EINVAL: a multicast address (224.0.0.1) as the ipv4root" "EINVAL" set 224.0.0.1
probe "EINVAL: 255.255.255.255 as the ipv4root" "EINVAL" set 255.255.255.255
probe "EINVAL: an unknown flag (2)" "EINVAL" set $A 0.0.0.0 2
probe "EINVAL: flags 0x80000000" "EINVAL" set $A 0.0.0.0 0x80000000
probe "EINVAL: a non-zero reserved field" "EINVAL" set $A 0.0.0.0 0 1
probe "EINVAL: a refused call leaves the process unlocked; it may set one after" \
	"EINVAL${NL}$(status_lines 0.0.0.0 0.0.0.0)${NL}ok" set 224.0.0.1 + status + set $A
probe_user "EINVAL: for nobody too (flag 2)" "EINVAL" set $A 0.0.0.0 2

# ---- the unlocked are unaffected ----
is "$(grep '^ipv4root' /proc/$$/status)" "$(status_lines 0.0.0.0 0.0.0.0)" \
	"unlocked: this shell, parent of all the locked children above, has no ipv4root"
probe "unlocked: this shell's children bind 0.0.0.0" "0.0.0.0" bind tcp 0.0.0.0
probe "unlocked: this shell's children bind another address ($B)" "$B" bind udp $B
probe "unlocked: ... and 127.0.0.1" "127.0.0.1" bind tcp 127.0.0.1
probe "unlocked: a sibling of a running locked process binds 0.0.0.0 and $A" \
	"0.0.0.0${NL}$A${NL}$(status_lines 0.0.0.0 0.0.0.0)" \
	bind tcp 0.0.0.0 + bind udp $A + status
# shellcheck disable=SC2016 # (expanded by that sh)
check_run "unlocked: the next child of a shell whose previous child locked itself is free" 0 \
	"$(status_lines $A 0.0.0.0)${NL}0.0.0.0${NL}$(status_lines 0.0.0.0 0.0.0.0)" "" \
	sh -c 'vx-netprobe lock $0 + status; vx-netprobe bind tcp 0.0.0.0 + status' $A
kill_anywhere "$held"

# ---- bind() ----
for proto in tcp udp; do
	probe "bind $proto: 0.0.0.0 becomes the ipv4root (getsockname)" "$A" lock $A + bind $proto 0.0.0.0
	probe "bind $proto: the ipv4root itself" "$A" lock $A + bind $proto $A
	probe "bind $proto: another local address fails with EADDRNOTAVAIL" \
		"EADDRNOTAVAIL" lock $A + bind $proto $B
	probe "bind $proto: 127.0.0.1 fails with EADDRNOTAVAIL" \
		"EADDRNOTAVAIL" lock $A + bind $proto 127.0.0.1
	probe "bind $proto: the dummy's address fails with EADDRNOTAVAIL" \
		"EADDRNOTAVAIL" lock $A + bind $proto 127.1.0.1
done
# Two trees, two addresses, one port; the unlocked 0.0.0.0 collides.
bg_start vx-netprobe lock $A -- vx-netprobe hold tcp 0.0.0.0 8080
held=$!
wait_ready "$held" vx-netprobe
deadline=$((SECONDS + 10))
until ss -ltnH | grep -q " $A:8080 " || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
like "$(ss -ltnH)" " $A:8080 " "same port: a locked tree listens on 0.0.0.0:8080, that is $A:8080"
probe "same port: another tree locked to $B binds 0.0.0.0:8080 too" "$B" lock $B + bind tcp 0.0.0.0 8080
probe "same port: a second tree locked to $A gets EADDRINUSE" "EADDRINUSE" lock $A + bind tcp 0.0.0.0 8080
probe "same port: an unlocked bind of 0.0.0.0:8080 gets EADDRINUSE" "EADDRINUSE" bind tcp 0.0.0.0 8080
kill_anywhere "$held"

# The broadcast address: UDP may bind it (services that listen to
# broadcasts), TCP may not.
probe "broadcast: UDP binds the broadcast address given with the ipv4root" \
	"127.1.0.255" lock 127.1.0.1 127.1.0.255 + bind udp 127.1.0.255
probe "broadcast: TCP may not bind it (EADDRNOTAVAIL)" \
	"EADDRNOTAVAIL" lock 127.1.0.1 127.1.0.255 + bind tcp 127.1.0.255
probe "broadcast: (reference: unlocked, TCP binds it)" "127.1.0.255" bind tcp 127.1.0.255
probe "broadcast: UDP 0.0.0.0 is still the ipv4root" \
	"127.1.0.1" lock 127.1.0.1 127.1.0.255 + bind udp 0.0.0.0
probe "broadcast: without one given, UDP may not bind the interface's broadcast" \
	"EADDRNOTAVAIL" lock 127.1.0.1 + bind udp 127.1.0.255

# ---- outgoing ----
probe "outgoing: TCP connect() to 127.0.0.1 from an unbound socket uses the ipv4root (the peer sees it)" \
	"$A${NL}peer $A" serve tcp 127.0.0.1 -- vx-netprobe lock $A + connect tcp 127.0.0.1 @PORT
probe "outgoing: (reference: unlocked, the source is 127.0.0.1)" \
	"127.0.0.1${NL}peer 127.0.0.1" serve tcp 127.0.0.1 -- vx-netprobe connect tcp 127.0.0.1 @PORT
probe "outgoing: TCP connect() to another local address uses the ipv4root" \
	"$A${NL}peer $A" serve tcp $B -- vx-netprobe lock $A + connect tcp $B @PORT
probe "outgoing: TCP connect() to the dummy's address uses the ipv4root" \
	"$A${NL}peer $A" serve tcp 127.1.0.1 -- vx-netprobe lock $A + connect tcp 127.1.0.1 @PORT
probe "outgoing: UDP connect() + send from an unbound socket uses the ipv4root" \
	"$A${NL}peer $A" serve udp 127.0.0.1 -- vx-netprobe lock $A + connect udp 127.0.0.1 @PORT
probe "outgoing: UDP sendto() from an unbound socket uses the ipv4root" \
	"$A${NL}peer $A" serve udp 127.0.0.1 -- vx-netprobe lock $A + sendto 127.0.0.1 @PORT
probe "outgoing: (reference: unlocked UDP sendto, the source is 127.0.0.1)" \
	"0.0.0.0${NL}peer 127.0.0.1" serve udp 127.0.0.1 -- vx-netprobe sendto 127.0.0.1 @PORT
probe_user "outgoing: for nobody too (TCP connect to 127.0.0.1)" \
	"$A${NL}peer $A" serve tcp 127.0.0.1 -- vx-netprobe lock $A + connect tcp 127.0.0.1 @PORT
probe "listen() without bind() listens on the ipv4root" "$A" lock $A + listen
# shellcheck disable=SC2016 # (expanded by that sh)
bg_start sh -c 'exec vx-netprobe lock $0 -- vx-netprobe hold tcp - 0 >"$1"' $A "$TEST_TMP/hold"
held=$!
deadline=$((SECONDS + 10))
until [ -s "$TEST_TMP/hold" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
read -r held_addr held_port <"$TEST_TMP/hold"
is "$held_addr" "$A" "listen() without bind(): the listener is on the ipv4root"
run vx-netprobe connect tcp $A "$held_port"
like "$rc $out" "^0 127\.[0-9.]+$" "listen() without bind(): a connection to $A:PORT is accepted"
probe "listen() without bind(): a connection to 127.0.0.1:PORT is refused" \
	"ECONNREFUSED" connect tcp 127.0.0.1 "$held_port"
kill_anywhere "$held"

finish
