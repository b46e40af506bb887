package dev.agentstream.udfs.turn;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts prompt tokens with a real BPE tokenizer (o200k_base). Providers tokenize their own way, so
 * the count is an estimate for windowing, not a bill: bills use the provider's usage.
 */
public final class TokenCounter {

    /** Tokens a chat message costs beyond its content (role and separators). */
    public static final int PER_MESSAGE_OVERHEAD = 4;

    /** Tokens a whole prompt costs beyond its messages (priming the reply). */
    public static final int PER_PROMPT_OVERHEAD = 3;

    private final Encoding encoding;

    /**
     * A counter on the JVM's one o200k_base vocabulary: loading it takes about a third of a CPU
     * second and tens of MB of heap, and every operator instance of a task manager wants one.
     */
    public TokenCounter() {
        this.encoding = Vocabulary.O200K;
    }

    /** Loaded once per JVM, on first use; jtokkit's encodings are immutable and thread-safe. */
    private static final class Vocabulary {
        static final Encoding O200K =
                Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    public int count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    /** The message's tokens with its overhead: its own count where it has one, else counted. */
    public int count(ChatMessage message) {
        int content = message.tokens > 0 ? message.tokens : count(message.content);
        return PER_MESSAGE_OVERHEAD + content;
    }

    /** The prompt tokens of a whole chat request made of {@code messages}, as OpenAI counts. */
    public long promptTokens(ChatMessage[] messages) {
        long tokens = PER_PROMPT_OVERHEAD;
        if (messages != null) {
            for (ChatMessage m : messages) {
                tokens += m == null ? 0 : count(m);
            }
        }
        return tokens;
    }
}
