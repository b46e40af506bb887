package dev.agentstream.udfs.tenant;

import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;

import java.util.Optional;

/**
 * Decides the tenant of each decoded envelope, as {@code tenant.source} says:
 *
 * <ul>
 *   <li>{@code default}: the default tenant;
 *   <li>{@code topic}: what the topic template's {@code {tenant}} matched in the record's topic
 *       (the default tenant when there is no template);
 *   <li>{@code token}: the tenant claim of the verified JWT in the envelope's meta.
 * </ul>
 *
 * <p>In every mode an envelope the job wrote carries its stamp (see {@link TenantStamps}), which
 * must verify: then it is the stamp's tenant, and needs no token. A stamp must name the tenant the
 * mode would have chosen where the mode decides without a token (the default tenant, the topic's),
 * so no stamp moves an envelope to another tenant. Every tenant name is checked.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class TenantResolver {

    private final TenantSettings settings;
    private final TopicTemplate template;
    private final TenantXml xml;
    private final TenantStamps stamps;
    private final TokenVerifier tokens;

    /**
     * @param stampKey the registry key the job's stamps are signed with, or null when there is none
     *     (then no stamp verifies)
     */
    public TenantResolver(TenantSettings settings, byte[] stampKey, EnvelopeLimits limits) {
        this.settings = settings;
        this.template = settings.template();
        this.xml = new TenantXml(limits);
        this.stamps = stampKey == null ? null : new TenantStamps(stampKey, xml);
        this.tokens =
                settings.source() == TenantSource.TOKEN
                        ? new TokenVerifier(settings, new TokenKeys(settings).load())
                        : null;
    }

    /**
     * The tenant of {@code e}, read from {@code topic} at processing time {@code now}.
     *
     * @throws TenantException when it cannot be told, with the dead-letter reason
     */
    public String resolve(String topic, Envelope e, long now) throws TenantException {
        TenantXml.Credentials found;
        try {
            found = xml.read(e.metaExtensions);
        } catch (IllegalArgumentException malformed) {
            throw new TenantException(DeadLetterReason.TOKEN_MALFORMED, malformed.getMessage());
        }
        Optional<String> expected = tenantWithoutToken(topic);
        if (found.stamps().size() > 1) {
            throw new TenantException(DeadLetterReason.FORGED_TENANT, "more than one tenant stamp");
        }
        if (found.stamps().size() == 1) {
            return stamped(found.stamps().get(0), e, expected);
        }
        if (expected.isPresent()) {
            return expected.get();
        }
        if (found.tokens().isEmpty()) {
            throw new TenantException(
                    DeadLetterReason.TOKEN_MISSING, "no token in the envelope's meta");
        }
        if (found.tokens().size() > 1) {
            throw new TenantException(
                    DeadLetterReason.TOKEN_MULTIPLE, "more than one token in the envelope's meta");
        }
        return tokens.verify(found.tokens().get(0), e.from, now).tenant();
    }

    /** The tenant the mode gives without a token; empty in token mode. */
    private Optional<String> tenantWithoutToken(String topic) throws TenantException {
        switch (settings.source()) {
            case TOKEN:
                return Optional.empty();
            case TOPIC:
                if (template == null) {
                    return Optional.of(settings.defaultTenant());
                }
                Optional<String> tenant = template.tenantOf(topic);
                if (tenant.isEmpty() || !TenantNames.isValid(tenant.get())) {
                    throw new TenantException(
                            DeadLetterReason.BAD_TENANT,
                            "the topic does not name a tenant ([a-z0-9][a-z0-9._-]{0,63}) in "
                                    + template);
                }
                return tenant;
            case DEFAULT:
            default:
                return Optional.of(settings.defaultTenant());
        }
    }

    private String stamped(TenantXml.Stamp stamp, Envelope e, Optional<String> expected)
            throws TenantException {
        if (stamps == null || !stamps.verify(stamp, e)) {
            throw new TenantException(
                    DeadLetterReason.FORGED_TENANT,
                    "the tenant stamp is not this job's for this envelope");
        }
        if (!TenantNames.isValid(stamp.tenant())) {
            throw new TenantException(
                    DeadLetterReason.BAD_TENANT, "the stamp's tenant is not a tenant name");
        }
        if (expected.isPresent() && !expected.get().equals(stamp.tenant())) {
            throw new TenantException(
                    DeadLetterReason.FORGED_TENANT,
                    "the tenant stamp names another tenant than " + expected.get());
        }
        return stamp.tenant();
    }
}
