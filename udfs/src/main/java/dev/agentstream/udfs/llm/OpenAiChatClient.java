package dev.agentstream.udfs.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Calls an OpenAI-compatible {@code /chat/completions} endpoint (OpenAI, xAI, Groq, vLLM, the
 * project's simulator) over the shared {@link HttpTransport}.
 */
public final class OpenAiChatClient implements LlmClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpTransport http;
    private final String url;
    private final Map<String, String> headers;

    /**
     * @param baseUrl e.g. {@code https://api.openai.com/v1}, without a trailing slash
     * @param apiKey bearer key, or empty to send no Authorization header
     */
    public OpenAiChatClient(String baseUrl, String apiKey, Duration timeout) {
        this.url = baseUrl + "/chat/completions";
        this.headers = apiKey.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + apiKey);
        this.http = new HttpTransport("agentstream-llm-http", timeout);
    }

    @Override
    public CompletableFuture<LlmReply> complete(Turn turn) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(requestBody(turn));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(
                    new LlmCallException("cannot encode the request", e));
        }
        return http.post(url, headers, body, turn, OpenAiChatClient::parse);
    }

    static ObjectNode requestBody(Turn turn) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", turn.model);
        root.put("max_tokens", turn.maxTokens);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : turn.messages) {
            messages.addObject().put("role", m.role).put("content", m.content);
        }
        return root;
    }

    static LlmReply parse(Response response) {
        int status = response.getStatusCode();
        JsonNode root;
        try {
            root = JSON.readTree(response.getResponseBodyAsBytes());
        } catch (IOException e) {
            throw new LlmCallException(status, "HTTP " + status + " with a malformed body");
        }
        if (status != 200) {
            JsonNode err = root == null ? null : root.path("error");
            String kind =
                    err == null
                            ? "no error body"
                            : err.path("type").asText(err.path("code").asText("unknown"));
            throw new LlmCallException(
                    status,
                    "HTTP " + status + " from provider: " + shortWord(kind),
                    shortWord(kind),
                    RetryAfter.millis(response.getHeader("Retry-After")));
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || choice.isMissingNode()) {
            throw new LlmCallException(status, "response has no choices");
        }
        JsonNode usage = root.path("usage");
        return new LlmReply(
                content(choice.path("message")),
                tokens(usage.path("prompt_tokens")),
                tokens(usage.path("completion_tokens")),
                root.path("model").asText(""),
                root.path("id").asText(""),
                choice.path("finish_reason").asText(""));
    }

    /**
     * The message's text: a string, or the text parts of a list of parts joined; a refusal's text
     * when the model refused (so that the sender reads why); empty when there is none.
     */
    private static String content(JsonNode message) {
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    text.append(part.path("text").asText());
                }
            }
            return text.toString();
        }
        return message.path("refusal").isTextual() ? message.path("refusal").asText() : "";
    }

    /** A token count, never negative and never past what an int holds. */
    private static int tokens(JsonNode count) {
        long value = count.asLong(0);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, value));
    }

    /** A provider's error type fit for a log line and an error envelope: short, one line. */
    private static String shortWord(String kind) {
        String oneLine = kind.replaceAll("[\\p{Cntrl}]", " ").strip();
        return oneLine.length() <= 64 ? oneLine : oneLine.substring(0, 64) + "...";
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
