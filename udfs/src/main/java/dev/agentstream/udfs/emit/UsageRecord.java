package dev.agentstream.udfs.emit;

/**
 * Token usage of one turn, written to the usage topic as JSON. One record per turn, whatever the
 * outcome: a failed call has status {@code failed} and zero tokens, a turn a limit refused before
 * any call status {@code rejected} and zero tokens, an answer without text (a content filter, a
 * refusal) status {@code refused} with the tokens the provider billed, and an answer from the
 * response cache {@code cacheHit} with zero tokens.
 */
public class UsageRecord {

    /** {@code <input envelope id>/<agent>}: the same on a replay of the same input. */
    public String usageId;

    public String thread;
    public String agent;
    public String requestModel;
    public String responseModel;
    public String responseId;
    public int promptTokens;
    public int completionTokens;
    public int totalTokens;

    /** The part of {@link #promptTokens} read from the provider's prompt cache. */
    public int cacheReadTokens;

    /** The part of {@link #promptTokens} written to the provider's prompt cache. */
    public int cacheWriteTokens;

    /** The answer came from the job's response cache: no provider call, zero tokens. */
    public boolean cacheHit;

    public long latencyMs;

    /** The call was re-sent after a restore (see {@code TurnResult#resent}). */
    public boolean resent;

    public String status;
    public String inputEnvelopeId;

    /** Processing time at which the turn was built, epoch milliseconds. */
    public long timestamp;

    public UsageRecord() {}
}
