package dev.agentstream.job.dynamodb;

import org.apache.flink.util.Preconditions;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exponential backoff with jitter between retries of one writer: the ceiling doubles with each
 * failed call in a row, up to {@code max}, and the pause is drawn between half the ceiling and the
 * ceiling, so that writers that failed together do not retry together. A call that went through
 * starts over.
 */
public final class Backoff {

    private final long baseMs;
    private final long maxMs;
    private final AtomicInteger failures = new AtomicInteger();

    public Backoff(Duration base, Duration max) {
        Preconditions.checkArgument(
                !base.isNegative() && !base.isZero() && base.compareTo(max) <= 0,
                "Backoff needs 0 < base <= max: %s, %s",
                base,
                max);
        this.baseMs = base.toMillis();
        this.maxMs = max.toMillis();
    }

    /** The ceiling of the next pause, without drawing it. */
    public long ceilingMs() {
        int n = Math.min(failures.get(), 20);
        return Math.min(maxMs, baseMs * (1L << n));
    }

    /** The pause before the next retry; counts one more failure. */
    public long nextDelayMs() {
        long ceiling = ceilingMs();
        failures.incrementAndGet();
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }

    public void reset() {
        failures.set(0);
    }

    public int failures() {
        return failures.get();
    }
}
