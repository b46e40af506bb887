package dev.agentstream.bench.harness;

import java.time.Duration;

/**
 * What one round of one side may do: it ends when {@code duration} has passed or {@code
 * maxRequests} requests have started, whichever comes first, with {@code concurrency} requests in
 * flight until then.
 */
public record RoundPlan(Duration duration, long maxRequests, int concurrency) {

    public RoundPlan {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a round needs a positive duration: " + duration);
        }
        if (maxRequests < 1) {
            throw new IllegalArgumentException("a round needs at least one request");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
        }
    }
}
