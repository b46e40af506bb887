package dev.agentstream.devtools.load;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * How the load generator tells the job its envelopes' tenants, as the job's {@code tenant.source}
 * learns them: the {@code --tenant-mode} options of {@link LoadCommand}, mixed in with picocli's
 * {@code @Mixin}.
 */
final class TenantOptions {

    @Option(
            names = "--tenant-mode",
            defaultValue = "default",
            description =
                    "default, topic or token, as the job's tenant.source"
                            + " (default: ${DEFAULT-VALUE}).")
    TenantMode tenantMode;

    @Option(
            names = "--tenants",
            defaultValue = "1",
            description = "Tenants t0..t<n-1> (topic and token mode; default: ${DEFAULT-VALUE}).")
    int tenants;

    @Option(
            names = "--topic-template",
            description =
                    "Topic mode: the job's bus.topic-template, e.g. agentstream.bus.{tenant}.")
    String topicTemplate;

    @Option(
            names = "--token-secrets",
            description = "Token mode: the job's tenant.secrets-file (tenant: base64 secret).")
    Path tokenSecrets;

    @Option(names = "--token-issuer", description = "Token mode: the job's tenant.token-issuer.")
    String tokenIssuer;

    @Option(
            names = "--token-audience",
            description = "Token mode: the job's tenant.token-audience.")
    String tokenAudience;

    @Option(
            names = "--token-lifetime-seconds",
            defaultValue = "3600",
            description = "Token mode: how long each token is valid (default: ${DEFAULT-VALUE}).")
    long tokenLifetimeSeconds;

    /** Refuses the options of a mode other than the one chosen: they would be ignored. */
    void check() {
        if (tenantMode != TenantMode.TOPIC && topicTemplate != null) {
            throw new IllegalArgumentException(
                    "--topic-template is for --tenant-mode topic, not " + mode());
        }
        boolean tokenOptions = tokenSecrets != null || tokenIssuer != null || tokenAudience != null;
        if (tenantMode != TenantMode.TOKEN && tokenOptions) {
            throw new IllegalArgumentException(
                    "--token-secrets, --token-issuer and --token-audience are for --tenant-mode"
                            + " token, not "
                            + mode());
        }
    }

    /** Sets the plan's tenants and how the job learns them. */
    void applyTo(LoadPlanBuilder plan) {
        plan.tenants(tenants);
        switch (tenantMode) {
            case TOPIC -> plan.topicPerTenant(topicTemplate);
            case TOKEN ->
                    plan.tokens(
                            new TokenSettings(
                                    tokenSecrets,
                                    tokenIssuer,
                                    tokenAudience,
                                    Duration.ofSeconds(tokenLifetimeSeconds)));
            default -> plan.defaultTenant();
        }
    }

    private String mode() {
        return tenantMode.name().toLowerCase(Locale.ROOT);
    }
}
