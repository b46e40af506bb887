package dev.agentstream.udfs.llm;

/**
 * What a provider answered to one chat call, normalised across wire protocols.
 *
 * @param text the assistant message's text; a refusal's reason when {@code refused}; else empty
 * @param promptTokens input tokens billed, cache reads and writes included
 * @param completionTokens output tokens billed
 * @param responseModel the model that answered, as the provider names it
 * @param responseId the provider's id of the response
 * @param finishReason why generation stopped, as the provider says it
 * @param cacheReadTokens the part of {@code promptTokens} read from the provider's prompt cache
 * @param cacheWriteTokens the part of {@code promptTokens} written to the provider's prompt cache
 * @param refused true when the provider answered without text: a content filter, a refusal, or a
 *     tool call nobody asked for; the tokens are still billed
 * @param cacheHit true when the answer came from the response cache: no provider was asked, and the
 *     token counts are zero
 * @param attempts calls made to providers for this answer, retries and fallbacks included; 0 for a
 *     cache hit
 */
public record LlmReply(
        String text,
        int promptTokens,
        int completionTokens,
        String responseModel,
        String responseId,
        String finishReason,
        int cacheReadTokens,
        int cacheWriteTokens,
        boolean refused,
        boolean cacheHit,
        int attempts) {

    /** An answer of one call, or a cache hit (no call). */
    public LlmReply(
            String text,
            int promptTokens,
            int completionTokens,
            String responseModel,
            String responseId,
            String finishReason,
            int cacheReadTokens,
            int cacheWriteTokens,
            boolean refused,
            boolean cacheHit) {
        this(
                text,
                promptTokens,
                completionTokens,
                responseModel,
                responseId,
                finishReason,
                cacheReadTokens,
                cacheWriteTokens,
                refused,
                cacheHit,
                cacheHit ? 0 : 1);
    }

    /** A provider's answer (not from the response cache). */
    public LlmReply(
            String text,
            int promptTokens,
            int completionTokens,
            String responseModel,
            String responseId,
            String finishReason,
            int cacheReadTokens,
            int cacheWriteTokens,
            boolean refused) {
        this(
                text,
                promptTokens,
                completionTokens,
                responseModel,
                responseId,
                finishReason,
                cacheReadTokens,
                cacheWriteTokens,
                refused,
                false);
    }

    /** This answer served again from the response cache: no provider tokens, no call. */
    public LlmReply asCacheHit() {
        return new LlmReply(
                text, 0, 0, responseModel, responseId, finishReason, 0, 0, refused, true, 0);
    }

    /** This answer, got after {@code attempts} calls in all. */
    public LlmReply withAttempts(int attempts) {
        return new LlmReply(
                text,
                promptTokens,
                completionTokens,
                responseModel,
                responseId,
                finishReason,
                cacheReadTokens,
                cacheWriteTokens,
                refused,
                cacheHit,
                attempts);
    }

    /** A plain answer: no prompt-cache tokens, not refused. */
    public LlmReply(
            String text,
            int promptTokens,
            int completionTokens,
            String responseModel,
            String responseId,
            String finishReason) {
        this(
                text,
                promptTokens,
                completionTokens,
                responseModel,
                responseId,
                finishReason,
                0,
                0,
                false);
    }
}
