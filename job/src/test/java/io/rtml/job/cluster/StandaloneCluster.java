package io.rtml.job.cluster;

import io.rtml.job.testing.Repository;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster run by {@code scripts/cluster}: a JobManager and a TaskManager
 * as separate JVMs on free loopback ports, with their own directory (config, logs, checkpoints), so
 * a test never meets a cluster or demo started by hand. The script's lib/ cache under {@code
 * .rtml/flink-lib} is shared. Stopped on {@link #close()}, and by a shutdown hook if the test JVM
 * ends first.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Pattern JOB_ID =
            Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Pattern METRIC_NAME = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private final Path script = Repository.root().resolve("scripts/cluster");
    private final Path directory;
    private final Map<String, String> environment;
    private final List<Integer> metricsPorts;
    private final Thread stopOnExit;
    private final AtomicInteger runs = new AtomicInteger();

    private StandaloneCluster(Path directory, Path jobJar) throws IOException {
        this.directory = directory;
        int restPort = freePort();
        int rpcPort = freePort();
        this.metricsPorts = List.of(freePort(), freePort());
        this.environment =
                Map.of(
                        "RTML_CLUSTER_DIR", directory.toString(),
                        "RTML_JOB_JAR", jobJar.toString(),
                        "FLINK_REST_PORT", Integer.toString(restPort),
                        "FLINK_RPC_PORT", Integer.toString(rpcPort),
                        "FLINK_METRICS_PORTS", metricsPorts.get(0) + "," + metricsPorts.get(1),
                        "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        this.stopOnExit = new Thread(this::stopQuietly, "stop-standalone-cluster");
    }

    /** Starts the cluster and waits until its TaskManager has registered. */
    static StandaloneCluster start(Path directory, Path jobJar) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster(directory, jobJar);
        Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
        try {
            cluster.script(Duration.ofMinutes(5), "start");
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** {@code flink run -d} with the job jar and these arguments to the job; its job id. */
    String submit(String... jobArguments) throws Exception {
        List<String> args = new ArrayList<>();
        args.add("submit");
        args.addAll(List.of(jobArguments));
        String output = script(Duration.ofMinutes(3), args.toArray(String[]::new));
        Matcher jobId = JOB_ID.matcher(output);
        if (!jobId.find()) {
            throw new AssertionError("no job id in the output of submit:\n" + output);
        }
        return jobId.group(1);
    }

    /** {@code flink cancel}: the job stops, its last checkpoint is retained. */
    void cancel(String jobId) throws Exception {
        script(Duration.ofMinutes(2), "flink", "cancel", jobId);
    }

    /**
     * {@code scripts/cluster status}: the processes, and the jobs as {@code rtml jobs} lists them.
     */
    String status() throws Exception {
        return script(Duration.ofMinutes(2), "status");
    }

    /** Kills the TaskManager process with SIGKILL, as a crash would. */
    void killTaskManager() throws Exception {
        script(Duration.ofMinutes(1), "kill-taskmanager");
    }

    /** Starts a new TaskManager and waits until it has registered. */
    void startTaskManager() throws Exception {
        script(Duration.ofMinutes(3), "start-taskmanager");
    }

    /** The names of the metrics the JobManager and TaskManager serve to Prometheus. */
    Set<String> prometheusMetricNames() throws Exception {
        Set<String> names = new TreeSet<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int port : metricsPorts) {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /metrics on " + port + ": " + response.statusCode());
            }
            for (String line : response.body().split("\n")) {
                Matcher name = METRIC_NAME.matcher(line);
                if (!line.startsWith("#") && name.find()) {
                    names.add(name.group(1));
                }
            }
        }
        return names;
    }

    /** The cluster's logs, for a failure message. */
    Path logs() {
        return directory.resolve("logs");
    }

    @Override
    public void close() throws Exception {
        try {
            script(Duration.ofMinutes(2), "stop");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException alreadyExiting) {
                // the hook runs or ran: nothing to remove
            }
        }
    }

    private void stopQuietly() {
        try {
            script(Duration.ofMinutes(1), "stop");
        } catch (Exception | AssertionError e) {
            System.err.println("could not stop the standalone cluster: " + e);
        }
    }

    /** Runs {@code scripts/cluster ARGS}; its output, or an AssertionError with it. */
    private String script(Duration timeout, String... args) throws Exception {
        Path output =
                directory.resolve("script-" + runs.incrementAndGet() + "-" + args[0] + ".out");
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(Repository.root().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(
                    "scripts/cluster "
                            + String.join(" ", args)
                            + " did not finish within "
                            + timeout
                            + ":\n"
                            + Files.readString(output));
        }
        String text = Files.readString(output);
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    "scripts/cluster "
                            + String.join(" ", args)
                            + " exited with "
                            + process.exitValue()
                            + " (logs in "
                            + logs()
                            + "):\n"
                            + text);
        }
        return text;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
