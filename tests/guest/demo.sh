#!/bin/bash
# The product as its users meet it, in the patched guest: two virtual
# servers built from one small system, the same web configuration on two
# addresses, watched from the host, entered, and stopped.  Run by
# tests/demo.
set -u
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[36m# %s\033[0m\n' "$*"; bash -c "$*" 2>&1 | sed 's/^/   /'; }

TEST_TMP=$(mktemp -d /tmp/demo.XXXXXX)
chmod 755 "$TEST_TMP"
# shellcheck source=lib/servers.sh
. "$(dirname "$0")/lib/servers.sh"

step "The kernel: $(uname -r), with vserver support"
show 'grep -E "^(s_context|ipv4root|CapBnd)" /proc/self/status'

step "The network: a dummy interface for two servers, IPv4 and IPv6"
ip link add eth0 type dummy && ip addr add 127.1.0.1/24 dev eth0 && ip link set eth0 up
show "ip -o addr show dev eth0 | awk '{ print \$3, \$4 }'"

step "vserver NAME build: two servers from one small system (busybox + httpd)"
make_busybox_tree "$TEST_TMP/system"
show "vserver web1 build --from $TEST_TMP/system"
show "vserver web2 build --from $TEST_TMP/system"
echo "Hello from web1" >"$VSERVER_ROOTDIR/web1/var/www/index.html"
echo "Hello from web2" >"$VSERVER_ROOTDIR/web2/var/www/index.html"
set_conf web1 IPROOT 127.1.0.2
set_conf web2 IPROOT 127.1.0.3
set_conf web1 IPROOT6 2001:db8::2
set_conf web2 IPROOT6 2001:db8::3
set_conf web1 IPROOTDEV eth0
set_conf web2 IPROOTDEV eth0
show "grep -v '^#' $VSERVER_CONFDIR/web1.conf"
show "cat $VSERVER_ROOTDIR/web1/etc/init.d/httpd  # the same in both: port 80 of every address"

step "vserver NAME start: each gets its addresses, context and reduced root"
show "vserver web1 start"
show "vserver web2 start"
wait_http http://127.1.0.2/ && wait_http http://127.1.0.3/
show "ip -o addr show dev eth0 | awk '{ print \$3, \$4 }'"
show "ss -ltn 'sport = :80'  # each [::]:80, a wildcard of its own server's addresses"

step "Each address serves its own server's page"
show "python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.1.0.2/\").read().decode().strip())'"
show "python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.1.0.3/\").read().decode().strip())'"
show "python3 -c 'import urllib.request as u; print(u.urlopen(\"http://[2001:db8::2]/\").read().decode().strip())'"
show "python3 -c 'import urllib.request as u; print(u.urlopen(\"http://[2001:db8::3]/\").read().decode().strip())'"

step "Each server's 127.0.0.1 and ::1 are its own loopback, never the host's"
show "vserver web1 exec wget -q -O - http://127.0.0.1/"
show "vserver web2 exec wget -q -O - http://127.0.0.1/"
show "vserver web2 exec wget -q -O - http://[::1]/"

step "From the host: vps and vserver-stat see both, by name"
show "vps ax | grep -E 'CTX|httpd'"
show "vserver-stat"
show "ps ax | grep -c '[h]ttpd'  # plain ps in the host's context sees none"

step "vserver web1 enter: a root shell inside, on its own terminal"
show "printf 'hostname; tty; ps ax; cat /proc/self/status | grep -E \"^(s_context|ipv4root|net)\"; ip link set lo down; exit\n' | vserver web1 enter"

step "Root inside cannot reach the host: its kernel, its log, its init, other addresses"
show "vserver web1 exec sh -c 'echo 0 >/proc/sys/kernel/randomize_va_space'; cat /proc/sys/kernel/randomize_va_space"
show "vserver web1 exec sh -c 'echo web1-now >/proc/sys/kernel/hostname; hostname'; hostname"
show "vserver web1 exec dmesg"
show "vserver web1 exec cat /proc/1/cmdline"
show "vserver web1 exec unshare -r true"
show "vserver web1 exec httpd -f -p 127.1.0.3:8080  # web2's address"

step "vserver NAME stop: services stopped, alias, namespace and cgroup gone"
show "vserver web1 stop"
show "vserver web2 stop"
show "vservers status"
show "ip -o addr show dev eth0 | awk '{ print \$3, \$4 }'"

step "Done"
