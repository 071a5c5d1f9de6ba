#!/bin/bash
# Unification end to end: three Debian servers built with vserver on an
# ext4 disk, unified by vunify; their disk use, vdu, what root inside a
# unified server can and cannot do to a shared file, and a package upgrade
# by dpkg inside one server while the others keep the old version.
# vm-run: --scratch-disk 3G --timeout 900
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

debian=$(dirname "$(command -v chcontext)")/../debian-tree/minbase
if [ ! -x "$debian/usr/bin/dpkg" ]; then
	fail "the Debian tree (ctest debian.tree) is there" "$debian"
	finish
fi
disk=$TEST_TMP/disk
mkdir -p "$disk"
mount -t ext4 /dev/ubda "$disk" || { fail "the scratch ext4 disk mounts"; finish; }
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
export VSERVER_ROOTDIR=$disk/vservers
mkdir -p "$VSERVER_ROOTDIR"

used_kib() { sync; df -k --output=used "$disk" | tail -n 1 | tr -d ' '; }
ip link add vx0 type dummy
ip addr add 127.3.0.1/24 dev vx0
ip link set vx0 up

# A package in two versions, built here with dpkg-deb.
make_deb() {
	local v=$1 d=$TEST_TMP/pkg$1
	mkdir -p "$d/DEBIAN" "$d/usr/share/vxdemo" "$d/usr/bin"
	printf 'Package: vxdemo\nVersion: %s\nArchitecture: all\nMaintainer: vserver tests <root@localhost>\nDescription: unification test package\n' \
		"$v" >"$d/DEBIAN/control"
	echo "vxdemo version $v" >"$d/usr/share/vxdemo/version"
	# Big enough to count, the same in both versions.
	head -c 2000000 /dev/zero | tr '\0' 'v' >"$d/usr/share/vxdemo/data"
	printf '#!/bin/sh\ncat /usr/share/vxdemo/version\n' >"$d/usr/bin/vxdemo"
	chmod 755 "$d/usr/bin/vxdemo"
	dpkg-deb -b --root-owner-group "$d" "$TEST_TMP/vxdemo_$v.deb" >/dev/null
}
make_deb 1
make_deb 2

before=$(used_kib)
n=1
for s in d1 d2 d3; do
	n=$((n + 1))
	run vserver "$s" build --from "$debian"
	is "$rc" 0 "build: $s from the Debian tree"
	set_conf "$s" IPROOT "127.3.0.$n"
	set_conf "$s" IPROOTDEV vx0
	# Something that stays, so the server runs (minbase has no daemon).
	mkdir -p "$VSERVER_ROOTDIR/$s/etc/rc3.d"
	printf '#!/bin/sh\nsleep 1000000 </dev/null >/dev/null 2>&1 &\n' >"$VSERVER_ROOTDIR/$s/etc/rc3.d/S99hold"
	chmod 755 "$VSERVER_ROOTDIR/$s/etc/rc3.d/S99hold"
	run vserver "$s" start
	is "$rc" 0 "start: $s"
done
# vrpm runs dpkg inside each running Debian server, the package copied in.
run vrpm d1 d2 d3 -- -i "$TEST_TMP/vxdemo_1.deb"
is "$rc" 0 "vrpm d1 d2 d3 -- -i vxdemo_1.deb: dpkg installs version 1 in each"
like "$out" "d1: ok" "vrpm reports d1"
like "$out" "d3: ok" "vrpm reports d3"
[ "$rc" = 0 ] || fail "vrpm output" "$out" "$err"
three=$(($(used_kib) - before))
one=$((three / 3))
echo "# three servers use $three KiB before unification"

run vunify --all "$VSERVER_ROOTDIR/d1" "$VSERVER_ROOTDIR/d2" "$VSERVER_ROOTDIR/d3"
is "$rc" 0 "vunify --all of the three servers succeeds"
like "$out" "^[0-9]+ files unified, [0-9]+ bytes saved" "vunify reports files and bytes saved"
after=$(($(used_kib) - before))
echo "# after unification: $after KiB (one server: $one KiB)"
if [ $((after * 100)) -le $((one * 115)) ]; then
	pass "df: the three unified servers use at most 1.15x one server ($after <= 1.15 * $one KiB)"
else
	fail "df: the three unified servers use at most 1.15x one server" "$after KiB vs one $one KiB"
fi
shared=$(vdu --shared-once "$VSERVER_ROOTDIR/d1" "$VSERVER_ROOTDIR/d2" "$VSERVER_ROOTDIR/d3" | awk 'END { print $1 }')
if [ $((shared * 100)) -ge $((after * 90)) ] && [ $((shared * 100)) -le $((after * 110)) ]; then
	pass "vdu --shared-once agrees with df within 10% ($shared vs $after KiB)"
else
	fail "vdu --shared-once agrees with df within 10%" "vdu $shared KiB, df $after KiB"
fi
own=$(vdu "$VSERVER_ROOTDIR/d2" | awk '{ print $1 }')
if [ "$own" -lt $((one / 2)) ]; then
	pass "vdu of one unified server counts only its own files ($own KiB of $one)"
else
	fail "vdu of one unified server counts only its own files" "$own KiB of $one"
fi

# A unified file, as root inside d2.
f=/usr/share/vxdemo/data
is "$(stat -c %i "$VSERVER_ROOTDIR/d1$f")" "$(stat -c %i "$VSERVER_ROOTDIR/d2$f")" "$f is one inode in d1 and d2"
is "$(vunify --show-attr "$VSERVER_ROOTDIR/d2$f" | awk '{ print $1 }' | grep -o '[iU]' | tr -d '\n')" iU \
	"vunify set immutable and iunlink on it"
sum=$(sha256sum <"$VSERVER_ROOTDIR/d1$f")
run vserver d2 exec sh -c "echo x >>$f"
like "$err" "Operation not permitted" "inside d2: root cannot append to a unified file"
run vserver d2 exec truncate -s 0 "$f"
like "$err" "Operation not permitted" "inside d2: root cannot truncate it"
run vserver d2 exec chmod 600 "$f"
like "$err" "Operation not permitted" "inside d2: root cannot chmod it"
run vserver d2 exec chattr -i "$f"
like "$err" "Operation not permitted" "inside d2: root cannot change its flags (no CAP_LINUX_IMMUTABLE)"
run vserver d2 exec rm "$f"
is "$rc" 0 "inside d2: root can delete it"
is "$([ -e "$VSERVER_ROOTDIR/d2$f" ] && echo present || echo gone)" gone "the file is gone from d2"
is "$(sha256sum <"$VSERVER_ROOTDIR/d1$f")" "$sum" "d1 still has the original"
is "$(sha256sum <"$VSERVER_ROOTDIR/d3$f")" "$sum" "d3 still has the original"

# Upgrade inside one unified server: dpkg replaces immutable+iunlink files.
run vrpm d2 -- -i "$TEST_TMP/vxdemo_2.deb"
is "$rc" 0 "dpkg -i version 2 inside unified d2 (through vrpm) succeeds"
[ "$rc" = 0 ] || fail "dpkg output" "$out" "$err"
is "$(vserver d2 exec vxdemo)" "vxdemo version 2" "d2 has version 2"
is "$(vserver d1 exec vxdemo)" "vxdemo version 1" "d1 still has version 1"
is "$(vserver d3 exec vxdemo)" "vxdemo version 1" "d3 still has version 1"
is "$(vserver d2 exec dpkg-query -W -f '${Version}' vxdemo)" 2 "dpkg in d2 records version 2"
is "$(vserver d1 exec dpkg-query -W -f '${Version}' vxdemo)" 1 "dpkg in d1 records version 1"

for s in d1 d2 d3; do
	vserver "$s" stop >/dev/null 2>&1 || fail "$s stops"
done
umount "$disk" || fail "the disk is free again after the servers stopped"
finish
