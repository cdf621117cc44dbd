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
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      say "port $port is in use (the job's web UI or metrics need it); stop what holds it: $(ss -ltnpH "sport = :$port" 2>/dev/null | head -n 1)"
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
