package dev.agentstream.udfs.control;

import org.apache.flink.util.Preconditions;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the control topic's commands. The key that signs them is never part of the job graph:
 * each task reads it from a file (a mounted secret) or, without one, from an environment variable,
 * as the registry key is read. It must not be the registry key: whoever may erase a tenant need not
 * be able to sign the job's links, nor the other way round.
 *
 * @param keyFile path of a file holding the key, or null to read {@code keyEnv}
 * @param keyEnv environment variable holding the key when no file is given
 * @param maxAge how long after it was signed a command may reach the control topic
 */
public record ControlSettings(String keyFile, String keyEnv, Duration maxAge)
        implements Serializable {

    public static final String DEFAULT_KEY_ENV = "AGENTSTREAM_CONTROL_KEY";
    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(15);

    /** Shortest key accepted, in bytes: HMAC-SHA256 wants at least its output length. */
    public static final int MIN_KEY_BYTES = 32;

    /** How far ahead of the record's time a command's signing time may be (clock skew). */
    public static final Duration SKEW = Duration.ofMinutes(1);

    public ControlSettings {
        Preconditions.checkArgument(
                keyFile != null || (keyEnv != null && !keyEnv.isBlank()),
                "a control key file or environment variable is needed");
        Preconditions.checkArgument(
                maxAge != null && !maxAge.isNegative() && !maxAge.isZero(),
                "control.max-age must be positive");
    }

    /** The key, read now; fails with a message that says where it was looked for. */
    public byte[] loadKey() {
        String key;
        String source;
        if (keyFile != null) {
            source = "file " + keyFile + " (control.key-file)";
            try {
                key = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the control key from " + source, e);
            }
        } else {
            source = "environment variable " + keyEnv + " (control.key-env)";
            key = System.getenv(keyEnv);
            key = key == null ? "" : key.strip();
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalStateException(
                    "the control key from "
                            + source
                            + " is missing or shorter than "
                            + MIN_KEY_BYTES
                            + " bytes; it signs the commands of the control topic"
                            + " (e.g. openssl rand -base64 48)");
        }
        return bytes;
    }
}
