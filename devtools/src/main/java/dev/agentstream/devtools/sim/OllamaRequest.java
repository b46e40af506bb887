package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads an Ollama {@code /api/chat} request. The simulator does not stream, and Ollama streams
 * unless told not to, so {@code "stream": false} is required: a client that leaves it out would get
 * a stream of objects from a real Ollama.
 */
final class OllamaRequest {

    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    private OllamaRequest() {}

    /**
     * @throws InvalidRequestException when the request is invalid or asks for a stream
     */
    static ChatRequest parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw invalid("invalid_body", "the request body must be a JSON object");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw invalid("missing_model", "model is required");
        }
        requireNoStream(root.get("stream"));
        return new ChatRequest(model.asText(), messages(root.get("messages")), numPredict(root));
    }

    private static void requireNoStream(JsonNode stream) {
        if (stream == null || stream.isNull()) {
            throw invalid(
                    "unsupported_stream",
                    "\"stream\" is absent, which Ollama reads as true, and the simulator does"
                            + " not stream: send \"stream\": false");
        }
        if (!stream.isBoolean()) {
            throw invalid("invalid_stream", "\"stream\" must be a boolean");
        }
        if (stream.asBoolean()) {
            throw invalid(
                    "unsupported_stream", "the simulator does not stream: send \"stream\": false");
        }
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw invalid("empty_messages", "\"messages\" must be a non-empty array");
        }
        List<ChatMessage> messages = new ArrayList<>(node.size());
        for (JsonNode message : node) {
            String role = message.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw invalid("invalid_message", "invalid message role: \"" + role + "\"");
            }
            JsonNode content = message.get("content");
            if (content != null && !content.isNull() && !content.isTextual()) {
                throw invalid("invalid_message", "a message \"content\" must be a string");
            }
            messages.add(new ChatMessage(role, content == null ? "" : content.asText("")));
        }
        return List.copyOf(messages);
    }

    /** A positive {@code options.num_predict} limits the answer; -1 and -2 mean no limit. */
    private static OptionalInt numPredict(JsonNode root) {
        JsonNode value = root.path("options").get("num_predict");
        if (value == null || value.isNull()) {
            return OptionalInt.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw invalid("invalid_options", "\"options.num_predict\" must be an integer");
        }
        return value.asInt() > 0 ? OptionalInt.of(value.asInt()) : OptionalInt.empty();
    }

    private static InvalidRequestException invalid(String code, String message) {
        return new InvalidRequestException(code, message);
    }
}
