package dev.agentstream.devtools.load;

import dev.agentstream.devtools.cli.CommandErrors;
import dev.agentstream.devtools.kafka.BrokerOption;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The load generator on the command line ({@code bin/agentstream-load}): sends a {@link LoadPlan}
 * onto the bus, optionally measures the end-to-end latency with a {@link LatencyConsumer} at the
 * same time, prints a progress line on stderr once a second and a summary at the end (a table on
 * stdout, JSON with {@code --json}). Exit code 0; 3 when envelopes could not be sent; 1 when,
 * measuring, not every input was answered before {@code --drain-seconds} ran out.
 */
@Command(
        name = "agentstream-load",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Sends envelopes onto the bus at a target rate and measures the answers.")
public final class LoadCommand implements Callable<Integer> {

    @Mixin BrokerOption broker;

    @Option(
            names = "--topic",
            defaultValue = "agentstream.bus",
            description = "The bus topic, the job's bus.topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--to",
            required = true,
            description = "The agent listener the envelopes are for.")
    String to;

    @Option(
            names = "--payload",
            required = true,
            description = "Root tag of the agent's payload (last segment of its payload_class).")
    String payload;

    @Option(
            names = "--payload-bytes",
            defaultValue = "64",
            description = "Bytes of text in each payload (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(
            names = "--from",
            defaultValue = "console",
            description =
                    "The client listener, sender of the envelopes (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(
            names = "--rate",
            defaultValue = "10",
            description = "Agent envelopes per second, open loop (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--count",
            defaultValue = "100",
            description = "Agent envelopes in all; 0 for no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(
            names = "--duration-seconds",
            description = "Stop sending after this long (with --count, whichever comes first).")
    Long durationSeconds;

    @Option(
            names = "--threads",
            defaultValue = "10",
            description = "Threads active at once (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--thread-length",
            defaultValue = "1",
            description =
                    "Agent envelopes a thread gets before a fresh thread replaces it"
                            + " (default: ${DEFAULT-VALUE}).")
    int threadLength;

    @Option(
            names = "--prefill",
            defaultValue = "0",
            description =
                    "Context-only envelopes on each fresh thread before its first agent envelope"
                            + " (default: ${DEFAULT-VALUE}).")
    int prefill;

    @Option(
            names = "--prefill-to",
            description = "The non-agent listener the prefill envelopes are addressed to.")
    String prefillTo;

    @Option(
            names = "--prefill-payload",
            description = "Root tag of the prefill payloads (default: the --payload).")
    String prefillPayload;

    @Option(
            names = "--duplicates",
            defaultValue = "0",
            description =
                    "Fraction of fresh threads that replay an earlier one exactly"
                            + " (default: ${DEFAULT-VALUE}).")
    double duplicates;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of thread ids, tenants, duplicates, text (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--max-lag-ms",
            defaultValue = "1000",
            description =
                    "How far behind schedule the sender may catch up; beyond, slots are given up"
                            + " (default: ${DEFAULT-VALUE}).")
    long maxLagMs;

    @Mixin TenantOptions tenancy;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description =
                    "Create the bus topics that do not exist with this many partitions first;"
                            + " 0 creates none (default).")
    int partitions;

    @Option(
            names = "--consume",
            description = "Measure end-to-end latency with a consumer of the bus alongside.")
    boolean consume;

    @Option(
            names = "--isolation",
            defaultValue = "read_committed",
            description =
                    "read_committed or read_uncommitted, the consumer's isolation level"
                            + " (default: ${DEFAULT-VALUE}).")
    LatencyConsumer.Isolation isolation;

    @Option(
            names = "--answer-topic",
            paramLabel = "TOPIC",
            description =
                    "With --consume: where the answers are, when not on the topics written to (the"
                            + " job's bus.topic when --topic is its bus.ingress-topic).")
    String answerTopic;

    @Option(
            names = "--pass-through",
            paramLabel = "TOPIC",
            description =
                    "A topic of copies of the generated envelopes (a plain Kafka-Flink-Kafka job):"
                            + " each record with a sent-at is measured directly. Repeatable.")
    List<String> passThrough = new ArrayList<>();

    @Option(
            names = "--drain-seconds",
            defaultValue = "30",
            description =
                    "With --consume: how long to wait for the last answers after sending"
                            + " (default: ${DEFAULT-VALUE}).")
    long drainSeconds;

    @Option(names = "--json", description = "Also write the summary as JSON to this file.")
    Path json;

    /** A day: longer than any answer should take, short enough not to overflow a deadline. */
    private static final long MAX_DRAIN_SECONDS = 86_400;

    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;

    /**
     * The command line of the tool, enum values taken in any case ({@code read_committed}), a
     * failure said in one line.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LoadCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(
                CommandErrors.handler(
                        "agentstream-load", LoggerFactory.getLogger(LoadCommand.class)));
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        LoadPlan plan = plan();
        if (partitions > 0) {
            createTopics(plan);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::onCtrlC, "agentstream-load-stop"));
        LatencyConsumer.Isolation level = isolation;
        try (LatencyConsumer latency = consume ? startConsumer(plan, level) : null;
                LoadGenerator load = LoadGenerator.start(plan)) {
            ProgressLine progress = new ProgressLine(load, latency, System.err);
            while (!stopRequested && !load.awaitDone(Duration.ofSeconds(1))) {
                progress.print();
            }
            if (stopRequested) {
                load.close();
            }
            boolean drained = latency == null || drain(load, latency, progress);
            progress.print();
            LoadSummary summary =
                    LoadSummary.of(load, level, latency == null ? null : latency.snapshot());
            summary.printTable(System.out);
            if (json != null) {
                summary.writeJson(json);
            }
            return load.errors() > 0 ? 3 : drained ? 0 : 1;
        } finally {
            finished.countDown();
        }
    }

    /** Waits for every sent input's answer, printing progress; false if some never came. */
    private boolean drain(LoadGenerator load, LatencyConsumer latency, ProgressLine progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (!stopRequested && System.nanoTime() - deadline < 0) {
            if (latency.awaitAnswered(load.sent(), Duration.ofSeconds(1))) {
                return true;
            }
            progress.print();
        }
        return latency.snapshot().answered() >= load.sent();
    }

    private LatencyConsumer startConsumer(LoadPlan plan, LatencyConsumer.Isolation level) {
        return LatencyConsumer.start(
                LatencyConsumer.Settings.of(broker.bootstrapServers(), readTopics(plan), from)
                        .withIsolation(level)
                        .withPassThroughTopics(passThrough)
                        .withSince(SentAt.nowMicros()));
    }

    /** The topics the latency consumer reads: the inputs', and the answers' if elsewhere. */
    List<String> readTopics(LoadPlan plan) {
        List<String> topics = new ArrayList<>(plan.topics());
        if (answerTopic != null && !topics.contains(answerTopic)) {
            topics.add(answerTopic);
        }
        return topics;
    }

    /** What the plan cannot check: options of the command alone, and options of another mode. */
    private void checkOptions() {
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must be >= 0: " + partitions);
        }
        if (drainSeconds < 0 || drainSeconds > MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException(
                    "--drain-seconds must be in [0, " + MAX_DRAIN_SECONDS + "]: " + drainSeconds);
        }
        tenancy.check();
    }

    LoadPlan plan() {
        LoadPlanBuilder b =
                LoadPlan.builder()
                        .bootstrapServers(broker.bootstrapServers())
                        .topic(topic)
                        .to(to)
                        .payloadElement(payload)
                        .payloadBytes(payloadBytes)
                        .from(from)
                        .rate(rate)
                        .count(count)
                        .duration(
                                durationSeconds == null
                                        ? null
                                        : Duration.ofSeconds(durationSeconds))
                        .threads(threads)
                        .threadLength(threadLength)
                        .prefill(prefill, prefillTo)
                        .prefillElement(prefillPayload)
                        .duplicateFraction(duplicates)
                        .seed(seed)
                        .maxLag(Duration.ofMillis(maxLagMs));
        tenancy.applyTo(b);
        return b.build();
    }

    private void createTopics(LoadPlan plan) throws InterruptedException {
        Map<String, Object> config =
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            for (String name : plan.topics()) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                            .all()
                            .get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + name, e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException(
                            "the broker did not create " + name + " in 30 s");
                }
            }
        }
    }

    private void onCtrlC() {
        if (finished.getCount() == 0) {
            return;
        }
        stopRequested = true;
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
