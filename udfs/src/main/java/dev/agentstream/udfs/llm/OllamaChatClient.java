package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import org.asynchttpclient.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calls Ollama's native {@code POST /api/chat}, one answer per call (no streaming). Ollama names no
 * error types: they come from the status, except a prompt past the context window, which the router
 * must tell apart.
 */
public final class OllamaChatClient implements LlmClient {

    private final HttpTransport http;
    private final String url;
    private final Map<String, String> headers;

    /**
     * @param baseUrl e.g. {@code http://127.0.0.1:11434}, without {@code /v1} or a trailing slash
     * @param apiKey bearer key for a proxy in front of Ollama, or empty to send none
     */
    public OllamaChatClient(String baseUrl, String apiKey, Duration timeout) {
        this.url = baseUrl + "/api/chat";
        String key = apiKey.strip(); // a key read from a secret file may end with its line break
        this.headers = key.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + key);
        this.http = new HttpTransport("agentstream-llm-ollama", timeout);
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
        return http.post(url, headers, body, turn, OllamaChatClient::parse);
    }

    static ObjectNode requestBody(Turn turn) {
        ObjectNode root = Wire.JSON.createObjectNode();
        root.put("model", turn.model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : turn.messages) {
            messages.addObject().put("role", m.role).put("content", m.content);
        }
        root.put("stream", false);
        if (turn.maxTokens > 0) {
            root.putObject("options").put("num_predict", turn.maxTokens);
        }
        return root;
    }

    static LlmReply parse(Response response) {
        int status = response.getStatusCode();
        JsonNode root = Wire.read(response);
        if (status != 200 || root.path("error").isTextual()) {
            throw Wire.failure(response, errorType(status, root));
        }
        JsonNode message = root.path("message");
        if (!message.isObject()) {
            throw new LlmCallException(status, "response has no message");
        }
        String text = message.path("content").asText("");
        String refusal = null;
        if (text.isEmpty()) {
            refusal = message.path("tool_calls").size() > 0 ? "tool call" : "no content";
        }
        return new LlmReply(
                refusal == null ? text : refusal,
                Wire.tokens(root.path("prompt_eval_count")),
                Wire.tokens(root.path("eval_count")),
                root.path("model").asText(""),
                "ollama-" + root.path("created_at").asText(""),
                root.path("done_reason").asText(""),
                0,
                0,
                refusal != null);
    }

    /** From the status, unless the error's text says the prompt is past the context window. */
    static String errorType(int status, JsonNode root) {
        if (Wire.saysContextTooLong(Wire.text(root.path("error")))) {
            return Wire.CONTEXT_LENGTH_EXCEEDED;
        }
        return switch (status) {
            case 200 -> "error_in_answer";
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 408 -> "timeout";
            case 413 -> "request_too_large";
            case 429 -> "rate_limited";
            default -> status >= 500 ? "server_error" : "http_" + status;
        };
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
