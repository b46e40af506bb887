package dev.agentstream.devtools.sim;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives the simulated model's answer from the messages alone, so that equal requests get equal
 * answers. An agent with peers answers with an element its first peer accepts; one without peers,
 * or one that reads a reply or an error, answers in prose. See {@link LlmSimulator} for the exact
 * rules.
 */
final class AnswerComposer {

    /** A peer line of the job's system prompt: {@code - name: description. Accepts <Tag>.} */
    private static final Pattern PEER_LINE =
            Pattern.compile(
                    "^- ([^:\\s]+): .*Accepts <([A-Za-z_][A-Za-z0-9_.-]*)>\\.[ \\t]*$",
                    Pattern.MULTILINE);

    /** Longer input text is cut, so that answers stay short whatever the payload. */
    static final int MAX_QUOTED_CODE_POINTS = 200;

    /** A peer named in the system prompt and the root tag of the payloads it accepts. */
    record Peer(String name, String rootTag) {}

    private AnswerComposer() {}

    static String answer(List<ChatMessage> messages) {
        String text = quotedText(messages);
        if (isAnswerOrError(messages)) {
            String quoted = text.isEmpty() ? "nothing" : text;
            return "Here is what came back: " + quoted + (quoted.endsWith(".") ? "" : ".");
        }
        return firstPeer(messages)
                .map(peer -> element(peer.rootTag(), text))
                .orElseGet(() -> prose(text));
    }

    /** The first peer line of the first system message, if any. */
    static Optional<Peer> firstPeer(List<ChatMessage> messages) {
        return messages.stream()
                .filter(m -> m.hasRole(ChatMessage.SYSTEM))
                .findFirst()
                .map(m -> PEER_LINE.matcher(m.content()))
                .filter(Matcher::find)
                .map(line -> new Peer(line.group(1), line.group(2)));
    }

    private static String element(String rootTag, String text) {
        String greeting = text.isEmpty() ? "Hello!" : "Hello, " + text + "!";
        return "<"
                + rootTag
                + "><message>"
                + XmlText.escape(greeting + " Greetings received.")
                + "</message></"
                + rootTag
                + ">";
    }

    private static String prose(String text) {
        if (text.isEmpty()) {
            return "I received an empty message and have no peer to pass it on to.";
        }
        return "I received \"" + text + "\" and have no peer to pass it on to.";
    }

    /**
     * True when the last user message is a peer's plain-text reply or an error: what comes back
     * from a call, which the agent reports in prose rather than calling again.
     */
    private static boolean isAnswerOrError(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).hasRole(ChatMessage.USER)) {
                String content = messages.get(i).content().stripLeading();
                return content.startsWith("<reply") || content.startsWith("<huh");
            }
        }
        return false;
    }

    /** The text content of the last user message, shortened to a bounded length. */
    private static String quotedText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).hasRole(ChatMessage.USER)) {
                return shorten(XmlText.textContent(messages.get(i).content()));
            }
        }
        return "";
    }

    private static String shorten(String text) {
        if (text.codePointCount(0, text.length()) <= MAX_QUOTED_CODE_POINTS) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, MAX_QUOTED_CODE_POINTS)).strip()
                + "...";
    }
}
