package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.evaluation.Label;
import io.rtml.event.TransactionEvent;
import io.rtml.inference.BatchingInferenceFunction;
import io.rtml.inference.ModelControl;
import io.rtml.inference.Prediction;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.generator.GeneratedTransaction;
import io.rtml.job.generator.TransactionGenerator;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.Repository;
import io.rtml.sink.PredictionJson;
import io.rtml.testing.KafkaBroker;
import io.rtml.testing.RedisServer;
import io.rtml.testing.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard against the running job: the real pipeline (Kafka in, features,
 * inference, Kafka and Redis out) and the live evaluation's job beside it in a mini cluster with
 * Flink's Prometheus reporter, as {@code rtml run --local} has them; its {@code /metrics} endpoint
 * is scraped and every series the dashboard's queries name must be there, with the labels the
 * queries filter and group by, and with values that say the jobs did what the events, labels and
 * model-control records asked of them.
 */
class DashboardMetricsITCase {
    /** Above {@link BatchingInferenceFunction#DRIFT_WINDOW_ROWS}: the one subtask computes PSI. */
    private static final int EVENTS = 12_000;

    /** Events produced after the model in use went missing: each gets the fallback score. */
    private static final int UNSCORED = 10;

    private static final int BATCH_SIZE = 256;
    private static final Path DASHBOARD =
            Repository.root().resolve("helm/rtml/dashboards/rtml.json");
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    private static final String RTML = OPERATOR + "rtml_";

    /** The Kafka sink opens its serializer with the operator's "user" group. */
    private static final String USER_RTML = OPERATOR + "user_rtml_";

    /** A Kafka source opens its deserializer with the operator's "deserializer" group. */
    private static final String DESERIALIZER_RTML = OPERATOR + "deserializer_rtml_";

    private static final int PROMETHEUS_PORT = freePort();

    /** The latency histograms: one sample per event at each point. */
    private static final List<String> LATENCIES =
            List.of(
                    RTML + "latency_ingest_to_features_ms",
                    RTML + "latency_event_to_redis_ms",
                    RTML + "latency_ingest_to_redis_ms",
                    USER_RTML + "latency_event_to_kafka_ms",
                    USER_RTML + "latency_ingest_to_kafka_ms");

    /** Two slots: one for the scoring job, one for the live evaluation. */
    @RegisterExtension
    static final TestServices SERVICES =
            TestServices.builder().kafka().redis().flink(prometheus(PROMETHEUS_PORT)).build();

    @TempDir Path dir;

    @Test
    void everySeriesTheDashboardQueriesIsExposedByTheRunningJob() throws Exception {
        TransactionGenerator generator =
                new TransactionGenerator(
                        new TransactionGenerator.Settings(
                                11, 400, 60, 150, 0.05, 1_767_225_600_000L));
        List<GeneratedTransaction> transactions = generator.take(EVENTS);
        List<TransactionEvent> events = events(transactions);
        List<TransactionEvent> unscored = events(generator.take(UNSCORED));
        Dashboard dashboard = Dashboard.read(DASHBOARD);
        assertThat(dashboard.metrics()).as("metrics the dashboard queries").hasSizeGreaterThan(20);
        Path repository = dir.resolve("model-artifacts");
        for (String version : List.of("4", "5")) {
            copy(
                    Repository.modelArtifacts().resolve("fraud").resolve(version),
                    repository.resolve("fraud").resolve(version));
        }

        JobRun run = new JobRun(SERVICES, dir.resolve("checkpoints"), "dashboard");
        run.evaluationTopics();
        // The job's default name: Prometheus label values keep it as it is (a run's name has "-").
        run.options.put("job.name", "rtml");
        run.options.put("model.repository", repository.toString());
        run.options.put("model.version", "4");
        run.options.put("job.parallelism", "1");
        run.options.put("inference.batch-size", Integer.toString(BATCH_SIZE));
        run.options.put("evaluation.window", "1 h");
        run.options.put("evaluation.slide", "1 s");
        RtmlConfig config = run.config();
        JobClient job = run.start();
        // The evaluation as rtml run --local starts it: under its own job name.
        JobClient evaluation =
                JobRun.environment(config)
                        .executeAsync(EvaluationJob.streamGraph(config, new Configuration()));
        Scrape scrape;
        try {
            // The events, and one record that is not one: its dead-letter series appears.
            List<Map.Entry<byte[], byte[]>> records = KafkaBroker.keyedByCard(events);
            records.add(
                    EVENTS / 2,
                    Map.entry(
                            "c-1".getBytes(StandardCharsets.UTF_8),
                            "{\"event_id\":\"bad-1\",".getBytes(StandardCharsets.UTF_8)));
            SERVICES.kafka().produce(run.events, records);
            scrape = awaitScrape(s -> s.sum(RTML + "score_bucket_scored") == EVENTS);
            assertThat(scrape.sum(RTML + "score_bucket_scored"))
                    .as("rows the model scored")
                    .isEqualTo(EVENTS);

            // Each event's label, for the live evaluation; and a version that is not in the
            // repository, which the job refuses (and goes on with version 4).
            SERVICES.kafka().produce(run.labels(), labels(transactions));
            SERVICES.kafka()
                    .produce(
                            run.modelControl,
                            List.of(
                                    Map.entry(
                                            new byte[0], ModelControl.write("fraud", "9", null))));
            scrape = awaitScrape(s -> s.sum(RTML + "model_refusals") == 1);
            assertThat(scrape.sum(RTML + "model_refusals")).as("refusals").isEqualTo(1);

            // A fallback series appears with the first fallback: switch to version 5, which
            // then goes missing from the repository before a row needs it, as when a model
            // volume loses it. The rows that follow get the fallback score.
            SERVICES.kafka()
                    .produce(
                            run.modelControl,
                            List.of(
                                    Map.entry(
                                            new byte[0], ModelControl.write("fraud", "5", null))));
            scrape = awaitScrape(s -> s.sum(RTML + "model_switches") == 1);
            assertThat(scrape.sum(RTML + "model_switches")).as("model switches").isEqualTo(1);
            delete(repository.resolve("fraud").resolve("5"));
            SERVICES.kafka().produce(run.events, KafkaBroker.keyedByCard(unscored));
            scrape =
                    awaitScrape(
                            s ->
                                    s.sum(RTML + "reason_fallbacks") == UNSCORED
                                            && LATENCIES.stream()
                                                    .allMatch(
                                                            l ->
                                                                    s.sum(l + "_count")
                                                                            == EVENTS + UNSCORED)
                                            && s.sum(RTML + "live_labelled") == EVENTS
                                            && dashboard.metrics().stream().allMatch(s::has));
            // The model could not score them: the fallback score, flagged by default
            // (inference.fallback-decision), the reason on each prediction.
            try (KafkaBroker.CommittedReader reader = SERVICES.kafka().reader(run.predictions)) {
                reader.awaitAtLeast(EVENTS + UNSCORED, WAIT);
                Set<String> unscoredIds =
                        unscored.stream().map(e -> e.eventId).collect(Collectors.toSet());
                List<Prediction> fallbacks =
                        reader.readFor(Duration.ofSeconds(1)).stream()
                                .map(r -> PredictionJson.read(r.value()))
                                .filter(p -> unscoredIds.contains(p.eventId))
                                .toList();
                assertThat(fallbacks).hasSize(UNSCORED);
                assertThat(fallbacks)
                        .allSatisfy(
                                p -> {
                                    assertThat(p.fallbackReason)
                                            .isEqualTo(BatchingInferenceFunction.MODEL_UNAVAILABLE);
                                    assertThat(p.score).isZero();
                                    assertThat(p.decision).isEqualTo(Prediction.FLAG);
                                });
            }
        } finally {
            evaluation.cancel().get();
            job.cancel().get();
        }

        assertDashboardSeriesExist(dashboard, scrape);
        assertValues(scrape, config.model().inputs());
        assertLiveQuality(scrape, config, transactions);
    }

    // --- what the scrape must hold -----------------------------------------------------------

    private static void assertDashboardSeriesExist(Dashboard dashboard, Scrape scrape) {
        Set<String> missing = new TreeSet<>();
        for (String metric : dashboard.metrics()) {
            if (!scrape.has(metric)) {
                missing.add(metric);
            }
        }
        assertThat(missing)
                .as("series the dashboard queries that the job does not expose")
                .isEmpty();

        for (Selector selector : dashboard.selectors()) {
            List<Series> series = scrape.series(selector.metric());
            for (Map.Entry<String, String> matcher : selector.equal().entrySet()) {
                assertThat(series)
                        .as(
                                "%s with %s=\"%s\"",
                                selector.metric(), matcher.getKey(), matcher.getValue())
                        .anyMatch(s -> matcher.getValue().equals(s.labels().get(matcher.getKey())));
            }
            for (String label : selector.labels()) {
                assertThat(series)
                        .as("%s labelled %s", selector.metric(), label)
                        .allMatch(s -> s.labels().containsKey(label));
            }
        }
    }

    private static void assertValues(Scrape scrape, List<String> features) {
        // Every event in, one dead letter; every event scored by the model once, the later
        // ones given the fallback score, all in batches of at most inference.batch-size.
        assertThat(scrape.sum(RTML + "events_valid")).isEqualTo(EVENTS + UNSCORED);
        assertThat(scrape.series(RTML + "field_dead_letters"))
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.labels()).containsEntry("field", "record");
                            assertThat(s.value()).isEqualTo(1);
                        });
        assertThat(scrape.sum(RTML + "inference_rows")).isEqualTo(EVENTS + UNSCORED);
        // Every reason's series is there from the start (0 until its first fallback): the
        // fallback rate's numerator.
        Map<String, Double> fallbacksByReason = new TreeMap<>();
        for (Series series : scrape.series(RTML + "reason_fallbacks")) {
            fallbacksByReason.put(series.labels().get("reason"), series.value());
        }
        assertThat(fallbacksByReason)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                BatchingInferenceFunction.TIMEOUT, 0.0,
                                BatchingInferenceFunction.MODEL_ERROR, 0.0,
                                BatchingInferenceFunction.MODEL_UNAVAILABLE, (double) UNSCORED));
        assertThat(scrape.quantile(RTML + "inference_batch_size", "0.99"))
                .isBetween(1.0, (double) BATCH_SIZE);
        assertThat(scrape.sum(RTML + "active_model_version")).isEqualTo(5);

        // The score distribution: ten buckets, 0.0 to 0.9, adding up to the scored rows, and
        // not all in one.
        List<Series> buckets = scrape.series(RTML + "score_bucket_scored");
        // (The reporter writes a label value's dots as underscores.)
        assertThat(buckets.stream().map(s -> s.labels().get("score_bucket")))
                .containsExactlyInAnyOrder(
                        "0_0", "0_1", "0_2", "0_3", "0_4", "0_5", "0_6", "0_7", "0_8", "0_9");
        assertThat(buckets.stream().mapToDouble(Series::value).sum()).isEqualTo(EVENTS);
        assertThat(buckets).allMatch(s -> s.value() < EVENTS);

        // Feature drift: one PSI per model input, each a finite number >= 0.
        List<Series> psi = scrape.series(RTML + "feature_psi");
        assertThat(psi.stream().map(s -> s.labels().get("feature")))
                .containsExactlyInAnyOrderElementsOf(features);
        assertThat(psi).allMatch(s -> Double.isFinite(s.value()) && s.value() >= 0);

        // Latency summaries: a sample per event, quantiles finite and ordered; those measured on
        // this machine's clock alone (not from the generated events' own times) not negative.
        for (String name : LATENCIES) {
            assertThat(scrape.sum(name + "_count"))
                    .as(name + "_count")
                    .isEqualTo(EVENTS + UNSCORED);
        }
        List<String> summaries = new ArrayList<>(LATENCIES);
        summaries.add(RTML + "inference_queue_micros");
        summaries.add(RTML + "inference_batch_micros");
        for (String name : summaries) {
            assertThat(scrape.sum(name + "_count")).as(name + "_count").isPositive();
            double p50 = scrape.quantile(name, "0.5");
            double p99 = scrape.quantile(name, "0.99");
            assertThat(p50).as(name + " p50").isFinite();
            assertThat(p99).as(name + " p99").isFinite().isGreaterThanOrEqualTo(p50);
            if (!name.contains("latency_event_")) {
                assertThat(p50).as(name + " p50").isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(scrape.sum(RTML + "redis_writes")).isPositive();

        // Kafka lag: the job has read everything it was sent.
        assertThat(scrape.series(OPERATOR + "pendingRecords"))
                .filteredOn(s -> "Source:_Kafka_events".equals(s.labels().get("operator_name")))
                .singleElement()
                .satisfies(s -> assertThat(s.value()).isZero());
    }

    private static void assertLiveQuality(
            Scrape scrape, RtmlConfig config, List<GeneratedTransaction> transactions) {
        // The evaluation's gauges, under the evaluation job's name, which the reporter writes with
        // "_" for "-" (the dashboard's "${job}_evaluation"): every event labelled and joined, the
        // quality figures defined (frauds among the events, and flagged ones among them) and
        // within 0 to 1.
        long frauds = transactions.stream().filter(GeneratedTransaction::fraud).count();
        assertThat(frauds).isPositive();
        String evaluationJob =
                config.get(RtmlOptions.JOB_NAME) + "_" + EvaluationJob.EVALUATION_JOB_SUFFIX;
        for (String gauge : List.of("live_precision", "live_recall", "live_pr_auc")) {
            assertThat(scrape.series(RTML + gauge))
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.labels()).containsEntry("job_name", evaluationJob);
                                assertThat(s.value()).as(gauge).isBetween(0.0, 1.0);
                            });
        }
        assertThat(scrape.sum(RTML + "live_labelled")).isEqualTo(EVENTS);
        assertThat(scrape.sum(RTML + "labels_joined")).isEqualTo(EVENTS);
        assertThat(scrape.series(DESERIALIZER_RTML + "labels_unreadable")).isNotEmpty();
        assertThat(scrape.sum(DESERIALIZER_RTML + "labels_unreadable")).isZero();
        assertThat(scrape.sum(DESERIALIZER_RTML + "predictions_unreadable")).isZero();
        System.out.printf(
                "live evaluation of %d labelled predictions (%d frauds): precision %.4f, recall"
                        + " %.4f, PR-AUC %.4f%n",
                EVENTS,
                frauds,
                scrape.sum(RTML + "live_precision"),
                scrape.sum(RTML + "live_recall"),
                scrape.sum(RTML + "live_pr_auc"));

        // No shadow version was active: the agreement counters are there, at zero.
        assertThat(scrape.sum(RTML + "shadow_agreements")).isZero();
        assertThat(scrape.sum(RTML + "shadow_disagreements")).isZero();
    }

    // --- the job -----------------------------------------------------------------------------

    private static Configuration prometheus(int port) {
        Configuration flink = new Configuration();
        // As flink-conf/local/config.yaml has it. The reporter has no host option: it listens on
        // every interface, on a port free when the test starts.
        flink.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flink.setString("metrics.reporter.prom.port", Integer.toString(port));
        return flink;
    }

    private static int freePort() {
        try {
            return RedisServer.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Map.Entry<byte[], byte[]>> labels(List<GeneratedTransaction> labelled) {
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (GeneratedTransaction t : labelled) {
            records.add(
                    Map.entry(
                            t.event().cardId.getBytes(StandardCharsets.UTF_8),
                            Label.write(t.event().eventId, t.fraud(), t.pattern())));
        }
        return records;
    }

    private static List<TransactionEvent> events(List<GeneratedTransaction> transactions) {
        return transactions.stream().map(GeneratedTransaction::event).toList();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    private static void delete(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    /** Scrapes until the scrape passes {@code done}, or the last one after {@link #WAIT}. */
    private static Scrape awaitScrape(Predicate<Scrape> done) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request =
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + PROMETHEUS_PORT + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            Scrape scrape = Scrape.parse(response.body());
            if (done.test(scrape) || System.nanoTime() > deadline) {
                return scrape;
            }
            Thread.sleep(500);
        }
    }

    // --- the dashboard's queries -------------------------------------------------------------

    /**
     * A metric selector in a query: the metric, its {@code label="value"} matchers with literal
     * values, and every label the query filters by (with a variable) or groups by.
     */
    private record Selector(String metric, Map<String, String> equal, Set<String> labels) {}

    private record Dashboard(Set<String> metrics, List<Selector> selectors) {
        private static final Pattern METRIC = Pattern.compile("flink_[a-zA-Z0-9_]+");
        private static final Pattern SELECTOR =
                Pattern.compile("(flink_[a-zA-Z0-9_]+)\\s*(?:\\{([^}]*)\\})?");
        private static final Pattern MATCHER =
                Pattern.compile(
                        "([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
        private static final Pattern GROUPING =
                Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
        private static final Pattern LABEL_VALUES =
                Pattern.compile("label_values\\(\\s*(flink_[a-zA-Z0-9_]+)\\s*,\\s*(\\w+)\\s*\\)");

        static Dashboard read(Path file) throws IOException {
            String json = Files.readString(file);
            Set<String> metrics = new TreeSet<>();
            Matcher metric = METRIC.matcher(json);
            while (metric.find()) {
                metrics.add(metric.group());
            }
            List<String> queries = new ArrayList<>();
            collect(new ObjectMapper().readTree(json), queries);
            List<Selector> selectors = new ArrayList<>();
            for (String query : queries) {
                Set<String> grouping = new TreeSet<>();
                Matcher by = GROUPING.matcher(query);
                while (by.find()) {
                    for (String label : by.group(1).split(",")) {
                        if (!label.isBlank()) {
                            grouping.add(label.strip());
                        }
                    }
                }
                Matcher values = LABEL_VALUES.matcher(query);
                while (values.find()) {
                    selectors.add(new Selector(values.group(1), Map.of(), Set.of(values.group(2))));
                }
                Matcher selector = SELECTOR.matcher(query);
                while (selector.find()) {
                    Map<String, String> equal = new LinkedHashMap<>();
                    Set<String> labels = new TreeSet<>(grouping);
                    if (selector.group(2) != null) {
                        Matcher matcher = MATCHER.matcher(selector.group(2));
                        while (matcher.find()) {
                            String label = matcher.group(1);
                            String op = matcher.group(2);
                            String value = matcher.group(3);
                            if (value.contains("$")) {
                                labels.add(label);
                            } else if (op.equals("=")) {
                                equal.put(label, value);
                            }
                        }
                    }
                    selectors.add(new Selector(selector.group(1), equal, labels));
                }
            }
            return new Dashboard(metrics, selectors);
        }

        /** The PromQL of every target ({@code expr}) and variable ({@code definition}). */
        private static void collect(JsonNode node, List<String> queries) {
            node.fields()
                    .forEachRemaining(
                            field -> {
                                if ((field.getKey().equals("expr")
                                                || field.getKey().equals("definition"))
                                        && field.getValue().isTextual()) {
                                    queries.add(field.getValue().asText());
                                }
                            });
            node.forEach(child -> collect(child, queries));
        }
    }

    // --- the scrape --------------------------------------------------------------------------

    private record Series(String name, Map<String, String> labels, double value) {}

    /** The Prometheus text format, parsed: every sample, by metric name. */
    private record Scrape(Map<String, List<Series>> byName) {
        static Scrape parse(String text) {
            Map<String, List<Series>> byName = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                Series series = sample(line);
                byName.computeIfAbsent(series.name(), n -> new ArrayList<>()).add(series);
            }
            return new Scrape(byName);
        }

        /** {@code name{label="value",...} value [timestamp]}, label values escaped. */
        private static Series sample(String line) {
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int equals = line.indexOf('=', i);
                    String label = line.substring(i, equals).strip();
                    i = equals + 2; // past ="
                    StringBuilder value = new StringBuilder();
                    while (line.charAt(i) != '"') {
                        char c = line.charAt(i++);
                        if (c == '\\') {
                            char escaped = line.charAt(i++);
                            value.append(escaped == 'n' ? '\n' : escaped);
                        } else {
                            value.append(c);
                        }
                    }
                    i++; // past "
                    labels.put(label, value.toString());
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                i++; // past }
            }
            String value = line.substring(i).strip().split("\\s+")[0];
            return new Series(name, labels, number(value));
        }

        private static double number(String value) {
            return switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            };
        }

        boolean has(String name) {
            return byName.containsKey(name);
        }

        List<Series> series(String name) {
            return byName.getOrDefault(name, List.of());
        }

        double sum(String name) {
            return series(name).stream().mapToDouble(Series::value).sum();
        }

        /** The largest value of one quantile over the subtasks. */
        double quantile(String name, String quantile) {
            return series(name).stream()
                    .filter(s -> quantile.equals(s.labels().get("quantile")))
                    .mapToDouble(Series::value)
                    .max()
                    .orElseThrow(() -> new AssertionError("no " + name + "{quantile=" + quantile));
        }
    }
}
