package dev.agentstream.udfs.billing;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import dev.agentstream.udfs.envelope.Envelope;

import java.time.Duration;

/**
 * Makes the transcript entry of each decoded envelope. Works on the decoded stream rather than in
 * the thread context, which would need state and a change to the busiest operator for nothing:
 * every envelope there has its bus coordinates, which give a slot that a replay cannot change, and
 * its Kafka time, which gives a TTL that does not change either.
 */
public class TranscriptFunction extends ProcessFunction<Envelope, TranscriptEntry> {

    private static final long serialVersionUID = 1L;

    private final String tenant;
    private final Duration ttl;

    public TranscriptFunction(String tenant, Duration ttl) {
        this.tenant = tenant;
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
        t.tenant = tenant;
        t.from = e.from;
        t.to = e.to;
        t.payloadRoot = e.payloadRoot;
        t.payloadNamespace = e.payloadNamespace;
        t.payloadXml = e.payloadXml;
        t.envelopeId = e.envelopeId;
        Long time = ctx.timestamp();
        t.timestamp = time == null ? 0 : time;
        t.ttl = (t.timestamp + ttl.toMillis()) / 1000;
        out.collect(t);
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
