#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for tests and local trials of the
# workflow's SLURM profile (see shared SLURM notes). Needs root and Debian's apt-get.
#
#   tools/slurm-cluster.sh start    install (if missing), configure, start; wait until idle
#   tools/slurm-cluster.sh stop     stop the daemons this script started (by recorded PID)
#   tools/slurm-cluster.sh status   print sinfo
#
# With accounting, as real sites run it: slurmdbd stores jobs in MariaDB, so `sacct` works
# (the plugin's default status command, with failure reasons such as TIMEOUT), and the
# account `humanprep` exists for `slurm_account` validation.
#
# State, logs, PID files and the database live in $SLURM_STATE_DIR (default
# /tmp/humanprep-slurm). The config itself must be /etc/slurm/slurm.conf (and slurmdbd.conf
# beside it): the jobstep plugin drops SLURM_CONF (all SLURM_* variables) before it calls
# srun inside a job.
set -euo pipefail

STATE_DIR=${SLURM_STATE_DIR:-/tmp/humanprep-slurm}
CONF=/etc/slurm/slurm.conf
DBD_CONF=/etc/slurm/slurmdbd.conf
MARKER="# Written by humanprep tools/slurm-cluster.sh"
PACKAGES=(slurmctld slurmd slurm-client munge slurmdbd mariadb-server)
PARTITION=local
# Jobs sharing one core at once (partition OverSubscribe=FORCE:N).
OVERSUBSCRIBE=4
CLUSTER=humanprep
# The account jobs are charged to (tests/slurm_helpers.ACCOUNT).
ACCOUNT=humanprep
# MariaDB's default socket: slurmdbd connects to "localhost" through it, as root (unix_socket
# authentication, so no database password exists anywhere).
DB_SOCKET_DIR=/run/mysqld
DB_SOCKET=$DB_SOCKET_DIR/mysqld.sock
# Start order; stop goes in reverse. Each name is also the process name in /proc/PID/comm.
DAEMONS=(munged mariadbd slurmdbd slurmctld slurmd)
IDLE_WAIT_S=60
STOP_WAIT_S=30

die() {
    echo "slurm-cluster: $*" >&2
    exit 1
}

log() { echo "slurm-cluster: $*"; }

require_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, starts munged/slurmd)"
}

packages_missing() {
    local p status
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || return 0
    done
    return 1
}

install_packages() {
    packages_missing || return 0
    command -v apt-get >/dev/null || die "apt-get not found: cannot install ${PACKAGES[*]}"
    log "installing ${PACKAGES[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Update the lists only when the packages cannot be found with the current ones.
    if ! apt-get install -y --no-install-recommends "${PACKAGES[@]}" >"$STATE_DIR/apt.log" 2>&1; then
        apt-get update >>"$STATE_DIR/apt.log" 2>&1 || die "apt-get update failed, see $STATE_DIR/apt.log"
        apt-get install -y --no-install-recommends "${PACKAGES[@]}" >>"$STATE_DIR/apt.log" 2>&1 ||
            die "apt-get install failed, see $STATE_DIR/apt.log"
    fi
}

pid_of() { cat "$STATE_DIR/$1.pid" 2>/dev/null || true; }

# True when the recorded PID is alive and still the named daemon (guards against PID reuse).
is_running() {
    local pid
    pid=$(pid_of "$1")
    [[ -n $pid && -r /proc/$pid/comm && $(cat "/proc/$pid/comm" 2>/dev/null) == "$1" ]]
}

all_running() {
    local d
    for d in "${DAEMONS[@]}"; do is_running "$d" || return 1; done
}

node_state() { sinfo -h -o %T 2>/dev/null | head -n1 || true; }

ours_or_absent() {
    [[ ! -e $1 ]] || [[ $(head -n1 "$1") == "$MARKER"* ]] ||
        die "$1 exists and was not written by this script; refusing to overwrite it"
}

write_conf() {
    ours_or_absent "$CONF"
    ours_or_absent "$DBD_CONF"
    local host cpus mem_mb
    host=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
    mkdir -p /etc/slurm "$STATE_DIR/ctld" "$STATE_DIR/d"
    cat >"$CONF" <<EOF
$MARKER (state in $STATE_DIR)
ClusterName=humanprep
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
# Finished jobs stay visible to squeue this long: sites without accounting poll with squeue,
# and then this must exceed 3x the profile's init-seconds-before-status-checks.
MinJobAge=300
# A job asking for more than the node has fails at once instead of pending forever.
EnforcePartLimits=ALL
MailProg=/bin/true
ReturnToService=2
# Accounting through slurmdbd: sacct reports each job's end state (TIMEOUT, OUT_OF_MEMORY);
# jobs must name an existing account, as on real sites.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageEnforce=associations
# Keeps sbatch --comment (the rule name), which the plugin's efficiency report reads.
AccountingStoreFlags=job_comment
JobCompType=jobcomp/none
# Memory use sampled every second; without cgroups, a job step over its --mem is killed by
# this sampling (OverMemoryKill).
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/d
SlurmctldPidFile=$STATE_DIR/slurmctld.daemon.pid
SlurmdPidFile=$STATE_DIR/slurmd.daemon.pid
SlurmctldLogFile=$STATE_DIR/slurmctld.log
SlurmdLogFile=$STATE_DIR/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
# Each core is shared by up to $OVERSUBSCRIBE jobs (memory stays exclusive): a test job is a few
# seconds of Snakemake start-up with the core half idle, so one job per core would queue
# them for nothing. Sites give jobs their own cores; the profile is the same either way.
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:$OVERSUBSCRIBE
EOF
    # slurmdbd refuses a config readable by others (it may hold a database password).
    install -m 0600 /dev/null "$DBD_CONF"
    cat >"$DBD_CONF" <<EOF
$MARKER (state in $STATE_DIR)
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct_db
PidFile=$STATE_DIR/slurmdbd.daemon.pid
LogFile=$STATE_DIR/slurmdbd.log
EOF
}

start_munged() {
    install -d -o munge -g munge -m 0755 /run/munge
    # munged forks into the background itself and writes its own PID file.
    runuser -u munge -- /usr/sbin/munged </dev/null >>"$STATE_DIR/munged.out" 2>&1 ||
        die "munged failed to start, see $STATE_DIR/munged.out and /var/log/munge/munged.log"
    local i
    for ((i = 0; i < 50; i++)); do
        if [[ -s /run/munge/munged.pid ]] && munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
            cp /run/munge/munged.pid "$STATE_DIR/munged.pid"
            return 0
        fi
        sleep 0.1
    done
    die "munged did not answer within 5 s"
}

# Run a daemon in the foreground (-D unless other arguments are given) as a direct child in
# its own session, so $! is its PID, and no caller's terminal signals or output pipes reach it.
start_foreground_daemon() {
    local name=$1
    shift
    [[ $# -gt 0 ]] || set -- -D
    setsid "/usr/sbin/$name" "$@" </dev/null >"$STATE_DIR/$name.out" 2>&1 &
    echo $! >"$STATE_DIR/$name.pid"
}

# Poll a command until it succeeds, for at most $2 seconds, while daemon $1 stays up.
wait_until() {
    local name=$1 seconds=$2 i
    shift 2
    for ((i = 0; i < seconds * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        # kill -0, not is_running: just after setsid the process may not be renamed yet.
        kill -0 "$(pid_of "$name")" 2>/dev/null ||
            die "$name exited, see $STATE_DIR/$name.out and $STATE_DIR/$name.log"
        sleep 0.2
    done
    die "$name not ready after $seconds s, see $STATE_DIR/$name.out and $STATE_DIR/$name.log"
}

# MariaDB with its data under the state dir, reachable only through its socket.
start_mariadb() {
    local data=$STATE_DIR/mysql
    if [[ -S $DB_SOCKET ]] && mariadb-admin --socket="$DB_SOCKET" ping >/dev/null 2>&1; then
        die "a MariaDB/MySQL server not started by this script listens on $DB_SOCKET"
    fi
    if [[ ! -d $data/mysql ]]; then
        mariadb-install-db --user=root --datadir="$data" --skip-test-db \
            >"$STATE_DIR/mariadb-install.out" 2>&1 ||
            die "mariadb-install-db failed, see $STATE_DIR/mariadb-install.out"
    fi
    install -d -m 0755 "$DB_SOCKET_DIR"
    start_foreground_daemon mariadbd --user=root --datadir="$data" --socket="$DB_SOCKET" \
        --skip-networking --pid-file="$STATE_DIR/mariadbd.daemon.pid" \
        --log-error="$STATE_DIR/mariadbd.log"
    wait_until mariadbd 60 mariadb-admin --socket="$DB_SOCKET" ping
}

# The cluster, the account and root's association, once: with
# AccountingStorageEnforce=associations slurmctld accepts only jobs of known associations.
add_associations() {
    if ! sacctmgr -n -P show cluster format=cluster | grep -qx "$CLUSTER"; then
        sacctmgr -i add cluster "$CLUSTER" >>"$STATE_DIR/sacctmgr.out" 2>&1 ||
            die "sacctmgr add cluster failed, see $STATE_DIR/sacctmgr.out"
    fi
    if ! sacctmgr -n -P show assoc user=root account="$ACCOUNT" format=account | grep -qx "$ACCOUNT"; then
        {
            sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description=tests organization=humanprep &&
                sacctmgr -i add user root account="$ACCOUNT" defaultaccount="$ACCOUNT" cluster="$CLUSTER"
        } >>"$STATE_DIR/sacctmgr.out" 2>&1 || die "sacctmgr add account failed, see $STATE_DIR/sacctmgr.out"
    fi
}

wait_idle() {
    local i d state=""
    for ((i = 0; i < IDLE_WAIT_S * 2; i++)); do
        state=$(node_state)
        [[ $state == idle ]] && return 0
        for d in slurmctld slurmd; do
            is_running "$d" || die "$d exited, see $STATE_DIR/$d.out and $STATE_DIR/$d.log"
        done
        sleep 0.5
    done
    die "node not idle after ${IDLE_WAIT_S} s (state '${state}'), see $STATE_DIR/*.log"
}

stop_daemon() {
    local name=$1 pid i
    pid=$(pid_of "$name")
    if is_running "$name"; then
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < STOP_WAIT_S * 10; i++)); do
            is_running "$name" || break
            sleep 0.1
        done
        if is_running "$name"; then
            log "$name ($pid) ignored SIGTERM for ${STOP_WAIT_S} s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$STATE_DIR/$name.pid"
}

stop_all() {
    local i
    for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do stop_daemon "${DAEMONS[i]}"; done
}

cmd_start() {
    require_root
    mkdir -p "$STATE_DIR"
    if all_running; then
        log "already running (state dir $STATE_DIR)"
        return 0
    fi
    # A half-started cluster from an earlier attempt: start over cleanly.
    stop_all
    local t0=$SECONDS
    install_packages
    write_conf
    start_munged
    start_mariadb
    start_foreground_daemon slurmdbd
    wait_until slurmdbd 60 sacctmgr -n show cluster
    add_associations
    start_foreground_daemon slurmctld
    start_foreground_daemon slurmd
    wait_idle
    log "up in $((SECONDS - t0)) s: partition '$PARTITION', account '$ACCOUNT', $(nproc) CPUs (state dir $STATE_DIR)"
}

cmd_stop() {
    require_root
    stop_all
    log "stopped"
}

cmd_status() {
    if ! all_running; then
        echo "slurm-cluster: not running (state dir $STATE_DIR)"
        return 3
    fi
    sinfo
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
