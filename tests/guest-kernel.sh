#!/bin/sh
# The ctest fixture guest.kernel: make sure the guest kernel exists before
# any guest test boots it.
#
#   tests/guest-kernel.sh BUILD-KERNEL
#
# Without VSERVER_KERNEL, BUILD-KERNEL --print-path builds it (minutes, the
# first time; cached after). With VSERVER_KERNEL set, tests/guest/vm-run
# boots that kernel and nothing is built: only check that it is there.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BUILD-KERNEL" >&2; exit 2; }
if [ -n "${VSERVER_KERNEL:-}" ]; then
	if [ -x "$VSERVER_KERNEL" ] && [ -f "$VSERVER_KERNEL" ]; then
		echo "$VSERVER_KERNEL"
		exit 0
	fi
	echo "guest-kernel: VSERVER_KERNEL=$VSERVER_KERNEL is not an executable file" >&2
	exit 1
fi
exec "$1" --print-path
