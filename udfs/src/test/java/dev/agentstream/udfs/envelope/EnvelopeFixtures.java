package dev.agentstream.udfs.envelope;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Named envelope values and tiny builders for the codec and decode tests. */
final class EnvelopeFixtures {

    static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
    static final String THREAD_UPPER = THREAD.toUpperCase(Locale.ROOT);

    static final String GREETER = "greeter";
    static final String SHOUTER = "shouter";

    /** A namespace-less payload, as upstream's listeners write them, in the codec's form. */
    static final String PLAIN_PAYLOAD = "<Greeting><name>Ada</name></Greeting>";

    static final String TASKS_NS = "urn:example:tasks";
    static final String NAMESPACED_PAYLOAD =
            "<task xmlns=\"urn:example:tasks\"><step n=\"1\">plan</step><step n=\"2\"/></task>";

    static final String TRACE_EXTENSION =
            "<hop xmlns=\"urn:example:trace\" node=\"a\">1</hop>"
                    + "<t:span xmlns:t=\"urn:example:trace\" t:id=\"42\"/>";

    /** Text no dead-letter detail may ever quote. */
    static final String SECRET = "TENANT-SECRET-7";

    private EnvelopeFixtures() {}

    /** A {@code <message>} in the envelope namespace around {@code content}. */
    static String message(String content) {
        return "<message xmlns=\"" + Envelope.NAMESPACE + "\">" + content + "</message>";
    }

    static String meta(String content) {
        return "<meta>" + content + "</meta>";
    }

    static String field(String name, String text) {
        return "<" + name + ">" + text + "</" + name + ">";
    }

    /** A valid meta block from greeter to shouter on {@link #THREAD}. */
    static String routing() {
        return meta(field("from", GREETER) + field("to", SHOUTER) + field("thread", THREAD));
    }

    /** A whole document: valid routing, then {@code afterMeta}. */
    static String document(String afterMeta) {
        return message(routing() + afterMeta);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code depth} nested {@code <d>} elements. */
    static String nested(int depth) {
        return "<d>".repeat(depth) + "</d>".repeat(depth);
    }

    static EnvelopeBuilder envelope() {
        return new EnvelopeBuilder();
    }

    /** Builds envelopes from greeter to shouter on {@link #THREAD} with the plain payload. */
    static final class EnvelopeBuilder {
        private String from = GREETER;
        private String to = SHOUTER;
        private String thread = THREAD;
        private String extensions = "";
        private String payloadXml = PLAIN_PAYLOAD;
        private String payloadRoot = "Greeting";
        private String payloadNamespace = "";

        EnvelopeBuilder from(String value) {
            from = value;
            return this;
        }

        EnvelopeBuilder to(String value) {
            to = value;
            return this;
        }

        EnvelopeBuilder thread(String value) {
            thread = value;
            return this;
        }

        EnvelopeBuilder extensions(String xml) {
            extensions = xml;
            return this;
        }

        EnvelopeBuilder payload(String xml, String root, String namespace) {
            payloadXml = xml;
            payloadRoot = root;
            payloadNamespace = namespace;
            return this;
        }

        Envelope build() {
            Envelope e = new Envelope(from, to, thread, payloadXml, payloadRoot, payloadNamespace);
            e.metaExtensions = extensions;
            return e;
        }
    }
}
