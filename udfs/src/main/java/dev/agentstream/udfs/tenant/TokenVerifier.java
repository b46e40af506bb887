package dev.agentstream.udfs.tenant;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.DeadLetterReason;

import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies the JWT an envelope carries and says whose it is. The algorithm is the key's, never the
 * header's choice: a public key verifies its one algorithm, a tenant's secret HS256 alone; {@code
 * none}, encrypted tokens and HMAC with a public key's id are refused. Then {@code typ}, {@code
 * iss}, {@code aud}, {@code exp} and {@code nbf} (with the clock skew), the tenant claim, and the
 * senders claim, which must allow the envelope's {@code <from>} ({@code *}: anyone; never the job's
 * own sender name). Each failure has its own reason; no detail quotes any part of the token.
 *
 * <p>A token signed with a tenant's secret is that tenant's and no other's: its tenant claim must
 * name the secret's owner.
 *
 * <p>Not thread-safe: one per operator instance.
 */
public final class TokenVerifier {

    /** What a verified token allows. */
    public record Verified(String tenant) {}

    private static final String ANY_SENDER = "*";

    private final TenantSettings settings;
    private final TokenKeys keys;
    private final Set<String> types;

    public TokenVerifier(TenantSettings settings, TokenKeys keys) {
        this.settings = settings;
        this.keys = keys;
        this.types =
                settings.tokenTypes().stream()
                        .map(TokenVerifier::normalType)
                        .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The tenant of {@code token}, sent as {@code from} at {@code now} (epoch milliseconds).
     *
     * @throws TenantException with the reason the token is refused
     */
    public Verified verify(String token, String from, long now) throws TenantException {
        keys.refresh(now);
        SignedJWT jwt = parse(token);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused(DeadLetterReason.TOKEN_MALFORMED, "the token's claims are not JSON");
        }
        JWSHeader header = jwt.getHeader();
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw refused(
                    DeadLetterReason.TOKEN_MALFORMED,
                    "the token has critical header parameters, which are not understood");
        }
        Optional<String> owner = checkSignature(jwt, claims);
        checkType(header.getType());
        checkClaims(claims, now);
        String tenant = tenantOf(claims, owner);
        checkSender(claims, from, tenant);
        return new Verified(tenant);
    }

    private static SignedJWT parse(String token) throws TenantException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            if (declaresNone(token)) {
                // alg none with a signature part: no JWT, but the same attempt as an unsigned one.
                throw refused(DeadLetterReason.TOKEN_ALGORITHM, "alg none is refused");
            }
            throw refused(DeadLetterReason.TOKEN_MALFORMED, "the token is not a JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw refused(
                    DeadLetterReason.TOKEN_ALGORITHM, "an unsigned token (alg none) is refused");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw refused(DeadLetterReason.TOKEN_ALGORITHM, "an encrypted token is refused");
        }
        return signed;
    }

    private static boolean declaresNone(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        try {
            return Header.parse(new Base64URL(token.substring(0, dot))) instanceof PlainHeader;
        } catch (ParseException notAHeader) {
            return false;
        }
    }

    /**
     * Verifies the signature with the key the token names (or, without a {@code kid}, every key of
     * its algorithm); for an HS256 token, with the secret of the tenant it names.
     *
     * @return the tenant whose secret signed the token, when a secret did
     */
    private Optional<String> checkSignature(SignedJWT jwt, JWTClaimsSet claims)
            throws TenantException {
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        String kid = jwt.getHeader().getKeyID();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            if (!JWSAlgorithm.HS256.equals(alg) || keys.hasPublicKey(kid)) {
                // HS384/512 are not offered; HMAC under a public key's id is the old confusion.
                throw refused(
                        DeadLetterReason.TOKEN_ALGORITHM,
                        "the token's HMAC algorithm is not its key's");
            }
            String owner =
                    kid != null && keys.secret(kid).isPresent()
                            ? kid
                            : claimString(claims, settings.tenantClaim());
            byte[] secret =
                    keys.secret(owner)
                            .orElseThrow(
                                    () ->
                                            refused(
                                                    DeadLetterReason.TOKEN_SIGNATURE,
                                                    "no tenant secret verifies the token"));
            if (!verifies(jwt, () -> new MACVerifier(secret))) {
                throw refused(DeadLetterReason.TOKEN_SIGNATURE, "the token's signature is wrong");
            }
            return Optional.of(owner);
        }
        List<TokenKeys.PublicKey> named =
                keys.publicKeys().stream()
                        .filter(k -> kid == null || kid.equals(k.jwk().getKeyID()))
                        .toList();
        if (named.isEmpty()) {
            throw refused(DeadLetterReason.TOKEN_SIGNATURE, "no key the job knows signs the token");
        }
        List<TokenKeys.PublicKey> usable =
                named.stream().filter(k -> k.algorithm().equals(alg)).toList();
        if (usable.isEmpty()) {
            throw refused(
                    DeadLetterReason.TOKEN_ALGORITHM,
                    "the token's algorithm is not the one its key allows");
        }
        for (TokenKeys.PublicKey key : usable) {
            if (verifies(jwt, () -> verifierOf(key))) {
                return Optional.empty();
            }
        }
        throw refused(DeadLetterReason.TOKEN_SIGNATURE, "the token's signature is wrong");
    }

    private interface VerifierSupplier {
        JWSVerifier get() throws JOSEException;
    }

    private static boolean verifies(SignedJWT jwt, VerifierSupplier verifier) {
        try {
            return jwt.verify(verifier.get());
        } catch (JOSEException | RuntimeException e) {
            return false;
        }
    }

    private static JWSVerifier verifierOf(TokenKeys.PublicKey key) throws JOSEException {
        if (key.jwk() instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        return new ECDSAVerifier((ECKey) key.jwk());
    }

    private void checkType(JOSEObjectType type) throws TenantException {
        if (type == null || !types.contains(normalType(type.getType()))) {
            throw refused(
                    DeadLetterReason.TOKEN_TYPE,
                    "the token's typ is missing or not one of " + settings.tokenTypes());
        }
    }

    private void checkClaims(JWTClaimsSet claims, long now) throws TenantException {
        if (!settings.issuer().equals(claims.getIssuer())) {
            throw refused(DeadLetterReason.TOKEN_ISSUER, "the token's iss is not the issuer's");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(settings.audience())) {
            throw refused(DeadLetterReason.TOKEN_AUDIENCE, "the token is not for this audience");
        }
        long skew = settings.clockSkew().toMillis();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refused(DeadLetterReason.TOKEN_MALFORMED, "the token has no exp");
        }
        if (now >= exp.getTime() + skew) {
            throw refused(DeadLetterReason.TOKEN_EXPIRED, "the token has expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skew < nbf.getTime()) {
            throw refused(DeadLetterReason.TOKEN_NOT_YET_VALID, "the token is not valid yet");
        }
    }

    private String tenantOf(JWTClaimsSet claims, Optional<String> owner) throws TenantException {
        String tenant = claimString(claims, settings.tenantClaim());
        if (tenant == null || tenant.isEmpty()) {
            throw refused(
                    DeadLetterReason.TOKEN_NO_TENANT,
                    "the token has no " + settings.tenantClaim() + " claim");
        }
        if (owner.isPresent() && !owner.get().equals(tenant)) {
            throw refused(
                    DeadLetterReason.TOKEN_SIGNATURE,
                    "the token names another tenant than the one whose secret signed it");
        }
        if (!TenantNames.isValid(tenant)) {
            throw refused(
                    DeadLetterReason.BAD_TENANT,
                    "the token's tenant is not a tenant name ([a-z0-9][a-z0-9._-]{0,63})");
        }
        return tenant;
    }

    private void checkSender(JWTClaimsSet claims, String from, String tenant)
            throws TenantException {
        Object value = claims.getClaim(settings.sendersClaim());
        List<?> senders =
                value instanceof List<?> list
                        ? list
                        : value instanceof String one ? List.of(one) : List.of();
        // Only the job speaks as the job, and its envelopes carry its stamp: no token may.
        boolean job = SystemPayloads.JOB_SENDER.equals(from);
        boolean named = senders.contains(from);
        boolean any = senders.contains(ANY_SENDER);
        if (job || (!named && !any)) {
            throw new TenantException(
                    DeadLetterReason.SENDER_NOT_ALLOWED,
                    "the token of tenant " + tenant + " does not allow this <from>",
                    tenant);
        }
    }

    private static String claimString(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String s ? s : null;
    }

    /** {@code typ} compared as RFC 7515 says: case-insensitive, {@code application/} optional. */
    private static String normalType(String type) {
        String t = type.toLowerCase(Locale.ROOT).strip();
        return t.startsWith("application/") ? t.substring("application/".length()) : t;
    }

    private static TenantException refused(DeadLetterReason reason, String detail) {
        return new TenantException(reason, detail);
    }
}
