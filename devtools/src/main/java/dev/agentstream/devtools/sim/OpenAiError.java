package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error reply in the shape OpenAI uses: an HTTP status and a body {@code
 * {"error":{"message":...,"type":...,"param":null,"code":...}}}.
 */
record OpenAiError(int status, String type, String code, String message) {

    static OpenAiError invalidRequest(String code, String message) {
        return new OpenAiError(400, "invalid_request_error", code, message);
    }

    static OpenAiError notFound(String method, String path) {
        return new OpenAiError(
                404,
                "invalid_request_error",
                "unknown_url",
                "Unknown request URL: " + method + " " + path + ".");
    }

    static OpenAiError methodNotAllowed(String method, String path) {
        return new OpenAiError(
                405,
                "invalid_request_error",
                "method_not_allowed",
                "Method " + method + " is not allowed on " + path + ".");
    }

    static OpenAiError internal(String message) {
        return new OpenAiError(500, "server_error", "internal_error", message);
    }

    static OpenAiError quotaExhausted() {
        return new OpenAiError(
                429,
                "insufficient_quota",
                "insufficient_quota",
                "Simulated: you exceeded your current quota.");
    }

    static OpenAiError rateLimited() {
        return new OpenAiError(429, "requests", "rate_limit_exceeded", "Simulated: rate limit.");
    }

    static OpenAiError contextLengthExceeded(int promptTokens, int limit) {
        return new OpenAiError(
                400,
                "invalid_request_error",
                "context_length_exceeded",
                "This model's maximum context length is "
                        + limit
                        + " tokens. However, your messages resulted in "
                        + promptTokens
                        + " tokens. Please reduce the length of the messages.");
    }

    /** The error a provider would send with {@code status}, marked as simulated. */
    static OpenAiError injected(int status) {
        switch (status) {
            case 401:
                return new OpenAiError(
                        status, "invalid_request_error", "invalid_api_key", "Simulated: bad key.");
            case 429:
                return rateLimited();
            case 500:
                return new OpenAiError(
                        status, "server_error", "internal_error", "Simulated: server error.");
            case 503:
                return new OpenAiError(
                        status, "server_error", "overloaded", "Simulated: model overloaded.");
            default:
                String type = status >= 500 ? "server_error" : "invalid_request_error";
                return new OpenAiError(
                        status, type, "simulated_error", "Simulated: HTTP " + status + ".");
        }
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.putObject("error")
                .put("message", message)
                .put("type", type)
                .putNull("param")
                .put("code", code);
        return root;
    }
}
