package dev.agentstream.udfs.tenant;

import dev.agentstream.udfs.envelope.DeadLetterReason;

/**
 * An envelope whose tenant cannot be told: its dead-letter reason, a detail that never quotes a
 * token, and the tenant when it was known all the same (a verified token whose sender is not
 * allowed).
 */
public class TenantException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;
    private final String tenant;

    public TenantException(DeadLetterReason reason, String detail) {
        this(reason, detail, null);
    }

    public TenantException(DeadLetterReason reason, String detail, String tenant) {
        super(detail);
        this.reason = reason;
        this.tenant = tenant;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    /** The tenant, when the envelope's tenant was established before it was refused; else null. */
    public String tenant() {
        return tenant;
    }
}
