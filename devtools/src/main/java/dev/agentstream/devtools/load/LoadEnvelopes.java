package dev.agentstream.devtools.load;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.XmlFactories;
import dev.agentstream.udfs.tenant.TenantXml;
import org.codehaus.stax2.XMLOutputFactory2;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Writes the envelopes of a plan with the job's own codec: {@code from} the client, {@code to} the
 * agent (or the prefill listener), the thread, a token in token mode, the {@link SentAt} stamp, and
 * a plain payload {@code <Element>text</Element>}. Not thread-safe.
 */
public final class LoadEnvelopes {

    private final LoadPlan plan;
    private final EnvelopeCodec codec = new EnvelopeCodec(EnvelopeLimits.defaults());
    private final XMLOutputFactory2 outputFactory = XmlFactories.newOutputFactory();
    private final SentAt sentAt = new SentAt(EnvelopeLimits.defaults());
    private final TenantXml tenantXml = new TenantXml(EnvelopeLimits.defaults());
    private final TokenMinter tokens;

    public LoadEnvelopes(LoadPlan plan) {
        this.plan = plan;
        this.tokens =
                plan.tenantMode() == TenantMode.TOKEN
                        ? new TokenMinter(plan.token(), plan.from(), plan.tenantNames())
                        : null;
    }

    /**
     * The record of {@code step}, stamped as sent at {@code sentAtMicros}.
     *
     * @param seq the agent envelope's number in the run; unused for a context envelope
     */
    public BusWrite write(LoadSequence.Step step, long seq, long sentAtMicros) {
        boolean turn = step.kind() == LoadSequence.Kind.TURN;
        String element = turn ? plan.payloadElement() : plan.prefillElement();
        String text =
                PayloadText.of(
                        plan.seed(),
                        step.thread(),
                        step.kind(),
                        step.position(),
                        plan.payloadBytes());
        Envelope envelope =
                new Envelope(
                        plan.from(),
                        turn ? plan.to() : plan.prefillTo(),
                        step.thread().id(),
                        payload(element, text),
                        element,
                        "");
        String stamp = turn ? sentAt.write(sentAtMicros, seq) : sentAt.writeContext(sentAtMicros);
        envelope.metaExtensions = token(step.thread().tenant(), sentAtMicros / 1000) + stamp;
        byte[] key = step.thread().id().getBytes(StandardCharsets.UTF_8);
        return new BusWrite(plan.topicFor(step.thread().tenant()), key, codec.encode(envelope));
    }

    private String token(String tenant, long nowMillis) {
        return tokens == null ? "" : tenantXml.writeToken(tokens.tokenFor(tenant, nowMillis));
    }

    private String payload(String element, String text) {
        StringWriter out = new StringWriter(text.length() + 2 * element.length() + 8);
        try {
            XMLStreamWriter w = outputFactory.createXMLStreamWriter(out);
            w.writeStartElement(element);
            w.writeCharacters(text);
            w.writeEndElement();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("the payload cannot be written", e);
        }
        return out.toString();
    }
}
