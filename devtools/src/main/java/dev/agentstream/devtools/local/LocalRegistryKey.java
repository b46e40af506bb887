package dev.agentstream.devtools.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The registry key of local runs: a random key kept in the local folder ({@code .local/}), made on
 * the first run and reused by every later one.
 */
final class LocalRegistryKey {

    private static final String FILE = "registry.key";

    private LocalRegistryKey() {}

    /** The key file in {@code dir}, created with owner-only permissions when absent. */
    static Path ensure(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            return file;
        }
        byte[] random = new byte[48];
        new SecureRandom().nextBytes(random);
        String key = Base64.getEncoder().encodeToString(random);
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, FILE, ".partial");
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the folder's own permissions apply.
        }
        Files.writeString(partial, key, StandardCharsets.UTF_8);
        return Files.move(partial, file);
    }
}
