package io.rtml.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The few calls of Flink's REST API that stop, savepoint and inspect a job: what {@code flink stop}
 * and {@code flink savepoint} do, against the cluster's REST endpoint (the JobManager's web port).
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public FlinkRest(URI restUrl) {
        String text = restUrl.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
    }

    /** Checks a job id as Flink writes it: 32 hexadecimal digits. */
    public static String jobId(String text) {
        if (text == null || !text.matches("[0-9a-fA-F]{32}")) {
            throw new IllegalArgumentException(
                    "job id must be 32 hexadecimal digits (as `flink list` or the web UI show it),"
                            + " got \""
                            + text
                            + "\"");
        }
        return text.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Triggers a savepoint, the job going on ({@code stop} false) or stopping after it; waits for
     * it and returns its location.
     */
    public String savepoint(String jobId, String targetDirectory, boolean stop, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        String path;
        if (stop) {
            path = "jobs/" + jobId + "/stop";
            if (targetDirectory != null) {
                body.put("targetDirectory", targetDirectory);
            }
            body.put("drain", false);
        } else {
            path = "jobs/" + jobId + "/savepoints";
            if (targetDirectory != null) {
                body.put("target-directory", targetDirectory);
            }
            body.put("cancel-job", false);
        }
        JsonNode trigger = send("POST", path, body);
        String requestId = trigger.path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = send("GET", "jobs/" + jobId + "/savepoints/" + requestId, null);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("location")) {
                    if (stop) {
                        awaitEnd(jobId, deadline);
                    }
                    return operation.get("location").asText();
                }
                throw new IOException(
                        (stop ? "stop with savepoint" : "savepoint")
                                + " of job "
                                + jobId
                                + " failed: "
                                + cause(operation.path("failure-cause")));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        (stop ? "stop with savepoint" : "savepoint")
                                + " of job "
                                + jobId
                                + " did not complete within "
                                + timeout.toSeconds()
                                + " s; it may still complete (the web UI shows it)");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Waits until the job has ended (after a stop its last commits are done by then). */
    private void awaitEnd(String jobId, long deadline) throws IOException, InterruptedException {
        while (!java.util.Set.of("FINISHED", "CANCELED", "FAILED").contains(jobState(jobId))) {
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "job " + jobId + " took its savepoint but did not end in time");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The job's state as Flink names it: RUNNING, FINISHED, FAILED, RESTARTING, ... */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return send("GET", "jobs/" + jobId, null).path("state").asText();
    }

    /** The job's {@code numRestarts} metric: how often it has restarted since it was submitted. */
    public long restarts(String jobId) throws IOException, InterruptedException {
        // The web server fetches metrics every metrics.fetcher.update-interval (10 s by default).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode metrics = send("GET", "jobs/" + jobId + "/metrics?get=numRestarts", null);
            for (JsonNode metric : metrics) {
                if ("numRestarts".equals(metric.path("id").asText())) {
                    return (long) Double.parseDouble(metric.path("value").asText());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + jobId + " reports no numRestarts metric");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * The sum over subtasks of an operator metric (e.g. {@code rtml.redis_retries}) of the job's
     * vertex whose name contains {@code vertex}; 0 when the metric is not registered (yet).
     */
    public double operatorMetricSum(String jobId, String vertex, String metricSuffix)
            throws IOException, InterruptedException {
        for (JsonNode node : send("GET", "jobs/" + jobId, null).path("vertices")) {
            if (!node.path("name").asText().contains(vertex)) {
                continue;
            }
            String path = "jobs/" + jobId + "/vertices/" + node.path("id").asText();
            for (JsonNode metric : send("GET", path + "/subtasks/metrics", null)) {
                String id = metric.path("id").asText();
                if (id.endsWith(metricSuffix)) {
                    JsonNode value =
                            send(
                                    "GET",
                                    path
                                            + "/subtasks/metrics?agg=sum&get="
                                            + java.net.URLEncoder.encode(
                                                    id, java.nio.charset.StandardCharsets.UTF_8),
                                    null);
                    return value.path(0).path("sum").asDouble();
                }
            }
        }
        return 0;
    }

    /** The messages of the job's root exceptions (newest first), for diagnosis. */
    public java.util.List<String> exceptions(String jobId)
            throws IOException, InterruptedException {
        JsonNode history =
                send("GET", "jobs/" + jobId + "/exceptions", null)
                        .path("exceptionHistory")
                        .path("entries");
        java.util.List<String> messages = new java.util.ArrayList<>();
        for (JsonNode entry : history) {
            messages.add(entry.path("stacktrace").asText(entry.path("exceptionName").asText()));
        }
        return messages;
    }

    /** Cancels the job (its last checkpoint is retained, see JobEnvironment). */
    public void cancel(String jobId) throws IOException, InterruptedException {
        send("PATCH", "jobs/" + jobId + "?mode=cancel", null);
    }

    private JsonNode send(String method, String path, JsonNode body)
            throws IOException, InterruptedException {
        URI uri = base.resolve(path);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json");
        request.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpTimeoutException e) {
            throw new IOException(
                    "cannot reach Flink's REST endpoint at "
                            + base
                            + " (--rest-url): is the cluster running? ("
                            + e
                            + ")",
                    e);
        }
        JsonNode json =
                response.body().isBlank()
                        ? JSON.createObjectNode()
                        : JSON.readTree(response.body());
        if (response.statusCode() >= 400) {
            String errors =
                    json.has("errors") ? firstLines(json.get("errors")) : response.body().trim();
            throw new IOException(
                    method + " " + uri + " answered " + response.statusCode() + ": " + errors);
        }
        return json;
    }

    private static String cause(JsonNode failure) {
        if (failure.hasNonNull("stack-trace")) {
            return firstLine(failure.get("stack-trace").asText());
        }
        return failure.toString();
    }

    private static String firstLines(JsonNode errors) {
        StringBuilder text = new StringBuilder();
        for (JsonNode error : errors) {
            if (text.length() > 0) {
                text.append("; ");
            }
            text.append(firstLine(error.asText()));
        }
        return text.toString();
    }

    /** The first line of a message or stack trace, without a leading exception class name. */
    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        String shorter;
        while (!(shorter =
                        line.replaceFirst("^([a-z][a-z0-9_]*\\.)+[A-Z]\\w*(Exception|Error): ", ""))
                .equals(line)) {
            line = shorter;
        }
        return line;
    }
}
