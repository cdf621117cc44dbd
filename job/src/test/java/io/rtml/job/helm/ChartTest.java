package io.rtml.job.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.rtml.job.config.RtmlOptions;
import io.rtml.job.testing.Repository;
import io.rtml.metrics.MetricNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart, linted and rendered by Helm itself (helm-java), for the default values and for
 * values-production.yaml; the rendered resources are read back as YAML and checked.
 */
class ChartTest {
    private static final Path CHART = Repository.root().resolve("helm/rtml");
    private static final Path PRODUCTION = CHART.resolve("values-production.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RELEASE = "fraud";
    private static final String FULLNAME = "fraud-rtml";

    @Test
    void lintsWithoutWarnings() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void deploysTheShadedJarWithASavepointUpgradeMode() throws Exception {
        JsonNode deployment = render(Map.of()).only("FlinkDeployment");
        JsonNode spec = deployment.get("spec");
        assertThat(deployment.get("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.get("metadata").get("name").asText()).isEqualTo(FULLNAME);
        assertThat(spec.get("image").asText()).isEqualTo("rtml:0.1.0");
        assertThat(spec.get("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.get("serviceAccount").asText()).isEqualTo("flink");
        JsonNode job = spec.get("job");
        assertThat(job.get("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/rtml-job.jar");
        assertThat(job.get("entryClass").asText()).isEqualTo("io.rtml.job.RtmlJob");
        assertThat(job.get("parallelism").asInt()).isEqualTo(2);
        assertThat(job.get("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.get("state").asText()).isEqualTo("running");
        assertThat(job.has("initialSavepointPath")).isFalse();
    }

    @Test
    void passesKafkaRedisAndTheModelAsJobOptions() throws Exception {
        Map<String, String> options = jobOptions(render(Map.of()).only("FlinkDeployment"));
        assertThat(options)
                .containsEntry("kafka.bootstrap-servers", "kafka:9092")
                .containsEntry("kafka.group-id", FULLNAME)
                .containsEntry("kafka.transactional-id-prefix", FULLNAME)
                .containsEntry("kafka.topics.events", "events")
                .containsEntry("kafka.topics.predictions", "predictions")
                .containsEntry("kafka.topics.dead-letters", "events-dlq")
                .containsEntry("redis.uri", "redis://redis:6379")
                .containsEntry("redis.key-prefix", "rtml:")
                .containsEntry("model.repository", "/opt/rtml/model-artifacts")
                .containsEntry("checkpoints.interval", "5 s")
                .doesNotContainKeys("model.name", "model.version")
                .doesNotContainKeys(
                        "kafka.security.protocol",
                        "kafka.sasl.username",
                        "kafka.sasl.password",
                        "redis.password");
    }

    @Test
    void flinkConfigurationIsTheClusterConfigWithStorageAndHaFromTheValues() throws Exception {
        Map<String, String> conf = flinkConfiguration(render(Map.of()).only("FlinkDeployment"));
        Map<String, String> clusterConfig = clusterConfig();
        Set<String> fromValues =
                Set.of(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "high-availability.storageDir");
        clusterConfig.forEach(
                (key, value) -> {
                    if (!fromValues.contains(key)) {
                        assertThat(conf).as(key).containsEntry(key, value);
                    }
                });
        assertThat(conf)
                .containsEntry("execution.checkpointing.dir", "file:///flink-data/rtml/checkpoints")
                .containsEntry(
                        "execution.checkpointing.savepoint-dir",
                        "file:///flink-data/rtml/savepoints")
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("high-availability.storageDir", "file:///flink-data/rtml/ha")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                .containsEntry("pipeline.auto-generate-uids", "false")
                .containsEntry("classloader.parent-first-patterns.additional", "ai.djl.")
                .containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry("metrics.reporter.prom.port", "9249")
                .containsEntry("web.submit.enable", "false");
    }

    @Test
    void networkPolicyLetsInOnlyThisReleaseTheOperatorAndPrometheus() throws Exception {
        for (Rendered rendered : List.of(render(Map.of()), render(PRODUCTION, Map.of()))) {
            JsonNode pod = rendered.only("FlinkDeployment").get("spec").get("podTemplate");
            JsonNode policy = rendered.only("NetworkPolicy").get("spec");
            JsonNode podLabels = pod.get("metadata").get("labels");
            JsonNode selected = policy.get("podSelector").get("matchLabels");
            assertThat(selected.size()).isPositive();
            selected.fields()
                    .forEachRemaining(
                            label ->
                                    assertThat(podLabels.get(label.getKey()).asText())
                                            .isEqualTo(label.getValue().asText()));
            assertThat(policy.get("policyTypes").size()).isEqualTo(1);
            assertThat(policy.get("policyTypes").get(0).asText()).isEqualTo("Ingress");

            JsonNode ingress = policy.get("ingress");
            assertThat(ingress).hasSize(3);
            // This release's JobManager and TaskManagers: every port.
            assertThat(ingress.get(0).has("ports")).isFalse();
            assertThat(ingress.get(0).get("from").get(0).get("podSelector").get("matchLabels"))
                    .isEqualTo(selected);
            // The REST API from the operator's namespace, the reporter from Prometheus's.
            assertThat(ingress.get(1).get("ports").get(0).get("port").asInt()).isEqualTo(8081);
            assertThat(namespaces(ingress.get(1))).containsExactly("flink-operator");
            JsonNode metricsPort = byName(mainContainer(pod).get("ports"), "metrics");
            assertThat(ingress.get(2).get("ports").get(0).get("port").asText())
                    .isEqualTo(metricsPort.get("containerPort").asText());
            assertThat(namespaces(ingress.get(2))).containsExactly("monitoring");
        }
        assertThat(render(Map.of("networkPolicy.enabled", "false")).kinds())
                .doesNotContain("NetworkPolicy");
    }

    private static List<String> namespaces(JsonNode rule) {
        List<String> namespaces = new ArrayList<>();
        for (JsonNode from : rule.get("from")) {
            namespaces.add(
                    from.get("namespaceSelector")
                            .get("matchLabels")
                            .get("kubernetes.io/metadata.name")
                            .asText());
        }
        return namespaces;
    }

    @Test
    void chartReadsTheSameFlinkConfigAsTheStandaloneCluster() throws Exception {
        assertThat(Files.readString(CHART.resolve("conf/config.yaml")))
                .isEqualTo(
                        Files.readString(
                                Repository.root().resolve("flink-conf/cluster/config.yaml")));
    }

    @Test
    void defaultsTakeTheModelFromTheImageAndStateFromASharedVolume() throws Exception {
        Rendered rendered = render(Map.of());
        JsonNode pod = rendered.only("FlinkDeployment").get("spec").get("podTemplate");
        assertThat(pod.get("spec").has("initContainers")).isFalse();
        assertThat(pod.get("spec").get("securityContext").get("fsGroup").asInt()).isEqualTo(9999);
        JsonNode container = mainContainer(pod);
        assertThat(container.has("env")).as("no Secret wiring without Secrets").isFalse();
        assertThat(names(container.get("volumeMounts"))).containsExactly("flink-state");
        assertThat(container.get("volumeMounts").get(0).get("mountPath").asText())
                .isEqualTo("/flink-data");
        JsonNode volume = pod.get("spec").get("volumes").get(0);
        assertThat(volume.get("persistentVolumeClaim").get("claimName").asText())
                .isEqualTo(FULLNAME + "-state");

        JsonNode claim = rendered.only("PersistentVolumeClaim");
        assertThat(claim.get("metadata").get("name").asText()).isEqualTo(FULLNAME + "-state");
        assertThat(claim.get("spec").get("accessModes").get(0).asText()).isEqualTo("ReadWriteMany");
        assertThat(claim.get("metadata").get("annotations").get("helm.sh/resource-policy").asText())
                .isEqualTo("keep");
    }

    @Test
    void mountsTheModelFromAClaimWhenAsked() throws Exception {
        JsonNode pod =
                render(Map.of("model.source", "volume", "model.volume.claimName", "models"))
                        .only("FlinkDeployment")
                        .get("spec")
                        .get("podTemplate");
        JsonNode mount = byName(mainContainer(pod).get("volumeMounts"), "model-artifacts");
        assertThat(mount.get("mountPath").asText()).isEqualTo("/opt/rtml/model-artifacts");
        assertThat(mount.get("readOnly").asBoolean()).isTrue();
        JsonNode claim =
                byName(pod.get("spec").get("volumes"), "model-artifacts")
                        .get("persistentVolumeClaim");
        assertThat(claim.get("claimName").asText()).isEqualTo("models");
        assertThat(claim.get("readOnly").asBoolean()).isTrue();
    }

    @Test
    void productionWiresCredentialsFromSecretsAsEnvironmentVariables() throws Exception {
        Rendered rendered = render(PRODUCTION, Map.of());
        JsonNode deployment = rendered.only("FlinkDeployment");
        JsonNode env = mainContainer(deployment.get("spec").get("podTemplate")).get("env");
        assertSecretEnv(env, "RTML_KAFKA_SASL_USERNAME", "rtml-kafka", "username");
        assertSecretEnv(env, "RTML_KAFKA_SASL_PASSWORD", "rtml-kafka", "password");
        assertSecretEnv(env, "RTML_REDIS_PASSWORD", "rtml-redis", "password");
        assertThat(byName(env, "ENABLE_BUILT_IN_PLUGINS").get("value").asText())
                .isEqualTo("flink-s3-fs-presto-2.2.1.jar");
        // Endpoints are arguments; credentials never are, only references to the variables.
        Map<String, String> options = jobOptions(deployment);
        assertThat(options.get("kafka.bootstrap-servers"))
                .startsWith("kafka-0.kafka.data.svc:9093,");
        assertThat(options)
                .containsEntry("redis.uri", "rediss://redis-master.data.svc:6380")
                .containsEntry("kafka.group-id", "rtml-fraud")
                .containsEntry("model.name", "fraud")
                .containsKey("model.version")
                .containsEntry("checkpoints.interval", "10 s")
                .containsEntry("inference.threads", "2");
        assertThat(options)
                .containsEntry("kafka.security.protocol", "SASL_SSL")
                .containsEntry("kafka.sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("kafka.sasl.username", "env:RTML_KAFKA_SASL_USERNAME")
                .containsEntry("kafka.sasl.password", "env:RTML_KAFKA_SASL_PASSWORD")
                .containsEntry("redis.password", "env:RTML_REDIS_PASSWORD");
        options.forEach(
                (key, value) -> {
                    if (key.contains("password")) {
                        assertThat(value).as(key).startsWith("env:");
                    }
                });
        assertThat(rendered.kinds()).doesNotContain("Secret");
    }

    @Test
    void productionRunsHighlyAvailableWithStateInS3AndASavepointUpgradeMode() throws Exception {
        Rendered rendered = render(PRODUCTION, Map.of());
        JsonNode spec = rendered.only("FlinkDeployment").get("spec");
        assertThat(spec.get("image").asText()).isEqualTo("registry.example.com/rtml/rtml:0.1.0");
        assertThat(spec.get("jobManager").get("replicas").asInt()).isEqualTo(2);
        assertThat(spec.get("job").get("parallelism").asInt()).isEqualTo(8);
        assertThat(spec.get("job").get("upgradeMode").asText()).isEqualTo("savepoint");
        Map<String, String> conf = flinkConfiguration(rendered.only("FlinkDeployment"));
        String state = "s3://rtml-flink-state-example/fraud";
        assertThat(conf)
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("high-availability.storageDir", state + "/ha")
                .containsEntry("execution.checkpointing.dir", state + "/checkpoints")
                .containsEntry("execution.checkpointing.savepoint-dir", state + "/savepoints")
                .containsEntry("kubernetes.operator.periodic.savepoint.interval", "6h")
                .containsEntry("kubernetes.operator.savepoint.history.max.count", "10");
        assertThat(rendered.kinds()).doesNotContain("PersistentVolumeClaim");
        assertThat(spec.get("podTemplate").get("spec").has("volumes")).isTrue();
    }

    @Test
    void productionFetchesTheModelArchiveThenChecksItsSha256BeforeUnpackingIt() throws Exception {
        JsonNode pod =
                render(PRODUCTION, Map.of()).only("FlinkDeployment").get("spec").get("podTemplate");
        JsonNode initContainers = pod.get("spec").get("initContainers");
        assertThat(names(initContainers)).containsExactly("fetch-model", "verify-model");

        JsonNode fetch = byName(initContainers, "fetch-model");
        assertThat(fetch.get("image").asText()).startsWith("amazon/aws-cli:");
        assertThat(byName(fetch.get("env"), "MODEL_URL").get("value").asText())
                .isEqualTo("s3://rtml-models-example/fraud-4.tar.gz");
        assertThat(byName(fetch.get("env"), "MODEL_ARCHIVE").get("value").asText())
                .isEqualTo("/model-archive/model.tar.gz");
        assertThat(byName(fetch.get("env"), "MODEL_NAME").get("value").asText()).isEqualTo("fraud");
        // It cannot put anything where Flink reads models: only verify-model can.
        assertThat(names(fetch.get("volumeMounts"))).containsExactly("model-archive");

        JsonNode verify = byName(initContainers, "verify-model");
        assertThat(byName(verify.get("env"), "MODEL_SHA256").get("value").asText())
                .isEqualTo(
                        YAML.readTree(PRODUCTION.toFile())
                                .get("model")
                                .get("init")
                                .get("sha256")
                                .asText());
        assertThat(byName(verify.get("env"), "MODEL_ARCHIVE").get("value").asText())
                .isEqualTo("/model-archive/model.tar.gz");
        assertThat(byName(verify.get("env"), "MODEL_DIR").get("value").asText())
                .isEqualTo("/opt/rtml/model-artifacts");
        assertThat(byName(verify.get("volumeMounts"), "model-archive").get("readOnly").asBoolean())
                .isTrue();
        assertThat(byName(verify.get("volumeMounts"), "model-artifacts").get("mountPath").asText())
                .isEqualTo("/opt/rtml/model-artifacts");

        assertThat(byName(pod.get("spec").get("volumes"), "model-archive").has("emptyDir"))
                .isTrue();
        assertThat(byName(pod.get("spec").get("volumes"), "model-artifacts").has("emptyDir"))
                .isTrue();
        JsonNode mount = byName(mainContainer(pod).get("volumeMounts"), "model-artifacts");
        assertThat(mount.get("readOnly").asBoolean()).isTrue();
    }

    /**
     * The verify-model container's command, run here as the pod would run it: the production
     * example's sha256 is that of the shipped fraud/4 packed as its comment says, which it unpacks;
     * the same archive with one byte changed, or cut short, stops it before anything is unpacked.
     */
    @Test
    void verifyModelUnpacksOnlyTheArchiveWithTheConfiguredSha256(@TempDir Path dir)
            throws Exception {
        JsonNode verify =
                byName(
                        render(PRODUCTION, Map.of())
                                .only("FlinkDeployment")
                                .get("spec")
                                .get("podTemplate")
                                .get("spec")
                                .get("initContainers"),
                        "verify-model");
        List<String> command = new ArrayList<>();
        verify.get("command").forEach(part -> command.add(part.asText()));
        String sha256 = byName(verify.get("env"), "MODEL_SHA256").get("value").asText();
        Path archive = dir.resolve("fraud-4.tar.gz");
        assertThat(
                        run(
                                List.of(
                                        "sh",
                                        "-c",
                                        "tar --format=gnu --sort=name --mtime=@0 --owner=0"
                                                + " --group=0 --numeric-owner"
                                                + " --mode=a+rX,u+w,go-w -cf - -C model-artifacts"
                                                + " fraud/4 | gzip -n >"
                                                + archive),
                                Repository.root(),
                                Map.of()))
                .isZero();

        Path unpacked = Files.createDirectories(dir.resolve("models"));
        assertThat(run(command, dir, verifyEnv(archive, sha256, unpacked))).isZero();
        for (String file : List.of("metadata.json", "model.pt", "MODEL_CARD.md")) {
            assertThat(unpacked.resolve("fraud/4").resolve(file))
                    .hasSameBinaryContentAs(
                            Repository.modelArtifacts().resolve("fraud/4").resolve(file));
        }

        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 1;
        Path altered = Files.write(dir.resolve("altered.tar.gz"), bytes);
        Path truncated =
                Files.write(
                        dir.resolve("truncated.tar.gz"),
                        Arrays.copyOf(Files.readAllBytes(archive), bytes.length / 2));
        for (Path bad : List.of(altered, truncated)) {
            Path target = Files.createDirectories(dir.resolve("refused-" + bad.getFileName()));
            assertThat(run(command, dir, verifyEnv(bad, sha256, target))).as("%s", bad).isOne();
            try (var files = Files.list(target)) {
                assertThat(files).as("unpacked from %s", bad).isEmpty();
            }
        }
    }

    @Test
    void refusesAnInitSourceWithoutTheArchivesSha256() {
        assertThatThrownBy(() -> render(Map.of("model.source", "init")))
                .hasMessageContaining(
                        "model.init.sha256 must be the sha256 of the archive at model.init.url (64"
                                + " lower-case hex digits), got \"\"");
        assertThatThrownBy(
                        () ->
                                render(
                                        Map.of(
                                                "model.source",
                                                "init",
                                                "model.init.sha256",
                                                "913443FFF45E9711")))
                .hasMessageContaining("got \"913443FFF45E9711\"");
    }

    @Test
    void podMonitorScrapesTheReporterPortOfThisReleasesPods() throws Exception {
        for (Rendered rendered : List.of(render(Map.of()), render(PRODUCTION, Map.of()))) {
            JsonNode deployment = rendered.only("FlinkDeployment");
            JsonNode pod = deployment.get("spec").get("podTemplate");
            JsonNode monitor = rendered.only("PodMonitor");
            JsonNode selector = monitor.get("spec").get("selector").get("matchLabels");
            selector.fields()
                    .forEachRemaining(
                            label ->
                                    assertThat(
                                                    pod.get("metadata")
                                                            .get("labels")
                                                            .get(label.getKey())
                                                            .asText())
                                            .isEqualTo(label.getValue().asText()));
            JsonNode endpoint = monitor.get("spec").get("podMetricsEndpoints").get(0);
            assertThat(endpoint.get("port").asText()).isEqualTo("metrics");
            JsonNode port = byName(mainContainer(pod).get("ports"), "metrics");
            assertThat(port.get("containerPort").asText())
                    .isEqualTo(flinkConfiguration(deployment).get("metrics.reporter.prom.port"));
        }
        JsonNode production = render(PRODUCTION, Map.of()).only("PodMonitor");
        assertThat(production.get("metadata").get("labels").get("release").asText())
                .isEqualTo("kube-prometheus-stack");
        assertThat(render(Map.of("metrics.podMonitor.enabled", "false")).kinds())
                .doesNotContain("PodMonitor");
    }

    @Test
    void dashboardConfigMapHoldsTheDashboardForGrafanasSidecar() throws Exception {
        JsonNode configMap = render(Map.of()).only("ConfigMap");
        assertThat(configMap.get("metadata").get("name").asText())
                .isEqualTo(FULLNAME + "-dashboard");
        assertThat(configMap.get("metadata").get("labels").get("grafana_dashboard").asText())
                .isEqualTo("1");
        JsonNode shipped = JSON.readTree(CHART.resolve("dashboards/rtml.json").toFile());
        assertThat(JSON.readTree(configMap.get("data").get("rtml.json").asText()))
                .isEqualTo(shipped);
        List<String> titles = new ArrayList<>();
        shipped.get("panels").forEach(panel -> titles.add(panel.get("title").asText()));
        assertThat(titles)
                .contains(
                        "Events and predictions per second",
                        "Inference batch duration",
                        "Kafka consumer lag",
                        "Batch size",
                        "Dead letters per second, by field",
                        "Live precision, recall and PR-AUC",
                        "Labelled predictions in the evaluation window",
                        "Shadow agreement",
                        "Model refusals and switches",
                        "Drift: the highest PSI, and inputs past 0.25",
                        "Unreadable evaluation inputs per second");
    }

    @Test
    void dashboardQueriesRtmlMetricsByTheNamesThePrometheusReporterGivesThem() throws Exception {
        Set<String> names = new HashSet<>();
        Set<String> labels = new HashSet<>();
        for (Field field : MetricNames.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                String value = (String) field.get(null);
                (field.getName().endsWith("_LABEL") ? labels : names).add(value);
            }
        }
        String dashboard = Files.readString(CHART.resolve("dashboards/rtml.json"));
        // A Kafka sink's serializer registers under the operator's "user" group, a Kafka
        // source's deserializer under its "deserializer" group.
        Matcher metric =
                Pattern.compile(
                                "flink_taskmanager_job_task_operator_(?:user_|deserializer_)?rtml_"
                                        + "([a-z_]+)")
                        .matcher(dashboard);
        Set<String> queried = new TreeSet<>();
        while (metric.find()) {
            queried.add(metric.group(1));
        }
        assertThat(queried).hasSizeGreaterThan(5);
        for (String name : queried) {
            // Histograms are summaries (<name>, <name>_count); a counter in a key/value group
            // is named after the key too: dead_letters{field} is field_dead_letters.
            String base = name.endsWith("_count") ? name.substring(0, name.length() - 6) : name;
            boolean known =
                    names.contains(base)
                            || labels.stream()
                                    .anyMatch(
                                            label ->
                                                    base.startsWith(label + "_")
                                                            && names.contains(
                                                                    base.substring(
                                                                            label.length() + 1)));
            assertThat(known).as("%s is one of MetricNames", name).isTrue();
        }
    }

    @Test
    void prometheusRuleAlertsOnThisReleasesScoringJobWithTheThresholdsOfTheValues()
            throws Exception {
        JsonNode rule = render(Map.of()).only("PrometheusRule");
        assertThat(rule.get("metadata").get("name").asText()).isEqualTo(FULLNAME);
        assertThat(rule.get("metadata").get("namespace").asText()).isEqualTo("rtml");
        Map<String, JsonNode> alerts = alerts(rule);
        assertThat(alerts)
                .containsOnlyKeys(
                        "RtmlConsumerLag",
                        "RtmlDeadLetters",
                        "RtmlFallbacks",
                        "RtmlFeatureDrift",
                        "RtmlFailedCheckpoints");
        // Every series an alert reads is this release's job's: its namespace and the job's
        // default name.
        String job = "namespace=\"rtml\",job_name=\"" + RtmlOptions.JOB_NAME.defaultValue() + "\"";
        for (JsonNode alert : alerts.values()) {
            Matcher selector = SELECTOR.matcher(alert.get("expr").asText());
            int selectors = 0;
            while (selector.find()) {
                assertThat(selector.group(2)).as(alert.get("alert").asText()).startsWith(job);
                selectors++;
            }
            assertThat(selectors).as(alert.get("alert").asText()).isPositive();
            assertThat(alert.get("labels").get("severity").asText()).isIn("warning", "critical");
        }
        assertThat(alerts.get("RtmlConsumerLag").get("expr").asText())
                .contains("operator_name=\"Source:_Kafka_events\"")
                .endsWith("> 100000");
        assertThat(alerts.get("RtmlConsumerLag").get("for").asText()).isEqualTo("10m");
        assertThat(alerts.get("RtmlDeadLetters").get("expr").asText()).endsWith("> 0.01");
        assertThat(alerts.get("RtmlFallbacks").get("expr").asText())
                .contains("rtml_reason_fallbacks", "rtml_inference_rows")
                .endsWith("> 0.01");
        assertThat(alerts.get("RtmlFallbacks").get("for").asText()).isEqualTo("5m");
        assertThat(alerts.get("RtmlFeatureDrift").get("expr").asText())
                .startsWith("max by (job_name, feature) (")
                .endsWith("> 0.25");
        assertThat(alerts.get("RtmlFeatureDrift").get("for").asText()).isEqualTo("30m");
        assertThat(alerts.get("RtmlFailedCheckpoints").get("expr").asText())
                .contains("increase(flink_jobmanager_job_numberOfFailedCheckpoints{")
                .contains("}[15m]))")
                .endsWith(">= 1");
        assertThat(alerts.get("RtmlFailedCheckpoints").has("for")).isFalse();
        // Prometheus's own templates reach it as they are, not rendered by Helm.
        assertThat(alerts.get("RtmlFeatureDrift").get("annotations").get("description").asText())
                .contains("{{ $labels.feature }}", "{{ $value }}");
        assertThat(alerts.get("RtmlFallbacks").get("annotations").get("description").asText())
                .contains("{{ $value | humanizePercentage }}");

        Map<String, JsonNode> changed =
                alerts(
                        render(
                                        Map.of(
                                                "job.options.job\\.name", "fraud-eu",
                                                "metrics.prometheusRule.drift.psi", "0.4",
                                                "metrics.prometheusRule.drift.for", "1h",
                                                "metrics.prometheusRule.consumerLag.records",
                                                        "5000"))
                                .only("PrometheusRule"));
        assertThat(changed.get("RtmlFeatureDrift").get("expr").asText())
                // As Flink's Prometheus reporter writes the label: "_" for "-".
                .contains("job_name=\"fraud_eu\"")
                .endsWith("> 0.4");
        assertThat(changed.get("RtmlFeatureDrift").get("for").asText()).isEqualTo("1h");
        assertThat(changed.get("RtmlConsumerLag").get("expr").asText()).endsWith("> 5000");

        JsonNode production = render(PRODUCTION, Map.of()).only("PrometheusRule");
        assertThat(production.get("metadata").get("labels").get("release").asText())
                .isEqualTo("kube-prometheus-stack");
        assertThat(render(Map.of("metrics.prometheusRule.enabled", "false")).kinds())
                .doesNotContain("PrometheusRule");
    }

    @Test
    void everySeriesAnAlertReadsIsOneTheDashboardQueries() throws Exception {
        // DashboardMetricsITCase checks the dashboard's series against a running job's scrape.
        String dashboard = Files.readString(CHART.resolve("dashboards/rtml.json"));
        Set<String> queried = new TreeSet<>();
        Matcher metric = Pattern.compile("flink_[a-zA-Z0-9_]+").matcher(dashboard);
        while (metric.find()) {
            queried.add(metric.group());
        }
        Set<String> alerted = new TreeSet<>();
        for (JsonNode alert : alerts(render(Map.of()).only("PrometheusRule")).values()) {
            Matcher selector = SELECTOR.matcher(alert.get("expr").asText());
            while (selector.find()) {
                alerted.add(selector.group(1));
            }
        }
        assertThat(alerted).hasSize(7);
        assertThat(queried).containsAll(alerted);
    }

    private static final Pattern SELECTOR = Pattern.compile("(flink_[a-zA-Z0-9_]+)\\{([^}]*)}");

    /** The rule's alerts by name. */
    private static Map<String, JsonNode> alerts(JsonNode prometheusRule) {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (JsonNode group : prometheusRule.get("spec").get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                alerts.put(rule.get("alert").asText(), rule);
            }
        }
        return alerts;
    }

    @Test
    void highAvailabilityCanBeTurnedOffButNotWithStandbysOrLastStateUpgrades() throws Exception {
        Map<String, String> conf =
                flinkConfiguration(
                        render(Map.of("highAvailability.enabled", "false"))
                                .only("FlinkDeployment"));
        assertThat(conf).containsEntry("high-availability.type", "NONE");
        assertThat(conf).doesNotContainKey("high-availability.storageDir");

        assertThatThrownBy(
                        () ->
                                render(
                                        Map.of(
                                                "highAvailability.enabled", "false",
                                                "jobManager.replicas", "2")))
                .hasMessageContaining("jobManager.replicas above 1 needs highAvailability");
        assertThatThrownBy(
                        () ->
                                render(
                                        Map.of(
                                                "highAvailability.enabled", "false",
                                                "job.upgradeMode", "last-state")))
                .hasMessageContaining("last-state needs highAvailability");
    }

    @Test
    void refusesAnUnknownModelSource() {
        assertThatThrownBy(() -> render(Map.of("model.source", "s3")))
                .hasMessageContaining("model.source must be image, volume or init");
    }

    // --- running a container's command here ---------------------------------------------------

    private static Map<String, String> verifyEnv(Path archive, String sha256, Path modelDir) {
        return Map.of(
                "MODEL_ARCHIVE", archive.toString(),
                "MODEL_SHA256", sha256,
                "MODEL_DIR", modelDir.toString());
    }

    /** Runs a command in {@code dir} with {@code env} added; returns its exit code. */
    private static int run(List<String> command, Path dir, Map<String, String> env)
            throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("%s ends", command).isTrue();
        return process.exitValue();
    }

    // --- rendering ---------------------------------------------------------------------------

    private static Rendered render(Map<String, String> set) throws Exception {
        return render(null, set);
    }

    private static Rendered render(Path valuesFile, Map<String, String> set) throws Exception {
        TemplateCommand template =
                new Helm(CHART).template().withName(RELEASE).withNamespace("rtml");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, String> value : set.entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        String manifests = template.call();
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests)) {
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return new Rendered(documents);
    }

    /** The resources one `helm template` rendered. */
    private record Rendered(List<JsonNode> documents) {
        JsonNode only(String kind) {
            List<JsonNode> found =
                    documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
            assertThat(found).as("rendered %s resources", kind).hasSize(1);
            return found.get(0);
        }

        List<String> kinds() {
            return documents.stream().map(d -> d.path("kind").asText()).toList();
        }
    }

    /** The job's arguments as options: each "-D" followed by "key=value". */
    private static Map<String, String> jobOptions(JsonNode deployment) {
        JsonNode args = deployment.get("spec").get("job").get("args");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i += 2) {
            assertThat(args.get(i).asText()).isEqualTo("-D");
            String option = args.get(i + 1).asText();
            int equals = option.indexOf('=');
            assertThat(equals).as(option).isPositive();
            options.put(option.substring(0, equals), option.substring(equals + 1));
        }
        return options;
    }

    /** spec.flinkConfiguration, every value a string as the operator's CRD requires. */
    private static Map<String, String> flinkConfiguration(JsonNode deployment) {
        Map<String, String> conf = new LinkedHashMap<>();
        deployment
                .get("spec")
                .get("flinkConfiguration")
                .fields()
                .forEachRemaining(
                        entry -> {
                            assertThat(entry.getValue().isTextual()).as(entry.getKey()).isTrue();
                            conf.put(entry.getKey(), entry.getValue().asText());
                        });
        return conf;
    }

    /** flink-conf/cluster/config.yaml, its values as Flink reads them (strings). */
    private static Map<String, String> clusterConfig() throws Exception {
        JsonNode file =
                YAML.readTree(Repository.root().resolve("flink-conf/cluster/config.yaml").toFile());
        Map<String, String> conf = new LinkedHashMap<>();
        file.fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    private static JsonNode mainContainer(JsonNode podTemplate) {
        return byName(podTemplate.get("spec").get("containers"), "flink-main-container");
    }

    private static JsonNode byName(JsonNode list, String name) {
        assertThat(list).as("list holding %s", name).isNotNull();
        for (JsonNode item : list) {
            if (name.equals(item.path("name").asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(item -> names.add(item.get("name").asText()));
        return names;
    }

    private static void assertSecretEnv(JsonNode env, String name, String secret, String key) {
        JsonNode ref = byName(env, name).get("valueFrom").get("secretKeyRef");
        assertThat(ref.get("name").asText()).as(name).isEqualTo(secret);
        assertThat(ref.get("key").asText()).as(name).isEqualTo(key);
    }
}
