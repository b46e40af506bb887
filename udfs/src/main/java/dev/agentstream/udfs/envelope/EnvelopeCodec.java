package dev.agentstream.udfs.envelope;

import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * Turns bus bytes into {@link Envelope}s and back, checking each record against the xml-pipeline
 * envelope schema and the {@link EnvelopeLimits}. A rejected record raises an {@link
 * EnvelopeException} naming its dead-letter reason, with a short detail that never quotes the
 * payload.
 *
 * <p>Serializable so that it can ship inside a Flink function: the StAX factories are built on
 * first use in each copy. An instance is meant for one task thread.
 *
 * <pre>{@code
 * EnvelopeCodec codec = new EnvelopeCodec(EnvelopeLimits.defaults());
 * Envelope envelope = codec.decode(record.value);
 * byte[] bytes = codec.encode(envelope);
 * }</pre>
 */
public final class EnvelopeCodec implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final EnvelopeLimits limits;

    private transient XMLInputFactory2 documentFactory;
    private transient XMLInputFactory2 fragmentFactory;
    private transient XMLOutputFactory2 outputFactory;

    public EnvelopeCodec() {
        this(EnvelopeLimits.defaults());
    }

    public EnvelopeCodec(EnvelopeLimits limits) {
        this.limits = checkNotNull(limits, "limits");
    }

    public EnvelopeLimits limits() {
        return limits;
    }

    /**
     * Reads one envelope from UTF-8 bytes. The result has every field but {@link
     * Envelope#envelopeId}, which belongs to the caller.
     *
     * @throws EnvelopeException when the bytes are not a usable envelope
     */
    public Envelope decode(byte[] bytes) throws EnvelopeException {
        if (bytes == null || bytes.length == 0) {
            throw new EnvelopeException(DeadLetterReason.NOT_XML, "empty record");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new EnvelopeException(
                    DeadLetterReason.TOO_LARGE,
                    "record of "
                            + bytes.length
                            + " bytes is over the limit of "
                            + limits.maxBytes());
        }
        String document = decodeUtf8(bytes);
        return new EnvelopeReader(documentFactory(), outputFactory(), limits).read(document);
    }

    /**
     * Writes one envelope as UTF-8 XML without an XML declaration: {@code <message
     * xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta>...</meta>payload</message>}. A blank
     * {@code to} is left out; so is a null or blank payload. {@code decode(encode(e))} equals
     * {@code e} apart from {@code envelopeId} when the XML fields are in the form decode writes.
     *
     * @throws IllegalArgumentException when {@code from} or {@code thread} is null, or when {@code
     *     metaExtensions} or {@code payloadXml} is not well-formed, has a DOCTYPE, breaks the
     *     limits, or does not fit its place in the envelope schema
     */
    public byte[] encode(Envelope envelope) {
        checkNotNull(envelope, "envelope");
        return new EnvelopeWriter(fragmentFactory(), outputFactory(), limits).write(envelope);
    }

    private static String decodeUtf8(byte[] bytes) throws EnvelopeException {
        String text;
        try {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes))
                            .toString();
        } catch (CharacterCodingException e) {
            throw new EnvelopeException(DeadLetterReason.NOT_XML, "record is not valid UTF-8");
        }
        int illegal = XmlChars.firstIllegal(text);
        if (illegal >= 0) {
            throw new EnvelopeException(
                    DeadLetterReason.NOT_XML,
                    "character U+"
                            + Integer.toHexString(text.codePointAt(illegal))
                                    .toUpperCase(Locale.ROOT)
                            + " at offset "
                            + illegal
                            + " is not allowed in XML");
        }
        return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
    }

    private XMLInputFactory2 documentFactory() {
        if (documentFactory == null) {
            documentFactory = XmlFactories.newInputFactory(limits);
        }
        return documentFactory;
    }

    private XMLInputFactory2 fragmentFactory() {
        if (fragmentFactory == null) {
            fragmentFactory = XmlFactories.newFragmentInputFactory(limits);
        }
        return fragmentFactory;
    }

    private XMLOutputFactory2 outputFactory() {
        if (outputFactory == null) {
            outputFactory = XmlFactories.newOutputFactory();
        }
        return outputFactory;
    }
}
