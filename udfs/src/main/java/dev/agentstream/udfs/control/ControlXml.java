package dev.agentstream.udfs.control;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.MetaElements;
import dev.agentstream.udfs.envelope.OwnElements;
import dev.agentstream.udfs.envelope.XmlFactories;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;

import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The XML of control commands: an xml-pipeline envelope whose thread is the command's id, whose
 * meta carries the command's signature, and whose payload is the command, both in AgentStream's
 * namespace.
 *
 * <pre>{@code
 * <message xmlns="https://xml-pipeline.org/ns/envelope/v1">
 *   <meta>
 *     <from>ops</from>
 *     <thread>6f1c2a9e-...</thread>
 *     <signature xmlns="https://agentstream.dev/ns/v1"
 *         issued="2026-01-01T12:00:00Z">...</signature>
 *   </meta>
 *   <EraseTenant xmlns="https://agentstream.dev/ns/v1" tenant="acme"/>
 * </message>
 * }</pre>
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class ControlXml {

    public static final String ERASE_TENANT = "EraseTenant";
    public static final String SIGNATURE = "signature";

    private static final String NS = SystemPayloads.AGENTSTREAM_NS;

    /** A signature as read from the meta. */
    public record Signature(String issued, String sig) {}

    private final XMLInputFactory2 inputFactory;
    private final XMLOutputFactory2 outputFactory = XmlFactories.newOutputFactory();
    private final EnvelopeCodec codec;

    public ControlXml(EnvelopeLimits limits) {
        this.inputFactory = XmlFactories.newFragmentInputFactory(limits);
        this.codec = new EnvelopeCodec(limits);
    }

    /**
     * The signatures among the meta extensions (top-level ones in AgentStream's namespace).
     *
     * @throws IllegalArgumentException when one holds elements instead of text
     */
    public List<Signature> signatures(String metaExtensions) {
        List<Signature> found = new ArrayList<>();
        if (metaExtensions == null || !metaExtensions.contains(NS)) {
            return found;
        }
        try {
            MetaElements.walk(
                    inputFactory,
                    metaExtensions,
                    in -> {
                        if (!isOurs(in, SIGNATURE)) {
                            return MetaElements.Step.PASS;
                        }
                        String issued = in.getAttributeValue(null, "issued");
                        found.add(new Signature(issued, in.getElementText().strip()));
                        return MetaElements.Step.TAKEN;
                    });
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("a signature is not plain text");
        }
        return found;
    }

    /**
     * The tenant an {@code <EraseTenant tenant="..."/>} payload names; empty when the payload is
     * not that command, or has anything else in it (other attributes, children, text).
     */
    public Optional<String> eraseTenant(Envelope e) {
        if (!NS.equals(e.payloadNamespace) || !ERASE_TENANT.equals(e.payloadRoot)) {
            return Optional.empty();
        }
        try {
            XMLStreamReader in = inputFactory.createXMLStreamReader(new StringReader(e.payloadXml));
            try {
                while (in.hasNext() && in.next() != XMLStreamConstants.START_ELEMENT) {
                    // the payload's own element comes first
                }
                if (in.getAttributeCount() != 1
                        || !"tenant".equals(in.getAttributeLocalName(0))
                        || !in.getAttributeNamespace(0).isEmpty()) {
                    return Optional.empty();
                }
                String tenant = in.getAttributeValue(0);
                String text = in.getElementText(); // fails on a child element
                return text.isBlank() ? Optional.of(tenant) : Optional.empty();
            } finally {
                in.close();
            }
        } catch (XMLStreamException | RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /** A signed erase command as its sender writes it, e.g. the devtools' control client. */
    public byte[] writeEraseTenant(
            String commandId, String from, String tenant, String issued, String sig) {
        Envelope e = new Envelope(from, null, commandId, eraseTenantXml(tenant), ERASE_TENANT, NS);
        e.metaExtensions = signatureXml(issued, sig);
        return codec.encode(e);
    }

    private String eraseTenantXml(String tenant) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter w = outputFactory.createXMLStreamWriter(text);
            w.writeEmptyElement("", ERASE_TENANT, NS);
            w.writeDefaultNamespace(NS);
            w.writeAttribute("tenant", tenant);
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("command cannot be written", e);
        }
        return text.toString();
    }

    private String signatureXml(String issued, String sig) {
        return OwnElements.text(outputFactory, SIGNATURE, "issued", issued, sig, "signature");
    }

    private static boolean isOurs(XMLStreamReader in, String localName) {
        return NS.equals(in.getNamespaceURI()) && localName.equals(in.getLocalName());
    }
}
