package dev.agentstream.udfs.context;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.registry.RouteLink;
import dev.agentstream.udfs.registry.SentRecord;
import dev.agentstream.udfs.turn.TokenCounter;

import java.util.Optional;

/**
 * Appends envelopes to their thread's context as slots: a call record ({@code <sent>}) as the call
 * it records, an envelope that came with a registry link with the link's chain and root, every slot
 * with its payload's tokens, counted here once for every prompt that will hold it.
 */
final class SlotAppender {

    private final Organism organism;
    private final ThreadState state;
    private final SentRecord sentRecords;
    private final TokenCounter tokenCounter = new TokenCounter();
    private final Counter appended;
    private final Counter evicted;

    SlotAppender(Organism organism, ThreadState state, EnvelopeLimits limits, MetricGroup metrics) {
        this.organism = organism;
        this.state = state;
        this.sentRecords = new SentRecord(limits);
        this.appended = metrics.counter("contextAppends");
        this.evicted = metrics.counter("contextEvictions");
    }

    /** Appends the envelope, at processing time {@code now}; {@code link} may be null. */
    ContextSlot append(Envelope envelope, RouteLink link, long now) throws Exception {
        String to = envelope.to;
        String root = envelope.payloadRoot;
        String xml = envelope.payloadXml;
        Optional<SentRecord.Content> sent = sentRecord(envelope);
        if (sent.isPresent()) {
            to = sent.get().to();
            root = sent.get().payloadRoot();
            xml = sent.get().payloadXml();
        }
        ContextSlot slot =
                new ContextSlot(0, envelope.from, to, root, xml, envelope.envelopeId, now);
        if (link != null) {
            slot.chain = link.chain;
            slot.root = link.root;
        }
        slot.tokens = tokenCounter.count(xml);
        slot.traceparent = envelope.traceparent;
        evicted.inc(state.append(slot));
        appended.inc();
        return slot;
    }

    /** The call an agent's {@code <sent>} record holds, so its history shows what it sent. */
    private Optional<SentRecord.Content> sentRecord(Envelope envelope) {
        boolean record =
                SystemPayloads.AGENTSTREAM_NS.equals(envelope.payloadNamespace)
                        && SentRecord.ELEMENT.equals(envelope.payloadRoot)
                        && organism.isAgent(envelope.from);
        return record ? sentRecords.read(envelope.payloadXml) : Optional.empty();
    }
}
