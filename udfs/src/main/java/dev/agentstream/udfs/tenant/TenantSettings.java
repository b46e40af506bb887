package dev.agentstream.udfs.tenant;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Where envelopes' tenants come from and, in {@link TenantSource#TOKEN} mode, how tokens are
 * verified. Checked when built, so that a job with unusable settings never starts; the keys
 * themselves are read by each task (see {@link TokenKeys}).
 *
 * @param source where the tenant comes from
 * @param defaultTenant the tenant of every envelope in {@code default} mode, and in {@code topic}
 *     mode without a template
 * @param topicTemplate the bus topics, e.g. {@code agentstream.bus.{tenant}}; only in {@code topic}
 *     mode, null for the single bus topic
 * @param jwksFile a JWKS file of public keys (RSA, EC) that sign tokens, or null
 * @param secretsFile a YAML or JSON map of tenant to base64 HS256 secret, or null
 * @param issuer the {@code iss} every token must have
 * @param audience a value the {@code aud} of every token must hold
 * @param clockSkew how far {@code exp} and {@code nbf} may be off
 * @param tokenTypes the {@code typ} header values accepted, e.g. {@code JWT}, {@code at+jwt}
 * @param tenantClaim the claim that names the tenant
 * @param sendersClaim the claim that lists the {@code <from>} names the token may send as
 */
public record TenantSettings(
        TenantSource source,
        String defaultTenant,
        String topicTemplate,
        String jwksFile,
        String secretsFile,
        String issuer,
        String audience,
        Duration clockSkew,
        List<String> tokenTypes,
        String tenantClaim,
        String sendersClaim)
        implements Serializable {

    public static final String DEFAULT_TENANT = "default";
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final List<String> DEFAULT_TOKEN_TYPES = List.of("JWT", "at+jwt");
    public static final String DEFAULT_TENANT_CLAIM = "tenant";
    public static final String DEFAULT_SENDERS_CLAIM = "senders";

    public TenantSettings {
        Preconditions.checkNotNull(source, "source");
        Preconditions.checkArgument(
                TenantNames.isValid(defaultTenant),
                "the default tenant %s is not a tenant name ([a-z0-9][a-z0-9._-]{0,63})",
                defaultTenant);
        Preconditions.checkArgument(
                topicTemplate == null || source == TenantSource.TOPIC,
                "a bus topic template names each tenant's topic: it needs tenant.source topic");
        if (topicTemplate != null) {
            TopicTemplate.parse(topicTemplate);
        }
        Preconditions.checkArgument(
                clockSkew != null && !clockSkew.isNegative(), "clock skew must be >= 0");
        tokenTypes = List.copyOf(tokenTypes);
        if (source == TenantSource.TOKEN) {
            Preconditions.checkArgument(
                    jwksFile != null || secretsFile != null,
                    "tenant.source token needs keys: tenant.jwks-file and/or"
                            + " tenant.secrets-file");
            Preconditions.checkArgument(
                    issuer != null && !issuer.isBlank(),
                    "tenant.source token needs the issuer tokens must name"
                            + " (tenant.token-issuer)");
            Preconditions.checkArgument(
                    audience != null && !audience.isBlank(),
                    "tenant.source token needs the audience tokens must name"
                            + " (tenant.token-audience)");
            Preconditions.checkArgument(
                    !tokenTypes.isEmpty(), "tenant.token-types needs at least one type");
            Preconditions.checkArgument(
                    tenantClaim != null && !tenantClaim.isBlank(), "tenant.claim is empty");
            Preconditions.checkArgument(
                    sendersClaim != null && !sendersClaim.isBlank(),
                    "tenant.senders-claim is empty");
        }
    }

    /** Every envelope belongs to {@code default}. */
    public static TenantSettings defaults() {
        return new TenantSettings(
                TenantSource.DEFAULT,
                DEFAULT_TENANT,
                null,
                null,
                null,
                null,
                null,
                DEFAULT_CLOCK_SKEW,
                DEFAULT_TOKEN_TYPES,
                DEFAULT_TENANT_CLAIM,
                DEFAULT_SENDERS_CLAIM);
    }

    /** The tenant is the topic's part that {@code {tenant}} matches in {@code template}. */
    public static TenantSettings topic(String template) {
        return new TenantSettings(
                TenantSource.TOPIC,
                DEFAULT_TENANT,
                template,
                null,
                null,
                null,
                null,
                DEFAULT_CLOCK_SKEW,
                DEFAULT_TOKEN_TYPES,
                DEFAULT_TENANT_CLAIM,
                DEFAULT_SENDERS_CLAIM);
    }

    /** The tenant comes from verified tokens, with the default claims, types and skew. */
    public static TenantSettings token(
            String issuer, String audience, String jwksFile, String secretsFile) {
        return new TenantSettings(
                TenantSource.TOKEN,
                DEFAULT_TENANT,
                null,
                jwksFile,
                secretsFile,
                issuer,
                audience,
                DEFAULT_CLOCK_SKEW,
                DEFAULT_TOKEN_TYPES,
                DEFAULT_TENANT_CLAIM,
                DEFAULT_SENDERS_CLAIM);
    }

    /** The template as parsed, or null for the single bus topic. */
    public TopicTemplate template() {
        return topicTemplate == null ? null : TopicTemplate.parse(topicTemplate);
    }
}
