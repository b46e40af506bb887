package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The fields of an OpenAI chat completion request that the simulator reads. Other fields
 * (temperature, user, ...) are accepted and ignored.
 */
record ChatRequest(String model, List<ChatMessage> messages, OptionalInt maxTokens) {

    /**
     * Validates a parsed request body.
     *
     * @throws InvalidRequestException when the model or the messages are missing or malformed
     */
    static ChatRequest fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("invalid_body", "The body must be a JSON object.");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new InvalidRequestException(
                    "missing_model", "You must provide a model parameter.");
        }
        if (root.path("stream").asBoolean(false)) {
            throw new InvalidRequestException(
                    "unsupported_stream", "The simulator does not support stream=true.");
        }
        return new ChatRequest(model.asText(), messages(root.get("messages")), maxTokens(root));
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new InvalidRequestException(
                    "empty_messages", "'messages' must be a non-empty array.");
        }
        List<ChatMessage> messages = new ArrayList<>(node.size());
        for (JsonNode message : node) {
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual()) {
                throw new InvalidRequestException(
                        "invalid_message", "Each message must have a string 'role'.");
            }
            messages.add(new ChatMessage(role.asText(), content(message.get("content"))));
        }
        return List.copyOf(messages);
    }

    /** Plain string content, or the text parts of multi-part content; null counts as empty. */
    private static String content(JsonNode node) {
        if (node == null || node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : node) {
                if (part.path("text").isTextual()) {
                    text.append(text.length() == 0 ? "" : "\n").append(part.get("text").asText());
                }
            }
            return text.toString();
        }
        throw new InvalidRequestException(
                "invalid_message", "A message 'content' must be a string or an array of parts.");
    }

    /** {@code max_completion_tokens} (the newer name) wins over {@code max_tokens}. */
    private static OptionalInt maxTokens(JsonNode root) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode value = root.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
                throw new InvalidRequestException(
                        "invalid_max_tokens", "'" + field + "' must be a positive integer.");
            }
            return OptionalInt.of(value.asInt());
        }
        return OptionalInt.empty();
    }
}
