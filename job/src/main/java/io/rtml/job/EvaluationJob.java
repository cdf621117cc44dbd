package io.rtml.job;

import io.rtml.job.config.ConfigException;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.io.PrintWriter;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The live evaluation's entry point ({@code flink run -c io.rtml.job.EvaluationJob}, {@code rtml
 * run-evaluation}): a job of its own that reads the committed predictions and the labels topic, so
 * that scoring never pays for it (docs/architecture.md). It takes the scoring job's options.
 */
@Command(
        name = "run-evaluation",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the live evaluation job (committed predictions joined with the labels topic;"
                    + " precision, recall and PR-AUC over a sliding window): on the Flink cluster"
                    + " it was submitted to, or --local.",
            "It takes the scoring job's options; kafka.topics.labels must be set."
        })
public final class EvaluationJob implements java.util.concurrent.Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationJob.class);

    @Mixin ConfigOptions options;

    @Mixin LocalClusterOptions cluster;

    public static void main(String[] args) throws Exception {
        EvaluationJob job = new EvaluationJob();
        if (RtmlJob.parse(job, args, new PrintWriter(System.out, true))) {
            job.call();
        }
    }

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = options.load();
        LOG.info("Starting the rtml live evaluation with options:{}", config.describe());
        if (cluster.local) {
            Configuration flink = cluster.flinkConfiguration();
            LocalCluster.run(flink, List.of(streamGraph(config, flink)));
        } else {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            flinkSettings(config, new Configuration()));
            pipeline(config).build().attachTo(env);
            env.execute();
        }
        return 0;
    }

    /** The evaluation's pipeline with its production sources and sink. */
    public static EvaluationPipeline.Builder pipeline(RtmlConfig config) {
        if (config.get(RtmlOptions.LABELS_TOPIC).isEmpty()) {
            throw new ConfigException(
                    List.of(
                            RtmlOptions.LABELS_TOPIC.key()
                                    + " is empty: the live evaluation needs the labels topic"));
        }
        return EvaluationPipeline.builder()
                .config(config)
                .inputs(Connectors.evaluationInputs(config))
                .evaluation(Connectors.evaluation(config));
    }

    /** The evaluation as a job for the given Flink configuration (for a local cluster). */
    static StreamGraph streamGraph(RtmlConfig config, Configuration flink) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        flinkSettings(config, new Configuration(flink)));
        pipeline(config).build().attachTo(env);
        return env.getStreamGraph();
    }

    /** The scoring job's Flink settings, under the evaluation's own job name. */
    private static Configuration flinkSettings(RtmlConfig config, Configuration flink) {
        Configuration settings = JobEnvironment.apply(config, flink);
        settings.set(
                PipelineOptions.NAME,
                config.get(RtmlOptions.JOB_NAME) + "-" + EVALUATION_JOB_SUFFIX);
        return settings;
    }

    /** What the evaluation's job name adds to {@code job.name}. */
    public static final String EVALUATION_JOB_SUFFIX = "evaluation";
}
