package dev.agentstream.devtools.state;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Writes a new savepoint without one tenant's state; the old one is left as it is. */
@Command(
        name = "erase-tenant",
        mixinStandardHelpOptions = true,
        description =
                "Writes a new savepoint that holds nothing of <tenant> (threads, registry links,"
                        + " waiting and in-flight turns, conversation budgets) and everything"
                        + " else.")
final class EraseTenantCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<savepoint>", description = "The savepoint directory.")
    Path savepoint;

    @Parameters(index = "1", paramLabel = "<tenant>")
    String tenant;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<new savepoint>",
            description = "Directory of the new savepoint: absent or empty.")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TenantEraser.Erased erased = TenantEraser.erase(savepoint, tenant, out);
        PrintWriter print = spec.commandLine().getOut();
        print.printf(
                "erased tenant %s: %d threads, %d conversations, %d turns in flight; new"
                        + " savepoint %s%n",
                tenant, erased.threads(), erased.conversations(), erased.inFlight(), out);
        print.flush();
        return 0;
    }
}
