package dev.agentstream.udfs.envelope;

import com.ctc.wstx.exc.WstxException;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Counts nesting, attributes and text length while a document streams by, and stops it at the first
 * element or text beyond the {@link EnvelopeLimits}. One guard follows one document; the caller
 * reports every start tag, end tag and text event to it.
 */
public final class XmlLimitGuard {

    private final EnvelopeLimits limits;
    private int depth;

    public XmlLimitGuard(EnvelopeLimits limits) {
        this(limits, 0);
    }

    /** A guard for content that will sit {@code startDepth} elements deep in its document. */
    public XmlLimitGuard(EnvelopeLimits limits, int startDepth) {
        this.limits = limits;
        this.depth = startDepth;
    }

    /** Call on each START_ELEMENT, before using the element. */
    public void enter(XMLStreamReader reader) throws XmlLimitException {
        if (++depth > limits.maxDepth()) {
            throw new XmlLimitException("elements nested deeper than " + limits.maxDepth());
        }
        int attributes = reader.getAttributeCount();
        if (attributes > limits.maxAttributes()) {
            throw new XmlLimitException(
                    "more than " + limits.maxAttributes() + " attributes on one element");
        }
        for (int i = 0; i < attributes; i++) {
            if (reader.getAttributeValue(i).length() > limits.maxTextLength()) {
                throw new XmlLimitException(
                        "attribute value longer than " + limits.maxTextLength() + " characters");
            }
        }
    }

    /** Call on each END_ELEMENT. */
    public void exit() {
        depth--;
    }

    /** Call on each text event with its length. */
    public void text(int length) throws XmlLimitException {
        if (length > limits.maxTextLength()) {
            throw new XmlLimitException(
                    "text longer than " + limits.maxTextLength() + " characters");
        }
    }

    /**
     * True when a reader stopped because a limit was exceeded, by this guard or by Woodstox's
     * backstop. Woodstox reports its limits with a plain {@link XMLStreamException} whose message
     * names the limit, and well-formedness errors with {@link WstxException} subclasses.
     */
    public static boolean isLimitViolation(XMLStreamException e) {
        if (e instanceof XmlLimitException) {
            return true;
        }
        String message = e.getMessage();
        return e.getClass() == XMLStreamException.class
                && message != null
                && message.contains(" limit (");
    }
}
