package dev.agentstream.devtools.state;

import dev.agentstream.devtools.cli.CommandErrors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The state tool: reads a savepoint of the job offline (tenants, threads, one thread's context,
 * quotas) and writes a new one without a tenant. Run it with {@code bin/agentstream-state --help}.
 */
@Command(
        name = "agentstream-state",
        mixinStandardHelpOptions = true,
        description = "Reads and rewrites savepoints of the AgentStream job, offline.",
        subcommands = {
            TenantsCommand.class,
            ThreadsCommand.class,
            ThreadCommand.class,
            QuotaCommand.class,
            EraseTenantCommand.class
        })
public final class StateCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line of the tool, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new StateCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                CommandErrors.handler(
                        "agentstream-state", LoggerFactory.getLogger(StateCommand.class)));
        return cli;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(out, err).execute(args));
    }
}
