package dev.agentstream.udfs.router;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries of one backend before the router falls back to the next: exponential backoff with full
 * jitter between {@code baseDelay} and {@code maxDelay}, and never sooner than a provider's
 * Retry-After.
 *
 * @param retries attempts after the first on one backend
 */
public record RetryPolicy(int retries, Duration baseDelay, Duration maxDelay)
        implements Serializable {

    /** A Retry-After this long or longer is not waited for: the router falls back instead. */
    static final long MAX_WAIT_MS = 60_000;

    public RetryPolicy {
        Preconditions.checkArgument(retries >= 0, "retries must be >= 0: %s", retries);
        Preconditions.checkArgument(!baseDelay.isNegative(), "baseDelay must be >= 0");
        Preconditions.checkArgument(
                maxDelay.compareTo(baseDelay) >= 0, "maxDelay must be >= baseDelay");
    }

    /** The pause before retry number {@code retry} (0 for the first retry). */
    long delayMs(int retry, long retryAfterMs) {
        long ceiling = baseDelay.toMillis() << Math.min(retry, 20);
        ceiling = Math.min(Math.max(ceiling, 0), maxDelay.toMillis());
        long jittered = ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
        return Math.max(jittered, retryAfterMs);
    }
}
