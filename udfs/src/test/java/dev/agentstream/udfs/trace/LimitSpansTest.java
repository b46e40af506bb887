package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.quota.QuotaFunction;
import dev.agentstream.udfs.quota.QuotaLimits;
import dev.agentstream.udfs.quota.QuotaSettings;
import dev.agentstream.udfs.quota.QuotaTable;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.agentstream.udfs.trace.TraceTesting.attribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The spans of the stages that hold turns to limits: {@code conversation-budget} and {@code quota},
 * each a child of the turn's thread-context span, with its tenant, thread and agent; a wait on the
 * quota's timer shows on the span that covers it.
 */
class LimitSpansTest {

    /** The thread-context span the turns carry. */
    private static final String CONTEXT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static final String CONTEXT_SPAN = "b7ad6b7169203331";

    /** A minute boundary. */
    private static final long T0 = 1_699_999_980_000L;

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
    void shouldSpanATurnsWaitOnTheQuotaTimerFromItsArrivalToItsRelease() throws Exception {
        try (var h = quota(new QuotaLimits(300, 0, Duration.ofMinutes(5)))) {
            h.setProcessingTime(T0);
            for (String id : new String[] {"i1", "i2", "i3", "i4"}) {
                h.processElement1(new StreamRecord<>(turn(id, 100)));
            }
            assertThat(tracing.named(SpanAttributes.QUOTA)).hasSize(3);

            h.setProcessingTime(T0 + 60_000);

            List<SpanData> spans = tracing.named(SpanAttributes.QUOTA);
            assertThat(spans).hasSize(4).allSatisfy(LimitSpansTest::assertTurnSpan);
            assertThat(spans.subList(0, 3))
                    .allSatisfy(
                            s -> {
                                assertThat(s.getEvents()).isEmpty();
                                assertThat(s.getAttributes().get(SpanAttributes.QUOTA_WAITED))
                                        .isZero();
                                assertThat(attribute(s, SpanAttributes.QUOTA_RELEASED_BY)).isNull();
                            });
            SpanData waited = spans.get(3);
            assertThat(attribute(waited, SpanAttributes.ENVELOPE_ID)).isEqualTo("i4");
            assertThat(attribute(waited, SpanAttributes.OUTCOME)).isEqualTo("admitted");
            assertThat(waited.getAttributes().get(SpanAttributes.QUOTA_ESTIMATE)).isEqualTo(100);
            assertThat(waited.getAttributes().get(SpanAttributes.QUOTA_WAITED)).isEqualTo(60_000);
            assertThat(attribute(waited, SpanAttributes.QUOTA_RELEASED_BY)).isEqualTo("timer");
            assertThat(waited.getStartEpochNanos()).isEqualTo(nanos(T0));
            assertThat(waited.getEndEpochNanos()).isEqualTo(nanos(T0 + 60_000));
            assertThat(waited.getEvents())
                    .extracting(EventData::getName, EventData::getEpochNanos)
                    .containsExactly(
                            tuple("quota-wait", nanos(T0)),
                            tuple("quota-timer", nanos(T0 + 60_000)));
        }
    }

    @Test
    void shouldSpanATurnTheQuotaRejectedWithTheLimitItWasOver() throws Exception {
        try (var h = quota(new QuotaLimits(300, 0, Duration.ofSeconds(30)))) {
            h.setProcessingTime(T0);
            for (String id : new String[] {"i1", "i2", "i3", "i4"}) {
                h.processElement1(new StreamRecord<>(turn(id, 100)));
            }
            h.processElement1(new StreamRecord<>(turn("huge", 301)));
            h.setProcessingTime(T0 + 30_000);

            List<SpanData> rejected =
                    tracing.named(SpanAttributes.QUOTA).stream()
                            .filter(s -> "rejected".equals(attribute(s, SpanAttributes.OUTCOME)))
                            .toList();
            assertThat(rejected)
                    .allSatisfy(LimitSpansTest::assertTurnSpan)
                    .extracting(
                            s -> attribute(s, SpanAttributes.ENVELOPE_ID),
                            s -> attribute(s, SpanAttributes.QUOTA_LIMIT),
                            s -> attribute(s, SpanAttributes.QUOTA_RELEASED_BY))
                    .containsExactly(tuple("i4", "rate", "timer"), tuple("huge", "rate", "timer"));
        }
    }

    @Test
    void shouldSpanEveryTurnOfATenantWithoutLimits() throws Exception {
        try (var h = quota(QuotaLimits.NONE)) {
            h.processElement1(new StreamRecord<>(turn("i1", 100)));

            SpanData span = tracing.only(SpanAttributes.QUOTA);
            assertTurnSpan(span);
            assertThat(attribute(span, SpanAttributes.OUTCOME)).isEqualTo("admitted");
            assertThat(span.getAttributes().get(SpanAttributes.QUOTA_ESTIMATE)).isNull();
        }
    }

    @Test
    void shouldSpanEachTurnOfAConversationWithItsCountAndOutcome() throws Exception {
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ConversationBudgetFunction(1, Duration.ofHours(1))),
                        (Turn t) -> t.tenant + "/" + t.root,
                        Types.STRING)) {
            h.getExecutionConfig()
                    .setGlobalJobParameters(Configuration.fromMap(tracing.parameters()));
            h.open();
            h.processElement(new StreamRecord<>(turn("i1", 100)));
            h.processElement(new StreamRecord<>(turn("i2", 100)));

            List<SpanData> spans = tracing.named(SpanAttributes.CONVERSATION_BUDGET);
            assertThat(spans)
                    .hasSize(2)
                    .allSatisfy(LimitSpansTest::assertTurnSpan)
                    .allSatisfy(
                            s ->
                                    assertThat(attribute(s, SpanAttributes.CONVERSATION_ROOT))
                                            .isEqualTo("root-1"))
                    .extracting(
                            s -> attribute(s, SpanAttributes.OUTCOME),
                            s -> s.getAttributes().get(SpanAttributes.CONVERSATION_TURNS))
                    .containsExactly(tuple("admitted", 1L), tuple("rejected", 1L));
        }
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, Turn, UsageRecord, Turn> quota(
            QuotaLimits limits) throws Exception {
        QuotaSettings settings =
                new QuotaSettings(
                        Duration.ofMinutes(1),
                        Duration.ofDays(1),
                        Duration.ofMinutes(10),
                        QuotaTable.of(limits));
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new QuotaFunction(settings)),
                        (Turn t) -> t.tenant,
                        (UsageRecord u) -> u.tenant,
                        Types.STRING);
        h.getExecutionConfig().setGlobalJobParameters(Configuration.fromMap(tracing.parameters()));
        h.open();
        return h;
    }

    /** A child of the turn's thread-context span, naming who and where; no prompt. */
    private static void assertTurnSpan(SpanData span) {
        assertThat(span.getParentSpanId()).isEqualTo(CONTEXT_SPAN);
        assertThat(attribute(span, SpanAttributes.TENANT)).isEqualTo("acme");
        assertThat(attribute(span, SpanAttributes.AGENT)).isEqualTo("echo");
        assertThat(attribute(span, SpanAttributes.CONVERSATION)).startsWith("thread-");
        span.getAttributes()
                .forEach((k, v) -> assertThat(String.valueOf(v)).doesNotContain("secret words"));
    }

    private static Turn turn(String id, int estimate) {
        Turn t = new Turn();
        t.tenant = "acme";
        t.thread = "thread-" + id;
        t.root = "root-1";
        t.agent = "echo";
        t.replyTo = "client";
        t.inputRoot = "Ping";
        t.inputEnvelopeId = id;
        t.model = "sim-1";
        t.messages = new ChatMessage[] {new ChatMessage(ChatMessage.USER, "secret words")};
        t.maxTokens = estimate - (int) new TokenCounter().promptTokens(t.messages);
        t.createdAt = T0;
        t.traceparent = CONTEXT;
        return t;
    }

    private static long nanos(long epochMillis) {
        return TimeUnit.MILLISECONDS.toNanos(epochMillis);
    }
}
