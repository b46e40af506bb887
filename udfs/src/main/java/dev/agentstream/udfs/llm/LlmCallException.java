package dev.agentstream.udfs.llm;

/**
 * A failed LLM call, with a short cause fit for an error envelope and a log line: an HTTP status
 * and the provider's error type, never the request or the key.
 */
public class LlmCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** HTTP status of the failure, or 0 when no response came. */
    private final int status;

    /** The provider's error type or code (e.g. {@code insufficient_quota}), or empty. */
    private final String errorType;

    /** How long the provider asked to wait before a retry (Retry-After), or 0. */
    private final long retryAfterMs;

    /** Calls the router made to providers for the turn before it gave up (1 unless it says). */
    private volatile int attempts = 1;

    public LlmCallException(int status, String message) {
        this(status, message, "", 0);
    }

    public LlmCallException(int status, String message, String errorType, long retryAfterMs) {
        super(message);
        this.status = status;
        this.errorType = errorType;
        this.retryAfterMs = retryAfterMs;
    }

    public LlmCallException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.errorType = "";
        this.retryAfterMs = 0;
    }

    public int status() {
        return status;
    }

    public String errorType() {
        return errorType;
    }

    public long retryAfterMs() {
        return retryAfterMs;
    }

    public int attempts() {
        return attempts;
    }

    /** This failure, saying that the turn's calls were {@code attempts} in all. */
    public LlmCallException withAttempts(int attempts) {
        this.attempts = attempts;
        return this;
    }
}
