package dev.agentstream.udfs.emit;

/**
 * Token usage of one turn, written to the usage topic as JSON. One record per turn, whatever the
 * outcome: a failed call has status {@code failed} and zero tokens, a turn a limit refused before
 * any call status {@code rejected} and zero tokens, an answer without text (a content filter, a
 * refusal) status {@code refused} with the tokens the provider billed, and an answer from the
 * response cache {@code cacheHit} with zero tokens.
 *
 * <p>Field names follow the OpenTelemetry GenAI semantic conventions where one exists (the
 * attribute in each field's comment); docs/billing.md has the whole mapping.
 */
public class UsageRecord {

    /** {@code <input envelope id>/<agent>}: the same on a replay of the same input. */
    public String usageId;

    /** Who pays: the tenant the decode stage gave the turn's input, else {@code tenant.default}. */
    public String tenant;

    /** {@code gen_ai.conversation.id}: the thread UUID the turn ran on. */
    public String thread;

    /** {@code gen_ai.agent.name}: the agent listener that took the turn. */
    public String agent;

    /** The turn: id of the envelope that started it ({@code topic-partition-offset}). */
    public String inputEnvelopeId;

    /** {@code gen_ai.provider.name}: the organism's provider of the backend that answered. */
    public String providerName;

    /** {@code gen_ai.request.model}. */
    public String requestModel;

    /** {@code gen_ai.response.model}; empty when no provider answered. */
    public String responseModel;

    /** {@code gen_ai.response.id}; empty when no provider answered. */
    public String responseId;

    /** {@code gen_ai.response.finish_reasons}; empty when no provider answered. */
    public String[] finishReasons = new String[0];

    /** {@code gen_ai.usage.input_tokens}: input tokens billed, cache reads and writes included. */
    public int inputTokens;

    /** {@code gen_ai.usage.output_tokens}. */
    public int outputTokens;

    /** {@link #inputTokens} + {@link #outputTokens}. */
    public int totalTokens;

    /** {@code gen_ai.usage.cache_read.input_tokens}: the part of the input read from cache. */
    public int cacheReadInputTokens;

    /** {@code gen_ai.usage.cache_creation.input_tokens}: the part written to the cache. */
    public int cacheCreationInputTokens;

    /** The answer came from the job's response cache: no provider call, zero tokens, cost 0. */
    public boolean cacheHit;

    /**
     * Provider calls made for the turn: 0 when none was (rejected, cache hit), else 1. The router
     * does not report its retries and failovers yet, so a turn that took several is still 1.
     */
    public int attempts;

    /** {@code ok}, {@code failed}, {@code rejected} or {@code refused}. */
    public String status;

    public long latencyMs;

    /**
     * What the turn cost, in {@link #costCurrency}, as a plain decimal string (exact, never
     * rounded); null when the price table does not know the model.
     */
    public String cost;

    public String costCurrency;

    /** Version of the price table {@link #cost} comes from. */
    public String priceVersion;

    /** The call was re-sent after a restore (see {@code TurnResult#resent}). */
    public boolean resent;

    /**
     * Event time of the turn: when the quota stage let it through to its call, or rejected it
     * ({@code Turn#admittedAt}; when it was built for a turn that never reached that stage), epoch
     * milliseconds. The per-minute totals are windowed on it.
     */
    public long timestamp;

    public UsageRecord() {}
}
