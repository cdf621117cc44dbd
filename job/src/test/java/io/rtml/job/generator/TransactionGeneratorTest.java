package io.rtml.job.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rtml.event.Channel;
import io.rtml.event.EventJson;
import io.rtml.event.EventParser;
import io.rtml.event.InvalidEventException;
import io.rtml.event.TransactionEvent;
import io.rtml.job.generator.TransactionGenerator.Settings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransactionGeneratorTest {
    private static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final String LEGIT = "legit";
    private static final String CARD_TESTING = "card_testing";
    private static final String ACCOUNT_TAKEOVER = "account_takeover";

    /**
     * 200k events of 2,000 cards (about 100 legitimate events each, so each card's usual country
     * and amount are clear), with 2 % fraud so the share is measured tightly.
     */
    private static final int EVENTS = 200_000;

    private static final double FRAUD_SHARE = 0.02;
    private static List<GeneratedTransaction> sample;

    @BeforeAll
    static void generateSample() {
        sample =
                new TransactionGenerator(new Settings(11, 2_000, 500, 4, FRAUD_SHARE, START))
                        .take(EVENTS);
    }

    private static Settings small(long seed) {
        return new Settings(seed, 1_000, 200, 4, 0.01, START);
    }

    private static List<String> json(List<GeneratedTransaction> transactions) {
        return transactions.stream()
                .map(t -> new String(EventJson.write(t.event()), StandardCharsets.UTF_8))
                .toList();
    }

    private static List<GeneratedTransaction> withPattern(String pattern) {
        return sample.stream().filter(t -> t.pattern().equals(pattern)).toList();
    }

    // ---- determinism ----

    @Test
    void theSameSeedGivesTheSameEvents() {
        List<GeneratedTransaction> first = new TransactionGenerator(small(7)).take(20_000);
        List<GeneratedTransaction> second = new TransactionGenerator(small(7)).take(20_000);

        assertThat(json(second)).isEqualTo(json(first));
        assertThat(second.stream().map(GeneratedTransaction::pattern).toList())
                .isEqualTo(first.stream().map(GeneratedTransaction::pattern).toList());
    }

    @Test
    void anotherSeedGivesOtherEvents() {
        // Event ids embed the seed, so compare what the events say, not their ids.
        Function<GeneratedTransaction, String> content =
                t ->
                        t.event().cardId
                                + " "
                                + t.event().merchantId
                                + " "
                                + t.event().amount
                                + " "
                                + t.event().eventTimeMs;
        List<String> first =
                new TransactionGenerator(small(7)).take(1_000).stream().map(content).toList();
        List<String> second =
                new TransactionGenerator(small(8)).take(1_000).stream().map(content).toList();

        assertThat(second).isNotEqualTo(first);
        assertThat(new HashSet<>(second)).doesNotContainAnyElementsOf(first);
    }

    @Test
    void namesEventIdsAfterTheSeedAndASequence() {
        List<GeneratedTransaction> events = new TransactionGenerator(small(7)).take(3);

        assertThat(events)
                .extracting(t -> t.event().eventId)
                .allMatch(id -> id.matches("e-7-\\d{9}"));
    }

    // ---- the stream as a whole ----

    @Test
    void eventTimeNeverGoesBackwardsAndStartsAtTheStartTime() {
        assertThat(sample.get(0).event().eventTimeMs).isGreaterThanOrEqualTo(START);
        for (int i = 1; i < sample.size(); i++) {
            assertThat(sample.get(i).event().eventTimeMs)
                    .as("event %d", i)
                    .isGreaterThanOrEqualTo(sample.get(i - 1).event().eventTimeMs);
        }
    }

    @Test
    void eventIdsAreUnique() {
        Set<String> ids = sample.stream().map(t -> t.event().eventId).collect(Collectors.toSet());

        assertThat(ids).hasSize(EVENTS);
    }

    @Test
    void everyEventIsValidByContractAndSurvivesTheRoundTrip() throws InvalidEventException {
        for (GeneratedTransaction transaction : sample) {
            TransactionEvent parsed = EventParser.parse(EventJson.write(transaction.event()), 0L);

            assertThat(parsed).isEqualTo(transaction.event());
        }
    }

    @Test
    void labelsFraudExactlyWhenAPatternIsPlanted() {
        assertThat(sample)
                .allSatisfy(
                        t -> {
                            assertThat(t.pattern()).isIn(LEGIT, CARD_TESTING, ACCOUNT_TAKEOVER);
                            assertThat(t.fraud()).isEqualTo(!t.pattern().equals(LEGIT));
                        });
    }

    /**
     * Each legitimate event starts an episode with probability share / 7 (7 events per episode on
     * average), so there are share fraud events per legitimate one: a fraud share of s / (1 + s) of
     * all events, 1.96 % here. Episodes (about 560 here) vary in size, so the count is
     * compound-Poisson with a standard deviation of about sqrt(560 * 66) = 190 events, 0.1 points
     * of share; the band of 1.5 % to 2.5 % is about five of them either way.
     */
    @Test
    void plantsAboutTheConfiguredShareOfFraudInBothPatterns() {
        long fraud = sample.stream().filter(GeneratedTransaction::fraud).count();
        double share = (double) fraud / EVENTS;

        assertThat(share).isBetween(0.015, 0.025);
        // Card testing bursts are 6-15 events, takeovers 2-5: both are well represented.
        assertThat(withPattern(CARD_TESTING).size()).isGreaterThan(1_000);
        assertThat(withPattern(ACCOUNT_TAKEOVER).size()).isGreaterThan(300);
    }

    @Test
    void plantsNoFraudWhenTheShareIsZero() {
        List<GeneratedTransaction> events =
                new TransactionGenerator(new Settings(3, 1_000, 200, 4, 0, START)).take(20_000);

        assertThat(events).noneMatch(GeneratedTransaction::fraud);
    }

    // ---- the patterns ----

    @Test
    void cardTestingIsSmallOnlinePaymentsFromANewDeviceSecondsApart() {
        List<GeneratedTransaction> cardTesting = withPattern(CARD_TESTING);
        Set<String> cardDevices = legitDevices();

        assertThat(cardTesting)
                .allSatisfy(
                        t -> {
                            TransactionEvent e = t.event();
                            assertThat(e.channel).isEqualTo(Channel.ONLINE);
                            assertThat(e.amount).isBetween(0.5, 4.0);
                            assertThat(e.deviceId).isNotNull().startsWith("d-f");
                            assertThat(cardDevices).doesNotContain(e.deviceId);
                        });
        // One device per burst: the gaps within a burst are 3 to 40 seconds.
        Map<String, List<TransactionEvent>> bursts = new HashMap<>();
        cardTesting.forEach(
                t ->
                        bursts.computeIfAbsent(t.event().deviceId, d -> new ArrayList<>())
                                .add(t.event()));
        for (List<TransactionEvent> burst : bursts.values()) {
            assertThat(burst).hasSizeLessThanOrEqualTo(15);
            assertThat(burst.stream().map(e -> e.cardId).distinct()).hasSize(1);
            for (int i = 1; i < burst.size(); i++) {
                assertThat(burst.get(i).eventTimeMs - burst.get(i - 1).eventTimeMs)
                        .isBetween(3_000L, 40_000L);
            }
        }
    }

    @Test
    void accountTakeoverHappensOutsideTheCardsHomeCountry() {
        Map<String, String> home = homeCountries();
        List<GeneratedTransaction> takeovers = withPattern(ACCOUNT_TAKEOVER);
        int checked = 0;

        for (GeneratedTransaction t : takeovers) {
            String country = home.get(t.event().cardId);
            if (country != null) {
                assertThat(t.event().country).as(t.event().eventId).isNotEqualTo(country);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(takeovers.size() * 9 / 10);
    }

    @Test
    void accountTakeoverSpendsSeveralTimesTheCardsUsualAmount() {
        // Takeover amounts are 4 to 12 times the card's typical amount; a legitimate median is
        // within a few percent of it with ~100 events, so twice the median is a safe floor.
        Map<String, Double> median = medianLegitAmounts();

        for (GeneratedTransaction t : withPattern(ACCOUNT_TAKEOVER)) {
            Double usual = median.get(t.event().cardId);
            if (usual != null) {
                assertThat(t.event().amount).as(t.event().eventId).isGreaterThan(2 * usual);
            }
        }
    }

    @Test
    void accountTakeoverUsesANewDeviceOnlineAndNoneAtThePointOfSale() {
        Set<String> cardDevices = legitDevices();

        assertThat(withPattern(ACCOUNT_TAKEOVER))
                .allSatisfy(
                        t -> {
                            TransactionEvent e = t.event();
                            assertThat(e.channel).isIn(Channel.ONLINE, Channel.POS);
                            if (e.channel == Channel.ONLINE) {
                                assertThat(e.deviceId).startsWith("d-f");
                                assertThat(cardDevices).doesNotContain(e.deviceId);
                            } else {
                                assertThat(e.deviceId).isNull();
                            }
                        });
    }

    @Test
    void atmWithdrawalsAreMultiplesOfTwentyUpToTwoHundred() {
        List<TransactionEvent> atm =
                sample.stream()
                        .map(GeneratedTransaction::event)
                        .filter(e -> e.channel == Channel.ATM)
                        .toList();

        assertThat(atm).isNotEmpty();
        assertThat(atm)
                .allSatisfy(
                        e -> {
                            assertThat(e.amount % 20).isZero();
                            assertThat(e.amount).isBetween(20.0, 200.0);
                            assertThat(e.deviceId).isNull();
                        });
    }

    @Test
    void onlyOnlinePaymentsCarryADevice() {
        assertThat(withPattern(LEGIT))
                .allSatisfy(
                        t ->
                                assertThat(t.event().deviceId != null)
                                        .as(t.event().eventId)
                                        .isEqualTo(t.event().channel == Channel.ONLINE));
    }

    /** The device ids cards use legitimately. */
    private static Set<String> legitDevices() {
        return withPattern(LEGIT).stream()
                .map(t -> t.event().deviceId)
                .filter(d -> d != null)
                .collect(Collectors.toSet());
    }

    /** Each card's most common country among its legitimate events, for cards with 3 or more. */
    private static Map<String, String> homeCountries() {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        for (GeneratedTransaction t : withPattern(LEGIT)) {
            counts.computeIfAbsent(t.event().cardId, c -> new HashMap<>())
                    .merge(t.event().country, 1, Integer::sum);
        }
        Map<String, String> home = new HashMap<>();
        counts.forEach(
                (card, byCountry) -> {
                    int total = byCountry.values().stream().mapToInt(Integer::intValue).sum();
                    if (total >= 3) {
                        home.put(
                                card,
                                byCountry.entrySet().stream()
                                        .max(Map.Entry.comparingByValue())
                                        .orElseThrow()
                                        .getKey());
                    }
                });
        return home;
    }

    /** The median legitimate non-ATM amount of each card with 20 or more such events. */
    private static Map<String, Double> medianLegitAmounts() {
        Map<String, List<Double>> amounts = new HashMap<>();
        for (GeneratedTransaction t : withPattern(LEGIT)) {
            if (t.event().channel != Channel.ATM) {
                amounts.computeIfAbsent(t.event().cardId, c -> new ArrayList<>())
                        .add(t.event().amount);
            }
        }
        Map<String, Double> median = new HashMap<>();
        amounts.forEach(
                (card, values) -> {
                    if (values.size() >= 20) {
                        values.sort(Double::compare);
                        median.put(card, values.get(values.size() / 2));
                    }
                });
        return median;
    }

    // ---- settings ----

    @Test
    void defaultsAreTheDemosSettings() {
        assertThat(Settings.defaults(5, START))
                .isEqualTo(new Settings(5, 100_000, 5_000, 4, 0.008, START));
    }

    @Test
    void acceptsTheSmallestValidSettings() {
        assertThat(new TransactionGenerator(new Settings(1, 1, 10, 0.1, 0, START)).take(100))
                .hasSize(100);
        assertThat(new Settings(1, 1, 10, 1, 0.499, START).fraudShare()).isEqualTo(0.499);
    }

    @Test
    void refusesNoCards() {
        assertThatThrownBy(() -> new Settings(1, 0, 10, 4, 0.01, START))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("need at least 1 card and 10 merchants");
    }

    @Test
    void refusesFewerThanTenMerchants() {
        assertThatThrownBy(() -> new Settings(1, 10, 9, 4, 0.01, START))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("need at least 1 card and 10 merchants");
    }

    @Test
    void refusesARateThatIsNotPositive() {
        for (double rate : new double[] {0, -1, Double.NaN}) {
            assertThatThrownBy(() -> new Settings(1, 10, 10, rate, 0.01, START))
                    .as("rate %s", rate)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "transactions per card per day must be positive and the fraud share"
                                    + " between 0 and 0.5");
        }
    }

    @Test
    void refusesAFraudShareOutsideZeroToAHalf() {
        for (double share : new double[] {-0.01, 0.5, 1, Double.NaN}) {
            assertThatThrownBy(() -> new Settings(1, 10, 10, 4, share, START))
                    .as("share %s", share)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                            "transactions per card per day must be positive and the fraud share"
                                    + " between 0 and 0.5");
        }
    }
}
