package io.rtml.job;

import java.net.URI;
import java.net.URISyntaxException;

/** What the commands say when Kafka or Redis is not there: what to do about it. */
public final class Endpoints {
    private Endpoints() {}

    public static String kafkaUnreachable(String bootstrapServers) {
        return "cannot reach Kafka at "
                + bootstrapServers
                + ": is it running? (scripts/stack start)";
    }

    public static String topicMissing(String topic, String bootstrapServers) {
        return "topic '"
                + topic
                + "' does not exist at "
                + bootstrapServers
                + ": start the job, or create the topics with scripts/rtml topics";
    }

    public static String redisUnreachable(String uri) {
        return "cannot reach Redis at " + redacted(uri) + ": is it running? (scripts/stack start)";
    }

    /** The URI without its password, for messages. */
    public static String redacted(String uri) {
        try {
            URI parsed = new URI(uri);
            if (parsed.getUserInfo() == null) {
                return uri;
            }
            return new URI(
                            parsed.getScheme(),
                            "***",
                            parsed.getHost(),
                            parsed.getPort(),
                            parsed.getPath(),
                            parsed.getQuery(),
                            parsed.getFragment())
                    .toString();
        } catch (URISyntaxException e) {
            return "(an invalid URI)";
        }
    }
}
