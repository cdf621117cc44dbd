package io.rtml.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rtml.job.CommittedTopicReader;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml bench-drain}: how fast a backlog becomes committed output. Reads the output topic as
 * a downstream consumer does (read_committed), from its beginning, until {@code --expect} records
 * are visible, and records when each became visible.
 */
@Command(
        name = "bench-drain",
        mixinStandardHelpOptions = true,
        description = {
            "Waits until --expect records are committed to --output-topic (read_committed) and",
            "writes when they became visible, and the sustained rate, as JSON (docs/benchmarks.md",
            "explains the figures). scripts/bench runs it while the job or the pass-through",
            "drains a pre-loaded events topic."
        })
public final class BenchDrainCommand implements Callable<Integer> {
    /** Polls whose records arrive closer together than this are one commit. */
    static final long COMMIT_GAP_MS = 1_000;

    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;

    @Option(names = "--output-topic", paramLabel = "TOPIC", description = "Default: predictions.")
    String outputTopic;

    @Option(names = "--expect", required = true, description = "Records to wait for.")
    long expect;

    @Option(
            names = "--warmup",
            description =
                    "Records committed before the measured part begins: the sustained rate is"
                            + " over the commits after the first that holds this many (default:"
                            + " ${DEFAULT-VALUE}).")
    long warmup = 0;

    @Option(
            names = "--warmup-s",
            description =
                    "And not before this many seconds after --started-ms: the JIT compiler is"
                            + " busy for the first minute or so of a job (default:"
                            + " ${DEFAULT-VALUE}).")
    long warmupS = 0;

    @Option(
            names = "--check-copies",
            paramLabel = "N",
            description =
                    "Once all are committed, check that each event id of --events-topic is in N"
                            + " committed output records exactly, and no other id is (0: no"
                            + " check; default: ${DEFAULT-VALUE}).")
    int checkCopies = 0;

    @Option(names = "--cards", description = "The cards the events came from, for the results.")
    Long cards;

    @Option(
            names = "--started-ms",
            description = "Epoch ms when the target was started, for the time to drain.")
    Long startedMs;

    @Option(
            names = "--timeout-s",
            description = "Give up when nothing arrives for this long (default: ${DEFAULT-VALUE}).")
    long timeoutS = 180;

    @Option(names = "--label", description = "What is measured, for the results.")
    String label = "job";

    @Option(names = "--out", paramLabel = "FILE", description = "Results JSON file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = options.withoutModel(kafka);
        String topic =
                outputTopic != null ? outputTopic : config.get(RtmlOptions.PREDICTIONS_TOPIC);
        Properties settings = KafkaClients.committedConsumer(config, "rtml-bench-drain");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "20000");
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "8388608");
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        List<long[]> polls = new ArrayList<>(); // {received ms, records so far}
        long count = 0;
        try (CommittedTopicReader reader = CommittedTopicReader.fromBeginning(settings, topic)) {
            long lastProgress = System.currentTimeMillis();
            long lastReport = lastProgress;
            while (count < expect) {
                int n = reader.poll(Duration.ofMillis(50)).count();
                long now = System.currentTimeMillis();
                if (n > 0) {
                    count += n;
                    polls.add(new long[] {now, count});
                    lastProgress = now;
                } else if (now - lastProgress > timeoutS * 1000) {
                    System.err.printf(
                            "bench-drain: %s: only %,d of %,d committed; nothing new for %d s%n",
                            label, count, expect, timeoutS);
                    break;
                }
                if (now - lastReport >= 10_000) {
                    System.err.printf("bench-drain: %s: %,d committed%n", label, count);
                    lastReport = now;
                }
            }
        }
        Map<String, Object> results = results(polls, count, topic);
        System.err.printf(
                "bench-drain: %s: %,d committed; sustained %,d events/s (%s)%n",
                label, count, results.get("sustained_events_per_s"), results.get("method"));
        boolean exactlyOnce = true;
        if (checkCopies > 0) {
            ExactlyOnceCheck.Result check =
                    ExactlyOnceCheck.check(
                            settings, config.get(RtmlOptions.EVENTS_TOPIC), topic, checkCopies);
            results.put("exactly_once", check.toMap());
            exactlyOnce = check.holds();
            System.err.printf(
                    "bench-drain: %s: exactly once by event id %s: %,d events, %,d exactly %d"
                            + " time(s), %,d missing, %,d duplicated, %,d unknown ids %s%n",
                    label,
                    exactlyOnce ? "holds" : "FAILS",
                    check.events(),
                    check.exact(),
                    checkCopies,
                    check.missing(),
                    check.duplicated(),
                    check.unknown(),
                    check.examples());
        }
        if (out != null) {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.toFile(), results);
        }
        return count >= expect && exactlyOnce ? 0 : 1;
    }

    /**
     * The sustained rate from when records became visible. Exactly-once output becomes visible in
     * commits; the first and the last commit hold a part-interval each. The measured part starts at
     * the first commit that holds at least {@code --warmup} records and came {@code --warmup-s}
     * after the start (the first commit without a warm-up). When there are at least two more
     * commits after it (the job: one per checkpoint), the rate is the records made visible from
     * there to the second-to-last commit over the time between them: whole intervals only. When the
     * output came as one stream (the pass-through's 100 ms commits run together) it is the records
     * after the first poll past the warm-up over the time from it to the last. Otherwise the drain
     * was too short to measure: no rate.
     */
    Map<String, Object> results(List<long[]> polls, long count, String topic) {
        List<long[]> commits = new ArrayList<>(); // {first received ms, records so far}
        long previous = Long.MIN_VALUE;
        for (long[] poll : polls) {
            if (commits.isEmpty() || poll[0] - previous > COMMIT_GAP_MS) {
                commits.add(new long[] {poll[0], poll[1]});
            } else {
                commits.get(commits.size() - 1)[1] = poll[1];
            }
            previous = poll[0];
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("mode", "drain");
        results.put("target", label);
        results.put("topic", topic);
        results.put("expected", expect);
        if (cards != null) {
            results.put("cards", cards);
        }
        results.put("committed", count);
        results.put("complete", count >= expect);
        double sustained = Double.NaN;
        String method = "none";
        int k = commits.size();
        long warmedUpMs = startedMs == null ? Long.MIN_VALUE : startedMs + warmupS * 1000;
        int from = 0;
        while (from < k && (commits.get(from)[1] < warmup || commits.get(from)[0] < warmedUpMs)) {
            from++;
        }
        int firstPoll = 0;
        while (firstPoll < polls.size()
                && (polls.get(firstPoll)[1] < warmup || polls.get(firstPoll)[0] < warmedUpMs)) {
            firstPoll++;
        }
        long[] measuredFrom = null;
        long[] measuredTo = null;
        if (k - from >= 3) {
            measuredFrom = commits.get(from);
            measuredTo = commits.get(k - 2);
            method =
                    "whole commit intervals: commits " + (from + 1) + " to " + (k - 1) + " of " + k;
        } else if (k == 1 && polls.size() - firstPoll >= 2) {
            measuredFrom = polls.get(firstPoll);
            measuredTo = polls.get(polls.size() - 1);
            method = from == 0 ? "first to last poll" : "first poll after the warm-up to the last";
        }
        if (measuredFrom != null) {
            sustained =
                    (measuredTo[1] - measuredFrom[1])
                            * 1000.0
                            / Math.max(1, measuredTo[0] - measuredFrom[0]);
            results.put("measured_from_ms", measuredFrom[0]);
            results.put("measured_to_ms", measuredTo[0]);
            results.put("measured_records", measuredTo[1] - measuredFrom[1]);
        }
        results.put("warmup", warmup);
        results.put("warmup_s", warmupS);
        results.put(
                "sustained_events_per_s", Double.isNaN(sustained) ? null : Math.round(sustained));
        results.put("method", method);
        if (!polls.isEmpty()) {
            long firstMs = polls.get(0)[0];
            long lastMs = polls.get(polls.size() - 1)[0];
            results.put("first_visible_ms", firstMs);
            results.put("all_visible_ms", lastMs);
            if (startedMs != null) {
                results.put("started_ms", startedMs);
                results.put("first_visible_after_start_s", (firstMs - startedMs) / 1000.0);
                results.put("all_visible_after_start_s", (lastMs - startedMs) / 1000.0);
            }
        }
        results.put("commits", k);
        List<List<Number>> timeline = new ArrayList<>();
        for (long[] commit : commits) {
            timeline.add(List.of(commit[0], commit[1]));
        }
        results.put("commit_timeline", timeline);
        return results;
    }
}
