package dev.agentstream.udfs.conversation;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.Preconditions;

import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.erasure.KeyedStates;
import dev.agentstream.udfs.erasure.TenantErasable;
import dev.agentstream.udfs.erasure.TenantStateEraser;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.trace.SpanAttributes;
import dev.agentstream.udfs.trace.StageSpan;
import dev.agentstream.udfs.trace.TurnSpans;
import dev.agentstream.udfs.turn.Turn;

import java.time.Duration;
import java.util.List;

/**
 * Keyed by a conversation's root thread: counts the turns of the whole conversation, its root
 * thread and every subthread its calls open, and lets a turn through only while the conversation is
 * within {@code maxTurns}. Thread limits alone cannot bound a conversation, since every call opens
 * a thread with limits of its own; this count can, because every turn of the conversation passes
 * through one key.
 *
 * <p>A turn over the limit is not called: it leaves as a rejected result (side output {@link
 * #REJECTED}), which the emit stage turns into a {@code <huh>} to the turn's sender and a usage
 * record with status {@code rejected}, so the conversation learns why it stopped.
 *
 * <p>State: one counter per conversation ({@code conversation-turns}), with the context's TTL;
 * cleared for a tenant by its erasure ({@link TenantErasable}). With tracing on, one {@code
 * conversation-budget} span per turn, a child of its thread-context span: the conversation's root,
 * its turn count with this turn, admitted or rejected.
 */
public class ConversationBudgetFunction extends KeyedProcessFunction<String, Turn, Turn>
        implements TenantErasable<String, Turn> {

    public static final OutputTag<TurnResult> REJECTED =
            new OutputTag<>("conversation-rejected", TypeInformation.of(TurnResult.class));

    /** Name of the per-conversation turn counter in keyed state: never change it. */
    public static final String TURNS = "conversation-turns";

    private static final long serialVersionUID = 1L;

    private final int maxTurns;
    private final Duration ttl;

    private transient ValueState<Integer> turns;
    private transient TenantStateEraser<String> eraser;
    private transient Counter admitted;
    private transient Counter rejected;
    private transient TurnSpans spans;

    public ConversationBudgetFunction(int maxTurns, Duration ttl) {
        Preconditions.checkArgument(maxTurns > 0, "maxTurns must be > 0: %s", maxTurns);
        this.maxTurns = maxTurns;
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Integer> desc = turnsDescriptor();
        turns = getRuntimeContext().getState(desc);
        eraser =
                TenantStateEraser.<String>forKeys(TenantNames::tenantOf)
                        .keys("conversation-budgets", desc)
                        .build(keyedStateDescriptors());
        var metrics = getRuntimeContext().getMetricGroup();
        admitted = metrics.counter("conversationTurnsAdmitted");
        rejected = metrics.counter("conversationTurnsRejected");
        spans = TurnSpans.open(getRuntimeContext(), SpanAttributes.CONVERSATION_BUDGET);
    }

    @Override
    public void close() throws Exception {
        if (spans != null) {
            spans.close();
        }
        super.close();
    }

    private ValueStateDescriptor<Integer> turnsDescriptor() {
        ValueStateDescriptor<Integer> desc = new ValueStateDescriptor<>(TURNS, Types.INT);
        desc.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        return desc;
    }

    @Override
    public ErasureTally eraseTenant(String tenant, KeyedStates<String> states, Collector<Turn> out)
            throws Exception {
        return eraser.erase(tenant, states);
    }

    @Override
    public String tenantOf(String key) {
        return TenantNames.tenantOf(key);
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStateDescriptors() {
        return List.of(turnsDescriptor());
    }

    @Override
    public void processElement(Turn turn, Context ctx, Collector<Turn> out) throws Exception {
        try (StageSpan span = spans.start(turn)) {
            span.set(SpanAttributes.CONVERSATION_ROOT, turn.root);
            count(turn, ctx, out, span);
        }
    }

    private void count(Turn turn, Context ctx, Collector<Turn> out, StageSpan span)
            throws Exception {
        Integer used = turns.value();
        int count = used == null ? 0 : used;
        if (count >= maxTurns) {
            span.set(SpanAttributes.OUTCOME, SpanAttributes.REJECTED)
                    .set(SpanAttributes.CONVERSATION_TURNS, (long) count);
            // Written again so that the count lives as long as the conversation keeps going.
            turns.update(count);
            rejected.inc();
            ctx.output(
                    REJECTED,
                    TurnResult.rejected(
                            turn,
                            "the conversation reached its limit of "
                                    + maxTurns
                                    + " agent turns (conversation.max-turns)"));
            return;
        }
        turns.update(count + 1);
        admitted.inc();
        span.set(SpanAttributes.OUTCOME, SpanAttributes.ADMITTED)
                .set(SpanAttributes.CONVERSATION_TURNS, (long) count + 1);
        out.collect(turn);
    }
}
