package dev.agentstream.udfs.router;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;

/**
 * A backend's limits in one subtask, on resilience4j: calls in flight (a bulkhead) and tokens per
 * minute (a rate limiter whose permits are tokens). Nothing here waits: a call is admitted now,
 * admitted after a pause the caller schedules, or not admitted.
 */
final class Admission {

    /** A rate-limited call waits at most this long for its tokens; beyond, it goes elsewhere. */
    static final Duration MAX_TOKEN_WAIT = Duration.ofSeconds(30);

    private static final Admission NONE = new Admission(null, null, 0);

    private final Bulkhead concurrency;
    private final RateLimiter tokens;
    private final int tokensPerMinute;

    private Admission(Bulkhead concurrency, RateLimiter tokens, int tokensPerMinute) {
        this.concurrency = concurrency;
        this.tokens = tokens;
        this.tokensPerMinute = tokensPerMinute;
    }

    static Admission of(String name, int tokensPerMinute, int maxConcurrent) {
        if (tokensPerMinute <= 0 && maxConcurrent <= 0) {
            return NONE;
        }
        Bulkhead bulkhead =
                maxConcurrent <= 0
                        ? null
                        : Bulkhead.of(
                                name,
                                BulkheadConfig.custom()
                                        .maxConcurrentCalls(maxConcurrent)
                                        .maxWaitDuration(Duration.ZERO)
                                        .build());
        RateLimiter limiter =
                tokensPerMinute <= 0
                        ? null
                        : RateLimiter.of(
                                name,
                                RateLimiterConfig.custom()
                                        .limitForPeriod(tokensPerMinute)
                                        .limitRefreshPeriod(Duration.ofMinutes(1))
                                        .timeoutDuration(MAX_TOKEN_WAIT)
                                        .build());
        return new Admission(bulkhead, limiter, tokensPerMinute);
    }

    /**
     * Asks to start a call of about {@code estimatedTokens}.
     *
     * @return nanoseconds to wait before calling (0: now), or -1 when not admitted; an admitted
     *     call must {@link #release()} when it ends
     */
    long admit(int estimatedTokens) {
        if (concurrency != null && !concurrency.tryAcquirePermission()) {
            return -1;
        }
        if (tokens == null) {
            return 0;
        }
        long wait = tokens.reservePermission(Math.min(estimatedTokens, tokensPerMinute));
        if (wait < 0 && concurrency != null) {
            concurrency.releasePermission();
        }
        return wait;
    }

    /** Ends an admitted call. */
    void release() {
        if (concurrency != null) {
            concurrency.onComplete();
        }
    }
}
