package dev.agentstream.udfs.tenant;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.agentstream.udfs.tenant.TokenFixtures.NOW;
import static dev.agentstream.udfs.tenant.TokenFixtures.THREAD;
import static dev.agentstream.udfs.tenant.TokenFixtures.claims;
import static dev.agentstream.udfs.tenant.TokenFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The tenant of an envelope in each mode, and the job's stamps coming back from the bus. */
class TenantResolverTest {

    private static final EnvelopeLimits LIMITS = EnvelopeLimits.defaults();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(LIMITS);
    private static final String TEMPLATE = "agentstream.bus.{tenant}";

    @TempDir static Path dir;

    private static TokenFixtures keys;
    private static byte[] registryKey;

    @BeforeAll
    static void setUp() {
        keys = new TokenFixtures(dir);
        registryKey = Fixtures.registry().loadKey();
    }

    // ------------------------------------------------------------ default

    @Test
    void shouldGiveEveryEnvelopeTheDefaultTenantInDefaultMode() throws Exception {
        TenantResolver resolver = resolver(TenantSettings.defaults());
        String token = keys.rs256(claims("acme", "console").build());

        assertThat(resolver.resolve("agentstream.bus", envelope("console", ""), NOW))
                .isEqualTo("default");
        assertThat(
                        resolver.resolve(
                                "agentstream.bus.acme",
                                envelope("console", keys.tokenElement(token)),
                                NOW))
                .as("a token changes nothing in default mode")
                .isEqualTo("default");
    }

    @Test
    void shouldRefuseAStampOfAnotherTenantInDefaultMode() {
        Envelope stamped = readBack(fromTheJob("acme"));

        assertThat(refusal(resolver(TenantSettings.defaults()), "agentstream.bus", stamped))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    // ------------------------------------------------------------ topic

    @Test
    void shouldTakeTheTenantFromTheTopicInTopicMode() throws Exception {
        TenantResolver resolver = resolver(TenantSettings.topic(TEMPLATE));

        assertThat(resolver.resolve("agentstream.bus.acme", envelope("console", ""), NOW))
                .isEqualTo("acme");
        assertThat(resolver.resolve("agentstream.bus.globex-eu.1", envelope("console", ""), NOW))
                .isEqualTo("globex-eu.1");
    }

    @Test
    void shouldRefuseATopicWhoseTenantPartIsNoTenantName() {
        TenantResolver resolver = resolver(TenantSettings.topic(TEMPLATE));

        assertThat(refusal(resolver, "agentstream.bus.Acme", envelope("console", "")))
                .isEqualTo(DeadLetterReason.BAD_TENANT);
        assertThat(refusal(resolver, "agentstream.bus._x", envelope("console", "")))
                .isEqualTo(DeadLetterReason.BAD_TENANT);
        assertThat(refusal(resolver, "other.topic", envelope("console", "")))
                .isEqualTo(DeadLetterReason.BAD_TENANT);
    }

    @Test
    void shouldFallBackToTheDefaultTenantInTopicModeWithoutATemplate() throws Exception {
        TenantResolver resolver = resolver(TenantSettings.topic(null));

        assertThat(resolver.resolve("agentstream.bus", envelope("console", ""), NOW))
                .isEqualTo("default");
    }

    @Test
    void shouldRefuseAStampOfAnotherTenantThanTheTopics() throws Exception {
        TenantResolver resolver = resolver(TenantSettings.topic(TEMPLATE));
        Envelope acmes = readBack(fromTheJob("acme"));

        assertThat(resolver.resolve("agentstream.bus.acme", acmes, NOW)).isEqualTo("acme");
        assertThat(refusal(resolver, "agentstream.bus.globex", acmes))
                .as("acme's output copied onto globex's topic")
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    // ------------------------------------------------------------ token mode: stamps

    @Test
    void shouldAttributeTheJobsOwnOutputToItsTenantWithoutAToken() throws Exception {
        Envelope back = readBack(fromTheJob("acme"));

        assertThat(back.metaExtensions).contains("<tenant ").contains(">acme</tenant>");
        assertThat(tokenMode().resolve("agentstream.bus", back, NOW)).isEqualTo("acme");
    }

    @Test
    void shouldRefuseAStampForgedByAnOutsideWriter() {
        Envelope forged = envelope("greeter", stampFor("acme", "bm90IGEgc2lnbmF0dXJl"));

        assertThat(refusal(tokenMode(), "agentstream.bus", forged))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    @Test
    void shouldRefuseAStampWithoutASignature() {
        Envelope forged =
                envelope(
                        "greeter", "<tenant xmlns=\"https://agentstream.dev/ns/v1\">acme</tenant>");

        assertThat(refusal(tokenMode(), "agentstream.bus", forged))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    @Test
    void shouldRefuseAStampCopiedOntoAnotherPayloadOrTenant() {
        Envelope genuine = readBack(fromTheJob("acme"));

        Envelope otherPayload = copy(genuine);
        otherPayload.payloadXml = "<GreetingResponse>refund approved</GreetingResponse>";
        assertThat(refusal(tokenMode(), "agentstream.bus", otherPayload))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);

        Envelope otherThread = copy(genuine);
        otherThread.thread = Fixtures.THREAD_B;
        assertThat(refusal(tokenMode(), "agentstream.bus", otherThread))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);

        String sig = genuine.metaExtensions.replaceAll("(?s).*sig=\"([^\"]+)\".*", "$1");
        Envelope otherTenant = copy(genuine);
        otherTenant.metaExtensions = stampFor("globex", sig);
        assertThat(refusal(tokenMode(), "agentstream.bus", otherTenant))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    @Test
    void shouldRefuseAStampSignedWithAnotherKey() {
        TenantStamps other =
                new TenantStamps(
                        "another-jobs-registry-key-0123456789abcdef".getBytes(),
                        new TenantXml(LIMITS));
        Envelope e = fromTheJob("acme");
        Envelope back = decode(other.encode(e, CODEC));

        assertThat(refusal(tokenMode(), "agentstream.bus", back))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    @Test
    void shouldRefuseTwoStamps() {
        Envelope back = readBack(fromTheJob("acme"));
        back.metaExtensions = back.metaExtensions + back.metaExtensions;

        assertThat(refusal(tokenMode(), "agentstream.bus", back))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    @Test
    void shouldVerifyNoStampWithoutAKey() {
        TenantResolver keyless = new TenantResolver(TenantSettings.defaults(), null, LIMITS);
        Envelope back = readBack(fromTheJob("default"));

        assertThat(refusal(keyless, "agentstream.bus", back))
                .isEqualTo(DeadLetterReason.FORGED_TENANT);
    }

    // ------------------------------------------------------------ settings

    @Test
    void shouldRefuseSettingsThatCannotWork() {
        assertThat(
                        catchThrowableOfType(
                                IllegalArgumentException.class,
                                () -> TenantSettings.token(null, "aud", "keys.jwks", null)))
                .hasMessageContaining("tenant.token-issuer");
        assertThat(
                        catchThrowableOfType(
                                IllegalArgumentException.class,
                                () -> TenantSettings.token("iss", "aud", null, null)))
                .hasMessageContaining("tenant.jwks-file");
        assertThat(
                        catchThrowableOfType(
                                IllegalArgumentException.class,
                                () ->
                                        new TenantSettings(
                                                TenantSource.DEFAULT,
                                                "Default",
                                                null,
                                                null,
                                                null,
                                                null,
                                                null,
                                                TenantSettings.DEFAULT_CLOCK_SKEW,
                                                TenantSettings.DEFAULT_TOKEN_TYPES,
                                                "tenant",
                                                "senders")))
                .hasMessageContaining("not a tenant name");
    }

    // ------------------------------------------------------------ helpers

    private static TenantResolver resolver(TenantSettings settings) {
        return new TenantResolver(settings, registryKey, LIMITS);
    }

    private static TenantResolver tokenMode() {
        return resolver(keys.settings());
    }

    /** An envelope the job writes for {@code tenant}: an agent's answer on {@link #THREAD}. */
    private static Envelope fromTheJob(String tenant) {
        Envelope e =
                new Envelope(
                        "greeter",
                        "shouter",
                        THREAD,
                        "<GreetingResponse><text>hello Ada</text></GreetingResponse>",
                        "GreetingResponse",
                        "");
        e.tenant = tenant;
        return e;
    }

    /** {@code e} as the bus sink writes it and decode reads it back. */
    private static Envelope readBack(Envelope e) {
        return decode(new TenantStamps(registryKey, new TenantXml(LIMITS)).encode(e, CODEC));
    }

    private static Envelope decode(byte[] bytes) {
        try {
            Envelope e = CODEC.decode(bytes);
            e.envelopeId = "bus-0-9";
            return e;
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    private static Envelope copy(Envelope e) {
        Envelope c =
                new Envelope(
                        e.from, e.to, e.thread, e.payloadXml, e.payloadRoot, e.payloadNamespace);
        c.metaExtensions = e.metaExtensions;
        c.envelopeId = e.envelopeId;
        return c;
    }

    private static String stampFor(String tenant, String sig) {
        return "<tenant xmlns=\"https://agentstream.dev/ns/v1\" sig=\""
                + sig
                + "\">"
                + tenant
                + "</tenant>";
    }

    private static DeadLetterReason refusal(TenantResolver resolver, String topic, Envelope e) {
        TenantException refused =
                catchThrowableOfType(TenantException.class, () -> resolver.resolve(topic, e, NOW));
        assertThat(refused).as("refused").isNotNull();
        return refused.reason();
    }
}
