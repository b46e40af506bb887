package dev.agentstream.udfs.tenant;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Date;

import static dev.agentstream.udfs.tenant.TokenFixtures.ISSUER;
import static dev.agentstream.udfs.tenant.TokenFixtures.NOW;
import static dev.agentstream.udfs.tenant.TokenFixtures.claims;
import static dev.agentstream.udfs.tenant.TokenFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The JWT vector test: tokens a client may send, each accepted or refused with its own reason, as
 * the decode stage sees them (in an envelope's meta, token mode). No refusal's detail quotes any
 * part of the token.
 */
class TokenVerifierTest {

    private static final long SKEW = TenantSettings.DEFAULT_CLOCK_SKEW.toMillis();

    @TempDir static Path dir;

    private static TokenFixtures keys;
    private static TenantResolver resolver;

    @BeforeAll
    static void setUp() {
        keys = new TokenFixtures(dir);
        resolver = new TenantResolver(keys.settings(), null, EnvelopeLimits.defaults());
    }

    // ------------------------------------------------------------ accepted

    @Test
    void shouldAcceptAnHs256TokenSignedWithTheTenantsSecret() throws Exception {
        String token = keys.hs256(keys.acmeSecret, claims("acme", "console").build());

        assertThat(tenantOf("console", token)).isEqualTo("acme");
    }

    @Test
    void shouldAcceptAnHs256TokenOfASecondTenantWithAUrlSafeSecret() throws Exception {
        String token = keys.hs256(keys.globexSecret, claims("globex", "console").build());

        assertThat(tenantOf("console", token)).isEqualTo("globex");
    }

    @Test
    void shouldAcceptAnRs256TokenSignedWithTheJwksKey() throws Exception {
        String token = keys.rs256(claims("acme", "console").build());

        assertThat(tenantOf("console", token)).isEqualTo("acme");
    }

    @Test
    void shouldAcceptAnEs256AccessTokenSignedWithTheJwksKey() throws Exception {
        String token = keys.es256(claims("initech", "*").build(), "at+jwt");

        assertThat(tenantOf("billing-portal", token)).isEqualTo("initech");
    }

    @Test
    void shouldAcceptATokenExpiredWithinTheClockSkew() throws Exception {
        JWTClaimsSet claims =
                claims("acme", "console").expirationTime(new Date(NOW - SKEW + 1_000)).build();

        assertThat(tenantOf("console", keys.rs256(claims))).isEqualTo("acme");
    }

    @Test
    void shouldAcceptATokenNotYetValidWithinTheClockSkew() throws Exception {
        JWTClaimsSet claims =
                claims("acme", "console").notBeforeTime(new Date(NOW + SKEW - 1_000)).build();

        assertThat(tenantOf("console", keys.rs256(claims))).isEqualTo("acme");
    }

    // ------------------------------------------------------------ refused: the signature

    @Test
    void shouldRefuseAnUnsignedToken() {
        String token = new PlainJWT(claims("acme", "console").build()).serialize();

        assertRefused("console", token, DeadLetterReason.TOKEN_ALGORITHM);
    }

    @Test
    void shouldRefuseAnAlgNoneHeaderOnASignedLookingToken() {
        String signed = keys.rs256(claims("acme", "console").build());
        String[] parts = signed.split("\\.");
        String none = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();

        assertRefused(
                "console",
                none + "." + parts[1] + "." + parts[2],
                DeadLetterReason.TOKEN_ALGORITHM);
    }

    @Test
    void shouldRefuseHs256SignedWithTheRsaPublicKeysBytes() {
        String token = keys.hs256WithPublicKey(claims("acme", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_ALGORITHM);
    }

    @Test
    void shouldRefuseAnRs256TokenSignedWithAnotherKeyUnderTheSameId() {
        String token = keys.rs256(keys.impostorRsa, claims("acme", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_SIGNATURE);
    }

    @Test
    void shouldRefuseAnHs256TokenSignedWithAnotherSecret() {
        byte[] guessed = "an-attacker-guessed-this-secret!!".getBytes();
        String token = keys.hs256(guessed, claims("acme", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_SIGNATURE);
    }

    @Test
    void shouldRefuseATokenSignedWithOneTenantsSecretThatClaimsAnother() {
        // globex signs with its own secret, names it as the kid and acme as the tenant.
        String token =
                keys.hs256WithKid(keys.globexSecret, "globex", claims("acme", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_SIGNATURE);
    }

    @Test
    void shouldRefuseAnHs384TokenEvenWithTheTenantsSecret() {
        String token =
                keys.hmac(
                        JWSAlgorithm.HS384, keys.globexSecret, claims("globex", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_ALGORITHM);
    }

    @Test
    void shouldRefuseAnRs256TokenWhoseKeyIdIsTheEcKeys() {
        String token = keys.rs256WithKid(TokenFixtures.EC_KID, claims("acme", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_ALGORITHM);
    }

    @Test
    void shouldRefuseATokenWithAnUnknownKeyId() {
        String token = keys.rs256WithKid("rsa-2", claims("acme", "console").build());

        assertRefused("console", token, DeadLetterReason.TOKEN_SIGNATURE);
    }

    @Test
    void shouldRefuseATokenThatIsNotAJwt() {
        assertRefused("console", "not.a.jwt", DeadLetterReason.TOKEN_MALFORMED);
        assertRefused("console", "", DeadLetterReason.TOKEN_MALFORMED);
    }

    // ------------------------------------------------------------ refused: the claims

    @Test
    void shouldRefuseATokenExpiredBeyondTheClockSkew() {
        JWTClaimsSet claims =
                claims("acme", "console").expirationTime(new Date(NOW - SKEW - 1)).build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.TOKEN_EXPIRED);
    }

    @Test
    void shouldRefuseATokenWithoutExpiry() {
        JWTClaimsSet claims = claims("acme", "console").expirationTime(null).build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.TOKEN_MALFORMED);
    }

    @Test
    void shouldRefuseATokenNotYetValidBeyondTheClockSkew() {
        JWTClaimsSet claims =
                claims("acme", "console").notBeforeTime(new Date(NOW + SKEW + 1_000)).build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.TOKEN_NOT_YET_VALID);
    }

    @Test
    void shouldRefuseATokenOfAnotherIssuer() {
        JWTClaimsSet claims = claims("acme", "console").issuer(ISSUER + ".evil").build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.TOKEN_ISSUER);
    }

    @Test
    void shouldRefuseATokenForAnotherAudience() {
        JWTClaimsSet claims = claims("acme", "console").audience("another-bus").build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.TOKEN_AUDIENCE);
    }

    @Test
    void shouldRefuseATokenOfAnotherOrNoType() {
        JWTClaimsSet claims = claims("acme", "console").build();

        assertRefused("console", keys.es256(claims, "id+jwt"), DeadLetterReason.TOKEN_TYPE);
        assertRefused("console", keys.es256(claims, null), DeadLetterReason.TOKEN_TYPE);
    }

    @Test
    void shouldRefuseATokenWithoutTheTenantClaim() {
        JWTClaimsSet claims = claims("acme", "console").claim("tenant", null).build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.TOKEN_NO_TENANT);
    }

    @Test
    void shouldRefuseATokenWhoseTenantIsNoTenantName() {
        JWTClaimsSet claims = claims("Acme/Corp", "console").build();

        assertRefused("console", keys.rs256(claims), DeadLetterReason.BAD_TENANT);
    }

    @Test
    void shouldRefuseASenderTheTokenDoesNotAllowAndKeepItsTenant() {
        String token = keys.rs256(claims("acme", "console").build());

        TenantException e = refusal("greeter", envelope("greeter", keys.tokenElement(token)));
        assertThat(e.reason()).isEqualTo(DeadLetterReason.SENDER_NOT_ALLOWED);
        assertThat(e.tenant()).isEqualTo("acme");
        assertRefused(
                "greeter", keys.rs256(claims("acme").build()), DeadLetterReason.SENDER_NOT_ALLOWED);
    }

    @Test
    void shouldNeverLetATokenSendAsTheJob() {
        String wildcard = keys.rs256(claims("acme", "*").build());
        String named = keys.rs256(claims("acme", "agentstream").build());

        assertRefused("agentstream", wildcard, DeadLetterReason.SENDER_NOT_ALLOWED);
        assertRefused("agentstream", named, DeadLetterReason.SENDER_NOT_ALLOWED);
    }

    // ------------------------------------------------------------ refused: where it is

    @Test
    void shouldRefuseAnEnvelopeWithoutAToken() {
        assertThat(refusal("console", envelope("console", "")).reason())
                .isEqualTo(DeadLetterReason.TOKEN_MISSING);
    }

    @Test
    void shouldRefuseATokenInAnotherNamespace() {
        String token = keys.rs256(claims("acme", "console").build());
        String foreign = "<token xmlns=\"https://agentstream.example/ns/v1\">" + token + "</token>";

        assertThat(refusal("console", envelope("console", foreign)).reason())
                .isEqualTo(DeadLetterReason.TOKEN_MISSING);
    }

    @Test
    void shouldRefuseATokenNestedInAnotherExtension() {
        String token = keys.rs256(claims("acme", "console").build());
        String nested = "<x:auth xmlns:x=\"urn:x\">" + keys.tokenElement(token) + "</x:auth>";

        assertThat(refusal("console", envelope("console", nested)).reason())
                .isEqualTo(DeadLetterReason.TOKEN_MISSING);
    }

    @Test
    void shouldRefuseTwoTokens() {
        String mine = keys.rs256(claims("acme", "console").build());
        String theirs = keys.hs256(keys.globexSecret, claims("globex", "console").build());
        String both = keys.tokenElement(mine) + keys.tokenElement(theirs);

        TenantException e = refusal("console", envelope("console", both));
        assertThat(e.reason()).isEqualTo(DeadLetterReason.TOKEN_MULTIPLE);
        assertThat(e.getMessage()).doesNotContain(mine.split("\\.")[1]);
    }

    // ------------------------------------------------------------ helpers

    private static String tenantOf(String from, String token) throws TenantException {
        return resolver.resolve("bus", envelope(from, keys.tokenElement(token)), NOW);
    }

    private static void assertRefused(String from, String token, DeadLetterReason reason) {
        TenantException e = refusal(from, envelope(from, keys.tokenElement(token)));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).isNotBlank();
        for (String part : token.split("\\.")) {
            if (part.length() > 8) {
                assertThat(e.getMessage()).doesNotContain(part);
            }
        }
    }

    private static TenantException refusal(String from, Envelope e) {
        Throwable thrown = catchThrowable(() -> resolver.resolve("bus", e, NOW));
        assertThat(thrown).as("from %s", from).isInstanceOf(TenantException.class);
        return (TenantException) thrown;
    }
}
