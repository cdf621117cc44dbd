package io.rtml.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rtml.features.spec.AggregateFeature.Aggregate;
import io.rtml.testing.ShippedModel;
import io.rtml.testing.ShippedSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureSpecLoaderTest {
    private static final String SOURCE = "test.yaml";
    private static final String KNOWN_FIELDS =
            "amount, card_id, merchant_id, merchant_category, currency, country, channel, device_id";
    private static final String ENTITIES =
            """
            entities:
              - name: card
                key: card_id
                bucket: 1 min
                ordered: true
              - name: merchant
                key: merchant_id
                bucket: 1 min
                settle: 1 min
            """;

    @TempDir Path dir;

    // ---- the shipped spec ----

    @Test
    void loadsTheShippedSpecWhoseColumnsAreTheShippedModelsInputs() throws Exception {
        JsonNode metadata =
                new ObjectMapper()
                        .readTree(ShippedModel.directory().resolve("metadata.json").toFile());
        List<String> inputs = new ArrayList<>();
        metadata.get("inputs").forEach(input -> inputs.add(input.asText()));

        FeatureSpec spec = FeatureSpecLoader.load(ShippedSpec.path().toString());

        assertThat(spec.id()).isEqualTo("fraud-v3");
        assertThat(spec.name()).isEqualTo("fraud");
        assertThat(spec.version()).isEqualTo(3);
        assertThat(spec.columns()).hasSize(42).isEqualTo(inputs);
    }

    @Test
    void readsTheShippedSpecsEntities() {
        FeatureSpec spec = ShippedSpec.load();

        assertThat(spec.entities())
                .containsExactly(
                        new EntitySpec(
                                "card",
                                EventField.CARD_ID,
                                Duration.ofMinutes(1),
                                true,
                                Duration.ZERO),
                        new EntitySpec(
                                "merchant",
                                EventField.MERCHANT_ID,
                                Duration.ofMinutes(1),
                                false,
                                Duration.ofMinutes(1)));
        assertThat(spec.aggregatesOf("card")).hasSize(14);
        assertThat(spec.aggregatesOf("merchant")).hasSize(4);
        assertThat(spec.eventFeatures()).hasSize(5);
    }

    @Test
    void readsEveryKindOfFeatureWithItsColumnsAndOffsets() {
        FeatureSpec spec =
                parse(
                        features(
                                "{name: amount, field: amount, transform: {clip: [0, 500]}}",
                                "{name: channel, field: channel, one-hot: [pos, atm]}",
                                "{name: country, field: country, hash-buckets: 3}",
                                "{name: hour, time: hour-of-day}",
                                "{name: spend, entity: card, aggregate: sum, field: amount,"
                                        + " window: 2 h, transform: log1p}",
                                "{name: since, entity: card, aggregate: time-since-previous,"
                                        + " window: 1 d}"));

        assertThat(spec.id()).isEqualTo("test-v1");
        assertThat(spec.columns())
                .containsExactly(
                        "amount",
                        "channel_pos",
                        "channel_atm",
                        "country_0",
                        "country_1",
                        "country_2",
                        "hour_sin",
                        "hour_cos",
                        "spend",
                        "since");
        assertThat(spec.features())
                .containsExactly(
                        new EventFeature(
                                "amount",
                                EventFeature.Kind.NUMERIC,
                                EventField.AMOUNT,
                                Transform.clip(0, 500),
                                null,
                                0),
                        new EventFeature(
                                "channel",
                                EventFeature.Kind.ONE_HOT,
                                EventField.CHANNEL,
                                Transform.NONE,
                                List.of("pos", "atm"),
                                0),
                        new EventFeature(
                                "country",
                                EventFeature.Kind.HASHED,
                                EventField.COUNTRY,
                                Transform.NONE,
                                null,
                                3),
                        new EventFeature(
                                "hour",
                                EventFeature.Kind.HOUR_OF_DAY,
                                null,
                                Transform.NONE,
                                null,
                                0),
                        new AggregateFeature(
                                "spend",
                                "card",
                                Aggregate.SUM,
                                EventField.AMOUNT,
                                Duration.ofHours(2),
                                Transform.LOG1P),
                        new AggregateFeature(
                                "since",
                                "card",
                                Aggregate.TIME_SINCE_PREVIOUS,
                                null,
                                Duration.ofDays(1),
                                Transform.NONE));
        assertThat(spec.offset(spec.features().get(4))).isEqualTo(8);
        assertThat(spec.offset(spec.features().get(5))).isEqualTo(9);
    }

    @Test
    void givesAnEntityWithoutOptionsOneMinuteBucketsAndASettleOfOneBucket() {
        FeatureSpec spec =
                FeatureSpecLoader.parse(
                        SOURCE,
                        """
                        name: test
                        version: 1
                        entities:
                          - name: device
                            key: device_id
                          - name: shop
                            key: merchant_id
                            bucket: 5 min
                        features:
                          - {name: amount, field: amount}
                        """);

        assertThat(spec.entities())
                .containsExactly(
                        new EntitySpec(
                                "device",
                                EventField.DEVICE_ID,
                                Duration.ofMinutes(1),
                                false,
                                Duration.ofMinutes(1)),
                        new EntitySpec(
                                "shop",
                                EventField.MERCHANT_ID,
                                Duration.ofMinutes(5),
                                false,
                                Duration.ofMinutes(5)));
    }

    // ---- locations ----

    @Test
    void loadsASpecFromTheClasspath() {
        FeatureSpec spec = FeatureSpecLoader.load("classpath:feature-specs/minimal.yaml");

        assertThat(spec.id()).isEqualTo("minimal-v3");
        assertThat(spec.columns()).containsExactly("amount", "card_txn_count_1h");
    }

    @Test
    void loadsASpecFromAFile() throws Exception {
        Path file = dir.resolve("spec.yaml");
        Files.writeString(file, spec(features("{name: amount, field: amount}")));

        assertThat(FeatureSpecLoader.load(file.toString()).columns()).containsExactly("amount");
    }

    @Test
    void refusesAMissingFileNamingIt() {
        Path missing = dir.resolve("none.yaml");

        assertThatThrownBy(() -> FeatureSpecLoader.load(missing.toString()))
                .isInstanceOf(FeatureSpecException.class)
                .hasMessage(
                        "feature spec "
                                + missing
                                + ": cannot be read: no file "
                                + missing.toAbsolutePath());
    }

    @Test
    void refusesAMissingClasspathResourceNamingIt() {
        assertThatThrownBy(() -> FeatureSpecLoader.load("classpath:feature-specs/none.yaml"))
                .isInstanceOf(FeatureSpecException.class)
                .hasMessage(
                        "feature spec classpath:feature-specs/none.yaml: cannot be read: no"
                                + " resource feature-specs/none.yaml on the classpath");
    }

    @Test
    void refusesTextThatIsNotYaml() {
        assertThatThrownBy(() -> FeatureSpecLoader.parse(SOURCE, "name: [unclosed"))
                .isInstanceOf(FeatureSpecException.class)
                .hasMessageStartingWith("feature spec test.yaml: is not valid YAML: ");
    }

    @Test
    void refusesADocumentThatIsNotAMap() {
        assertProblem(
                "- just\n- a list\n",
                "the spec must be a map with name, version, entities and features");
    }

    // ---- spec errors, each naming the problem and where it is ----

    @Test
    void refusesAnUnknownFieldNamingTheFeatureAndTheKnownFields() {
        assertProblem(
                features("{name: spend, field: amont}"),
                "feature spend: unknown field \"amont\" (known: " + KNOWN_FIELDS + ")");
    }

    @Test
    void refusesAnUnknownFieldOfAnAggregate() {
        assertProblem(
                features("{name: spend, entity: card, aggregate: sum, field: amont, window: 1 h}"),
                "feature spend: unknown field \"amont\" (known: " + KNOWN_FIELDS + ")");
    }

    @Test
    void refusesAnUnknownEntityKey() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_number
                        """,
                        features("{name: amount, field: amount}")),
                "entity card: unknown field \"card_number\" (known: " + KNOWN_FIELDS + ")");
    }

    @Test
    void refusesANumericEntityKey() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: spend
                            key: amount
                        """,
                        features("{name: amount, field: amount}")),
                "entity spend: key amount is numeric; use an id field");
    }

    @Test
    void refusesAnUnknownEntityNamingTheKnownOnes() {
        assertProblem(
                features("{name: devices, entity: device, aggregate: count, window: 1 h}"),
                "feature devices: unknown entity \"device\" (known: card, merchant)");
    }

    @Test
    void refusesAnUnknownAggregateNamingTheKnownOnes() {
        assertProblem(
                features(
                        "{name: typical, entity: card, aggregate: median, field: amount, window:"
                                + " 1 h}"),
                "feature typical: unknown aggregate \"median\" (known: count, sum, mean, min, max,"
                        + " stddev, zscore, distinct, first-seen, time-since-previous)");
    }

    @Test
    void refusesAWindowThatIsNotADuration() {
        assertProblem(
                features("{name: txns, entity: card, aggregate: count, window: soon}"),
                "feature txns: window must be a duration like 1 min or 24 h, got \"soon\"");
    }

    @Test
    void refusesANegativeWindow() {
        assertProblem(
                features("{name: txns, entity: card, aggregate: count, window: -5 min}"),
                "feature txns: window must be a duration like 1 min or 24 h, got \"-5 min\"");
    }

    @Test
    void refusesAZeroWindow() {
        assertProblem(
                features("{name: txns, entity: card, aggregate: count, window: 0 min}"),
                "feature txns: window 0 ms must be a positive multiple of card's bucket (1 min)");
    }

    @Test
    void refusesAWindowThatIsNotAMultipleOfTheBucket() {
        assertProblem(
                features("{name: txns, entity: card, aggregate: count, window: 90 s}"),
                "feature txns: window 90 s must be a positive multiple of card's bucket (1 min)");
    }

    @Test
    void refusesAMissingWindow() {
        assertProblem(
                features("{name: txns, entity: card, aggregate: count}"),
                "feature txns: window is required");
    }

    @Test
    void refusesAMissingWindowOfTimeSincePrevious() {
        assertProblem(
                features("{name: since, entity: card, aggregate: time-since-previous}"),
                "feature since: window is required");
    }

    @Test
    void refusesABucketShorterThanOneSecond() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_id
                            bucket: 500 ms
                        """,
                        features("{name: amount, field: amount}")),
                "entity card: bucket must be at least 1 s, got 500 ms");
    }

    @Test
    void refusesAZeroBucketWithoutFailingOnTheWindowsOfItsFeatures() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_id
                            bucket: 0 s
                        """,
                        features("{name: txns, entity: card, aggregate: count, window: 1 h}")),
                "entity card: bucket must be at least 1 s, got 0 ms");
    }

    @Test
    void refusesADuplicateFeatureName() {
        assertProblem(
                features("{name: amount, field: amount}", "{name: amount, field: amount}"),
                "feature amount: duplicate name amount");
    }

    @Test
    void refusesAOneHotColumnThatAnotherFeatureAlreadyNamed() {
        assertProblem(
                features(
                        "{name: channel_pos, field: amount}",
                        "{name: channel, field: channel, one-hot: [pos, online]}"),
                "feature channel: duplicate name channel_pos");
    }

    @Test
    void refusesAHashedColumnThatAnotherFeatureAlreadyNamed() {
        assertProblem(
                features(
                        "{name: country, field: country, hash-buckets: 4}",
                        "{name: country_3, entity: card, aggregate: count, window: 1 h}"),
                "feature country_3: duplicate name country_3");
    }

    @Test
    void refusesADuplicateEntityName() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_id
                          - name: card
                            key: device_id
                        """,
                        features("{name: amount, field: amount}")),
                "entity card: duplicate entity name");
    }

    @Test
    void refusesANumericAggregateOfACategoricalField() {
        assertProblem(
                features(
                        "{name: spend, entity: card, aggregate: sum, field: country, window: 1 h}"),
                "feature spend: sum needs a numeric field, country is not");
    }

    @Test
    void refusesACategoricalAggregateOfANumericField() {
        assertProblem(
                features(
                        "{name: amounts, entity: card, aggregate: distinct, field: amount, window:"
                                + " 1 h}"),
                "feature amounts: distinct needs a categorical field, amount is not");
    }

    @Test
    void refusesAFieldForAnAggregateThatTakesNone() {
        assertProblem(
                features(
                        "{name: txns, entity: card, aggregate: count, field: amount, window: 1 h}"),
                "feature txns: count takes no field");
    }

    @Test
    void refusesANumericAggregateWithoutAField() {
        assertProblem(
                features("{name: spend, entity: card, aggregate: mean, window: 1 h}"),
                "feature spend: field is required (a non-empty string)");
    }

    @Test
    void refusesOneHotOfANumericField() {
        assertProblem(
                features("{name: amount, field: amount, one-hot: [small, large]}"),
                "feature amount: amount is numeric; one-hot and hash-buckets take a categorical"
                        + " field");
    }

    @Test
    void refusesHashBucketsOfANumericField() {
        assertProblem(
                features("{name: amount, field: amount, hash-buckets: 4}"),
                "feature amount: amount is numeric; one-hot and hash-buckets take a categorical"
                        + " field");
    }

    @Test
    void refusesACategoricalFieldWithoutAnEncoding() {
        assertProblem(
                features("{name: country, field: country}"),
                "feature country: country is categorical; encode it with one-hot or"
                        + " hash-buckets");
    }

    @Test
    void refusesOneHotAndHashBucketsTogether() {
        assertProblem(
                features("{name: country, field: country, one-hot: [de], hash-buckets: 4}"),
                "feature country: choose one of one-hot and hash-buckets");
    }

    @Test
    void refusesOneHotWithoutValuesOrWithRepeatedOnes() {
        assertProblem(
                features("{name: channel, field: channel, one-hot: []}"),
                "feature channel: one-hot must list the values to encode");
        assertProblem(
                features("{name: channel, field: channel, one-hot: [pos, pos]}"),
                "feature channel: one-hot values must be distinct words, got \"pos\"");
    }

    @Test
    void refusesAnUnknownTransform() {
        assertProblem(
                features("{name: amount, field: amount, transform: sqrt}"),
                "feature amount: transform must be none, log1p or {clip: [min, max]} with min <"
                        + " max, got \"sqrt\"");
    }

    @Test
    void refusesAClipWhoseMinIsNotBelowItsMax() {
        assertProblem(
                features("{name: amount, field: amount, transform: {clip: [5, 1]}}"),
                "feature amount: transform must be none, log1p or {clip: [min, max]} with min <"
                        + " max, got {\"clip\":[5,1]}");
    }

    @Test
    void refusesATransformOfAnAggregateThatIsNotKnown() {
        assertProblem(
                features(
                        "{name: txns, entity: card, aggregate: count, window: 1 h, transform:"
                                + " log2}"),
                "feature txns: transform must be none, log1p or {clip: [min, max]} with min <"
                        + " max, got \"log2\"");
    }

    @Test
    void refusesHashBucketsOutsideTwoTo1024() {
        assertProblem(
                features("{name: country, field: country, hash-buckets: 1}"),
                "feature country: hash-buckets must be a whole number from 2 to 1024, got 1");
        assertProblem(
                features("{name: country, field: country, hash-buckets: 2000}"),
                "feature country: hash-buckets must be a whole number from 2 to 1024, got 2000");
        assertProblem(
                features("{name: country, field: country, hash-buckets: many}"),
                "feature country: hash-buckets must be a whole number from 2 to 1024, got"
                        + " \"many\"");
    }

    @Test
    void refusesTimeSincePreviousOfAnEntityThatIsNotOrdered() {
        assertProblem(
                features(
                        "{name: since, entity: merchant, aggregate: time-since-previous, window: 1 h}"),
                "feature since: time-since-previous needs an ordered entity; the previous event of"
                        + " merchant depends on arrival across partitions");
    }

    @Test
    void refusesASettleOfAnOrderedEntity() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_id
                            ordered: true
                            settle: 1 min
                        """,
                        features("{name: amount, field: amount}")),
                "entity card: settle is for entities that are not ordered");
    }

    @Test
    void refusesAnOrderedFlagThatIsNotABoolean() {
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_id
                            ordered: yes please
                        """,
                        features("{name: amount, field: amount}")),
                "entity card: ordered must be true or false");
    }

    @Test
    void refusesAnUnknownTimeFeature() {
        assertProblem(
                features("{name: minute, time: minute-of-hour}"),
                "feature minute: time must be hour-of-day or day-of-week, got \"minute-of-hour\"");
    }

    @Test
    void refusesUnknownKeysNamingWhereAndWhatIsAllowed() {
        assertProblem(
                "owner: risk-team\n" + spec(features("{name: amount, field: amount}")),
                "the spec: unknown key \"owner\" (allowed: name, version, entities, features)");
        assertProblem(
                spec(
                        """
                        entities:
                          - name: card
                            key: card_id
                            buckets: 1 min
                        """,
                        features("{name: amount, field: amount}")),
                "entity card: unknown key \"buckets\" (allowed: name, key, bucket, ordered,"
                        + " settle)");
        assertProblem(
                features("{name: amount, field: amount, transfrom: log1p}"),
                "feature amount: unknown key \"transfrom\" (allowed: name, field, transform,"
                        + " one-hot, hash-buckets)");
        assertProblem(
                features("{name: hour, time: hour-of-day, field: amount}"),
                "feature hour: unknown key \"field\" (allowed: name, time)");
        assertProblem(
                features(
                        "{name: txns, entity: card, aggregate: count, window: 1 h, ordered:"
                                + " true}"),
                "feature txns: unknown key \"ordered\" (allowed: name, entity, aggregate, field,"
                        + " window, transform)");
    }

    @Test
    void refusesAVersionThatIsNotAWholeNumberOfAtLeastOne() {
        String features = "features:\n  - {name: amount, field: amount}\n";
        for (String[] version :
                new String[][] {{"0", "0"}, {"-2", "-2"}, {"two", "\"two\""}, {"1.5", "1.5"}}) {
            assertProblem(
                    "name: test\nversion: " + version[0] + "\n" + ENTITIES + features,
                    "version must be a whole number of at least 1, got " + version[1]);
        }
        assertProblem(
                "name: test\n" + ENTITIES + features,
                "version must be a whole number of at least 1, got nothing");
    }

    @Test
    void refusesANameThatIsNotLowerCaseWords() {
        assertProblem(
                spec(features("{name: Amount, field: amount}")),
                "feature Amount: name must be lower-case letters, digits and _");
        assertProblem(
                spec(features("{name: amount, field: amount}"))
                        .replace("name: test", "name: Fraud"),
                "name \"Fraud\" must be lower-case letters, digits, - and _");
    }

    @Test
    void refusesASpecWithoutEntitiesOrFeatures() {
        assertThatThrownBy(() -> FeatureSpecLoader.parse(SOURCE, "name: test\nversion: 1\n"))
                .isInstanceOf(FeatureSpecException.class)
                .hasMessage(
                        "feature spec test.yaml:\n"
                                + "  - entities must list at least one entity\n"
                                + "  - features must list at least one feature");
    }

    @Test
    void reportsEveryProblemTogetherEachOnItsOwnLine() {
        String yaml =
                "name: test\nversion: 0\n"
                        + ENTITIES
                        + features(
                                "{name: amount, field: amont}",
                                "{name: txns, entity: card, aggregate: count, window: 90 s}",
                                "{name: since, entity: merchant, aggregate: time-since-previous,"
                                        + " window: 1 h}",
                                "{name: txns, entity: card, aggregate: count, window: 1 h}");

        assertThatThrownBy(() -> FeatureSpecLoader.parse(SOURCE, yaml))
                .isInstanceOf(FeatureSpecException.class)
                .hasMessage(
                        "feature spec test.yaml:\n"
                                + "  - version must be a whole number of at least 1, got 0\n"
                                + "  - feature amount: unknown field \"amont\" (known: "
                                + KNOWN_FIELDS
                                + ")\n"
                                + "  - feature txns: window 90 s must be a positive multiple of"
                                + " card's bucket (1 min)\n"
                                + "  - feature since: time-since-previous needs an ordered entity;"
                                + " the previous event of merchant depends on arrival across"
                                + " partitions\n"
                                + "  - feature txns: duplicate name txns");
    }

    // ---- helpers ----

    /** A spec named test, version 1, with the card and merchant entities and these features. */
    private static String spec(String features) {
        return spec(ENTITIES, features);
    }

    private static String spec(String entities, String features) {
        return "name: test\nversion: 1\n" + entities + features;
    }

    /** A features list of YAML flow maps. */
    private static String features(String... features) {
        StringBuilder yaml = new StringBuilder("features:\n");
        for (String feature : features) {
            yaml.append("  - ").append(feature).append('\n');
        }
        return yaml.toString();
    }

    private static FeatureSpec parse(String features) {
        return FeatureSpecLoader.parse(SOURCE, spec(features));
    }

    private static void assertProblem(String yamlOrFeatures, String problem) {
        String yaml =
                yamlOrFeatures.startsWith("features:") ? spec(yamlOrFeatures) : yamlOrFeatures;
        assertThatThrownBy(() -> FeatureSpecLoader.parse(SOURCE, yaml))
                .as(yaml)
                .isInstanceOf(FeatureSpecException.class)
                .hasMessage("feature spec " + SOURCE + ": " + problem);
    }
}
