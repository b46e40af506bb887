package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A complete HTTP response of the simulator, ready to send: status, extra headers and body, how to
 * deliver them, and how much later than the global latency.
 */
record HttpReply(
        int status, Map<String, String> headers, byte[] body, Delivery delivery, Duration delay) {

    enum Delivery {
        /** Status, headers and the whole body. */
        COMPLETE,
        /** Status, headers and the first half of the body, then the connection closed. */
        TRUNCATED,
        /** The connection closed before anything is sent. */
        RESET
    }

    /** What a proxy in trouble might send with a 200: anything but JSON. */
    private static final byte[] NOT_JSON =
            "<html><body>Simulated: this is not JSON.</body></html>"
                    .getBytes(StandardCharsets.UTF_8);

    static HttpReply json(ObjectMapper json, int status, JsonNode body) {
        return json(json, status, body, Map.of());
    }

    static HttpReply json(
            ObjectMapper json, int status, JsonNode body, Map<String, String> headers) {
        try {
            return new HttpReply(
                    status,
                    headers,
                    json.writeValueAsBytes(body),
                    Delivery.COMPLETE,
                    Duration.ZERO);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpReply error(ObjectMapper json, OpenAiError error) {
        return error(json, error, Map.of());
    }

    static HttpReply error(ObjectMapper json, OpenAiError error, Map<String, String> headers) {
        return json(json, error.status(), error.toJson(json), headers);
    }

    static HttpReply reset() {
        return new HttpReply(0, Map.of(), new byte[0], Delivery.RESET, Duration.ZERO);
    }

    static HttpReply notJson() {
        return new HttpReply(200, Map.of(), NOT_JSON, Delivery.COMPLETE, Duration.ZERO);
    }

    HttpReply truncated() {
        return new HttpReply(status, headers, body, Delivery.TRUNCATED, delay);
    }

    HttpReply delayedBy(Duration extra) {
        return new HttpReply(status, headers, body, delivery, delay.plus(extra));
    }
}
