#!/bin/bash
# Many processes creating, entering and leaving contexts at once (fakeinit
# and nproc contexts among them), forking and exiting, reading each other's
# /proc status, signalling and questioning each other across contexts,
# locking themselves to addresses, for VX_STRESS_SECONDS (default 30):
# tests/guest/helpers/vx-stress.cpp.  It must end without an unexpected
# error, every process gone and, on the debugging kernel (vm-run --debug),
# without a KASAN, lockdep or UBSAN report (vm-run fails the run on any)
# or a leak kmemleak finds.  Meant for the SMP guest (vm-run --arch x86_64),
# where races can show; it runs on User-Mode Linux too.
# vm-run: --timeout 900
# shellcheck source=../lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

seconds=${VX_STRESS_SECONDS:-30}
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
kmemleak=/sys/kernel/debug/kmemleak
# (what the boot left unreferenced is not the stress's)
[ ! -w "$kmemleak" ] || echo clear >"$kmemleak"
run vx-stress "$seconds" 8
is "$rc" 0 "the stress ends without an unexpected error ($out)"
like "$out" "^[1-9][0-9]* rounds, [1-9][0-9]* contexts$" "contexts were created and left"
is "$(pgrep -c -x vx-stress)" 0 "no process of the stress is left"

if [ -w "$kmemleak" ]; then
	# (two scans: an object is reported once it stayed unreferenced for one;
	# the reports whose allocation went through the series are ours)
	echo scan >"$kmemleak"
	sleep 6
	echo scan >"$kmemleak"
	leaks=$(awk '/^unreferenced object/ { if (ours) print block; block = ""; ours = 0 }
		{ block = block $0 "\n" } /vx_|vserver/ { ours = 1 } END { if (ours) print block }' "$kmemleak")
	is "$leaks" "" "kmemleak finds no unreferenced object of the series after the stress"
else
	skip "kmemleak finds no unreferenced object of the series after the stress" "no kmemleak in this kernel"
fi
finish
