package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmCallException;

import java.util.Locale;

/** What the router does about one failed attempt, from the provider's status and error type. */
enum Failure {
    /** Worth another attempt on the same backend after a pause: 5xx, 529, 408, 429, no answer. */
    RETRY,
    /** Pointless on this backend, perhaps not on another: quota exhausted, context too long. */
    FALL_BACK,
    /** The request itself is wrong (other 4xx): no other backend will take it either. */
    GIVE_UP;

    static Failure of(LlmCallException e) {
        int status = e.status();
        String type = e.errorType().toLowerCase(Locale.ROOT);
        if (type.contains("quota") || type.contains("context_length")) {
            return FALL_BACK;
        }
        if (status == 0 || status == 200 || status == 408 || status == 429 || status >= 500) {
            // 200 here is a body that could not be read: truncated or malformed.
            return status == 429 && e.retryAfterMs() >= RetryPolicy.MAX_WAIT_MS ? FALL_BACK : RETRY;
        }
        return GIVE_UP;
    }
}
