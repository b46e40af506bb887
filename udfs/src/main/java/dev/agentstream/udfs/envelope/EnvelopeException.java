package dev.agentstream.udfs.envelope;

/** Thrown by the codec when bytes are not a usable envelope; carries the dead-letter reason. */
public class EnvelopeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    private final String thread;

    public EnvelopeException(DeadLetterReason reason, String detail) {
        this(reason, detail, null, null);
    }

    public EnvelopeException(DeadLetterReason reason, String detail, Throwable cause) {
        this(reason, detail, null, cause);
    }

    public EnvelopeException(
            DeadLetterReason reason, String detail, String thread, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
        this.thread = thread;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    /** Thread UUID of the rejected envelope if it was read before the failure, else null. */
    public String thread() {
        return thread;
    }
}
