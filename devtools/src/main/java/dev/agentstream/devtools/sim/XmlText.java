package dev.agentstream.devtools.sim;

import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reduces an XML fragment to its text and escapes text for XML element content. Lenient on purpose:
 * the input may be any payload or plain prose, so it uses patterns, not a parser.
 */
final class XmlText {

    /** CDATA sections (group 1 is their content), comments, and every other kind of tag. */
    private static final Pattern MARKUP =
            Pattern.compile("<!\\[CDATA\\[(.*?)]]>|<!--.*?-->|<[^>]*>", Pattern.DOTALL);

    private static final Pattern REFERENCE =
            Pattern.compile("&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);");

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private XmlText() {}

    /**
     * The text of {@code xml}: tags and comments dropped (each counts as a word break), entity and
     * character references resolved, CDATA kept verbatim, whitespace collapsed and trimmed.
     */
    static String textContent(String xml) {
        StringBuilder text = new StringBuilder(xml.length());
        Matcher markup = MARKUP.matcher(xml);
        int last = 0;
        while (markup.find()) {
            text.append(resolveReferences(xml.substring(last, markup.start())));
            text.append(markup.group(1) != null ? markup.group(1) : " ");
            last = markup.end();
        }
        text.append(resolveReferences(xml.substring(last)));
        return WHITESPACE.matcher(text).replaceAll(" ").strip();
    }

    /** {@code text} safe as element content; control characters XML 1.0 forbids are dropped. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&':
                    out.append("&amp;");
                    break;
                case '<':
                    out.append("&lt;");
                    break;
                case '>':
                    out.append("&gt;");
                    break;
                default:
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        out.append(c);
                    }
            }
        }
        return out.toString();
    }

    private static String resolveReferences(String text) {
        return REFERENCE.matcher(text).replaceAll(m -> Matcher.quoteReplacement(resolve(m)));
    }

    private static String resolve(MatchResult reference) {
        String name = reference.group(1);
        switch (name) {
            case "lt":
                return "<";
            case "gt":
                return ">";
            case "amp":
                return "&";
            case "quot":
                return "\"";
            case "apos":
                return "'";
            default:
                int codePoint =
                        name.startsWith("#x")
                                ? Integer.parseInt(name.substring(2), 16)
                                : Integer.parseInt(name.substring(1));
                return Character.isValidCodePoint(codePoint)
                        ? new String(Character.toChars(codePoint))
                        : reference.group();
        }
    }
}
