package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.turn.Turn;

import java.util.concurrent.CompletableFuture;

/**
 * Makes one turn's LLM call without blocking the caller. The single-backend client of the walking
 * skeleton and the router (fallback, retries, breakers) both stand behind this interface.
 */
public interface LlmClient extends AutoCloseable {

    /**
     * Starts the call. The future fails with {@link LlmCallException} when the provider refuses or
     * cannot be reached; it never completes twice.
     */
    CompletableFuture<LlmReply> complete(Turn turn);
}
