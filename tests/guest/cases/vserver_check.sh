#!/bin/bash
# The secure server's intrusion detection (issue 13; the paper's section
# 3.3): vserver NAME check runs AIDE from the host over the server's tree,
# with the baseline kept on the host.  Servers alpha and beta on an ext4
# disk, built from one tree and unified (vunify: immutable+iunlink hard
# links shared by both):
#  - a baseline of the running alpha, then an unchanged alpha reports
#    nothing (status 0, no output);
#  - root inside alpha changes a binary (and puts its time stamp back),
#    adds a setuid program, and links a unified file (its link count):
#    each is reported (status 2), from the host;
#  - the baseline is out of alpha's reach; the check leaves the unified
#    files linked and immutable; --update takes the changes in;
#  - bad input: no baseline, an unknown argument, no tree.
# vm-run: --scratch-disk 128M
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"
# shellcheck source=../lib/servers.sh
. "$(dirname "$0")/../lib/servers.sh"
# ($rc, $out and $err come from run in testlib.sh)
# shellcheck disable=SC2154

if ! command -v aide >/dev/null; then
	skip "vserver check" "aide is not installed (apt-get install aide)"
	finish
fi
disk=$TEST_TMP/disk
mkdir -p "$disk"
mount -t ext4 /dev/ubda "$disk" || { fail "setup: the scratch ext4 disk mounts"; finish; }
export VSERVER_ROOTDIR=$disk/vservers
export VSERVER_AIDEDIR=$TEST_TMP/aide
# The rules: in the package run (tests/package/deb-tree), the package's
# /etc/vserver/aide.conf, which is not installed here; else the source
# tree's, which vserver finds itself.
package_conf=$(dirname "$(command -v vserver)")/../root/etc/vserver/aide.conf
[ ! -f "$package_conf" ] || export VSERVER_AIDE_CONF=$package_conf
mkdir -p "$VSERVER_ROOTDIR"
A_ROOT=$VSERVER_ROOTDIR/alpha

ip link add vx0 type dummy
ip addr add 127.1.0.1/24 dev vx0
ip link set vx0 up

tpl=$TEST_TMP/template
make_busybox_tree "$tpl"
n=1
for s in alpha beta; do
	n=$((n + 1))
	run vserver "$s" build --from "$tpl"
	is "$rc" 0 "setup: build $s"
	set_conf "$s" IPROOT "127.1.0.$n"
	set_conf "$s" IPROOTDEV vx0
done
# A program of alpha's own, which vunify leaves alone.
mkdir -p "$A_ROOT/usr/local/bin"
printf '#!/bin/sh\necho tool\n' >"$A_ROOT/usr/local/bin/tool"
chmod 755 "$A_ROOT/usr/local/bin/tool"
run vunify --all "$A_ROOT" "$VSERVER_ROOTDIR/beta"
like "$rc $out" "^0 [1-9][0-9]* files unified" "setup: vunify shares alpha's and beta's identical files"
like "$(vunify --show-attr "$A_ROOT/bin/busybox") $(stat -c %h "$A_ROOT/bin/busybox")" \
	"^[^ ]*i[^ ]*U.* 2\$" "setup: /bin/busybox is unified (immutable, iunlink, 2 links)"
run vserver alpha start
is "$rc" 0 "setup: alpha starts"

# ---- bad input ----
check_run "check without a baseline: a clear error" 1 "" \
	"vserver: check: alpha has no baseline (make one with: vserver alpha check --init)" \
	vserver alpha check
check_run "check --bogus: a usage error" 1 "" \
	"vserver: check: unknown argument '--bogus' (--init or --update)
Try 'vserver --help' for more information." vserver alpha check --bogus
check_run "check of a server without a tree" 1 "" "vserver: no server tree $VSERVER_ROOTDIR/nosuch" \
	vserver nosuch check --init
is "$(find "$VSERVER_AIDEDIR" -mindepth 1 2>/dev/null)" "" "bad input: no baseline made"

# ---- baseline ----
before=$(stat -c '%i %h' "$A_ROOT/bin/busybox")
check_run "check --init: a baseline of the running alpha" 0 "" \
	"vserver: alpha: baseline of $A_ROOT in $VSERVER_AIDEDIR/alpha/aide.db" vserver alpha check --init
is "$(stat -c %a "$VSERVER_AIDEDIR/alpha") $(test -s "$VSERVER_AIDEDIR/alpha/aide.db" && echo db)" \
	"700 db" "the baseline is on the host, readable by root only"
check_run "check of the unchanged alpha: nothing reported" 0 "" "" vserver alpha check
run vserver alpha exec ls "$VSERVER_AIDEDIR"
like "$rc $err" "^1 .*No such file" "inside alpha: the baseline is not there"

# ---- root inside alpha at work ----
# shellcheck disable=SC2016 # (for the server's shell)
run vserver alpha exec sh -c '
	cp -p /usr/local/bin/tool /tmp/orig &&
	printf "#!/bin/sh\necho owned\n" >/usr/local/bin/tool &&
	touch -r /tmp/orig /usr/local/bin/tool &&
	cp /bin/busybox /usr/bin/rootsh && chmod 4755 /usr/bin/rootsh &&
	ln /bin/busybox /root/.hidden'
is "$rc" 0 "inside alpha: a changed binary (time stamp put back), a setuid file, a link to a unified file"
run vserver alpha check
is "$rc" 2 "check: status 2, changes found"
like "$out" "^f[^:]* : /usr/local/bin/tool\$" "check: the changed binary is reported"
like "$out" "^f\+{4,} ?: /usr/bin/rootsh\$" "check: the added setuid file is reported"
like "$out" "^f[^:]*n[^:]* : /bin/busybox\$" "check: the unified file's new link count is reported"
like "$(printf '%s\n' "$out" | grep -A1 -E '^ *Linkcount')" "Linkcount *: 2 *\| 3" \
	"check: its link count, 2 then 3"
like "$out" "^f\+{4,} ?: /root/.hidden\$" "check: the new name is reported"
block=$(printf '%s\n' "$out" | sed -n '\|^File: /usr/local/bin/tool$|,/^$/p')
if printf '%s\n' "$block" | grep -q '^ SHA256 ' && ! printf '%s\n' "$block" | grep -q '^ Mtime '; then
	pass "check: the binary's content differs though its time stamp is the old one"
else
	fail "check: the binary's content differs though its time stamp is the old one" "$block"
fi
is "$(stat -c '%i %h' "$A_ROOT/bin/busybox") $(vunify --show-attr "$A_ROOT/bin/busybox" | awk '{ print $1 }' | grep -o '[iU]' | tr -d '\n')" \
	"${before% *} 3 iU" "the check leaves the unified file in place, immutable and iunlink"

# ---- update ----
run vserver alpha check --update
like "$rc $err" "^2 vserver: alpha: the changes above are the new baseline\$" \
	"check --update: reports the changes and takes them in"
check_run "check after --update: nothing reported" 0 "" "" vserver alpha check
run vserver alpha stop
check_run "check of the stopped alpha: nothing reported" 0 "" "" vserver alpha check

ip link del vx0
umount "$disk"
finish
