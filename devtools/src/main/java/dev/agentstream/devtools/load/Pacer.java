package dev.agentstream.devtools.load;

import org.apache.flink.util.Preconditions;

import java.time.Duration;

/**
 * The schedule of an open-loop sender: envelope {@code k} is due {@code k / rate} seconds after the
 * start, whenever the ones before it went out. A sender that fell behind (a full producer buffer, a
 * pause of the JVM, a burst of prefill) catches up by sending what is due at once, but never more
 * than {@code maxLag} of it: slots further back are given up and counted, so that one stall does
 * not become a burst far above the rate. Pure arithmetic on the times it is given; the caller
 * waits.
 */
public final class Pacer {

    private final double intervalNanos;
    private final long maxLagNanos;
    private final long start;
    private long slot;
    private long slipped;

    public Pacer(double rate, Duration maxLag, long startNanos) {
        Preconditions.checkArgument(rate > 0, "the rate must be positive: %s", rate);
        this.intervalNanos = 1e9 / rate;
        this.maxLagNanos = maxLag.toNanos();
        this.start = startNanos;
    }

    /**
     * How long to wait at {@code nowNanos} before the next envelope is due; 0 when it is due. When
     * the schedule is more than {@code maxLag} behind, the slots beyond it are given up first.
     */
    public long waitNanos(long nowNanos) {
        long lag = nowNanos - dueAt(slot);
        if (lag > maxLagNanos) {
            long giveUp = (long) ((lag - maxLagNanos) / intervalNanos);
            slot += giveUp;
            slipped += giveUp;
        }
        return Math.max(0, dueAt(slot) - nowNanos);
    }

    /** The due envelope went out: the next slot is the one to wait for. */
    public void sent() {
        slot++;
    }

    /** Slots given up because the sender was too far behind. */
    public long slipped() {
        return slipped;
    }

    /** When slot {@code k} is due, in {@code System.nanoTime()} terms. */
    long dueAt(long k) {
        return start + (long) (k * intervalNanos);
    }
}
