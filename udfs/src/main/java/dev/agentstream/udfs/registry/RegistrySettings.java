package dev.agentstream.udfs.registry;

import org.apache.flink.util.Preconditions;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Settings of the thread registry. The key that signs its links is never part of the job graph:
 * each task reads it from a file (a mounted secret) or, without one, from an environment variable.
 *
 * @param keyFile path of a file holding the key, or null to read {@code keyEnv}
 * @param keyEnv environment variable holding the key when no file is given
 * @param maxDepth calls one chain may hold below its root thread; a deeper call is refused
 */
public record RegistrySettings(String keyFile, String keyEnv, int maxDepth)
        implements Serializable {

    /** Default environment variable of the registry key. */
    public static final String DEFAULT_KEY_ENV = "AGENTSTREAM_REGISTRY_KEY";

    /** Default depth limit of a call chain. */
    public static final int DEFAULT_MAX_DEPTH = 8;

    /** Shortest key accepted, in bytes: HMAC-SHA256 wants at least its output length. */
    public static final int MIN_KEY_BYTES = 32;

    public RegistrySettings {
        Preconditions.checkArgument(maxDepth > 0, "maxDepth must be > 0: %s", maxDepth);
        Preconditions.checkArgument(
                keyFile != null || (keyEnv != null && !keyEnv.isBlank()),
                "a registry key file or environment variable is needed");
    }

    /** The key, read now; fails with a message that says where it was looked for. */
    public byte[] loadKey() {
        String key;
        String source;
        if (keyFile != null) {
            source = "file " + keyFile + " (registry.key-file)";
            try {
                key = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the registry key from " + source, e);
            }
        } else {
            source = "environment variable " + keyEnv + " (registry.key-env)";
            key = System.getenv(keyEnv);
            key = key == null ? "" : key.strip();
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalStateException(
                    "the registry key from "
                            + source
                            + " is missing or shorter than "
                            + MIN_KEY_BYTES
                            + " bytes; it signs the links between threads"
                            + " (e.g. openssl rand -base64 48)");
        }
        return bytes;
    }
}
