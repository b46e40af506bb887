package dev.agentstream.devtools.load;

/**
 * How the job learns the tenant of a generated envelope, matching its {@code tenant.source} (see
 * docs/tenants.md).
 */
public enum TenantMode {
    /** No tenant information: the job gives every envelope {@code tenant.default}. */
    DEFAULT,
    /** One bus topic per tenant, named by the job's {@code bus.topic-template}. */
    TOPIC,
    /** A signed JWT in each envelope's meta, verified by the job ({@code tenant.source token}). */
    TOKEN
}
