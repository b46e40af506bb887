package dev.agentstream.udfs.quota;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The keyed state of the quota stage, one set per tenant, and its names. Nothing has a TTL: the
 * stage removes what it no longer needs itself, on timers, since a head that expired would forget a
 * budget half spent.
 */
final class QuotaState {

    static final String HEAD = "quota-head";
    static final String LOG = "quota-reservations";
    static final String INDEX = "quota-reservation-ids";
    static final String WAITING = "quota-waiting";

    final ValueState<QuotaHead> head;

    /** Reservations by sequence number, oldest first: the sliding window and what awaits usage. */
    final MapState<Long, Reservation> log;

    /** Usage id → sequence number of the reservation its usage record settles. */
    final MapState<String, Long> index;

    /** Turns over quota by arrival, first in first out. */
    final MapState<Long, WaitingTurn> waiting;

    QuotaState(RuntimeContext context) {
        head =
                context.getState(
                        new ValueStateDescriptor<>(HEAD, TypeInformation.of(QuotaHead.class)));
        log =
                context.getMapState(
                        new MapStateDescriptor<>(
                                LOG, Types.LONG, TypeInformation.of(Reservation.class)));
        index = context.getMapState(new MapStateDescriptor<>(INDEX, Types.STRING, Types.LONG));
        waiting =
                context.getMapState(
                        new MapStateDescriptor<>(
                                WAITING, Types.LONG, TypeInformation.of(WaitingTurn.class)));
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
