package dev.agentstream.devtools.sim;

/** A chat request the simulator rejects with HTTP 400, as an OpenAI endpoint would. */
final class InvalidRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;

    InvalidRequestException(String code, String message) {
        super(message);
        this.code = code;
    }

    OpenAiError toError() {
        return OpenAiError.invalidRequest(code, getMessage());
    }
}
