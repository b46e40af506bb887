package dev.agentstream.udfs.router;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;

/**
 * A backend's limits in one subtask, on resilience4j: calls in flight (a bulkhead), tokens per
 * minute (a rate limiter whose permits are tokens) and requests per minute (one whose permits are
 * calls). Nothing here waits: a call is admitted now, admitted after a pause the caller schedules,
 * or not admitted.
 */
final class Admission {

    /** A rate-limited call waits at most this long for its permits; beyond, it goes elsewhere. */
    static final Duration MAX_TOKEN_WAIT = Duration.ofSeconds(30);

    private final Bulkhead concurrency;
    private final RateLimiter tokens;
    private final RateLimiter requests;
    private final int tokensPerMinute;

    private Admission(
            Bulkhead concurrency, RateLimiter tokens, RateLimiter requests, int tokensPerMinute) {
        this.concurrency = concurrency;
        this.tokens = tokens;
        this.requests = requests;
        this.tokensPerMinute = tokensPerMinute;
    }

    static Admission of(String name, int tokensPerMinute, int maxConcurrent) {
        return of(name, tokensPerMinute, maxConcurrent, 0);
    }

    /** Limits of {@code name}; 0 means none, for each of them. */
    static Admission of(
            String name, int tokensPerMinute, int maxConcurrent, int requestsPerMinute) {
        Bulkhead bulkhead =
                maxConcurrent <= 0
                        ? null
                        : Bulkhead.of(
                                name,
                                BulkheadConfig.custom()
                                        .maxConcurrentCalls(maxConcurrent)
                                        .maxWaitDuration(Duration.ZERO)
                                        .build());
        return new Admission(
                bulkhead,
                perMinute(name + "-tokens", tokensPerMinute),
                perMinute(name + "-requests", requestsPerMinute),
                tokensPerMinute);
    }

    private static RateLimiter perMinute(String name, int limit) {
        return limit <= 0
                ? null
                : RateLimiter.of(
                        name,
                        RateLimiterConfig.custom()
                                .limitForPeriod(limit)
                                .limitRefreshPeriod(Duration.ofMinutes(1))
                                .timeoutDuration(MAX_TOKEN_WAIT)
                                .build());
    }

    /**
     * Asks to start a call of about {@code estimatedTokens}. Nothing is taken from a limit unless
     * every limit has room: a turn waiting for room asks again every few milliseconds, and a
     * request or tokens reserved for a call that is then turned away would be lost to everyone for
     * the rest of the minute.
     *
     * @return nanoseconds to wait before calling (0: now; more only when another thread took the
     *     room between looking and taking), or -1 when not admitted; an admitted call must {@link
     *     #release()} when it ends
     */
    long admit(int estimatedTokens) {
        int tokenPermits = Math.max(0, Math.min(estimatedTokens, tokensPerMinute));
        if (!roomNow(requests, 1) || !roomNow(tokens, tokenPermits)) {
            return -1;
        }
        if (concurrency != null && !concurrency.tryAcquirePermission()) {
            return -1;
        }
        long wait = requests == null ? 0 : requests.reservePermission(1);
        if (wait >= 0 && tokens != null) {
            long tokenWait = tokens.reservePermission(tokenPermits);
            wait = tokenWait < 0 ? tokenWait : Math.max(wait, tokenWait);
        }
        if (wait < 0 && concurrency != null) {
            concurrency.releasePermission();
        }
        return wait;
    }

    /** True when {@code limiter} (null: no limit) has {@code permits} left now, taking none. */
    private static boolean roomNow(RateLimiter limiter, int permits) {
        return limiter == null || limiter.getMetrics().getAvailablePermissions() >= permits;
    }

    /** Ends an admitted call. */
    void release() {
        if (concurrency != null) {
            concurrency.onComplete();
        }
    }
}
