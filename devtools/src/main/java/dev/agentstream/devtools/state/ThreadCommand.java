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

/** Prints one thread's context: head, turns, link and every slot; payloads only when asked. */
@Command(
        name = "thread",
        mixinStandardHelpOptions = true,
        description =
                "Prints one thread's context slots (sender, recipient, payload root, tokens),"
                        + " its turns and its registry link.")
final class ThreadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<savepoint>", description = "The savepoint directory.")
    Path savepoint;

    @Parameters(index = "1", paramLabel = "<tenant>")
    String tenant;

    @Parameters(index = "2", paramLabel = "<thread>")
    String thread;

    @Option(
            names = "--payloads",
            description = "Print each slot's payload too (it is the tenant's data).")
    boolean payloads;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<ThreadView> view = SavepointInspector.read(savepoint).thread(tenant, thread);
        PrintWriter out = spec.commandLine().getOut();
        if (view.isEmpty()) {
            spec.commandLine().getErr().println("no thread " + thread + " of tenant " + tenant);
            return 1;
        }
        ThreadText.print(view.get(), payloads, out);
        out.flush();
        return 0;
    }
}
