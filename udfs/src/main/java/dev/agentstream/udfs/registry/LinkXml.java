package dev.agentstream.udfs.registry;

import dev.agentstream.udfs.emit.SystemPayloads;
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

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A registry link as a meta extension in AgentStream's namespace:
 *
 * <pre>{@code
 * <link xmlns="https://agentstream.dev/ns/v1" kind="call" thread="..." peer="..." root="..."
 *       sig="...">
 *   <hop>console</hop><hop>greeter</hop><hop>shouter</hop>
 * </link>
 * }</pre>
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class LinkXml {

    public static final String ELEMENT = "link";

    /** The meta extension that marks the last envelope of a turn on the turn's own thread. */
    public static final String TURN_END = "turn-end";

    private static final String HOP = "hop";
    private static final String NS = SystemPayloads.AGENTSTREAM_NS;

    private final XMLInputFactory2 inputFactory;
    private final XMLOutputFactory2 outputFactory = XmlFactories.newOutputFactory();

    public LinkXml(EnvelopeLimits limits) {
        this.inputFactory = XmlFactories.newFragmentInputFactory(limits);
    }

    /** The link as a self-contained meta extension. */
    public String write(RouteLink link) {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter w = outputFactory.createXMLStreamWriter(text);
            w.writeStartElement("", ELEMENT, NS);
            w.writeDefaultNamespace(NS);
            w.writeAttribute("kind", link.kind);
            w.writeAttribute("thread", link.thread);
            w.writeAttribute("peer", link.peer);
            w.writeAttribute("root", link.root);
            w.writeAttribute("at", Long.toString(link.at));
            if (!link.id.isEmpty()) {
                w.writeAttribute("id", link.id);
            }
            w.writeAttribute("sig", link.sig);
            for (String name : link.chain) {
                w.writeStartElement("", HOP, NS);
                w.writeCharacters(name);
                w.writeEndElement();
            }
            w.writeEndElement();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("registry link cannot be written", e);
        }
        return text.toString();
    }

    /**
     * {@code <turn-end xmlns="https://agentstream.dev/ns/v1">input envelope id</turn-end>}: the
     * last envelope a turn writes on its own thread, which ends the turn there.
     */
    public String writeTurnEnd(String inputEnvelopeId) {
        return OwnElements.text(outputFactory, TURN_END, null, null, inputEnvelopeId, "turn end");
    }

    /** The input id a {@code <turn-end>} among the meta extensions names, if there is one. */
    public Optional<String> readTurnEnd(String metaExtensions) {
        if (metaExtensions == null || !metaExtensions.contains(TURN_END)) {
            return Optional.empty();
        }
        List<String> found = new ArrayList<>(1);
        try {
            MetaElements.walk(
                    inputFactory,
                    metaExtensions,
                    in -> {
                        if (!isOurs(in, TURN_END)) {
                            return MetaElements.Step.PASS;
                        }
                        found.add(in.getElementText());
                        return MetaElements.Step.DONE;
                    });
        } catch (XMLStreamException malformed) {
            return Optional.empty();
        }
        return found.stream().findFirst();
    }

    /**
     * The link among an envelope's meta extensions, if there is one.
     *
     * @throws IllegalArgumentException when there is more than one, or one that is malformed
     */
    public Optional<RouteLink> read(String metaExtensions) {
        if (metaExtensions == null || !metaExtensions.contains(NS)) {
            return Optional.empty();
        }
        List<RouteLink> links = new ArrayList<>(1);
        try {
            MetaElements.walk(
                    inputFactory,
                    metaExtensions,
                    in -> {
                        if (!isOurs(in, ELEMENT)) {
                            return MetaElements.Step.PASS;
                        }
                        if (!links.isEmpty()) {
                            throw new IllegalArgumentException("more than one registry link");
                        }
                        links.add(readLink(in));
                        return MetaElements.Step.TAKEN;
                    });
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("meta extensions cannot be read", e);
        }
        RouteLink found = links.isEmpty() ? null : links.get(0);
        if (found != null && !found.isComplete()) {
            throw new IllegalArgumentException("registry link lacks a field");
        }
        return Optional.ofNullable(found);
    }

    /** Reads a link element; leaves the reader on its end tag. */
    private static RouteLink readLink(XMLStreamReader in) throws XMLStreamException {
        RouteLink link = new RouteLink();
        link.kind = in.getAttributeValue(null, "kind");
        link.thread = in.getAttributeValue(null, "thread");
        link.peer = in.getAttributeValue(null, "peer");
        link.root = in.getAttributeValue(null, "root");
        link.at = parseTime(in.getAttributeValue(null, "at"));
        String id = in.getAttributeValue(null, "id");
        link.id = id == null ? "" : id;
        link.sig = in.getAttributeValue(null, "sig");
        List<String> chain = new ArrayList<>();
        while (true) {
            int event = in.nextTag();
            if (event == XMLStreamConstants.END_ELEMENT) {
                break;
            }
            if (!isOurs(in, HOP)) {
                throw new IllegalArgumentException("unexpected element in a registry link");
            }
            chain.add(in.getElementText());
        }
        link.chain = chain.toArray(new String[0]);
        return link;
    }

    /** The link's time, or -1 (which no complete link has) when absent or not a number. */
    private static long parseTime(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isOurs(XMLStreamReader in, String localName) {
        return NS.equals(in.getNamespaceURI()) && localName.equals(in.getLocalName());
    }
}
