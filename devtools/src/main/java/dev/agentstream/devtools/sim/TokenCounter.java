package dev.agentstream.devtools.sim;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingResult;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.List;

/**
 * Counts tokens with the o200k_base BPE the way OpenAI's cookbook estimates chat prompts: each
 * message costs its content plus {@value #TOKENS_PER_MESSAGE} tokens (role and separators), and
 * every prompt {@value #TOKENS_PER_REPLY} more for priming the assistant's reply. Thread-safe.
 */
final class TokenCounter {

    static final int TOKENS_PER_MESSAGE = 4;
    static final int TOKENS_PER_REPLY = 3;

    private final Encoding encoding =
            Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    int promptTokens(List<ChatMessage> messages) {
        int tokens = TOKENS_PER_REPLY;
        for (ChatMessage message : messages) {
            tokens += TOKENS_PER_MESSAGE + count(message.content());
        }
        return tokens;
    }

    /** Special tokens such as {@code <|endoftext|>} count as ordinary text. */
    int count(String text) {
        return encoding.countTokensOrdinary(text);
    }

    /** The longest prefix of {@code text} that is at most {@code maxTokens} tokens. */
    String truncate(String text, int maxTokens) {
        EncodingResult prefix = encoding.encodeOrdinary(text, maxTokens);
        return prefix.isTruncated() ? encoding.decode(prefix.getTokens()) : text;
    }
}
