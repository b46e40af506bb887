package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import org.asynchttpclient.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calls Anthropic's Messages API ({@code POST /messages}). The turn's chat is reshaped to what the
 * API accepts: system messages at the top level, then user and assistant strictly alternating from
 * a user message, none empty. Prompt-cache reads and writes count in the prompt's tokens and are
 * kept apart as well.
 */
public final class AnthropicMessagesClient implements LlmClient {

    static final String API_VERSION = "2023-06-01";

    /** Stands first when the chat would start with the assistant, which the API refuses. */
    static final String LEADING_USER = "(conversation so far)";

    /** The answer's length when a turn names none: the API requires one. */
    static final int DEFAULT_MAX_TOKENS = 1024;

    private final HttpTransport http;
    private final String url;
    private final Map<String, String> headers;

    /**
     * @param baseUrl e.g. {@code https://api.anthropic.com/v1}, without a trailing slash
     * @param apiKey the key sent as {@code x-api-key}, or empty to send none (e.g. behind a proxy)
     */
    public AnthropicMessagesClient(String baseUrl, String apiKey, Duration timeout) {
        this.url = baseUrl + "/messages";
        Map<String, String> h = new LinkedHashMap<>();
        h.put("anthropic-version", API_VERSION);
        String key = apiKey.strip(); // a key read from a secret file may end with its line break
        if (!key.isEmpty()) {
            h.put("x-api-key", key);
        }
        this.headers = Map.copyOf(h);
        this.http = new HttpTransport("agentstream-llm-anthropic", timeout);
    }

    @Override
    public CompletableFuture<LlmReply> complete(Turn turn) {
        byte[] body;
        try {
            body = Wire.JSON.writeValueAsBytes(requestBody(turn));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(
                    new LlmCallException("cannot encode the request", e));
        }
        return http.post(url, headers, body, turn, AnthropicMessagesClient::parse);
    }

    static ObjectNode requestBody(Turn turn) {
        ObjectNode root = Wire.JSON.createObjectNode();
        root.put("model", turn.model);
        root.put("max_tokens", turn.maxTokens > 0 ? turn.maxTokens : DEFAULT_MAX_TOKENS);
        List<String> system = new ArrayList<>();
        List<ChatMessage> chat = new ArrayList<>();
        for (ChatMessage m : turn.messages) {
            if (m.content == null || m.content.isBlank()) {
                continue; // the API refuses an empty content
            }
            if (ChatMessage.SYSTEM.equals(m.role)) {
                system.add(m.content);
            } else {
                append(chat, ChatMessage.ASSISTANT.equals(m.role) ? m.role : ChatMessage.USER, m);
            }
        }
        if (!system.isEmpty()) {
            root.put("system", String.join("\n\n", system));
        }
        if (chat.isEmpty() || chat.get(0).role.equals(ChatMessage.ASSISTANT)) {
            chat.add(0, new ChatMessage(ChatMessage.USER, LEADING_USER));
        }
        ChatMessage last = chat.get(chat.size() - 1);
        if (last.role.equals(ChatMessage.ASSISTANT)) {
            // A last assistant message is continued; the API refuses one ending in whitespace.
            last.content = last.content.stripTrailing();
        }
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : chat) {
            messages.addObject().put("role", m.role).put("content", m.content);
        }
        return root;
    }

    /** Adds a message in {@code role}, merged into the previous one when that has the same role. */
    private static void append(List<ChatMessage> chat, String role, ChatMessage m) {
        ChatMessage previous = chat.isEmpty() ? null : chat.get(chat.size() - 1);
        if (previous != null && previous.role.equals(role)) {
            previous.content = previous.content + "\n\n" + m.content;
        } else {
            chat.add(new ChatMessage(role, m.content));
        }
    }

    static LlmReply parse(Response response) {
        int status = response.getStatusCode();
        JsonNode root = Wire.read(response);
        if (status != 200) {
            throw Wire.failure(response, errorType(status, root));
        }
        JsonNode content = root.path("content");
        if (!content.isArray()) {
            if (root.path("error").isObject()) {
                // A gateway that answers every call with a 200: the error it states decides.
                throw Wire.failure(response, errorType(status, root));
            }
            throw new LlmCallException(status, "response has no content");
        }
        StringBuilder text = new StringBuilder();
        boolean anyText = false;
        boolean toolUse = false;
        for (JsonNode block : content) {
            String type = block.path("type").asText("");
            if (type.equals("text") && block.path("text").isTextual()) {
                text.append(block.path("text").asText());
                anyText = true;
            } else if (type.equals("tool_use")) {
                toolUse = true;
            }
        }
        String stopReason = root.path("stop_reason").asText("");
        String refusal = null;
        if (stopReason.equals("refusal")) {
            refusal = "refusal";
        } else if (!anyText) {
            refusal = toolUse ? "tool call" : "no content";
        }
        JsonNode usage = root.path("usage");
        int cacheRead = Wire.tokens(usage.path("cache_read_input_tokens"));
        int cacheWrite = Wire.tokens(usage.path("cache_creation_input_tokens"));
        return new LlmReply(
                refusal == null ? text.toString() : refusal,
                Wire.sum(Wire.tokens(usage.path("input_tokens")), cacheRead, cacheWrite),
                Wire.tokens(usage.path("output_tokens")),
                root.path("model").asText(""),
                root.path("id").asText(""),
                stopReason,
                cacheRead,
                cacheWrite,
                refusal != null);
    }

    /**
     * The error's type, except for two 400s the router must fall back on: a prompt too long for the
     * model, and a credit balance too low. An overloaded API (529) keeps its type and status.
     */
    static String errorType(int status, JsonNode root) {
        JsonNode error = root.path("error");
        String type = Wire.text(error.path("type"));
        String message = Wire.text(error.path("message"));
        boolean invalid = status == 400 || status == 200; // 200: an error a gateway passed on
        if (invalid && Wire.saysContextTooLong(message)) {
            return Wire.CONTEXT_LENGTH_EXCEEDED;
        }
        if (invalid && message.toLowerCase(Locale.ROOT).contains("credit balance")) {
            return Wire.INSUFFICIENT_QUOTA;
        }
        return type.isEmpty() ? "unknown" : type;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
