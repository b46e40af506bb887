package dev.agentstream.savepoints;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.util.TimeUtils;

import dev.agentstream.devtools.state.QuotaView;
import dev.agentstream.devtools.state.SavepointContents;
import dev.agentstream.job.AgentStreamOptions;

import java.util.List;
import java.util.Map;

import static dev.agentstream.savepoints.Script.ACME;
import static dev.agentstream.savepoints.Script.BUDGET;
import static dev.agentstream.savepoints.Script.CALLER;
import static dev.agentstream.savepoints.Script.CONTEXT;
import static dev.agentstream.savepoints.Script.GLOBEX;
import static dev.agentstream.savepoints.Script.INITECH;
import static dev.agentstream.savepoints.Script.OTHER_TENANT;
import static dev.agentstream.savepoints.Script.QUOTA_RESERVED;
import static dev.agentstream.savepoints.Script.QUOTA_USED;
import static dev.agentstream.savepoints.Script.QUOTA_WAITING;
import static dev.agentstream.savepoints.Script.SUBTHREAD;
import static dev.agentstream.savepoints.Script.WAITING;
import static dev.agentstream.savepoints.Script.thread;

/**
 * The manifest of what {@link Script} leaves in the job's state: written from the script, with the
 * few numbers only the job knows (the subthread's id, the Kafka offsets, the quota's token counts)
 * taken from the run.
 */
final class ScriptManifest {

    private ScriptManifest() {}

    /**
     * @param subthread the id of the subthread the desk's call opened
     * @param busOffsets the bus source's committed offsets
     * @param usageOffsets the quota's usage source's committed offsets
     * @param contents the savepoint as the state tool read it: the quota's token counts
     */
    static Manifest of(
            String release,
            String subthread,
            Map<String, Map<Integer, Long>> busOffsets,
            Map<String, Map<Integer, Long>> usageOffsets,
            SavepointContents contents) {
        List<String> context = List.of("Rembrandt", "Vermeer");
        return new Manifest(
                release,
                EnvironmentInformation.getVersion(),
                ServicesTestBase.PARALLELISM,
                720,
                GenerateSavepoint.TOPICS,
                busOffsets,
                List.of(
                        new Manifest.ThreadEntry(ACME, thread(CONTEXT), CONTEXT, 4, 2, context),
                        new Manifest.ThreadEntry(
                                GLOBEX,
                                thread(OTHER_TENANT),
                                OTHER_TENANT,
                                2,
                                1,
                                List.of("Hokusai")),
                        new Manifest.ThreadEntry(
                                ACME, thread(CALLER), CALLER, 2, 1, List.of("Kilimanjaro")),
                        new Manifest.ThreadEntry(
                                ACME, subthread, SUBTHREAD, 1, 0, List.of("Kilimanjaro")),
                        new Manifest.ThreadEntry(
                                ACME,
                                thread(BUDGET),
                                BUDGET,
                                2 * Script.BUDGET_TURNS,
                                Script.BUDGET_TURNS,
                                List.of("Tolstoy")),
                        new Manifest.ThreadEntry(
                                GLOBEX, thread(WAITING), WAITING, 2, 1, List.of("Cassatt")),
                        new Manifest.ThreadEntry(
                                INITECH, thread(QUOTA_USED), QUOTA_USED, 2, 1, List.of("Magellan")),
                        new Manifest.ThreadEntry(
                                INITECH,
                                thread(QUOTA_RESERVED),
                                QUOTA_RESERVED,
                                1,
                                1,
                                List.of("Amundsen")),
                        new Manifest.ThreadEntry(
                                INITECH,
                                thread(QUOTA_WAITING),
                                QUOTA_WAITING,
                                1,
                                1,
                                List.of("Shackleton"))),
                List.of(new Manifest.Link(ACME, subthread, thread(CALLER), "desk", "lookup")),
                List.of(
                        new Manifest.Waiting(
                                GLOBEX, thread(WAITING), "writer", 1, List.of("Kahlo"))),
                List.of(
                        new Manifest.InFlight(GLOBEX, thread(WAITING), "writer"),
                        new Manifest.InFlight(INITECH, thread(QUOTA_RESERVED), "writer")),
                List.of(
                        new Manifest.Conversation(ACME, thread(CONTEXT), 2),
                        new Manifest.Conversation(GLOBEX, thread(OTHER_TENANT), 1),
                        new Manifest.Conversation(ACME, thread(CALLER), 1),
                        new Manifest.Conversation(ACME, thread(BUDGET), Script.BUDGET_TURNS),
                        new Manifest.Conversation(GLOBEX, thread(WAITING), 1),
                        new Manifest.Conversation(INITECH, thread(QUOTA_USED), 1),
                        new Manifest.Conversation(INITECH, thread(QUOTA_RESERVED), 1),
                        new Manifest.Conversation(INITECH, thread(QUOTA_WAITING), 1)),
                Map.of(Manifest.QUOTA, Manifest.extension(quota(usageOffsets, contents))));
    }

    /**
     * initech's quota: the long draft's reservation, settled, and the reservation of the call in
     * flight, awaiting its usage, both in the window and the budget; the draft over the rate
     * waiting. The token counts are the job's own (jtokkit's estimates, the simulator's usage).
     */
    private static Manifest.Quota quota(
            Map<String, Map<Integer, Long>> usageOffsets, SavepointContents contents) {
        QuotaView initech =
                contents.quota(INITECH)
                        .orElseThrow(() -> new AssertionError("no quota state of " + INITECH));
        return new Manifest.Quota(
                TimeUtils.formatWithHighestUnit(Script.QUOTA_WINDOW),
                TimeUtils.formatWithHighestUnit(Script.QUOTA_BUDGET_PERIOD),
                TimeUtils.formatWithHighestUnit(
                        AgentStreamOptions.QUOTA_RESERVATION_TTL.defaultValue()),
                usageOffsets,
                List.of(
                        new Manifest.QuotaTenant(
                                INITECH,
                                2,
                                1,
                                List.of(thread(QUOTA_WAITING)),
                                List.of("Shackleton"),
                                initech.head() == null ? -1 : initech.head().windowTokens,
                                initech.head() == null ? -1 : initech.head().budgetUsed)));
    }
}
