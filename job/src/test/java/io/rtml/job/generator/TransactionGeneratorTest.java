package io.rtml.job.generator;

import static java.util.stream.Collectors.toSet;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransactionGeneratorTest {
    private static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final String LEGIT = "legit";
    private static final String CARD_TESTING = "card_testing";
    private static final String ACCOUNT_TAKEOVER = "account_takeover";
    private static final String COMPROMISED_MERCHANT = "compromised_merchant";
    private static final Set<String> DIGITAL_GOODS = Set.of("5815", "5816");
    private static final Set<String> RESALE = Set.of("5732", "5944", "5311");
    private static final Set<String> SKIMMED = Set.of("5541", "5812", "5411");
    private static final Set<String> BREACHED = Set.of("5999", "5311", "5732");
    private static final String CASH_MACHINE = "6011";

    /**
     * 200k events of 2,000 cards (about 90 legitimate events each, so each card's home country and
     * typical amount are clear) at 2,000 merchants (so that every country has merchants of every
     * kind but jewellery), with a fraud share of 10 %, far above the demo's 0.8 %, so that the
     * sample holds some 2,000 fraud episodes and their statistics are measured tightly.
     */
    private static final int EVENTS = 200_000;

    private static final double FRAUD_SHARE = 0.1;

    /**
     * The longest an episode can last from the legitimate payment that started it: 5 takeover
     * payments up to 20 minutes apart. Episodes started longer than this before the sample's last
     * event are wholly in the sample.
     */
    private static final long LONGEST_EPISODE_MS = 5 * 20 * 60_000L;

    private static List<GeneratedTransaction> sample;
    private static List<Episode> episodes;

    @BeforeAll
    static void generateSample() {
        sample =
                new TransactionGenerator(new Settings(11, 2_000, 2_000, 4, FRAUD_SHARE, START))
                        .take(EVENTS);
        episodes = episodes();
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
        Set<String> ids = sample.stream().map(t -> t.event().eventId).collect(toSet());

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
                            assertThat(t.pattern())
                                    .isIn(
                                            LEGIT,
                                            CARD_TESTING,
                                            ACCOUNT_TAKEOVER,
                                            COMPROMISED_MERCHANT);
                            assertThat(t.fraud()).isEqualTo(!t.pattern().equals(LEGIT));
                        });
        assertThat(sample.stream().map(GeneratedTransaction::pattern).distinct())
                .containsExactlyInAnyOrder(
                        LEGIT, CARD_TESTING, ACCOUNT_TAKEOVER, COMPROMISED_MERCHANT);
    }

    /**
     * An episode is planted whole when a legitimate payment is generated, before that payment gets
     * its id, so its events hold consecutive ids right before the payment's: one pattern, later
     * than the payment.
     */
    @Test
    void eachEpisodeIsOnePatternPlantedAtALegitimatePayment() {
        assertThat(episodes).hasSizeGreaterThan(1_500);
        for (Episode episode : episodes) {
            assertThat(episode.transactions().stream().map(GeneratedTransaction::pattern))
                    .as(episode.toString())
                    .containsOnly(episode.pattern());
            assertThat(episode.trigger()).as(episode.toString()).isNotNull();
            assertThat(episode.trigger().fraud()).isFalse();
            assertThat(episode.gaps()).as(episode.toString()).allMatch(gap -> gap > 0);
        }
    }

    /**
     * Each legitimate event starts an episode with probability share / 8.05 (the mean episode: 0.35
     * x 7.5 card tests, 0.35 x 3.5 takeover payments, 0.30 x 14 compromised payments), so there are
     * share fraud events per legitimate one: s / (1 + s) of all events, 9.1 % here. About 2,260
     * episodes of varying size make the count compound-Poisson with a standard deviation of
     * sqrt(2,260 x 93) = 460 events, 0.23 points of share; the band of 8 % to 10 % is about four of
     * them either way. The patterns take 35 %, 35 % and 30 % of the episodes, each within about 1
     * point.
     */
    @Test
    void plantsAboutTheConfiguredShareOfFraudInAllThreePatterns() {
        long fraud = sample.stream().filter(GeneratedTransaction::fraud).count();
        double share = (double) fraud / EVENTS;

        assertThat(share).isBetween(0.08, 0.10);
        assertThat(shareOfEpisodes(CARD_TESTING)).isBetween(0.31, 0.39);
        assertThat(shareOfEpisodes(ACCOUNT_TAKEOVER)).isBetween(0.31, 0.39);
        assertThat(shareOfEpisodes(COMPROMISED_MERCHANT)).isBetween(0.26, 0.34);
    }

    /**
     * At the demo's settings (0.8 %), fraud is 0.008 / 1.008 = 0.79 % of events: about 990 episodes
     * in a million events, a standard deviation of sqrt(990 x 93) = 300 events, 0.03 points; the
     * band of 0.65 % to 0.95 % is about five of them either way.
     */
    @Test
    void theDemosFraudShareIsWellUnderOnePercent() {
        TransactionGenerator generator = new TransactionGenerator(Settings.defaults(5, START));
        int events = 1_000_000;
        Map<String, Integer> byPattern = new HashMap<>();
        for (int i = 0; i < events; i++) {
            byPattern.merge(generator.next().pattern(), 1, Integer::sum);
        }
        double share = 1 - (double) byPattern.get(LEGIT) / events;

        assertThat(share).isBetween(0.0065, 0.0095);
        assertThat(byPattern)
                .containsOnlyKeys(LEGIT, CARD_TESTING, ACCOUNT_TAKEOVER, COMPROMISED_MERCHANT);
    }

    @Test
    void plantsNoFraudWhenTheShareIsZero() {
        List<GeneratedTransaction> events =
                new TransactionGenerator(new Settings(3, 1_000, 200, 4, 0, START)).take(20_000);

        assertThat(events).noneMatch(GeneratedTransaction::fraud);
    }

    // ---- the patterns ----

    /**
     * Card testing: 3 to 12 online payments of 0.50 to 5.00 at random digital-goods merchants (5815
     * digital media, 5816 digital games) in any country, 5 to 90 seconds apart (the first that long
     * after the card's own payment that started it), all from one device: a new one ({@code
     * d-f<n>}) 8 times in 10, else one of the card's own.
     */
    @Test
    void cardTestingIsSmallOnlinePaymentsFromANewDeviceSecondsApart() {
        List<Episode> bursts = episodes(CARD_TESTING);
        Set<String> legitDevices = legitDevices();
        int fromNewDevice = 0;
        int payments = 0;
        int distinctMerchants = 0;

        assertThat(bursts).hasSizeGreaterThan(500);
        for (Episode burst : bursts) {
            String card = burst.trigger().event().cardId;
            assertThat(burst.events())
                    .as(burst.toString())
                    .allSatisfy(
                            e -> {
                                assertThat(e.cardId).isEqualTo(card);
                                assertThat(e.channel).isEqualTo(Channel.ONLINE);
                                assertThat(e.amount).isBetween(0.5, 5.0);
                                assertThat(isCents(e.amount)).isTrue();
                                assertThat(e.merchantCategory).isIn(DIGITAL_GOODS);
                            });
            Set<String> devices = burst.events().stream().map(e -> e.deviceId).collect(toSet());
            assertThat(devices).as(burst.toString()).hasSize(1).doesNotContainNull();
            String device = devices.iterator().next();
            if (device.startsWith("d-f")) {
                fromNewDevice++;
                assertThat(device).matches("d-f\\d+");
                assertThat(legitDevices).doesNotContain(device);
            } else {
                assertThat(device).matches(ownDevice(card));
            }
            assertThat(burst.gaps()).as(burst.toString()).allMatch(g -> g >= 5_000 && g < 90_000);
            assertThat(burst.events()).hasSizeLessThanOrEqualTo(12);
            payments += burst.events().size();
            distinctMerchants += burst.events().stream().map(e -> e.merchantId).distinct().count();
        }
        assertThat(completeSizes(bursts)).isEqualTo(range(3, 12));
        // 80 % of ~790 bursts: a standard deviation of 1.4 points.
        assertThat((double) fromNewDevice / bursts.size()).isBetween(0.74, 0.86);
        // Random merchants out of some 260: a burst seldom pays one twice.
        assertThat((double) distinctMerchants / payments).isGreaterThan(0.97);
    }

    /**
     * Account takeover: 2 to 5 payments 1 to 20 minutes apart (the first that long after the card's
     * own payment that started it) at stores whose goods resell (5732 electronics, 5944 jewellery,
     * 5311 department stores), all in one country, which is another than the card's home 6 times in
     * 10.
     */
    @Test
    void accountTakeoverIsAFewPaymentsMinutesApartInOneCountryOftenAbroad() {
        List<Episode> takeovers = episodes(ACCOUNT_TAKEOVER);
        Map<String, String> home = homeCountries();
        int judged = 0;
        int abroad = 0;

        assertThat(takeovers).hasSizeGreaterThan(500);
        for (Episode takeover : takeovers) {
            String card = takeover.trigger().event().cardId;
            assertThat(takeover.events())
                    .as(takeover.toString())
                    .allSatisfy(
                            e -> {
                                assertThat(e.cardId).isEqualTo(card);
                                assertThat(e.merchantCategory).isIn(RESALE);
                            });
            assertThat(takeover.gaps())
                    .as(takeover.toString())
                    .allMatch(g -> g >= 60_000 && g < 1_200_000);
            assertThat(takeover.events()).hasSizeLessThanOrEqualTo(5);
            Set<String> countries = takeover.events().stream().map(e -> e.country).collect(toSet());
            assertThat(countries).as(takeover.toString()).hasSize(1);
            if (home.containsKey(card)) {
                judged++;
                if (!countries.contains(home.get(card))) {
                    abroad++;
                }
            }
        }
        assertThat(completeSizes(takeovers)).isEqualTo(range(2, 5));
        assertThat(judged).isGreaterThan(takeovers.size() * 9 / 10);
        // 60 % of ~790 takeovers: a standard deviation of 1.7 points.
        assertThat((double) abroad / judged).isBetween(0.53, 0.67);
    }

    /**
     * Takeover amounts are 2 to 8 times the card's typical amount: so within a card they are at
     * most 4 times one another, exactly. A card's legitimate median is its typical amount to within
     * about 12 % (0.88 x 0.7 / sqrt(50) in log terms, for 50 or more payments), so every ratio to
     * it lies well within 1.2 to 13, and the median ratio is near 5.
     */
    @Test
    void accountTakeoverSpendsTwoToEightTimesTheCardsTypicalAmount() {
        Map<String, Double> median = medianLegitAmounts();
        Map<String, List<Double>> byCard = new HashMap<>();
        List<Double> ratios = new ArrayList<>();

        for (GeneratedTransaction t : withPattern(ACCOUNT_TAKEOVER)) {
            TransactionEvent e = t.event();
            assertThat(isCents(e.amount)).isTrue();
            byCard.computeIfAbsent(e.cardId, c -> new ArrayList<>()).add(e.amount);
            Double usual = median.get(e.cardId);
            if (usual != null) {
                ratios.add(e.amount / usual);
            }
        }
        byCard.forEach(
                (card, amounts) ->
                        assertThat(max(amounts) / min(amounts)).as(card).isLessThanOrEqualTo(4.01));
        assertThat(ratios).hasSizeGreaterThan(withPattern(ACCOUNT_TAKEOVER).size() * 9 / 10);
        assertThat(ratios).allMatch(r -> r > 1.2 && r < 13);
        assertThat(median(ratios)).isBetween(4.4, 5.6);
    }

    @Test
    void accountTakeoverUsesANewDeviceOnlineAndNoneAtThePointOfSale() {
        Set<String> legitDevices = legitDevices();
        int online = 0;
        int payments = 0;

        for (Episode takeover : episodes(ACCOUNT_TAKEOVER)) {
            Set<String> devices = new HashSet<>();
            for (TransactionEvent e : takeover.events()) {
                assertThat(e.channel).isIn(Channel.ONLINE, Channel.POS);
                if (e.channel == Channel.ONLINE) {
                    online++;
                    assertThat(e.deviceId).matches("d-f\\d+");
                    assertThat(legitDevices).doesNotContain(e.deviceId);
                    devices.add(e.deviceId);
                } else {
                    assertThat(e.deviceId).isNull();
                }
                payments++;
            }
            assertThat(devices).as(takeover.toString()).hasSizeLessThanOrEqualTo(1);
        }
        // 70 % online of ~2,800 payments: a standard deviation of 0.9 points.
        assertThat((double) online / payments).isBetween(0.66, 0.74);
    }

    /**
     * Compromised merchant: 6 to 22 payments at one merchant, 20 seconds to 2 minutes apart (the
     * first that long after the payment that started it), by cards picked at random, so nearly all
     * different, each an unremarkable amount for its card. 6 breaches in 10 are a skimmed terminal
     * (all at the point of sale, at a fuel station, restaurant or grocery), the others a breached
     * web shop (all online, from each victim's own device).
     */
    @Test
    void compromisedMerchantIsManyDifferentCardsAtOneMerchantMinutesApart() {
        List<Episode> breaches = episodes(COMPROMISED_MERCHANT);
        Map<String, Double> median = medianLegitAmounts();
        List<Double> ratios = new ArrayList<>();
        int payments = 0;
        int distinctCards = 0;
        int pos = 0;

        assertThat(breaches).hasSizeGreaterThan(500);
        for (Episode breach : breaches) {
            assertThat(breach.events().stream().map(e -> e.merchantId).distinct())
                    .as(breach.toString())
                    .hasSize(1);
            assertThat(breach.events().stream().map(e -> e.country).distinct())
                    .as(breach.toString())
                    .hasSize(1);
            assertThat(breach.gaps())
                    .as(breach.toString())
                    .allMatch(g -> g >= 20_000 && g < 120_000);
            assertThat(breach.events()).hasSizeLessThanOrEqualTo(22);
            int cards = (int) breach.events().stream().map(e -> e.cardId).distinct().count();
            if (breach.complete()) {
                // Out of 2,000 cards, two repeats in one breach are already rare.
                assertThat(cards).as(breach.toString()).isGreaterThanOrEqualTo(5);
                assertThat(cards).isGreaterThanOrEqualTo(breach.events().size() * 4 / 5);
            }
            assertThat(breach.events().stream().map(e -> e.channel).distinct())
                    .as(breach.toString())
                    .hasSize(1);
            for (TransactionEvent e : breach.events()) {
                assertThat(e.channel).isIn(Channel.POS, Channel.ONLINE);
                if (e.channel == Channel.POS) {
                    pos++;
                    assertThat(e.deviceId).isNull();
                    assertThat(e.merchantCategory).isIn(SKIMMED);
                } else {
                    assertThat(e.deviceId).matches(ownDevice(e.cardId));
                    assertThat(e.merchantCategory).isIn(BREACHED);
                }
                assertThat(isCents(e.amount)).isTrue();
                Double usual = median.get(e.cardId);
                if (usual != null) {
                    ratios.add(e.amount / usual);
                }
            }
            payments += breach.events().size();
            distinctCards += cards;
        }
        assertThat(completeSizes(breaches)).isEqualTo(range(6, 22));
        assertThat((double) distinctCards / payments).isGreaterThan(0.98);
        // 60 % of ~680 breaches, whose sizes vary: a standard deviation of about 2 points.
        assertThat((double) pos / payments).isBetween(0.53, 0.67);
        // Log-normal around the card's typical amount (sigma 0.5): unlike a takeover's.
        assertThat(median(ratios)).isBetween(0.85, 1.15);
        assertThat(ratios.stream().filter(r -> r > 3).count()).isLessThan(ratios.size() / 20);
    }

    /** Every payment carries its merchant's country and category, and a merchant has one each. */
    @Test
    void everyMerchantHasOneCountryAndOneCategory() {
        Map<String, Set<String>> countries = new HashMap<>();
        Map<String, Set<String>> categories = new HashMap<>();
        for (GeneratedTransaction t : sample) {
            TransactionEvent e = t.event();
            countries.computeIfAbsent(e.merchantId, m -> new HashSet<>()).add(e.country);
            categories.computeIfAbsent(e.merchantId, m -> new HashSet<>()).add(e.merchantCategory);
        }

        assertThat(countries).hasSizeGreaterThan(1_900);
        assertThat(countries).allSatisfy((merchant, in) -> assertThat(in).hasSize(1));
        assertThat(categories).allSatisfy((merchant, in) -> assertThat(in).hasSize(1));
        assertThat(categories.values().stream().flatMap(Set::stream).collect(toSet()))
                .containsExactlyInAnyOrderElementsOf(TransactionGenerator.CATEGORIES);
    }

    /**
     * Cash comes from cash machines (6011) and nothing else is paid there; in person, cards pay at
     * groceries, restaurants, fuel stations, stores and transit, and online at web shops, transit
     * and digital-goods sites, but the odd large purchase (2 %) is at a store whose goods cost that
     * much, in person or online.
     */
    @Test
    void legitimatePaymentsAreAtMerchantsOfAFittingCategory() {
        Set<String> inPerson = Set.of("5411", "5812", "5541", "5311", "5999", "4111");
        Set<String> web = Set.of("5311", "5999", "4111", "5732", "5815", "5816");
        int payments = 0;
        int atResaleStores = 0;

        for (GeneratedTransaction t : withPattern(LEGIT)) {
            TransactionEvent e = t.event();
            if (e.channel == Channel.ATM) {
                assertThat(e.merchantCategory).as(e.eventId).isEqualTo(CASH_MACHINE);
                continue;
            }
            payments++;
            Set<String> usual = e.channel == Channel.POS ? inPerson : web;
            if (!usual.contains(e.merchantCategory)) {
                assertThat(e.merchantCategory).as(e.eventId).isIn(RESALE);
                atResaleStores++;
            }
        }
        assertThat(sample)
                .filteredOn(t -> t.event().merchantCategory.equals(CASH_MACHINE))
                .allMatch(t -> t.event().channel == Channel.ATM);
        // 2 % of payments are large; half of those in person and a seventh of those online are at
        // a jewellery or (in person) electronics store: about 0.7 % of payments.
        assertThat((double) atResaleStores / payments).isBetween(0.004, 0.012);
    }

    /**
     * A new fraud device is brought for one episode: every {@code d-f<n>} belongs to one card and
     * one episode, and no legitimate payment uses it.
     */
    @Test
    void eachNewFraudDeviceServesOneEpisode() {
        Map<String, Integer> episodesPerDevice = new HashMap<>();
        for (Episode episode : episodes) {
            episode.events().stream()
                    .map(e -> e.deviceId)
                    .filter(d -> d != null && d.startsWith("d-f"))
                    .distinct()
                    .forEach(d -> episodesPerDevice.merge(d, 1, Integer::sum));
        }

        assertThat(episodesPerDevice).hasSizeGreaterThan(1_000);
        assertThat(episodesPerDevice).allSatisfy((device, n) -> assertThat(n).isOne());
        assertThat(legitDevices()).noneMatch(d -> d.startsWith("d-f"));
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
        // No fraud pattern withdraws cash.
        assertThat(sample)
                .filteredOn(t -> t.event().channel == Channel.ATM)
                .noneMatch(GeneratedTransaction::fraud);
    }

    @Test
    void onlyOnlinePaymentsCarryADevice() {
        assertThat(sample)
                .allSatisfy(
                        t ->
                                assertThat(t.event().deviceId != null)
                                        .as(t.event().eventId)
                                        .isEqualTo(t.event().channel == Channel.ONLINE));
    }

    /**
     * Legitimate payments overlap with fraud: cards use only their own devices, but now and then a
     * new phone ({@code d-<card>-2} and on); they travel (a few days abroad, paying at the point of
     * sale and at ATMs there, about 5 % of such payments); and buy online from foreign shops.
     */
    @Test
    void legitimateCardsUseTheirOwnDevicesTravelAndChangePhones() {
        Map<String, String> home = homeCountries();
        Set<String> newPhones = new HashSet<>();
        Set<String> travellers = new HashSet<>();
        int inPerson = 0;
        int inPersonAbroad = 0;

        for (GeneratedTransaction t : withPattern(LEGIT)) {
            TransactionEvent e = t.event();
            if (e.deviceId != null) {
                assertThat(e.deviceId).matches(ownDevice(e.cardId));
                if (!e.deviceId.endsWith("-0") && !e.deviceId.endsWith("-1")) {
                    newPhones.add(e.deviceId);
                }
            }
            String country = home.get(e.cardId);
            if (country != null && e.channel != Channel.ONLINE) {
                inPerson++;
                if (!e.country.equals(country)) {
                    inPersonAbroad++;
                    travellers.add(e.cardId);
                }
            }
        }

        assertThat(newPhones).hasSizeGreaterThan(30);
        assertThat(travellers).hasSizeGreaterThan(300);
        assertThat((double) inPersonAbroad / inPerson).isBetween(0.02, 0.08);
    }

    // ---- helpers ----

    /**
     * One planted fraud episode.
     *
     * @param pattern its pattern
     * @param transactions its events in the sample, in id order (which is time order)
     * @param trigger the legitimate payment it was planted at, whose time is the episode's start
     * @param complete whether the sample runs on long enough after the start to hold all of it
     */
    private record Episode(
            String pattern,
            List<GeneratedTransaction> transactions,
            GeneratedTransaction trigger,
            boolean complete) {

        List<TransactionEvent> events() {
            return transactions.stream().map(GeneratedTransaction::event).toList();
        }

        /** From the start to the first event, then between consecutive events. */
        List<Long> gaps() {
            List<Long> gaps = new ArrayList<>();
            long previous = trigger.event().eventTimeMs;
            for (TransactionEvent e : events()) {
                gaps.add(e.eventTimeMs - previous);
                previous = e.eventTimeMs;
            }
            return gaps;
        }

        @Override
        public String toString() {
            return pattern
                    + " "
                    + transactions.get(0).event().eventId
                    + " ("
                    + transactions.size()
                    + " events)";
        }
    }

    /**
     * The sample's fraud in episodes. The generator plants an episode's events all at once, when it
     * generates a legitimate payment and before that payment gets its id: so an episode's events
     * hold consecutive ids, and the next id is that payment's. Runs of consecutive fraud ids in the
     * sample are episodes; an episode still under way when the sample ends has only its first
     * events there, its others are yet to come.
     */
    private static List<Episode> episodes() {
        Map<Long, GeneratedTransaction> bySequence = new HashMap<>();
        sample.forEach(t -> bySequence.put(sequence(t.event()), t));
        List<GeneratedTransaction> fraud =
                sample.stream()
                        .filter(GeneratedTransaction::fraud)
                        .sorted(Comparator.comparingLong(t -> sequence(t.event())))
                        .toList();
        long end = sample.get(sample.size() - 1).event().eventTimeMs;
        List<Episode> result = new ArrayList<>();
        List<GeneratedTransaction> run = new ArrayList<>();
        for (GeneratedTransaction t : fraud) {
            if (!run.isEmpty()
                    && sequence(t.event()) != sequence(run.get(run.size() - 1).event()) + 1) {
                result.add(episode(run, bySequence, end));
                run = new ArrayList<>();
            }
            run.add(t);
        }
        if (!run.isEmpty()) {
            result.add(episode(run, bySequence, end));
        }
        return result;
    }

    private static Episode episode(
            List<GeneratedTransaction> run, Map<Long, GeneratedTransaction> bySequence, long end) {
        // Where the sample ends before the episode does, the ids of its missing events come first.
        long next = sequence(run.get(run.size() - 1).event()) + 1;
        for (int missing = 0; missing < 22 && !bySequence.containsKey(next); missing++) {
            next++;
        }
        GeneratedTransaction trigger = bySequence.get(next);
        boolean complete =
                trigger != null && trigger.event().eventTimeMs + LONGEST_EPISODE_MS < end;
        return new Episode(run.get(0).pattern(), List.copyOf(run), trigger, complete);
    }

    private static long sequence(TransactionEvent event) {
        return Long.parseLong(event.eventId.substring(event.eventId.lastIndexOf('-') + 1));
    }

    private static List<Episode> episodes(String pattern) {
        return episodes.stream().filter(e -> e.pattern().equals(pattern)).toList();
    }

    private static double shareOfEpisodes(String pattern) {
        return (double) episodes(pattern).size() / episodes.size();
    }

    /** The sizes that wholly sampled episodes come in. */
    private static Set<Integer> completeSizes(List<Episode> episodes) {
        return episodes.stream()
                .filter(Episode::complete)
                .map(e -> e.events().size())
                .collect(toSet());
    }

    private static Set<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().collect(toSet());
    }

    /** The pattern of a card's own device ids: the ones it came with and its new phones. */
    private static String ownDevice(String cardId) {
        return "d-" + cardId.substring(2) + "-\\d+";
    }

    private static boolean isCents(double amount) {
        return Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;
    }

    /** The device ids cards use legitimately. */
    private static Set<String> legitDevices() {
        return withPattern(LEGIT).stream()
                .map(t -> t.event().deviceId)
                .filter(d -> d != null)
                .collect(toSet());
    }

    /** Each card's most common country among its legitimate events, for cards with 20 or more. */
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
                    if (total >= 20) {
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

    /** The median legitimate non-ATM amount of each card with 50 or more such events. */
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
                    if (values.size() >= 50) {
                        median.put(card, median(values));
                    }
                });
        return median;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
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
