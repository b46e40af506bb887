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

    @Override
    public String toString() {
        return "DeadLetter{" + reason + ", " + detail + ", source=" + source + "}";
    }
}
