package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.context.ContextSettings;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.envelope.BusRecord;
import dev.agentstream.udfs.envelope.DecodeFunction;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.AttemptListener;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmClientFactory;
import dev.agentstream.udfs.llm.ScriptedProvider;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.router.LlmRouter;
import dev.agentstream.udfs.router.RetryPolicy;
import dev.agentstream.udfs.router.Route;
import dev.agentstream.udfs.router.RouterMetrics;
import dev.agentstream.udfs.router.Strategy;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.agentstream.udfs.trace.TraceTesting.attribute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One turn through the job's stages on Flink's test harnesses, with tracing on and the SDK's
 * in-memory exporter: decode, thread context, the LLM call (whose provider fails once, so the
 * router makes two attempts), emit, and the bus sink's encoding read back by decode as the next
 * hop. The spans form one tree of one trace, carry who and where, and never a payload or prompt.
 */
class TracedTurnTest {

    private static final String THREAD = Fixtures.THREAD_A;
    private static final String NAME = "Adalinda-of-the-payload";
    private static final String ANSWER = "Welcome-back-answer-text";
    private static final EnvelopeLimits LIMITS = EnvelopeLimits.defaults();

    private static final Organism ORGANISM = Fixtures.helloWorld();

    private static TraceTesting tracing;
    private static Envelope answer;
    private static Envelope nextHop;

    /** The one turn every test looks at, run once: the stages take a while to open. */
    @BeforeAll
    static void runOneTurn() throws Exception {
        tracing = new TraceTesting();
        Envelope decoded = decode(greeting(), 7);
        Turn turn = context(decoded);
        TurnResult result = call(turn);
        answer = emit(result);
        nextHop = decode(busBytes(answer), 8);
    }

    @AfterAll
    static void restoreOtlp() {
        tracing.close();
    }

    @Test
    void shouldTraceOneTurnAsOneTreeAcrossTheStagesAndIntoTheNextHop() {
        SpanData root = tracing.only(SpanAttributes.ENVELOPE);
        List<SpanData> decodes = tracing.named(SpanAttributes.DECODE);
        SpanData context = tracing.only(SpanAttributes.THREAD_CONTEXT);
        SpanData llm = tracing.only(SpanAttributes.LLM_CALL);
        List<SpanData> attempts = tracing.named(SpanAttributes.LLM_ATTEMPT);
        SpanData emit = tracing.only(SpanAttributes.EMIT);

        assertThat(tracing.spans())
                .as("one trace")
                .extracting(s -> s.getSpanContext().getTraceId())
                .containsOnly(root.getTraceId());
        assertThat(root.getParentSpanContext().isValid()).as("a new trace's root").isFalse();
        assertThat(decodes).hasSize(2);
        assertThat(decodes.get(0).getParentSpanId()).isEqualTo(root.getSpanId());
        assertThat(context.getParentSpanId()).isEqualTo(decodes.get(0).getSpanId());
        assertThat(llm.getParentSpanId()).isEqualTo(context.getSpanId());
        assertThat(attempts).hasSize(2);
        assertThat(attempts).allMatch(a -> a.getParentSpanId().equals(llm.getSpanId()));
        assertThat(emit.getParentSpanId()).isEqualTo(llm.getSpanId());
        assertThat(decodes.get(1).getParentSpanId())
                .as("the next hop joins the trace under the emit span")
                .isEqualTo(emit.getSpanId());
        assertThat(tracing.named(SpanAttributes.ENVELOPE)).as("no second root").hasSize(1);
        assertThat(nextHop.traceparent).isNotEmpty();
    }

    @Test
    void shouldNameEachAttemptsBackendModelAndErrorClass() {
        List<SpanData> attempts = tracing.named(SpanAttributes.LLM_ATTEMPT);
        SpanData llm = tracing.only(SpanAttributes.LLM_CALL);

        assertThat(attempts)
                .extracting(a -> a.getAttributes().get(SpanAttributes.ATTEMPT))
                .containsExactlyInAnyOrder(1L, 2L);
        SpanData first = attempts.stream().filter(a -> number(a) == 1).findFirst().orElseThrow();
        SpanData second = attempts.stream().filter(a -> number(a) == 2).findFirst().orElseThrow();
        assertThat(attribute(first, SpanAttributes.ERROR_TYPE)).isEqualTo("server-error");
        assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attribute(second, SpanAttributes.ERROR_TYPE)).isNull();
        assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        for (SpanData a : attempts) {
            assertThat(attribute(a, SpanAttributes.BACKEND)).isEqualTo("primary");
            assertThat(attribute(a, SpanAttributes.REQUEST_MODEL)).isEqualTo("grok-3-mini");
        }
        assertThat(llm.getAttributes().get(SpanAttributes.ATTEMPTS)).isEqualTo(2L);
        assertThat(attribute(llm, SpanAttributes.TURN_STATUS)).isEqualTo(TurnResult.OK);
        assertThat(llm.getAttributes().get(SpanAttributes.INPUT_TOKENS)).isEqualTo(12L);
        assertThat(llm.getAttributes().get(SpanAttributes.OUTPUT_TOKENS)).isEqualTo(3L);
    }

    @Test
    void shouldCarryTenantThreadAgentAndEnvelopeButNeverPayloadOrPrompt() {
        assertThat(new String(greeting(), StandardCharsets.UTF_8)).contains(NAME);
        assertThat(answer.payloadXml).contains(ANSWER);
        for (String name :
                List.of(
                        SpanAttributes.THREAD_CONTEXT,
                        SpanAttributes.LLM_CALL,
                        SpanAttributes.LLM_ATTEMPT,
                        SpanAttributes.EMIT)) {
            SpanData span = tracing.named(name).get(0);
            assertThat(attribute(span, SpanAttributes.TENANT)).as(name).isEqualTo("default");
            assertThat(attribute(span, SpanAttributes.CONVERSATION)).as(name).isEqualTo(THREAD);
            assertThat(attribute(span, SpanAttributes.AGENT)).as(name).isEqualTo("greeter");
            assertThat(attribute(span, SpanAttributes.ENVELOPE_ID)).as(name).isEqualTo("bus-0-7");
        }
        for (SpanData span : tracing.spans()) {
            span.getAttributes()
                    .forEach(
                            (AttributeKey<?> key, Object value) ->
                                    assertThat(String.valueOf(value))
                                            .as(span.getName() + " " + key)
                                            .doesNotContain(NAME, ANSWER, "Be friendly")
                                            .doesNotContain("<"));
            assertThat(span.getEvents())
                    .allSatisfy(e -> assertThat(e.getAttributes().isEmpty()).isTrue());
        }
    }

    @Test
    void shouldWriteTheEmitSpanOnTheEnvelopeThatLeaves() throws Exception {
        SpanData emit = tracing.only(SpanAttributes.EMIT);
        SpanContext written = Traceparent.parse(answer.traceparent);
        Envelope onTheBus = new EnvelopeCodec(LIMITS).decode(busBytes(answer));

        assertThat(written.getTraceId()).isEqualTo(emit.getTraceId());
        assertThat(written.getSpanId()).isEqualTo(emit.getSpanId());
        assertThat(new TraceXml(LIMITS).read(onTheBus.metaExtensions)).hasValue(answer.traceparent);
        assertThat(emit.getAttributes().get(SpanAttributes.ENVELOPES)).isEqualTo(1L);
    }

    // ------------------------------------------------------------------ the stages

    private static Envelope decode(byte[] bytes, long offset) throws Exception {
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new DecodeFunction(LIMITS)))) {
            withTracing(h);
            h.open();
            h.processElement(new StreamRecord<>(new BusRecord("bus", 0, offset, 0L, bytes)));
            return only(h.extractOutputValues());
        }
    }

    private static Turn context(Envelope envelope) throws Exception {
        var function =
                new ThreadContextFunction(
                        ORGANISM, ContextSettings.defaults(), LIMITS, Fixtures.registry());
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function),
                        (Envelope e) -> TenantNames.key(e.tenant, e.thread),
                        Types.STRING)) {
            withTracing(h);
            h.open();
            h.processElement(new StreamRecord<>(envelope));
            return only(h.extractOutputValues());
        }
    }

    private static TurnResult call(Turn turn) throws Exception {
        var operator =
                new AsyncWaitOperatorFactory<>(
                        new LlmCallFunction(new FailingOnce()),
                        10_000,
                        4,
                        AsyncDataStream.OutputMode.ORDERED);
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        operator,
                        TypeInformation.of(Turn.class)
                                .createSerializer(new SerializerConfigImpl()))) {
            withTracing(h);
            h.open();
            h.processElement(new StreamRecord<>(turn));
            h.endInput();
            return only(h.extractOutputValues());
        }
    }

    private static Envelope emit(TurnResult result) throws Exception {
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EmitFunction(ORGANISM, LIMITS, Fixtures.registry())))) {
            withTracing(h);
            h.open();
            h.processElement(new StreamRecord<>(result));
            return only(h.extractOutputValues());
        }
    }

    private static void withTracing(AbstractStreamOperatorTestHarness<?> h) {
        h.getExecutionConfig().setGlobalJobParameters(Configuration.fromMap(tracing.parameters()));
    }

    /** What the bus sink writes for {@code e} (the tenant stamp aside). */
    private static byte[] busBytes(Envelope e) {
        return new EnvelopeCodec(LIMITS).encode(TraceXml.withExtension(e));
    }

    private static byte[] greeting() {
        Envelope e = Fixtures.envelope(THREAD, "console", "greeter", "Greeting", NAME);
        return new EnvelopeCodec(LIMITS).encode(e);
    }

    private static long number(SpanData attempt) {
        return attempt.getAttributes().get(SpanAttributes.ATTEMPT);
    }

    private static <T> T only(List<T> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    /** A router over one backend that fails the first attempt with a 500, then answers. */
    private static final class FailingOnce implements LlmClientFactory {

        @Override
        public LlmClient create() {
            return create(1, null, AttemptListener.NONE);
        }

        @Override
        public LlmClient create(int subtasks, MetricGroup group, AttemptListener attempts) {
            AtomicInteger calls = new AtomicInteger();
            ScriptedProvider provider =
                    new ScriptedProvider()
                            .answer(
                                    turn ->
                                            calls.getAndIncrement() == 0
                                                    ? CompletableFuture.failedFuture(
                                                            new LlmCallException(500, "down"))
                                                    : CompletableFuture.completedFuture(
                                                            ScriptedProvider.reply(ANSWER, 12, 3)));
            return new LlmRouter(
                    List.of(
                            new Route(
                                    "primary",
                                    "grok-3-mini",
                                    provider,
                                    CircuitBreaker.ofDefaults("primary"))),
                    new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(5)),
                    Strategy.FAILOVER,
                    RouterMetrics.NONE,
                    attempts);
        }
    }
}
