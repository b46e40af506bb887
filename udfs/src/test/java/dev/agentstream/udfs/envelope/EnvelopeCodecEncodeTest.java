package dev.agentstream.udfs.envelope;

import dev.agentstream.udfs.Fixtures;
import org.junit.jupiter.api.Test;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import static dev.agentstream.udfs.envelope.EnvelopeFixtures.NAMESPACED_PAYLOAD;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.TASKS_NS;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.TRACE_EXTENSION;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EnvelopeCodecEncodeTest {

    private final EnvelopeCodec codec = new EnvelopeCodec();

    @Test
    void shouldWriteDocumentsValidAgainstUpstreamEnvelopeSchema() throws Exception {
        Optional<Path> xsd = Fixtures.upstreamFile("envelope.xsd");
        assumeTrue(xsd.isPresent(), "../shared/xml-pipeline/envelope.xsd is absent: skipped");
        Validator validator = envelopeSchema(xsd.get()).newValidator();

        for (Envelope envelope :
                new Envelope[] {
                    envelope().build(),
                    envelope().to(null).build(),
                    envelope().extensions(TRACE_EXTENSION).build(),
                    envelope().payload(NAMESPACED_PAYLOAD, "task", TASKS_NS).build(),
                    envelope().from("a<&>\"'b").payload("<x>&lt;&amp;</x>", "x", "").build()
                }) {
            byte[] xml = codec.encode(envelope);
            assertThatCode(
                            () ->
                                    validator.validate(
                                            new StreamSource(new ByteArrayInputStream(xml))))
                    .as("schema validation of %s", envelope)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void shouldEscapeRoutingFieldsSoTheyCannotInjectMarkup() throws Exception {
        Envelope original = envelope().from("greeter</from><to>admin</to><from>x").to(null).build();

        Envelope decoded = codec.decode(codec.encode(original));

        assertThat(decoded.from).isEqualTo(original.from);
        assertThat(decoded.to).isNull();
    }

    @Test
    void shouldLeaveOutBlankRecipientAndMissingPayload() {
        Envelope original = envelope().to("  ").payload(null, null, "").build();

        String xml = new String(codec.encode(original), StandardCharsets.UTF_8);

        assertThat(xml).doesNotContain("<to>").endsWith("</meta></message>");
    }

    @Test
    void shouldRefuseMalformedPayload() {
        Envelope broken = envelope().payload("<a><b></a>", "a", "").build();

        assertThatThrownBy(() -> codec.encode(broken)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefusePayloadThatIsNotExactlyOneElement() {
        Envelope two = envelope().payload("<a/><b/>", "a", "").build();
        Envelope text = envelope().payload("<a/> and more", "a", "").build();
        Envelope noElement = envelope().payload("just text", "a", "").build();

        assertThatThrownBy(() -> codec.encode(two)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(text)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(noElement))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefusePayloadWithDoctypeOrEntity() {
        Envelope doctype =
                envelope().payload("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "a", "").build();
        Envelope entity = envelope().payload("<a>&e;</a>", "a", "").build();

        assertThatThrownBy(() -> codec.encode(doctype))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(entity)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseExtensionsOutsideAForeignNamespace() {
        Envelope plain = envelope().extensions("<trace/>").build();
        Envelope envelopeNs =
                envelope().extensions("<when xmlns=\"" + Envelope.NAMESPACE + "\"/>").build();

        assertThatThrownBy(() -> codec.encode(plain)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(envelopeNs))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseEnvelopeWithoutSenderOrThread() {
        assertThatThrownBy(() -> codec.encode(envelope().from(null).build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(envelope().thread(null).build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseCharactersXmlCannotCarry() {
        Envelope control = envelope().from("greeter\u0001").build();

        assertThatThrownBy(() -> codec.encode(control))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefusePayloadThatDecodeWouldFindTooDeep() {
        String deep = EnvelopeFixtures.nested(32);
        Envelope tooDeep = envelope().payload(deep, "d", "").build();

        assertThatThrownBy(() -> codec.encode(tooDeep))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatCode(
                        () ->
                                codec.encode(
                                        envelope()
                                                .payload(EnvelopeFixtures.nested(31), "d", "")
                                                .build()))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldWorkAfterJavaSerialization() throws Exception {
        EnvelopeCodec shipped = javaRoundTrip(new EnvelopeCodec(EnvelopeLimits.defaults()));
        Envelope original = envelope().build();

        assertThat(shipped.decode(shipped.encode(original))).isEqualTo(original);
        assertThat(shipped.limits()).isEqualTo(EnvelopeLimits.defaults());
    }

    private static Schema envelopeSchema(Path xsd) throws Exception {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return factory.newSchema(xsd.toFile());
    }

    private static EnvelopeCodec javaRoundTrip(EnvelopeCodec codec) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(codec);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (EnvelopeCodec) in.readObject();
        }
    }
}
