package dev.agentstream.devtools.state;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import dev.agentstream.job.OperatorIds;
import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.context.ContextStateNames;
import dev.agentstream.udfs.context.ThreadHead;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.registry.RouteLink;

import java.util.List;
import java.util.Set;

/**
 * What the state tool knows of the job's operators: the keyed state of those it reads and rewrites,
 * and the uids whose state holds nothing of a tenant. An operator with state that is in neither
 * list (the billing stages, stages of later releases) stops an erasure, which could not clean it.
 */
public final class Layouts {

    /** Thread context: slots, head, turns in flight and waiting, registry link and answers. */
    public static final KeyedLayout THREAD_CONTEXT =
            new KeyedLayout(
                    OperatorIds.THREAD_CONTEXT,
                    List.of(
                            StateSpec.map(
                                    ContextStateNames.SLOTS,
                                    Types.LONG,
                                    TypeInformation.of(ContextSlot.class)),
                            StateSpec.value(
                                    ContextStateNames.HEAD, TypeInformation.of(ThreadHead.class)),
                            StateSpec.map(ContextStateNames.BUSY, Types.STRING, Types.LONG),
                            StateSpec.map(ContextStateNames.BUSY_INPUT, Types.STRING, Types.STRING),
                            StateSpec.map(ContextStateNames.WAITING, Types.LONG, Types.STRING),
                            StateSpec.value(
                                    ContextStateNames.LINK, TypeInformation.of(RouteLink.class)),
                            StateSpec.map(ContextStateNames.ANSWERS, Types.STRING, Types.BOOLEAN)));

    /** The turn count of each conversation. */
    public static final KeyedLayout CONVERSATION_BUDGET =
            new KeyedLayout(
                    OperatorIds.CONVERSATION_BUDGET,
                    List.of(StateSpec.value(ConversationBudgetFunction.TURNS, Types.INT)));

    /** Every keyed layout the tool reads and rewrites. */
    public static final List<KeyedLayout> KEYED = List.of(THREAD_CONTEXT, CONVERSATION_BUDGET);

    /**
     * Operators whose state names no tenant: Kafka offsets and transactions, or nothing at all. A
     * Kafka sink's committer has its own uid, the sink's with a prefix ({@link #committerUid}).
     */
    static final Set<String> TENANT_FREE =
            Set.of(
                    OperatorIds.BUS_SOURCE,
                    OperatorIds.DECODE,
                    OperatorIds.EMIT,
                    OperatorIds.BUS_SINK,
                    OperatorIds.USAGE_SINK,
                    OperatorIds.DEAD_LETTER_SINK,
                    OperatorIds.USAGE_SOURCE);

    private Layouts() {}

    /** True when the state of the operator {@code uid} holds nothing of any tenant. */
    static boolean isTenantFree(String uid) {
        return TENANT_FREE.stream()
                .anyMatch(free -> uid.equals(free) || uid.equals(committerUid(free)));
    }

    /** The uid Flink gives the committer of the Sink V2 whose uid is {@code sinkUid}. */
    static String committerUid(String sinkUid) {
        return "Sink Committer: " + sinkUid;
    }

    /** True when the tool rewrites the operator {@code uid} without a tenant. */
    static boolean isErasable(String uid) {
        return OperatorIds.LLM_CALL.equals(uid)
                || KEYED.stream().anyMatch(layout -> layout.uid().equals(uid));
    }
}
