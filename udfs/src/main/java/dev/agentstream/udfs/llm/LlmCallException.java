package dev.agentstream.udfs.llm;

/**
 * A failed LLM call, with a short cause fit for an error envelope and a log line: an HTTP status
 * and the provider's error type, never the request or the key.
 */
public class LlmCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** HTTP status of the failure, or 0 when no response came. */
    private final int status;

    public LlmCallException(int status, String message) {
        super(message);
        this.status = status;
    }

    public LlmCallException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
