package dev.agentstream.udfs.envelope;

import javax.xml.stream.XMLStreamException;

/** A document went beyond one of the {@link EnvelopeLimits} while it was being read. */
public class XmlLimitException extends XMLStreamException {

    private static final long serialVersionUID = 1L;

    public XmlLimitException(String message) {
        super(message);
    }
}
