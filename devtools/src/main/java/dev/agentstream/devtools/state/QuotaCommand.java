package dev.agentstream.devtools.state;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Prints what the quota stage holds of each tenant, or of one. */
@Command(
        name = "quota",
        mixinStandardHelpOptions = true,
        description =
                "Prints each tenant's quota state: tokens in the window and the budget period,"
                        + " reservations and their usage, turns waiting for room, timers.")
final class QuotaCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "<savepoint>", description = "The savepoint directory.")
    Path savepoint;

    @Option(names = "--tenant", description = "Only this tenant's quota.")
    String tenant;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SavepointContents contents = SavepointInspector.read(savepoint);
        contents.requireTenant(tenant);
        List<QuotaView> quotas =
                contents.quotas().stream()
                        .filter(q -> tenant == null || tenant.equals(q.tenant()))
                        .toList();
        PrintWriter out = spec.commandLine().getOut();
        if (quotas.isEmpty()) {
            out.println(
                    tenant == null
                            ? "no tenant has quota state"
                            : "tenant " + tenant + " has no quota state");
        }
        for (QuotaView q : quotas) {
            QuotaText.print(q, out);
        }
        out.flush();
        return 0;
    }
}
