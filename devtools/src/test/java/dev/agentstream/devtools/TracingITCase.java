package dev.agentstream.devtools;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.agentstream.devtools.sim.Fault;
import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.trace.SpanAttributes;
import dev.agentstream.udfs.trace.TraceSdk;
import dev.agentstream.udfs.trace.TraceXml;
import dev.agentstream.udfs.trace.Traceparent;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing on the whole job (MiniCluster, RocksDB, a real Kafka broker, the simulator failing the
 * first attempt), with the SDK's in-memory exporter in place of OTLP: one turn is one trace from
 * the envelope's decode to the answer's emit, through the conversation-budget and quota stages,
 * with two attempt spans; the answer carries the trace on the bus, and its own decode, when the job
 * reads it back, joins the trace.
 */
class TracingITCase extends LocalServicesTestBase {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(EnvelopeLimits.defaults());
    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String BUS = "bus-trace-" + SUFFIX;
    private static final String QUESTION = "Quintessential-question-text";

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static JobClient job;

    @BeforeAll
    static void startJob() throws Exception {
        TraceSdk.exportForTests(SPANS);
        broker.createTopics(2, BUS, "usage-trace-" + SUFFIX, "dead-trace-" + SUFFIX);
        Path organism = tmp.resolve("tracing.yaml");
        Files.writeString(organism, organismYaml());
        Configuration conf = AgentStreamJob.withDefaults(new Configuration());
        conf.set(AgentStreamOptions.ORGANISM_PATH, organism.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, registryKey.toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, BUS);
        conf.set(AgentStreamOptions.USAGE_TOPIC, "usage-trace-" + SUFFIX);
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, "dead-trace-" + SUFFIX);
        conf.set(AgentStreamOptions.GROUP_ID, "job-" + BUS);
        conf.set(AgentStreamOptions.TRACING_ENABLED, true);
        // A budget far above what the test uses: the quota stage reserves for every turn.
        conf.set(AgentStreamOptions.QUOTA_BUDGET_TOKENS, 1_000_000L);
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
        TraceSdk.exportForTests(null);
    }

    @Test
    void shouldTraceOneTurnFromDecodeToEmitAndIntoTheNextHop() throws Exception {
        String thread = UUID.randomUUID().toString();
        simulator.failNext(1, Fault.status(500));

        bus.send(BUS, thread, ask(thread));
        Envelope answer = answerOn(thread);
        List<SpanData> trace = traceOf(thread);

        SpanData root = only(trace, SpanAttributes.ENVELOPE);
        SpanData context =
                firstUnder(trace, SpanAttributes.THREAD_CONTEXT, decodeUnder(trace, root));
        SpanData budget = only(trace, SpanAttributes.CONVERSATION_BUDGET);
        SpanData quota = only(trace, SpanAttributes.QUOTA);
        SpanData llm = only(trace, SpanAttributes.LLM_CALL);
        List<SpanData> attempts = named(trace, SpanAttributes.LLM_ATTEMPT);
        SpanData emit = only(trace, SpanAttributes.EMIT);
        assertThat(llm.getParentSpanId()).isEqualTo(context.getSpanId());
        for (SpanData limit : List.of(budget, quota)) {
            assertThat(limit.getParentSpanId()).as(limit.getName()).isEqualTo(context.getSpanId());
            assertThat(limit.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("admitted");
            assertThat(limit.getEndEpochNanos()).isLessThanOrEqualTo(llm.getStartEpochNanos());
        }
        assertThat(budget.getAttributes().get(SpanAttributes.CONVERSATION_TURNS)).isEqualTo(1);
        assertThat(quota.getAttributes().get(SpanAttributes.QUOTA_ESTIMATE)).isPositive();
        assertThat(quota.getAttributes().get(SpanAttributes.QUOTA_WAITED)).isZero();
        assertThat(quota.getEvents()).as("no wait").isEmpty();
        assertThat(attempts).hasSize(2).allMatch(a -> a.getParentSpanId().equals(llm.getSpanId()));
        assertThat(attempts)
                .extracting(a -> a.getAttributes().get(SpanAttributes.ERROR_TYPE))
                .containsExactlyInAnyOrder("server-error", null);
        assertThat(emit.getParentSpanId()).isEqualTo(llm.getSpanId());
        assertThat(named(trace, SpanAttributes.DECODE))
                .as("the answer read back from the bus is decoded under the emit span")
                .anyMatch(d -> d.getParentSpanId().equals(emit.getSpanId()));
        for (SpanData span : List.of(budget, quota, llm, emit, attempts.get(0))) {
            assertThat(span.getAttributes().get(SpanAttributes.TENANT)).isEqualTo("default");
            assertThat(span.getAttributes().get(SpanAttributes.AGENT)).isEqualTo("solver");
        }
        for (SpanData span : trace) {
            span.getAttributes()
                    .forEach(
                            (key, value) ->
                                    assertThat(String.valueOf(value))
                                            .as(span.getName() + " " + key)
                                            .doesNotContain(QUESTION, "Answer in one line"));
        }

        SpanContext written =
                Traceparent.parse(
                        new TraceXml(EnvelopeLimits.defaults())
                                .read(answer.metaExtensions)
                                .orElseThrow());
        assertThat(written.getTraceId()).isEqualTo(root.getTraceId());
        assertThat(written.getSpanId()).isEqualTo(emit.getSpanId());
    }

    /** Every span of the trace that the envelope on {@code thread} started, once complete. */
    private static List<SpanData> traceOf(String thread) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> traceId =
                    SPANS.getFinishedSpanItems().stream()
                            .filter(s -> s.getName().equals(SpanAttributes.ENVELOPE))
                            .filter(
                                    s ->
                                            thread.equals(
                                                    s.getAttributes()
                                                            .get(SpanAttributes.CONVERSATION)))
                            .map(SpanData::getTraceId)
                            .findFirst();
            if (traceId.isPresent()) {
                List<SpanData> trace =
                        SPANS.getFinishedSpanItems().stream()
                                .filter(s -> s.getTraceId().equals(traceId.get()))
                                .toList();
                if (named(trace, SpanAttributes.EMIT).size() == 1
                        && named(trace, SpanAttributes.DECODE).size() >= 2) {
                    return trace;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no complete trace for thread " + thread);
    }

    private static SpanData decodeUnder(List<SpanData> trace, SpanData root) {
        return firstUnder(trace, SpanAttributes.DECODE, root);
    }

    private static SpanData firstUnder(List<SpanData> trace, String name, SpanData parent) {
        return named(trace, name).stream()
                .filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " under " + parent.getName()));
    }

    private static List<SpanData> named(List<SpanData> trace, String name) {
        return trace.stream().filter(s -> s.getName().equals(name)).toList();
    }

    private static SpanData only(List<SpanData> trace, String name) {
        List<SpanData> found = named(trace, name);
        assertThat(found).as(name).hasSize(1);
        return found.get(0);
    }

    /** The agent's envelope on {@code thread}, as the bus holds it. */
    private static Envelope answerOn(String thread) {
        Envelope[] found = new Envelope[1];
        Predicate<List<ConsumerRecord<byte[], byte[]>>> answered =
                records -> {
                    for (var record : records) {
                        try {
                            Envelope e = CODEC.decode(record.value());
                            if (thread.equals(e.thread) && "solver".equals(e.from)) {
                                found[0] = e;
                                return true;
                            }
                        } catch (Exception notAnEnvelope) {
                            // nothing but envelopes is sent here
                        }
                    }
                    return false;
                };
        bus.readUntil(BUS, answered, WAIT);
        assertThat(found[0]).as("an answer on thread %s", thread).isNotNull();
        return found[0];
    }

    private static String ask(String thread) {
        return "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                + "<from>client</from><thread>"
                + thread
                + "</thread></meta><Ask><text>"
                + QUESTION
                + "</text></Ask></message>";
    }

    private static String organismYaml() {
        return String.join(
                "\n",
                "organism:",
                "  name: tracing",
                "llm:",
                "  strategy: failover",
                "  retries: 1",
                "  retry_base_delay: 0.05",
                "  retry_max_delay: 0.1",
                "  backends:",
                "    - provider: openai",
                "      name: primary",
                "      base_url: " + simulator.baseUrl(),
                "      model: primary-model",
                "      priority: 1",
                "listeners:",
                "  - name: solver",
                "    payload_class: tracing.Ask",
                "    agent: true",
                "    prompt: Answer in one line.",
                "");
    }
}
