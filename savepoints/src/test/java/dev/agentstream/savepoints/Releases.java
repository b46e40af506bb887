package dev.agentstream.savepoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The release folders of this module: {@code v0.1/}, ... each with a savepoint and its manifest.
 */
final class Releases {

    /** The savepoint's folder inside a release folder. */
    static final String SAVEPOINT = "savepoint";

    static final String ORGANISM = "organism.yaml";
    static final String REGISTRY_KEY = "registry.key";

    /** The per-tenant quota limits of the job that took the savepoint, from v0.2. */
    static final String QUOTA = "quota.yaml";

    private Releases() {}

    /** This module's folder: the working directory of its tests, or the one Maven names. */
    static Path module() {
        String named = System.getProperty("savepoint.module");
        return Path.of(named == null || named.isBlank() ? "" : named).toAbsolutePath();
    }

    /** Every release folder that holds a manifest, oldest first. */
    static List<Path> all() throws IOException {
        try (Stream<Path> dirs = Files.list(module())) {
            return dirs.filter(d -> d.getFileName().toString().matches("v\\d+(\\.\\d+)*"))
                    .filter(d -> Files.isRegularFile(d.resolve(Manifest.FILE)))
                    .sorted()
                    .toList();
        }
    }

    static Path release(String name) {
        return module().resolve(name);
    }
}
