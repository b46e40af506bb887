package dev.agentstream.udfs.envelope;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.api.WstxOutputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import com.ctc.wstx.stax.WstxOutputFactory;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLResolver;
import javax.xml.stream.XMLStreamException;

/**
 * The one place that builds StAX factories for untrusted XML. Readers never process a DTD, never
 * resolve an entity or fetch anything, coalesce text and stop at Woodstox's size limits; a DOCTYPE
 * still shows up as a {@code DTD} event (its internal subset skipped) so callers can reject it.
 *
 * <p>Woodstox's nesting, attribute and text limits are set one above {@link EnvelopeLimits}: they
 * are a backstop behind {@link XmlLimitGuard}, which counts the same things itself and so trips
 * first at the boundary with a reliable reason.
 */
public final class XmlFactories {

    private XmlFactories() {}

    /** A reader factory for whole documents: one root element. */
    public static XMLInputFactory2 newInputFactory(EnvelopeLimits limits) {
        WstxInputFactory factory = new WstxInputFactory();
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLInputFactory.IS_VALIDATING, false);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // Off: an entity reference is reported as an event, never replaced by anything.
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        // Off: errors in text surface from next(), not later as unchecked exceptions.
        factory.setProperty(XMLInputFactory2.P_LAZY_PARSING, false);

        XMLResolver refuse = new RefusingResolver();
        factory.setProperty(XMLInputFactory.RESOLVER, refuse);
        factory.setProperty(WstxInputProperties.P_DTD_RESOLVER, refuse);
        factory.setProperty(WstxInputProperties.P_ENTITY_RESOLVER, refuse);

        factory.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, limits.maxDepth() + 1);
        factory.setProperty(
                WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, limits.maxAttributes() + 1);
        factory.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, limits.maxTextLength() + 1);
        factory.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, limits.maxTextLength() + 1);
        factory.setProperty(WstxInputProperties.P_MAX_ELEMENT_COUNT, limits.maxElementCount());
        factory.setProperty(WstxInputProperties.P_MAX_CHARACTERS, (long) limits.maxBytes());
        return factory;
    }

    /**
     * A reader factory for fragments: any number of top-level elements with text between them, as
     * in {@link Envelope#metaExtensions}. Same hardening as {@link #newInputFactory}.
     */
    public static XMLInputFactory2 newFragmentInputFactory(EnvelopeLimits limits) {
        XMLInputFactory2 factory = newInputFactory(limits);
        factory.setProperty(
                WstxInputProperties.P_INPUT_PARSING_MODE,
                WstxInputProperties.PARSING_MODE_FRAGMENT);
        return factory;
    }

    /**
     * A writer factory that declares namespaces where the names need them, escapes every text and
     * attribute value (carriage returns included, so they survive a round trip) and writes empty
     * elements as {@code <a/>}.
     */
    public static XMLOutputFactory2 newOutputFactory() {
        WstxOutputFactory factory = new WstxOutputFactory();
        factory.setProperty(XMLOutputFactory.IS_REPAIRING_NAMESPACES, true);
        factory.setProperty(XMLOutputFactory2.P_AUTOMATIC_EMPTY_ELEMENTS, true);
        factory.setProperty(WstxOutputProperties.P_OUTPUT_VALIDATE_STRUCTURE, true);
        factory.setProperty(WstxOutputProperties.P_OUTPUT_ESCAPE_CR, true);
        return factory;
    }

    /** Refuses every DTD or entity lookup; with DTD support off it should never be asked. */
    private static final class RefusingResolver implements XMLResolver {
        @Override
        public Object resolveEntity(
                String publicId, String systemId, String baseUri, String namespace)
                throws XMLStreamException {
            throw new XMLStreamException("external resources are never resolved");
        }
    }
}
