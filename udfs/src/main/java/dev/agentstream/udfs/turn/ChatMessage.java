package dev.agentstream.udfs.turn;

import java.util.Objects;

/**
 * One chat message of a prompt: role {@code system}, {@code user} or {@code assistant}, and the
 * tokens of its content where the builder of the prompt knew them.
 */
public class ChatMessage {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public String role;
    public String content;

    /**
     * The content's tokens as {@link TokenCounter} counts them, or 0 when not counted (a message of
     * a turn restored from a savepoint older than the field). Carried so that the stages a turn
     * passes through (thread allowance, quota, context windows) never tokenize its prompt again:
     * the history's counts were taken when each envelope was appended. Not part of equality.
     */
    public int tokens;

    public ChatMessage() {}

    public ChatMessage(String role, String content) {
        this.role = role;
        this.content = content;
    }

    /** A message whose content is known to have {@code tokens} tokens. */
    public ChatMessage(String role, String content, int tokens) {
        this(role, content);
        this.tokens = tokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChatMessage m
                && Objects.equals(role, m.role)
                && Objects.equals(content, m.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(role, content);
    }

    @Override
    public String toString() {
        return "ChatMessage{" + role + ", " + (content == null ? 0 : content.length()) + " chars}";
    }
}
