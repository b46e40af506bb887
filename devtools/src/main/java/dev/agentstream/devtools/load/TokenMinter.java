package dev.agentstream.devtools.load;

import org.apache.flink.util.Preconditions;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.tenant.TokenKeys;

import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs each tenant's tokens (HS256, with the tenant's secret from the job's secrets file, which
 * the job's own {@link TokenKeys} reads), with the claims the job checks by default: {@code iss},
 * {@code aud}, {@code exp}, {@code tenant} and {@code senders} (the plan's client). A token is
 * reused until a quarter of its lifetime is left. Not thread-safe.
 */
final class TokenMinter {

    private record Minted(String token, long expiresAt) {}

    private final TokenSettings settings;
    private final String sender;
    private final Map<String, byte[]> secrets = new HashMap<>();
    private final Map<String, Minted> tokens = new HashMap<>();

    TokenMinter(TokenSettings settings, String sender, List<String> tenants) {
        this.settings = settings;
        this.sender = sender;
        TokenKeys keys =
                new TokenKeys(
                                TenantSettings.token(
                                        settings.issuer(),
                                        settings.audience(),
                                        null,
                                        settings.secretsFile().toString()))
                        .load();
        for (String tenant : tenants) {
            byte[] secret = keys.secret(tenant).orElse(null);
            Preconditions.checkArgument(
                    secret != null,
                    "the secrets file %s has no secret of tenant %s",
                    settings.secretsFile(),
                    tenant);
            secrets.put(tenant, secret);
        }
    }

    /** A token of {@code tenant} valid at {@code nowMillis} and for a while after. */
    String tokenFor(String tenant, long nowMillis) {
        Minted minted = tokens.get(tenant);
        long lifetime = settings.lifetime().toMillis();
        if (minted == null || minted.expiresAt() - nowMillis < lifetime / 4) {
            minted =
                    new Minted(sign(tenant, nowMillis, nowMillis + lifetime), nowMillis + lifetime);
            tokens.put(tenant, minted);
        }
        return minted.token();
    }

    private String sign(String tenant, long now, long expires) {
        JWSHeader header =
                new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();
        JWTClaimsSet claims =
                new JWTClaimsSet.Builder()
                        .issuer(settings.issuer())
                        .audience(List.of(settings.audience()))
                        .issueTime(new Date(now))
                        .expirationTime(new Date(expires))
                        .claim(TenantSettings.DEFAULT_TENANT_CLAIM, tenant)
                        .claim(TenantSettings.DEFAULT_SENDERS_CLAIM, List.of(sender))
                        .build();
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new MACSigner(secrets.get(tenant)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("a token of tenant " + tenant + " cannot be signed", e);
        }
    }
}
