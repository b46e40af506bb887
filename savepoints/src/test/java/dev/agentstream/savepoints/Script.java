package dev.agentstream.savepoints;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The conversations a release's savepoint is taken after: which threads, tenants, inputs and words.
 * Thread ids are derived from the role, so that each release's savepoint holds the same threads.
 */
final class Script {

    static final String ACME = "acme";
    static final String GLOBEX = "globex";

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

    static final List<String> CONTEXT_DRAFTS =
            List.of("Rembrandt painted the night watch", "Vermeer painted the milkmaid");
    static final String OTHER_TENANT_DRAFT = "Hokusai carved the great wave";
    static final String QUESTION = "How high is Kilimanjaro";
    static final String BUDGET_DRAFT = "Tolstoy wrote chapter ";
    static final int BUDGET_TURNS = 4;
    static final String IN_FLIGHT_DRAFT = "Cassatt painted the boating party";
    static final String WAITING_DRAFT = "Kahlo painted the two Fridas";

    private Script() {}

    /** The thread id of a role, the same in every release. */
    static String thread(String role) {
        return UUID.nameUUIDFromBytes(
                        ("agentstream-savepoint/" + role).getBytes(StandardCharsets.UTF_8))
                .toString();
    }
}
