package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.XmlCopier;
import dev.agentstream.udfs.envelope.XmlFactories;
import dev.agentstream.udfs.envelope.XmlLimitGuard;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;
import org.codehaus.stax2.XMLStreamReader2;

import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;

import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * Finds the payload elements in an LLM's answer, tolerating whatever surrounds them: prose,
 * markdown fences, XML declarations, several elements. Every {@code <} that opens a name is tried
 * as the start of one element with the hardened reader; what does not parse stays in the prose, and
 * parsing never throws. A whole envelope written by the model yields its payload, its meta ignored.
 *
 * <p>Serializable so that it can ship inside a Flink function; the StAX factories are built on
 * first use. An instance is meant for one task thread.
 */
public final class OutputParser implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final String XML_DECLARATION = "<?xml";

    /**
     * Characters the parser may read in failed attempts over one answer. A broken construct (an
     * unterminated CDATA section, say) makes every later attempt read to the end; past this budget
     * the rest of the answer stays prose, so the cost stays linear.
     */
    static final long ATTEMPT_BUDGET = 4_000_000L;

    private final EnvelopeLimits limits;

    private transient XMLInputFactory2 inputFactory;
    private transient XMLOutputFactory2 outputFactory;

    public OutputParser() {
        this(EnvelopeLimits.defaults());
    }

    public OutputParser(EnvelopeLimits limits) {
        this.limits = checkNotNull(limits, "limits");
    }

    /** Splits an answer into its payload elements, in order, and the prose around them. */
    public ParsedOutput parse(String answer) {
        if (answer == null || answer.isEmpty()) {
            return ParsedOutput.empty();
        }
        List<ParsedElement> elements = new ArrayList<>();
        StringBuilder prose = new StringBuilder();
        int proseStart = 0;
        long budget = ATTEMPT_BUDGET;
        int at = answer.indexOf('<');
        while (at >= 0 && budget > 0) {
            int end = -1;
            if (opensElement(answer, at)) {
                end = parseElementAt(answer, at, elements);
                budget -= end > at ? 0 : answer.length() - at;
            } else if (opensXmlDeclaration(answer, at)) {
                end = declarationEnd(answer, at);
                budget -= end > at ? 0 : answer.length() - at;
            }
            if (end > at) {
                // A space keeps the words on either side of the element apart.
                prose.append(answer, proseStart, at).append(' ');
                proseStart = end;
                at = answer.indexOf('<', end);
            } else {
                at = answer.indexOf('<', at + 1);
            }
        }
        prose.append(answer, proseStart, answer.length());
        return new ParsedOutput(elements, ProseCleaner.clean(prose));
    }

    /**
     * Parses one element starting at {@code start} and adds what it holds to {@code into}. Returns
     * the offset just past the element, or -1 when no element starts there.
     */
    private int parseElementAt(String answer, int start, List<ParsedElement> into) {
        XMLStreamReader2 in = null;
        try {
            StringReader source = new StringReader(answer);
            source.skip(start);
            in = (XMLStreamReader2) inputFactory().createXMLStreamReader(source);
            if (in.next() != XMLStreamConstants.START_ELEMENT) {
                return -1;
            }
            List<ParsedElement> found = isEnvelope(in) ? payloadsOf(in) : List.of(copy(in));
            long consumed = in.getLocationInfo().getEndingCharOffset();
            into.addAll(found);
            return start + (int) consumed;
        } catch (XMLStreamException | IOException | RuntimeException e) {
            // Not an element after all (broken, or beyond the limits): it stays in the prose.
            return -1;
        } finally {
            close(in);
        }
    }

    /** The payload elements of a model-written envelope: its children other than meta. */
    private List<ParsedElement> payloadsOf(XMLStreamReader2 in) throws XMLStreamException {
        XmlLimitGuard guard = new XmlLimitGuard(limits);
        guard.enter(in);
        List<ParsedElement> found = new ArrayList<>();
        int event;
        while ((event = in.next()) != XMLStreamConstants.END_ELEMENT) {
            if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                throw new XMLStreamException("reference to an undeclared entity");
            }
            if (event != XMLStreamConstants.START_ELEMENT) {
                continue;
            }
            if (isEnvelopeElement(in, "meta")) {
                in.skipElement();
            } else {
                found.add(copy(in, guard));
            }
        }
        return found;
    }

    private ParsedElement copy(XMLStreamReader2 in) throws XMLStreamException {
        // The element will sit inside <message>, one level down: count that level now.
        return copy(in, new XmlLimitGuard(limits, 1));
    }

    private ParsedElement copy(XMLStreamReader2 in, XmlLimitGuard guard) throws XMLStreamException {
        String root = in.getLocalName();
        String namespace = in.getNamespaceURI() == null ? "" : in.getNamespaceURI();
        // The envelope namespace defines no payloads: an element in it (a payload inside a
        // model-written <message xmlns="...">, say) is a plain one, as in decoding.
        boolean inherited = namespace.equals(Envelope.NAMESPACE);
        String xml = XmlCopier.elementToString(in, outputFactory(), guard, Envelope.NAMESPACE);
        return new ParsedElement(xml, root, inherited ? "" : namespace);
    }

    private static boolean isEnvelope(XMLStreamReader2 in) {
        return isEnvelopeElement(in, "message");
    }

    private static boolean isEnvelopeElement(XMLStreamReader2 in, String localName) {
        return localName.equals(in.getLocalName())
                && Envelope.NAMESPACE.equals(in.getNamespaceURI());
    }

    /** A {@code <} followed by a character that may start an element name. */
    private static boolean opensElement(String answer, int at) {
        if (at + 1 >= answer.length()) {
            return false;
        }
        char next = answer.charAt(at + 1);
        return Character.isLetter(next) || next == '_';
    }

    private static boolean opensXmlDeclaration(String answer, int at) {
        int after = at + XML_DECLARATION.length();
        return answer.startsWith(XML_DECLARATION, at)
                && after < answer.length()
                && Character.isWhitespace(answer.charAt(after));
    }

    /** The offset just past the declaration's {@code ?>}, or -1 when it is not closed. */
    private static int declarationEnd(String answer, int at) {
        int close = answer.indexOf("?>", at);
        return close < 0 ? -1 : close + 2;
    }

    private static void close(XMLStreamReader2 in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (XMLStreamException e) {
            // Reading from a string: nothing to release.
        }
    }

    private XMLInputFactory2 inputFactory() {
        if (inputFactory == null) {
            inputFactory = XmlFactories.newInputFactory(limits);
        }
        return inputFactory;
    }

    private XMLOutputFactory2 outputFactory() {
        if (outputFactory == null) {
            outputFactory = XmlFactories.newOutputFactory();
        }
        return outputFactory;
    }
}
