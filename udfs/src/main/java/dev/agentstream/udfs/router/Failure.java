package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmCallException;

/** What the router does about one failed attempt (see {@link ErrorClass} for the kinds). */
enum Failure {
    /** Worth another attempt on the same backend after a pause: 5xx, 529, 408, 429, no answer. */
    RETRY,
    /** Pointless on this backend, perhaps not on another: quota exhausted, context too long. */
    FALL_BACK,
    /** The request itself is wrong (other 4xx): no other backend will take it either. */
    GIVE_UP;

    static Failure of(LlmCallException e) {
        ErrorClass kind = ErrorClass.of(e);
        if (kind == ErrorClass.RATE_LIMITED && e.retryAfterMs() >= RetryPolicy.MAX_WAIT_MS) {
            return FALL_BACK; // asked to wait longer than a turn should: try elsewhere
        }
        return kind.action();
    }
}
