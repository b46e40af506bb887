package dev.agentstream.udfs.envelope;

import java.io.Serializable;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * Bounds on any XML the job reads: the size of one record, element nesting, attributes on one
 * element and the length of one text node or attribute value. Immutable and serializable, so it
 * ships inside Flink functions.
 *
 * <pre>{@code
 * EnvelopeLimits limits = EnvelopeLimits.defaults().withMaxBytes(256 * 1024);
 * }</pre>
 */
public record EnvelopeLimits(int maxBytes, int maxDepth, int maxAttributes, int maxTextLength)
        implements Serializable {

    public static final int DEFAULT_MAX_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_DEPTH = 32;
    public static final int DEFAULT_MAX_ATTRIBUTES = 32;
    public static final int DEFAULT_MAX_TEXT_LENGTH = 512 * 1024;

    /**
     * Longest {@code <from>}, {@code <to>} or payload root tag: names come back in every error and
     * dead letter about an envelope, so they stay short whatever the other limits.
     */
    public static final int MAX_NAME_LENGTH = 256;

    /** The smallest element, {@code <a/>}, takes this many bytes. */
    private static final int SMALLEST_ELEMENT_BYTES = 4;

    public EnvelopeLimits {
        checkArgument(maxBytes > 0, "maxBytes must be positive, was %s", maxBytes);
        checkArgument(maxDepth > 1, "maxDepth must be at least 2, was %s", maxDepth);
        checkArgument(maxAttributes >= 0, "maxAttributes must not be negative: %s", maxAttributes);
        checkArgument(maxTextLength > 0, "maxTextLength must be positive, was %s", maxTextLength);
    }

    /** 1 MiB records, 32 levels, 32 attributes per element, 512 KiB per text node. */
    public static EnvelopeLimits defaults() {
        return new EnvelopeLimits(
                DEFAULT_MAX_BYTES,
                DEFAULT_MAX_DEPTH,
                DEFAULT_MAX_ATTRIBUTES,
                DEFAULT_MAX_TEXT_LENGTH);
    }

    public EnvelopeLimits withMaxBytes(int bytes) {
        return new EnvelopeLimits(bytes, maxDepth, maxAttributes, maxTextLength);
    }

    public EnvelopeLimits withMaxDepth(int depth) {
        return new EnvelopeLimits(maxBytes, depth, maxAttributes, maxTextLength);
    }

    public EnvelopeLimits withMaxAttributes(int attributes) {
        return new EnvelopeLimits(maxBytes, maxDepth, attributes, maxTextLength);
    }

    public EnvelopeLimits withMaxTextLength(int length) {
        return new EnvelopeLimits(maxBytes, maxDepth, maxAttributes, length);
    }

    /**
     * Room the job keeps below {@link #maxBytes()} in what it writes to the bus: the record's key,
     * headers and batch overhead count against Kafka's limits too.
     */
    public static final int OUTPUT_HEADROOM = 16 * 1024;

    /**
     * The largest envelope the job writes: {@link #maxBytes()} less {@link #OUTPUT_HEADROOM} (at
     * least half of it), so that an envelope it accepted and sends on (an answer going up with its
     * registry link) still fits a Kafka record of {@link #maxBytes()}.
     */
    public int maxOutputBytes() {
        return Math.max(maxBytes / 2, maxBytes - OUTPUT_HEADROOM);
    }

    /**
     * The largest stamped envelope the bus sink writes: half the headroom above {@link
     * #maxOutputBytes()}, for the tenant stamp the sink adds; the rest is for the record's key,
     * headers and batch overhead.
     */
    public int maxRecordValueBytes() {
        return Math.max(maxBytes * 3 / 4, maxBytes - OUTPUT_HEADROOM / 2);
    }

    /** Most elements a document of {@link #maxBytes()} can hold. */
    public int maxElementCount() {
        return maxBytes / SMALLEST_ELEMENT_BYTES + 1;
    }
}
