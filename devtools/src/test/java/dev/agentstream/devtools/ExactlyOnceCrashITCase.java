package dev.agentstream.devtools;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once through task-manager failures: many threads of numbered envelopes, each answered
 * through the registry (the agent calls a helper on a subthread, the answer comes back on the
 * thread, the agent answers), two task managers lost (one while a checkpoint is under way), and
 * still every input answered once and every turn billed once for a {@code read_committed} reader,
 * while a {@code read_uncommitted} reader of the same topic sees the duplicates the aborted
 * transactions held.
 */
class ExactlyOnceCrashITCase extends LocalServicesTestBase {

    /** Threads and envelopes per thread; the {@code crash-large} profile raises both. */
    private static final int THREADS = Integer.getInteger("agentstream.crash.threads", 60);

    private static final int PER_THREAD = Integer.getInteger("agentstream.crash.per-thread", 8);
    private static final int INPUTS = THREADS * PER_THREAD;

    /** echo calls helper, helper answers, echo reports: three turns, three usage records. */
    private static final int TURNS_PER_INPUT = 3;

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The sinks' guarantee; {@code -Dagentstream.crash.guarantee=AT_LEAST_ONCE} shows the test
     * failing on duplicates when transactions are off.
     */
    private static final DeliveryGuarantee GUARANTEE =
            DeliveryGuarantee.valueOf(
                    System.getProperty("agentstream.crash.guarantee", "EXACTLY_ONCE"));

    private static final EnvelopeCodec CODEC = new EnvelopeCodec();

    @Test
    void shouldAnswerAndBillEveryInputOnceAcrossTaskManagerFailures(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String busTopic = "crash-bus-" + suffix;
        String usageTopic = "crash-usage-" + suffix;
        broker.createTopics(2, busTopic, usageTopic, "crash-dead-" + suffix);
        List<String> threads =
                java.util.stream.IntStream.range(0, THREADS)
                        .mapToObj(i -> UUID.randomUUID().toString())
                        .toList();
        JobClient job = startJob(busTopic, usageTopic, "crash-dead-" + suffix);
        int taskManager = 0;
        try {
            send(busTopic, threads, 0, PER_THREAD / 2);
            awaitAnswers(busTopic, INPUTS / 4);

            // First failure: a task manager lost while envelopes flow.
            cluster.terminateTaskManager(taskManager++).get(30, TimeUnit.SECONDS);
            cluster.startTaskManager();
            send(busTopic, threads, PER_THREAD / 2, PER_THREAD);
            awaitAnswers(busTopic, INPUTS * 2 / 3);

            // Second failure: while a checkpoint is under way.
            JobID id = job.getJobID();
            cluster.triggerCheckpoint(id);
            cluster.terminateTaskManager(taskManager++).get(30, TimeUnit.SECONDS);
            cluster.startTaskManager();

            Map<String, Integer> answers = awaitAnswers(busTopic, INPUTS);
            Map<String, Integer> usage =
                    countBy(committed(usageTopic, TURNS_PER_INPUT * INPUTS), this::usageId);

            assertThat(answers).hasSize(INPUTS);
            assertThat(answers.values()).as("answers per input").containsOnly(1);
            assertThat(usage).hasSize(TURNS_PER_INPUT * INPUTS);
            assertThat(usage.values()).as("usage records per turn").containsOnly(1);
            // The test can see duplicates: aborted transactions held some.
            assertThat(bus.readUntil(usageTopic, r -> false, Duration.ofSeconds(3), false))
                    .as("usage records a read_uncommitted reader sees")
                    .hasSizeGreaterThan(TURNS_PER_INPUT * INPUTS);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private JobClient startJob(String busTopic, String usageTopic, String deadTopic)
            throws Exception {
        Path organismFile = tmp.resolve("echo-organism.yaml");
        Files.writeString(organismFile, echoOrganism(simulator.baseUrl()));
        Organism organism = OrganismLoader.load(organismFile);
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organismFile.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, busTopic);
        conf.set(AgentStreamOptions.USAGE_TOPIC, usageTopic);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, deadTopic);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + busTopic);
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, GUARANTEE);
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "50");
        conf.setString("restart-strategy.fixed-delay.delay", "500 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        // Long enough that a transaction holds records most of the time, so that a failure at
        // any moment leaves some of them aborted.
        env.enableCheckpointing(2_000);
        env.setParallelism(2);
        AgentStreamGraph.build(env, organism, conf, KafkaIo.from(conf, "crash-" + busTopic));
        return env.executeAsync("crash-" + busTopic);
    }

    /** Envelopes {@code from} to {@code until} (exclusive) of every thread. */
    private static void send(String topic, List<String> threads, int from, int until)
            throws Exception {
        for (int n = from; n < until; n++) {
            for (String thread : threads) {
                bus.send(topic, thread, ping(thread, n));
            }
        }
    }

    /** Answers by message id, once at least {@code count} distinct ones are committed. */
    private Map<String, Integer> awaitAnswers(String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> records =
                bus.readUntil(topic, rs -> countBy(rs, this::answerId).size() >= count, WAIT, true);
        Map<String, Integer> answers = countBy(records, this::answerId);
        assertThat(answers.size()).as("distinct answers committed").isGreaterThanOrEqualTo(count);
        return answers;
    }

    private List<ConsumerRecord<byte[], byte[]>> committed(String topic, int count) {
        return bus.readUntil(topic, rs -> rs.size() >= count, WAIT, true);
    }

    private static Map<String, Integer> countBy(
            List<ConsumerRecord<byte[], byte[]>> records,
            Function<ConsumerRecord<byte[], byte[]>, String> key) {
        Map<String, Integer> counts = new HashMap<>();
        for (var record : records) {
            String k = key.apply(record);
            if (k != null) {
                counts.merge(k, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** The message id of echo's final answer to the client, or null for anything else. */
    private String answerId(ConsumerRecord<byte[], byte[]> record) {
        try {
            Envelope e = CODEC.decode(record.value());
            return "echo".equals(e.from) && "crash-client".equals(e.to) ? e.metaExtensions : null;
        } catch (Exception notAnEnvelope) {
            return null;
        }
    }

    private String usageId(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(record.value()).path("usageId").asText();
        } catch (Exception e) {
            return null;
        }
    }

    private static String ping(String thread, int n) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>crash-client</from><to>echo</to><thread>"
                + thread
                + "</thread></meta><Ping><n>"
                + n
                + "</n></Ping></message>";
    }

    private static String echoOrganism(String baseUrl) {
        return String.join(
                "\n",
                "organism:",
                "  name: crash-test",
                "llm:",
                "  backends:",
                "    - provider: openai",
                "      base_url: " + baseUrl,
                "      model: sim-1",
                "listeners:",
                "  - name: echo",
                "    payload_class: crash.Ping",
                "    description: Asks the helper about every ping, then answers in words",
                "    agent: true",
                "    peers: [helper]",
                "    prompt: Ask the helper, then answer briefly.",
                "  - name: helper",
                "    payload_class: crash.Question",
                "    description: Answers the questions of echo",
                "    agent: true",
                "    prompt: Answer briefly.",
                "");
    }
}
