package dev.agentstream.devtools.state;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Lists the threads of a savepoint, of one tenant or of all. */
@Command(
        name = "threads",
        mixinStandardHelpOptions = true,
        description = "Lists the threads in a savepoint with their slots, turns and registry link.")
final class ThreadsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<savepoint>", description = "The savepoint directory.")
    Path savepoint;

    @Option(names = "--tenant", description = "Only the threads of this tenant.")
    String tenant;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SavepointContents contents = SavepointInspector.read(savepoint);
        contents.requireTenant(tenant);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%-16s %-36s %5s %5s %7s %7s %9s  %s%n",
                "tenant", "thread", "slots", "turns", "tokens", "waiting", "in-flight", "link");
        for (ThreadView t : contents.threads(Optional.ofNullable(tenant))) {
            long inFlight =
                    contents.inFlight(t.tenant()).stream()
                            .filter(turn -> t.thread().equals(turn.thread))
                            .count();
            out.printf(
                    "%-16s %-36s %5d %5d %7d %7d %9d  %s%n",
                    t.tenant(),
                    t.thread(),
                    t.slots().size(),
                    t.turns(),
                    t.head() == null ? 0 : t.head().tokens,
                    t.waiting().size(),
                    inFlight,
                    ThreadText.link(t));
        }
        out.flush();
        return 0;
    }
}
