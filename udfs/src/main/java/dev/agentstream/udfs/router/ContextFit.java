package dev.agentstream.udfs.router;

import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;

import java.util.ArrayList;
import java.util.List;

/**
 * Shortens a turn's history so that its prompt fits a context window: the system prompt and the
 * input that started the turn always stay, history goes oldest first.
 */
final class ContextFit {

    private ContextFit() {}

    /**
     * The prompt's tokens plus the completion limit: what the turn needs of a window. Held at what
     * an int holds, so that a huge completion limit never wraps into a prompt that fits anywhere.
     */
    static int tokens(Turn turn, TokenCounter counter) {
        long tokens = Math.max(0, turn.maxTokens);
        for (ChatMessage m : turn.messages) {
            tokens += counter.count(m);
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    /**
     * The turn with as much of its newest history as fits {@code window} tokens, or null when not
     * even the system prompt and the input fit.
     */
    static Turn fit(Turn turn, int window, TokenCounter counter) {
        int last = turn.messages.length - 1;
        if (last < 0) {
            return null; // no input at all: nothing to fit
        }
        int head = hasSystemPrompt(turn) ? 1 : 0;
        long used = (long) Math.max(0, turn.maxTokens) + counter.count(turn.messages[last]);
        for (int i = 0; i < head; i++) {
            used += counter.count(turn.messages[i]);
        }
        if (used > window) {
            return null;
        }
        int keepFrom = last;
        while (keepFrom > head && used + counter.count(turn.messages[keepFrom - 1]) <= window) {
            keepFrom--;
            used += counter.count(turn.messages[keepFrom]);
        }
        return keepFrom == head ? turn : without(turn, head, keepFrom);
    }

    /** The turn without the older half of its history, or null when it has none left. */
    static Turn halve(Turn turn) {
        int head = hasSystemPrompt(turn) ? 1 : 0;
        int history = turn.messages.length - 1 - head;
        if (history <= 0) {
            return null;
        }
        return without(turn, head, head + (history + 1) / 2);
    }

    /** The turn without messages {@code from} (inclusive) to {@code to} (exclusive). */
    private static Turn without(Turn turn, int from, int to) {
        List<ChatMessage> kept = new ArrayList<>(turn.messages.length - (to - from));
        for (int i = 0; i < turn.messages.length; i++) {
            if (i < from || i >= to) {
                kept.add(turn.messages[i]);
            }
        }
        return turn.withMessages(kept.toArray(new ChatMessage[0]));
    }

    private static boolean hasSystemPrompt(Turn turn) {
        return turn.messages.length > 1 && ChatMessage.SYSTEM.equals(turn.messages[0].role);
    }
}
