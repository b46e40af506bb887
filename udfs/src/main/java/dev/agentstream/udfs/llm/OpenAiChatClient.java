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
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Calls an OpenAI-compatible {@code /chat/completions} endpoint (OpenAI, xAI, Groq, vLLM, the
 * project's simulator). Error types are normalised so that the router tells quota, context length
 * and rate limits apart whichever server phrased them; a message without content is a refusal.
 */
public final class OpenAiChatClient implements LlmClient {

    /** Error codes the router acts on: when a server sends one, it wins over the error's type. */
    private static final Set<String> ROUTED_CODES =
            Set.of(Wire.INSUFFICIENT_QUOTA, Wire.CONTEXT_LENGTH_EXCEEDED, "rate_limit_exceeded");

    private final HttpTransport http;
    private final String url;
    private final Map<String, String> headers;

    /**
     * @param baseUrl e.g. {@code https://api.openai.com/v1}, without a trailing slash
     * @param apiKey bearer key, or empty to send no Authorization header
     */
    public OpenAiChatClient(String baseUrl, String apiKey, Duration timeout) {
        this.url = baseUrl + "/chat/completions";
        String key = apiKey.strip(); // a key read from a secret file may end with its line break
        this.headers = key.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + key);
        this.http = new HttpTransport("agentstream-llm-http", timeout);
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
        return http.post(url, headers, body, turn, OpenAiChatClient::parse);
    }

    static ObjectNode requestBody(Turn turn) {
        ObjectNode root = Wire.JSON.createObjectNode();
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
        JsonNode root = Wire.read(response);
        if (status != 200) {
            throw Wire.failure(response, errorType(status, root));
        }
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            if (carriesError(root)) {
                // A gateway that answers every call with a 200: the error it states decides.
                throw Wire.failure(response, errorType(status, root));
            }
            throw new LlmCallException(status, "response has no choices");
        }
        JsonNode message = choice.path("message");
        JsonNode usage = root.path("usage");
        String finishReason = choice.path("finish_reason").asText("");
        String text = content(message.path("content"));
        String refusal = refusal(message, text, finishReason);
        return new LlmReply(
                refusal == null ? text : refusal,
                Wire.tokens(usage.path("prompt_tokens")),
                Wire.tokens(usage.path("completion_tokens")),
                root.path("model").asText(""),
                root.path("id").asText(""),
                finishReason,
                Wire.tokens(usage.path("prompt_tokens_details").path("cached_tokens")),
                0,
                refusal != null);
    }

    /**
     * The error's code when the router acts on it, else its type, else its code; a 400 that says
     * the prompt is too long is {@code context_length_exceeded} however the server typed it. Reads
     * OpenAI's {@code {"error":{...}}}, a bare {@code {"error":"text"}} and vLLM's older top-level
     * {@code {"object":"error","message":...}}.
     */
    static String errorType(int status, JsonNode root) {
        JsonNode error = root.path("error");
        if (!error.isObject() && !error.isTextual() && root.has("message")) {
            error = root;
        }
        String message = error.isTextual() ? error.asText() : Wire.text(error.path("message"));
        JsonNode codeNode = error.path("code");
        String code = codeNode.isValueNode() && !codeNode.isNull() ? codeNode.asText("") : "";
        String type = Wire.text(error.path("type"));
        String kind;
        if (ROUTED_CODES.contains(code)) {
            kind = code;
        } else if (!type.isEmpty()) {
            kind = type;
        } else if (!code.isBlank()) {
            kind = code;
        } else {
            kind = "unknown";
        }
        boolean routed = kind.contains("quota") || kind.contains("context_length");
        if ((status == 400 || status == 200) && !routed && Wire.saysContextTooLong(message)) {
            return Wire.CONTEXT_LENGTH_EXCEEDED;
        }
        return kind;
    }

    /** True when a body without choices is an error answer in one of the shapes read above. */
    private static boolean carriesError(JsonNode root) {
        return root.path("error").isObject()
                || root.path("error").isTextual()
                || root.path("object").asText("").equals("error");
    }

    /**
     * The message's text: a string, or the text parts of a list of parts joined; null when the
     * message has no content at all.
     */
    private static String content(JsonNode content) {
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
        return null;
    }

    /**
     * Why the model answered without text, fit to be read by the sender in place of an answer; null
     * when it did answer (an empty string answer included).
     */
    private static String refusal(JsonNode message, String text, String finishReason) {
        String refusal = Wire.text(message.path("refusal"));
        if (!refusal.isEmpty()) {
            return refusal;
        }
        if (text != null && !text.isEmpty()) {
            return null;
        }
        if (message.path("tool_calls").size() > 0 || message.path("function_call").isObject()) {
            return "tool call";
        }
        if (finishReason.equals("content_filter")) {
            return "content filter";
        }
        return text == null ? "no content" : null;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
