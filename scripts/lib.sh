# Shared by the scripts: paths, and building the project when needed. Source it; don't run it.
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
RTML_HOME=${RTML_HOME:-$REPO_ROOT/.rtml}
export RTML_HOME

# Builds the jars and the run classpath when they are missing or older than the sources.
# Tests and the formatting check are left to scripts/test.
ensure_built() {
  local jar="$REPO_ROOT/job/target/rtml-job-0.1.0-SNAPSHOT.jar"
  local cp="$REPO_ROOT/job/target/classpath.txt"
  if [[ -f $jar && -f $cp ]] \
    && [[ -z $(find "$REPO_ROOT"/pom.xml "$REPO_ROOT"/{udfs,job}/pom.xml \
      "$REPO_ROOT"/{udfs,job}/src/main -newer "$jar" -type f -print -quit) ]]; then
    return 0
  fi
  echo "rtml: building (mvn package, tests skipped)..." >&2
  (cd "$REPO_ROOT" && mvn -q -B -ntp -Dmaven.test.skip=true -Dspotless.check.skip=true package) >&2
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
