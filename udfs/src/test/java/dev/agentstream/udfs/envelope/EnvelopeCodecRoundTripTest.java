package dev.agentstream.udfs.envelope;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.agentstream.udfs.envelope.EnvelopeFixtures.GREETER;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.NAMESPACED_PAYLOAD;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.TASKS_NS;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.THREAD;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.THREAD_UPPER;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.TRACE_EXTENSION;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.document;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.envelope;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

class EnvelopeCodecRoundTripTest {

    private static final String SPECIAL_FROM = "a<&>\"'b é 日本";

    /**
     * Text and attribute with every character XML cares about, plus non-ASCII, as decode writes it.
     */
    private static final String SPECIAL_PAYLOAD =
            "<note title=\"&quot;q&quot; 'x' &lt;y>\">"
                    + "1 &lt; 2 &amp;&amp; \"q\" 'é' 日本 😀 ]]&gt;</note>";

    private final EnvelopeCodec codec = new EnvelopeCodec();

    @Test
    void shouldReadAPayloadThatInheritsTheEnvelopeNamespaceAsUpstreamsPlainPayload()
            throws Exception {
        // As upstream writes it: <Greeting> inside <message xmlns="..."> with no xmlns of its own.
        Envelope decoded = codec.decode(utf8(document("<Greeting><name>Ada</name></Greeting>")));

        assertThat(decoded.payloadRoot).isEqualTo("Greeting");
        assertThat(decoded.payloadNamespace).isEmpty();
        assertThat(decoded.hasPlainPayload()).isTrue();
        assertThat(decoded.payloadXml).isEqualTo("<Greeting><name>Ada</name></Greeting>");
        assertThat(roundTrip(decoded)).isEqualTo(decoded);
    }

    @Test
    void shouldRoundTripWithRecipient() throws Exception {
        Envelope original = envelope().build();

        assertThat(roundTrip(original)).isEqualTo(original);
    }

    @Test
    void shouldRoundTripWithoutRecipient() throws Exception {
        Envelope original = envelope().to(null).build();

        Envelope decoded = roundTrip(original);

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.to).isNull();
    }

    @Test
    void shouldRoundTripMetaExtensions() throws Exception {
        Envelope original = envelope().extensions(TRACE_EXTENSION).build();

        assertThat(roundTrip(original)).isEqualTo(original);
    }

    @Test
    void shouldRoundTripNamespacedPayload() throws Exception {
        Envelope original = envelope().payload(NAMESPACED_PAYLOAD, "task", TASKS_NS).build();

        Envelope decoded = roundTrip(original);

        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.hasPlainPayload()).isFalse();
    }

    @Test
    void shouldRoundTripSpecialAndNonAsciiCharacters() throws Exception {
        Envelope original =
                envelope().from(SPECIAL_FROM).payload(SPECIAL_PAYLOAD, "note", "").build();

        assertThat(roundTrip(original)).isEqualTo(original);
    }

    @Test
    void shouldKeepPlainPayloadOutOfTheEnvelopeNamespace() throws Exception {
        Envelope original = envelope().build();

        String xml = new String(codec.encode(original), StandardCharsets.UTF_8);
        Envelope decoded = codec.decode(utf8(xml));

        assertThat(xml).contains("<Greeting xmlns=\"\">");
        assertThat(decoded.payloadNamespace).isEmpty();
        assertThat(decoded.payloadXml).isEqualTo(original.payloadXml);
    }

    @Test
    void shouldEncodeWithoutXmlDeclaration() {
        Envelope original = envelope().build();

        String xml = new String(codec.encode(original), StandardCharsets.UTF_8);

        assertThat(xml)
                .isEqualTo(
                        "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                                + "<from>greeter</from><to>shouter</to><thread>"
                                + THREAD
                                + "</thread></meta><Greeting xmlns=\"\"><name>Ada</name>"
                                + "</Greeting></message>");
    }

    @Test
    void shouldDecodeUpstreamStyleDocument() throws Exception {
        String upstream =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<!-- written by a listener -->\n"
                        + "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\">\n"
                        + "  <meta>\n"
                        + "    <from>  greeter </from>\n"
                        + "    <thread>\n      "
                        + THREAD_UPPER
                        + "\n    </thread>\n"
                        + "  </meta>\n"
                        + "  <Greeting xmlns=\"\"><name><![CDATA[A&a]]></name></Greeting>\n"
                        + "</message>\n"
                        + "<!-- end -->\n";

        Envelope decoded = codec.decode(utf8(upstream));

        assertThat(decoded.from).isEqualTo(GREETER);
        assertThat(decoded.to).isNull();
        assertThat(decoded.thread).isEqualTo(THREAD);
        assertThat(decoded.metaExtensions).isEmpty();
        assertThat(decoded.payloadRoot).isEqualTo("Greeting");
        assertThat(decoded.payloadNamespace).isEmpty();
        assertThat(decoded.payloadXml).isEqualTo("<Greeting><name>A&amp;a</name></Greeting>");
        assertThat(decoded.envelopeId).isEmpty();
    }

    @Test
    void shouldReadBlankRecipientAsAbsent() throws Exception {
        String xml =
                EnvelopeFixtures.message(
                        EnvelopeFixtures.meta(
                                        "<from>greeter</from><to> </to><thread>"
                                                + THREAD
                                                + "</thread>")
                                + "<ping/>");

        assertThat(codec.decode(utf8(xml)).to).isNull();
    }

    @Test
    void shouldMakePayloadSelfContainedWhenItsPrefixIsDeclaredOnMessage() throws Exception {
        String xml =
                "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\""
                        + " xmlns:t=\"urn:example:tasks\">"
                        + EnvelopeFixtures.routing()
                        + "<t:task><t:step/></t:task></message>";

        Envelope decoded = codec.decode(utf8(xml));

        assertThat(decoded.payloadXml)
                .isEqualTo("<t:task xmlns:t=\"urn:example:tasks\"><t:step/></t:task>");
        assertThat(decoded.payloadNamespace).isEqualTo(TASKS_NS);
        assertThat(roundTrip(decoded)).isEqualTo(decoded);
    }

    @Test
    void shouldBringDecodedXmlToAStableForm() throws Exception {
        String loose =
                document(
                        "<Greeting xmlns='' a='1'><!-- c --><name><![CDATA[<Ada>]]></name>"
                                + "<empty></empty></Greeting>");

        Envelope decoded = codec.decode(utf8(loose));

        assertThat(decoded.payloadXml)
                .isEqualTo("<Greeting a=\"1\"><name>&lt;Ada></name><empty/></Greeting>");
        assertThat(roundTrip(decoded)).isEqualTo(decoded);
    }

    @Test
    void shouldJoinTextSplitByCommentsSoTheFormIsStable() throws Exception {
        String split =
                document("<note xmlns=\"\">1<!-- c -->> 2<empty><![CDATA[]]></empty></note>");

        Envelope decoded = codec.decode(utf8(split));

        assertThat(decoded.payloadXml).isEqualTo("<note>1> 2<empty/></note>");
        assertThat(roundTrip(decoded)).isEqualTo(decoded);
    }

    private Envelope roundTrip(Envelope original) throws EnvelopeException {
        return codec.decode(codec.encode(original));
    }
}
