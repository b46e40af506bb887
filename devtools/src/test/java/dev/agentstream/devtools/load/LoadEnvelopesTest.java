package dev.agentstream.devtools.load;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.registry.LinkXml;
import dev.agentstream.udfs.tenant.TenantResolver;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.trace.TraceXml;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The envelopes the generator writes, read back with the job's own codec and tenant resolver. */
class LoadEnvelopesTest {

    private static final EnvelopeLimits LIMITS = EnvelopeLimits.defaults();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(LIMITS);
    private static final long SENT = 1_767_225_600_123_456L;

    @TempDir Path tmp;

    private final SentAt sentAt = new SentAt(LIMITS);

    @Test
    void shouldWriteAnAgentEnvelopeTheJobDecodes() throws Exception {
        LoadPlan plan = base().payloadBytes(300).build();
        LoadSequence.Step turn = new LoadSequence(plan).next();

        BusWrite write = new LoadEnvelopes(plan).write(turn, 17, SENT);
        Envelope e = CODEC.decode(write.value());

        assertThat(write.topic()).isEqualTo("bus");
        assertThat(new String(write.key(), StandardCharsets.UTF_8)).isEqualTo(e.thread);
        assertThat(e.from).isEqualTo("console");
        assertThat(e.to).isEqualTo("summarizer");
        assertThat(e.thread).isEqualTo(turn.thread().id());
        assertThat(e.payloadRoot).isEqualTo("Brief");
        assertThat(e.hasPlainPayload()).isTrue();
        assertThat(text(e.payloadXml, "Brief")).hasSize(300);
        assertThat(sentAt.read(e.metaExtensions)).contains(new SentAt.Stamp(SENT, 17, false));
        assertThat(e.metaExtensions).contains("xmlns=\"" + SentAt.NAMESPACE + "\"");
        assertThat(resolver(TenantSettings.defaults()).resolve("bus", e, 0)).isEqualTo("default");
    }

    @Test
    void shouldBeAForeignExtensionToTheJobsOwnReaders() throws Exception {
        LoadPlan plan = base().build();
        Envelope e =
                CODEC.decode(
                        new LoadEnvelopes(plan)
                                .write(new LoadSequence(plan).next(), 0, SENT)
                                .value());

        assertThat(new LinkXml(LIMITS).read(e.metaExtensions)).isEmpty();
        assertThat(new LinkXml(LIMITS).readTurnEnd(e.metaExtensions)).isEmpty();
        assertThat(new TraceXml(LIMITS).read(e.metaExtensions)).isEmpty();
    }

    @Test
    void shouldAddressPrefillToTheListenerAsContext() throws Exception {
        LoadPlan plan = base().prefill(2, "archivist").prefillElement("Summary").build();
        LoadSequence sequence = new LoadSequence(plan);
        LoadEnvelopes envelopes = new LoadEnvelopes(plan);

        Envelope first = CODEC.decode(envelopes.write(sequence.next(), -1, SENT).value());
        Envelope second = CODEC.decode(envelopes.write(sequence.next(), -1, SENT).value());
        Envelope turn = CODEC.decode(envelopes.write(sequence.next(), 0, SENT).value());

        assertThat(first.to).isEqualTo("archivist");
        assertThat(first.payloadRoot).isEqualTo("Summary");
        assertThat(sentAt.read(first.metaExtensions)).contains(new SentAt.Stamp(SENT, -1, true));
        assertThat(second.payloadXml).isNotEqualTo(first.payloadXml);
        assertThat(turn.to).isEqualTo("summarizer");
        assertThat(turn.thread).isEqualTo(first.thread);
    }

    @Test
    void shouldRepeatTheOriginalsPayloadsOnADuplicateThread() throws Exception {
        LoadPlan plan = base().prefill(2, "archivist").threads(1).duplicateFraction(0.6).build();
        LoadSequence sequence = new LoadSequence(plan);
        LoadEnvelopes envelopes = new LoadEnvelopes(plan);
        List<LoadSequence.Step> steps = new ArrayList<>();
        List<Envelope> decoded = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            LoadSequence.Step step = sequence.next();
            steps.add(step);
            decoded.add(CODEC.decode(envelopes.write(step, i, SENT).value()));
        }

        int checked = 0;
        for (int i = 0; i < steps.size(); i++) {
            FreshThread thread = steps.get(i).thread();
            if (!thread.duplicate()) {
                continue;
            }
            int original = firstOf(steps, thread.content(), steps.get(i));
            assertThat(decoded.get(i).payloadXml).isEqualTo(decoded.get(original).payloadXml);
            assertThat(decoded.get(i).to).isEqualTo(decoded.get(original).to);
            assertThat(decoded.get(i).thread).isNotEqualTo(decoded.get(original).thread);
            checked++;
        }
        assertThat(checked).isGreaterThan(50);
    }

    @Test
    void shouldPutEachTenantsTopicInTopicMode() throws Exception {
        LoadPlan plan = base().topicPerTenant("bus.{tenant}.in").tenants(3).build();
        LoadSequence sequence = new LoadSequence(plan);
        LoadEnvelopes envelopes = new LoadEnvelopes(plan);
        TenantResolver resolver = resolver(TenantSettings.topic("bus.{tenant}.in"));

        for (int i = 0; i < 6; i++) {
            LoadSequence.Step step = sequence.next();
            BusWrite write = envelopes.write(step, i, SENT);
            Envelope e = CODEC.decode(write.value());

            assertThat(write.topic()).isEqualTo("bus." + step.thread().tenant() + ".in");
            assertThat(resolver.resolve(write.topic(), e, 0)).isEqualTo(step.thread().tenant());
        }
        assertThat(plan.topics()).containsExactly("bus.t0.in", "bus.t1.in", "bus.t2.in");
    }

    @Test
    void shouldCarryATokenTheJobVerifiesInTokenMode() throws Exception {
        Path secrets = secretsFile("t0", "t1");
        LoadPlan plan =
                base().tokens(
                                new TokenSettings(
                                        secrets, "https://id.test", "bus", Duration.ofHours(1)))
                        .tenants(2)
                        .build();
        LoadSequence sequence = new LoadSequence(plan);
        LoadEnvelopes envelopes = new LoadEnvelopes(plan);
        TenantResolver resolver =
                resolver(TenantSettings.token("https://id.test", "bus", null, secrets.toString()));

        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            LoadSequence.Step step = sequence.next();
            // Tokens are signed for the time the envelope is sent: now, for the job's check.
            BusWrite write = envelopes.write(step, i, SentAt.nowMicros());
            Envelope e = CODEC.decode(write.value());

            assertThat(write.topic()).isEqualTo("bus");
            tenants.add(resolver.resolve("bus", e, System.currentTimeMillis()));
            assertThat(sentAt.read(e.metaExtensions)).isPresent();
        }
        assertThat(tenants).containsExactly("t0", "t1", "t0", "t1");
    }

    @Test
    void shouldReadNoStampFromMalformedOrForeignExtensions() {
        assertThat(sentAt.read("")).isEmpty();
        assertThat(sentAt.read("<x xmlns=\"urn:other\">1</x>")).isEmpty();
        assertThat(sentAt.read("<sent-at xmlns=\"" + SentAt.NAMESPACE + "\">12</sent-at>"))
                .isEmpty();
        assertThat(
                        sentAt.read(
                                "<sent-at xmlns=\""
                                        + SentAt.NAMESPACE
                                        + "\" seq=\"1\">soon</sent-at>"))
                .isEmpty();
        assertThat(sentAt.read("<w xmlns=\"urn:other\">" + sentAt.write(5, 1) + "</w>")).isEmpty();
        assertThat(sentAt.read("<x xmlns=\"urn:other\"/>" + sentAt.write(5, 1)))
                .contains(new SentAt.Stamp(5, 1, false));
    }

    private static LoadPlanBuilder base() {
        return LoadPlan.builder()
                .bootstrapServers("127.0.0.1:1")
                .topic("bus")
                .to("summarizer")
                .payloadElement("Brief");
    }

    private static TenantResolver resolver(TenantSettings settings) {
        return new TenantResolver(settings, null, LIMITS);
    }

    private static String text(String payloadXml, String element) {
        int start = payloadXml.indexOf('>') + 1;
        return payloadXml.substring(start, payloadXml.length() - element.length() - 3);
    }

    /** Where the thread {@code content} had the step that {@code like} repeats. */
    private static int firstOf(
            List<LoadSequence.Step> steps, long content, LoadSequence.Step like) {
        for (int i = 0; i < steps.size(); i++) {
            LoadSequence.Step s = steps.get(i);
            if (s.thread().index() == content
                    && s.kind() == like.kind()
                    && s.position() == like.position()) {
                return i;
            }
        }
        throw new AssertionError("the original of thread " + content + " was not sent");
    }

    private Path secretsFile(String... tenants) throws Exception {
        StringBuilder yaml = new StringBuilder();
        for (String tenant : tenants) {
            byte[] secret = new byte[32];
            for (int i = 0; i < secret.length; i++) {
                secret[i] = (byte) (tenant.hashCode() + i);
            }
            yaml.append(tenant)
                    .append(": ")
                    .append(Base64.getEncoder().encodeToString(secret))
                    .append('\n');
        }
        return Files.writeString(tmp.resolve("secrets.yaml"), yaml.toString());
    }
}
