package io.rtml.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A secret named by where it is rather than given as itself: {@code env:VARIABLE} (an environment
 * variable) or {@code file:/path} (a mounted secret; one trailing line end is not part of it). The
 * job's configuration, and so its job graph, holds only the reference; it is resolved where a
 * connection is opened, on the JobManager and TaskManagers, never on the client that submits.
 */
public final class SecretReference {
    public static final String ENV = "env:";
    public static final String FILE = "file:";

    private SecretReference() {}

    /** Whether {@code value} names where a secret is rather than being one. */
    public static boolean isReference(String value) {
        return value != null && (value.startsWith(ENV) || value.startsWith(FILE));
    }

    /**
     * What is wrong with the form of a reference (checked when the job starts, without reading it),
     * or {@code null} when it is well formed.
     */
    public static String problem(String reference) {
        if (reference.startsWith(ENV)) {
            String variable = reference.substring(ENV.length());
            return variable.matches("[A-Za-z_][A-Za-z0-9_]*")
                    ? null
                    : variable.isEmpty()
                            ? "env: needs a variable name"
                            : "\"" + variable + "\" is not an environment variable's name";
        }
        if (reference.startsWith(FILE)) {
            String file = reference.substring(FILE.length());
            if (file.isEmpty()) {
                return "file: needs a path";
            }
            if (!file.startsWith("/")) {
                return "file: needs an absolute path (it is read on the cluster), got " + file;
            }
            return file.contains("}") || file.contains("${")
                    ? "file: the path must not contain } or ${, got " + file
                    : null;
        }
        return "give env:VARIABLE or file:/path";
    }

    /** The secret {@code reference} names, read from this process's environment or disk. */
    public static String resolve(String option, String reference) {
        return resolve(option, reference, System.getenv());
    }

    /**
     * The secret {@code reference} names; {@code option} (the setting it came from) names it in the
     * error when it cannot be read, which never shows the secret.
     *
     * @throws IllegalStateException when the variable is unset or empty, or the file unreadable or
     *     empty
     */
    static String resolve(String option, String reference, Map<String, String> environment) {
        String problem = problem(reference);
        if (problem != null) {
            throw new IllegalStateException(option + ": " + problem);
        }
        if (reference.startsWith(ENV)) {
            String variable = reference.substring(ENV.length());
            String value = environment.get(variable);
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException(
                        option
                                + ": environment variable "
                                + variable
                                + (value == null ? " is not set" : " is empty")
                                + " in this process (secrets are read on the JobManager and"
                                + " TaskManagers)");
            }
            return value;
        }
        Path file = Path.of(reference.substring(FILE.length()));
        String value;
        try {
            value = stripLineEnd(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    option
                            + ": cannot read file "
                            + file
                            + (Files.exists(file) ? "" : " (it does not exist)")
                            + " in this process (secrets are read on the JobManager and"
                            + " TaskManagers)");
        }
        if (value.isEmpty()) {
            throw new IllegalStateException(option + ": file " + file + " is empty");
        }
        return value;
    }

    /** A mounted secret or an {@code echo > file} ends with one line end; it is not part of it. */
    private static String stripLineEnd(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        if (text.endsWith("\n")) {
            return text.substring(0, text.length() - 1);
        }
        return text;
    }
}
