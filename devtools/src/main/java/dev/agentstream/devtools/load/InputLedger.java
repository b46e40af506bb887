package dev.agentstream.devtools.load;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The generated inputs seen on the bus, by their coordinates ({@code topic-partition-offset}, as
 * the job names an input in {@code <turn-end>}), with when each was sent and how often it has been
 * answered. Compact: per partition, offsets arrive in increasing order, so they are kept in sorted
 * arrays (17 bytes an input) and found by binary search. Not thread-safe.
 */
final class InputLedger {

    /** What an answer's input id led to. */
    record Lookup(boolean known, long sentAtMicros, int earlierAnswers) {
        static final Lookup UNKNOWN = new Lookup(false, -1, 0);
    }

    private final Map<String, Partition> partitions = new HashMap<>();

    /** Remembers the input at these coordinates; an offset not above the last one is ignored. */
    void remember(String topic, int partition, long offset, long sentAtMicros) {
        partitions
                .computeIfAbsent(topic + "-" + partition, k -> new Partition())
                .add(offset, sentAtMicros);
    }

    /** Whether an input of these coordinates was seen; counts one more answer to it if so. */
    Lookup answer(String inputId) {
        int offsetDash = inputId.lastIndexOf('-');
        int partitionDash = offsetDash <= 0 ? -1 : inputId.lastIndexOf('-', offsetDash - 1);
        if (partitionDash <= 0) {
            return Lookup.UNKNOWN;
        }
        long offset;
        try {
            Integer.parseInt(inputId.substring(partitionDash + 1, offsetDash));
            offset = Long.parseLong(inputId.substring(offsetDash + 1));
        } catch (NumberFormatException notCoordinates) {
            return Lookup.UNKNOWN;
        }
        Partition partition = partitions.get(inputId.substring(0, offsetDash));
        return partition == null ? Lookup.UNKNOWN : partition.answer(offset);
    }

    private static final class Partition {
        private long[] offsets = new long[64];
        private long[] sentAt = new long[64];
        private byte[] answers = new byte[64];
        private int size;

        void add(long offset, long micros) {
            if (size > 0 && offset <= offsets[size - 1]) {
                return;
            }
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                sentAt = Arrays.copyOf(sentAt, size * 2);
                answers = Arrays.copyOf(answers, size * 2);
            }
            offsets[size] = offset;
            sentAt[size] = micros;
            size++;
        }

        Lookup answer(long offset) {
            int at = Arrays.binarySearch(offsets, 0, size, offset);
            if (at < 0) {
                return Lookup.UNKNOWN;
            }
            int earlier = answers[at];
            if (earlier < Byte.MAX_VALUE) {
                answers[at]++;
            }
            return new Lookup(true, sentAt[at], earlier);
        }
    }
}
