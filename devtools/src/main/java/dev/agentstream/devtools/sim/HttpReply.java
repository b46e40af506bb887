package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.Map;

/** A complete HTTP response of the simulator, ready to send: status, extra headers, JSON body. */
record HttpReply(int status, Map<String, String> headers, byte[] body) {

    static HttpReply json(ObjectMapper json, int status, JsonNode body) {
        return json(json, status, body, Map.of());
    }

    static HttpReply json(
            ObjectMapper json, int status, JsonNode body, Map<String, String> headers) {
        try {
            return new HttpReply(status, headers, json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HttpReply error(ObjectMapper json, OpenAiError error) {
        Map<String, String> headers = error.status() == 429 ? Map.of("Retry-After", "1") : Map.of();
        return json(json, error.status(), error.toJson(json), headers);
    }
}
