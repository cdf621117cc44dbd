# Shared by the scripts: paths, and building the project when needed. Source it; don't run it.
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
RTML_HOME=${RTML_HOME:-$REPO_ROOT/.rtml}
export RTML_HOME

# Builds the jars and the run classpath when they are missing or older than the sources.
ensure_built() {
  local jar="$REPO_ROOT/job/target/rtml-job-0.1.0-SNAPSHOT.jar"
  local cp="$REPO_ROOT/job/target/classpath.txt"
  if [[ -f $jar && -f $cp ]] \
    && [[ -z $(find "$REPO_ROOT/pom.xml" "$REPO_ROOT/udfs" "$REPO_ROOT/job" \
      -path '*/target' -prune -o -newer "$jar" -type f -print -quit) ]]; then
    return 0
  fi
  echo "rtml: building (mvn package, tests skipped)..." >&2
  (cd "$REPO_ROOT" && mvn -q -B -DskipTests package) >&2
}
