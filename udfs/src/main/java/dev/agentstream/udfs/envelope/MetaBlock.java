package dev.agentstream.udfs.envelope;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The children of one {@code <meta>} block, collected as they are read and checked against the
 * envelope schema once the block has ended: {@code from}, optional {@code to}, {@code thread}, then
 * foreign-namespace extensions, each routing field at most once.
 */
final class MetaBlock {

    private static final Pattern UUID =
            Pattern.compile(
                    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The kinds of child in schema order. */
    private enum Kind {
        FROM,
        TO,
        THREAD,
        EXTENSION
    }

    private final List<Kind> order = new ArrayList<>();
    private final StringBuilder extensions = new StringBuilder();
    private String from;
    private String to;
    private String thread;

    /** True for the local names of the routing fields, in the envelope namespace. */
    static boolean isRoutingField(String localName) {
        return localName.equals("from") || localName.equals("to") || localName.equals("thread");
    }

    /** Records a routing field and its text content. */
    void field(String localName, String text) {
        switch (localName) {
            case "from" -> {
                order.add(Kind.FROM);
                from = text;
            }
            case "to" -> {
                order.add(Kind.TO);
                to = text;
            }
            case "thread" -> {
                order.add(Kind.THREAD);
                thread = text;
            }
            default -> throw new IllegalArgumentException("not a routing field: " + localName);
        }
    }

    /** Records one foreign-namespace child, serialized as self-contained XML. */
    void extension(String xml) {
        order.add(Kind.EXTENSION);
        extensions.append(xml);
    }

    /** Checks the block once it has ended; the accessors below are valid afterwards. */
    void validate() throws EnvelopeException {
        Kind previous = Kind.FROM;
        for (Kind kind : order) {
            if (kind != Kind.EXTENSION && order.indexOf(kind) != order.lastIndexOf(kind)) {
                throw new EnvelopeException(DeadLetterReason.BAD_META, "repeated field in <meta>");
            }
            if (kind.compareTo(previous) < 0) {
                throw new EnvelopeException(
                        DeadLetterReason.BAD_META, "fields of <meta> out of order");
            }
            previous = kind;
        }
        if (isBlank(from)) {
            throw new EnvelopeException(DeadLetterReason.MISSING_FROM, "no <from> in <meta>");
        }
        if (isBlank(thread)) {
            throw new EnvelopeException(DeadLetterReason.MISSING_THREAD, "no <thread> in <meta>");
        }
        if (from.strip().length() > EnvelopeLimits.MAX_NAME_LENGTH
                || (to != null && to.strip().length() > EnvelopeLimits.MAX_NAME_LENGTH)) {
            // Names come back in every error and dead letter about the envelope: keep them short.
            throw new EnvelopeException(
                    DeadLetterReason.LIMIT_EXCEEDED,
                    "<from> or <to> longer than " + EnvelopeLimits.MAX_NAME_LENGTH + " characters");
        }
        if (!UUID.matcher(thread.strip()).matches()) {
            throw new EnvelopeException(
                    DeadLetterReason.THREAD_NOT_UUID, "<thread> is not a canonical UUID");
        }
    }

    String from() {
        return from.strip();
    }

    /** The recipient, or null when {@code <to>} is absent or blank. */
    String to() {
        return isBlank(to) ? null : to.strip();
    }

    /** The thread UUID in lowercase. */
    String thread() {
        return thread.strip().toLowerCase(Locale.ROOT);
    }

    String extensions() {
        return extensions.toString();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
