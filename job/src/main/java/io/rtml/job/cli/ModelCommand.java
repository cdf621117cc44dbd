package io.rtml.job.cli;

import io.rtml.inference.ModelArtifact;
import io.rtml.inference.ModelControl;
import io.rtml.job.config.ConfigOptions;
import io.rtml.job.config.KafkaClients;
import io.rtml.job.config.KafkaOptions;
import io.rtml.job.config.RtmlConfig;
import io.rtml.job.config.RtmlOptions;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtml model}: hot swap, by publishing to the model-control topic. Records are keyed by the
 * model's name, so the topic can be compacted (rtml topics creates it so): the latest choice per
 * model stays however old it is.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Makes a model version active (or rolls back: activate the old one), optionally with",
            "a challenger scored alongside (--shadow). The running job checks the version first",
            "and refuses one that cannot serve; it logs and counts what it did."
        })
final class ModelCommand implements Callable<Integer> {
    @Mixin ConfigOptions options;
    @Mixin KafkaOptions kafka;

    @Option(
            names = "--topic",
            description = "Model-control topic (default: kafka.topics.model-control).")
    String topic;

    @Option(names = "--name", description = "Model (default: ${DEFAULT-VALUE}).")
    String name = RtmlOptions.MODEL_NAME.defaultValue();

    @Option(names = "--version", required = true, description = "Version to make active.")
    String version;

    @Option(names = "--shadow", paramLabel = "VERSION", description = "Challenger version.")
    String shadow;

    @Override
    public Integer call() throws Exception {
        // The job refuses anything else; saying so here saves a round trip through its log.
        ModelArtifact.plainName("--name", name);
        ModelArtifact.plainName("--version", version);
        if (shadow != null) {
            ModelArtifact.plainName("--shadow", shadow);
        }
        RtmlConfig config = options.withoutModel(kafka);
        String controlTopic = topic != null ? topic : config.get(RtmlOptions.MODEL_CONTROL_TOPIC);
        Properties properties = KafkaClients.producer(config, "rtml-model");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            RecordMetadata sent =
                    producer.send(
                                    new ProducerRecord<>(
                                            controlTopic,
                                            name.getBytes(StandardCharsets.UTF_8),
                                            ModelControl.write(name, version, shadow)))
                            .get(30, TimeUnit.SECONDS);
            System.err.printf(
                    "model: asked for %s/%s%s (%s offset %d); the job's log says whether it took it%n",
                    name,
                    version,
                    shadow == null ? "" : " with shadow " + shadow,
                    controlTopic,
                    sent.offset());
        }
        return 0;
    }
}
