package dev.agentstream.udfs.quota;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import dev.agentstream.udfs.erasure.ErasureTally;

import java.util.List;

/**
 * The keyed state of the quota stage, one set per tenant ({@link QuotaStateNames}). Nothing has a
 * TTL: the stage removes what it no longer needs itself, on timers, since a head that expired would
 * forget a budget half spent.
 */
final class QuotaState {

    static final String HEAD = QuotaStateNames.HEAD;
    static final String LOG = QuotaStateNames.RESERVATIONS;
    static final String INDEX = QuotaStateNames.RESERVATION_IDS;
    static final String WAITING = QuotaStateNames.WAITING;

    final ValueState<QuotaHead> head;

    /** Reservations by sequence number, oldest first: the sliding window and what awaits usage. */
    final MapState<Long, Reservation> log;

    /** Usage id → sequence number of the reservation its usage record settles. */
    final MapState<String, Long> index;

    /** Turns over quota by arrival, first in first out. */
    final MapState<Long, WaitingTurn> waiting;

    QuotaState(RuntimeContext context) {
        head = context.getState(headDescriptor());
        log = context.getMapState(logDescriptor());
        index = context.getMapState(indexDescriptor());
        waiting = context.getMapState(waitingDescriptor());
    }

    /** Every keyed state of the stage, as it registers them: what an erasure must clear. */
    static List<StateDescriptor<?, ?>> descriptors() {
        return List.of(headDescriptor(), logDescriptor(), indexDescriptor(), waitingDescriptor());
    }

    private static ValueStateDescriptor<QuotaHead> headDescriptor() {
        return new ValueStateDescriptor<>(HEAD, TypeInformation.of(QuotaHead.class));
    }

    private static MapStateDescriptor<Long, Reservation> logDescriptor() {
        return new MapStateDescriptor<>(LOG, Types.LONG, TypeInformation.of(Reservation.class));
    }

    private static MapStateDescriptor<String, Long> indexDescriptor() {
        return new MapStateDescriptor<>(INDEX, Types.STRING, Types.LONG);
    }

    private static MapStateDescriptor<Long, WaitingTurn> waitingDescriptor() {
        return new MapStateDescriptor<>(WAITING, Types.LONG, TypeInformation.of(WaitingTurn.class));
    }

    /**
     * Clears every state of the current key, counting its head ({@code quota-tenants}), its
     * reservations ({@code quota-reservations}) and its waiting turns ({@code
     * quota-turns-waiting}); the index of usage ids only points into the reservations.
     */
    ErasureTally erase() throws Exception {
        ErasureTally tally = new ErasureTally();
        tally.add("quota-tenants", head.value() == null ? 0 : 1);
        tally.add("quota-reservations", size(log));
        tally.add("quota-turns-waiting", size(waiting));
        head.clear();
        log.clear();
        index.clear();
        waiting.clear();
        return tally;
    }

    private static long size(MapState<?, ?> map) throws Exception {
        long n = 0;
        for (Object ignored : map.keys()) {
            n++;
        }
        return n;
    }

    /** Writes {@code h}, or clears the tenant's head when it holds nothing worth keeping. */
    void save(QuotaHead h) throws Exception {
        if (h.nothingKept() && h.budgetUsed == 0) {
            head.clear();
        } else {
            head.update(h);
        }
    }
}
