package dev.agentstream.udfs.envelope;

/**
 * Input the job could not use: the original bytes, a reason code from {@link DeadLetterReason}, a
 * short human-readable detail (never the payload) and where the bytes came from.
 */
public class DeadLetter {

    public String reason;
    public String detail;
    public String source;
    public String thread;

    /** The tenant of the input, when it was known; else null. */
    public String tenant;

    public byte[] original;

    public DeadLetter() {}

    public DeadLetter(
            DeadLetterReason reason, String detail, String source, String thread, byte[] original) {
        this.reason = reason.code();
        this.detail = detail;
        this.source = source;
        this.thread = thread;
        this.original = original;
    }

    /** This dead letter, marked as {@code tenant}'s (null or empty: unknown). */
    public DeadLetter withTenant(String tenant) {
        this.tenant = tenant == null || tenant.isEmpty() ? null : tenant;
        return this;
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + ", " + detail + ", source=" + source + "}";
    }
}
