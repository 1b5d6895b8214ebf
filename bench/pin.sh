# bench/pin.sh, sourced by bench/*/run: one-client cells with the client and
# the server on one CPU.
#
# With pgbench and the server free to run on either CPU of this 2-vCPU VM,
# every call of a one-client run wakes the other, idle, virtual CPU: a bare
# SELECT 1 then takes 80-150 us and swings 2x from run to run, which is
# several times the server work of a deploy replay.  Pinning the whole
# server (postmaster and every child, so each new backend too) and pgbench
# to CPU 0 turns the round trip into a context switch (about 20 us), and
# the cell measures the work of a call on both sides.
#
#   pin_init DATA_DIRECTORY   -> fails when affinity cannot be set (no
#                                taskset, or not root nor the server's owner)
#   pin_server CPULIST        -> the server's affinity (pin_all_cpus: back)
#   pin_run CLIENTS CMD...    -> CMD, pinned with the server when CLIENTS = 1cpu
pin_init() {
	pin_pm_pid=$(head -1 "$1/postmaster.pid" 2>/dev/null) || return 1
	pin_all="0-$(($(nproc) - 1))"
	pin_server "$pin_all"
}
pin_server() {
	local p
	[ -n "${pin_pm_pid:-}" ] && command -v taskset >/dev/null || return 1
	for p in "$pin_pm_pid" $(pgrep -P "$pin_pm_pid"); do
		taskset -a -pc "$1" "$p" >/dev/null 2>&1 || return 1
	done
}
pin_all_cpus() { [ -n "${pin_all:-}" ] && pin_server "$pin_all"; }
# pin_run CLIENTS CMD...: runs CMD; when CLIENTS is "1cpu", with CMD and the
# whole server on CPU 0 for its duration.  Returns CMD's status.
pin_run() {
	local rc=0
	if [ "$1" != 1cpu ]; then
		shift
		"$@"
		return
	fi
	shift
	pin_server 0
	taskset -c 0 "$@" || rc=$?
	pin_all_cpus
	return $rc
}
