package dev.agentstream.udfs.tenant;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Keys, key files and tokens for the tenant tests, made fresh for each test class: an RSA and an EC
 * key in a JWKS file, HS256 secrets of two tenants in a YAML file, and tokens signed with them.
 */
final class TokenFixtures {

    static final String ISSUER = "https://id.agentstream.test";
    static final String AUDIENCE = "agentstream-bus";
    static final long NOW = 1_750_000_000_000L;
    static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
    static final String RSA_KID = "rsa-1";
    static final String EC_KID = "ec-1";

    final RSAKey rsa;
    final RSAKey impostorRsa;
    final ECKey ec;
    final byte[] acmeSecret = random(32);
    final byte[] globexSecret = random(48);
    final Path jwksFile;
    final Path secretsFile;

    private final TenantXml xml = new TenantXml(EnvelopeLimits.defaults());

    TokenFixtures(Path dir) {
        try {
            rsa = new RSAKeyGenerator(2048).keyID(RSA_KID).generate();
            impostorRsa = new RSAKeyGenerator(2048).keyID(RSA_KID).generate();
            ec = new ECKeyGenerator(Curve.P_256).keyID(EC_KID).generate();
            jwksFile = dir.resolve("keys.jwks");
            Files.writeString(jwksFile, new JWKSet(List.of(rsa, ec)).toPublicJWKSet().toString());
            secretsFile = dir.resolve("secrets.yaml");
            Files.writeString(
                    secretsFile,
                    "acme: "
                            + Base64.getEncoder().encodeToString(acmeSecret)
                            + "\nglobex: "
                            + Base64.getUrlEncoder().encodeToString(globexSecret)
                            + "\n");
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TenantSettings settings() {
        return TenantSettings.token(ISSUER, AUDIENCE, jwksFile.toString(), secretsFile.toString());
    }

    /** Claims of a token valid at {@link #NOW} for {@code tenant}, sending as {@code senders}. */
    static JWTClaimsSet.Builder claims(String tenant, String... senders) {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(List.of(AUDIENCE, "someone-else"))
                .subject("client-7")
                .issueTime(new Date(NOW - 60_000))
                .notBeforeTime(new Date(NOW - 60_000))
                .expirationTime(new Date(NOW + 600_000))
                .claim("tenant", tenant)
                .claim("senders", List.of(senders));
    }

    String hs256(byte[] secret, JWTClaimsSet claims) {
        return sign(macSigner(secret), header(JWSAlgorithm.HS256, null, "JWT"), claims);
    }

    String hs256WithKid(byte[] secret, String kid, JWTClaimsSet claims) {
        return sign(macSigner(secret), header(JWSAlgorithm.HS256, kid, "JWT"), claims);
    }

    String hmac(JWSAlgorithm alg, byte[] secret, JWTClaimsSet claims) {
        return sign(macSigner(secret), header(alg, null, "JWT"), claims);
    }

    String rs256WithKid(String kid, JWTClaimsSet claims) {
        try {
            return sign(new RSASSASigner(rsa), header(JWSAlgorithm.RS256, kid, "JWT"), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    String rs256(JWTClaimsSet claims) {
        return rs256(rsa, claims);
    }

    String rs256(RSAKey key, JWTClaimsSet claims) {
        try {
            return sign(new RSASSASigner(key), header(JWSAlgorithm.RS256, RSA_KID, "JWT"), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    String es256(JWTClaimsSet claims, String typ) {
        try {
            return sign(new ECDSASigner(ec), header(JWSAlgorithm.ES256, EC_KID, typ), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HS256 with the RSA public key's bytes as the secret and the RSA key's id: the confusion. */
    String hs256WithPublicKey(JWTClaimsSet claims) {
        try {
            byte[] publicBytes = rsa.toRSAPublicKey().getEncoded();
            return sign(
                    new MACSigner(publicBytes), header(JWSAlgorithm.HS256, RSA_KID, "JWT"), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An envelope from {@code from} on {@link #THREAD} whose meta holds {@code extensions}. */
    static Envelope envelope(String from, String extensions) {
        Envelope e =
                new Envelope(
                        from,
                        "greeter",
                        THREAD,
                        "<Greeting><name>Ada</name></Greeting>",
                        "Greeting",
                        "");
        e.metaExtensions = extensions;
        e.envelopeId = "bus-0-1";
        return e;
    }

    /** {@code <token xmlns="https://agentstream.dev/ns/v1">token</token>}. */
    String tokenElement(String token) {
        return xml.writeToken(token);
    }

    static JWSHeader header(JWSAlgorithm alg, String kid, String typ) {
        JWSHeader.Builder b = new JWSHeader.Builder(alg);
        if (kid != null) {
            b.keyID(kid);
        }
        if (typ != null) {
            b.type(new JOSEObjectType(typ));
        }
        return b.build();
    }

    private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWSSigner macSigner(byte[] secret) {
        try {
            return new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
