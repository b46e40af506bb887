package dev.agentstream.devtools.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the folder of Kafka broker jars that the {@code kafka-broker} module copies at build time:
 * the system property {@value #PROPERTY}, else the environment variable {@value #ENV}, else the
 * first {@code kafka-broker/target/lib} in the working directory or one of its parents.
 */
final class BrokerLibrary {

    static final String PROPERTY = "agentstream.kafka.lib";
    static final String ENV = "AGENTSTREAM_KAFKA_LIB";

    private static final Path BUILD_OUTPUT = Path.of("kafka-broker", "target", "lib");
    private static final String BROKER_JAR_GLOB = "kafka_2.13-*.jar";

    private BrokerLibrary() {}

    static Path locate() {
        return locate(
                System.getProperty(PROPERTY), System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    /**
     * @throws IllegalStateException when the configured folder or every searched one lacks the
     *     broker jar
     */
    static Path locate(String property, String env, Path start) {
        if (property != null && !property.isBlank()) {
            return checked(Path.of(property), "the system property " + PROPERTY);
        }
        if (env != null && !env.isBlank()) {
            return checked(Path.of(env), "the environment variable " + ENV);
        }
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(BUILD_OUTPUT);
            if (holdsBroker(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "No Kafka broker jars found in "
                        + BUILD_OUTPUT
                        + " of "
                        + start
                        + " or its parents. Run `mvn -DskipTests package` in the project root"
                        + " first, or set -D"
                        + PROPERTY
                        + " or "
                        + ENV
                        + " to a folder of Kafka broker jars.");
    }

    private static Path checked(Path dir, String source) {
        if (!holdsBroker(dir)) {
            throw new IllegalStateException(
                    "The folder " + dir + " named by " + source + " holds no " + BROKER_JAR_GLOB);
        }
        return dir.toAbsolutePath();
    }

    static boolean holdsBroker(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, BROKER_JAR_GLOB)) {
            return jars.iterator().hasNext();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
    }
}
