package dev.agentstream.bench.stream;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.agentstream.devtools.kafka.KafkaBroker;
import dev.agentstream.devtools.load.LoadPlan;
import dev.agentstream.devtools.load.TokenSettings;
import dev.agentstream.devtools.sim.LlmSimulator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What the job-level comparisons share: a Kafka broker process, the LLM simulator over loopback
 * HTTP and one Flink MiniCluster (RocksDB, checkpoints on local disk, REST on loopback for operator
 * metrics). Every round submits a job of its own on fresh topics and cancels it at the end.
 */
public final class StreamRig implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    /** Tenants the rig has secrets for; a workload spreads over at most this many. */
    static final int TENANTS = 8;

    static final String ISSUER = "https://bench.agentstream.invalid";
    static final String AUDIENCE = "agentstream-bench";

    private final Path dir;
    private final KafkaBroker broker;
    private final LlmSimulator simulator;
    private final MiniCluster cluster;
    private final URI rest;
    private final Path registryKey;
    private final TokenSettings tokens;
    private final AtomicInteger rounds = new AtomicInteger();

    private StreamRig(
            Path dir,
            KafkaBroker broker,
            LlmSimulator simulator,
            MiniCluster cluster,
            URI rest,
            Path registryKey,
            TokenSettings tokens) {
        this.dir = dir;
        this.broker = broker;
        this.simulator = simulator;
        this.cluster = cluster;
        this.rest = rest;
        this.registryKey = registryKey;
        this.tokens = tokens;
    }

    /** Starts the broker, the simulator and a cluster of one task manager with {@code slots}. */
    public static StreamRig start(int slots) throws Exception {
        Path dir = Files.createTempDirectory("agentstream-bench-");
        KafkaBroker broker = null;
        LlmSimulator simulator = null;
        try {
            broker = KafkaBroker.start(dir.resolve("kafka"));
            simulator = LlmSimulator.start(0);
            MiniCluster cluster = new MiniCluster(clusterConfig(dir, slots));
            cluster.start();
            URI rest = cluster.getRestAddress().get(1, TimeUnit.MINUTES);
            Path key = dir.resolve("registry.key");
            Files.writeString(key, "bench-registry-key-0123456789abcdef0123456789");
            return new StreamRig(
                    dir, broker, simulator, cluster, rest, key, tenantSecrets(dir, TENANTS));
        } catch (Exception e) {
            if (simulator != null) {
                simulator.close();
            }
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    /**
     * A secrets file with an HS256 secret for each of {@code tenants} tenants ({@code t0} ...), as
     * the job's token mode reads it, and the token settings the generator signs with.
     */
    private static TokenSettings tenantSecrets(Path dir, int tenants) throws IOException {
        StringBuilder yaml = new StringBuilder();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < tenants; i++) {
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            yaml.append(LoadPlan.tenantName(i))
                    .append(": ")
                    .append(Base64.getEncoder().encodeToString(secret))
                    .append('\n');
        }
        Path file = dir.resolve("tenant-secrets.yaml");
        Files.writeString(file, yaml);
        return new TokenSettings(file, ISSUER, AUDIENCE, TokenSettings.DEFAULT_LIFETIME);
    }

    private static MiniClusterConfiguration clusterConfig(Path dir, int slots) {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.setString("state.backend.rocksdb.localdir", dir.resolve("rocksdb").toString());
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        // Operator metrics reach the REST API within a second, not the default ten.
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        return new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build();
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public KafkaBroker broker() {
        return broker;
    }

    public LlmSimulator simulator() {
        return simulator;
    }

    public Path registryKey() {
        return registryKey;
    }

    /** How the load generator signs tenant tokens, and where the job finds their secrets. */
    public TokenSettings tokens() {
        return tokens;
    }

    /** The cluster's REST endpoint, for operator metrics. */
    public URI rest() {
        return rest;
    }

    /** A folder of this rig's for a file a round needs. */
    public Path dir() {
        return dir;
    }

    /** Fresh topics for one round, {@code partitions} each. */
    public Topics newTopics(String side, int partitions) {
        Topics t = Topics.named(side + "-" + rounds.incrementAndGet());
        broker.createTopics(partitions, t.bus(), t.usage(), t.deadLetters(), t.out(), t.ingress());
        return t;
    }

    /** Submits the job {@code env} holds and waits until every task of it runs. */
    public JobID submit(StreamExecutionEnvironment env) throws Exception {
        JobID id =
                cluster.submitJob(env.getStreamGraph().getJobGraph())
                        .get(1, TimeUnit.MINUTES)
                        .getJobID();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            JobStatus status = cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
            if (status.isTerminalState()) {
                throw new IllegalStateException("the job ended before it ran: " + status);
            }
            if (status == JobStatus.RUNNING && JobMetrics.allTasksRunning(rest, id)) {
                return id;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job did not start within a minute");
    }

    /** The job's status now. */
    public JobStatus status(JobID id) throws Exception {
        return cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
    }

    /** Cancels the job and waits until it has ended. */
    public void cancel(JobID id) throws Exception {
        if (!status(id).isTerminalState()) {
            cluster.cancelJob(id).get(1, TimeUnit.MINUTES);
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!status(id).isGloballyTerminalState() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.close();
        } finally {
            simulator.close();
            broker.close();
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A folder under the system's temp directory; what is left there is harmless.
        }
    }
}
