package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error reply in the shape Anthropic uses: an HTTP status and a body {@code
 * {"type":"error","error":{"type":...,"message":...}}}.
 */
record AnthropicError(int status, String type, String message) {

    static final String INVALID_REQUEST = "invalid_request_error";

    static AnthropicError invalidRequest(String message) {
        return new AnthropicError(400, INVALID_REQUEST, message);
    }

    /** The error Anthropic would send with {@code status}, marked as simulated. */
    static AnthropicError injected(int status) {
        return new AnthropicError(status, typeOf(status), "Simulated: HTTP " + status + ".");
    }

    /** Anthropic's error type for an HTTP status. */
    static String typeOf(int status) {
        switch (status) {
            case 401:
                return "authentication_error";
            case 403:
                return "permission_error";
            case 404:
                return "not_found_error";
            case 413:
                return "request_too_large";
            case 429:
                return "rate_limit_error";
            case 529:
                return "overloaded_error";
            default:
                return status >= 500 ? "api_error" : INVALID_REQUEST;
        }
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode().put("type", "error");
        root.putObject("error").put("type", type).put("message", message);
        return root;
    }
}
