#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, for `npm run test:slurm` (recipe and notes:
# ../shared/notes/slurm.md). Debian's slurm-wlm + munge, installed here when missing; the
# daemons run as root with every file in one state folder, on ports given by the caller (free
# ones: another cluster on the machine keeps its own).
#
#   local-slurm.sh start <state-dir> <slurmctld-port> <slurmd-port>   then: export SLURM_CONF=<state-dir>/slurm.conf
#   local-slurm.sh stop <state-dir>
#
# stop ends the daemons start started (by their pid files, never by name) and undoes what start
# changed on the machine: the packages it installed are purged, the users, folders, munge key
# and downloaded .deb files they brought are removed (LANDMARKS_SLURM_KEEP_PACKAGES=1 keeps the
# packages for a next run), and the state folder goes. The apt package lists an `apt-get update`
# refreshed stay refreshed.
set -euo pipefail

cmd=${1:-}
S=${2:-}
[ -n "$cmd" ] && [ -n "$S" ] || { echo "usage: $0 start|stop <state-dir> [slurmctld-port slurmd-port]" >&2; exit 2; }
S=$(cd "$S" && pwd)
say() { echo "local-slurm: $*" >&2; }

# What the packages create outside the state folder; removed at stop when start saw them absent.
MACHINE_PATHS=(/etc/munge /var/lib/munge /var/log/munge /run/munge /etc/slurm /var/lib/slurm /var/log/slurm /var/spool/slurmd /var/spool/slurmctld)
PACKAGES=(slurm-wlm munge)

have_all() { command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null && command -v mungekey >/dev/null; }

install_packages() {
  dpkg-query -W -f='${Package}\n' | sort >"$S/packages.before"
  ls /var/cache/apt/archives/*.deb 2>/dev/null | sort >"$S/debs.before" || true
  for p in "${MACHINE_PATHS[@]}"; do [ -e "$p" ] || echo "$p"; done >"$S/paths.absent-before"
  for u in slurm munge; do getent passwd "$u" >/dev/null || echo "$u"; done >"$S/users.absent-before"
  for g in slurm munge; do getent group "$g" >/dev/null || echo "$g"; done >"$S/groups.absent-before"
  # No service may start during the install: the daemons run from the state folder only.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && touch "$S/created-policy-rc.d"
  fi
  say "installing ${PACKAGES[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >"$S/apt.log" 2>&1; then
    say "install failed; updating the package lists and trying again"
    apt-get update -qq >>"$S/apt.log" 2>&1
    apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >>"$S/apt.log" 2>&1 || { tail -20 "$S/apt.log" >&2; exit 1; }
  fi
  if [ -e "$S/created-policy-rc.d" ]; then rm -f /usr/sbin/policy-rc.d "$S/created-policy-rc.d"; fi
  dpkg-query -W -f='${Package}\n' | sort | comm -13 "$S/packages.before" - >"$S/installed-packages"
  ls /var/cache/apt/archives/*.deb 2>/dev/null | sort | comm -13 "$S/debs.before" - >"$S/downloaded-debs" || true
  say "installed: $(tr '\n' ' ' <"$S/installed-packages")"
}

start() {
  local ctld_port=${3:?slurmctld port} slurmd_port=${4:?slurmd port}
  chmod 755 "$S"
  have_all || install_packages
  mkdir -p "$S"/{state,spool,log,munge}
  if [ ! -f /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    mungekey -c -k /etc/munge/munge.key
    touch "$S/created-munge-key"
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key && chmod 700 /etc/munge && chmod 600 /etc/munge/munge.key
  # munged refuses a socket folder that others cannot traverse.
  chown munge:munge "$S/munge" && chmod 755 "$S/munge"
  runuser -u munge -- munged --socket="$S/munge/munge.socket.2" --pid-file="$S/munge/munged.pid" \
    --seed-file="$S/munge/seed" --log-file="$S/munge/munged.log" --key-file=/etc/munge/munge.key
  local host; host=$(hostname)
  cat >"$S/slurm.conf" <<CONF
ClusterName=landmarks-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$S/munge/munge.socket.2
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmUser=root
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ReturnToService=2
MinJobAge=600
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$S/slurm.conf"
  slurmctld -c
  slurmd
  for _ in $(seq 60); do
    if sinfo -h -o %T 2>/dev/null | grep -q idle; then say "up: $(sinfo -h -o '%P %D %T %C' | head -1) (SLURM_CONF=$SLURM_CONF)"; return 0; fi
    sleep 1
  done
  say "the node did not become idle in 60 s"; tail -5 "$S/log/slurmctld.log" "$S/log/slurmd.log" >&2 || true
  exit 1
}

stop_pid() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  say "pid $pid ($f) did not stop: killing it"; kill -9 "$pid" 2>/dev/null || true
}

stop() {
  stop_pid "$S/slurmd.pid"
  stop_pid "$S/slurmctld.pid"
  stop_pid "$S/munge/munged.pid"
  if [ -e "$S/created-munge-key" ]; then rm -f /etc/munge/munge.key; fi
  if [ -s "$S/installed-packages" ] && [ "${LANDMARKS_SLURM_KEEP_PACKAGES:-}" != 1 ]; then
    say "purging what start installed: $(tr '\n' ' ' <"$S/installed-packages")"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $(cat "$S/installed-packages") >"$S/purge.log" 2>&1 || { tail -20 "$S/purge.log" >&2; say "purge failed"; }
    while read -r u; do [ -n "$u" ] && getent passwd "$u" >/dev/null && userdel "$u" 2>/dev/null || true; done <"$S/users.absent-before"
    while read -r g; do [ -n "$g" ] && getent group "$g" >/dev/null && groupdel "$g" 2>/dev/null || true; done <"$S/groups.absent-before"
    while read -r p; do [ -n "$p" ] && rm -rf "$p"; done <"$S/paths.absent-before"
    # The .deb files this install downloaded (the cache as it was stays).
    [ -f "$S/downloaded-debs" ] && while read -r f; do [ -n "$f" ] && rm -f "$f"; done <"$S/downloaded-debs"
  fi
  rm -rf "$S"
  say "stopped"
}

case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop <state-dir> [slurmctld-port slurmd-port]" >&2; exit 2 ;;
esac
