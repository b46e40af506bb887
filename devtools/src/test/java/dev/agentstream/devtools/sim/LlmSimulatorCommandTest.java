package dev.agentstream.devtools.sim;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** The options of the standalone simulator, parsed without starting it. */
class LlmSimulatorCommandTest {

    @Test
    void shouldReadPortLatencyAndContextWindow() {
        LlmSimulatorCommand command = new LlmSimulatorCommand();

        new CommandLine(command)
                .parseArgs("--port", "8089", "--latency-ms", "200", "--context-window", "4096");

        assertThat(command.port).isEqualTo(8089);
        assertThat(command.latencyMs).isEqualTo(200);
        assertThat(command.contextWindow).isEqualTo(4096);
    }

    @Test
    void shouldDefaultToAnEphemeralPortWithoutLatencyOrWindow() {
        LlmSimulatorCommand command = new LlmSimulatorCommand();

        new CommandLine(command).parseArgs();

        assertThat(command.port).isZero();
        assertThat(command.latencyMs).isZero();
        assertThat(command.contextWindow).isZero();
    }
}
