package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/** Anthropic Messages: {@code message} objects and {@code {"type":"error",...}} errors. */
final class AnthropicDialect implements Dialect {

    /** How Anthropic says that the account's credit is spent: a 400, not a 429. */
    static final String CREDIT_TOO_LOW =
            "Your credit balance is too low to access the Anthropic API. Please go to Plans &"
                    + " Billing to upgrade or purchase credits.";

    private static final String ID_PREFIX = "msg_sim_";
    private static final String TOOL_USE_ID_PREFIX = "toolu_sim_";

    private final ObjectMapper json;

    AnthropicDialect(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Protocol protocol() {
        return Protocol.ANTHROPIC;
    }

    @Override
    public ChatRequest parse(JsonNode body, Map<String, List<String>> headers) {
        return AnthropicRequest.parse(body, headers);
    }

    @Override
    public JsonNode answer(ChatRequest request, Completion completion) {
        ObjectNode root = json.createObjectNode();
        root.put("id", ID_PREFIX + completion.id())
                .put("type", "message")
                .put("role", "assistant")
                .put("model", request.model());
        ArrayNode content = root.putArray("content");
        switch (completion.finish()) {
            case REFUSAL:
                root.put("stop_reason", "refusal");
                break;
            case TOOL_CALL:
                ObjectNode toolUse = content.addObject().put("type", "tool_use");
                toolUse.put("id", TOOL_USE_ID_PREFIX + completion.id())
                        .put("name", Completion.TOOL_NAME)
                        .putObject("input")
                        .put(Completion.TOOL_ARGUMENT, completion.text());
                root.put("stop_reason", "tool_use");
                break;
            default:
                content.addObject().put("type", "text").put("text", completion.text());
                root.put(
                        "stop_reason",
                        completion.finish() == Completion.Finish.LENGTH
                                ? "max_tokens"
                                : "end_turn");
        }
        root.putNull("stop_sequence");
        root.putObject("usage")
                .put("input_tokens", completion.promptTokens())
                .put("output_tokens", completion.completionTokens())
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0);
        return root;
    }

    @Override
    public HttpReply invalid(InvalidRequestException e) {
        return error(AnthropicError.invalidRequest(e.getMessage()), Map.of());
    }

    @Override
    public HttpReply failure(Fault fault) {
        switch (fault.kind()) {
            case RATE_LIMITED:
                return error(
                        new AnthropicError(429, "rate_limit_error", "Simulated: rate limit."),
                        fault.retryAfterHeaders());
            case QUOTA_EXHAUSTED:
                return error(AnthropicError.invalidRequest(CREDIT_TOO_LOW), Map.of());
            default:
                return error(AnthropicError.injected(fault.status()), fault.retryAfterHeaders());
        }
    }

    @Override
    public HttpReply contextTooLong(int promptTokens, int limit) {
        return error(
                AnthropicError.invalidRequest(
                        "prompt is too long: " + promptTokens + " tokens > " + limit + " maximum"),
                Map.of());
    }

    @Override
    public HttpReply methodNotAllowed(String method, String path) {
        return error(
                new AnthropicError(
                        405,
                        AnthropicError.INVALID_REQUEST,
                        "Method " + method + " is not allowed on " + path + "."),
                Map.of());
    }

    @Override
    public HttpReply internalError(String message) {
        return error(new AnthropicError(500, "api_error", message), Map.of());
    }

    private HttpReply error(AnthropicError error, Map<String, String> headers) {
        return HttpReply.json(json, error.status(), error.toJson(json), headers);
    }
}
