# Shared by the scripts: paths, and building the project when needed. Source it; don't run it.
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
RTML_HOME=${RTML_HOME:-$REPO_ROOT/.rtml}
export RTML_HOME

# Builds the jars and the run classpath when they are missing or older than the sources.
# Running the tests and the formatting check is left to scripts/test. The test sources are still
# compiled (-DskipTests, not -Dmaven.test.skip): the job module depends on the udfs module's
# test-jar, which is only built from compiled tests, so a fresh clone could not resolve it.
ensure_built() {
  local jar="$REPO_ROOT/job/target/rtml-job-0.1.0-SNAPSHOT.jar"
  local cp="$REPO_ROOT/job/target/classpath.txt"
  if [[ -f $jar && -f $cp ]] \
    && [[ -z $(find "$REPO_ROOT"/pom.xml "$REPO_ROOT"/{udfs,job}/pom.xml \
      "$REPO_ROOT"/{udfs,job}/src/main -newer "$jar" -type f -print -quit) ]]; then
    return 0
  fi
  echo "rtml: building (mvn package, tests not run)..." >&2
  (cd "$REPO_ROOT" && mvn -q -B -ntp -DskipTests -Dspotless.check.skip=true package) >&2
}

# Installs Debian's redis-server when it is missing (we run as root on these machines).
ensure_redis_server() {
  command -v redis-server >/dev/null 2>&1 && return 0
  echo "rtml: installing redis-server (Debian package)..." >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "rtml: redis-server is missing and installing it needs root: apt-get install redis-server" >&2
    return 1
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  # The package starts a system redis on 6379; ours are started on their own ports.
}

# Installs a Debian package for Debian's own Python (/usr/bin/python3) when it cannot import the
# module: ensure_python_module matplotlib python3-matplotlib
ensure_python_module() {
  /usr/bin/python3 -c "import $1" 2>/dev/null && return 0
  echo "rtml: installing $2 (Debian package) for /usr/bin/python3..." >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "rtml: /usr/bin/python3 cannot import $1 and installing it needs root: apt-get install $2" >&2
    return 1
  fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2
}

# --- Processes the scripts start in the background: pid files in $RUN_DIR, ports on 127.0.0.1. ---
# Scripts that use these set RUN_DIR, `say`, `die` and `is_ours PID NAME` (PID is alive and is the
# script's NAME, not a process that reused the pid of a stale pid file).

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# port_owner PORT: best-effort description of who listens on PORT.
port_owner() {
  local out=''
  if command -v ss >/dev/null 2>&1; then
    out=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 || true)
  fi
  printf '%s' "${out:-unknown process}"
}

# require_free PORT VARIABLE: fails fast when PORT is taken; VARIABLE is the setting that moves it.
require_free() {
  if port_open "$1"; then
    die "port $1 ($2) on 127.0.0.1 is already in use by $(port_owner "$1"); stop it or set $2"
  fi
}

# read_pid PIDFILE: the pid stored in PIDFILE (empty if none or invalid).
read_pid() {
  local pid=''
  if [[ -f $1 ]]; then read -r pid <"$1" 2>/dev/null || true; fi
  [[ $pid =~ ^[0-9]+$ ]] && printf '%s' "$pid"
  return 0
}

# running_pid NAME: the pid of this script's running NAME; fails when it does not run.
running_pid() {
  local pid
  pid=$(read_pid "$RUN_DIR/$1.pid")
  is_ours "$pid" "$1" || return 1
  printf '%s' "$pid"
}

# recorded_port NAME DEFAULT: the port NAME was started with (status may run with other env).
recorded_port() {
  local port=''
  if [[ -f $RUN_DIR/$1.port ]]; then read -r port <"$RUN_DIR/$1.port" 2>/dev/null || true; fi
  printf '%s' "${port:-$2}"
}

# await_exit PID TENTHS: waits up to TENTHS tenths of a second for PID to exit; fails if it runs.
await_exit() {
  local waited=0
  while kill -0 "$1" 2>/dev/null && ((waited < $2)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  ! kill -0 "$1" 2>/dev/null
}

# start_detached PIDFILE DIR OUT COMMAND...: COMMAND in its own session (it outlives this script
# and a Ctrl-C in the terminal), in DIR, its output in OUT. The wrapper records its own pid in
# PIDFILE and execs COMMAND, so the recorded pid is the command's.
start_detached() {
  local pidfile=$1 dir=$2 out=$3
  shift 3
  # shellcheck disable=SC2016 # $$, $1 and $@ are expanded by the inner bash
  setsid bash -c 'echo "$$" >"$1"; cd -- "$2"; shift 2; exec "$@"' _ "$pidfile" "$dir" "$@" \
    </dev/null >"$out" 2>&1 &
}

# stop_process NAME TIMEOUT: SIGTERM, up to TIMEOUT seconds, then SIGKILL; removes NAME's pid and
# port files.
stop_process() {
  local name=$1 timeout=$2 pid
  pid=$(read_pid "$RUN_DIR/$name.pid")
  if [[ -z $pid ]]; then
    rm -f -- "$RUN_DIR/$name.pid" "$RUN_DIR/$name.port"
    say "$name is not running"
    return 0
  fi
  if ! is_ours "$pid" "$name"; then
    rm -f -- "$RUN_DIR/$name.pid" "$RUN_DIR/$name.port"
    say "$name is not running (removed the stale pid file of pid $pid)"
    return 0
  fi
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! await_exit "$pid" $((timeout * 10)); then
    say "$name (pid $pid) still runs after ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    await_exit "$pid" 50 || die "$name (pid $pid) survived SIGKILL"
  fi
  rm -f -- "$RUN_DIR/$name.pid" "$RUN_DIR/$name.port"
  say "$name stopped"
}

# rotate FILE: keeps the previous run's FILE as FILE.prev.
rotate() {
  if [[ -f $1 ]]; then mv -f -- "$1" "$1.prev"; fi
}

# show_tail FILE...: the last lines of each non-empty FILE, on stderr.
show_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    say "---- last lines of $f ----" >&2
    tail -n 40 -- "$f" >&2
  done
}

# --- A local run: the stack, the job in an embedded mini cluster, and what runs beside it. ---
# Scripts that use these set `say` and call `local_run_trap` once.

LOGS="$RTML_HOME/logs"
job_pid=''
background_pids=()
run_started=$(date +%s)

# Fails unless the job's web UI and metrics ports are free.
require_local_ports() {
  local port
  for port in 8081 9249; do
    if port_open "$port"; then
      say "port $port is in use (the job's web UI or metrics need it); stop what holds it: $(port_owner "$port")"
      return 1
    fi
  done
}

# Stops everything the run started, in reverse: helpers, the job, the stack.
local_run_cleanup() {
  local code=$?
  trap - EXIT INT TERM
  set +e
  local pid
  for pid in "${background_pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if [[ -n $job_pid ]] && kill -0 "$job_pid" 2>/dev/null; then
    say "stopping the job"
    kill "$job_pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$job_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$job_pid" 2>/dev/null
  fi
  "$REPO_ROOT/scripts/stack" stop >&2
  say "done in $(($(date +%s) - run_started)) s; logs in $LOGS"
  exit "$code"
}

local_run_trap() {
  trap local_run_cleanup EXIT
  trap 'exit 130' INT TERM
}

# A fresh broker and Redis, so the topics hold exactly this run's records; then the topics.
fresh_stack() {
  mkdir -p "$LOGS"
  "$REPO_ROOT/scripts/stack" stop >&2
  "$REPO_ROOT/scripts/stack" start >&2
  "$REPO_ROOT/scripts/rtml" topics --partitions 4 "$@"
}

# Starts the job in an embedded mini cluster with the given job options and waits until it runs.
# The live evaluation reads the labels topic fresh_stack created.
start_local_job() {
  local checkpoints="$RTML_HOME/checkpoints"
  rm -rf "$checkpoints"
  say "starting the job (embedded Flink; log: $LOGS/job.log)"
  RTML_LOG_CONFIG="$REPO_ROOT/flink-conf/log4j2-local.xml" RTML_JAVA_OPTS="-Xmx2g" \
    "$REPO_ROOT/scripts/rtml" run --local -D "checkpoints.directory=file://$checkpoints" \
    -D kafka.topics.labels=labels "$@" \
    >"$LOGS/job.out" 2>&1 &
  job_pid=$!
  for _ in $(seq 1 120); do
    if ! kill -0 "$job_pid" 2>/dev/null; then
      say "the job exited during start-up:"
      tail -n 20 "$LOGS/job.out" >&2
      return 1
    fi
    if curl -sf http://127.0.0.1:8081/jobs/overview 2>/dev/null | grep -q '"state":"RUNNING"'; then
      say "job running: web UI http://127.0.0.1:8081, metrics http://127.0.0.1:9249/metrics, Redis 127.0.0.1:${REDIS_PORT:-6380} (keys rtml:card:<card id>)"
      return 0
    fi
    sleep 1
  done
  say "the job did not reach RUNNING within 120 s; see $LOGS/job.log"
  return 1
}
