package dev.agentstream.udfs.envelope;

import com.ctc.wstx.exc.WstxLazyException;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.io.StringReader;

/**
 * Reads one envelope document and checks it against the envelope schema while its events stream by,
 * so that the first problem met names the dead-letter reason. One instance reads one document.
 */
final class EnvelopeReader {

    private final XMLInputFactory inputFactory;
    private final XMLOutputFactory outputFactory;
    private final XmlLimitGuard guard;

    private XMLStreamReader in;

    /** The thread UUID, once {@code <meta>} has been read and found valid. */
    private String thread;

    EnvelopeReader(
            XMLInputFactory inputFactory, XMLOutputFactory outputFactory, EnvelopeLimits limits) {
        this.inputFactory = inputFactory;
        this.outputFactory = outputFactory;
        this.guard = new XmlLimitGuard(limits);
    }

    Envelope read(String document) throws EnvelopeException {
        try {
            in = inputFactory.createXMLStreamReader(new StringReader(document));
            try {
                return readDocument();
            } finally {
                in.close();
            }
        } catch (XMLStreamException e) {
            if (XmlLimitGuard.isLimitViolation(e)) {
                throw fail(DeadLetterReason.LIMIT_EXCEEDED, e.getMessage());
            }
            throw fail(DeadLetterReason.NOT_XML, "not well-formed XML" + at(e.getLocation()));
        } catch (WstxLazyException e) {
            throw fail(DeadLetterReason.NOT_XML, "not well-formed XML");
        }
    }

    private Envelope readDocument() throws XMLStreamException, EnvelopeException {
        readProlog();
        readRoot();
        MetaBlock meta = readMeta();
        meta.validate();
        thread = meta.thread();

        Envelope envelope = new Envelope(meta.from(), meta.to(), thread, null, null, "");
        envelope.metaExtensions = meta.extensions();
        readPayload(envelope);
        readEpilog();
        return envelope;
    }

    private void readProlog() throws XMLStreamException, EnvelopeException {
        while (true) {
            int event = in.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                return;
            }
            if (event == XMLStreamConstants.DTD) {
                throw fail(DeadLetterReason.DOCTYPE, "DOCTYPE declarations are not accepted");
            }
        }
    }

    private void readRoot() throws XMLStreamException, EnvelopeException {
        if (!isEnvelopeElement("message")) {
            throw fail(
                    DeadLetterReason.WRONG_ROOT,
                    "root is not <message> in namespace " + Envelope.NAMESPACE);
        }
        guard.enter(in);
    }

    private MetaBlock readMeta() throws XMLStreamException, EnvelopeException {
        int event = nextTagOrText();
        if (event != XMLStreamConstants.START_ELEMENT || !isEnvelopeElement("meta")) {
            throw fail(DeadLetterReason.MISSING_META, "first child of <message> is not <meta>");
        }
        guard.enter(in);
        MetaBlock meta = new MetaBlock();
        while ((event = nextTagOrText()) != XMLStreamConstants.END_ELEMENT) {
            if (event != XMLStreamConstants.START_ELEMENT) {
                throw fail(DeadLetterReason.BAD_META, "text directly inside <meta>");
            }
            String namespace = namespaceOf(in);
            if (namespace.equals(Envelope.NAMESPACE)
                    && MetaBlock.isRoutingField(in.getLocalName())) {
                String name = in.getLocalName();
                guard.enter(in);
                meta.field(name, readFieldText());
            } else if (namespace.isEmpty() || namespace.equals(Envelope.NAMESPACE)) {
                throw fail(
                        DeadLetterReason.BAD_META,
                        "<meta> holds an element that is neither a routing field nor foreign");
            } else {
                meta.extension(XmlCopier.elementToString(in, outputFactory, guard));
            }
        }
        guard.exit();
        return meta;
    }

    private String readFieldText() throws XMLStreamException, EnvelopeException {
        StringBuilder text = new StringBuilder();
        while (true) {
            switch (in.next()) {
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    guard.text(in.getTextLength());
                    text.append(in.getTextCharacters(), in.getTextStart(), in.getTextLength());
                    break;
                case XMLStreamConstants.START_ELEMENT:
                    throw fail(DeadLetterReason.BAD_META, "element inside a routing field");
                case XMLStreamConstants.END_ELEMENT:
                    guard.exit();
                    return text.toString();
                case XMLStreamConstants.ENTITY_REFERENCE:
                    throw undeclaredEntity();
                default:
                    break;
            }
        }
    }

    private void readPayload(Envelope envelope) throws XMLStreamException, EnvelopeException {
        boolean textBeside = false;
        int event;
        while ((event = nextTagOrText()) != XMLStreamConstants.END_ELEMENT) {
            if (event != XMLStreamConstants.START_ELEMENT) {
                textBeside = true;
                continue;
            }
            if (envelope.payloadXml != null) {
                throw fail(DeadLetterReason.MULTIPLE_PAYLOADS, "more than one payload element");
            }
            // A payload written without a namespace inside <message xmlns="..."> inherits the
            // envelope namespace, which defines no payloads: it is upstream's plain payload.
            String namespace = namespaceOf(in);
            boolean inherited = namespace.equals(Envelope.NAMESPACE);
            envelope.payloadRoot = in.getLocalName();
            if (envelope.payloadRoot.length() > EnvelopeLimits.MAX_NAME_LENGTH) {
                throw fail(
                        DeadLetterReason.LIMIT_EXCEEDED,
                        "payload root tag longer than "
                                + EnvelopeLimits.MAX_NAME_LENGTH
                                + " characters");
            }
            envelope.payloadNamespace = inherited ? "" : namespace;
            envelope.payloadXml =
                    XmlCopier.elementToString(in, outputFactory, guard, Envelope.NAMESPACE);
        }
        guard.exit();
        if (envelope.payloadXml == null) {
            throw fail(DeadLetterReason.NO_PAYLOAD, "no payload element after <meta>");
        }
        if (textBeside) {
            throw fail(DeadLetterReason.MULTIPLE_PAYLOADS, "text beside the payload element");
        }
    }

    private void readEpilog() throws XMLStreamException, EnvelopeException {
        while (in.hasNext()) {
            switch (in.next()) {
                case XMLStreamConstants.COMMENT:
                case XMLStreamConstants.SPACE:
                case XMLStreamConstants.END_DOCUMENT:
                    break;
                case XMLStreamConstants.CHARACTERS:
                    if (!in.isWhiteSpace()) {
                        throw fail(DeadLetterReason.NOT_XML, "content after </message>");
                    }
                    break;
                default:
                    throw fail(DeadLetterReason.NOT_XML, "content after </message>");
            }
        }
    }

    /**
     * Advances to the next start or end tag, or to text that is not whitespace (returned as
     * CHARACTERS). Whitespace, comments and processing instructions are passed over.
     */
    private int nextTagOrText() throws XMLStreamException {
        while (true) {
            int event = in.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT:
                case XMLStreamConstants.END_ELEMENT:
                    return event;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    guard.text(in.getTextLength());
                    if (!in.isWhiteSpace()) {
                        return XMLStreamConstants.CHARACTERS;
                    }
                    break;
                case XMLStreamConstants.ENTITY_REFERENCE:
                    throw undeclaredEntity();
                default:
                    break;
            }
        }
    }

    private boolean isEnvelopeElement(String localName) {
        return localName.equals(in.getLocalName()) && Envelope.NAMESPACE.equals(namespaceOf(in));
    }

    private XMLStreamException undeclaredEntity() {
        return new XMLStreamException("reference to an undeclared entity", in.getLocation());
    }

    private EnvelopeException fail(DeadLetterReason reason, String detail) {
        return new EnvelopeException(reason, detail, thread, null);
    }

    private static String namespaceOf(XMLStreamReader reader) {
        String namespace = reader.getNamespaceURI();
        return namespace == null ? "" : namespace;
    }

    private static String at(Location location) {
        if (location == null || location.getLineNumber() < 0) {
            return "";
        }
        return " at line " + location.getLineNumber() + ", column " + location.getColumnNumber();
    }
}
