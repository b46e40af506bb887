package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.context.ContextSettings;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.AttemptListener;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmClientFactory;
import dev.agentstream.udfs.llm.ScriptedProvider;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.router.LlmRouter;
import dev.agentstream.udfs.router.RetryPolicy;
import dev.agentstream.udfs.router.Route;
import dev.agentstream.udfs.router.RouterMetrics;
import dev.agentstream.udfs.router.Strategy;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.agentstream.udfs.trace.TraceTesting.attribute;
import static org.assertj.core.api.Assertions.assertThat;

/** The spans of single stages: where they join, when they end, and when there are none. */
class StageSpansTest {

    private static final String UPSTREAM =
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final EnvelopeLimits LIMITS = EnvelopeLimits.defaults();

    private TraceTesting tracing;

    @BeforeEach
    void exportInMemory() {
        tracing = new TraceTesting();
    }

    @AfterEach
    void restoreOtlp() {
        tracing.close();
    }

    @Test
    void shouldJoinTheTraceAnEnvelopeNamesInsteadOfStartingOne() throws Exception {
        Envelope e = decoded(TraceXml.extension(UPSTREAM));

        try (DecodeSpans spans = DecodeSpans.open(tracing.settings, LIMITS)) {
            spans.begin();
            spans.decoded(e);
        }

        SpanData decode = tracing.only(SpanAttributes.DECODE);
        assertThat(tracing.named(SpanAttributes.ENVELOPE)).isEmpty();
        assertThat(decode.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(decode.getParentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(decode.getParentSpanContext().isRemote()).isTrue();
        assertThat(Traceparent.parse(e.traceparent).getSpanId()).isEqualTo(decode.getSpanId());
    }

    @Test
    void shouldStartATraceForAnEnvelopeWhoseContextIsBroken() throws Exception {
        Envelope e =
                decoded("<traceparent xmlns=\"https://agentstream.dev/ns/v1\">00-zz</traceparent>");

        try (DecodeSpans spans = DecodeSpans.open(tracing.settings, LIMITS)) {
            spans.begin();
            spans.decoded(e);
        }

        SpanData root = tracing.only(SpanAttributes.ENVELOPE);
        assertThat(tracing.only(SpanAttributes.DECODE).getParentSpanId())
                .isEqualTo(root.getSpanId());
    }

    @Test
    void shouldTraceADeadLetterAsAFailedDecodeWithItsReason() {
        try (DecodeSpans spans = DecodeSpans.open(tracing.settings, LIMITS)) {
            spans.begin();
            spans.rejected("not-xml", "bus-0-3", null, null);
        }

        SpanData decode = tracing.only(SpanAttributes.DECODE);
        assertThat(decode.getParentSpanId()).isEqualTo(tracing.only("envelope").getSpanId());
        assertThat(attribute(decode, SpanAttributes.DEAD_LETTER)).isEqualTo("not-xml");
        assertThat(attribute(decode, SpanAttributes.ENVELOPE_ID)).isEqualTo("bus-0-3");
        assertThat(decode.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void shouldDoNothingWhenTracingIsOff() throws Exception {
        Envelope e = decoded(TraceXml.extension(UPSTREAM));
        TracingSettings off = TracingSettings.disabled();

        try (DecodeSpans decode = DecodeSpans.open(off, LIMITS);
                ContextSpans context = ContextSpans.open(off);
                CallSpans call = CallSpans.open(off)) {
            decode.begin();
            decode.decoded(e);
            assertThat(context.start(e)).isSameAs(StageSpan.NONE);
            assertThat(call.start(Fixtures.turn())).isSameAs(StageSpan.NONE);
            assertThat(call.attempts()).isSameAs(AttemptListener.NONE);
        }

        assertThat(e.traceparent).isEmpty();
        assertThat(tracing.spans()).isEmpty();
        assertThat(StageSpan.NONE.traceparent()).isEmpty();
    }

    @Test
    void shouldCarryTheContextOfATraceNotSampledWithoutExportingIt() {
        try (TraceTesting unsampled = new TraceTesting(0.0);
                ContextSpans spans = ContextSpans.open(unsampled.settings)) {
            Envelope e = new Envelope("console", "greeter", Fixtures.THREAD_A, "<G/>", "G", "");

            spans.start(e).close();

            assertThat(Traceparent.parse(e.traceparent).isValid()).isTrue();
            assertThat(Traceparent.parse(e.traceparent).isSampled()).isFalse();
            assertThat(unsampled.spans()).isEmpty();
        }
    }

    @Test
    void shouldEndTheCallSpanOnceWhicheverResultComesFirst() {
        Turn turn = Fixtures.turn();
        try (CallSpans spans = CallSpans.open(tracing.settings)) {
            StageSpan call = spans.start(turn);
            TurnResult timedOut = TurnResult.failed(turn, TurnResult.TIMED_OUT, -1);
            TurnResult late = TurnResult.failed(turn, "call failed", 5);

            CallSpans.end(call, timedOut);
            CallSpans.end(call, late);

            SpanData span = tracing.only(SpanAttributes.LLM_CALL);
            assertThat(attribute(span, SpanAttributes.ERROR_TYPE)).isEqualTo("timeout");
            assertThat(Traceparent.parse(timedOut.traceparent).getSpanId())
                    .isEqualTo(span.getSpanId());
        }
    }

    @Test
    void shouldEndTheCallAndItsAttemptWhenTheOperatorTimesTheTurnOut() throws Exception {
        ScriptedProvider holding = ScriptedProvider.holding();
        LlmCallFunction function = new LlmCallFunction(new RouterOver(holding));
        function.setRuntimeContext(runtimeContext(tracing.parameters()));
        function.open(DefaultOpenContext.INSTANCE);
        Recording results = new Recording();
        Turn turn = Fixtures.turn();
        try {
            function.asyncInvoke(turn, results);
            waitFor(() -> holding.calls() == 1);

            function.timeout(turn, results);
            holding.pending().get(0).complete(ScriptedProvider.reply("late", 1, 1));
            // The attempt ends as its cancellation reaches it, on the router's own threads.
            waitFor(() -> !tracing.named(SpanAttributes.LLM_ATTEMPT).isEmpty());
        } finally {
            function.close();
        }

        SpanData call = tracing.only(SpanAttributes.LLM_CALL);
        SpanData attempt = tracing.only(SpanAttributes.LLM_ATTEMPT);
        assertThat(attribute(call, SpanAttributes.ERROR_TYPE)).isEqualTo("timeout");
        assertThat(attempt.getParentSpanId()).isEqualTo(call.getSpanId());
        assertThat(attribute(attempt, SpanAttributes.ERROR_TYPE)).isEqualTo("cancelled");
        assertThat(results.results).hasSize(1);
        assertThat(Traceparent.parse(results.results.get(0).traceparent).getSpanId())
                .isEqualTo(call.getSpanId());
    }

    @Test
    void shouldLetATurnThatWaitedForItsAgentJoinTheTraceOfItsInput() throws Exception {
        var function =
                new ThreadContextFunction(
                        Fixtures.helloWorld(),
                        ContextSettings.defaults(),
                        LIMITS,
                        Fixtures.registry());
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function),
                        (Envelope e) -> TenantNames.key(e.tenant, e.thread),
                        Types.STRING)) {
            h.getExecutionConfig()
                    .setGlobalJobParameters(Configuration.fromMap(tracing.parameters()));
            h.open();
            Envelope first = greeting("bus-0-1");
            Envelope second = greeting("bus-0-2");
            Envelope answer =
                    Fixtures.envelope(
                            Fixtures.THREAD_A, "greeter", "shouter", "GreetingResponse", "bus-0-3");
            answer.metaExtensions = new Registry(Fixtures.registry(), LIMITS).turnEnd("bus-0-1");
            answer.tenant = "default";

            h.processElement(new StreamRecord<>(first));
            h.processElement(new StreamRecord<>(second));
            h.processElement(new StreamRecord<>(answer));

            List<Turn> turns = h.extractOutputValues();
            assertThat(turns)
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("bus-0-1", "bus-0-2");
            SpanContext released = Traceparent.parse(turns.get(1).traceparent);
            SpanData secondVisit =
                    tracing.named(SpanAttributes.THREAD_CONTEXT).stream()
                            .filter(s -> "bus-0-2".equals(attribute(s, SpanAttributes.ENVELOPE_ID)))
                            .findFirst()
                            .orElseThrow();
            assertThat(released.getSpanId()).isEqualTo(secondVisit.getSpanId());
            assertThat(released.getTraceId()).isEqualTo(secondVisit.getTraceId());
        }
    }

    @Test
    void shouldOpenAndCloseTheOtlpExporterWithNoCollectorThere() {
        TraceSdk.exportForTests(null);
        TracingSettings nowhere = new TracingSettings(true, "http://127.0.0.1:1", 1.0);
        try (CallSpans spans = CallSpans.open(nowhere)) {
            StageSpan call = spans.start(Fixtures.turn());

            CallSpans.end(call, TurnResult.failed(Fixtures.turn(), "x", 1));

            assertThat(Traceparent.parse(call.traceparent()).isValid()).isTrue();
        } finally {
            TraceSdk.exportForTests(tracing.exporter);
        }
    }

    private static Envelope greeting(String id) {
        Envelope e = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Greeting", id);
        e.tenant = "default";
        return e;
    }

    /** An envelope as decode reads it, with {@code extensions} in its meta. */
    private static Envelope decoded(String extensions) throws Exception {
        Envelope e = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Greeting", "x");
        e.metaExtensions = extensions;
        EnvelopeCodec codec = new EnvelopeCodec(LIMITS);
        return codec.decode(codec.encode(e));
    }

    private static MockStreamingRuntimeContext runtimeContext(Map<String, String> parameters) {
        return new MockStreamingRuntimeContext(1, 0) {
            @Override
            public Map<String, String> getGlobalJobParameters() {
                return parameters;
            }
        };
    }

    private static void waitFor(java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(condition.getAsBoolean()).as("in time").isTrue();
    }

    /** A router over one provider stand-in, without retries. */
    private record RouterOver(ScriptedProvider provider) implements LlmClientFactory {
        @Override
        public LlmClient create() {
            return create(1, null, AttemptListener.NONE);
        }

        @Override
        public LlmClient create(int subtasks, MetricGroup group, AttemptListener attempts) {
            return new LlmRouter(
                    List.of(new Route("primary", "m", provider, CircuitBreaker.ofDefaults("p"))),
                    new RetryPolicy(0, Duration.ZERO, Duration.ZERO),
                    Strategy.FAILOVER,
                    RouterMetrics.NONE,
                    attempts);
        }
    }

    /** Keeps what the function completes its result future with. */
    private static final class Recording implements ResultFuture<TurnResult> {
        final List<TurnResult> results = new CopyOnWriteArrayList<>();

        @Override
        public void complete(Collection<TurnResult> result) {
            results.addAll(result);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            throw new AssertionError(error);
        }

        @Override
        public void complete(CollectionSupplier<TurnResult> supplier) {
            try {
                results.addAll(supplier.get());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
