package io.rtml.job.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for localhost (and not for 127.0.0.1: a client that connects by that
 * address meets a certificate for another host name), made with the JDK's keytool: a PKCS12 key
 * store for the servers, a PKCS12 trust store for the clients, and the same key and certificate as
 * PEM files for redis-server.
 */
final class SelfSignedTls {
    final Path keyStore;
    final Path trustStore;
    final Path certificatePem;
    final Path privateKeyPem;
    final String password = "ks-" + UUID.randomUUID();

    private SelfSignedTls(Path directory) {
        keyStore = directory.resolve("server.p12");
        trustStore = directory.resolve("truststore.p12");
        certificatePem = directory.resolve("server.crt");
        privateKeyPem = directory.resolve("server.key");
    }

    static SelfSignedTls create(Path directory) throws Exception {
        SelfSignedTls tls = new SelfSignedTls(directory);
        Path certificate = directory.resolve("server.der");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                tls.keyStore.toString(),
                "-storepass",
                tls.password,
                "-keypass",
                tls.password);
        keytool(
                "-exportcert",
                "-alias",
                "server",
                "-keystore",
                tls.keyStore.toString(),
                "-storepass",
                tls.password,
                "-file",
                certificate.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "server",
                "-file",
                certificate.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                tls.trustStore.toString(),
                "-storepass",
                tls.password);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keyStore)) {
            store.load(in, tls.password.toCharArray());
        }
        Key key = store.getKey("server", tls.password.toCharArray());
        Certificate cert = store.getCertificate("server");
        Files.writeString(tls.privateKeyPem, pem("PRIVATE KEY", key.getEncoded()));
        Files.writeString(tls.certificatePem, pem("CERTIFICATE", cert.getEncoded()));
        return tls;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
