package dev.agentstream.udfs.turn;

import dev.agentstream.udfs.erasure.EraseTenant;

/**
 * One LLM call an agent must make: the prompt built from the thread's context, and what the emit
 * stage needs to address the answer.
 */
public class Turn {

    public String thread;

    /** The agent listener that answers. */
    public String agent;

    /** Sender of the envelope that started the turn; the answer goes back to it by default. */
    public String replyTo;

    /**
     * Listener names from the root thread's sender down to {@link #agent}: who called whom to get
     * here. Never shown to the model; the emit stage extends it when the agent calls a peer.
     */
    public String[] chain;

    /** The root thread of the conversation the turn is part of: its own thread, or a parent's. */
    public String root;

    /** Root tag of the payload that started the turn. */
    public String inputRoot;

    /** Id of the envelope that started the turn. */
    public String inputEnvelopeId;

    /** Model the turn asks for. */
    public String model;

    public int maxTokens;
    public ChatMessage[] messages;

    /** Processing time at which the turn was built, epoch milliseconds. */
    public long createdAt;

    /**
     * Processing time at which the quota stage let the turn through to its call, or rejected it,
     * epoch milliseconds; 0 before the quota stage. The usage record is timed by it: tokens are
     * spent when the call is made, not when the turn was built (it may have waited for quota).
     */
    public long admittedAt;

    /** The tenant the thread belongs to: the input envelope's, set when the turn is built. */
    public String tenant = "";

    /**
     * The response cache's key of this turn (see {@code CacheKeys}), or null when the agent does
     * not cache: then the turn is never answered from the cache.
     */
    public String cacheKey;

    /** How long a cached answer to this turn stays valid, in milliseconds; 0 when not cached. */
    public long cacheTtlMs;

    /**
     * The W3C trace context of the span this turn's next stage goes under (see {@code
     * dev.agentstream.udfs.trace}); empty when tracing is off. Never part of the cache key.
     */
    public String traceparent = "";

    /**
     * Not a call but an erase command for the LLM-call stage, broadcast to each of its subtasks: it
     * clears the tenant's entries from the response cache. Null for every turn to call.
     */
    public EraseTenant erase;

    public Turn() {}

    /** The erase command that each subtask of the LLM-call stage gets as a turn. */
    public static Turn erasing(EraseTenant command) {
        Turn t = new Turn();
        t.tenant = command.tenant;
        t.erase = command;
        t.createdAt = System.currentTimeMillis();
        return t;
    }

    /** A copy of this turn asking for {@code otherModel}; the arrays are shared, never changed. */
    public Turn withModel(String otherModel) {
        Turn t = copy();
        t.model = otherModel;
        return t;
    }

    /** A copy of this turn under another span; the arrays are shared, never changed. */
    public Turn withTraceparent(String otherTraceparent) {
        Turn t = copy();
        t.traceparent = otherTraceparent;
        return t;
    }

    /** A copy of this turn with a shortened prompt; the other arrays are shared. */
    public Turn withMessages(ChatMessage[] shorter) {
        Turn t = copy();
        t.messages = shorter;
        return t;
    }

    private Turn copy() {
        Turn t = new Turn();
        t.thread = thread;
        t.agent = agent;
        t.replyTo = replyTo;
        t.chain = chain;
        t.root = root;
        t.inputRoot = inputRoot;
        t.inputEnvelopeId = inputEnvelopeId;
        t.model = model;
        t.maxTokens = maxTokens;
        t.messages = messages;
        t.createdAt = createdAt;
        t.admittedAt = admittedAt;
        t.tenant = tenant;
        t.cacheKey = cacheKey;
        t.cacheTtlMs = cacheTtlMs;
        t.traceparent = traceparent;
        t.erase = erase;
        return t;
    }

    /** When the turn was let through to its call: {@link #admittedAt}, else when it was built. */
    public long sentAt() {
        return admittedAt > 0 ? admittedAt : createdAt;
    }

    @Override
    public String toString() {
        return "Turn{thread="
                + thread
                + ", agent="
                + agent
                + ", model="
                + model
                + ", messages="
                + (messages == null ? 0 : messages.length)
                + "}";
    }
}
