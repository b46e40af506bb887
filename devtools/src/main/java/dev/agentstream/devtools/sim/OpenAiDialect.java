package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** OpenAI Chat Completions: {@code chat.completion} objects and {@code {"error":{...}}} errors. */
final class OpenAiDialect implements Dialect {

    static final String REFUSAL = "Simulated refusal.";

    private static final String ID_PREFIX = "chatcmpl-sim-";
    private static final String TOOL_CALL_ID_PREFIX = "call_sim_";

    private final ObjectMapper json;
    private final Clock clock;

    OpenAiDialect(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public Protocol protocol() {
        return Protocol.OPENAI;
    }

    @Override
    public ChatRequest parse(JsonNode body, Map<String, List<String>> headers) {
        return ChatRequest.fromJson(body);
    }

    @Override
    public JsonNode answer(ChatRequest request, Completion completion) {
        ObjectNode root = json.createObjectNode();
        root.put("id", ID_PREFIX + completion.id())
                .put("object", "chat.completion")
                .put("created", clock.instant().getEpochSecond())
                .put("model", request.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        switch (completion.finish()) {
            case REFUSAL:
                message.putNull("content").put("refusal", REFUSAL);
                choice.put("finish_reason", "content_filter");
                break;
            case TOOL_CALL:
                message.putNull("content");
                ObjectNode call = message.putArray("tool_calls").addObject();
                call.put("id", TOOL_CALL_ID_PREFIX + completion.id()).put("type", "function");
                call.putObject("function")
                        .put("name", Completion.TOOL_NAME)
                        .put("arguments", toolArguments(completion.text()));
                choice.put("finish_reason", "tool_calls");
                break;
            default:
                message.put("content", completion.text());
                choice.put(
                        "finish_reason",
                        completion.finish() == Completion.Finish.LENGTH ? "length" : "stop");
        }
        int prompt = completion.promptTokens();
        root.putObject("usage")
                .put("prompt_tokens", prompt)
                .put("completion_tokens", completion.completionTokens())
                .put("total_tokens", prompt + completion.completionTokens());
        return root;
    }

    /** OpenAI sends tool arguments as a JSON document inside a string. */
    private String toolArguments(String answer) {
        try {
            return json.writeValueAsString(
                    json.createObjectNode().put(Completion.TOOL_ARGUMENT, answer));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public HttpReply invalid(InvalidRequestException e) {
        return HttpReply.error(json, e.toError());
    }

    @Override
    public HttpReply failure(Fault fault) {
        switch (fault.kind()) {
            case RATE_LIMITED:
                return HttpReply.error(json, OpenAiError.rateLimited(), fault.retryAfterHeaders());
            case QUOTA_EXHAUSTED:
                return HttpReply.error(json, OpenAiError.quotaExhausted());
            default:
                return HttpReply.error(
                        json, OpenAiError.injected(fault.status()), fault.retryAfterHeaders());
        }
    }

    @Override
    public HttpReply contextTooLong(int promptTokens, int limit) {
        return HttpReply.error(json, OpenAiError.contextLengthExceeded(promptTokens, limit));
    }

    @Override
    public HttpReply methodNotAllowed(String method, String path) {
        return HttpReply.error(json, OpenAiError.methodNotAllowed(method, path));
    }

    @Override
    public HttpReply internalError(String message) {
        return HttpReply.error(json, OpenAiError.internal(message));
    }
}
