package dev.agentstream.udfs.envelope;

import dev.agentstream.udfs.emit.SystemPayloads;
import org.codehaus.stax2.XMLOutputFactory2;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringWriter;

/**
 * Writes the job's own one-element meta extensions: {@code <name xmlns="AgentStream's namespace"
 * attribute="...">text</name>}, self-contained, every character escaped by the writer.
 */
public final class OwnElements {

    private OwnElements() {}

    /**
     * The element {@code name} holding {@code text}, with {@code attribute} set to {@code value}
     * unless {@code attribute} is null.
     *
     * @param what what the element is, for the message when it cannot be written
     */
    public static String text(
            XMLOutputFactory2 factory,
            String name,
            String attribute,
            String value,
            String text,
            String what) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = factory.createXMLStreamWriter(out);
            w.writeStartElement("", name, SystemPayloads.AGENTSTREAM_NS);
            w.writeDefaultNamespace(SystemPayloads.AGENTSTREAM_NS);
            if (attribute != null) {
                w.writeAttribute(attribute, value);
            }
            w.writeCharacters(text);
            w.writeEndElement();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException(what + " cannot be written", e);
        }
        return out.toString();
    }
}
