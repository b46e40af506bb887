package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.turn.Turn;

/** The outcome of one turn's LLM call: the answer and its usage, or why there is none. */
public class TurnResult {

    public static final String OK = "ok";
    public static final String FAILED = "failed";

    /**
     * Called, but the provider answered without text (a content filter, a refusal, a tool call):
     * the tokens are billed, the sender gets a refusal.
     */
    public static final String REFUSED = "refused";

    /** Not called: a limit of the job refused the turn; {@link #error} says which. */
    public static final String REJECTED = "rejected";

    /** The {@link #error} of a turn whose call outlived the call stage's timeout. */
    public static final String TIMED_OUT = "timed out";

    public Turn turn;

    /** {@link #OK}, {@link #REFUSED}, {@link #FAILED} or {@link #REJECTED}. */
    public String status;

    /** The answer's text; empty when failed or when the provider sent no content. */
    public String text = "";

    public int promptTokens;
    public int completionTokens;
    public String responseModel = "";
    public String responseId = "";
    public String finishReason = "";

    /** The part of {@link #promptTokens} read from, resp. written to, the provider's cache. */
    public int cacheReadTokens;

    public int cacheWriteTokens;

    /** The answer came from the response cache: no provider was asked, no tokens. */
    public boolean cacheHit;

    /** Short cause of a failure (status and error type), empty when ok. */
    public String error = "";

    public long latencyMs;

    /**
     * Calls made to providers for the turn, retries and fallbacks included: 0 for a cache hit, a
     * rejected turn or a prompt no backend could take; 1 when the turn timed out in the call stage
     * (what the router had tried by then is not known there).
     */
    public int attempts = 1;

    /**
     * True when the call was made again for a turn that was in flight when the job last restored
     * from a checkpoint: the provider may have been paid for it once already.
     */
    public boolean resent;

    /**
     * The W3C trace context of the turn's call span, the emit stage's parent; empty when tracing is
     * off or no call was made (then the turn's own context is the parent).
     */
    public String traceparent = "";

    /** For an erase command's turn ({@link Turn#erase}): what the subtask cleared. */
    public ErasurePart erased;

    public TurnResult() {}

    /** The outcome of an erase command's turn. */
    public static TurnResult erased(Turn turn, ErasurePart part) {
        TurnResult r = new TurnResult();
        r.turn = turn;
        r.status = OK;
        r.erased = part;
        return r;
    }

    public static TurnResult ok(Turn turn, LlmReply reply, long latencyMs) {
        TurnResult r = new TurnResult();
        r.turn = turn;
        r.status = reply.refused() ? REFUSED : OK;
        r.text = reply.text();
        r.promptTokens = reply.promptTokens();
        r.completionTokens = reply.completionTokens();
        r.responseModel = reply.responseModel();
        r.responseId = reply.responseId();
        r.finishReason = reply.finishReason();
        r.cacheReadTokens = reply.cacheReadTokens();
        r.cacheWriteTokens = reply.cacheWriteTokens();
        r.cacheHit = reply.cacheHit();
        r.attempts = reply.attempts();
        r.latencyMs = latencyMs;
        return r;
    }

    public static TurnResult failed(Turn turn, String error, long latencyMs) {
        TurnResult r = new TurnResult();
        r.turn = turn;
        r.status = FAILED;
        r.error = error;
        r.latencyMs = latencyMs;
        return r;
    }

    /** A turn a limit refused before any call: no provider was asked, nothing to bill. */
    public static TurnResult rejected(Turn turn, String reason) {
        TurnResult r = failed(turn, reason, 0);
        r.status = REJECTED;
        r.attempts = 0;
        return r;
    }

    public boolean isRejected() {
        return REJECTED.equals(status);
    }

    public boolean isOk() {
        return OK.equals(status);
    }

    public boolean isRefused() {
        return REFUSED.equals(status);
    }
}
