package dev.agentstream.udfs.erasure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts what an erasure cleared, by kind, in the order the kinds were first named. Every kind
 * named is reported, zero included, so that a receipt shows what was looked at as well as what was
 * found.
 */
public final class ErasureTally {

    private final Map<String, Long> counts = new LinkedHashMap<>();

    /** Names {@code kind}, so that it is reported even when nothing of it is found. */
    public ErasureTally kind(String kind) {
        counts.putIfAbsent(kind, 0L);
        return this;
    }

    public ErasureTally add(String kind, long n) {
        counts.merge(kind, n, Long::sum);
        return this;
    }

    public ErasureTally addAll(ErasedCount[] other) {
        if (other != null) {
            for (ErasedCount c : other) {
                add(c.kind, c.count);
            }
        }
        return this;
    }

    public long get(String kind) {
        return counts.getOrDefault(kind, 0L);
    }

    public ErasedCount[] toArray() {
        return counts.entrySet().stream()
                .map(e -> new ErasedCount(e.getKey(), e.getValue()))
                .toArray(ErasedCount[]::new);
    }

    public Map<String, Long> asMap() {
        return Map.copyOf(counts);
    }

    @Override
    public String toString() {
        return counts.toString();
    }
}
