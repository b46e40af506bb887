package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Reads an Anthropic Messages request as strictly as the real API: the {@code anthropic-version}
 * header, {@code model} and {@code max_tokens} are required, the system prompt is the top-level
 * {@code system}, and the messages alternate {@code user} and {@code assistant}, starting with
 * {@code user}. The system prompt becomes the first system message, so that the simulated model
 * sees the conversation exactly as it would through OpenAI.
 */
final class AnthropicRequest {

    static final String VERSION_HEADER = "anthropic-version";

    private static final String USER = "user";
    private static final String ASSISTANT = "assistant";

    private AnthropicRequest() {}

    /**
     * @throws InvalidRequestException when the real API would answer 400
     */
    static ChatRequest parse(JsonNode root, Map<String, List<String>> headers) {
        if (!headers.containsKey(VERSION_HEADER)) {
            throw invalid(VERSION_HEADER + ": header is required");
        }
        if (root == null || !root.isObject()) {
            throw invalid("The body must be a JSON object.");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw invalid("model: Field required");
        }
        if (root.path("stream").asBoolean(false)) {
            throw invalid("stream: the simulator does not support stream=true");
        }
        List<ChatMessage> messages = new ArrayList<>();
        JsonNode system = root.get("system");
        if (system != null && !system.isNull()) {
            messages.add(new ChatMessage(ChatMessage.SYSTEM, text(system, "system")));
        }
        messages.addAll(turns(root.get("messages")));
        return new ChatRequest(model.asText(), List.copyOf(messages), maxTokens(root));
    }

    private static OptionalInt maxTokens(JsonNode root) {
        JsonNode value = root.get("max_tokens");
        if (value == null || value.isNull()) {
            throw invalid("max_tokens: Field required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1) {
            throw invalid("max_tokens: Input should be a positive integer");
        }
        return OptionalInt.of(value.asInt());
    }

    private static List<ChatMessage> turns(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw invalid("messages: Field required and must be a non-empty list");
        }
        List<ChatMessage> turns = new ArrayList<>(node.size());
        String previous = null;
        for (int i = 0; i < node.size(); i++) {
            JsonNode message = node.get(i);
            String role = message.path("role").asText("");
            if (!USER.equals(role) && !ASSISTANT.equals(role)) {
                throw invalid(
                        "messages."
                                + i
                                + ".role: Input should be 'user' or 'assistant'; a system prompt"
                                + " goes in the top-level 'system' field");
            }
            if (previous == null && !USER.equals(role)) {
                throw invalid("messages: first message must use the \"user\" role");
            }
            if (role.equals(previous)) {
                throw invalid(
                        "messages: roles must alternate between \"user\" and \"assistant\", but"
                                + " found multiple \""
                                + role
                                + "\" roles in a row");
            }
            turns.add(new ChatMessage(role, text(message.get("content"), "messages." + i)));
            previous = role;
        }
        return turns;
    }

    /**
     * A string, or the text of a list of content blocks. Tool blocks are accepted and carry no
     * text; other kinds (images, documents) the simulator does not support.
     */
    private static String text(JsonNode content, String field) {
        if (content != null && content.isTextual()) {
            return content.asText();
        }
        if (content == null || !content.isArray()) {
            throw invalid(field + ".content: Input should be a string or a list of blocks");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            String type = block.path("type").asText("");
            if ("text".equals(type) && block.path("text").isTextual()) {
                text.append(text.length() == 0 ? "" : "\n").append(block.get("text").asText());
            } else if (!"tool_use".equals(type) && !"tool_result".equals(type)) {
                throw invalid(
                        field
                                + ".content: each block must be {\"type\":\"text\",\"text\":...};"
                                + " the simulator does not support '"
                                + type
                                + "' blocks");
            }
        }
        return text.toString();
    }

    private static InvalidRequestException invalid(String message) {
        return new InvalidRequestException("invalid_request_error", message);
    }
}
