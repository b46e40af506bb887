package dev.agentstream.devtools.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The registry key of a local run: a random key kept in the run's folder, made on the first run and
 * reused after, so that links written before a restart are still believed after it.
 */
final class LocalRegistryKey {

    private static final String FILE = "registry.key";

    private LocalRegistryKey() {}

    /** The key file in {@code runDir}, created with owner-only permissions when absent. */
    static Path ensure(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (Files.exists(file)) {
            return file;
        }
        byte[] random = new byte[48];
        new SecureRandom().nextBytes(random);
        String key = Base64.getEncoder().encodeToString(random);
        Files.createDirectories(runDir);
        Path partial = Files.createTempFile(runDir, FILE, ".partial");
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the folder's own permissions apply.
        }
        Files.writeString(partial, key, StandardCharsets.UTF_8);
        return Files.move(partial, file);
    }
}
