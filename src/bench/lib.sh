# Shared by src/bench/load.sh and src/bench/profile.sh (sourced, from the repository root):
# building Signet and the load generator, starting Signet in dev mode on fresh loopback ports,
# waiting for it, and driving it with dev.signet.bench.LoadGenerator.

# Builds the jar and the test classes; sets cp, the load generator's class path.
bench_build() {
  ./mvnw -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench-classpath.txt >&2
  ./mvnw -B -q -DskipTests test-compile >&2
  cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
}

# Picks two free loopback ports into grpc and admin.
bench_ports() {
  read -r grpc admin <<<"$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')"
}

# Starts Signet in dev mode (CA and tokens in $dir/dev) on $grpc/$admin with the launcher's
# JVM flags, its own process group, output to $log; sets server. Extra environment (JAVA_OPTS,
# SIGNET_CDS_DIR) comes from the caller's; SERVER_PREFIX (e.g. "taskset -c 1") wraps the JVM;
# arguments are more of Signet's flags.
bench_start() {
  SIGNET_JAR=target/signet.jar setsid ${SERVER_PREFIX:-} server/bin/signet serve --dev \
    --set ca.dev.directory="$dir/dev" --set server.address=127.0.0.1 \
    --set server.grpc-port="$grpc" --set server.admin-port="$admin" "$@" >"$log" 2>&1 &
  server=$!
}

# Waits until the server answers /readyz; fails with its log if it exits first.
bench_await_ready() {
  until curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
}

# Runs the load generator against the server; arguments are LoadGenerator's flags.
# LOAD_PREFIX (e.g. "taskset -c 0") wraps its JVM. LOAD_JAVA_OPTS are its JVM flags: by default
# a concurrent collector (ZGC) with a fixed 1 GiB heap, because the generator's own GC pauses
# count in every latency it reports (fixed-rate latency starts when a request was due): pinned
# to one core, the JVM would pick the Serial collector, whose young pauses measured 25-75 ms
# (docs/benchmarks.md, "Fixed rate and the collector").
load() {
  # shellcheck disable=SC2086
  ${LOAD_PREFIX:-} java ${LOAD_JAVA_OPTS--XX:+UseZGC -Xms1g -Xmx1g} -cp "$cp" \
    dev.signet.bench.LoadGenerator --addr "localhost:$grpc" \
    --dev-dir "$dir/dev" --metrics "http://127.0.0.1:$admin/metrics" ${key_flag:-} "$@"
}
