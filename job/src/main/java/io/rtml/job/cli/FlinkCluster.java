package io.rtml.job.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.JobExceptionsHeaders;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.MessageParameter;
import org.apache.flink.runtime.rest.messages.MessageParameters;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.messages.job.JobExceptionsMessageParameters;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedMetric;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedSubtaskMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.AggregatedSubtaskMetricsParameters;
import org.apache.flink.runtime.rest.messages.job.metrics.JobMetricsHeaders;
import org.apache.flink.runtime.rest.messages.job.metrics.JobMetricsMessageParameters;
import org.apache.flink.runtime.rest.messages.job.metrics.Metric;
import org.apache.flink.runtime.rest.util.RestClientException;

/**
 * A Flink cluster as its REST endpoint (the JobManager's web port) shows it, through Flink's own
 * {@link RestClusterClient}: what {@code flink stop}, {@code flink savepoint}, {@code flink list}
 * and {@code flink cancel} do, and the metrics and exceptions the web UI shows. Close it.
 */
public final class FlinkCluster implements AutoCloseable {
    static final String DEFAULT_REST_URL = "http://127.0.0.1:8081";
    private static final Duration POLL = Duration.ofMillis(250);

    private final URI restUrl;
    private final RestClusterClient<String> client;

    public FlinkCluster(URI restUrl) throws IOException {
        if (!"http".equals(restUrl.getScheme()) || restUrl.getHost() == null) {
            throw new IllegalArgumentException(
                    "--rest-url: expected http://host:port, got " + restUrl);
        }
        this.restUrl = restUrl;
        Configuration config = new Configuration();
        config.set(RestOptions.ADDRESS, restUrl.getHost());
        config.set(RestOptions.PORT, restUrl.getPort() < 0 ? 80 : restUrl.getPort());
        // One try, as a command line expects: an unreachable cluster is reported at once.
        config.set(RestOptions.RETRY_MAX_ATTEMPTS, 0);
        try {
            this.client = new RestClusterClient<>(config, "rtml");
        } catch (Exception e) {
            throw new IOException("cannot create a REST client for " + restUrl + ": " + e, e);
        }
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
        return text.toLowerCase(Locale.ROOT);
    }

    /**
     * Triggers a savepoint, the job going on ({@code stop} false) or stopping after it; waits for
     * it (and, after a stop, for the job to end: its last commits are done by then) and returns its
     * location.
     */
    public String savepoint(String jobId, String targetDirectory, boolean stop, Duration timeout)
            throws IOException, InterruptedException {
        JobID id = JobID.fromHexString(jobId);
        String what = (stop ? "stop with savepoint" : "savepoint") + " of job " + jobId;
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<String> location =
                stop
                        ? client.stopWithSavepoint(
                                id, false, targetDirectory, SavepointFormatType.DEFAULT)
                        : client.triggerSavepoint(id, targetDirectory, SavepointFormatType.DEFAULT);
        String taken;
        try {
            taken = location.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException(
                    what
                            + " did not complete within "
                            + timeout.toSeconds()
                            + " s; it may still complete (the web UI shows it)");
        } catch (ExecutionException e) {
            throw failure(what + " failed", e);
        }
        if (stop) {
            while (!JobStatus.valueOf(jobState(jobId)).isGloballyTerminalState()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(
                            "job " + jobId + " took its savepoint but did not end in time");
                }
                Thread.sleep(POLL.toMillis());
            }
        }
        return taken;
    }

    /** The job's state as Flink names it: RUNNING, FINISHED, FAILED, RESTARTING, ... */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return await("the state of job " + jobId, client.getJobStatus(JobID.fromHexString(jobId)))
                .name();
    }

    /** The cluster's jobs, the earliest started first. */
    public List<JobStatusMessage> jobs() throws IOException, InterruptedException {
        List<JobStatusMessage> jobs = new ArrayList<>(await("the jobs", client.listJobs()));
        jobs.sort(Comparator.comparingLong(JobStatusMessage::getStartTime));
        return jobs;
    }

    /** The job's {@code numRestarts} metric: how often it has restarted since it was submitted. */
    public long restarts(String jobId) throws IOException, InterruptedException {
        JobMetricsMessageParameters parameters = new JobMetricsMessageParameters();
        resolve(parameters, "jobid", jobId);
        resolve(parameters, "get", "numRestarts");
        // The web server fetches metrics every metrics.fetcher.update-interval (10 s by default).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            for (Metric metric :
                    request(
                                    "the metrics of job " + jobId,
                                    JobMetricsHeaders.getInstance(),
                                    parameters)
                            .getMetrics()) {
                if ("numRestarts".equals(metric.getId())) {
                    return (long) Double.parseDouble(metric.getValue());
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
        JobDetailsInfo details =
                await("job " + jobId, client.getJobDetails(JobID.fromHexString(jobId)));
        for (JobDetailsInfo.JobVertexDetailsInfo node : details.getJobVertexInfos()) {
            if (!node.getName().contains(vertex)) {
                continue;
            }
            AggregatedSubtaskMetricsParameters available = new AggregatedSubtaskMetricsParameters();
            resolve(available, "jobid", jobId);
            resolve(available, "vertexid", node.getJobVertexID().toString());
            String what = "the metrics of " + node.getName();
            for (AggregatedMetric metric :
                    request(what, AggregatedSubtaskMetricsHeaders.getInstance(), available)
                            .getMetrics()) {
                if (metric.getId().endsWith(metricSuffix)) {
                    AggregatedSubtaskMetricsParameters sum =
                            new AggregatedSubtaskMetricsParameters();
                    resolve(sum, "jobid", jobId);
                    resolve(sum, "vertexid", node.getJobVertexID().toString());
                    resolve(sum, "get", metric.getId());
                    resolve(sum, "agg", "sum");
                    for (AggregatedMetric value :
                            request(what, AggregatedSubtaskMetricsHeaders.getInstance(), sum)
                                    .getMetrics()) {
                        return value.getSum();
                    }
                }
            }
        }
        return 0;
    }

    /** The messages of the job's root exceptions (newest first), for diagnosis. */
    public List<String> exceptions(String jobId) throws IOException, InterruptedException {
        JobExceptionsMessageParameters parameters = new JobExceptionsMessageParameters();
        resolve(parameters, "jobid", jobId);
        JobExceptionsInfoWithHistory history =
                request(
                        "the exceptions of job " + jobId,
                        JobExceptionsHeaders.getInstance(),
                        parameters);
        List<String> messages = new ArrayList<>();
        for (JobExceptionsInfoWithHistory.RootExceptionInfo entry :
                history.getExceptionHistory().getEntries()) {
            messages.add(
                    entry.getStacktrace() != null
                            ? entry.getStacktrace()
                            : entry.getExceptionName());
        }
        return messages;
    }

    /** Cancels the job (its last checkpoint is retained, see JobEnvironment). */
    public void cancel(String jobId) throws IOException, InterruptedException {
        await("cancelling job " + jobId, client.cancel(JobID.fromHexString(jobId)));
    }

    @Override
    public void close() {
        client.close();
    }

    private <
                    R extends org.apache.flink.runtime.rest.messages.ResponseBody,
                    M extends MessageParameters>
            R request(
                    String what,
                    org.apache.flink.runtime.rest.messages.MessageHeaders<EmptyRequestBody, R, M>
                            headers,
                    M parameters)
                    throws IOException, InterruptedException {
        return await(what, client.sendRequest(headers, parameters, EmptyRequestBody.getInstance()));
    }

    private <T> T await(String what, CompletableFuture<T> future)
            throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw failure(what, e);
        }
    }

    /** A failed call as one line: the cluster is not reached, or what Flink answered. */
    private IOException failure(String what, Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return new IOException(
                        "cannot reach Flink's REST endpoint at "
                                + restUrl
                                + " (--rest-url): is the cluster running? ("
                                + cause
                                + ")",
                        e);
            }
            if (cause instanceof ExecutionException || cause instanceof CompletionException) {
                continue;
            }
            String line = cause.getMessage() == null ? "" : firstLine(cause.getMessage());
            String message =
                    cause instanceof RestClientException rest
                            ? "Flink answered " + rest.getHttpResponseStatus() + ": " + line
                            : line;
            if (!message.isBlank() && messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message);
            }
        }
        return new IOException(what + ": " + String.join(": ", messages), e);
    }

    /** Sets a path or query parameter of a request by its name in the URL. */
    private static void resolve(MessageParameters parameters, String key, String value) {
        List<MessageParameter<?>> all = new ArrayList<>(parameters.getPathParameters());
        all.addAll(parameters.getQueryParameters());
        for (MessageParameter<?> parameter : all) {
            if (parameter.getKey().equals(key)) {
                try {
                    parameter.resolveFromString(value);
                } catch (org.apache.flink.runtime.rest.messages.ConversionException e) {
                    throw new IllegalArgumentException(
                            key + "=" + value + ": " + e.getMessage(), e);
                }
                return;
            }
        }
        throw new IllegalArgumentException(parameters.getClass() + " has no parameter " + key);
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
