#!/bin/sh
# --help and --version of every script: stdout, status 0, no chcontext.
TEST=options
case $0 in */*) TESTDIR=${0%/*} ;; *) TESTDIR=. ;; esac
. "$TESTDIR/testlib.sh" || exit 1

mkdir -p "$T/bin"
printf '#!/bin/sh\necho "chcontext: must not be called" >&2\nexit 1\n' \
	>"$T/bin/chcontext"
chmod +x "$T/bin/chcontext"
PATH=$T/bin:$PATH
export PATH

for prog in vps vpstree vtop vserver-stat vserver vservers vrpm newvserver; do
	run "$SCRIPTS/$prog" --version
	check "$prog --version" "0|$prog (vserver) 0.1.0|" "$RC|$OUT|$ERR"
	run "$SCRIPTS/$prog" --help
	check "$prog --help: status, stderr" "0|" "$RC|$ERR"
	case $OUT in
	"Usage: $prog"*"See $prog(8).") ok "$prog --help: usage text" ;;
	*) fail "$prog --help: usage text: $OUT" ;;
	esac
	# Run from the scripts directory by a relative name, as "sh NAME".
	run sh -c 'cd "$1" && sh "$2" --version' sh "$SCRIPTS" "$prog"
	check "$prog found its library from a relative \$0" \
		"0|$prog (vserver) 0.1.0" "$RC|$OUT"
done

# A script that cannot find its library says so in one line.
cp "$SCRIPTS/vps" "$T/vps"
run sh "$T/vps" --version
check "missing library" "1|vps: cannot find vserver-functions.sh|" \
	"$RC|$ERR|$OUT"

finish
