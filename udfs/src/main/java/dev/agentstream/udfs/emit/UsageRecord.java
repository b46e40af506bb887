package dev.agentstream.udfs.emit;

/**
 * Token usage of one turn, written to the usage topic as JSON. One record per turn, whatever the
 * outcome: a failed call has status {@code failed} and zero tokens, a turn a limit refused before
 * any call status {@code rejected} and zero tokens.
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
    public long latencyMs;

    /** The call was re-sent after a restore (see {@code TurnResult#resent}). */
    public boolean resent;

    public String status;
    public String inputEnvelopeId;

    /** Processing time at which the turn was built, epoch milliseconds. */
    public long timestamp;

    public UsageRecord() {}
}
