package dev.agentstream.udfs.envelope;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringWriter;

/**
 * Copies one element, with everything inside it, from a StAX reader to a namespace-repairing
 * writer. Names keep their prefixes, the namespace declarations written in the source are kept
 * unless the output already has them in scope, and the writer adds those the names need, so the
 * copy is self-contained. Comments and processing instructions are dropped.
 */
public final class XmlCopier {

    private XmlCopier() {}

    /**
     * Serializes the element the reader is on (a START_ELEMENT) into a self-contained string. The
     * reader is left on the element's END_ELEMENT.
     */
    public static String elementToString(
            XMLStreamReader in, XMLOutputFactory factory, XmlLimitGuard guard)
            throws XMLStreamException {
        return elementToString(in, factory, guard, null);
    }

    /**
     * As {@link #elementToString(XMLStreamReader, XMLOutputFactory, XmlLimitGuard)}, writing the
     * elements in namespace {@code dropped} (if not null) in no namespace.
     */
    public static String elementToString(
            XMLStreamReader in, XMLOutputFactory factory, XmlLimitGuard guard, String dropped)
            throws XMLStreamException {
        StringWriter text = new StringWriter();
        XMLStreamWriter out = factory.createXMLStreamWriter(text);
        copyElement(in, out, guard, dropped);
        out.close();
        return text.toString();
    }

    /**
     * Writes the element the reader is on (a START_ELEMENT) and its content to {@code out}. The
     * reader is left on the element's END_ELEMENT.
     */
    public static void copyElement(XMLStreamReader in, XMLStreamWriter out, XmlLimitGuard guard)
            throws XMLStreamException {
        copyElement(in, out, guard, null);
    }

    private static void copyElement(
            XMLStreamReader in, XMLStreamWriter out, XmlLimitGuard guard, String dropped)
            throws XMLStreamException {
        // Text split only by a dropped comment is written in one piece, so that a second copy
        // of the copy comes out the same.
        StringBuilder text = new StringBuilder();
        int depth = 0;
        int event = in.getEventType();
        while (true) {
            switch (event) {
                case XMLStreamConstants.START_ELEMENT:
                    flush(text, out);
                    guard.enter(in);
                    depth++;
                    writeStartElement(in, out, dropped);
                    break;
                case XMLStreamConstants.END_ELEMENT:
                    flush(text, out);
                    guard.exit();
                    out.writeEndElement();
                    if (--depth == 0) {
                        return;
                    }
                    break;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    guard.text(in.getTextLength());
                    text.append(in.getTextCharacters(), in.getTextStart(), in.getTextLength());
                    break;
                case XMLStreamConstants.ENTITY_REFERENCE:
                    throw new XMLStreamException(
                            "reference to an undeclared entity", in.getLocation());
                default:
                    // Comments and processing instructions are not part of the data.
                    break;
            }
            event = in.next();
        }
    }

    /** Writes the pending text, if any: even empty text would turn {@code <a/>} into a pair. */
    private static void flush(StringBuilder text, XMLStreamWriter out) throws XMLStreamException {
        if (text.length() > 0) {
            out.writeCharacters(text.toString());
            text.setLength(0);
        }
    }

    private static void writeStartElement(XMLStreamReader in, XMLStreamWriter out, String dropped)
            throws XMLStreamException {
        String elementUri = nullToEmpty(in.getNamespaceURI());
        if (elementUri.equals(dropped)) {
            out.writeStartElement("", in.getLocalName(), "");
        } else {
            out.writeStartElement(nullToEmpty(in.getPrefix()), in.getLocalName(), elementUri);
        }
        for (int i = 0; i < in.getNamespaceCount(); i++) {
            String prefix = nullToEmpty(in.getNamespacePrefix(i));
            String uri = nullToEmpty(in.getNamespaceURI(i));
            if (uri.equals(dropped)
                    || uri.equals(nullToEmpty(out.getNamespaceContext().getNamespaceURI(prefix)))) {
                continue;
            }
            if (prefix.isEmpty()) {
                out.writeDefaultNamespace(uri);
            } else {
                out.writeNamespace(prefix, uri);
            }
        }
        for (int i = 0; i < in.getAttributeCount(); i++) {
            out.writeAttribute(
                    nullToEmpty(in.getAttributePrefix(i)),
                    nullToEmpty(in.getAttributeNamespace(i)),
                    in.getAttributeLocalName(i),
                    in.getAttributeValue(i));
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
