#!/usr/bin/env bash
# Run a command until this script's standard input is closed, then stop the command.
#
#   scripts/supervise.sh CMD [ARGS...]
#
# The test harness (tests/src) starts the dev server and the Python worker through this script
# with a pipe as its standard input and keeps the pipe's write end open. When the test process
# ends in any way (success, panic, Ctrl-C, SIGKILL) the kernel closes that pipe and this script
# stops the command: SIGTERM, then SIGKILL after STOP_GRACE seconds (default 5). So no server or
# worker outlives the tests, without polling and without unsafe code in the tests.
#
# It also stops the command on SIGTERM / SIGINT / SIGHUP, and exits with the command's status
# when the command exits by itself. The command gets /dev/null as standard input and shares
# this script's standard output and error.
set -u

grace_tenths=$(( ${STOP_GRACE:-5} * 10 ))

exec 3<&0                      # keep the pipe: background jobs would otherwise get /dev/null
"$@" </dev/null 3<&- &
child=$!
cat <&3 >/dev/null &           # ends on end-of-file, that is when the parent has gone
watcher=$!
exec 3<&-

stop() {
    kill -TERM "$child" 2>/dev/null
    local i=0
    while kill -0 "$child" 2>/dev/null && [ "$i" -lt "$grace_tenths" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$child" 2>/dev/null
    kill -KILL "$watcher" 2>/dev/null
    wait "$child" 2>/dev/null
}
trap 'stop; exit 143' TERM
trap 'stop; exit 130' INT
trap 'stop; exit 129' HUP

wait -n "$child" "$watcher"
if kill -0 "$child" 2>/dev/null; then
    # Standard input closed while the command still runs: stop it.
    stop
    exit 0
fi
wait "$child"
status=$?
kill -KILL "$watcher" 2>/dev/null
exit "$status"
