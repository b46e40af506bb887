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

    @Test
    void shouldReadTheAnswersWhereTheyAreWhenInputsGoToAnIngress() {
        CommandLine cli = LoadCommand.commandLine();
        cli.parseArgs(
                "--to", "summarizer",
                "--payload", "Brief",
                "--topic", "agentstream.ingress",
                "--answer-topic", "agentstream.bus");
        LoadCommand command = cli.getCommand();

        assertThat(command.plan().topics()).containsExactly("agentstream.ingress");
        assertThat(command.readTopics(command.plan()))
                .containsExactly("agentstream.ingress", "agentstream.bus");
    }

    @Test
    void shouldRefuseTheOptionsOfAnotherTenantMode() {
        Run template =
                run("--to", "summarizer", "--payload", "Brief", "--topic-template", "bus.{tenant}");
        Run token =
                run(
                        "--to", "summarizer",
                        "--payload", "Brief",
                        "--tenant-mode", "topic",
                        "--topic-template", "bus.{tenant}",
                        "--token-issuer", "issuer");

        assertThat(template.code).isOne();
        assertThat(template.err)
                .startsWith("agentstream-load: --topic-template is for --tenant-mode topic");
        assertThat(token.code).isOne();
        assertThat(token.err).contains("are for --tenant-mode token, not topic");
    }

    @Test
    void shouldRefuseSizesAndTimesBeyondTheirLimitsBeforeSending() {
        assertThat(run("--to", "a", "--payload", "B", "--threads", "2000000000").err)
                .contains("threads must be in [1, 1000000]");
        assertThat(run("--to", "a", "--payload", "B", "--payload-bytes", "600000").err)
                .contains("payload bytes must be in [0, 524288]");
        assertThat(run("--to", "a", "--payload", "B", "--max-lag-ms", "9223372036854775807").err)
                .contains("the maximum lag must be in");
        assertThat(run("--to", "a", "--payload", "B", "--duration-seconds", "99999999999").err)
                .contains("a duration must be at most 366 days");
        assertThat(run("--to", "a", "--payload", "B", "--partitions", "-1").err)
                .contains("--partitions must be >= 0");
        assertThat(run("--to", "a", "--payload", "B", "--drain-seconds", "-5").err)
                .contains("--drain-seconds must be in [0, 86400]");
    }

    @Test
    void shouldSayTheCauseOfABrokerAddressItCannotUse() {
        Run garbage = run("--to", "a", "--payload", "B", "--bootstrap-servers", "garbage");

        assertThat(garbage.code).isOne();
        assertThat(garbage.err)
                .contains("Failed to construct kafka producer")
                .contains("garbage")
                .doesNotContain("\tat ");
    }

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = LoadCommand.commandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        int code = cli.execute(args);
        return new Run(code, err.toString());
    }
}
