package dev.agentstream.savepoints;

/** The envelopes the savepoint script and the migration test send. */
final class Envelopes {

    private static final String NS = "https://xml-pipeline.org/ns/envelope/v1";

    private Envelopes() {}

    /** A draft for the writer agent. */
    static String draft(String thread, String text) {
        return envelope("console", "writer", thread, "<Draft><text>" + text + "</text></Draft>");
    }

    /** A question for the desk agent, which asks the lookup tool first. */
    static String question(String thread, String text) {
        return envelope(
                "console", "desk", thread, "<Question><text>" + text + "</text></Question>");
    }

    /** What the lookup tool answers the desk on the subthread of its call. */
    static String lookupAnswer(String subthread, String text) {
        return envelope("lookup", "desk", subthread, "<reply>" + text + "</reply>");
    }

    private static String envelope(String from, String to, String thread, String payload) {
        return "<message xmlns=\""
                + NS
                + "\"><meta><from>"
                + from
                + "</from><to>"
                + to
                + "</to><thread>"
                + thread
                + "</thread></meta>"
                + payload
                + "</message>";
    }
}
