package dev.agentstream.devtools.load;

import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.MetaElements;
import dev.agentstream.udfs.envelope.XmlFactories;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The load generator's meta extension, in a namespace of its own (the job keeps it as a foreign
 * extension and never reads it):
 *
 * <pre>{@code
 * <sent-at xmlns="https://agentstream.dev/ns/load/v1" seq="41">1767225600123456</sent-at>
 * <sent-at xmlns="https://agentstream.dev/ns/load/v1" kind="context">1767225600123456</sent-at>
 * }</pre>
 *
 * <p>The text is when the envelope was handed to the producer, epoch microseconds; {@code seq} is
 * the agent envelope's number in its run, from 0; prefill envelopes say {@code kind="context"}. Not
 * thread-safe: one per thread.
 */
public final class SentAt {

    public static final String NAMESPACE = "https://agentstream.dev/ns/load/v1";
    public static final String ELEMENT = "sent-at";

    /** A {@code <sent-at>} as read; {@code seq} is -1 for a context envelope. */
    public record Stamp(long micros, long seq, boolean context) {}

    private final XMLOutputFactory2 outputFactory = XmlFactories.newOutputFactory();
    private final XMLInputFactory2 inputFactory;

    public SentAt(EnvelopeLimits limits) {
        this.inputFactory = XmlFactories.newFragmentInputFactory(limits);
    }

    /** Wall-clock time now, epoch microseconds. */
    public static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    /** The stamp of agent envelope {@code seq}, sent at {@code micros}. */
    public String write(long micros, long seq) {
        return element(micros, "seq", Long.toString(seq));
    }

    /** The stamp of a context-only envelope, sent at {@code micros}. */
    public String writeContext(long micros) {
        return element(micros, "kind", "context");
    }

    /**
     * The {@code <sent-at>} directly among {@code metaExtensions}; empty when there is none, or
     * when it is not in the form written above.
     */
    public Optional<Stamp> read(String metaExtensions) {
        if (metaExtensions == null || !metaExtensions.contains(NAMESPACE)) {
            return Optional.empty();
        }
        List<Optional<Stamp>> found = new ArrayList<>(1);
        try {
            MetaElements.walk(
                    inputFactory,
                    metaExtensions,
                    in -> {
                        if (!NAMESPACE.equals(in.getNamespaceURI())
                                || !ELEMENT.equals(in.getLocalName())) {
                            return MetaElements.Step.PASS;
                        }
                        found.add(stamp(in));
                        return MetaElements.Step.DONE;
                    });
        } catch (XMLStreamException | NumberFormatException malformed) {
            return Optional.empty();
        }
        return found.isEmpty() ? Optional.empty() : found.get(0);
    }

    private static Optional<Stamp> stamp(XMLStreamReader in) throws XMLStreamException {
        boolean context = "context".equals(in.getAttributeValue(null, "kind"));
        String seq = in.getAttributeValue(null, "seq");
        if (!context && seq == null) {
            return Optional.empty();
        }
        long micros = Long.parseLong(in.getElementText().strip());
        return Optional.of(new Stamp(micros, context ? -1 : Long.parseLong(seq), context));
    }

    private String element(long micros, String attribute, String value) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = outputFactory.createXMLStreamWriter(out);
            w.writeStartElement("", ELEMENT, NAMESPACE);
            w.writeDefaultNamespace(NAMESPACE);
            w.writeAttribute(attribute, value);
            w.writeCharacters(Long.toString(micros));
            w.writeEndElement();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("sent-at cannot be written", e);
        }
        return out.toString();
    }
}
