package dev.agentstream.savepoints;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The conversations a release's savepoint is taken after: which threads, tenants, inputs and words.
 * Thread ids are derived from the role, so that each release's savepoint holds the same threads.
 */
final class Script {

    static final String ACME = "acme";
    static final String GLOBEX = "globex";

    /** From v0.2: the one tenant with quota limits (the release folder's quota.yaml). */
    static final String INITECH = "initech";

    /** acme: two drafts for the writer, both answered: context of 4 slots. */
    static final String CONTEXT = "context";

    /** globex: one draft, answered. */
    static final String OTHER_TENANT = "other-tenant";

    /** acme: a question for the desk, which called the lookup tool; the call is unanswered. */
    static final String CALLER = "caller";

    /** acme: the subthread of the desk's call, holding the open registry link. */
    static final String SUBTHREAD = "subthread";

    /** acme: four drafts in a row: a conversation of four turns. */
    static final String BUDGET = "budget";

    /** globex: a draft whose call was in flight, and a second one waiting for the writer. */
    static final String WAITING = "waiting";

    /** initech, from v0.2: a long draft, answered: its usage settled, charged to the budget. */
    static final String QUOTA_USED = "quota-used";

    /** initech, from v0.2: a draft whose call was in flight: reserved, awaiting its usage. */
    static final String QUOTA_RESERVED = "quota-reserved";

    /** initech, from v0.2: a draft over the tenant's rate, waiting for the quota's timer. */
    static final String QUOTA_WAITING = "quota-waiting";

    static final List<String> CONTEXT_DRAFTS =
            List.of("Rembrandt painted the night watch", "Vermeer painted the milkmaid");
    static final String OTHER_TENANT_DRAFT = "Hokusai carved the great wave";
    static final String QUESTION = "How high is Kilimanjaro";
    static final String BUDGET_DRAFT = "Tolstoy wrote chapter ";
    static final int BUDGET_TURNS = 4;
    static final String IN_FLIGHT_DRAFT = "Cassatt painted the boating party";
    static final String WAITING_DRAFT = "Kahlo painted the two Fridas";

    /** About 4,000 tokens: its usage is most of what the savepoint's budget holds. */
    static final String QUOTA_USED_DRAFT = "Magellan sailed west. ".repeat(800).trim();

    static final String QUOTA_RESERVED_DRAFT = "Amundsen reached the south pole";
    static final String QUOTA_WAITING_DRAFT = "Shackleton sailed the Endurance";

    /**
     * The quota options the release's job runs with beside its quota.yaml: a window long enough
     * that the script's reservations are still in it at the savepoint, and a budget period of a
     * century (periods are aligned to the epoch: this one runs from 1970 to 2069), so that the
     * budget the savepoint holds still counts whenever a build restores it.
     */
    static final Duration QUOTA_WINDOW = Duration.ofMinutes(10);

    static final Duration QUOTA_BUDGET_PERIOD = Duration.ofDays(36500);

    private Script() {}

    /** The thread id of a role, the same in every release. */
    static String thread(String role) {
        return UUID.nameUUIDFromBytes(
                        ("agentstream-savepoint/" + role).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
