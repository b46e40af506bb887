package dev.agentstream.devtools.load;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LoadCommandTest {

    @Test
    void shouldTurnTheOptionsIntoAPlan() {
        CommandLine cli = LoadCommand.commandLine();
        cli.parseArgs(
                "--bootstrap-servers", "127.0.0.1:4242",
                "--to", "summarizer",
                "--payload", "Brief",
                "--payload-bytes", "500",
                "--rate", "250.5",
                "--count", "0",
                "--duration-seconds", "30",
                "--threads", "40",
                "--thread-length", "3",
                "--prefill", "5000",
                "--prefill-to", "archivist",
                "--duplicates", "0.2",
                "--seed", "9",
                "--tenant-mode", "topic",
                "--topic-template", "agentstream.bus.{tenant}",
                "--tenants", "4",
                "--isolation", "read_uncommitted");
        LoadCommand command = cli.getCommand();

        LoadPlan plan = command.plan();

        assertThat(plan.bootstrapServers()).isEqualTo("127.0.0.1:4242");
        assertThat(plan.rate()).isEqualTo(250.5);
        assertThat(plan.count()).isZero();
        assertThat(plan.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(plan.threads()).isEqualTo(40);
        assertThat(plan.threadLength()).isEqualTo(3);
        assertThat(plan.prefill()).isEqualTo(5000);
        assertThat(plan.prefillTo()).isEqualTo("archivist");
        assertThat(plan.prefillElement()).isEqualTo("Brief");
        assertThat(plan.duplicateFraction()).isEqualTo(0.2);
        assertThat(plan.seed()).isEqualTo(9);
        assertThat(plan.tenantMode()).isEqualTo(TenantMode.TOPIC);
        assertThat(plan.topics())
                .containsExactly(
                        "agentstream.bus.t0",
                        "agentstream.bus.t1",
                        "agentstream.bus.t2",
                        "agentstream.bus.t3");
        assertThat(command.isolation).isEqualTo(LatencyConsumer.Isolation.READ_UNCOMMITTED);
    }

    @Test
    void shouldListEveryOptionInItsHelp() {
        StringWriter out = new StringWriter();
        CommandLine cli = LoadCommand.commandLine();
        cli.setOut(new PrintWriter(out));

        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString())
                .contains("--consume", "--json", "--prefill-to", "--duplicates", "--tenant-mode");
    }

    @Test
    void shouldRefuseTenantsWithoutATenantMode() {
        CommandLine cli = LoadCommand.commandLine();
        cli.parseArgs("--to", "summarizer", "--payload", "Brief", "--tenants", "3");
        LoadCommand command = cli.getCommand();

        org.assertj.core.api.Assertions.assertThatThrownBy(command::plan)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenants must be 1");
    }
}
