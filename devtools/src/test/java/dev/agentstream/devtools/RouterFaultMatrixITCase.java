package dev.agentstream.devtools;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.devtools.sim.Fault;
import dev.agentstream.devtools.sim.LlmSimulator;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.OrganismLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router's fault matrix on the whole job (MiniCluster, RocksDB, a real Kafka broker): an
 * OpenAI-protocol primary and an Anthropic-protocol fallback, each a simulator over loopback that
 * is told to fail as providers do. Every failure class gets the answer the router promises, and the
 * job runs throughout without a restart.
 */
class RouterFaultMatrixITCase extends LocalServicesTestBase {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(EnvelopeLimits.defaults());
    private static final String TOPIC_SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String BUS = "bus-faults-" + TOPIC_SUFFIX;
    private static final String USAGE = "usage-faults-" + TOPIC_SUFFIX;
    private static final String DEAD = "dead-faults-" + TOPIC_SUFFIX;

    private static LlmSimulator fallback;
    private static JobClient job;

    /** What one case arms, what it expects, and how many calls each backend should see. */
    record Case(
            String name,
            Consumer<LlmSimulator> primaryFaults,
            Consumer<LlmSimulator> fallbackFaults,
            String answerRoot,
            String status,
            String model,
            int primaryCalls,
            int fallbackCalls) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                answered("rate limit, Retry-After in seconds", p -> p.failNext(1, rateLimit()), 2),
                answered(
                        "rate limit, Retry-After as an HTTP date",
                        p -> p.failNext(1, Fault.rateLimitedUntil(Instant.now().plusSeconds(1))),
                        2),
                answered("server error, retried", p -> p.failNext(2, Fault.status(500)), 3),
                answered("timeout, retried", p -> p.failNext(1, Fault.slow(SLOW)), 2),
                answered("connection reset, retried", p -> p.failNext(1, Fault.reset()), 2),
                answered("truncated body, retried", p -> p.failNext(1, Fault.truncated()), 2),
                answered("malformed body, retried", p -> p.failNext(1, Fault.malformed()), 2),
                new Case(
                        "quota exhausted, fallback at once",
                        p -> p.failNext(1, Fault.quotaExhausted()),
                        f -> {},
                        "reply",
                        "ok",
                        "fallback-model",
                        1,
                        1),
                new Case(
                        "context too long, fallback at once",
                        p -> p.failNext(1, Fault.contextLengthExceeded()),
                        f -> {},
                        "reply",
                        "ok",
                        "fallback-model",
                        1,
                        1),
                new Case(
                        "primary overloaded past its retries, fallback overloaded once",
                        p -> p.failNext(3, Fault.status(503)),
                        f -> f.failNext(1, Fault.status(529)),
                        "reply",
                        "ok",
                        "fallback-model",
                        3,
                        2),
                new Case(
                        "bad request, no retry and no fallback",
                        p -> p.failNext(1, Fault.status(400)),
                        f -> {},
                        "huh",
                        "failed",
                        "",
                        1,
                        0),
                new Case(
                        "content filter, a refusal billed",
                        p -> p.failNext(1, Fault.nullContent()),
                        f -> {},
                        "refusal",
                        "refused",
                        "primary-model",
                        1,
                        0),
                new Case(
                        "tool call, a refusal billed",
                        p -> p.failNext(1, Fault.toolCall()),
                        f -> {},
                        "refusal",
                        "refused",
                        "primary-model",
                        1,
                        0),
                new Case(
                        "every backend down",
                        p -> p.failNext(3, Fault.status(500)),
                        f -> f.failNext(3, Fault.status(502)),
                        "huh",
                        "failed",
                        "",
                        3,
                        3));
    }

    private static final Duration SLOW = Duration.ofMillis(2500);

    private static Fault rateLimit() {
        return Fault.rateLimited(Duration.ofSeconds(1));
    }

    private static Case answered(String name, Consumer<LlmSimulator> faults, int primaryCalls) {
        return new Case(name, faults, f -> {}, "reply", "ok", "primary-model", primaryCalls, 0);
    }

    @BeforeAll
    static void startJob() throws Exception {
        fallback = LlmSimulator.start(0);
        broker.createTopics(2, BUS, USAGE, DEAD);
        Path organism = tmp.resolve("fault-matrix.yaml");
        Files.writeString(organism, organismYaml());
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organism.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, BUS);
        conf.set(AgentStreamOptions.USAGE_TOPIC, USAGE);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, DEAD);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + BUS);
        conf.set(AgentStreamOptions.LLM_TIMEOUT, Duration.ofSeconds(20));
        // Every case fails the primary on purpose: its circuit must stay closed for the next.
        // resilience4j holds the minimum at the window's size, so both must be large.
        conf.set(AgentStreamOptions.LLM_BREAKER_WINDOW, 1_000);
        conf.set(AgentStreamOptions.LLM_BREAKER_MINIMUM_CALLS, 1_000);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(500);
        env.setParallelism(2);
        AgentStreamGraph.build(
                env, OrganismLoader.load(organism), conf, KafkaIo.from(conf, "it-" + BUS));
        job = env.executeAsync("it-" + BUS);
    }

    @AfterAll
    static void stopJob() throws Exception {
        if (job != null) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        if (fallback != null) {
            fallback.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldHandleEveryFailureClassAsPromised(Case c) throws Exception {
        String thread = UUID.randomUUID().toString();
        int primaryBefore = simulator.requestCount();
        int fallbackBefore = fallback.requestCount();
        c.primaryFaults().accept(simulator);
        c.fallbackFaults().accept(fallback);

        bus.send(BUS, thread, ask(thread, c.name()));
        Envelope answer = answerOn(thread);
        JsonNode usage = usageOf(thread);

        assertThat(answer.to).isEqualTo("client");
        assertThat(answer.payloadRoot).isEqualTo(c.answerRoot());
        assertThat(usage.path("status").asText()).isEqualTo(c.status());
        assertThat(usage.path("responseModel").asText()).isEqualTo(c.model());
        if ("failed".equals(c.status())) {
            assertThat(usage.path("totalTokens").asInt()).isZero();
        } else {
            assertThat(usage.path("inputTokens").asInt()).isPositive();
        }
        assertThat(simulator.requestCount() - primaryBefore).isEqualTo(c.primaryCalls());
        assertThat(fallback.requestCount() - fallbackBefore).isEqualTo(c.fallbackCalls());
        assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
    }

    @Test
    void shouldHonourRetryAfterBeforeTheRetry() throws Exception {
        String thread = UUID.randomUUID().toString();
        simulator.failNext(1, Fault.rateLimited(Duration.ofSeconds(2)));

        bus.send(BUS, thread, ask(thread, "patience"));

        assertThat(answerOn(thread).payloadRoot).isEqualTo("reply");
        assertThat(usageOf(thread).path("latencyMs").asLong()).isGreaterThanOrEqualTo(1_900);
    }

    @Test
    void shouldAnswerIdenticalQuestionsOfACachingAgentOnce() throws Exception {
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        int before = simulator.requestCount();

        bus.send(BUS, first, cachedAsk(first));
        JsonNode miss = usageOf(first);
        bus.send(BUS, second, cachedAsk(second));
        JsonNode hit = usageOf(second);

        assertThat(miss.path("cacheHit").asBoolean()).isFalse();
        assertThat(miss.path("totalTokens").asInt()).isPositive();
        assertThat(hit.path("cacheHit").asBoolean()).isTrue();
        assertThat(hit.path("totalTokens").asInt()).isZero();
        assertThat(answerOn(second).payloadXml).isEqualTo(answerOn(first).payloadXml);
        assertThat(simulator.requestCount() - before).isEqualTo(1);
    }

    /** The agent's envelope on {@code thread}: a reply, a refusal or an error. */
    private static Envelope answerOn(String thread) {
        Envelope[] found = new Envelope[1];
        bus.readUntil(
                BUS,
                records -> {
                    found[0] = fromAgentOn(thread, records).orElse(null);
                    return found[0] != null;
                },
                WAIT);
        assertThat(found[0]).as("an answer on thread %s", thread).isNotNull();
        return found[0];
    }

    private static Optional<Envelope> fromAgentOn(
            String thread, List<ConsumerRecord<byte[], byte[]>> records) {
        for (var record : records) {
            try {
                Envelope e = CODEC.decode(record.value());
                if (thread.equals(e.thread) && !"client".equals(e.from)) {
                    return Optional.of(e);
                }
            } catch (Exception notAnEnvelope) {
                // nothing but envelopes is sent here
            }
        }
        return Optional.empty();
    }

    private static JsonNode usageOf(String thread) throws Exception {
        for (var r : bus.readUntil(USAGE, rs -> keyed(rs, thread), WAIT)) {
            if (thread.equals(BusClient.text(r.key()))) {
                return JSON.readTree(r.value());
            }
        }
        throw new AssertionError("no usage record for thread " + thread);
    }

    private static boolean keyed(List<ConsumerRecord<byte[], byte[]>> records, String thread) {
        return records.stream().anyMatch(r -> thread.equals(BusClient.text(r.key())));
    }

    private static String ask(String thread, String text) {
        return envelope(thread, "<Ask><text>" + text + "</text></Ask>");
    }

    private static String cachedAsk(String thread) {
        return envelope(thread, "<Lookup><text>What are your opening hours?</text></Lookup>");
    }

    private static String envelope(String thread, String payload) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>client</from><thread>"
                + thread
                + "</thread></meta>"
                + payload
                + "</message>";
    }

    private static String organismYaml() {
        return String.join(
                "\n",
                "organism:",
                "  name: fault-matrix",
                "llm:",
                "  strategy: failover",
                "  retries: 2",
                "  retry_base_delay: 0.05",
                "  retry_max_delay: 0.2",
                "  backends:",
                "    - provider: openai",
                "      name: primary",
                "      base_url: " + simulator.baseUrl(),
                "      model: primary-model",
                "      priority: 1",
                "      timeout: 1",
                "    - provider: anthropic",
                "      name: fallback",
                "      base_url: " + fallback.baseUrl(),
                "      api_key_env: AGENTSTREAM_TEST_NO_SUCH_KEY",
                "      model: fallback-model",
                "      priority: 2",
                "      timeout: 1",
                "listeners:",
                "  - name: solver",
                "    payload_class: faults.Ask",
                "    agent: true",
                "    prompt: Answer in one line.",
                "  - name: librarian",
                "    payload_class: faults.Lookup",
                "    agent: true",
                "    cache: true",
                "    cache_ttl: 600",
                "    prompt: Answer in one line.",
                "");
    }
}
