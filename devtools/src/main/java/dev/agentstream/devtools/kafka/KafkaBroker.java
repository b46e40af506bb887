package dev.agentstream.devtools.kafka;

import org.apache.flink.util.Preconditions;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one) running as a
 * separate JVM on 127.0.0.1, for tests and the local run. Transactions work on it.
 *
 * <p>The work directory receives {@code server.properties}, {@code log4j2.properties}, the broker's
 * WARN log {@code broker.log}, the child processes' {@code *.stdout.log} and {@code *.stderr.log},
 * and the data in {@code data/}. Reusing a work directory keeps its data. The broker jars come from
 * {@code kafka-broker/target/lib} (see {@link BrokerLibrary}).
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start(workDir)) {
 *     kafka.createTopics(4, "bus");
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private static final String MAX_HEAP = "-Xmx512m";
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int DIAGNOSTIC_LINES = 40;

    private final Process process;
    private final BrokerLayout layout;
    private final int port;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaBroker(Process process, BrokerLayout layout, int port) {
        this.process = process;
        this.layout = layout;
        this.port = port;
        this.shutdownHook = new Thread(this::stopProcess, "kafka-broker-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a broker from the jars that {@link BrokerLibrary#locate()} finds. */
    public static KafkaBroker start(Path workDir) throws IOException {
        return start(workDir, BrokerLibrary.locate());
    }

    /**
     * Formats the storage if needed, starts the broker and waits until it serves clients.
     *
     * @param workDir created if missing; holds the configuration, the logs and the data
     * @param brokerLib a folder of Kafka broker jars and their dependencies
     * @throws IllegalStateException when formatting fails or the broker is not ready within 60 s
     */
    public static KafkaBroker start(Path workDir, Path brokerLib) throws IOException {
        long started = System.nanoTime();
        BrokerLayout layout = new BrokerLayout(workDir);
        Files.createDirectories(layout.workDir());
        int[] ports = LoopbackPorts.pick(2);
        int port = ports[0];
        write(
                layout.serverProperties(),
                BrokerConfig.serverProperties(port, ports[1], layout.dataDir()));
        write(layout.log4jConfig(), BrokerConfig.log4j2Properties(layout.brokerLog()));

        BrokerJvm jvm = new BrokerJvm(brokerLib, layout.log4jConfig());
        formatStorage(jvm, layout);
        Process process =
                jvm.start(
                        "kafka.Kafka",
                        List.of(MAX_HEAP),
                        List.of(layout.serverProperties().toString()),
                        layout.stdout("broker"),
                        layout.stderr("broker"));
        KafkaBroker broker = new KafkaBroker(process, layout, port);
        try {
            new BrokerReadiness(process, port, broker::diagnostics).await(START_TIMEOUT);
        } catch (RuntimeException | InterruptedIOException e) {
            broker.close();
            throw e;
        }
        LOG.info(
                "Kafka broker ready on {} (pid {}) in {} ms, work dir {}",
                broker.bootstrapServers(),
                process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                layout.workDir());
        return broker;
    }

    /** {@code 127.0.0.1:<port>}, for the {@code bootstrap.servers} of clients. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path workDir() {
        return layout.workDir();
    }

    /** The process id of the broker JVM. */
    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * Creates topics with replication factor 1; a topic that exists already is left as it is.
     *
     * @throws IllegalStateException when the broker refuses or does not answer in 30 s
     */
    public void createTopics(int partitions, String... names) {
        createTopics(partitions, Map.of(), names);
    }

    /**
     * As {@link #createTopics(int, String...)}, with topic configs such as {@code
     * max.message.bytes}.
     */
    public void createTopics(int partitions, Map<String, String> configs, String... names) {
        Preconditions.checkArgument(partitions > 0, "Partitions must be positive: %s", partitions);
        List<NewTopic> topics =
                Arrays.stream(names)
                        .map(name -> new NewTopic(name, partitions, (short) 1).configs(configs))
                        .collect(Collectors.toList());
        Map<String, Object> config =
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            for (Map.Entry<String, KafkaFuture<Void>> created :
                    admin.createTopics(topics).values().entrySet()) {
                awaitCreated(created.getKey(), created.getValue());
            }
            awaitLeaders(admin, Arrays.asList(names));
        }
        LOG.info("Kafka topics {} ready with {} partition(s)", Arrays.toString(names), partitions);
    }

    /**
     * Waits until the broker leads every partition of {@code names}: a producer that writes to a
     * partition before then gets NOT_LEADER_OR_FOLLOWER, and an idempotent one may then retry its
     * first batch with an out-of-order sequence number forever.
     */
    private static void awaitLeaders(Admin admin, List<String> names) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                boolean led =
                        admin
                                .describeTopics(names)
                                .allTopicNames()
                                .get(10, TimeUnit.SECONDS)
                                .values()
                                .stream()
                                .flatMap(d -> d.partitions().stream())
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                // The leader answers for the partition only once its log is open.
                if (led && offsetsListed(admin, names)) {
                    return;
                }
            } catch (ExecutionException e) {
                // Not known to the broker's metadata yet: ask again.
            } catch (TimeoutException e) {
                throw new IllegalStateException("the broker did not describe " + names, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no leader for every partition of " + names);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + names, e);
            }
        }
    }

    private static boolean offsetsListed(Admin admin, List<String> names)
            throws InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        try {
            for (TopicDescription d :
                    admin.describeTopics(names)
                            .allTopicNames()
                            .get(10, TimeUnit.SECONDS)
                            .values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                }
            }
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /**
     * Stops the broker: SIGTERM, then a forced kill if it is still running after 10 s. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down; the hook stops the broker.
            return;
        }
        stopProcess();
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        long started = System.nanoTime();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "Kafka broker (pid {}) still running after {} s, killing it",
                        process.pid(),
                        STOP_TIMEOUT.toSeconds());
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LOG.info(
                "Kafka broker on {} (pid {}) stopped in {} ms",
                bootstrapServers(),
                process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Formats the data directory for a new cluster, unless it holds one already: Kafka 4.2 refuses
     * {@code --ignore-formatted} with another cluster id than the stored one.
     */
    private static void formatStorage(BrokerJvm jvm, BrokerLayout layout) throws IOException {
        if (Files.exists(layout.dataDir().resolve("meta.properties"))) {
            LOG.info("Reusing the formatted Kafka storage in {}", layout.dataDir());
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        Process format =
                jvm.start(
                        "kafka.tools.StorageTool",
                        List.of("-Xmx256m"),
                        List.of(
                                "format",
                                "--cluster-id",
                                clusterId,
                                "--config",
                                layout.serverProperties().toString()),
                        layout.stdout("format"),
                        layout.stderr("format"));
        try {
            if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException(
                        "Formatting the Kafka storage took over "
                                + FORMAT_TIMEOUT.toSeconds()
                                + " s");
            }
        } catch (InterruptedException e) {
            format.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while formatting the Kafka storage");
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException(
                    "Formatting the Kafka storage failed with exit code "
                            + format.exitValue()
                            + LogTail.describe(layout.stdout("format"), DIAGNOSTIC_LINES)
                            + LogTail.describe(layout.stderr("format"), DIAGNOSTIC_LINES));
        }
        LOG.debug("Kafka storage in {} formatted", layout.dataDir());
    }

    private static void awaitCreated(String topic, KafkaFuture<Void> creation) {
        try {
            creation.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create the topic " + topic, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Creating the topic " + topic + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the topic " + topic, e);
        }
    }

    private String diagnostics() {
        return LogTail.describe(layout.brokerLog(), DIAGNOSTIC_LINES)
                + LogTail.describe(layout.stderr("broker"), DIAGNOSTIC_LINES)
                + LogTail.describe(layout.stdout("broker"), DIAGNOSTIC_LINES);
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
