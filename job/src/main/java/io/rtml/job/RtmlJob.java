package io.rtml.job;

import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The scoring job's entry point, for {@code flink run} and for {@code rtml run}: load the
 * configuration, log it, build the pipeline, execute. With {@code --local} it runs in an embedded
 * cluster, with the live evaluation's job beside it when a labels topic is set.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the rtml scoring job: on the Flink cluster it was submitted to, or --local.",
            "--local also runs the live evaluation (rtml run-evaluation) in the same embedded"
                    + " cluster when kafka.topics.labels is set."
        })
public final class RtmlJob implements java.util.concurrent.Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RtmlJob.class);

    @Mixin ConfigOptions options;

    @Mixin LocalClusterOptions cluster;

    public static void main(String[] args) throws Exception {
        RtmlJob job = new RtmlJob();
        if (parse(job, args, new PrintWriter(System.out, true))) {
            job.call();
        }
    }

    /**
     * Reads a job's arguments (what follows the jar in {@code flink run}) into {@code job}. When
     * they ask for the usage or the version ({@code --help}, {@code -h}, {@code --version}, {@code
     * -V}) it prints that to {@code out} and returns false: the job is not to start. A bad argument
     * throws picocli's ParameterException, which names it.
     */
    static boolean parse(Object job, String[] args, PrintWriter out) {
        CommandLine command = new CommandLine(job).setOut(out);
        return !CommandLine.printHelpIfRequested(command.parseArgs(args));
    }

    @Override
    public Integer call() throws Exception {
        RtmlConfig config = options.load();
        LOG.info("Starting rtml with options:{}", config.describe());
        if (!cluster.local) {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            JobEnvironment.apply(config, new Configuration()));
            pipeline(config).build().attachTo(env);
            env.execute();
            return 0;
        }
        Configuration flink = cluster.flinkConfiguration();
        List<StreamGraph> jobs = new ArrayList<>();
        StreamExecutionEnvironment scoring =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        JobEnvironment.apply(config, new Configuration(flink)));
        pipeline(config).build().attachTo(scoring);
        jobs.add(scoring.getStreamGraph());
        if (!config.get(RtmlOptions.LABELS_TOPIC).isEmpty()) {
            jobs.add(EvaluationJob.streamGraph(config, flink));
        }
        LocalCluster.run(flink, jobs);
        return 0;
    }

    /**
     * The scoring job's pipeline with its production sources and sinks: what {@code run} and {@code
     * resume} submit. Tests replace a source or sink on it to inject faults.
     */
    public static Pipeline.Builder pipeline(RtmlConfig config) {
        return Pipeline.builder()
                .config(config)
                .events(Connectors.events(config))
                .predictions(Connectors.predictions(config))
                .latestPredictions(Connectors.latestPredictions(config))
                .deadLetters(Connectors.deadLetters(config))
                .featureLog(Connectors.featureLog(config))
                .modelControl(Connectors.modelControl(config))
                .shadowPredictions(Connectors.shadowPredictions(config));
    }
}
