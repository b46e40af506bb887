package dev.agentstream.devtools.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The simulated model, the same for every protocol: a deterministic answer from {@link
 * AnswerComposer}, cut at the request's token limit, and a token usage counted with {@link
 * TokenCounter}.
 */
final class SimulatedModel {

    private final TokenCounter tokens;

    SimulatedModel(TokenCounter tokens) {
        this.tokens = tokens;
    }

    Completion complete(ChatRequest request) {
        String answer = AnswerComposer.answer(request.messages());
        Completion.Finish finish = Completion.Finish.STOP;
        int completionTokens = tokens.count(answer);
        int maxTokens = request.maxTokens().orElse(Integer.MAX_VALUE);
        if (completionTokens > maxTokens) {
            answer = tokens.truncate(answer, maxTokens);
            completionTokens = maxTokens;
            finish = Completion.Finish.LENGTH;
        }
        return new Completion(
                fingerprint(request),
                answer,
                finish,
                tokens.promptTokens(request.messages()),
                completionTokens);
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
