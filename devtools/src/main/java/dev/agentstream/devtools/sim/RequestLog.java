package dev.agentstream.devtools.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Counts the chat requests of each protocol and keeps the last one. Thread-safe. */
final class RequestLog {

    private final Map<Protocol, AtomicInteger> counts = new EnumMap<>(Protocol.class);
    private final AtomicReference<RecordedRequest> last = new AtomicReference<>();

    RequestLog() {
        for (Protocol protocol : Protocol.values()) {
            counts.put(protocol, new AtomicInteger());
        }
    }

    void record(RecordedRequest request) {
        counts.get(request.protocol()).incrementAndGet();
        last.set(request);
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
