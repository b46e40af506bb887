package dev.agentstream.devtools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant's token quota holds at any parallelism: one tenant with a small quota gets the same load
 * of turns, well above it, at parallelism 1 and 4. Read back from the usage topic ({@code
 * read_committed}) and summed by event time (when the quota stage let each turn through), the
 * tokens of any window of {@code quota.window} stay within the window's quota; turns over it wait
 * and go in a later window, and those still without room after {@code quota.max-wait} are rejected
 * with a {@code <huh>} to their sender and a usage record with status {@code rejected}.
 *
 * <p>The bound asserted is the quota itself, {@link #QUOTA} tokens per window, with no allowance
 * for what is in flight: a turn reserves its estimate (prompt counted with o200k_base plus its
 * completion limit) before its call, and its usage record only replaces that with what it used. The
 * tokens in flight are therefore always inside the window's sum already. What could exceed the
 * quota is a provider that counts more tokens than the estimate; the simulator counts as the
 * estimate does, and stops at the completion limit, so each turn uses at most what it reserved.
 */
class QuotaITCase extends LocalServicesTestBase {

    private static final String TENANT = "acme";
    private static final int TURNS = 20;
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Duration MAX_WAIT = Duration.ofSeconds(14);

    /** Tokens per window: about four turns of the echo agent (some 110 tokens each). */
    private static final long QUOTA = 480;

    private static final long TOKENS_PER_MINUTE = QUOTA * 60_000 / WINDOW.toMillis();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(EnvelopeLimits.defaults());

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 4})
    void shouldHoldATenantToItsQuotaAtAnyParallelism(int parallelism) throws Exception {
        String suffix = parallelism + "-" + UUID.randomUUID().toString().substring(0, 8);
        String busTopic = "quota-bus-" + suffix;
        String usageTopic = "quota-usage-" + suffix;
        broker.createTopics(4, busTopic, usageTopic, "quota-dead-" + suffix);

        JobClient job = startJob(parallelism, busTopic, usageTopic, "quota-dead-" + suffix);
        try {
            List<String> threads = new ArrayList<>();
            for (int n = 0; n < TURNS; n++) {
                String thread = UUID.randomUUID().toString();
                threads.add(thread);
                bus.send(busTopic, thread, ping(thread, n));
            }

            List<JsonNode> usage = committedUsage(usageTopic);
            assertThat(usage).extracting(u -> u.path("usageId").asText()).doesNotHaveDuplicates();
            assertThat(usage)
                    .extracting(u -> u.path("thread").asText())
                    .containsExactlyInAnyOrderElementsOf(threads);
            List<JsonNode> ok = withStatus(usage, "ok");
            List<JsonNode> rejected = withStatus(usage, "rejected");
            assertThat(ok.size() + rejected.size())
                    .as("every turn run or rejected")
                    .isEqualTo(TURNS);

            assertWithinQuotaInEveryWindow(ok);
            long first =
                    ok.stream().mapToLong(u -> u.path("timestamp").asLong()).min().orElseThrow();
            assertThat(ok)
                    .as("turns that waited and went in a later window")
                    .anySatisfy(
                            u ->
                                    assertThat(u.path("timestamp").asLong())
                                            .isGreaterThanOrEqualTo(first + WINDOW.toMillis()));
            assertThat(rejected).as("turns past quota.max-wait").isNotEmpty();
            assertThat(rejected)
                    .allSatisfy(
                            u -> {
                                assertThat(u.path("totalTokens").asInt()).isZero();
                                assertThat(u.path("attempts").asInt()).isZero();
                                assertThat(u.path("timestamp").asLong())
                                        .isGreaterThanOrEqualTo(
                                                first + MAX_WAIT.toMillis() - 1_000);
                            });
            assertQuotaErrorsSent(busTopic, rejected);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * For each turn let through, the tokens of the turns let through within one window from it:
     * every window that starts at a turn, so the first window and the busiest one among them.
     */
    private static void assertWithinQuotaInEveryWindow(List<JsonNode> ok) {
        for (JsonNode start : ok) {
            long from = start.path("timestamp").asLong();
            long tokens =
                    ok.stream()
                            .filter(u -> u.path("timestamp").asLong() >= from)
                            .filter(u -> u.path("timestamp").asLong() < from + WINDOW.toMillis())
                            .mapToLong(u -> u.path("totalTokens").asLong())
                            .sum();
            assertThat(tokens)
                    .as("tokens used in the window of %s from %d", WINDOW, from)
                    .isPositive()
                    .isLessThanOrEqualTo(QUOTA);
        }
    }

    /** Every rejected turn's sender got a {@code <huh>} on the turn's thread saying why. */
    private static void assertQuotaErrorsSent(String busTopic, List<JsonNode> rejected) {
        Set<String> threads =
                rejected.stream().map(u -> u.path("thread").asText()).collect(Collectors.toSet());
        List<Envelope> errors = new ArrayList<>();
        bus.readUntil(
                busTopic,
                records -> {
                    errors.clear();
                    errors.addAll(quotaErrors(records));
                    return errors.size() >= threads.size();
                },
                WAIT);
        assertThat(errors).extracting(e -> e.thread).containsExactlyInAnyOrderElementsOf(threads);
        assertThat(errors)
                .allSatisfy(
                        e -> {
                            assertThat(e.from).isEqualTo("echo");
                            assertThat(e.to).isEqualTo("quota-client");
                            assertThat(e.payloadXml)
                                    .contains("tenant " + TENANT)
                                    .contains("quota.max-wait");
                        });
    }

    private static List<Envelope> quotaErrors(List<ConsumerRecord<byte[], byte[]>> records) {
        List<Envelope> out = new ArrayList<>();
        for (var record : records) {
            try {
                Envelope e = CODEC.decode(record.value());
                if ("huh".equals(e.payloadRoot) && e.payloadXml.contains("quota exceeded")) {
                    out.add(e);
                }
            } catch (EnvelopeException e) {
                throw new AssertionError("the job wrote an envelope it cannot read back", e);
            }
        }
        return out;
    }

    private static List<JsonNode> committedUsage(String usageTopic) throws Exception {
        List<JsonNode> usage = new ArrayList<>();
        for (var r : bus.readUntil(usageTopic, rs -> rs.size() >= TURNS, WAIT, true)) {
            usage.add(JSON.readTree(r.value()));
        }
        assertThat(usage).as("committed usage records").hasSize(TURNS);
        return usage;
    }

    private static List<JsonNode> withStatus(List<JsonNode> usage, String status) {
        return usage.stream().filter(u -> status.equals(u.path("status").asText())).toList();
    }

    private static JobClient startJob(
            int parallelism, String busTopic, String usageTopic, String deadTopic)
            throws Exception {
        Path organism = tmp.resolve("quota-organism.yaml");
        Files.writeString(organism, ECHO_ORGANISM);
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organism.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, busTopic);
        conf.set(AgentStreamOptions.USAGE_TOPIC, usageTopic);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, deadTopic);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + busTopic);
        conf.set(AgentStreamOptions.QUOTA_GROUP_ID, "quota-" + busTopic);
        conf.set(AgentStreamOptions.LLM_BASE_URL, simulator.baseUrl());
        conf.set(AgentStreamOptions.LLM_MAX_TOKENS, 40);
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.EXACTLY_ONCE);
        conf.set(AgentStreamOptions.TENANT_DEFAULT, TENANT);
        conf.set(AgentStreamOptions.QUOTA_TOKENS_PER_MINUTE, TOKENS_PER_MINUTE);
        conf.set(AgentStreamOptions.QUOTA_WINDOW, WINDOW);
        conf.set(AgentStreamOptions.QUOTA_MAX_WAIT, MAX_WAIT);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(500);
        env.setParallelism(parallelism);
        AgentStreamGraph.build(
                env, OrganismLoader.load(organism), conf, KafkaIo.from(conf, "quota-" + busTopic));
        return env.executeAsync("quota-" + busTopic);
    }

    private static String ping(String thread, int n) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>quota-client</from><to>echo</to><thread>"
                + thread
                + "</thread></meta><Ping><n>"
                + n
                + "</n></Ping></message>";
    }

    private static final String ECHO_ORGANISM =
            String.join(
                    "\n",
                    "organism:",
                    "  name: quota-test",
                    "llm:",
                    "  backends:",
                    "    - provider: openai",
                    "      base_url: http://127.0.0.1:1/v1",
                    "      model: sim-1",
                    "listeners:",
                    "  - name: echo",
                    "    payload_class: quota.Ping",
                    "    description: Answers every ping in words",
                    "    agent: true",
                    "    prompt: Answer briefly.",
                    "");
}
