package dev.agentstream.udfs.billing;

/**
 * One envelope of a thread's transcript, at its slot: the envelope's bus coordinates, the same on
 * every replay, so that writing it again changes nothing.
 */
public class TranscriptEntry {

    public String thread;

    /**
     * {@code <partition, 5 digits>-<offset, 19 digits>}: a thread's envelopes share a partition
     * (the bus is keyed by thread), so slots sort in the order the bus holds them.
     */
    public String slot;

    public String tenant;
    public String from;
    public String to;
    public String payloadRoot;
    public String payloadNamespace;
    public String payloadXml;

    /**
     * 0, or the UTF-8 size of a payload left out because the item would not fit DynamoDB's limit:
     * the envelope stays on the bus at its coordinates, and a dead letter says so.
     */
    public long payloadOmittedBytes;

    /** The bus coordinates, {@code topic-partition-offset}. */
    public String envelopeId;

    /** When the envelope reached the bus (the Kafka record's time), epoch milliseconds. */
    public long timestamp;

    /** Expiry for DynamoDB's TTL, epoch seconds. */
    public long ttl;

    public TranscriptEntry() {}
}
