package dev.agentstream.udfs.context;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Owns the keyed state of the thread-context operator: one map entry per envelope (sequence number
 * to slot) and a small head with the sequence range. Appending or reading the newest slots costs
 * the same whatever the thread's length: no state value holds the whole history.
 *
 * <p>Both states carry the same TTL, refreshed on write; the head is written on every append, so it
 * never expires before a slot does.
 */
final class ThreadState {

    static final String SLOTS = "context-slots";
    static final String HEAD = "context-head";

    private final MapState<Long, ContextSlot> slots;
    private final ValueState<ThreadHead> head;
    private final int maxSlots;
    private final int maxTurns;

    private ThreadState(
            MapState<Long, ContextSlot> slots,
            ValueState<ThreadHead> head,
            ContextSettings settings) {
        this.slots = slots;
        this.head = head;
        this.maxSlots = settings.maxSlots();
        this.maxTurns = settings.maxTurns();
    }

    static ThreadState open(RuntimeContext ctx, ContextSettings settings) {
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(settings.ttl())
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build();
        MapStateDescriptor<Long, ContextSlot> slotsDesc =
                new MapStateDescriptor<>(SLOTS, Types.LONG, TypeInformation.of(ContextSlot.class));
        slotsDesc.enableTimeToLive(ttl);
        ValueStateDescriptor<ThreadHead> headDesc =
                new ValueStateDescriptor<>(HEAD, TypeInformation.of(ThreadHead.class));
        headDesc.enableTimeToLive(ttl);
        return new ThreadState(ctx.getMapState(slotsDesc), ctx.getState(headDesc), settings);
    }

    /**
     * Appends a slot at the next sequence number (assigned here) and evicts the oldest slots beyond
     * the limit.
     *
     * @return the number of slots evicted
     */
    int append(ContextSlot slot) throws IOException {
        ThreadHead h = current();
        slot.seq = h.nextSeq;
        try {
            slots.put(h.nextSeq, slot);
            h.nextSeq++;
            int evicted = 0;
            while (h.size() > maxSlots) {
                slots.remove(h.firstSeq);
                h.firstSeq++;
                evicted++;
            }
            head.update(h);
            return evicted;
        } catch (Exception e) {
            throw new IOException("cannot append to thread context", e);
        }
    }

    /**
     * Counts one more agent turn on the thread, unless it already has as many as allowed.
     *
     * @return false when the thread is at its turn limit
     */
    boolean tryCountTurn() throws IOException {
        ThreadHead h = current();
        if (h.turns >= maxTurns) {
            return false;
        }
        h.turns++;
        head.update(h);
        return true;
    }

    /**
     * The newest slots before {@code beforeSeq}, newest first, while {@code keep} accepts them.
     * Stops at the first slot that is rejected, evicted or expired.
     */
    List<ContextSlot> newestBefore(long beforeSeq, Predicate<ContextSlot> keep) throws IOException {
        ThreadHead h = current();
        List<ContextSlot> out = new ArrayList<>();
        try {
            for (long seq = Math.min(beforeSeq, h.nextSeq) - 1; seq >= h.firstSeq; seq--) {
                ContextSlot slot = slots.get(seq);
                if (slot == null || !keep.test(slot)) {
                    break;
                }
                out.add(slot);
            }
        } catch (Exception e) {
            throw new IOException("cannot read thread context", e);
        }
        return out;
    }

    private ThreadHead current() throws IOException {
        ThreadHead h = head.value();
        return h == null ? new ThreadHead(0, 0) : h;
    }
}
