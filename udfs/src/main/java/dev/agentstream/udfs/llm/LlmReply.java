package dev.agentstream.udfs.llm;

/**
 * What a provider answered to one chat call, normalised.
 *
 * @param text the assistant message's content; empty when the provider sent none
 * @param responseModel the model that answered, as the provider names it
 * @param responseId the provider's id of the response
 * @param finishReason why generation stopped, as the provider says it
 */
public record LlmReply(
        String text,
        int promptTokens,
        int completionTokens,
        String responseModel,
        String responseId,
        String finishReason) {}
