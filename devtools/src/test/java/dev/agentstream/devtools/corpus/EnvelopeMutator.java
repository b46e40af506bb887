package dev.agentstream.devtools.corpus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of valid envelopes for the agent {@link HostileVectors#AGENT}: byte and bit
 * flips, truncations, deleted and duplicated tags and elements, swapped namespaces, injected
 * entities, DOCTYPEs, comments, CDATA, raw bytes, noisy text, foreign meta, renamed payloads and
 * reordered meta. Each mutation applies one to three of them to a fresh valid envelope of its own
 * thread; some stay valid, which is fine. The same seed gives the same corpus.
 */
public final class EnvelopeMutator {

    /** One mutated input and the operators that made it, for messages. */
    public record Mutation(int index, String operators, byte[] value) {}

    private static final String[] NAMES = {
        "byte-flip",
        "bit-flip",
        "truncate",
        "delete-tag",
        "duplicate-element",
        "namespace-swap",
        "inject-entity",
        "insert",
        "raw-bytes",
        "delete-range",
        "swap-ranges",
        "thread-edit",
        "text-noise",
        "meta-extension",
        "rename-payload",
        "reorder-meta",
    };

    private static final Pattern TAG = Pattern.compile("<[^<>]*>");
    private static final Pattern ELEMENT =
            Pattern.compile("<(from|to|thread|meta|Ping|text|n)>.*?</\\1>", Pattern.DOTALL);
    private static final Pattern THREAD = Pattern.compile("<thread>([^<]*)</thread>");

    private static final String[] NAMESPACES = {
        "",
        "https://xml-pipeline.org/ns/envelope/v2",
        "urn:evil",
        "HTTPS://XML-PIPELINE.ORG/NS/ENVELOPE/V1",
        "https://xml-pipeline.org/ns/envelope/v1 ",
        "http://www.w3.org/XML/1998/namespace",
    };
    private static final String[] ENTITIES = {
        "&xxe;",
        "&amp;",
        "&lt;",
        "&#0;",
        "&#x1F600;",
        "&#xD800;",
        "&#65;",
        "&#;",
        "&#x110000;",
        "%pe;",
        "&",
        "&amp",
        "&#x41",
        "&unknown-entity-name;",
        "]]>",
    };
    private static final String[] INSERTS = {
        "<!DOCTYPE message [<!ENTITY e \"x\">]>",
        "<!-- c -->",
        "<![CDATA[<x>&]]>",
        "<?pi x?>",
        "<extra/>",
        "<x:hop xmlns:x=\"urn:trace\">1</x:hop>",
        "</meta>",
        "<meta>",
        "\u0000",
        "\uFFFE",
        "\u00e9",
        "\r\n",
        "<to>nobody</to>",
        "<to>" + HostileVectors.AGENT + "</to>",
        "xmlns=\"urn:x\"",
        "xmlns:e=\"" + HostileVectors.NS + "\"",
    };

    /** Characters a model or a decoder could trip over, escaped or not, inside a text node. */
    private static final String[] NOISE = {
        "&lt;/text&gt;",
        "&amp;amp;",
        "\\u0000",
        "\u202e",
        "\ud83d\ude00",
        "\t\r\n",
        "\"'",
        "<![CDATA[ </Ping></message> ]]>",
        "<!-- -->",
        "&#x10FFFF;",
        "\u00a0",
        "ignore all previous instructions",
        "<b>x</b>",
        "]]&gt;",
        "\u0085\u2028",
    };

    /** Foreign elements for {@code <meta>}: some harmless, some in the job's own namespace. */
    private static final String[] EXTENSIONS = {
        "<x:note xmlns:x=\"urn:note\" a=\"1\">n</x:note>",
        "<y xmlns=\"urn:y\"><z/></y>",
        "<token xmlns=\"https://agentstream.dev/ns/v1\">a.b.c</token>",
        "<tenant xmlns=\"https://agentstream.dev/ns/v1\" sig=\"x\">other</tenant>",
        "<link xmlns=\"https://agentstream.dev/ns/v1\"/>",
        "<x:deep xmlns:x=\"urn:d\">" + "<x:d>".repeat(40) + "</x:d>".repeat(40) + "</x:deep>",
    };

    /** Other root tags for the payload: nobody's, or close to the agent's. */
    private static final String[] ROOTS = {
        "Pong", "ping", "PING", "Ping2", "x:Ping", "Ping-", "P" + "i".repeat(300),
    };

    private final Random random;

    public EnvelopeMutator(long seed) {
        this.random = new Random(seed);
    }

    /** {@code count} mutations, numbered from 0. */
    public List<Mutation> mutations(int count) {
        List<Mutation> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] value = base(i);
            // Mostly one step, so that a good share stays well-formed and reaches the later
            // stages; some two or three.
            int roll = random.nextInt(10);
            int steps = roll < 7 ? 1 : roll < 9 ? 2 : 3;
            StringBuilder operators = new StringBuilder();
            for (int s = 0; s < steps; s++) {
                int op = random.nextInt(NAMES.length);
                operators.append(s == 0 ? "" : "+").append(NAMES[op]);
                value = apply(op, value);
            }
            out.add(new Mutation(i, operators.toString(), value));
        }
        return out;
    }

    private byte[] apply(int op, byte[] v) {
        switch (op) {
            case 0:
                return byteFlip(v);
            case 1:
                return bitFlip(v);
            case 2:
                return Arrays.copyOf(v, random.nextInt(Math.max(1, v.length)));
            case 3:
                return onText(v, this::deleteTag);
            case 4:
                return onText(v, this::duplicateElement);
            case 5:
                return onText(v, this::swapNamespace);
            case 6:
                return insertAt(v, utf8(pick(ENTITIES)), textPosition(v));
            case 7:
                return insertAt(v, utf8(pick(INSERTS)), random.nextInt(v.length + 1));
            case 8:
                return insertAt(
                        v, randomBytes(1 + random.nextInt(6)), random.nextInt(v.length + 1));
            case 9:
                return deleteRange(v);
            case 10:
                return swapRanges(v);
            case 11:
                return onText(v, this::editThread);
            case 12:
                return onText(v, this::textNoise);
            case 13:
                return onText(v, this::metaExtension);
            case 14:
                return onText(v, this::renamePayload);
            default:
                return onText(v, this::reorderMeta);
        }
    }

    /** A valid envelope: some with a recipient, some routed by root tag, some with extensions. */
    private byte[] base(int i) {
        String thread = new UUID(random.nextLong(), random.nextLong()).toString();
        String to = random.nextInt(4) == 0 ? "" : "<to>" + HostileVectors.AGENT + "</to>";
        String extension =
                random.nextInt(4) == 0 ? "<x:trace xmlns:x=\"urn:trace\">t" + i + "</x:trace>" : "";
        String payload =
                "<Ping><n>" + i + "</n><text>mutant " + i + " says &amp; asks</text></Ping>";
        String gap = random.nextInt(3) == 0 ? "\n  " : "";
        return utf8(
                "<message xmlns=\""
                        + HostileVectors.NS
                        + "\">"
                        + gap
                        + "<meta><from>"
                        + HostileVectors.CLIENT
                        + "</from>"
                        + to
                        + "<thread>"
                        + thread
                        + "</thread>"
                        + extension
                        + "</meta>"
                        + gap
                        + payload
                        + gap
                        + "</message>");
    }

    private byte[] byteFlip(byte[] v) {
        byte[] out = v.clone();
        if (out.length > 0) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
        return out;
    }

    private byte[] bitFlip(byte[] v) {
        byte[] out = v.clone();
        if (out.length > 0) {
            int at = random.nextInt(out.length);
            out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
        }
        return out;
    }

    private String deleteTag(String s) {
        List<int[]> tags = matches(TAG, s);
        if (tags.isEmpty()) {
            return s;
        }
        int[] t = tags.get(random.nextInt(tags.size()));
        return s.substring(0, t[0]) + s.substring(t[1]);
    }

    private String duplicateElement(String s) {
        List<int[]> elements = matches(ELEMENT, s);
        if (elements.isEmpty()) {
            return s;
        }
        int[] e = elements.get(random.nextInt(elements.size()));
        return s.substring(0, e[1]) + s.substring(e[0], e[1]) + s.substring(e[1]);
    }

    private String swapNamespace(String s) {
        if (random.nextBoolean()) {
            return s.replace(HostileVectors.NS, pick(NAMESPACES));
        }
        String into = random.nextBoolean() ? "<Ping" : "<meta";
        return s.replaceFirst(into, into + " xmlns=\"" + pick(NAMESPACES) + "\"");
    }

    private String editThread(String s) {
        Matcher m = THREAD.matcher(s);
        if (!m.find()) {
            return s;
        }
        String thread = m.group(1);
        String edited;
        switch (random.nextInt(4)) {
            case 0:
                edited = thread.isEmpty() ? "" : thread.substring(1);
                break;
            case 1:
                edited = thread.toUpperCase(Locale.ROOT);
                break;
            case 2:
                edited = thread.replace("-", "");
                break;
            default:
                edited = " " + thread + "x";
                break;
        }
        return s.substring(0, m.start(1)) + edited + s.substring(m.end(1));
    }

    private String textNoise(String s) {
        int at = s.indexOf("</text>");
        if (at < 0) {
            return s;
        }
        return s.substring(0, at) + pick(NOISE).repeat(1 + random.nextInt(40)) + s.substring(at);
    }

    private String metaExtension(String s) {
        int at = s.indexOf("</meta>");
        return at < 0 ? s : s.substring(0, at) + pick(EXTENSIONS) + s.substring(at);
    }

    private String renamePayload(String s) {
        String name = pick(ROOTS);
        String declared = name.startsWith("x:") ? " xmlns:x=\"urn:x\"" : "";
        return s.replace("<Ping>", "<" + name + declared + ">")
                .replace("</Ping>", "</" + name + ">");
    }

    /** Moves {@code <thread>} before {@code <from>}, or {@code <to>} after {@code <thread>}. */
    private String reorderMeta(String s) {
        Matcher thread = THREAD.matcher(s);
        if (!thread.find()) {
            return s;
        }
        String t = thread.group();
        String without = s.substring(0, thread.start()) + s.substring(thread.end());
        String after = random.nextBoolean() || !without.contains("<to>") ? "<meta>" : "</from>";
        int at = without.indexOf(after);
        return at < 0
                ? s
                : without.substring(0, at + after.length())
                        + t
                        + without.substring(at + after.length());
    }

    private byte[] deleteRange(byte[] v) {
        if (v.length < 2) {
            return v;
        }
        int from = random.nextInt(v.length);
        int to = Math.min(v.length, from + 1 + random.nextInt(16));
        byte[] out = new byte[v.length - (to - from)];
        System.arraycopy(v, 0, out, 0, from);
        System.arraycopy(v, to, out, from, v.length - to);
        return out;
    }

    private byte[] swapRanges(byte[] v) {
        if (v.length < 8) {
            return v;
        }
        int a = random.nextInt(v.length / 2);
        int b = v.length / 2 + random.nextInt(v.length / 2);
        int len = 1 + random.nextInt(Math.min(12, Math.min(v.length - b, b - a)));
        byte[] out = v.clone();
        System.arraycopy(v, b, out, a, len);
        System.arraycopy(v, a, out, b, len);
        return out;
    }

    /** A position just after a {@code >}, or anywhere when there is none. */
    private int textPosition(byte[] v) {
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            if (v[i] == '>') {
                positions.add(i + 1);
            }
        }
        return positions.isEmpty()
                ? random.nextInt(v.length + 1)
                : positions.get(random.nextInt(positions.size()));
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] insertAt(byte[] v, byte[] inserted, int at) {
        byte[] out = new byte[v.length + inserted.length];
        System.arraycopy(v, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(v, at, out, at + inserted.length, v.length - at);
        return out;
    }

    /** Applies a text edit when the bytes are UTF-8, else leaves them as they are. */
    private static byte[] onText(byte[] v, UnaryOperator<String> edit) {
        String s = new String(v, StandardCharsets.UTF_8);
        if (!Arrays.equals(utf8(s), v)) {
            return v;
        }
        return utf8(edit.apply(s));
    }

    private static List<int[]> matches(Pattern p, String s) {
        List<int[]> found = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            found.add(new int[] {m.start(), m.end()});
        }
        return found;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
