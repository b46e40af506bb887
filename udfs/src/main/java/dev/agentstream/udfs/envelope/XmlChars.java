package dev.agentstream.udfs.envelope;

/**
 * The characters XML 1.0 can carry: tab, line feed, carriage return, and the rest of Unicode but
 * for other control characters, lone surrogates, U+FFFE and U+FFFF. Text with any other character
 * cannot be written as XML that a reader will take back.
 */
public final class XmlChars {

    private XmlChars() {}

    public static boolean isAllowed(int codePoint) {
        return codePoint == 0x9
                || codePoint == 0xA
                || codePoint == 0xD
                || (codePoint >= 0x20 && codePoint <= 0xD7FF)
                || (codePoint >= 0xE000 && codePoint <= 0xFFFD)
                || (codePoint >= 0x10000 && codePoint <= 0x10FFFF);
    }

    /** The index of the first character XML cannot carry, or -1 when there is none. */
    public static int firstIllegal(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (!isAllowed(cp)) {
                return i;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /** {@code text} without the characters XML cannot carry. */
    public static String strip(String text) {
        if (firstIllegal(text) < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().filter(XmlChars::isAllowed).forEach(sb::appendCodePoint);
        return sb.toString();
    }
}
