package dev.agentstream.udfs.quota;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;

import java.time.Duration;
import java.util.List;

/** The quota stage on Flink's two-input harness, and the turns and usage records it takes. */
final class QuotaHarness implements AutoCloseable {

    /** A minute boundary, so that budget periods of a minute start at it. */
    static final long T0 = 1_699_999_980_000L;

    /** Tokens a turn of {@link #turn} costs beyond its completion limit: one empty message. */
    static final int PROMPT = TokenCounter.PER_PROMPT_OVERHEAD + TokenCounter.PER_MESSAGE_OVERHEAD;

    final KeyedTwoInputStreamOperatorTestHarness<String, Turn, UsageRecord, Turn> harness;

    QuotaHarness(QuotaSettings settings) throws Exception {
        this(settings, new HashMapStateBackend(), null);
    }

    QuotaHarness(QuotaSettings settings, StateBackend backend, OperatorSubtaskState restored)
            throws Exception {
        QuotaKeys keys = new QuotaKeys(settings.table());
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new QuotaFunction(settings)),
                        (Turn t) ->
                                t.erase != null
                                        ? QuotaKeys.erasing(t.erase.tenant)
                                        : keys.of(t.tenant, t.thread),
                        (UsageRecord u) -> keys.of(u.tenant, u.thread),
                        Types.STRING);
        harness.setStateBackend(backend);
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
    }

    /** Settings of a window of a minute, with {@code limits} for every tenant. */
    static QuotaSettings settings(QuotaLimits limits) {
        return new QuotaSettings(
                Duration.ofMinutes(1),
                Duration.ofMinutes(1),
                Duration.ofMinutes(10),
                QuotaTable.of(limits));
    }

    static QuotaLimits perMinute(long tokens, Duration maxWait) {
        return new QuotaLimits(tokens, 0, maxWait);
    }

    /** A turn of {@code tenant} started by input {@code id} whose estimate is {@code estimate}. */
    static Turn turn(String tenant, String id, int estimate) {
        Turn t = new Turn();
        t.tenant = tenant;
        t.thread = "thread-" + id;
        t.agent = "echo";
        t.replyTo = "client";
        t.inputRoot = "Ping";
        t.inputEnvelopeId = id;
        t.model = "sim-1";
        t.maxTokens = estimate - PROMPT;
        t.messages = new ChatMessage[] {new ChatMessage(ChatMessage.USER, "")};
        t.createdAt = T0;
        return t;
    }

    /** The usage record the turn of input {@code id} comes back with. */
    static UsageRecord usage(String tenant, String id, String status, int totalTokens) {
        UsageRecord u = new UsageRecord();
        u.usageId = id + "/echo";
        u.thread = "thread-" + id;
        u.tenant = tenant;
        u.status = status;
        u.totalTokens = totalTokens;
        return u;
    }

    void at(long ms) throws Exception {
        harness.setProcessingTime(T0 + ms);
    }

    void turn(Turn t) throws Exception {
        harness.processElement1(new StreamRecord<>(t));
    }

    void usage(UsageRecord u) throws Exception {
        harness.processElement2(new StreamRecord<>(u));
    }

    /** An erase command of {@code tenant}, as the job sends it to the stage: a turn. */
    void erase(String tenant) throws Exception {
        turn(
                Turn.erasing(
                        new EraseTenant(
                                "c0ffee00-0000-4000-8000-000000000005", tenant, "ops", "", "")));
    }

    List<ErasurePart> parts() {
        var side = harness.getSideOutput(ErasurePart.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    /** Input ids of the turns let through so far, in order. */
    List<String> admitted() {
        return harness.extractOutputValues().stream().map(t -> t.inputEnvelopeId).toList();
    }

    List<TurnResult> rejected() {
        var side = harness.getSideOutput(QuotaFunction.REJECTED);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    OperatorSubtaskState snapshot() throws Exception {
        return harness.snapshot(1L, T0);
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
