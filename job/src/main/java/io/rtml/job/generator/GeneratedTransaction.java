package io.rtml.job.generator;

import io.rtml.event.TransactionEvent;

/**
 * A generated event with its ground truth.
 *
 * @param event the event, as a producer would send it
 * @param fraud whether the generator planted it as fraud
 * @param pattern {@code legit}, or the fraud pattern it belongs to
 */
public record GeneratedTransaction(TransactionEvent event, boolean fraud, String pattern) {}
