package io.rtml.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.job.config.ConfigException;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.testing.JobRun;
import io.rtml.job.testing.Repository;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.transformations.PhysicalTransformation;
import org.apache.flink.streaming.runtime.partitioner.KeyGroupStreamPartitioner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's graph, built but never executed: the connectors point at a port nothing listens
 * on, which is fine because nothing connects until the job runs.
 */
class PipelineTest {
    /** Flink 2.2 gives a sink's committer the uid {@code "Sink Committer: " + the sink's uid}. */
    private static final String COMMITTER_UID_PREFIX = "Sink Committer: ";

    private static RtmlConfig config;

    @BeforeAll
    static void loadConfig() {
        config =
                RtmlConfig.load(
                        null,
                        Map.of(
                                "model.repository", Repository.modelArtifacts().toString(),
                                "kafka.bootstrap-servers", "127.0.0.1:1",
                                "redis.uri", "redis://127.0.0.1:1",
                                "features.log-topic", "features-log",
                                "kafka.topics.labels", "labels",
                                "job.parallelism", "2"));
    }

    private static Pipeline.Builder complete() {
        return RtmlJob.pipeline(config);
    }

    /** The scoring job's graph under the job's own Flink settings (explicit uids, no Kryo). */
    private static StreamGraph graph() {
        StreamExecutionEnvironment env = JobRun.environment(config);
        complete().build().attachTo(env);
        return env.getStreamGraph();
    }

    /** The live evaluation's job's graph, under the same settings. */
    private static StreamGraph evaluationGraph() {
        return EvaluationJob.streamGraph(config, new Configuration());
    }

    /**
     * The values of Uids' constants whose names end, or do not end, in {@code _NAME}, and the uids
     * or names of the spec's entity stages.
     */
    private static List<String> uidsConstants(boolean names) throws IllegalAccessException {
        List<String> values = new ArrayList<>();
        for (String entity : List.of("card", "merchant")) {
            values.add(names ? Uids.entityFeaturesName(entity) : Uids.entityFeatures(entity));
        }
        for (Field field : Uids.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && field.getType() == String.class
                    && field.getName().endsWith("_NAME") == names) {
                values.add((String) field.get(null));
            }
        }
        return values;
    }

    // ---- the builder ----

    @Test
    void refusesToBuildWithNothingNamingEveryPart() {
        assertThatThrownBy(() -> Pipeline.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Pipeline needs config events predictions latestPredictions deadLetters"
                                + " modelControl shadowPredictions");
    }

    @Test
    void refusesToBuildWithoutSinksNamingOnlyTheSinks() {
        assertThatThrownBy(
                        () ->
                                Pipeline.builder()
                                        .config(config)
                                        .events(Connectors.events(config))
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "Pipeline needs predictions latestPredictions deadLetters modelControl"
                                + " shadowPredictions");
    }

    @Test
    void refusesToBuildWithoutConfigNamingOnlyTheConfig() {
        assertThatThrownBy(() -> complete().config(null).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Pipeline needs config");
    }

    @Test
    void refusesToBuildWithoutTheDeadLetterSinkNamingOnlyIt() {
        assertThatThrownBy(() -> complete().deadLetters(null).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Pipeline needs deadLetters");
    }

    @Test
    void refusesToBuildWithoutTheRedisSinkNamingOnlyIt() {
        assertThatThrownBy(() -> complete().latestPredictions(null).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Pipeline needs latestPredictions");
    }

    // ---- uids ----

    @Test
    void everyOperatorCarriesItsUidFromUids() throws IllegalAccessException {
        List<String> uids = uids(graph());
        List<String> evaluationUids = uids(evaluationGraph());

        assertThat(uids).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(uids)
                .containsExactlyInAnyOrder(
                        Uids.SOURCE,
                        Uids.PARSE,
                        Uids.EVENT_FEATURES,
                        Uids.MODEL_CONTROL_SOURCE,
                        Uids.MODEL_ROUTER,
                        Uids.entityFeatures("card"),
                        Uids.entityFeatures("merchant"),
                        Uids.VECTORS,
                        Uids.INFERENCE,
                        Uids.PREDICTIONS_SINK,
                        COMMITTER_UID_PREFIX + Uids.PREDICTIONS_SINK,
                        Uids.REDIS_SINK,
                        Uids.SHADOW_FILTER,
                        Uids.SHADOW_SINK,
                        COMMITTER_UID_PREFIX + Uids.SHADOW_SINK,
                        Uids.DEAD_LETTER_SINK,
                        COMMITTER_UID_PREFIX + Uids.DEAD_LETTER_SINK,
                        Uids.FEATURE_LOG_VECTORS,
                        Uids.FEATURE_LOG_SINK,
                        COMMITTER_UID_PREFIX + Uids.FEATURE_LOG_SINK);
        assertThat(evaluationUids)
                .containsExactlyInAnyOrder(
                        Uids.EVALUATION_SOURCE,
                        Uids.LABEL_JOIN,
                        Uids.EVALUATION,
                        Uids.EVALUATION_SINK,
                        COMMITTER_UID_PREFIX + Uids.EVALUATION_SINK);
        List<String> both = new ArrayList<>(uids);
        both.addAll(evaluationUids);
        assertThat(both).containsAll(uidsConstants(false));
    }

    private static List<String> uids(StreamGraph graph) {
        return graph.getStreamNodes().stream().map(StreamNode::getTransformationUID).toList();
    }

    @Test
    void onlyTheExactlyOnceKafkaSinksHaveCommittersAndTheirUidsDeriveFromTheSinks() {
        Set<String> committerUids =
                graph().getStreamNodes().stream()
                        .map(StreamNode::getTransformationUID)
                        .filter(uid -> uid.startsWith(COMMITTER_UID_PREFIX))
                        .collect(Collectors.toSet());

        assertThat(committerUids)
                .containsExactlyInAnyOrder(
                        COMMITTER_UID_PREFIX + Uids.PREDICTIONS_SINK,
                        COMMITTER_UID_PREFIX + Uids.SHADOW_SINK,
                        COMMITTER_UID_PREFIX + Uids.DEAD_LETTER_SINK,
                        COMMITTER_UID_PREFIX + Uids.FEATURE_LOG_SINK);
    }

    @Test
    void everyPhysicalTransformationTheJobDeclaresHasAUid() {
        StreamExecutionEnvironment env = JobRun.environment(config);
        complete().build().attachTo(env);

        Set<Transformation<?>> all = new HashSet<>();
        Deque<Transformation<?>> toVisit = new ArrayDeque<>(env.getTransformations());
        while (!toVisit.isEmpty()) {
            Transformation<?> transformation = toVisit.pop();
            // Inputs, not getTransitivePredecessors(): that leaves out a broadcast side.
            if (all.add(transformation)) {
                toVisit.addAll(transformation.getInputs());
            }
        }
        Map<String, String> uidByName = new TreeMap<>();
        for (Transformation<?> transformation : all) {
            if (transformation instanceof PhysicalTransformation) {
                assertThat(transformation.getUid()).as(transformation.getName()).isNotNull();
                uidByName.put(transformation.getName(), transformation.getUid());
            }
        }
        assertThat(uidByName)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.ofEntries(
                                Map.entry(Uids.SOURCE_NAME, Uids.SOURCE),
                                Map.entry(Uids.PARSE_NAME, Uids.PARSE),
                                Map.entry(Uids.EVENT_FEATURES_NAME, Uids.EVENT_FEATURES),
                                Map.entry(
                                        Uids.MODEL_CONTROL_SOURCE_NAME, Uids.MODEL_CONTROL_SOURCE),
                                Map.entry(Uids.MODEL_ROUTER_NAME, Uids.MODEL_ROUTER),
                                Map.entry(Uids.SHADOW_FILTER_NAME, Uids.SHADOW_FILTER),
                                Map.entry(Uids.SHADOW_SINK_NAME, Uids.SHADOW_SINK),
                                Map.entry(
                                        Uids.entityFeaturesName("card"),
                                        Uids.entityFeatures("card")),
                                Map.entry(
                                        Uids.entityFeaturesName("merchant"),
                                        Uids.entityFeatures("merchant")),
                                Map.entry(Uids.VECTORS_NAME, Uids.VECTORS),
                                Map.entry(Uids.INFERENCE_NAME, Uids.INFERENCE),
                                Map.entry(Uids.PREDICTIONS_SINK_NAME, Uids.PREDICTIONS_SINK),
                                Map.entry(Uids.REDIS_SINK_NAME, Uids.REDIS_SINK),
                                Map.entry(Uids.DEAD_LETTER_SINK_NAME, Uids.DEAD_LETTER_SINK),
                                Map.entry(Uids.FEATURE_LOG_VECTORS_NAME, Uids.FEATURE_LOG_VECTORS),
                                Map.entry(Uids.FEATURE_LOG_SINK_NAME, Uids.FEATURE_LOG_SINK)));
    }

    @Test
    void everyOperatorIsNamedFromUids() throws IllegalAccessException {
        Set<String> names = names(graph());
        Set<String> evaluationNames = names(evaluationGraph());

        assertThat(names)
                .containsExactlyInAnyOrder(
                        "Source: " + Uids.SOURCE_NAME,
                        Uids.PARSE_NAME,
                        Uids.EVENT_FEATURES_NAME,
                        "Source: " + Uids.MODEL_CONTROL_SOURCE_NAME,
                        Uids.MODEL_ROUTER_NAME,
                        Uids.SHADOW_FILTER_NAME,
                        Uids.SHADOW_SINK_NAME + ": Writer",
                        Uids.SHADOW_SINK_NAME + ": Committer",
                        Uids.entityFeaturesName("card"),
                        Uids.entityFeaturesName("merchant"),
                        Uids.VECTORS_NAME,
                        Uids.INFERENCE_NAME,
                        Uids.FEATURE_LOG_VECTORS_NAME,
                        Uids.FEATURE_LOG_SINK_NAME + ": Writer",
                        Uids.FEATURE_LOG_SINK_NAME + ": Committer",
                        Uids.PREDICTIONS_SINK_NAME + ": Writer",
                        Uids.PREDICTIONS_SINK_NAME + ": Committer",
                        Uids.REDIS_SINK_NAME + ": Writer",
                        Uids.DEAD_LETTER_SINK_NAME + ": Writer",
                        Uids.DEAD_LETTER_SINK_NAME + ": Committer");
        assertThat(evaluationNames)
                .containsExactlyInAnyOrder(
                        "Source: " + Uids.EVALUATION_SOURCE_NAME,
                        Uids.LABEL_JOIN_NAME,
                        Uids.EVALUATION_NAME,
                        Uids.EVALUATION_SINK_NAME + ": Writer",
                        Uids.EVALUATION_SINK_NAME + ": Committer");
        Set<String> both = new TreeSet<>(names);
        both.addAll(evaluationNames);
        for (String name : uidsConstants(true)) {
            assertThat(both).anyMatch(operator -> operator.contains(name));
        }
    }

    private static Set<String> names(StreamGraph graph) {
        return graph.getStreamNodes().stream()
                .map(StreamNode::getOperatorName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- the dataflow ----

    /** Each operator's uid to the uids of the operators it sends to. */
    private static Map<String, Set<String>> downstream(StreamGraph graph) {
        Map<String, Set<String>> downstream = new TreeMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            Set<String> targets = new TreeSet<>();
            for (StreamEdge edge : node.getOutEdges()) {
                targets.add(graph.getStreamNode(edge.getTargetId()).getTransformationUID());
            }
            downstream.put(node.getTransformationUID(), targets);
        }
        return downstream;
    }

    @Test
    void wiresTheDataflowOfTheArchitecture() {
        assertThat(downstream(graph()))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.ofEntries(
                                Map.entry(Uids.SOURCE, Set.of(Uids.PARSE)),
                                Map.entry(
                                        Uids.PARSE,
                                        Set.of(Uids.EVENT_FEATURES, Uids.DEAD_LETTER_SINK)),
                                Map.entry(Uids.EVENT_FEATURES, Set.of(Uids.MODEL_ROUTER)),
                                Map.entry(Uids.MODEL_CONTROL_SOURCE, Set.of(Uids.MODEL_ROUTER)),
                                Map.entry(Uids.MODEL_ROUTER, Set.of(Uids.entityFeatures("card"))),
                                Map.entry(Uids.SHADOW_FILTER, Set.of(Uids.SHADOW_SINK)),
                                Map.entry(
                                        Uids.SHADOW_SINK,
                                        Set.of(COMMITTER_UID_PREFIX + Uids.SHADOW_SINK)),
                                Map.entry(COMMITTER_UID_PREFIX + Uids.SHADOW_SINK, Set.of()),
                                Map.entry(
                                        Uids.entityFeatures("card"),
                                        Set.of(Uids.entityFeatures("merchant"))),
                                Map.entry(
                                        Uids.entityFeatures("merchant"),
                                        Set.of(Uids.VECTORS, Uids.FEATURE_LOG_VECTORS)),
                                Map.entry(Uids.VECTORS, Set.of(Uids.INFERENCE)),
                                Map.entry(Uids.FEATURE_LOG_VECTORS, Set.of(Uids.FEATURE_LOG_SINK)),
                                Map.entry(
                                        Uids.FEATURE_LOG_SINK,
                                        Set.of(COMMITTER_UID_PREFIX + Uids.FEATURE_LOG_SINK)),
                                Map.entry(COMMITTER_UID_PREFIX + Uids.FEATURE_LOG_SINK, Set.of()),
                                Map.entry(
                                        Uids.INFERENCE,
                                        Set.of(
                                                Uids.PREDICTIONS_SINK,
                                                Uids.REDIS_SINK,
                                                Uids.SHADOW_FILTER)),
                                Map.entry(
                                        Uids.PREDICTIONS_SINK,
                                        Set.of(COMMITTER_UID_PREFIX + Uids.PREDICTIONS_SINK)),
                                Map.entry(COMMITTER_UID_PREFIX + Uids.PREDICTIONS_SINK, Set.of()),
                                Map.entry(Uids.REDIS_SINK, Set.of()),
                                Map.entry(
                                        Uids.DEAD_LETTER_SINK,
                                        Set.of(COMMITTER_UID_PREFIX + Uids.DEAD_LETTER_SINK)),
                                Map.entry(COMMITTER_UID_PREFIX + Uids.DEAD_LETTER_SINK, Set.of())));
    }

    @Test
    void wiresTheLiveEvaluationAsAJobOfItsOwnFromTheCommittedPredictionsAndTheLabels() {
        assertThat(downstream(evaluationGraph()))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.ofEntries(
                                Map.entry(Uids.EVALUATION_SOURCE, Set.of(Uids.LABEL_JOIN)),
                                Map.entry(Uids.LABEL_JOIN, Set.of(Uids.EVALUATION)),
                                Map.entry(Uids.EVALUATION, Set.of(Uids.EVALUATION_SINK)),
                                Map.entry(
                                        Uids.EVALUATION_SINK,
                                        Set.of(COMMITTER_UID_PREFIX + Uids.EVALUATION_SINK)),
                                Map.entry(COMMITTER_UID_PREFIX + Uids.EVALUATION_SINK, Set.of())));
        assertThat(evaluationGraph().getJobName()).isEqualTo("rtml-evaluation");
    }

    @Test
    void refusesToBuildTheLiveEvaluationWithoutALabelsTopicNamingTheOption() {
        RtmlConfig withoutLabels =
                RtmlConfig.load(
                        null,
                        Map.of(
                                "model.repository",
                                Repository.modelArtifacts().toString(),
                                "kafka.topics.labels",
                                ""));

        assertThatThrownBy(() -> EvaluationJob.pipeline(withoutLabels))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.topics.labels is empty");
    }

    @Test
    void keysByCardOnceAndFeedsDeadLettersFromTheParseSideOutput() {
        StreamGraph graph = graph();
        StreamNode parse = node(graph, Uids.PARSE);

        List<StreamEdge> toRouter =
                edgesTo(graph, node(graph, Uids.EVENT_FEATURES), Uids.MODEL_ROUTER);
        assertThat(toRouter).singleElement();
        assertThat(toRouter.get(0).getPartitioner()).isInstanceOf(KeyGroupStreamPartitioner.class);
        // The router's output is already partitioned by card: the card stage takes it as it is.
        List<StreamEdge> toCard =
                edgesTo(graph, node(graph, Uids.MODEL_ROUTER), Uids.entityFeatures("card"));
        assertThat(toCard).singleElement();
        assertThat(toCard.get(0).getPartitioner()).isNotInstanceOf(KeyGroupStreamPartitioner.class);
        List<StreamEdge> toMerchant =
                edgesTo(
                        graph,
                        node(graph, Uids.entityFeatures("card")),
                        Uids.entityFeatures("merchant"));
        assertThat(toMerchant).singleElement();
        assertThat(toMerchant.get(0).getPartitioner())
                .isInstanceOf(KeyGroupStreamPartitioner.class);
        assertThat(edgesTo(graph, parse, Uids.EVENT_FEATURES).get(0).getOutputTag()).isNull();

        List<StreamEdge> toDeadLetters = edgesTo(graph, parse, Uids.DEAD_LETTER_SINK);
        assertThat(toDeadLetters).singleElement();
        assertThat(toDeadLetters.get(0).getOutputTag()).isNotNull();
    }

    @Test
    void shufflesNothingInOneSubtaskSoTheKeyedStagesChainToTheirInput() {
        RtmlConfig single =
                RtmlConfig.load(
                        null,
                        Map.of(
                                "model.repository", Repository.modelArtifacts().toString(),
                                "kafka.bootstrap-servers", "127.0.0.1:1",
                                "redis.uri", "redis://127.0.0.1:1",
                                "job.parallelism", "1"));
        StreamExecutionEnvironment env = JobRun.environment(single);
        RtmlJob.pipeline(single).build().attachTo(env);
        StreamGraph graph = env.getStreamGraph();

        for (StreamNode node : graph.getStreamNodes()) {
            for (StreamEdge edge : node.getOutEdges()) {
                assertThat(edge.getPartitioner())
                        .as(edge.toString())
                        .isNotInstanceOf(KeyGroupStreamPartitioner.class);
            }
        }
        assertThat(graph.getJobGraph().getVerticesSortedTopologicallyFromSources())
                .filteredOn(vertex -> vertex.getName().contains(Uids.MODEL_ROUTER_NAME))
                .singleElement()
                .satisfies(
                        vertex ->
                                assertThat(vertex.getName())
                                        .contains(
                                                Uids.entityFeaturesName("card"),
                                                Uids.entityFeaturesName("merchant"),
                                                Uids.VECTORS_NAME,
                                                Uids.INFERENCE_NAME,
                                                Uids.PREDICTIONS_SINK_NAME,
                                                Uids.REDIS_SINK_NAME));
    }

    @Test
    void runsEveryOperatorAtTheConfiguredParallelismButTheModelControlAndTheWindowedFigures() {
        Set<String> single =
                Set.of(
                        Uids.MODEL_CONTROL_SOURCE,
                        Uids.EVALUATION,
                        Uids.EVALUATION_SINK,
                        COMMITTER_UID_PREFIX + Uids.EVALUATION_SINK);
        List<StreamNode> nodes = new ArrayList<>(graph().getStreamNodes());
        nodes.addAll(evaluationGraph().getStreamNodes());
        for (StreamNode node : nodes) {
            int expected = single.contains(node.getTransformationUID()) ? 1 : 2;
            assertThat(node.getParallelism()).as(node.getOperatorName()).isEqualTo(expected);
        }
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream()
                .filter(node -> uid.equals(node.getTransformationUID()))
                .findFirst()
                .orElseThrow();
    }

    private static List<StreamEdge> edgesTo(StreamGraph graph, StreamNode from, String uid) {
        int target = node(graph, uid).getId();
        return from.getOutEdges().stream()
                .filter(edge -> edge.getTargetId() == target)
                .collect(Collectors.toList());
    }
}
