package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.asynchttpclient.Response;

import java.io.IOException;
import java.util.Locale;

/**
 * Reading a provider's JSON answer, the same way for every wire protocol: a malformed body, token
 * counts, error types fit for a log line, and the error classes the router tells apart.
 */
final class Wire {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The error type the router falls back on: the prompt does not fit this model's window. */
    static final String CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded";

    /** The error type the router falls back on: the account has no credit or quota left. */
    static final String INSUFFICIENT_QUOTA = "insufficient_quota";

    /** How providers and servers in front of models say that a prompt is too long. */
    private static final String[] CONTEXT_TOO_LONG = {
        "context length",
        "context_length",
        "context window",
        "context limit",
        "prompt length",
        "prompt is too long",
        "too many tokens"
    };

    private Wire() {}

    /**
     * The body as JSON, a missing node when empty; a malformed body fails the call, with the
     * Retry-After of an error page (a gateway's HTML 429 or 503 still says how long to wait).
     */
    static JsonNode read(Response response) {
        int status = response.getStatusCode();
        try {
            JsonNode root = JSON.readTree(response.getResponseBodyAsBytes());
            return root == null ? MissingNode.getInstance() : root;
        } catch (IOException e) {
            long retryAfter =
                    status == 200 ? 0 : RetryAfter.millis(response.getHeader("Retry-After"));
            throw new LlmCallException(
                    status, "HTTP " + status + " with a malformed body", "", retryAfter);
        }
    }

    /** A provider's error answer, with its Retry-After; the message names only the type. */
    static LlmCallException failure(Response response, String errorType) {
        int status = response.getStatusCode();
        String type = oneLine(errorType);
        return new LlmCallException(
                status,
                "HTTP " + status + " from provider: " + type,
                type,
                RetryAfter.millis(response.getHeader("Retry-After")));
    }

    /** True when a provider's error message says the prompt is past the model's window. */
    static boolean saysContextTooLong(String message) {
        String text = message.toLowerCase(Locale.ROOT);
        for (String phrase : CONTEXT_TOO_LONG) {
            if (text.contains(phrase)) {
                return true;
            }
        }
        return false;
    }

    /** A token count, never negative and never past what an int holds. */
    static int tokens(JsonNode count) {
        long value = count.asLong(0);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, value));
    }

    /** The sum of token counts, held at what an int holds. */
    static int sum(int... counts) {
        long total = 0;
        for (int count : counts) {
            total += count;
        }
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    /** Text of a node when it is a non-blank string, else empty. */
    static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : "";
    }

    /** A provider's error type fit for a log line and an error envelope: short, one line. */
    static String oneLine(String kind) {
        String oneLine = kind.replaceAll("[\\p{Cntrl}]", " ").strip();
        return oneLine.length() <= 64 ? oneLine : oneLine.substring(0, 64) + "...";
    }
}
