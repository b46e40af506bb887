package dev.agentstream.devtools.sim;

/**
 * A chat request the simulator rejects with HTTP 400, as the provider would; each protocol renders
 * it in its own error shape.
 */
final class InvalidRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    InvalidRequestException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** A short machine-readable reason, used as the OpenAI error code. */
    String code() {
        return code;
    }

    OpenAiError toError() {
        return OpenAiError.invalidRequest(code, getMessage());
    }
}
