package dev.agentstream.udfs.emit;

import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Tidies the text of an answer once its elements are taken out: removes markdown code fences,
 * collapses the whitespace of each line and drops blank lines.
 */
final class ProseCleaner {

    /** A fence of three or more backticks or tildes, with the language tag that may follow. */
    private static final Pattern FENCE = Pattern.compile("(?:`{3,}|~{3,})(?:[\\w+#.-]+(?=\\s|$))?");

    private static final Pattern LINE_BREAK = Pattern.compile("\\R");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ProseCleaner() {}

    static String clean(CharSequence text) {
        String unfenced = FENCE.matcher(text).replaceAll(" ");
        StringJoiner lines = new StringJoiner("\n");
        for (String line : LINE_BREAK.split(unfenced)) {
            String tidy = WHITESPACE.matcher(line).replaceAll(" ").strip();
            if (!tidy.isEmpty()) {
                lines.add(tidy);
            }
        }
        return lines.toString();
    }
}
