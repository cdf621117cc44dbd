package io.rtml.job.cli;

import io.rtml.job.generator.TransactionGenerator;
import picocli.CommandLine.Option;

/** How the event generator is set up; the defaults are the demo's and the shipped model's. */
final class GeneratorOptions {
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
                    "Average legitimate transactions per card per simulated day (default:"
                            + " ${DEFAULT-VALUE}).")
    double perCardPerDay = DEFAULTS.transactionsPerCardPerDay();

    @Option(
            names = "--fraud-share",
            description = "Share of events that are fraud, roughly (default: ${DEFAULT-VALUE}).")
    double fraudShare = DEFAULTS.fraudShare();

    TransactionGenerator generator(long startTimeMs) {
        return new TransactionGenerator(
                new TransactionGenerator.Settings(
                        seed, cards, merchants, perCardPerDay, fraudShare, startTimeMs));
    }
}
