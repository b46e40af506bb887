package dev.agentstream.udfs.billing;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Makes the transcript entry of each decoded envelope. Works on the decoded stream rather than in
 * the thread context, which would need state and a change to the busiest operator for nothing:
 * every envelope there has its bus coordinates, which give a slot that a replay cannot change, and
 * its Kafka time, which gives a TTL that does not change either.
 *
 * <p>An entry whose payload would take the item past DynamoDB's 400 KB is kept without its payload
 * (the envelope stays on the bus at its coordinates), and a dead letter says so.
 */
public class TranscriptFunction extends ProcessFunction<Envelope, TranscriptEntry> {

    private static final long serialVersionUID = 1L;

    /** Entries that could not be kept whole. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("transcript-dead-letters") {};

    /**
     * The most payload bytes an entry keeps: DynamoDB's 400 KB item limit less room for the other
     * attributes, whose sizes the envelope limits bound (names, UUIDs, coordinates).
     */
    static final int MAX_PAYLOAD_BYTES = 400 * 1024 - 16 * 1024;

    private final String defaultTenant;
    private final Duration ttl;

    /**
     * @param defaultTenant the tenant of an envelope that names none
     * @param ttl how long an entry lives after its envelope reached the bus
     */
    public TranscriptFunction(String defaultTenant, Duration ttl) {
        this.defaultTenant = defaultTenant;
        this.ttl = ttl;
    }

    @Override
    public void processElement(Envelope e, Context ctx, Collector<TranscriptEntry> out) {
        String slot = slot(e.envelopeId);
        if (slot == null || e.thread == null) {
            return; // not read from the bus: nothing stable to key it by
        }
        TranscriptEntry t = new TranscriptEntry();
        t.thread = e.thread;
        t.slot = slot;
        t.tenant = e.tenant == null || e.tenant.isEmpty() ? defaultTenant : e.tenant;
        t.from = e.from;
        t.to = e.to;
        t.payloadRoot = e.payloadRoot;
        t.payloadNamespace = e.payloadNamespace;
        t.payloadXml = e.payloadXml;
        byte[] payload =
                e.payloadXml == null ? new byte[0] : e.payloadXml.getBytes(StandardCharsets.UTF_8);
        if (payload.length > MAX_PAYLOAD_BYTES) {
            t.payloadXml = null;
            t.payloadOmittedBytes = payload.length;
            ctx.output(DEAD_LETTERS, tooLarge(e, t, payload));
        }
        t.envelopeId = e.envelopeId;
        Long time = ctx.timestamp();
        t.timestamp = time == null ? 0 : time;
        t.ttl = (t.timestamp + ttl.toMillis()) / 1000;
        out.collect(t);
    }

    private static DeadLetter tooLarge(Envelope e, TranscriptEntry t, byte[] payload) {
        String detail =
                "payload of "
                        + payload.length
                        + " bytes is over the transcript item limit; the entry is kept without it";
        return new DeadLetter(
                        DeadLetterReason.TRANSCRIPT_TOO_LARGE,
                        detail,
                        e.envelopeId,
                        e.thread,
                        payload)
                .withTenant(t.tenant);
    }

    /** The slot of {@code topic-partition-offset}; null when it is not of that shape. */
    static String slot(String envelopeId) {
        if (envelopeId == null) {
            return null;
        }
        int lastDash = envelopeId.lastIndexOf('-');
        int dash = lastDash > 0 ? envelopeId.lastIndexOf('-', lastDash - 1) : -1;
        if (dash < 0) {
            return null;
        }
        try {
            int partition = Integer.parseInt(envelopeId.substring(dash + 1, lastDash));
            long offset = Long.parseLong(envelopeId.substring(lastDash + 1));
            return String.format("%05d-%019d", partition, offset);
        } catch (NumberFormatException notCoordinates) {
            return null;
        }
    }
}
