package dev.agentstream.devtools.tenant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.tenant.TenantXml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HS256 secrets of a few tenants in a {@code tenant.secrets-file}, and tokens signed with them, for
 * tests that run the job in token mode: valid ones, and ones that claim another tenant than their
 * signer's.
 */
public final class TenantTokens {

    public static final String ISSUER = "https://id.agentstream.test";
    public static final String AUDIENCE = "agentstream-bus";

    private final Map<String, byte[]> secrets = new LinkedHashMap<>();
    private final Path secretsFile;
    private final TenantXml xml = new TenantXml(EnvelopeLimits.defaults());

    /** Fresh 32-byte secrets for {@code tenants}, written to {@code secretsFile} as YAML. */
    public TenantTokens(Path secretsFile, String... tenants) throws IOException {
        SecureRandom random = new SecureRandom();
        StringBuilder yaml = new StringBuilder();
        for (String tenant : tenants) {
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            secrets.put(tenant, secret);
            yaml.append(tenant)
                    .append(": ")
                    .append(Base64.getEncoder().encodeToString(secret))
                    .append('\n');
        }
        Files.writeString(secretsFile, yaml.toString());
        this.secretsFile = secretsFile;
    }

    public Path secretsFile() {
        return secretsFile;
    }

    /** A valid token of {@code tenant} that may send as {@code senders}, signed with its secret. */
    public String token(String tenant, String... senders) {
        return sign(tenant, null, tenant, senders);
    }

    /**
     * A token signed with {@code signer}'s secret that claims {@code claimed}, under the key id
     * {@code kid} (null for none): what a tenant could make to pass for another.
     */
    public String sign(String signer, String kid, String claimed, String... senders) {
        JWSHeader.Builder header =
                new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT);
        if (kid != null) {
            header.keyID(kid);
        }
        long now = System.currentTimeMillis();
        JWTClaimsSet claims =
                new JWTClaimsSet.Builder()
                        .issuer(ISSUER)
                        .audience(List.of(AUDIENCE))
                        .issueTime(new Date(now - 1_000))
                        .expirationTime(new Date(now + 600_000))
                        .claim("tenant", claimed)
                        .claim("senders", List.of(senders))
                        .build();
        try {
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(new MACSigner(secrets.get(signer)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The meta extension that carries {@code token}. */
    public String element(String token) {
        return xml.writeToken(token);
    }
}
