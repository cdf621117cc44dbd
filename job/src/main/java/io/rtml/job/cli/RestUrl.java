package io.rtml.job.cli;

import java.io.IOException;
import java.net.URI;
import picocli.CommandLine.Option;

/** {@code --rest-url}: the Flink cluster a command asks, for the commands that use the REST API. */
final class RestUrl {
    @Option(
            names = "--rest-url",
            paramLabel = "URL",
            description =
                    "The Flink cluster's REST endpoint (default: ${DEFAULT-VALUE}: rtml run --local"
                            + " and scripts/cluster).")
    URI restUrl = URI.create(FlinkCluster.DEFAULT_REST_URL);

    FlinkCluster connect() throws IOException {
        return new FlinkCluster(restUrl);
    }
}
