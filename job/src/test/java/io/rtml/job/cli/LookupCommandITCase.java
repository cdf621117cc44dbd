package io.rtml.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rtml.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;

/** {@code rtml lookup} against a real redis-server holding hashes as the job's sink writes them. */
class LookupCommandITCase {
    @RegisterExtension static final TestServices SERVICES = TestServices.builder().redis().build();

    private static final String PREDICTION =
            "{\"event_id\":\"e-1-000009174\",\"card_id\":\"c-0068030\","
                    + "\"event_time_ms\":1795436063834,\"ingest_time_ms\":1795434834239,"
                    + "\"scored_time_ms\":1795434836275,\"score\":0.0123,\"decision\":\"pass\","
                    + "\"model\":\"fraud\",\"model_version\":\"4\",\"feature_set\":\"lookup-v1\","
                    + "\"fallback\":null}";

    /** As the sink writes them: the values in the feature set's order. */
    private static final String FEATURES = "[2.745346,1.0,-1.25E-4]";

    /** The feature set the prediction names, with three columns. */
    private static final String SPEC =
            """
            name: lookup
            version: 1
            entities:
              - {name: card, key: card_id, bucket: 1 min, ordered: true}
            features:
              - {name: amount_log1p, field: amount, transform: log1p}
              - {name: channel, field: channel, one-hot: [pos]}
              - {name: card_amount_zscore_24h, entity: card, aggregate: zscore, field: amount,
                 window: 24 h}
            """;

    private static Path spec;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void writeSpec(@TempDir Path dir) throws Exception {
        spec = Files.writeString(dir.resolve("lookup.yaml"), SPEC);
    }

    @BeforeEach
    void writeTheCardsEntry() {
        try (Jedis jedis = SERVICES.redis().client()) {
            jedis.flushAll();
            jedis.hset(
                    "rtml:card:c-0068030",
                    Map.of(
                            "event_time_ms",
                            "1795436063834",
                            "event_id",
                            "e-1-000009174",
                            "prediction",
                            PREDICTION,
                            "features",
                            FEATURES));
        }
    }

    private int lookup(String... args) {
        CommandLine commandLine = Rtml.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all =
                new ArrayList<>(
                        List.of(
                                "lookup",
                                "--redis-uri",
                                SERVICES.redis().uri(),
                                "--feature-spec",
                                spec.toString()));
        all.addAll(List.of(args));
        return commandLine.execute(all.toArray(String[]::new));
    }

    @Test
    void printsThePredictionThenTheFeatures() {
        assertThat(lookup("c-0068030")).as(err.toString()).isZero();

        assertThat(out.toString())
                .isEqualTo(
                        "card c-0068030  (key rtml:card:c-0068030 at "
                                + SERVICES.redis().uri()
                                + ", no expiry)\n"
                                + "\n"
                                + "prediction\n"
                                + "  event_id        e-1-000009174\n"
                                + "  card_id         c-0068030\n"
                                + "  event_time_ms   1795436063834  (2026-11-23 12:14:23.834 UTC)\n"
                                + "  ingest_time_ms  1795434834239  (2026-11-23 11:53:54.239 UTC)\n"
                                + "  scored_time_ms  1795434836275  (2026-11-23 11:53:56.275 UTC)\n"
                                + "  score           0.0123\n"
                                + "  decision        pass\n"
                                + "  model           fraud\n"
                                + "  model_version   4\n"
                                + "  feature_set     lookup-v1\n"
                                + "  fallback        null\n"
                                + "\n"
                                + "features (3)\n"
                                + "  amount_log1p=2.745346\n"
                                + "  channel_pos=1.0\n"
                                + "  card_amount_zscore_24h=-1.25E-4\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void printsTheFeaturesByPositionWhenTheSpecIsAnotherFeatureSet() {
        CommandLine commandLine = Rtml.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        assertThat(
                        commandLine.execute(
                                "lookup", "c-0068030", "--redis-uri", SERVICES.redis().uri()))
                .isZero();

        assertThat(out.toString())
                .endsWith("features (3)\n  #0=2.745346\n  #1=1.0\n  #2=-1.25E-4\n");
    }

    @Test
    void printsTheEntryAsJsonWithThePredictionAndFeaturesAsWritten() {
        assertThat(lookup("c-0068030", "--format", "json")).as(err.toString()).isZero();

        assertThat(out.toString())
                .isEqualTo(
                        "{\"card_id\":\"c-0068030\",\"key\":\"rtml:card:c-0068030\",\"ttl_ms\":-1,"
                                + "\"prediction\":"
                                + PREDICTION
                                + ",\"features\":"
                                + FEATURES
                                + "}\n");
    }

    @Test
    void saysWhenTheEntryExpires() {
        try (Jedis jedis = SERVICES.redis().client()) {
            jedis.pexpire("rtml:card:c-0068030", 7L * 24 * 3600 * 1000);
        }

        assertThat(lookup("c-0068030")).isZero();

        assertThat(out.toString().lines().findFirst().orElseThrow())
                .isEqualTo(
                        "card c-0068030  (key rtml:card:c-0068030 at "
                                + SERVICES.redis().uri()
                                + ", expires in 6 d 23 h 59 min)");
    }

    @Test
    void readsUnderAnotherKeyPrefix() {
        try (Jedis jedis = SERVICES.redis().client()) {
            jedis.rename("rtml:card:c-0068030", "fraud:card:c-0068030");
        }

        assertThat(lookup("c-0068030", "--key-prefix", "fraud:", "--format", "json")).isZero();

        assertThat(out.toString()).contains("\"key\":\"fraud:card:c-0068030\"");
    }

    @Test
    void exitsOneSayingSoWhenTheCardHasNoEntry() {
        assertThat(lookup("c-9999999")).isEqualTo(1);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString())
                .isEqualTo(
                        "rtml lookup: no prediction for card c-9999999 in Redis at "
                                + SERVICES.redis().uri()
                                + " (key rtml:card:c-9999999)\n");
    }

    @Test
    void saysWhatToDoWhenRedisIsUnreachable() throws Exception {
        String nowhere = "redis://127.0.0.1:" + freePort();

        CommandLine commandLine = Rtml.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("lookup", "c-0068030", "--redis-uri", nowhere)).isEqualTo(1);

        assertThat(err.toString())
                .isEqualTo(
                        "rtml lookup: cannot reach Redis at "
                                + nowhere
                                + ": is it running? (scripts/stack start)\n");
    }

    @Test
    void refusesAPasswordInTheUriWithoutPrintingIt() throws Exception {
        int port = freePort();

        CommandLine commandLine = Rtml.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode =
                commandLine.execute(
                        "lookup",
                        "c-0068030",
                        "--redis-uri",
                        "redis://user:secret@127.0.0.1:" + port);

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo(
                        "rtml: invalid configuration: redis.uri: holds a password; give it with"
                                + " redis.password (env:VARIABLE or file:/path)\n")
                .doesNotContain("secret");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
