package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Ollama's native chat: one final object with {@code "done": true}, and {@code {"error":"..."}}
 * errors. Durations are synthetic, one millisecond per token, so that equal requests get equal
 * replies apart from {@code created_at}.
 */
final class OllamaDialect implements Dialect {

    private static final long NANOS_PER_TOKEN = 1_000_000L;

    private final ObjectMapper json;
    private final Clock clock;

    OllamaDialect(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public Protocol protocol() {
        return Protocol.OLLAMA;
    }

    @Override
    public ChatRequest parse(JsonNode body, Map<String, List<String>> headers) {
        return OllamaRequest.parse(body);
    }

    @Override
    public JsonNode answer(ChatRequest request, Completion completion) {
        ObjectNode root = json.createObjectNode();
        root.put("model", request.model()).put("created_at", clock.instant().toString());
        ObjectNode message = root.putObject("message").put("role", "assistant");
        switch (completion.finish()) {
            case REFUSAL:
                message.put("content", "");
                break;
            case TOOL_CALL:
                message.put("content", "");
                message.putArray("tool_calls")
                        .addObject()
                        .putObject("function")
                        .put("name", Completion.TOOL_NAME)
                        .putObject("arguments")
                        .put(Completion.TOOL_ARGUMENT, completion.text());
                break;
            default:
                message.put("content", completion.text());
        }
        int tokens = completion.promptTokens() + completion.completionTokens();
        root.put("done", true)
                .put(
                        "done_reason",
                        completion.finish() == Completion.Finish.LENGTH ? "length" : "stop")
                .put("total_duration", tokens * NANOS_PER_TOKEN)
                .put("prompt_eval_count", completion.promptTokens())
                .put("eval_count", completion.completionTokens());
        return root;
    }

    @Override
    public HttpReply invalid(InvalidRequestException e) {
        return error(400, e.getMessage(), Map.of());
    }

    @Override
    public HttpReply failure(Fault fault) {
        switch (fault.kind()) {
            case RATE_LIMITED:
                return error(429, "Simulated: rate limit, retry later.", fault.retryAfterHeaders());
            case QUOTA_EXHAUSTED:
                // Ollama has no quota; a proxy in front of it might have one.
                return error(429, "Simulated: quota exhausted for this account.", Map.of());
            default:
                return error(
                        fault.status(),
                        "Simulated: HTTP " + fault.status() + ".",
                        fault.retryAfterHeaders());
        }
    }

    @Override
    public HttpReply contextTooLong(int promptTokens, int limit) {
        return error(
                400,
                "the input length of "
                        + promptTokens
                        + " tokens exceeds the maximum context length of "
                        + limit
                        + " tokens (context length exceeded)",
                Map.of());
    }

    @Override
    public HttpReply methodNotAllowed(String method, String path) {
        return error(405, "method " + method + " not allowed on " + path, Map.of());
    }

    @Override
    public HttpReply internalError(String message) {
        return error(500, message, Map.of());
    }

    private HttpReply error(int status, String message, Map<String, String> headers) {
        return HttpReply.json(json, status, json.createObjectNode().put("error", message), headers);
    }
}
