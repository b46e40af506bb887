package dev.agentstream.udfs.envelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.agentstream.udfs.envelope.EnvelopeFixtures.THREAD;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.document;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.field;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.message;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.meta;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Hostile bytes against the envelope decoder. The decoder must either reject them with a reason, or
 * accept an envelope that the job can write again: whatever it accepts ends up in a prompt, in a
 * re-encoded dead letter, or echoed by the model into an envelope the job must encode.
 */
class EnvelopeDecodeAttackTest {

    private final EnvelopeCodec codec = new EnvelopeCodec();

    // ------------------------------------------------------------ held up (regression)

    @Test
    void shouldNeverConnectToAnExternalEntityOrDtdOnLoopback() throws Exception {
        try (ServerSocket canary = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + canary.getLocalPort() + "/x";
            AtomicInteger connections = new AtomicInteger();
            Thread acceptor =
                    new Thread(
                            () -> {
                                try {
                                    canary.setSoTimeout(1_500);
                                    try (Socket s = canary.accept()) {
                                        connections.incrementAndGet();
                                    }
                                } catch (SocketTimeoutException e) {
                                    // nothing connected: what we want
                                } catch (Exception e) {
                                    // closed
                                }
                            },
                            "xxe-canary");
            acceptor.start();

            String[] attacks = {
                "<!DOCTYPE message SYSTEM \"" + url + "\">" + document("<Greeting/>"),
                "<!DOCTYPE message [<!ENTITY x SYSTEM \""
                        + url
                        + "\">]>"
                        + document("<Greeting>&x;</Greeting>"),
                "<!DOCTYPE message [<!ENTITY % p SYSTEM \""
                        + url
                        + "\"> %p;]>"
                        + document("<Greeting/>"),
            };
            for (String attack : attacks) {
                EnvelopeException e = rejection(utf8(attack));
                assertThat(e.reason()).isEqualTo(DeadLetterReason.DOCTYPE);
            }
            acceptor.join();
            assertThat(connections).hasValue(0);
        }
    }

    @Test
    void shouldNeverReadALocalFileThroughAnEntity() throws Exception {
        Path secret = Files.createTempFile("xxe", ".txt");
        try {
            Files.writeString(secret, EnvelopeFixtures.SECRET);
            String attack =
                    "<!DOCTYPE message [<!ENTITY x SYSTEM \""
                            + secret.toUri()
                            + "\">]>"
                            + document("<Greeting>&x;</Greeting>");

            EnvelopeException e = rejection(utf8(attack));

            assertThat(e.reason()).isEqualTo(DeadLetterReason.DOCTYPE);
            assertThat(e.getMessage()).doesNotContain(EnvelopeFixtures.SECRET);
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void shouldRejectADoctypeAfterTheRootAndUtf16() {
        assertThat(rejection(utf8(document("<Greeting/>") + "<!DOCTYPE x>")).reason())
                .isEqualTo(DeadLetterReason.NOT_XML);
        byte[] utf16 = ("\uFEFF" + document("<Greeting/>")).getBytes(StandardCharsets.UTF_16BE);
        assertThat(rejection(utf16).reason()).isEqualTo(DeadLetterReason.NOT_XML);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42}",
                "urn:uuid:6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42",
                "6f1c2a9e4b7d4e219a550d3b8c7e1f42",
                "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f4",
                "6f1c2a9e-4b7d-4e21-9a55 0d3b8c7e1f42",
                "６f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42",
            })
    void shouldRejectThreadIdsThatAreAlmostUuids(String thread) {
        String doc = message(meta(field("from", "console") + field("thread", thread)) + "<G/>");

        assertThat(rejection(utf8(doc)).reason()).isEqualTo(DeadLetterReason.THREAD_NOT_UUID);
    }

    @Test
    void shouldKeyUppercaseAndPaddedUuidsAsTheCanonicalThread() throws Exception {
        String doc =
                message(
                        meta(
                                        field("from", "console")
                                                + field(
                                                        "thread",
                                                        "\n " + THREAD.toUpperCase() + "\t"))
                                + "<G/>");

        assertThat(codec.decode(utf8(doc)).thread).isEqualTo(THREAD);
    }

    // ------------------------------------------------------------ defects

    /**
     * U+FFFE and U+FFFF are not XML characters (XML 1.0 production [2]); Woodstox lets them through
     * when it reads from a String. The decoder accepts the record, and the copy of the payload then
     * holds {@code &#xfffe;}, which is not well-formed: the envelope cannot be written again (see
     * {@link #shouldBeAbleToWriteAgainEveryEnvelopeItAccepts}).
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "<Greeting>hi \uFFFE</Greeting>",
                "<Greeting>hi \uFFFF</Greeting>",
                "<Greeting name=\"\uFFFE\"/>",
            })
    void shouldRejectCharactersThatXmlForbidsAsNotXml(String payload) {
        EnvelopeException e =
                catchThrowableOfType(
                        EnvelopeException.class, () -> codec.decode(utf8(document(payload))));

        assertThat(e).as("decode accepted a non-XML character").isNotNull();
        assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_XML);
    }

    @Test
    void shouldRejectANonXmlCharacterInTheSender() {
        String doc =
                message(meta(field("from", "con\uFFFEsole") + field("thread", THREAD)) + "<G/>");

        EnvelopeException e =
                catchThrowableOfType(EnvelopeException.class, () -> codec.decode(utf8(doc)));

        assertThat(e).as("decode accepted U+FFFE in <from>").isNotNull();
    }

    /**
     * ThreadContextFunction re-encodes every envelope it dead-letters, and the model echoes input
     * into its answers: whatever decode accepts must encode again, or the job throws.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "<Greeting><![CDATA[<not> & markup]]></Greeting>",
                "<?pi x?><!-- c --><Greeting><!-- c --><?pi y?>a<!-- c -->b</Greeting><!-- c -->",
                "<e:Greeting xmlns:e=\"https://xml-pipeline.org/ns/envelope/v1\"/>",
                "<Greeting><in xmlns=\"https://xml-pipeline.org/ns/envelope/v1\">x</in></Greeting>",
                "<Greeting xmlns:xml=\"http://www.w3.org/XML/1998/namespace\" xml:lang=\"en\"/>",
                "<Greeting>&#13;&#9;&#x10FFFF;</Greeting>",
                "<Greeting>hi \uFFFE</Greeting>",
                "<Greeting name=\"\uFFFF\"/>",
            })
    void shouldBeAbleToWriteAgainEveryEnvelopeItAccepts(String payload) {
        Envelope decoded;
        try {
            decoded = codec.decode(utf8(document(payload)));
        } catch (EnvelopeException rejected) {
            return; // rejected with a reason: fine
        }

        assertThatCode(() -> codec.decode(codec.encode(decoded))).doesNotThrowAnyException();
    }

    private EnvelopeException rejection(byte[] bytes) {
        EnvelopeException e =
                catchThrowableOfType(EnvelopeException.class, () -> codec.decode(bytes));
        assertThat(e).as("expected a rejection").isNotNull();
        return e;
    }
}
