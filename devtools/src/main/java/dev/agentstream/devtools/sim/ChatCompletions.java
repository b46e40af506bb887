package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;

/**
 * The simulated model: turns a valid request into an OpenAI {@code chat.completion} object with a
 * deterministic id and answer and a token usage counted with {@link TokenCounter}.
 */
final class ChatCompletions {

    private static final String ID_PREFIX = "chatcmpl-sim-";

    private final ObjectMapper json;
    private final TokenCounter tokens;
    private final Clock clock;

    ChatCompletions(ObjectMapper json, TokenCounter tokens, Clock clock) {
        this.json = json;
        this.tokens = tokens;
        this.clock = clock;
    }

    ObjectNode complete(ChatRequest request) {
        String answer = AnswerComposer.answer(request.messages());
        String finishReason = "stop";
        int completionTokens = tokens.count(answer);
        int maxTokens = request.maxTokens().orElse(Integer.MAX_VALUE);
        if (completionTokens > maxTokens) {
            answer = tokens.truncate(answer, maxTokens);
            completionTokens = maxTokens;
            finishReason = "length";
        }
        int promptTokens = tokens.promptTokens(request.messages());

        ObjectNode root = json.createObjectNode();
        root.put("id", ID_PREFIX + fingerprint(request))
                .put("object", "chat.completion")
                .put("created", clock.instant().getEpochSecond())
                .put("model", request.model());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer);
        choice.put("finish_reason", finishReason);
        root.putObject("usage")
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return root;
    }

    /** A hash of everything that decides the answer: model, messages and token limit. */
    static String fingerprint(ChatRequest request) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        update(sha256, request.model());
        for (ChatMessage message : request.messages()) {
            update(sha256, message.role());
            update(sha256, message.content());
        }
        update(sha256, String.valueOf(request.maxTokens().orElse(0)));
        return HexFormat.of().formatHex(sha256.digest(), 0, 12);
    }

    /** Length-prefixed, so that no two different field sequences hash the same bytes. */
    private static void update(MessageDigest digest, String field) {
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        digest.update(String.valueOf(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
    }
}
