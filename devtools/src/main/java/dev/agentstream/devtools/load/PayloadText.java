package dev.agentstream.devtools.load;

import java.util.SplittableRandom;

/**
 * The text of generated payloads: words of a small vocabulary, exactly the requested number of
 * bytes (ASCII), the same for the same seed, content thread, kind and position, so that a duplicate
 * thread carries its original's text.
 */
final class PayloadText {

    private static final String[] WORDS = {
        "the", "invoice", "shows", "a", "wrong", "number", "for", "march", "please", "check",
        "export", "my", "project", "history", "to", "csv", "customer", "asks", "about", "order",
        "delivery", "was", "late", "and", "refund", "account", "password", "reset", "does", "not",
        "work", "since", "update", "report", "error", "page", "loads", "slowly", "summary", "brief"
    };

    private PayloadText() {}

    static String of(
            long seed, FreshThread thread, LoadSequence.Kind kind, int position, int bytes) {
        long mix = seed * 0x9E3779B97F4A7C15L + thread.content();
        mix = mix * 31 + kind.ordinal();
        mix = mix * 1_000_003 + position;
        SplittableRandom random = new SplittableRandom(mix);
        StringBuilder text = new StringBuilder(bytes + 16);
        while (text.length() < bytes) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        text.setLength(bytes);
        if (bytes > 0 && text.charAt(bytes - 1) == ' ') {
            text.setCharAt(bytes - 1, '.');
        }
        return text.toString();
    }
}
