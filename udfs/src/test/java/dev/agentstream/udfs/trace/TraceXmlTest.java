package dev.agentstream.udfs.trace;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.configuration.Configuration;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import io.opentelemetry.api.trace.SpanContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The traceparent meta extension, the traceparent string and the settings, read and written. */
class TraceXmlTest {

    private static final String TRACEPARENT =
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String NS = SystemPayloads.AGENTSTREAM_NS;

    private final TraceXml xml = new TraceXml(EnvelopeLimits.defaults());

    @Test
    void shouldReadBackTheExtensionTheSinkWrites() {
        String extension = TraceXml.extension(TRACEPARENT);

        assertThat(extension)
                .isEqualTo("<traceparent xmlns=\"" + NS + "\">" + TRACEPARENT + "</traceparent>");
        assertThat(xml.read("<other xmlns=\"urn:x\">1</other>" + extension)).hasValue(TRACEPARENT);
    }

    @Test
    void shouldTakeOnlyATopLevelExtensionInOurNamespace() {
        String nested =
                "<wrap xmlns=\"urn:x\"><traceparent xmlns=\""
                        + NS
                        + "\">"
                        + TRACEPARENT
                        + "</traceparent></wrap>";
        String foreign = "<traceparent xmlns=\"urn:x\">" + TRACEPARENT + "</traceparent>";

        assertThat(xml.read(nested)).isEmpty();
        assertThat(xml.read(foreign)).isEmpty();
        assertThat(xml.read("")).isEmpty();
        assertThat(xml.read(null)).isEmpty();
    }

    @Test
    void shouldTakeNoneOfTwo() {
        String two = TraceXml.extension(TRACEPARENT) + TraceXml.extension(TRACEPARENT);

        assertThat(xml.read(two)).isEmpty();
    }

    @Test
    void shouldTakeNoneThatHoldsElements() {
        String elements = "<traceparent xmlns=\"" + NS + "\"><b>x</b></traceparent>";

        assertThat(xml.read(elements)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
                "<x/>",
                "not a traceparent"
            })
    void shouldNeitherJoinNorWriteAContextThatIsNotOne(String value) {
        assertThat(Traceparent.parse(value).isValid()).isFalse();
        assertThat(TraceXml.extension(value)).isEmpty();
    }

    @Test
    void shouldParseAndWriteTheSameContext() {
        SpanContext context = Traceparent.parse(TRACEPARENT);

        assertThat(context.isValid()).isTrue();
        assertThat(context.isRemote()).isTrue();
        assertThat(context.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(context.isSampled()).isTrue();
        assertThat(Traceparent.of(context)).isEqualTo(TRACEPARENT);
        assertThat(Traceparent.of(SpanContext.getInvalid())).isEmpty();
    }

    @Test
    void shouldAddTheExtensionToACopyOnly() {
        Envelope e = new Envelope("greeter", "console", "t", "<A/>", "A", "");
        e.metaExtensions = "<m xmlns=\"urn:x\"/>";
        e.tenant = "acme";
        e.traceparent = TRACEPARENT;

        Envelope written = TraceXml.withExtension(e);

        assertThat(written.metaExtensions)
                .isEqualTo("<m xmlns=\"urn:x\"/>" + TraceXml.extension(TRACEPARENT));
        assertThat(written.tenant).isEqualTo("acme");
        assertThat(e.metaExtensions).isEqualTo("<m xmlns=\"urn:x\"/>");
        e.traceparent = "";
        assertThat(TraceXml.withExtension(e)).isSameAs(e);
    }

    @Test
    void shouldCarryTheSettingsInTheGlobalJobParameters() {
        TracingSettings on = new TracingSettings(true, "http://jaeger:4317", 0.25);
        ExecutionConfig config = new ExecutionConfig();
        config.setGlobalJobParameters(Configuration.fromMap(Map.of("other.key", "kept")));

        on.install(config);

        Map<String, String> parameters = config.getGlobalJobParameters().toMap();
        assertThat(TracingSettings.fromParameters(parameters)).isEqualTo(on);
        assertThat(parameters).containsEntry("other.key", "kept");
        assertThat(TracingSettings.fromParameters(Map.of()).enabled()).isFalse();
        assertThat(TracingSettings.fromParameters(null).enabled()).isFalse();
    }

    @Test
    void shouldRefuseARatioOutsideOneAndAnEndpointThatIsNoUrl() {
        assertThatThrownBy(() -> new TracingSettings(true, "http://jaeger:4317", 1.5))
                .hasMessageContaining("tracing.sample-ratio");
        assertThatThrownBy(() -> new TracingSettings(true, "jaeger:4317", 1.0))
                .hasMessageContaining("tracing.otlp-endpoint");
        assertThat(new TracingSettings(false, "", 1.0).enabled()).isFalse();
    }
}
