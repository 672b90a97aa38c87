# Background jobs for .ci/run (sourced): peers are built side by side, so that one's downloads
# overlap another's compiling, and results are collected where they are needed.
#
#   job NAME CMD...       starts CMD (once more if it fails): stdout to NAME.out, stderr to
#                         NAME.log
#   job_low NAME CMD...   the same at the lowest CPU priority (nice 19): it takes only what the
#                         rest of CI leaves idle
#   result NAME [VAR]     waits for NAME; on success sets VAR to its stdout (last line) and says
#                         how long it took; on failure prints its log and returns 1
#   stop_jobs             ends the jobs still running (on exit)
jobs_dir=$(mktemp -d)
declare -A job_pids=()

job() {
  local name=$1
  shift
  (
    start=$SECONDS
    status=0
    # Once more after a failure: a peer build downloads (Go module proxy, PyPI, Debian), and one
    # download timing out on a loaded machine must not fail the run. What was built or fetched
    # before is cached, so a retry costs only what failed.
    "$@" >"$jobs_dir/$name.out" 2>"$jobs_dir/$name.log" </dev/null || {
      echo "$name: failed; trying once more" >>"$jobs_dir/$name.log"
      "$@" >"$jobs_dir/$name.out" 2>>"$jobs_dir/$name.log" </dev/null
    } || status=$?
    echo $((SECONDS - start)) >"$jobs_dir/$name.secs"
    exit "$status"
  ) &
  job_pids[$name]=$!
}

job_low() {
  local name=$1
  shift
  job "$name" nice -n 19 "$@"
}

result() {
  local name=$1 var=${2:-} status=0
  wait "${job_pids[$name]}" || status=$?
  unset "job_pids[$name]"
  if [ "$status" -ne 0 ]; then
    echo "$name failed (exit $status); the end of its log:" >&2
    tail -n 60 "$jobs_dir/$name.log" >&2
    return 1
  fi
  echo "  $name: ready after $(cat "$jobs_dir/$name.secs")s" >&2
  if [ -n "$var" ]; then
    printf -v "$var" '%s' "$(tail -n 1 "$jobs_dir/$name.out")"
  fi
}

stop_jobs() {
  local pid
  for pid in "${job_pids[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  rm -rf "$jobs_dir"
}
