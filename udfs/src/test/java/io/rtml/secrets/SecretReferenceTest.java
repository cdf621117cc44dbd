package io.rtml.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretReferenceTest {
    private static final Map<String, String> ENVIRONMENT =
            Map.of("RTML_KAFKA_SASL_PASSWORD", "s3cr3t", "EMPTY", "");

    @TempDir Path dir;

    @Test
    void readsAVariableOrAFileWithoutItsLastLineEnd() throws Exception {
        Path crlf = Files.writeString(dir.resolve("crlf"), "changeit\r\n");
        Path twoLines = Files.writeString(dir.resolve("two"), "line\n\n");

        assertThat(resolve("env:RTML_KAFKA_SASL_PASSWORD")).isEqualTo("s3cr3t");
        assertThat(resolve("file:" + crlf)).isEqualTo("changeit");
        assertThat(resolve("file:" + twoLines)).isEqualTo("line\n");
    }

    @Test
    void namesTheOptionAndTheVariableWhenItIsMissingOrEmpty() {
        assertThatThrownBy(() -> resolve("env:RTML_KAFKA_PASSWORD_TYPO"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "kafka.sasl.password: environment variable RTML_KAFKA_PASSWORD_TYPO is not"
                                + " set in this process");
        assertThatThrownBy(() -> resolve("env:EMPTY"))
                .hasMessageStartingWith(
                        "kafka.sasl.password: environment variable EMPTY is empty in this process");
    }

    @Test
    void namesTheOptionAndTheFileWhenItIsMissingOrEmpty() throws Exception {
        Path missing = dir.resolve("no-such-secret");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        assertThatThrownBy(() -> resolve("file:" + missing))
                .hasMessageStartingWith(
                        "kafka.sasl.password: cannot read file "
                                + missing
                                + " (it does not exist)");
        assertThatThrownBy(() -> resolve("file:" + empty))
                .hasMessage("kafka.sasl.password: file " + empty + " is empty");
    }

    @Test
    void refusesAValueThatIsNoReferenceWithoutRepeatingIt() {
        assertThatThrownBy(() -> resolve("hunter2"))
                .hasMessage("kafka.sasl.password: give env:VARIABLE or file:/path")
                .hasMessageNotContaining("hunter2");
        assertThat(SecretReference.isReference("hunter2")).isFalse();
        assertThat(SecretReference.isReference("file:/run/secrets/kafka")).isTrue();
    }

    @Test
    void theKafkaProviderQuotesForJaasOnlyWhenAskedTo() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "a\"b\\c\n");
        String reference = "file:" + password;
        try (KafkaSecretProvider provider = new KafkaSecretProvider()) {
            assertThat(provider.get("jaas", java.util.Set.of(reference)).data())
                    .containsExactly(Map.entry(reference, "a\\\"b\\\\c"));
            assertThat(provider.get("plain", java.util.Set.of(reference)).data())
                    .containsExactly(Map.entry(reference, "a\"b\\c"));
        }
        assertThat(KafkaSecretProvider.inJaas(reference))
                .isEqualTo("${rtml:jaas:file:" + password + "}");
    }

    private static String resolve(String reference) {
        return SecretReference.resolve("kafka.sasl.password", reference, ENVIRONMENT);
    }
}
