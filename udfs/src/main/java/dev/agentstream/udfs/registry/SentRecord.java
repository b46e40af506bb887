package dev.agentstream.udfs.registry;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.XmlCopier;
import dev.agentstream.udfs.envelope.XmlFactories;
import dev.agentstream.udfs.envelope.XmlLimitGuard;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;
import org.codehaus.stax2.XMLStreamWriter2;

import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.Optional;

/**
 * The record, on the caller's thread, of a call that went out on a subthread: {@code <as:sent
 * xmlns:as="https://agentstream.dev/ns/v1" to="shouter">payload</as:sent>}, from the calling agent.
 *
 * <p>It ends the caller's turn on its thread and keeps what the caller asked in that thread's
 * history. It names no recipient and its payload is in AgentStream's namespace, so no listener on
 * the bus takes it for a message of its own.
 */
public final class SentRecord {

    public static final String ELEMENT = "sent";
    private static final String PREFIX = "as";

    /** What a record holds: the callee and the payload sent to it. */
    public record Content(String to, String payloadXml, String payloadRoot) {}

    private final XMLInputFactory2 inputFactory;
    private final XMLOutputFactory2 outputFactory = XmlFactories.newOutputFactory();
    private final EnvelopeLimits limits;

    public SentRecord(EnvelopeLimits limits) {
        this.limits = limits;
        this.inputFactory = XmlFactories.newFragmentInputFactory(limits);
    }

    /** The record's payload for {@code payloadXml} sent to {@code to}. */
    public String write(String to, String payloadXml) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter2 w = (XMLStreamWriter2) outputFactory.createXMLStreamWriter(text);
            // A prefix, not a default namespace: the payload inside keeps its own (often none).
            w.writeStartElement(PREFIX, ELEMENT, SystemPayloads.AGENTSTREAM_NS);
            w.writeNamespace(PREFIX, SystemPayloads.AGENTSTREAM_NS);
            w.writeAttribute("to", to);
            w.writeCharacters("");
            w.flush();
            // The payload is a self-contained element the emit stage has already checked.
            text.append(payloadXml);
            text.append("</" + PREFIX + ":" + ELEMENT + ">");
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("sent record cannot be written", e);
        }
        return text.toString();
    }

    /** What a {@code <sent>} payload holds, or empty when it is not a well-formed record. */
    public Optional<Content> read(String payloadXml) {
        try {
            XMLStreamReader in = inputFactory.createXMLStreamReader(new StringReader(payloadXml));
            try {
                if (in.nextTag() != XMLStreamConstants.START_ELEMENT
                        || !ELEMENT.equals(in.getLocalName())
                        || !SystemPayloads.AGENTSTREAM_NS.equals(in.getNamespaceURI())) {
                    return Optional.empty();
                }
                String to = in.getAttributeValue(null, "to");
                if (to == null || in.nextTag() != XMLStreamConstants.START_ELEMENT) {
                    return Optional.empty();
                }
                String root = in.getLocalName();
                String inner =
                        XmlCopier.elementToString(in, outputFactory, new XmlLimitGuard(limits, 1));
                return Optional.of(new Content(to, inner, root));
            } finally {
                in.close();
            }
        } catch (XMLStreamException e) {
            return Optional.empty();
        }
    }
}
