package dev.agentstream.udfs.envelope;

import java.util.Objects;

/**
 * One xml-pipeline message: the routing fields of its {@code <meta>} block, the foreign-namespace
 * meta extensions as they came, and its single payload element kept as XML text.
 *
 * <p>A Flink POJO: public fields and a public no-argument constructor, so that Flink's POJO
 * serializer handles it and no generic fallback is needed.
 */
public class Envelope {

    /** The envelope namespace of xml-pipeline. */
    public static final String NAMESPACE = "https://xml-pipeline.org/ns/envelope/v1";

    /** Sender listener name. Never null in a decoded envelope. */
    public String from;

    /** Recipient listener name, or null when the envelope names none. */
    public String to;

    /** Thread UUID, lowercase canonical form. */
    public String thread;

    /**
     * Foreign-namespace children of {@code <meta>}, serialized one after the other as
     * self-contained XML (each carries its own namespace declarations); empty when there are none.
     */
    public String metaExtensions = "";

    /** The payload element, serialized as self-contained XML. */
    public String payloadXml;

    /** Local name of the payload element (its root tag). */
    public String payloadRoot;

    /** Namespace URI of the payload element; empty for upstream's namespace-less payloads. */
    public String payloadNamespace = "";

    /**
     * Identifier of this envelope within the job: the bus coordinates it was read from ({@code
     * topic-partition-offset}), stable across replays. Not part of the XML.
     */
    public String envelopeId = "";

    /**
     * The tenant the envelope belongs to, decided by the decode stage (see {@code TenantResolver})
     * and carried by everything the job writes for it; empty until then. Not part of the XML: on
     * the bus the job's own envelopes carry it as a signed stamp.
     */
    public String tenant = "";

    /**
     * The W3C trace context of the span the envelope's next stage goes under; empty when tracing is
     * off. Not part of the XML: the bus sink writes it as a {@code <traceparent>} meta extension
     * (see {@code dev.agentstream.udfs.trace.TraceXml}), which the decode stage reads back.
     */
    public String traceparent = "";

    public Envelope() {}

    public Envelope(
            String from,
            String to,
            String thread,
            String payloadXml,
            String payloadRoot,
            String payloadNamespace) {
        this.from = from;
        this.to = to;
        this.thread = thread;
        this.payloadXml = payloadXml;
        this.payloadRoot = payloadRoot;
        this.payloadNamespace = payloadNamespace;
    }

    /** True when the payload has no namespace, as upstream's listener payloads do. */
    public boolean hasPlainPayload() {
        return payloadNamespace == null || payloadNamespace.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Envelope)) {
            return false;
        }
        Envelope that = (Envelope) o;
        return Objects.equals(from, that.from)
                && Objects.equals(to, that.to)
                && Objects.equals(thread, that.thread)
                && Objects.equals(metaExtensions, that.metaExtensions)
                && Objects.equals(payloadXml, that.payloadXml)
                && Objects.equals(payloadRoot, that.payloadRoot)
                && Objects.equals(payloadNamespace, that.payloadNamespace)
                && Objects.equals(envelopeId, that.envelopeId)
                && Objects.equals(tenant, that.tenant)
                && Objects.equals(traceparent, that.traceparent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, thread, payloadRoot, envelopeId);
    }

    @Override
    public String toString() {
        // Never the payload: it may hold a tenant's data.
        return "Envelope{tenant="
                + tenant
                + ", from="
                + from
                + ", to="
                + to
                + ", thread="
                + thread
                + ", payload=<"
                + payloadRoot
                + ">, id="
                + envelopeId
                + "}";
    }
}
