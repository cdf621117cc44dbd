package io.rtml.job.generator;

import picocli.CommandLine.Option;

/** How the event generator is set up; the defaults are the demo's and the shipped model's. */
public final class GeneratorOptions {
    private static final TransactionGenerator.Settings DEFAULTS =
            TransactionGenerator.Settings.defaults(1, 0);

    @Option(names = "--seed", description = "Same seed, same events (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--cards", description = "Cards that transact (default: ${DEFAULT-VALUE}).")
    int cards = DEFAULTS.cards();

    @Option(names = "--merchants", description = "Merchants (default: ${DEFAULT-VALUE}).")
    int merchants = DEFAULTS.merchants();

    @Option(
            names = "--per-card-per-day",
            description =
                    "Average legitimate transactions per card per simulated day (default: "
                            + "4, or what --simulated-rate makes it).")
    Double perCardPerDay;

    @Option(
            names = "--simulated-rate",
            paramLabel = "EVENTS_PER_S",
            description =
                    "Events per second of simulated time, all cards together, from the start:"
                            + " simulated time then passes as live traffic at that rate would"
                            + " (sets the per-card rate for the start's hour of the day; not with"
                            + " --per-card-per-day).")
    Double simulatedRate;

    @Option(
            names = "--fraud-share",
            description = "Share of events that are fraud, roughly (default: ${DEFAULT-VALUE}).")
    double fraudShare = DEFAULTS.fraudShare();

    public TransactionGenerator generator(long startTimeMs) {
        return new TransactionGenerator(
                new TransactionGenerator.Settings(
                        seed,
                        cards,
                        merchants,
                        perCardPerDay(startTimeMs),
                        fraudShare,
                        startTimeMs));
    }

    private double perCardPerDay(long startTimeMs) {
        if (simulatedRate == null) {
            return perCardPerDay == null ? DEFAULTS.transactionsPerCardPerDay() : perCardPerDay;
        }
        if (perCardPerDay != null) {
            throw new IllegalArgumentException(
                    "--simulated-rate and --per-card-per-day both set the per-card rate: give one");
        }
        if (!(simulatedRate > 0)) {
            throw new IllegalArgumentException(
                    "--simulated-rate must be a positive number of events per second, got "
                            + simulatedRate);
        }
        return TransactionGenerator.transactionsPerCardPerDay(simulatedRate, cards, startTimeMs);
    }
}
