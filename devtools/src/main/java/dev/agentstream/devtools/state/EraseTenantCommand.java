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
                        + " waiting and in-flight turns, conversation budgets, quota usage and the"
                        + " turns waiting for it, billing windows and thread index entries, the"
                        + " DynamoDB sinks' buffered writes) and everything else.")
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
                "erased tenant %s: %d threads, %d conversations, %d quotas, %d turns in flight,"
                        + " %d usage windows, %d thread index entries, %d buffered DynamoDB"
                        + " writes; new savepoint %s%n",
                tenant,
                erased.threads(),
                erased.conversations(),
                erased.quotas(),
                erased.inFlight(),
                erased.usageWindows(),
                erased.threadIndex(),
                erased.bufferedWrites(),
                out);
        if (erased.unbilledWindows() > 0) {
            print.printf(
                    "warning: %d of the usage windows held usage not yet in a written total: the"
                            + " totals table will not have it%n",
                    erased.unbilledWindows());
        }
        if (erased.threadIndex() + erased.bufferedWrites() > 0) {
            print.printf(
                    "note: the tenant's items already in DynamoDB (thread index, transcripts,"
                            + " totals) are not touched: erase them through the control topic or"
                            + " in DynamoDB%n");
        }
        print.flush();
        return 0;
    }
}
