package dev.agentstream.savepoints;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a committed savepoint holds, written beside it by {@link GenerateSavepoint} and read by the
 * tests that restore it: {@code manifest.json} in the release folder.
 *
 * @param release the release folder's name, e.g. {@code v0.1}
 * @param flinkVersion the Flink version that took the savepoint
 * @param parallelism the job's parallelism when it was taken
 * @param maxParallelism the job's max parallelism (key groups)
 * @param topics the Kafka topics and the consumer group of the job that took it
 * @param busOffsets per bus topic, per partition: the offset the bus source had reached; a restore
 *     against a new broker pads each partition to it (see docs/savepoints.md)
 * @param threads every thread of the thread-context operator
 * @param links the registry links still open: calls whose answer has not come
 * @param waiting turns waiting for a busy agent
 * @param inFlight turns whose LLM call was in flight, kept by async I/O
 * @param conversations the turn count of each conversation
 * @param extensions what later releases add, by name (e.g. {@code quota}); absent in v0.1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Manifest(
        String release,
        String flinkVersion,
        int parallelism,
        int maxParallelism,
        Topics topics,
        Map<String, Map<Integer, Long>> busOffsets,
        List<ThreadEntry> threads,
        List<Link> links,
        List<Waiting> waiting,
        List<InFlight> inFlight,
        List<Conversation> conversations,
        Map<String, Object> extensions) {

    static final String FILE = "manifest.json";

    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param busTemplate {@code bus.topic-template}: one bus topic per tenant
     * @param busFallback {@code bus.topic}
     * @param usage {@code usage.topic}
     * @param deadLetters {@code dead-letter.topic}
     * @param partitions partitions of every topic
     * @param groupId {@code bus.group-id}
     */
    record Topics(
            String busTemplate,
            String busFallback,
            String usage,
            String deadLetters,
            int partitions,
            String groupId) {

        String bus(String tenant) {
            return busTemplate.replace("{tenant}", tenant);
        }
    }

    /**
     * @param tenant the thread's tenant
     * @param thread the thread id
     * @param role what the script made it for (e.g. {@code context}, {@code budget})
     * @param slots the slots it holds
     * @param turns the agent turns it started
     * @param words words of its inputs that a prompt built from its context holds
     */
    record ThreadEntry(
            String tenant, String thread, String role, int slots, long turns, List<String> words) {}

    /**
     * @param tenant the tenant
     * @param subthread the subthread the call opened
     * @param parent the caller's thread
     * @param caller the agent that called
     * @param callee the listener it called, which has not answered
     */
    record Link(String tenant, String subthread, String parent, String caller, String callee) {}

    /**
     * @param tenant the tenant
     * @param thread the thread
     * @param agent the busy agent
     * @param count inputs waiting for it
     * @param words words of the waiting inputs
     */
    record Waiting(String tenant, String thread, String agent, int count, List<String> words) {}

    /**
     * @param tenant the tenant
     * @param thread the thread
     * @param agent the agent whose call was in flight
     */
    record InFlight(String tenant, String thread, String agent) {}

    /**
     * @param tenant the tenant
     * @param root the conversation's root thread
     * @param turns agent turns counted
     */
    record Conversation(String tenant, String root, int turns) {}

    /** The name of the quota stage's entry in {@link #extensions}, from v0.2. */
    static final String QUOTA = "quota";

    /**
     * What the quota stage holds ({@code extensions.quota}, from v0.2), and the options the job
     * that took the savepoint ran with beside the release folder's {@code quota.yaml}.
     *
     * @param window {@code quota.window}, e.g. {@code 10 min}
     * @param budgetPeriod {@code quota.budget-period}
     * @param reservationTtl {@code quota.reservation-ttl}
     * @param usageOffsets per partition of the usage topic: the offset the quota's usage source had
     *     reached; a restore against a new broker pads the topic to it, like the bus
     * @param tenants every tenant with quota state
     */
    record Quota(
            String window,
            String budgetPeriod,
            String reservationTtl,
            Map<String, Map<Integer, Long>> usageOffsets,
            List<QuotaTenant> tenants) {}

    /**
     * @param tenant the tenant
     * @param reservations reservations kept
     * @param unsettled those awaiting their usage record (their call was in flight)
     * @param waitingThreads the thread of each turn waiting for room, first in first out
     * @param waitingWords words of the waiting turns' prompts
     * @param windowTokens tokens the window holds
     * @param budgetUsed tokens charged to the budget period
     */
    record QuotaTenant(
            String tenant,
            int reservations,
            int unsettled,
            List<String> waitingThreads,
            List<String> waitingWords,
            long windowTokens,
            long budgetUsed) {}

    static Manifest read(Path releaseDir) throws IOException {
        return JSON.readValue(releaseDir.resolve(FILE).toFile(), Manifest.class);
    }

    void write(Path releaseDir) throws IOException {
        JSON.writeValue(releaseDir.resolve(FILE).toFile(), this);
    }

    /** The quota extension, in a release that has one. */
    Optional<Quota> quota() {
        return extensions == null || !extensions.containsKey(QUOTA)
                ? Optional.empty()
                : Optional.of(extensionOf(extensions.get(QUOTA), Quota.class));
    }

    /** An entry of {@link #extensions} as the record it was written from. */
    static <T> T extensionOf(Object entry, Class<T> type) {
        return JSON.convertValue(entry, type);
    }

    /** {@code value} as an entry of {@link #extensions}, the form a read gives it. */
    static Object extension(Object value) {
        return JSON.convertValue(value, Object.class);
    }

    ThreadEntry thread(String role) {
        return threads.stream().filter(t -> t.role().equals(role)).findFirst().orElseThrow();
    }

    List<String> tenants() {
        return threads.stream().map(ThreadEntry::tenant).distinct().sorted().toList();
    }
}
