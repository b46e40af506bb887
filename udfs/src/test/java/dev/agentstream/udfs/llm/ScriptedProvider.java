package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.turn.Turn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An in-process provider stand-in for unit tests of what sits in front of a client (cache, router):
 * it records every turn it is asked and answers each with a future the test completes, or at once
 * with what {@code answer} says.
 */
public final class ScriptedProvider implements LlmClient {

    private final List<Turn> asked = new ArrayList<>();
    private final List<CompletableFuture<LlmReply>> pending = new ArrayList<>();
    private volatile Function<Turn, CompletableFuture<LlmReply>> answer;

    /** Answers every turn at once with a reply quoting its last message. */
    public static ScriptedProvider answering() {
        ScriptedProvider p = new ScriptedProvider();
        p.answer = turn -> CompletableFuture.completedFuture(reply("answer", 100, 20));
        return p;
    }

    /** Leaves every call pending until the test completes it through {@link #pending()}. */
    public static ScriptedProvider holding() {
        ScriptedProvider p = new ScriptedProvider();
        p.answer = turn -> new CompletableFuture<>();
        return p;
    }

    public static LlmReply reply(String text, int promptTokens, int completionTokens) {
        return new LlmReply(text, promptTokens, completionTokens, "m", "resp-1", "stop");
    }

    public ScriptedProvider answer(Function<Turn, CompletableFuture<LlmReply>> how) {
        this.answer = how;
        return this;
    }

    @Override
    public synchronized CompletableFuture<LlmReply> complete(Turn turn) {
        asked.add(turn);
        CompletableFuture<LlmReply> f = answer.apply(turn);
        pending.add(f);
        return f;
    }

    public synchronized int calls() {
        return asked.size();
    }

    public synchronized List<Turn> asked() {
        return List.copyOf(asked);
    }

    public synchronized List<CompletableFuture<LlmReply>> pending() {
        return List.copyOf(pending);
    }

    @Override
    public void close() {}
}
