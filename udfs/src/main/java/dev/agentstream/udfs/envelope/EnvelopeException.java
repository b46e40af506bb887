package dev.agentstream.udfs.envelope;

/** Thrown by the codec when bytes are not a usable envelope; carries the dead-letter reason. */
public class EnvelopeException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public EnvelopeException(DeadLetterReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public EnvelopeException(DeadLetterReason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
