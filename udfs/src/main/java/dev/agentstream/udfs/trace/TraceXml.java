package dev.agentstream.udfs.trace;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.MetaElements;
import dev.agentstream.udfs.envelope.XmlFactories;
import org.codehaus.stax2.XMLInputFactory2;

import javax.xml.stream.XMLStreamException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The trace context meta extension in AgentStream's namespace, which every envelope the job writes
 * carries when tracing is on, so that the spans of the next hop join the trace:
 *
 * <pre>{@code
 * <traceparent xmlns="https://agentstream.dev/ns/v1">00-4bf9...4736-00f0...02b7-01</traceparent>
 * }</pre>
 *
 * <p>Only a top-level meta extension counts, as for the tenant stamp. Not thread-safe: one per
 * operator instance.
 */
public final class TraceXml {

    public static final String ELEMENT = "traceparent";

    private static final String NS = SystemPayloads.AGENTSTREAM_NS;

    private final XMLInputFactory2 inputFactory;

    public TraceXml(EnvelopeLimits limits) {
        this.inputFactory = XmlFactories.newFragmentInputFactory(limits);
    }

    /**
     * The traceparent among the meta extensions: empty when there is none, more than one, or one
     * that holds anything but text (the envelope then starts a trace of its own).
     */
    public Optional<String> read(String metaExtensions) {
        if (metaExtensions == null || !metaExtensions.contains(ELEMENT)) {
            return Optional.empty();
        }
        List<String> found = new ArrayList<>(1);
        try {
            MetaElements.walk(
                    inputFactory,
                    metaExtensions,
                    in -> {
                        if (!NS.equals(in.getNamespaceURI())
                                || !ELEMENT.equals(in.getLocalName())) {
                            return MetaElements.Step.PASS;
                        }
                        found.add(in.getElementText().strip());
                        return MetaElements.Step.TAKEN;
                    });
        } catch (XMLStreamException | RuntimeException unreadable) {
            return Optional.empty();
        }
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    /**
     * The meta extension carrying {@code traceparent}; empty unless the job could have written it.
     */
    public static String extension(String traceparent) {
        if (!Traceparent.isWritable(traceparent) || !Traceparent.parse(traceparent).isValid()) {
            return "";
        }
        return "<" + ELEMENT + " xmlns=\"" + NS + "\">" + traceparent + "</" + ELEMENT + ">";
    }

    /**
     * {@code e} as the bus sink writes it: a copy with its {@link Envelope#traceparent} as a meta
     * extension, or {@code e} itself when it carries none.
     */
    public static Envelope withExtension(Envelope e) {
        String extension = extension(e.traceparent);
        if (extension.isEmpty()) {
            return e;
        }
        Envelope copy =
                new Envelope(
                        e.from, e.to, e.thread, e.payloadXml, e.payloadRoot, e.payloadNamespace);
        copy.envelopeId = e.envelopeId;
        copy.tenant = e.tenant;
        copy.traceparent = e.traceparent;
        copy.metaExtensions = (e.metaExtensions == null ? "" : e.metaExtensions) + extension;
        return copy;
    }
}
