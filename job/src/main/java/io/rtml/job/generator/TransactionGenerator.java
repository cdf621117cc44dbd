package io.rtml.job.generator;

import io.rtml.event.Channel;
import io.rtml.event.TransactionEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Card transactions in simulated time, deterministic for a seed: many cards with their own home
 * country, spending level, channel mix, devices and usual shops and web sites, following a daily
 * rhythm. Merchants have a country and an ISO 18245 category ({@link #CATEGORIES}): cards pay in
 * person at groceries, restaurants, fuel stations, stores and transit, online at web shops, transit
 * and digital-goods sites, and withdraw cash at cash machines (6011); an event's country is its
 * merchant's. Legitimate behaviour overlaps with fraud on purpose: cards travel (a few days abroad
 * at new merchants), make the odd large purchase (at an electronics, jewellery or department
 * store), replace a phone (a new device), and buy small things online. Fraud is planted, as ground
 * truth, in three patterns:
 *
 * <ul>
 *   <li>{@code card_testing}: a burst of small online payments at random digital-goods merchants
 *       (5815, 5816) anywhere, seconds to a minute apart, usually from a new device;
 *   <li>{@code account_takeover}: a new device, often in another country, then a few payments
 *       several times the card's usual amount at stores whose goods resell (5732 electronics, 5944
 *       jewellery, 5311 department stores), minutes apart;
 *   <li>{@code compromised_merchant}: a merchant whose terminal is skimmed (a fuel station,
 *       restaurant or grocery, in person) or whose web shop is breached (online, with the victims'
 *       own devices): within the better part of an hour, many different cards pay there, each an
 *       unremarkable amount.
 * </ul>
 *
 * <p>Each of these is hard to tell from its event alone and easy from the card's or the merchant's
 * recent past, which is what the windowed features are for. Simulated time starts at {@link
 * Settings#startTimeMs} and advances with the events, at {@link Settings#transactionsPerCardPerDay}
 * per card on average.
 */
public final class TransactionGenerator {
    /**
     * @param seed the same seed gives the same events
     * @param cards how many cards transact
     * @param merchants how many merchants they pay
     * @param transactionsPerCardPerDay average legitimate rate per card
     * @param fraudShare the share of events that are fraud, roughly
     * @param startTimeMs simulated time of the first event
     */
    public record Settings(
            long seed,
            int cards,
            int merchants,
            double transactionsPerCardPerDay,
            double fraudShare,
            long startTimeMs) {

        public Settings {
            if (cards < 1 || merchants < 10) {
                throw new IllegalArgumentException("need at least 1 card and 10 merchants");
            }
            if (!(transactionsPerCardPerDay > 0) || !(fraudShare >= 0 && fraudShare < 0.5)) {
                throw new IllegalArgumentException(
                        "transactions per card per day must be positive and the fraud share"
                                + " between 0 and 0.5");
            }
        }

        public static Settings defaults(long seed, long startTimeMs) {
            return new Settings(seed, 100_000, 5_000, 4, 0.008, startTimeMs);
        }
    }

    /** Home countries and their currencies, with how common each is among cards. */
    private static final String[] COUNTRIES = {
        "DE", "FR", "NL", "ES", "IT", "GB", "PL", "SE", "US", "PT"
    };

    private static final String[] CURRENCIES = {
        "EUR", "EUR", "EUR", "EUR", "EUR", "GBP", "PLN", "SEK", "USD", "EUR"
    };
    private static final double[] COUNTRY_WEIGHTS = {
        0.24, 0.18, 0.10, 0.12, 0.10, 0.10, 0.05, 0.04, 0.04, 0.03
    };

    /** The merchants' ISO 18245 category codes, with how common each is among merchants. */
    public static final List<String> CATEGORIES =
            List.of(
                    "5411", // grocery stores
                    "5812", // restaurants
                    "5541", // service stations
                    "5311", // department stores
                    "5999", // miscellaneous retail
                    "4111", // local transport
                    "5732", // electronics
                    "5944", // jewellery
                    "5815", // digital media
                    "5816", // digital games
                    "6011"); // cash machines

    private static final double[] CATEGORY_WEIGHTS = {
        0.20, 0.17, 0.08, 0.07, 0.12, 0.04, 0.05, 0.02, 0.07, 0.06, 0.12
    };

    private static final int[] IN_PERSON =
            categories("5411", "5812", "5541", "5311", "5999", "4111");
    private static final int[] WEB = categories("5311", "5999", "4111", "5732", "5815", "5816");
    private static final int[] CASH = categories("6011");
    private static final int[] RESALE = categories("5732", "5944", "5311");
    private static final int[] DIGITAL = categories("5815", "5816");
    private static final int[] SKIMMED = categories("5541", "5812", "5411");
    private static final int[] BREACHED = categories("5999", "5311", "5732");

    /** Relative activity per hour of day (UTC), peaking around midday and early evening. */
    private static final double[] HOURLY_ACTIVITY = {
        0.15, 0.08, 0.05, 0.04, 0.05, 0.10, 0.30, 0.60, 0.85, 0.95, 1.00, 1.00,
        1.00, 0.95, 0.90, 0.90, 0.95, 1.00, 1.00, 0.90, 0.75, 0.60, 0.40, 0.25
    };

    private static final double DAY_MS = 86_400_000d;
    private static final double HOUR_MS = 3_600_000d;

    /** Expected fraud events per episode: card testing, account takeover, compromised merchant. */
    private static final double MEAN_FRAUD_EVENTS_PER_EPISODE = 0.35 * 7.5 + 0.35 * 3.5 + 0.30 * 14;

    private final Settings settings;
    private final SplittableRandom random;
    private final Card[] cards;
    private final int[] merchantCountries;
    private final int[] merchantCategories;

    /** Merchants by country and category: {@code [country * CATEGORIES.size() + category]}. */
    private final int[][] byCountryAndCategory;

    /** Merchants by category, in every country. */
    private final int[][] byCategory;

    /** Merchants by country, of every category. */
    private final int[][] byCountry;

    private final double peakIntervalMs;
    private final PriorityQueue<GeneratedTransaction> planted =
            new PriorityQueue<>(
                    (a, b) -> {
                        int byTime = Long.compare(a.event().eventTimeMs, b.event().eventTimeMs);
                        return byTime != 0
                                ? byTime
                                : a.event().eventId.compareTo(b.event().eventId);
                    });
    private double clockMs;
    private long sequence;
    private long fraudDevices;

    public TransactionGenerator(Settings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.merchantCountries = new int[settings.merchants()];
        this.merchantCategories = new int[settings.merchants()];
        for (int m = 0; m < merchantCountries.length; m++) {
            merchantCountries[m] = weighted(COUNTRY_WEIGHTS);
            merchantCategories[m] = weighted(CATEGORY_WEIGHTS);
        }
        this.byCountryAndCategory =
                group(
                        COUNTRIES.length * CATEGORIES.size(),
                        m -> merchantCountries[m] * CATEGORIES.size() + merchantCategories[m]);
        this.byCategory = group(CATEGORIES.size(), m -> merchantCategories[m]);
        this.byCountry = group(COUNTRIES.length, m -> merchantCountries[m]);
        this.cards = new Card[settings.cards()];
        for (int c = 0; c < cards.length; c++) {
            cards[c] = newCard(c);
        }
        // Candidate events arrive at the peak rate and are kept with the hour's activity.
        double eventsPerMs = settings.cards() * settings.transactionsPerCardPerDay() / DAY_MS;
        this.peakIntervalMs = meanActivity() / eventsPerMs;
        this.clockMs = settings.startTimeMs();
    }

    /**
     * The legitimate transactions per card per day that make {@code eventsPerSecond} events per
     * second of simulated time, all cards together, in the hour of the day of {@code atMs}: for
     * simulated time that passes as live traffic at that rate would.
     */
    public static double transactionsPerCardPerDay(double eventsPerSecond, int cards, long atMs) {
        int hour = (int) (Math.floorMod(atMs, (long) DAY_MS) / HOUR_MS);
        return eventsPerSecond * (DAY_MS / 1000) / cards * meanActivity() / HOURLY_ACTIVITY[hour];
    }

    private static double meanActivity() {
        double mean = 0;
        for (double activity : HOURLY_ACTIVITY) {
            mean += activity / HOURLY_ACTIVITY.length;
        }
        return mean;
    }

    /** The next event in simulated time. */
    public GeneratedTransaction next() {
        while (true) {
            double candidate = clockMs + exponential(peakIntervalMs);
            if (!planted.isEmpty() && planted.peek().event().eventTimeMs <= candidate) {
                GeneratedTransaction fraud = planted.poll();
                clockMs = Math.max(clockMs, fraud.event().eventTimeMs);
                return fraud;
            }
            clockMs = candidate;
            int hour = (int) ((clockMs % DAY_MS) / HOUR_MS);
            if (random.nextDouble() < HOURLY_ACTIVITY[hour]) {
                return legit((long) clockMs);
            }
        }
    }

    private GeneratedTransaction legit(long time) {
        Card card = cards[random.nextInt(cards.length)];
        if (random.nextDouble() < settings.fraudShare() / MEAN_FRAUD_EVENTS_PER_EPISODE) {
            plantFraud(card, time);
        }
        if (time >= card.tripUntilMs && random.nextDouble() < 0.004) {
            // A trip: a few days abroad, paying at merchants of that country.
            card.tripCountry = otherCountry(card.country);
            card.tripUntilMs = time + (long) ((1 + 4 * random.nextDouble()) * DAY_MS);
        }
        boolean abroad = time < card.tripUntilMs;
        if (random.nextDouble() < 0.0005) {
            // A new phone: a device the card has not used before, from now on.
            card.devices[random.nextInt(card.devices.length)] =
                    String.format("d-%s-%d", card.id.substring(2), ++card.deviceChanges + 1);
        }
        Channel channel = card.channel(random.nextDouble());
        int place = abroad ? card.tripCountry : card.country;
        int merchant;
        double roll = random.nextDouble();
        if (channel == Channel.ATM) {
            merchant = merchantIn(place, CASH);
        } else if (abroad) {
            merchant = merchantIn(place, channel == Channel.ONLINE ? WEB : IN_PERSON);
        } else if (roll < 0.80) {
            int[] usual = channel == Channel.ONLINE ? card.usualSites : card.usualShops;
            merchant = usual[random.nextInt(usual.length)];
        } else if (roll < 0.97) {
            merchant = merchantIn(place, channel == Channel.ONLINE ? WEB : IN_PERSON);
        } else {
            // Online from a foreign shop.
            merchant = merchantAnywhere(WEB);
            channel = Channel.ONLINE;
        }
        double amount;
        if (channel == Channel.ATM) {
            amount = 20 * (1 + random.nextInt(10));
        } else if (random.nextDouble() < 0.02) {
            // The odd large purchase, at a store whose goods cost that much.
            merchant = merchantIn(merchantCountries[merchant], RESALE);
            amount = cents(Math.exp(card.logAmount) * (3 + 5 * random.nextDouble()));
        } else {
            amount = cents(Math.exp(card.logAmount + 0.7 * gaussian()));
        }
        String device =
                channel == Channel.ONLINE
                        ? card.devices[random.nextInt(card.devices.length)]
                        : null;
        return new GeneratedTransaction(
                event(card, merchant, amount, channel, time, device), false, "legit");
    }

    private void plantFraud(Card card, long start) {
        double roll = random.nextDouble();
        if (roll < 0.35) {
            plantCardTesting(card, start);
        } else if (roll < 0.70) {
            plantAccountTakeover(card, start);
        } else {
            plantCompromisedMerchant(start);
        }
    }

    private void plantCardTesting(Card card, long start) {
        String device =
                random.nextDouble() < 0.8
                        ? "d-f" + (++fraudDevices)
                        : card.devices[random.nextInt(card.devices.length)];
        int events = 3 + random.nextInt(10);
        long time = start;
        for (int i = 0; i < events; i++) {
            time += 5_000 + random.nextInt(85_000);
            plant(
                    card,
                    merchantAnywhere(DIGITAL),
                    cents(0.5 + 4.5 * random.nextDouble()),
                    Channel.ONLINE,
                    time,
                    device,
                    "card_testing");
        }
    }

    private void plantAccountTakeover(Card card, long start) {
        String device = "d-f" + (++fraudDevices);
        int country = random.nextDouble() < 0.6 ? otherCountry(card.country) : card.country;
        int events = 2 + random.nextInt(4);
        long time = start;
        for (int i = 0; i < events; i++) {
            time += 60_000 + random.nextInt(1_140_000);
            double amount = cents(Math.exp(card.logAmount) * (2 + 6 * random.nextDouble()));
            Channel channel = random.nextDouble() < 0.7 ? Channel.ONLINE : Channel.POS;
            plant(
                    card,
                    merchantIn(country, RESALE),
                    amount,
                    channel,
                    time,
                    channel == Channel.ONLINE ? device : null,
                    "account_takeover");
        }
    }

    private void plantCompromisedMerchant(long start) {
        // A skimmed terminal 6 times in 10, else a breached web shop.
        Channel channel = random.nextDouble() < 0.6 ? Channel.POS : Channel.ONLINE;
        int merchant = merchantAnywhere(channel == Channel.POS ? SKIMMED : BREACHED);
        int events = 6 + random.nextInt(17);
        long time = start;
        for (int i = 0; i < events; i++) {
            time += 20_000 + random.nextInt(100_000);
            Card victim = cards[random.nextInt(cards.length)];
            plant(
                    victim,
                    merchant,
                    cents(Math.exp(victim.logAmount + 0.5 * gaussian())),
                    channel,
                    time,
                    channel == Channel.ONLINE
                            ? victim.devices[random.nextInt(victim.devices.length)]
                            : null,
                    "compromised_merchant");
        }
    }

    private int otherCountry(int home) {
        int country = home;
        while (country == home) {
            country = random.nextInt(COUNTRIES.length);
        }
        return country;
    }

    private void plant(
            Card card,
            int merchant,
            double amount,
            Channel channel,
            long time,
            String device,
            String pattern) {
        planted.add(
                new GeneratedTransaction(
                        event(card, merchant, amount, channel, time, device), true, pattern));
    }

    private TransactionEvent event(
            Card card, int merchant, double amount, Channel channel, long time, String device) {
        TransactionEvent event = new TransactionEvent();
        event.eventId = String.format("e-%d-%09d", settings.seed(), sequence++);
        event.cardId = card.id;
        event.merchantId = String.format("m-%05d", merchant);
        event.merchantCategory = CATEGORIES.get(merchantCategories[merchant]);
        event.amount = amount;
        event.currency = card.currency;
        event.country = COUNTRIES[merchantCountries[merchant]];
        event.channel = channel;
        event.eventTimeMs = time;
        event.deviceId = device;
        return event;
    }

    private Card newCard(int index) {
        int home = weighted(COUNTRY_WEIGHTS);
        Card card = new Card();
        card.id = String.format("c-%07d", index);
        card.country = home;
        card.currency = CURRENCIES[home];
        card.logAmount = 2.3 + 2.2 * random.nextDouble();
        double online = 0.15 + 0.5 * random.nextDouble();
        double atm = 0.02 + 0.08 * random.nextDouble();
        card.onlineShare = online;
        card.atmShare = atm;
        card.devices = new String[1 + random.nextInt(2)];
        for (int d = 0; d < card.devices.length; d++) {
            card.devices[d] = String.format("d-%07d-%d", index, d);
        }
        card.usualShops = new int[5 + random.nextInt(10)];
        for (int m = 0; m < card.usualShops.length; m++) {
            card.usualShops[m] = merchantIn(card.country, IN_PERSON);
        }
        card.usualSites = new int[2 + random.nextInt(4)];
        for (int m = 0; m < card.usualSites.length; m++) {
            card.usualSites[m] = merchantIn(card.country, WEB);
        }
        return card;
    }

    /**
     * A random merchant of one of {@code categories} in {@code country}; where the country has none
     * (few merchants), any of the country's; where it has no merchant at all, any merchant.
     */
    private int merchantIn(int country, int[] categories) {
        int merchant = pick(byCountryAndCategory, country * CATEGORIES.size(), categories);
        if (merchant >= 0) {
            return merchant;
        }
        int[] local = byCountry[country];
        return local.length > 0
                ? local[random.nextInt(local.length)]
                : random.nextInt(merchantCountries.length);
    }

    /** A random merchant of one of {@code categories} in any country, or any merchant. */
    private int merchantAnywhere(int[] categories) {
        int merchant = pick(byCategory, 0, categories);
        return merchant >= 0 ? merchant : random.nextInt(merchantCountries.length);
    }

    /** Uniformly one of the merchants in {@code groups[base + c]} for c in categories, or -1. */
    private int pick(int[][] groups, int base, int[] categories) {
        int total = 0;
        for (int category : categories) {
            total += groups[base + category].length;
        }
        if (total == 0) {
            return -1;
        }
        int index = random.nextInt(total);
        for (int category : categories) {
            int[] group = groups[base + category];
            if (index < group.length) {
                return group[index];
            }
            index -= group.length;
        }
        throw new AssertionError("unreachable");
    }

    /** The merchants, grouped by {@code key} into {@code size} groups in merchant order. */
    private int[][] group(int size, IntUnaryOperator key) {
        List<List<Integer>> groups = new ArrayList<>(size);
        for (int g = 0; g < size; g++) {
            groups.add(new ArrayList<>());
        }
        for (int m = 0; m < merchantCountries.length; m++) {
            groups.get(key.applyAsInt(m)).add(m);
        }
        return groups.stream()
                .map(g -> g.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
    }

    private static int[] categories(String... codes) {
        return Arrays.stream(codes).mapToInt(CATEGORIES::indexOf).toArray();
    }

    private int weighted(double[] weights) {
        double roll = random.nextDouble();
        for (int i = 0; i < weights.length - 1; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private double exponential(double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    private double gaussian() {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static double cents(double amount) {
        return Math.max(0.01, Math.round(amount * 100) / 100.0);
    }

    /** The events of many cards, in generation order: a convenience for tests and tools. */
    public List<GeneratedTransaction> take(int count) {
        List<GeneratedTransaction> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(next());
        }
        return events;
    }

    private static final class Card {
        String id;
        int country;
        int tripCountry;
        long tripUntilMs;
        int deviceChanges;
        String currency;
        double logAmount;
        double onlineShare;
        double atmShare;
        String[] devices;
        int[] usualShops;
        int[] usualSites;

        Channel channel(double roll) {
            if (roll < atmShare) {
                return Channel.ATM;
            }
            return roll < atmShare + onlineShare ? Channel.ONLINE : Channel.POS;
        }
    }
}
