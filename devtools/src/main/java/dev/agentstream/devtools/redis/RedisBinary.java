package dev.agentstream.devtools.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a {@code redis-server} to run: on the PATH, else unpacked from Debian's packages into a
 * folder of the project's own ({@code apt-get download} and {@code dpkg -x}, so nothing is
 * installed system-wide and no root is needed once the package lists exist).
 */
final class RedisBinary {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBinary.class);

    /** Debian's server package and the libraries it links that a base image may lack. */
    private static final List<String> PACKAGES =
            List.of("redis-server", "redis-tools", "libjemalloc2", "liblzf1");

    /** The command that starts the server, and the environment it needs. */
    record Command(Path executable, Map<String, String> environment) {}

    private RedisBinary() {}

    static Command locate(Path folder) throws IOException {
        Path unpackInto = folder.toAbsolutePath();
        Optional<Path> onPath = onPath("redis-server").or(() -> onPath("valkey-server"));
        if (onPath.isPresent()) {
            return new Command(onPath.get(), Map.of());
        }
        Path server = unpackInto.resolve("usr/bin/redis-server");
        if (!Files.exists(server)) {
            unpack(unpackInto);
        }
        String libs = unpackInto.resolve("usr/lib/x86_64-linux-gnu").toString();
        return new Command(server, Map.of("LD_LIBRARY_PATH", libs));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void unpack(Path into) throws IOException {
        Path debs = into.resolve("debs");
        Files.createDirectories(debs);
        LOG.info("No redis-server on the PATH: unpacking Debian's packages into {}", into);
        if (run(debs, download()) != 0) {
            // A fresh machine may have no package lists yet; only root can fetch them.
            if (run(debs, List.of("apt-get", "update", "-qq")) != 0 || run(debs, download()) != 0) {
                throw new IOException(
                        "cannot get redis-server: install it (apt-get install redis-server) or"
                                + " put it on the PATH");
            }
        }
        try (var files = Files.list(debs)) {
            for (Path deb : files.filter(f -> f.toString().endsWith(".deb")).toList()) {
                if (run(debs, List.of("dpkg", "-x", deb.toString(), into.toString())) != 0) {
                    throw new IOException("cannot unpack " + deb);
                }
            }
        }
    }

    private static List<String> download() {
        List<String> command = new ArrayList<>(List.of("apt-get", "download", "-qq"));
        command.addAll(PACKAGES);
        return command;
    }

    private static int run(Path dir, List<String> command) throws IOException {
        Process p =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("apt.log").toFile())
                        .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }
}
