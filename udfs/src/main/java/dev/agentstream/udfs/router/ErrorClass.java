package dev.agentstream.udfs.router;

import dev.agentstream.udfs.llm.LlmCallException;

import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The kind of a failed attempt, as metrics and logs name it, and what the router does about it.
 * Decided from the provider's HTTP status and its error type, which each client normalises.
 */
public enum ErrorClass {
    /** 429 that asks to slow down: retried after its Retry-After, unless that is too long. */
    RATE_LIMITED(Failure.RETRY),
    /** 429 or 400 saying the account's quota or credit is spent: no retry here, fall back. */
    QUOTA_EXHAUSTED(Failure.FALL_BACK),
    /** The prompt is longer than the model's window: another backend, or a shorter history. */
    CONTEXT_LENGTH(Failure.FALL_BACK),
    /** 529, or a 503 saying so: the provider is overloaded. */
    OVERLOADED(Failure.RETRY),
    /** Any other 5xx. */
    SERVER_ERROR(Failure.RETRY),
    /** No answer in time: 408, or the attempt's own deadline. */
    TIMEOUT(Failure.RETRY),
    /** No response at all: refused, reset or closed connection. */
    CONNECTION(Failure.RETRY),
    /** A 200 whose body could not be read: truncated, malformed or too large. */
    MALFORMED(Failure.RETRY),
    /** Any other 4xx: the request itself is wrong, no backend will take it. */
    CLIENT_ERROR(Failure.GIVE_UP);

    private final Failure action;

    ErrorClass(Failure action) {
        this.action = action;
    }

    /** What the router does after an attempt failed this way. */
    Failure action() {
        return action;
    }

    /** The name metrics use: lower case with dashes, e.g. {@code rate-limited}. */
    public String metricName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ErrorClass of(LlmCallException e) {
        int status = e.status();
        String type = e.errorType().toLowerCase(Locale.ROOT);
        if (type.contains("quota")) {
            return QUOTA_EXHAUSTED;
        }
        if (type.contains("context_length")) {
            return CONTEXT_LENGTH;
        }
        if (status == 0) {
            return causedByTimeout(e) ? TIMEOUT : CONNECTION;
        }
        if (status == 200) {
            return MALFORMED;
        }
        if (status == 408) {
            return TIMEOUT;
        }
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status == 529 || (status == 503 && type.contains("overloaded"))) {
            return OVERLOADED;
        }
        return status >= 500 ? SERVER_ERROR : CLIENT_ERROR;
    }

    private static boolean causedByTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
