package dev.agentstream.devtools.state;

import org.apache.flink.runtime.state.ttl.TtlValue;

import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.context.ContextStateNames;
import dev.agentstream.udfs.context.ThreadHead;
import dev.agentstream.udfs.registry.RouteLink;
import dev.agentstream.udfs.tenant.TenantNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One thread of the thread-context operator as a savepoint holds it: its slots in sequence order,
 * its head, the turns in flight and waiting, and on a subthread the registry link of its call.
 *
 * @param tenant the thread's tenant
 * @param thread the thread's id
 * @param head the sequence range and the turn and token counts; null if the thread has none
 * @param slots the slots held, oldest first
 * @param busy agent to the processing time its turn in flight started
 * @param waiting input slot sequence number to the agent whose turn waits for it
 * @param link the call that opened the thread, when it is a subthread
 * @param answersTaken how many answers from subthreads the thread took
 * @param lastWrite the latest write time of any of its state, epoch milliseconds
 * @param timers the processing-time timers of the thread (one per turn started)
 */
public record ThreadView(
        String tenant,
        String thread,
        ThreadHead head,
        List<Slot> slots,
        Map<String, Long> busy,
        Map<Long, String> waiting,
        Optional<RouteLink> link,
        int answersTaken,
        long lastWrite,
        long[] timers) {

    /**
     * A slot and the time it was written (its TTL runs from there).
     *
     * @param slot the envelope as the thread keeps it
     * @param writtenAt epoch milliseconds
     */
    public record Slot(ContextSlot slot, long writtenAt) {}

    /** Decodes a key of the thread-context operator. */
    public static ThreadView of(KeyState key) throws IOException {
        Decoder d = new Decoder(key);
        List<Slot> slots = new ArrayList<>();
        for (var e : d.map(ContextStateNames.SLOTS).entrySet()) {
            slots.add(new Slot((ContextSlot) e.getValue().value(), e.getValue().time()));
        }
        slots.sort(Comparator.comparingLong(s -> s.slot().seq));
        Map<String, Long> busy = new TreeMap<>();
        d.map(ContextStateNames.BUSY).forEach((k, v) -> busy.put((String) k, (Long) v.value()));
        Map<Long, String> waiting = new TreeMap<>();
        d.map(ContextStateNames.WAITING)
                .forEach((k, v) -> waiting.put((Long) k, (String) v.value()));
        Stored head = d.value(ContextStateNames.HEAD);
        Stored link = d.value(ContextStateNames.LINK);
        return new ThreadView(
                TenantNames.tenantOf(key.key),
                TenantNames.idOf(key.key),
                head == null ? null : (ThreadHead) head.value(),
                slots,
                busy,
                waiting,
                Optional.ofNullable(link == null ? null : (RouteLink) link.value()),
                d.map(ContextStateNames.ANSWERS).size(),
                d.lastWrite,
                key.processingTimers);
    }

    /** Turns the thread started, as its head counts them. */
    public long turns() {
        return head == null ? 0 : head.turns;
    }

    /** True when the thread is a subthread whose call has not been answered yet. */
    public boolean hasOpenLink() {
        return link.isPresent() && !link.get().answered;
    }

    /** A stored value and the time it was written. */
    private record Stored(Object value, long time) {}

    /** Decodes the entries of one key of the thread-context layout. */
    private static final class Decoder {
        private final KeyState key;
        private long lastWrite;

        Decoder(KeyState key) {
            this.key = key;
        }

        Map<Object, Stored> map(String state) throws IOException {
            StateSpec spec = Layouts.THREAD_CONTEXT.state(state).orElseThrow();
            Map<Object, Stored> out = new TreeMap<>(Comparator.comparing(Object::toString));
            for (StateEntry entry : key.entriesOf(state)) {
                out.put(spec.decodeKey(entry.userKey), stored(spec, entry));
            }
            return out;
        }

        Stored value(String state) throws IOException {
            StateSpec spec = Layouts.THREAD_CONTEXT.state(state).orElseThrow();
            List<StateEntry> entries = key.entriesOf(state);
            return entries.isEmpty() ? null : stored(spec, entries.get(0));
        }

        private Stored stored(StateSpec spec, StateEntry entry) throws IOException {
            TtlValue<?> ttl = (TtlValue<?>) spec.decodeValue(entry.value);
            lastWrite = Math.max(lastWrite, ttl.getLastAccessTimestamp());
            return new Stored(ttl.getUserValue(), ttl.getLastAccessTimestamp());
        }
    }
}
