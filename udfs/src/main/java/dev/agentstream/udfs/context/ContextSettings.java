package dev.agentstream.udfs.context;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.time.Duration;

/**
 * Limits of a thread's context.
 *
 * @param ttl how long a thread's slots live after their last write
 * @param maxSlots slots kept per thread; the oldest is evicted beyond it
 * @param historyTokens token budget of the history in a turn's prompt
 * @param maxCompletionTokens completion limit sent with each call
 * @param maxTurns agent turns one thread may start; a guard against agents that answer each other
 *     forever
 * @param turnRelease how long an agent's turn may stay in flight without its answer coming back
 *     before the agent's next waiting turn starts anyway
 * @param maxThreadTokens tokens one thread's turns may use, counted as each prompt's estimate plus
 *     its completion limit
 */
public record ContextSettings(
        Duration ttl,
        int maxSlots,
        int historyTokens,
        int maxCompletionTokens,
        int maxTurns,
        Duration turnRelease,
        long maxThreadTokens)
        implements Serializable {

    /** Default token allowance of one thread. */
    public static final long DEFAULT_MAX_THREAD_TOKENS = 2_000_000L;

    /** Default time an unanswered turn holds its agent. */
    public static final Duration DEFAULT_TURN_RELEASE = Duration.ofMinutes(5);

    public ContextSettings(
            Duration ttl, int maxSlots, int historyTokens, int maxCompletionTokens, int maxTurns) {
        this(
                ttl,
                maxSlots,
                historyTokens,
                maxCompletionTokens,
                maxTurns,
                DEFAULT_TURN_RELEASE,
                DEFAULT_MAX_THREAD_TOKENS);
    }

    public ContextSettings {
        Preconditions.checkArgument(!ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
        Preconditions.checkArgument(maxSlots > 0, "maxSlots must be > 0: %s", maxSlots);
        Preconditions.checkArgument(historyTokens > 0, "historyTokens must be > 0");
        Preconditions.checkArgument(maxCompletionTokens > 0, "maxCompletionTokens must be > 0");
        Preconditions.checkArgument(maxTurns > 0, "maxTurns must be > 0: %s", maxTurns);
        Preconditions.checkArgument(
                turnRelease.compareTo(Duration.ZERO) > 0, "turnRelease must be positive");
        Preconditions.checkArgument(maxThreadTokens > 0, "maxThreadTokens must be > 0");
    }

    public static ContextSettings defaults() {
        return new ContextSettings(Duration.ofHours(24), 1000, 8000, 1024, 100);
    }
}
