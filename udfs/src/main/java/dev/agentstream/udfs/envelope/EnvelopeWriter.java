package dev.agentstream.udfs.envelope;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * Writes an envelope as UTF-8 XML without an XML declaration. The routing fields are escaped by the
 * writer; the meta extensions and the payload are read back with a hardened reader and copied event
 * by event, so a malformed fragment fails the write instead of breaking the document.
 */
final class EnvelopeWriter {

    /** Depth of the payload element in the document: {@code message/payload}. */
    private static final int PAYLOAD_DEPTH = 1;

    /** Depth of a meta extension in the document: {@code message/meta/extension}. */
    private static final int EXTENSION_DEPTH = 2;

    private final XMLInputFactory fragmentFactory;
    private final XMLOutputFactory outputFactory;
    private final EnvelopeLimits limits;

    EnvelopeWriter(
            XMLInputFactory fragmentFactory,
            XMLOutputFactory outputFactory,
            EnvelopeLimits limits) {
        this.fragmentFactory = fragmentFactory;
        this.outputFactory = outputFactory;
        this.limits = limits;
    }

    byte[] write(Envelope envelope) {
        checkArgument(envelope.from != null, "an envelope needs a sender (from)");
        checkArgument(envelope.thread != null, "an envelope needs a thread");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(estimateSize(envelope));
        try {
            XMLStreamWriter out =
                    outputFactory.createXMLStreamWriter(bytes, StandardCharsets.UTF_8.name());
            out.setDefaultNamespace(Envelope.NAMESPACE);
            out.writeStartElement("", "message", Envelope.NAMESPACE);
            out.writeDefaultNamespace(Envelope.NAMESPACE);

            out.writeStartElement("", "meta", Envelope.NAMESPACE);
            writeField(out, "from", envelope.from);
            if (envelope.to != null && !envelope.to.isBlank()) {
                writeField(out, "to", envelope.to);
            }
            writeField(out, "thread", envelope.thread);
            copyExtensions(out, envelope.metaExtensions);
            out.writeEndElement();

            copyPayload(out, envelope.payloadXml);
            out.writeEndElement();
            out.writeEndDocument();
            out.close();
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("envelope cannot be written as XML", e);
        }
        return bytes.toByteArray();
    }

    private static void writeField(XMLStreamWriter out, String name, String value)
            throws XMLStreamException {
        if (XmlChars.firstIllegal(value) >= 0) {
            throw new IllegalArgumentException("<" + name + "> has a character XML cannot carry");
        }
        out.writeStartElement("", name, Envelope.NAMESPACE);
        out.writeCharacters(value);
        out.writeEndElement();
    }

    private void copyExtensions(XMLStreamWriter out, String xml) throws XMLStreamException {
        if (xml == null || xml.isBlank()) {
            return;
        }
        XMLStreamReader in = fragmentFactory.createXMLStreamReader(new StringReader(xml));
        try {
            XmlLimitGuard guard = new XmlLimitGuard(limits, EXTENSION_DEPTH);
            while (nextElement(in)) {
                String namespace = in.getNamespaceURI();
                checkArgument(
                        namespace != null
                                && !namespace.isEmpty()
                                && !namespace.equals(Envelope.NAMESPACE),
                        "metaExtensions holds an element outside a foreign namespace");
                XmlCopier.copyElement(in, out, guard);
            }
        } finally {
            in.close();
        }
    }

    private void copyPayload(XMLStreamWriter out, String xml) throws XMLStreamException {
        if (xml == null || xml.isBlank()) {
            return;
        }
        XMLStreamReader in = fragmentFactory.createXMLStreamReader(new StringReader(xml));
        try {
            XmlLimitGuard guard = new XmlLimitGuard(limits, PAYLOAD_DEPTH);
            checkArgument(nextElement(in), "payloadXml holds no element");
            XmlCopier.copyElement(in, out, guard);
            checkArgument(!nextElement(in), "payloadXml holds more than one element");
        } finally {
            in.close();
        }
    }

    /**
     * Advances a fragment reader to its next top-level element; false at the end of the input. Only
     * whitespace, comments and processing instructions may come between elements.
     */
    private static boolean nextElement(XMLStreamReader in) throws XMLStreamException {
        while (in.hasNext()) {
            switch (in.next()) {
                case XMLStreamConstants.START_ELEMENT:
                    return true;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    checkArgument(in.isWhiteSpace(), "XML fragment has text outside elements");
                    break;
                case XMLStreamConstants.DTD:
                    throw new IllegalArgumentException("XML fragment has a DOCTYPE");
                case XMLStreamConstants.ENTITY_REFERENCE:
                    throw new IllegalArgumentException(
                            "XML fragment refers to an undeclared entity");
                default:
                    break;
            }
        }
        return false;
    }

    private static int estimateSize(Envelope envelope) {
        int payload = envelope.payloadXml == null ? 0 : envelope.payloadXml.length();
        int extensions = envelope.metaExtensions == null ? 0 : envelope.metaExtensions.length();
        return 256 + payload + extensions;
    }
}
