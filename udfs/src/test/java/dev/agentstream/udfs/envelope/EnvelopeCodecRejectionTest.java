package dev.agentstream.udfs.envelope;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.agentstream.udfs.envelope.EnvelopeFixtures.GREETER;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.SECRET;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.THREAD;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.document;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.field;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.message;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.meta;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.nested;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.routing;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EnvelopeCodecRejectionTest {

    /** Nine levels of entities, each ten of the one before: a billion "lol"s if expanded. */
    private static final String BILLION_LAUGHS = billionLaughs();

    private static final String EXTERNAL_ENTITY =
            "<?xml version=\"1.0\"?>\n"
                    + "<!DOCTYPE message [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                    + document("<leak>&xxe;</leak>");

    private static final int TWO_MIB = 2 * 1024 * 1024;

    private final EnvelopeCodec codec = new EnvelopeCodec();

    @Test
    void shouldRejectMalformedXmlAsNotXml() {
        EnvelopeException e = rejection(document("<Greeting>" + SECRET + "</Greetin>"));

        assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_XML);
        assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("Greetin");
    }

    @Test
    void shouldRejectInvalidUtf8AsNotXml() {
        byte[] bytes = utf8(document("<Greeting>caf_</Greeting>"));
        bytes[indexOf(bytes, (byte) '_')] = (byte) 0xFF; // never valid in UTF-8

        assertThat(rejection(bytes).reason()).isEqualTo(DeadLetterReason.NOT_XML);
    }

    @Test
    void shouldRejectEmptyRecordAsNotXml() {
        assertThat(rejection(new byte[0]).reason()).isEqualTo(DeadLetterReason.NOT_XML);
        assertThat(rejection("   ").reason()).isEqualTo(DeadLetterReason.NOT_XML);
    }

    @Test
    void shouldRejectContentAfterMessageAsNotXml() {
        assertThat(rejection(document("<ping/>") + "tail").reason())
                .isEqualTo(DeadLetterReason.NOT_XML);
        assertThat(rejection(document("<ping/>") + "<?pi x?>").reason())
                .isEqualTo(DeadLetterReason.NOT_XML);
    }

    @Test
    void shouldAcceptCommentsAndWhitespaceAfterMessage() throws Exception {
        Envelope decoded = codec.decode(utf8(document("<ping/>") + "\n<!-- done -->\n"));

        assertThat(decoded.payloadRoot).isEqualTo("ping");
    }

    @Test
    void shouldRejectUndeclaredEntityAsNotXml() {
        assertThat(rejection(document("<ping>&nbsp;</ping>")).reason())
                .isEqualTo(DeadLetterReason.NOT_XML);
    }

    @Test
    void shouldRejectBillionLaughsAsDoctypeWithoutExpandingIt() {
        EnvelopeException e = rejection(BILLION_LAUGHS);

        assertThat(e.reason()).isEqualTo(DeadLetterReason.DOCTYPE);
        assertThat(e.getMessage()).doesNotContain("lol");
    }

    @Test
    void shouldRejectExternalEntityAsDoctypeWithoutReadingIt() {
        EnvelopeException e = rejection(EXTERNAL_ENTITY);

        assertThat(e.reason()).isEqualTo(DeadLetterReason.DOCTYPE);
        assertThat(e.getMessage()).doesNotContain("root:");
    }

    @Test
    void shouldRejectTwoMebibyteRecordAsTooLarge() {
        byte[] bytes = new byte[TWO_MIB];
        Arrays.fill(bytes, (byte) ' ');
        byte[] head = utf8(document("<ping/>"));
        System.arraycopy(head, 0, bytes, 0, head.length);

        assertThat(rejection(bytes).reason()).isEqualTo(DeadLetterReason.TOO_LARGE);
    }

    @Test
    void shouldRejectHundredDeepNestingAsLimitExceeded() {
        EnvelopeException e = rejection(document(nested(100)));

        assertThat(e.reason()).isEqualTo(DeadLetterReason.LIMIT_EXCEEDED);
        assertThat(e.getMessage()).contains("32");
    }

    @Test
    void shouldAcceptNestingUpToTheLimit() throws Exception {
        // message is level 1, so the payload may be 31 levels deep.
        assertThat(codec.decode(utf8(document(nested(31)))).payloadRoot).isEqualTo("d");
        assertThat(rejection(document(nested(32))).reason())
                .isEqualTo(DeadLetterReason.LIMIT_EXCEEDED);
    }

    @Test
    void shouldRejectTooManyAttributesAsLimitExceeded() {
        assertThat(rejection(document(elementWithAttributes(33))).reason())
                .isEqualTo(DeadLetterReason.LIMIT_EXCEEDED);
        assertThat(rejection(document(elementWithAttributes(500))).reason())
                .isEqualTo(DeadLetterReason.LIMIT_EXCEEDED);
    }

    @Test
    void shouldRejectLongTextAsLimitExceeded() {
        EnvelopeCodec strict = new EnvelopeCodec(EnvelopeLimits.defaults().withMaxTextLength(100));
        byte[] bytes = utf8(document("<note>" + "x".repeat(5_000) + "</note>"));

        EnvelopeException e =
                catchThrowableOfType(EnvelopeException.class, () -> strict.decode(bytes));

        assertThat(e.reason()).isEqualTo(DeadLetterReason.LIMIT_EXCEEDED);
    }

    @Test
    void shouldRejectOtherRootAsWrongRoot() {
        assertThat(rejection("<envelope><ping/></envelope>").reason())
                .isEqualTo(DeadLetterReason.WRONG_ROOT);
        assertThat(rejection("<message>" + routing() + "<ping/></message>").reason())
                .isEqualTo(DeadLetterReason.WRONG_ROOT);
    }

    @Test
    void shouldRejectMessageWithoutLeadingMetaAsMissingMeta() {
        assertThat(rejection(message("<ping/>" + routing())).reason())
                .isEqualTo(DeadLetterReason.MISSING_META);
        assertThat(rejection(message("")).reason()).isEqualTo(DeadLetterReason.MISSING_META);
    }

    @Test
    void shouldRejectNonForeignMetaChildAsBadMeta() {
        String plainChild = meta(field("from", GREETER) + field("thread", THREAD) + "<x/>");
        String envelopeChild = meta(field("from", GREETER) + field("thread", THREAD) + "<when/>");

        assertThat(rejection(message(plainChild + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
        assertThat(rejection(message(envelopeChild + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
    }

    @Test
    void shouldRejectRepeatedOrMisorderedFieldsAsBadMeta() {
        String repeated =
                meta(field("from", GREETER) + field("from", "other") + field("thread", THREAD));
        String misordered = meta(field("thread", THREAD) + field("from", GREETER));
        String extensionFirst =
                meta(
                        "<x:trace xmlns:x=\"urn:example:trace\"/>"
                                + field("from", GREETER)
                                + field("thread", THREAD));

        assertThat(rejection(message(repeated + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
        assertThat(rejection(message(misordered + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
        assertThat(rejection(message(extensionFirst + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
    }

    @Test
    void shouldRejectMarkupOrTextInMetaAsBadMeta() {
        String elementInField = meta("<from><b>greeter</b></from>" + field("thread", THREAD));
        String textInMeta = meta("loose" + field("from", GREETER) + field("thread", THREAD));

        assertThat(rejection(message(elementInField + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
        assertThat(rejection(message(textInMeta + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.BAD_META);
    }

    @Test
    void shouldRejectAbsentOrBlankSenderAsMissingFrom() {
        assertThat(rejection(message(meta(field("thread", THREAD)) + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.MISSING_FROM);
        String blank = meta(field("from", "  ") + field("thread", THREAD));
        assertThat(rejection(message(blank + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.MISSING_FROM);
    }

    @Test
    void shouldRejectAbsentThreadAsMissingThread() {
        String noThread = meta(field("from", GREETER) + field("to", "shouter"));

        assertThat(rejection(message(noThread + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.MISSING_THREAD);
    }

    @Test
    void shouldRejectNonUuidThreadAsThreadNotUuid() {
        String notUuid = meta(field("from", GREETER) + field("thread", "thread-1"));
        String braced = meta(field("from", GREETER) + field("thread", "{" + THREAD + "}"));

        assertThat(rejection(message(notUuid + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.THREAD_NOT_UUID);
        assertThat(rejection(message(braced + "<ping/>")).reason())
                .isEqualTo(DeadLetterReason.THREAD_NOT_UUID);
    }

    @Test
    void shouldRejectEnvelopeWithoutPayloadAsNoPayloadAndKeepItsThread() {
        EnvelopeException e = rejection(document("  <!-- nothing -->  "));

        assertThat(e.reason()).isEqualTo(DeadLetterReason.NO_PAYLOAD);
        assertThat(e.thread()).isEqualTo(THREAD);
    }

    @Test
    void shouldRejectTwoPayloadsAsMultiplePayloads() {
        assertThat(rejection(document("<ping/><pong/>")).reason())
                .isEqualTo(DeadLetterReason.MULTIPLE_PAYLOADS);
    }

    @Test
    void shouldRejectTextBesidePayloadAsMultiplePayloads() {
        EnvelopeException e = rejection(document("<ping/>" + SECRET));

        assertThat(e.reason()).isEqualTo(DeadLetterReason.MULTIPLE_PAYLOADS);
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void shouldNotKnowTheThreadBeforeMetaIsValid() {
        assertThat(rejection(message("<ping/>")).thread()).isNull();
    }

    private EnvelopeException rejection(String document) {
        return rejection(utf8(document));
    }

    private EnvelopeException rejection(byte[] bytes) {
        EnvelopeException e =
                catchThrowableOfType(EnvelopeException.class, () -> codec.decode(bytes));
        assertThat(e).as("decode should reject the record").isNotNull();
        return e;
    }

    private static String billionLaughs() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE message [<!ENTITY lol0 \"lol\">");
        for (int level = 1; level <= 9; level++) {
            String previous = "&lol" + (level - 1) + ";";
            dtd.append("<!ENTITY lol").append(level).append(" \"");
            dtd.append(previous.repeat(10)).append("\">");
        }
        return "<?xml version=\"1.0\"?>\n" + dtd + "]>\n" + document("<lolz>&lol9;</lolz>");
    }

    private static String elementWithAttributes(int count) {
        StringBuilder element = new StringBuilder("<many");
        for (int i = 0; i < count; i++) {
            element.append(" a").append(i).append("=\"").append(i).append('"');
        }
        return element.append("/>").toString();
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new IllegalArgumentException("byte not found");
    }
}
