package dev.agentstream.udfs.envelope;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.io.StringReader;

/**
 * Walks the top-level elements of an envelope's meta extensions (a fragment of sibling elements),
 * handing each to a visitor that may read it: how the job finds its own extensions (registry links,
 * turn ends, tenant tokens and stamps, trace contexts, control signatures) among whatever else a
 * sender put there. Elements nested in another are never visited.
 */
public final class MetaElements {

    /** What the visitor did with the element the reader stands on. */
    public enum Step {
        /** Not wanted: the walk passes over it and its children. */
        PASS,
        /** Read to its end element (e.g. with {@code getElementText()}): the walk goes on. */
        TAKEN,
        /** Read, and nothing after it is wanted: the walk ends. */
        DONE
    }

    /** Looks at one top-level element, the reader on its start element. */
    @FunctionalInterface
    public interface Visitor {
        Step visit(XMLStreamReader element) throws XMLStreamException;
    }

    private MetaElements() {}

    /**
     * Visits each top-level element of {@code metaExtensions} in document order until the visitor
     * says {@link Step#DONE}; the factory must read fragments (see {@link XmlFactories}).
     *
     * @throws XMLStreamException when the fragment cannot be read up to there
     */
    public static void walk(XMLInputFactory factory, String metaExtensions, Visitor visitor)
            throws XMLStreamException {
        XMLStreamReader in = factory.createXMLStreamReader(new StringReader(metaExtensions));
        try {
            int depth = 0;
            while (in.hasNext()) {
                int event = in.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    Step step = depth == 0 ? visitor.visit(in) : Step.PASS;
                    if (step == Step.DONE) {
                        return;
                    }
                    if (step == Step.PASS) {
                        depth++;
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
        } finally {
            in.close();
        }
    }
}
