package dev.agentstream.udfs.turn;

import java.util.Objects;

/** One chat message of a prompt: role {@code system}, {@code user} or {@code assistant}. */
public class ChatMessage {

    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public String role;
    public String content;

    public ChatMessage() {}

    public ChatMessage(String role, String content) {
        this.role = role;
        this.content = content;
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
