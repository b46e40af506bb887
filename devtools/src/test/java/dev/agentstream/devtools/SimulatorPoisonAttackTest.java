package dev.agentstream.devtools;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.devtools.sim.LlmSimulator;
import dev.agentstream.job.kafka.EnvelopeSerializer;
import dev.agentstream.udfs.context.ContextSettings;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.llm.OpenAiChatClientFactory;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One customer request holding U+FFFE, the example organism and the project's own simulator: the
 * whole operator chain in memory up to the bus sink's serializer. Before the fix, decode accepted
 * the character, the simulator quoted it back, and EnvelopeSerializer threw: the job failed,
 * restarted and replayed the record forever (six restarts in 25 s with {@code agentstream-local}).
 */
class SimulatorPoisonAttackTest {

    private static final String THREAD = "11111111-2222-4333-8444-555555555555";

    @Test
    void shouldNotLetOneCustomerRequestFailTheBusSink() throws Exception {
        Organism organism = OrganismLoader.load(exampleOrganism());
        String request =
                "<message xmlns=\"https://xml-pipeline.org/ns/envelope/v1\"><meta>"
                        + "<from>customer-portal</from><to>concierge</to><thread>"
                        + THREAD
                        + "</thread></meta><Request><customer>Eve</customer>"
                        + "<text>hello \uFFFE world</text></Request></message>";
        // Decode refuses it as not-xml, so from the bus it becomes a dead letter ...
        assertThatThrownBy(
                        () -> new EnvelopeCodec().decode(request.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        EnvelopeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_XML));
        // ... and should one reach an agent some other way, the chain still holds.
        Envelope input =
                new Envelope(
                        "customer-portal",
                        "concierge",
                        THREAD,
                        "<Request><customer>Eve</customer>"
                                + "<text>hello \uFFFE world</text></Request>",
                        "Request",
                        "");
        input.envelopeId = "agentstream.bus-0-0";

        try (LlmSimulator simulator = LlmSimulator.start(0)) {
            Turn turn = turnFor(organism, input);
            TurnResult result = call(simulator, turn);
            assertThat(result.isOk()).isTrue();
            List<Envelope> answers = emit(organism, result);
            // The call to the summarizer, and its record on the concierge's thread.
            assertThat(answers).extracting(e -> e.to).containsExactly("summarizer", null);

            EnvelopeSerializer serializer =
                    new EnvelopeSerializer(
                            "agentstream.bus", null, EnvelopeLimits.defaults(), registry());
            serializer.open(null, null);
            for (Envelope answer : answers) {
                assertThatCode(() -> serializer.serialize(answer, null, 0L))
                        .as("bus-sink serializer throws: the job fails and replays forever")
                        .doesNotThrowAnyException();
            }
        }
    }

    private static RegistrySettings registry() throws java.io.IOException {
        java.nio.file.Path key = java.nio.file.Files.createTempFile("registry", ".key");
        key.toFile().deleteOnExit();
        java.nio.file.Files.writeString(key, "simulator-poison-registry-key-0123456789");
        return new RegistrySettings(key.toString(), "UNUSED", 3);
    }

    private static Turn turnFor(Organism organism, Envelope input) throws Exception {
        var function =
                new ThreadContextFunction(
                        organism,
                        new ContextSettings(Duration.ofHours(1), 100, 8000, 256, 100),
                        EnvelopeLimits.defaults(),
                        registry());
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), e -> e.thread, Types.STRING)) {
            harness.open();
            harness.processElement(new StreamRecord<>(input));
            List<Turn> turns = harness.extractOutputValues();
            assertThat(turns).hasSize(1);
            return turns.get(0);
        }
    }

    private static TurnResult call(LlmSimulator simulator, Turn turn) throws Exception {
        var operator =
                new AsyncWaitOperatorFactory<>(
                        new LlmCallFunction(
                                new OpenAiChatClientFactory(
                                        simulator.baseUrl(), "", Duration.ofSeconds(5))),
                        5_000,
                        4,
                        AsyncDataStream.OutputMode.ORDERED);
        try (var harness =
                new OneInputStreamOperatorTestHarness<>(
                        operator,
                        TypeInformation.of(Turn.class)
                                .createSerializer(new SerializerConfigImpl()))) {
            harness.open();
            harness.processElement(new StreamRecord<>(turn));
            harness.endInput();
            return harness.extractOutputValues().get(0);
        }
    }

    private static List<Envelope> emit(Organism organism, TurnResult result) throws Exception {
        try (var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EmitFunction(
                                        organism, EnvelopeLimits.defaults(), registry())))) {
            harness.open();
            harness.processElement(new StreamRecord<>(result));
            return harness.extractOutputValues();
        }
    }

    private static Path exampleOrganism() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples").resolve("organism.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/organism.yaml not found");
    }
}
