package dev.agentstream.udfs.control;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.envelope.BusRecord;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.erasure.EraseTenant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ControlFunctionTest {

    private static final String KEY = "udfs-tests-control-key-0123456789abcdef";
    private static final String ID = "3d6f0a8b-1c2e-4f5a-9b7c-8d9e0f1a2b3c";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir static Path dir;
    private static ControlSettings settings;

    @BeforeAll
    static void writeKey() throws Exception {
        Path key = dir.resolve("control.key");
        Files.writeString(key, KEY);
        settings = new ControlSettings(key.toString(), "UNUSED", Duration.ofMinutes(15));
    }

    @Test
    void shouldAcceptASignedEraseCommand() throws Exception {
        List<EraseTenant> out = run(signed("acme", NOW.toString(), KEY), NOW);

        assertThat(out).hasSize(1);
        EraseTenant command = out.get(0);
        assertThat(command.commandId).isEqualTo(ID);
        assertThat(command.tenant).isEqualTo("acme");
        assertThat(command.requestedBy).isEqualTo("ops");
        assertThat(command.source).isEqualTo("control-0-5");
    }

    @Test
    void shouldRefuseCommandsThatAreNotSignedWithTheControlKey() throws Exception {
        assertThat(
                        reason(
                                signed(
                                        "acme",
                                        NOW.toString(),
                                        "another-key-of-32-bytes-or-more-0123"),
                                NOW))
                .isEqualTo("control-signature");
        byte[] unsigned =
                ("<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta><from>ops</from>"
                                + "<thread>"
                                + ID
                                + "</thread></meta><EraseTenant"
                                + " xmlns=\"https://agentstream.dev/ns/v1\" tenant=\"acme\"/>"
                                + "</message>")
                        .getBytes(StandardCharsets.UTF_8);
        assertThat(reason(unsigned, NOW)).isEqualTo("control-unsigned");
    }

    @Test
    void shouldRefuseASignatureMovedToAnotherTenant() throws Exception {
        String sig =
                new ControlSigner(KEY.getBytes(StandardCharsets.UTF_8))
                        .sign("EraseTenant", "acme", ID, "ops", NOW.toString());
        byte[] moved =
                new ControlXml(EnvelopeLimits.defaults())
                        .writeEraseTenant(ID, "ops", "bravo", NOW.toString(), sig);

        assertThat(reason(moved, NOW)).isEqualTo("control-signature");
    }

    @Test
    void shouldRefuseACommandSignedLongBeforeItReachedTheTopic() throws Exception {
        Instant issued = NOW.minus(Duration.ofMinutes(16));

        assertThat(reason(signed("acme", issued.toString(), KEY), NOW))
                .isEqualTo("control-expired");
        assertThat(reason(signed("acme", NOW.plusSeconds(120).toString(), KEY), NOW))
                .isEqualTo("control-expired");
    }

    @Test
    void shouldRefuseWhatIsNoCommandOrNoEnvelope() throws Exception {
        assertThat(reason("not xml".getBytes(StandardCharsets.UTF_8), NOW)).isEqualTo("not-xml");
        byte[] other =
                new String(signed("acme", NOW.toString(), KEY), StandardCharsets.UTF_8)
                        .replace("tenant=\"acme\"", "tenant=\"acme\" all=\"yes\"")
                        .getBytes(StandardCharsets.UTF_8);
        assertThat(reason(other, NOW)).isEqualTo("control-unknown");
        assertThat(reason(signed("Not_A_Tenant", NOW.toString(), KEY), NOW))
                .isEqualTo("bad-tenant");
    }

    private static byte[] signed(String tenant, String issued, String key) {
        String sig =
                new ControlSigner(key.getBytes(StandardCharsets.UTF_8))
                        .sign("EraseTenant", tenant, ID, "ops", issued);
        return new ControlXml(EnvelopeLimits.defaults())
                .writeEraseTenant(ID, "ops", tenant, issued, sig);
    }

    private static String reason(byte[] value, Instant recordTime) throws Exception {
        try (var harness = harness()) {
            harness.processElement(record(value, recordTime));
            assertThat(harness.extractOutputValues()).isEmpty();
            var letters = harness.getSideOutput(ControlFunction.DEAD_LETTERS);
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.peek().getValue();
            assertThat(letter.source).isEqualTo("control-0-5");
            assertThat(letter.original).isEqualTo(value);
            return letter.reason;
        }
    }

    private static List<EraseTenant> run(byte[] value, Instant recordTime) throws Exception {
        try (var harness = harness()) {
            harness.processElement(record(value, recordTime));
            assertThat(harness.getSideOutput(ControlFunction.DEAD_LETTERS)).isNull();
            return harness.extractOutputValues();
        }
    }

    private static OneInputStreamOperatorTestHarness<BusRecord, EraseTenant> harness()
            throws Exception {
        var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new ControlFunction(EnvelopeLimits.defaults(), settings)));
        harness.open();
        return harness;
    }

    private static StreamRecord<BusRecord> record(byte[] value, Instant time) {
        return new StreamRecord<>(
                new BusRecord("control", 0, 5, time.toEpochMilli(), value), time.toEpochMilli());
    }
}
