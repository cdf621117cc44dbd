package io.rtml.job.config;

/** How the job's Kafka clients reach the brokers: Kafka's {@code security.protocol}. */
public enum KafkaSecurityProtocol {
    PLAINTEXT(false, false),
    SSL(true, false),
    SASL_PLAINTEXT(false, true),
    SASL_SSL(true, true);

    private final boolean tls;
    private final boolean sasl;

    KafkaSecurityProtocol(boolean tls, boolean sasl) {
        this.tls = tls;
        this.sasl = sasl;
    }

    public boolean tls() {
        return tls;
    }

    public boolean sasl() {
        return sasl;
    }
}
