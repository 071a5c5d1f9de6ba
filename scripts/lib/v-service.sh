# v-service.sh: what the SysV init wrappers v_httpd, v_sshd, v_smb and
# v_xinetd share: run a service of the main server locked to one IPv4
# address with chbind(8), its own configuration unchanged.
# shellcheck shell=sh
#
# Sourced (never executed) by /etc/init.d/v_NAME, after
# vserver-functions.sh, with these set:
#   PROG      the wrapper's name, e.g. v_sshd
#   V_REAL    the real init scripts, the first present is run, e.g.
#             "ssh sshd" (Debian, then Red Hat names)
#   V_KEY     the wrapper's own key in the global configuration, e.g.
#             V_SSHD_IP
#   V_WHAT    what the service is, for --help
#
# The real script is looked for in the wrapper's own directory
# (/etc/init.d).  The address, anything chbind --ip takes (an interface, a
# dotted quad, a host name), is the first of:
#   1. $V_KEY in the global configuration ($VSERVER_GLOBAL_CONF, by default
#      /etc/vservers.conf), e.g. V_SSHD_IP=192.0.2.10;
#   2. V_IPROOT there, for every v_ service;
#   3. the interface of the default route (the machine's main address),
#      as the seed's "chbind --ip eth0" did.
#
# "stop", "status" and no argument go to the real script directly, so that
# stopping never depends on the address; every other action (start,
# restart, reload, ...) runs through "chbind --silent --ip ADDRESS".
#
# Exit status: that of the real script, or LSB's 5 (not installed: no real
# script, no chbind) and 6 (not configured: no address).

# vs_v_usage: the --help text of a wrapper.
vs_v_usage() {
	cat <<EOF
Usage: $PROG start|stop|restart|reload|force-reload|status|...
       $PROG --help | --version

Run the init script of $V_WHAT (the first of: $V_REAL in the directory
of $PROG) through "chbind --silent --ip ADDRESS", so that it binds and
talks only through one IPv4 address without any change to its own
configuration.  ADDRESS is $V_KEY, else V_IPROOT, from
${VSERVER_GLOBAL_CONF:-/etc/vservers.conf}, else the interface of the
default route.  stop and status go to the init script directly.

See chbind(8).
EOF
}

# vs_v_address: prints the address for this service (see above).
vs_v_address() {
	_vs_gconf=${VSERVER_GLOBAL_CONF:-/etc/vservers.conf}
	_vs_a=$(vs_conf_value "$_vs_gconf" "$V_KEY") || _vs_a=
	[ -n "$_vs_a" ] || _vs_a=$(vs_conf_value "$_vs_gconf" V_IPROOT) || _vs_a=
	if [ -z "$_vs_a" ] && command -v ip >/dev/null 2>&1; then
		_vs_a=$(ip -4 route show default 2>/dev/null |
			sed -n 's/.* dev \([^ ]*\).*/\1/p' | sed -n 1p) || _vs_a=
	fi
	[ -n "$_vs_a" ] || return 1
	printf '%s\n' "$_vs_a"
}

# vs_v_service "$@": the whole wrapper.
vs_v_service() {
	case ${1-} in
	--help)
		vs_v_usage
		exit 0
		;;
	--version)
		printf '%s (vserver) %s\n' "$PROG" "$VS_VERSION"
		exit 0
		;;
	esac
	case $0 in
	*/*) _vs_dir=${0%/*} ;;
	*) _vs_dir=. ;;
	esac
	_vs_real=
	for _vs_r in $V_REAL; do
		if [ -x "$_vs_dir/$_vs_r" ]; then
			_vs_real=$_vs_dir/$_vs_r
			break
		fi
	done
	if [ -z "$_vs_real" ]; then
		vs_warn "no init script to run: none of '$V_REAL' in $_vs_dir"
		exit 5
	fi
	# Run the real script itself, not "systemctl start" of its unit: on
	# Debian, /lib/lsb/init-functions would hand it over to systemd
	# otherwise, and the service would start outside chbind.
	SYSTEMCTL_SKIP_REDIRECT=1
	export SYSTEMCTL_SKIP_REDIRECT
	case ${1-} in
	'' | stop | status) exec "$_vs_real" "$@" ;;
	esac
	if ! _vs_addr=$(vs_v_address); then
		vs_warn "no address: set $V_KEY or V_IPROOT in ${VSERVER_GLOBAL_CONF:-/etc/vservers.conf}"
		exit 6
	fi
	PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
	if ! command -v chbind >/dev/null 2>&1; then
		vs_warn "chbind not found"
		exit 5
	fi
	exec chbind --silent --ip "$_vs_addr" "$_vs_real" "$@"
}
