package dev.agentstream.udfs.tenant;

import java.util.Locale;

/** Where the decode stage takes an envelope's tenant from ({@code tenant.source}). */
public enum TenantSource {
    /** Every envelope belongs to the configured default tenant. */
    DEFAULT,
    /**
     * The tenant is the part of the record's topic that the topic template's {@code {tenant}}
     * matches.
     */
    TOPIC,
    /** The tenant is a claim of a verified JWT in the envelope's meta, or the job's own stamp. */
    TOKEN;

    /** The option's spelling: {@code default}, {@code topic}, {@code token}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
