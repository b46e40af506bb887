package dev.agentstream.devtools.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counts the chat requests of each protocol and keeps the last one, and the latest {@link #KEPT} in
 * arrival order. Thread-safe.
 */
final class RequestLog {

    /** How many requests {@link #recent()} holds: enough for a test's turns, bounded memory. */
    static final int KEPT = 4096;

    private final Map<Protocol, AtomicInteger> counts = new EnumMap<>(Protocol.class);
    private final AtomicReference<RecordedRequest> last = new AtomicReference<>();
    private final Deque<RecordedRequest> recent = new ArrayDeque<>();

    RequestLog() {
        for (Protocol protocol : Protocol.values()) {
            counts.put(protocol, new AtomicInteger());
        }
    }

    void record(RecordedRequest request) {
        counts.get(request.protocol()).incrementAndGet();
        last.set(request);
        synchronized (recent) {
            if (recent.size() == KEPT) {
                recent.removeFirst();
            }
            recent.addLast(request);
        }
    }

    /** The latest requests kept, oldest first. */
    List<RecordedRequest> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    int count(Protocol protocol) {
        return counts.get(protocol).get();
    }

    int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    Optional<RecordedRequest> last() {
        return Optional.ofNullable(last.get());
    }
}
