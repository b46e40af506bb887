package dev.agentstream.udfs.context;

/** One envelope of a thread's context, as stored in keyed state under its sequence number. */
public class ContextSlot {

    public long seq;
    public String from;

    /** Recipient, or null when the envelope named none. */
    public String to;

    public String payloadRoot;
    public String payloadXml;
    public String envelopeId;

    /** Processing time of the append, epoch milliseconds. */
    public long appendedAt;

    /** Tokens of the payload, counted once at append for the history window. */
    public int tokens;

    /**
     * The call chain of a turn this slot starts when a registry link came with it (see {@link
     * dev.agentstream.udfs.registry.RouteLink#chain}); null for an ordinary envelope.
     */
    public String[] chain;

    /** The conversation's root thread, when a registry link came with the envelope; else null. */
    public String root;

    /**
     * The trace context of the envelope's thread-context span, which the turn it starts goes under
     * even when it waits for its agent; empty (or null, in slots written before tracing) when
     * tracing is off.
     */
    public String traceparent;

    public ContextSlot() {}

    public ContextSlot(
            long seq,
            String from,
            String to,
            String payloadRoot,
            String payloadXml,
            String envelopeId,
            long appendedAt) {
        this.seq = seq;
        this.from = from;
        this.to = to;
        this.payloadRoot = payloadRoot;
        this.payloadXml = payloadXml;
        this.envelopeId = envelopeId;
        this.appendedAt = appendedAt;
    }
}
