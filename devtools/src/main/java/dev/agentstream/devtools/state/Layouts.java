package dev.agentstream.devtools.state;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import dev.agentstream.job.OperatorIds;
import dev.agentstream.udfs.billing.BillingKeys;
import dev.agentstream.udfs.billing.ThreadIndexEntry;
import dev.agentstream.udfs.billing.ThreadIndexFunction;
import dev.agentstream.udfs.billing.UsageTotalsFunction;
import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.context.ContextStateNames;
import dev.agentstream.udfs.context.ThreadHead;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.quota.QuotaHead;
import dev.agentstream.udfs.quota.QuotaKeys;
import dev.agentstream.udfs.quota.QuotaStateNames;
import dev.agentstream.udfs.quota.Reservation;
import dev.agentstream.udfs.quota.WaitingTurn;
import dev.agentstream.udfs.registry.RouteLink;

import java.util.List;
import java.util.Set;

/**
 * What the state tool knows of the job's operators: the keyed state of those it reads and rewrites,
 * the uids whose state holds nothing of a tenant, and those it keeps on purpose. An operator with
 * state in none of them (a stage of a later release) stops an erasure, which could not clean it.
 * Each layout names the states its operator registers, with their types and TTL, as the operator
 * does ({@code LayoutsTest} compares them).
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

    /**
     * The quota of each tenant with limits: its head, reservations and their index, and the turns
     * waiting for room. No TTL. Keyed by the tenant's name ({@link QuotaKeys}: a key of (tenant,
     * thread), used for a tenant without limits, never holds state).
     */
    public static final KeyedLayout QUOTA =
            new KeyedLayout(
                    OperatorIds.QUOTA,
                    List.of(
                            StateSpec.value(
                                            QuotaStateNames.HEAD,
                                            TypeInformation.of(QuotaHead.class))
                                    .withoutTtl(),
                            StateSpec.map(
                                            QuotaStateNames.RESERVATIONS,
                                            Types.LONG,
                                            TypeInformation.of(Reservation.class))
                                    .withoutTtl(),
                            StateSpec.map(QuotaStateNames.RESERVATION_IDS, Types.STRING, Types.LONG)
                                    .withoutTtl(),
                            StateSpec.map(
                                            QuotaStateNames.WAITING,
                                            Types.LONG,
                                            TypeInformation.of(WaitingTurn.class))
                                    .withoutTtl()),
                    QuotaKeys::tenantOf);

    /**
     * The usage records of each tenant's minute window and what its last total counted (billing).
     * No TTL: the stage drops a window at the watermark. Keyed by {@code tenant\nwindow start}.
     */
    public static final KeyedLayout USAGE_TOTALS =
            new KeyedLayout(
                    OperatorIds.USAGE_TOTALS,
                    List.of(
                            StateSpec.map(
                                            UsageTotalsFunction.RECORDS,
                                            Types.STRING,
                                            TypeInformation.of(UsageRecord.class))
                                    .withoutTtl(),
                            StateSpec.value(
                                            UsageTotalsFunction.MARK,
                                            TypeInformation.of(
                                                    UsageTotalsFunction.WindowMark.class))
                                    .withoutTtl()),
                    BillingKeys::tenantOf);

    /**
     * Each thread's index entry (billing), with the context's TTL. Keyed by {@code tenant\nthread}.
     */
    public static final KeyedLayout THREAD_INDEX =
            new KeyedLayout(
                    OperatorIds.THREAD_INDEX,
                    List.of(
                            StateSpec.value(
                                    ThreadIndexFunction.ENTRY,
                                    TypeInformation.of(ThreadIndexEntry.class))),
                    BillingKeys::tenantOf);

    /** Every keyed layout the tool reads and rewrites. */
    public static final List<KeyedLayout> KEYED =
            List.of(THREAD_CONTEXT, CONVERSATION_BUDGET, QUOTA, USAGE_TOTALS, THREAD_INDEX);

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
                    OperatorIds.USAGE_SOURCE,
                    OperatorIds.QUOTA_USAGE_SOURCE,
                    OperatorIds.CONTROL_SOURCE,
                    OperatorIds.RECEIPTS_SINK);

    /**
     * Operators whose state names a tenant only as the subject of an erase command, which the tool
     * copies as they are: the receipts still due ({@code erasure-receipts}: command, tenant,
     * counts) and the DynamoDB deletions in flight ({@code dynamodb-erasure}: the commands). They
     * are the record of an erasure, not the tenant's data; dropping them would lose a receipt.
     */
    static final Set<String> KEPT =
            Set.of(OperatorIds.ERASURE_RECEIPTS, OperatorIds.DYNAMODB_ERASURE);

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

    /** True when the operator {@code uid} is copied as it is on purpose ({@link #KEPT}). */
    static boolean isKept(String uid) {
        return KEPT.contains(uid);
    }

    /** True when the tool rewrites the operator {@code uid} without a tenant. */
    static boolean isErasable(String uid) {
        return OperatorIds.LLM_CALL.equals(uid)
                || SinkBuffers.UIDS.contains(uid)
                || KEYED.stream().anyMatch(layout -> layout.uid().equals(uid));
    }
}
