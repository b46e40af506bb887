package dev.agentstream.devtools.state;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Lists the tenants a savepoint holds state of, with what each holds. */
@Command(
        name = "tenants",
        mixinStandardHelpOptions = true,
        description =
                "Lists the tenants in a savepoint: threads, conversations, turns in flight, turns"
                        + " waiting for quota.")
final class TenantsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<savepoint>", description = "The savepoint directory.")
    Path savepoint;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SavepointContents contents = SavepointInspector.read(savepoint);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%-24s %8s %14s %10s %14s%n",
                "tenant", "threads", "conversations", "in-flight", "quota-waiting");
        for (String tenant : contents.tenants()) {
            long conversations =
                    contents.conversationTurns().keySet().stream()
                            .filter(k -> k.startsWith(tenant + "/"))
                            .count();
            out.printf(
                    "%-24s %8d %14d %10d %14d%n",
                    tenant,
                    contents.threads(Optional.of(tenant)).size(),
                    conversations,
                    contents.inFlight(tenant).size(),
                    contents.quota(tenant).map(q -> q.waiting().size()).orElse(0));
        }
        out.flush();
        return 0;
    }
}
