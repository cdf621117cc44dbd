package io.rtml.sink;

import io.rtml.secrets.SecretReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the job authenticates to Redis and which certificates it trusts over TLS ({@code rediss://}).
 * As the job's configuration builds it, the username and passwords may be {@link SecretReference}s
 * ({@code env:}/{@code file:}), which is all the job graph holds; the Redis sink {@link #resolve}s
 * them when it opens, on the TaskManager. Neither form is printed: {@link #toString()} hides the
 * password.
 *
 * @param username the ACL user (or a reference to it), or {@code null} for Redis's default user
 * @param password the AUTH password (or a reference to it), or {@code null} for none
 * @param trustStore a trust store file (PKCS12 or JKS) for TLS, or {@code null} for the JVM's
 * @param trustStorePassword its password (or a reference to it), or {@code null}
 * @param trustStoreType {@code PKCS12} or {@code JKS}
 */
public record RedisSecurity(
        String username,
        String password,
        String trustStore,
        String trustStorePassword,
        String trustStoreType)
        implements Serializable {

    /** No AUTH, the JVM's trusted certificates. */
    public static final RedisSecurity NONE = new RedisSecurity(null, null, null, null, "PKCS12");

    /**
     * These settings with every {@code env:}/{@code file:} reference replaced by the secret it
     * names, read here; other values stay as they are.
     *
     * @throws IllegalStateException naming the option and the variable or file that cannot be read
     */
    public RedisSecurity resolve() {
        return new RedisSecurity(
                resolve("redis.username", username),
                resolve("redis.password", password),
                trustStore,
                resolve("redis.truststore.password", trustStorePassword),
                trustStoreType);
    }

    private static String resolve(String option, String value) {
        return SecretReference.isReference(value) ? SecretReference.resolve(option, value) : value;
    }

    /** An SSL socket factory that trusts {@link #trustStore}, or the JVM's default. */
    SSLSocketFactory socketFactory() {
        if (trustStore == null) {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        try (InputStream in = Files.newInputStream(Path.of(trustStore))) {
            KeyStore store = KeyStore.getInstance(trustStoreType);
            store.load(in, trustStorePassword == null ? null : trustStorePassword.toCharArray());
            TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot use the Redis trust store " + trustStore + ": " + e.getMessage(), e);
        }
    }

    /** TLS that checks the server's name against its certificate, as HTTPS does. */
    static SSLParameters verifyingHostname() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    @Override
    public String toString() {
        return "RedisSecurity[username="
                + username
                + ", password="
                + (password == null ? "(none)" : "***")
                + ", trustStore="
                + trustStore
                + ", trustStoreType="
                + trustStoreType
                + "]";
    }
}
