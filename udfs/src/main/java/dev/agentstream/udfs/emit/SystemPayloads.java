package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.envelope.XmlChars;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringWriter;
import java.time.Instant;

/**
 * Payloads the job writes itself: an agent's plain-text reply, and the {@code <huh>} error of
 * xml-pipeline's system schema. Every value is escaped by the XML writer.
 */
public final class SystemPayloads {

    /** Namespace of AgentStream's own payloads and meta extensions. */
    public static final String AGENTSTREAM_NS = "https://agentstream.dev/ns/v1";

    /** Sender name of the errors the job itself writes back to a thread. */
    public static final String JOB_SENDER = "agentstream";

    /** Root tag of an agent's plain-text reply, in {@link #AGENTSTREAM_NS}. */
    public static final String REPLY = "reply";

    /** Root tag of a provider's refusal to answer, in {@link #AGENTSTREAM_NS}. */
    public static final String REFUSAL = "refusal";

    /** Namespace of xml-pipeline's system messages ({@code system-msg.xsd}). */
    public static final String SYSTEM_NS = "https://xml-pipeline.org/system";

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    private SystemPayloads() {}

    /** {@code <reply xmlns="https://agentstream.dev/ns/v1">text</reply>}. */
    public static String reply(String text) {
        return write(
                w -> {
                    w.writeStartElement("", REPLY, AGENTSTREAM_NS);
                    w.writeDefaultNamespace(AGENTSTREAM_NS);
                    w.writeCharacters(XmlChars.strip(text));
                    w.writeEndElement();
                });
    }

    /**
     * {@code <refusal xmlns="https://agentstream.dev/ns/v1">reason</refusal>}: the model answered
     * without text (a content filter, a refusal, a tool call nobody asked for).
     */
    public static String refusal(String reason) {
        return write(
                w -> {
                    w.writeStartElement("", REFUSAL, AGENTSTREAM_NS);
                    w.writeDefaultNamespace(AGENTSTREAM_NS);
                    w.writeCharacters(XmlChars.strip(reason));
                    w.writeEndElement();
                });
    }

    /**
     * A {@code <huh>} as {@code system-msg.xsd} defines it.
     *
     * @param errorType one of the schema's error types, e.g. {@code pipeline-failure}
     */
    public static String huh(
            String errorType,
            String message,
            String originalFrom,
            String originalTo,
            String originalPayloadType,
            Instant timestamp) {
        return write(
                w -> {
                    w.writeStartElement("", "huh", SYSTEM_NS);
                    w.writeDefaultNamespace(SYSTEM_NS);
                    field(w, "error-type", errorType);
                    field(w, "message", message);
                    field(w, "original-from", originalFrom);
                    field(w, "original-to", originalTo);
                    field(w, "original-payload-type", originalPayloadType);
                    field(w, "timestamp", timestamp.toString());
                    w.writeEndElement();
                });
    }

    private static void field(XMLStreamWriter w, String name, String value)
            throws XMLStreamException {
        w.writeStartElement(SYSTEM_NS, name);
        w.writeCharacters(XmlChars.strip(value));
        w.writeEndElement();
    }

    private interface Body {
        void write(XMLStreamWriter w) throws XMLStreamException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = OUTPUT.createXMLStreamWriter(out);
            body.write(w);
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write a system payload", e);
        }
        return out.toString();
    }
}
