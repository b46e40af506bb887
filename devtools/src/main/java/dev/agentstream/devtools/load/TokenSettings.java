package dev.agentstream.devtools.load;

import org.apache.flink.util.Preconditions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the generator signs tokens with in {@link TenantMode#TOKEN}: the job's {@code
 * tenant.secrets-file} (a YAML or JSON map of tenant to base64 HS256 secret), and the issuer and
 * audience the job checks ({@code tenant.token-issuer}, {@code tenant.token-audience}). Tokens name
 * their tenant in the claim {@code tenant} and allow the plan's sender in {@code senders}, the
 * job's default claims.
 *
 * @param lifetime how long each token is valid; a token is signed again when a quarter of it is
 *     left
 */
public record TokenSettings(Path secretsFile, String issuer, String audience, Duration lifetime) {

    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private static final Duration MAX_LIFETIME = Duration.ofDays(366);

    public TokenSettings {
        Preconditions.checkNotNull(secretsFile, "token mode needs the tenants' secrets file");
        Preconditions.checkArgument(
                issuer != null && !issuer.isBlank(), "token mode needs the tokens' issuer");
        Preconditions.checkArgument(
                audience != null && !audience.isBlank(), "token mode needs the tokens' audience");
        lifetime = lifetime == null ? DEFAULT_LIFETIME : lifetime;
        Preconditions.checkArgument(
                lifetime.compareTo(Duration.ofMinutes(1)) >= 0,
                "a token lifetime under a minute leaves no room for the clock skew: %s",
                lifetime);
        Preconditions.checkArgument(
                lifetime.compareTo(MAX_LIFETIME) <= 0,
                "a token lifetime must be at most a year: %s",
                lifetime);
    }
}
