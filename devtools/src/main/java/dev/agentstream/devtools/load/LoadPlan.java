package dev.agentstream.devtools.load;

import org.apache.flink.util.Preconditions;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.tenant.TopicTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the load generator sends. Agent envelopes (each one starts a turn of agent {@link #to}) go
 * out open loop at {@link #rate} per second until {@link #count} have been sent or {@link
 * #duration} has passed, whichever comes first, spread round robin over {@link #threads} threads
 * active at once. A thread gets {@link #threadLength} agent envelopes, then a fresh thread takes
 * its place; a fresh thread first gets {@link #prefill} context-only envelopes addressed to the
 * non-agent listener {@link #prefillTo}, written unpaced and not counted in {@code rate} or {@code
 * count}. A fraction {@link #duplicateFraction} of fresh threads replays an earlier fresh thread
 * exactly (see {@link FreshThreads}). Everything is derived from {@link #seed}.
 *
 * <pre>{@code
 * LoadPlan plan = LoadPlan.builder()
 *         .bootstrapServers("127.0.0.1:9092")
 *         .to("summarizer").payloadElement("Brief").payloadBytes(200)
 *         .rate(50).count(1_000).threads(20).threadLength(3)
 *         .build();
 * }</pre>
 *
 * @param bootstrapServers Kafka bootstrap servers of the bus
 * @param topic the bus topic in {@link TenantMode#DEFAULT} and {@link TenantMode#TOKEN} mode
 * @param tenantMode how the job learns each envelope's tenant
 * @param topicTemplate {@link TenantMode#TOPIC} mode: the job's {@code bus.topic-template}
 * @param token {@link TenantMode#TOKEN} mode: how tokens are signed; null otherwise
 * @param rate agent envelopes per second, open loop
 * @param count agent envelopes to send in all; 0 for no limit (then {@code duration} stops it)
 * @param duration how long to send; null for no limit (then {@code count} stops it)
 * @param threads threads active at once
 * @param tenants tenants {@code t0} .. {@code t<n-1>}; 1 in {@link TenantMode#DEFAULT} mode
 * @param threadLength agent envelopes a thread gets before a fresh thread replaces it
 * @param prefill context-only envelopes written on each fresh thread before its first agent one
 * @param prefillTo the non-agent listener the prefill envelopes are addressed to
 * @param prefillElement root tag of the prefill payloads
 * @param duplicateFraction fraction of fresh threads that replay an earlier one, in [0, 1)
 * @param from the client listener the envelopes come from (and the answers go to)
 * @param to the agent listener
 * @param payloadElement root tag of the agent payloads: the last segment of the agent's {@code
 *     payload_class}
 * @param payloadBytes bytes of text in each payload
 * @param seed the seed of thread ids, tenants, duplicates and payload text
 * @param maxLag how far the sender may fall behind its schedule and still catch up by sending
 *     faster; beyond it the schedule moves on and the lost slots are counted (see {@link Pacer})
 */
public record LoadPlan(
        String bootstrapServers,
        String topic,
        TenantMode tenantMode,
        String topicTemplate,
        TokenSettings token,
        double rate,
        long count,
        Duration duration,
        int threads,
        int tenants,
        int threadLength,
        int prefill,
        String prefillTo,
        String prefillElement,
        double duplicateFraction,
        String from,
        String to,
        String payloadElement,
        int payloadBytes,
        long seed,
        Duration maxLag) {

    /** Threads a run may keep at once: each holds its sequence in memory. */
    public static final int MAX_THREADS = 1_000_000;

    /** The longest run. */
    public static final Duration MAX_DURATION = Duration.ofDays(366);

    /** The furthest the sender may fall behind its schedule and still catch up. */
    public static final Duration MAX_LAG = Duration.ofHours(1);

    /** What XML and the job take as a plain payload's root tag or a listener's payload. */
    private static final Pattern XML_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]*");

    public LoadPlan {
        Preconditions.checkArgument(
                bootstrapServers != null && !bootstrapServers.isBlank(),
                "the bootstrap servers are needed");
        Preconditions.checkNotNull(tenantMode, "tenantMode");
        Preconditions.checkArgument(rate > 0, "the rate must be positive: %s", rate);
        Preconditions.checkArgument(count >= 0, "count must be >= 0: %s", count);
        Preconditions.checkArgument(
                duration == null || !duration.isNegative() && !duration.isZero(),
                "a duration must be positive: %s",
                duration);
        Preconditions.checkArgument(
                duration == null || duration.compareTo(MAX_DURATION) <= 0,
                "a duration must be at most %s days: %s",
                MAX_DURATION.toDays(),
                duration);
        Preconditions.checkArgument(
                count > 0 || duration != null, "either a count or a duration is needed");
        Preconditions.checkArgument(
                threads > 0 && threads <= MAX_THREADS,
                "threads must be in [1, %s]: %s",
                MAX_THREADS,
                threads);
        Preconditions.checkArgument(tenants > 0, "tenants must be positive: %s", tenants);
        Preconditions.checkArgument(
                threadLength > 0, "the thread length must be positive: %s", threadLength);
        Preconditions.checkArgument(prefill >= 0, "prefill must be >= 0: %s", prefill);
        Preconditions.checkArgument(
                duplicateFraction >= 0 && duplicateFraction < 1,
                "the duplicate fraction must be in [0, 1): %s",
                duplicateFraction);
        Preconditions.checkArgument(
                payloadBytes >= 0 && payloadBytes <= EnvelopeLimits.DEFAULT_MAX_TEXT_LENGTH,
                "payload bytes must be in [0, %s], the job's limit of a text node: %s",
                EnvelopeLimits.DEFAULT_MAX_TEXT_LENGTH,
                payloadBytes);
        Preconditions.checkArgument(
                isListener(from), "the sender is not a listener name: %s", from);
        Preconditions.checkArgument(isListener(to), "the agent is not a listener name: %s", to);
        Preconditions.checkArgument(!from.equals(to), "the client and the agent are both %s", to);
        Preconditions.checkArgument(
                !from.equals(SystemPayloads.JOB_SENDER), "the job itself sends as %s", from);
        Preconditions.checkArgument(
                isName(payloadElement),
                "the payload element is not an XML name: %s",
                payloadElement);
        prefillElement = prefillElement == null ? payloadElement : prefillElement;
        Preconditions.checkArgument(
                isName(prefillElement),
                "the prefill element is not an XML name: %s",
                prefillElement);
        Preconditions.checkArgument(
                prefill == 0 || isListener(prefillTo) && !prefillTo.equals(to),
                "prefill needs a listener other than the agent to address it to: %s",
                prefillTo);
        maxLag = maxLag == null ? Duration.ofSeconds(1) : maxLag;
        Preconditions.checkArgument(
                !maxLag.isNegative() && maxLag.compareTo(MAX_LAG) <= 0,
                "the maximum lag must be in [0, %s ms]: %s ms",
                MAX_LAG.toMillis(),
                maxLag.toMillis());
        checkTenancy(tenantMode, topic, topicTemplate, token, tenants);
    }

    private static void checkTenancy(
            TenantMode mode, String topic, String template, TokenSettings token, int tenants) {
        switch (mode) {
            case DEFAULT -> {
                Preconditions.checkArgument(
                        tenants == 1,
                        "default mode carries no tenant: the job gives every envelope its"
                                + " tenant.default, so tenants must be 1, not %s",
                        tenants);
                Preconditions.checkArgument(isTopic(topic), "the bus topic is needed");
            }
            case TOPIC -> {
                Preconditions.checkArgument(template != null, "topic mode needs a topic template");
                TopicTemplate.parse(template);
            }
            case TOKEN -> {
                Preconditions.checkArgument(isTopic(topic), "the bus topic is needed");
                Preconditions.checkArgument(token != null, "token mode needs token settings");
            }
        }
        Preconditions.checkArgument(
                template == null || mode == TenantMode.TOPIC,
                "a topic template is only for topic mode");
        Preconditions.checkArgument(
                token == null || mode == TenantMode.TOKEN,
                "token settings are only for token mode");
    }

    public static LoadPlanBuilder builder() {
        return new LoadPlanBuilder();
    }

    /** A builder holding this plan's values, to change a few of them. */
    public LoadPlanBuilder toBuilder() {
        return new LoadPlanBuilder(this);
    }

    /** The name of tenant {@code index}: {@code t0}, {@code t1}, ... */
    public static String tenantName(int index) {
        return "t" + index;
    }

    /** The tenant names the envelopes are spread over, as the job will name them. */
    public List<String> tenantNames() {
        if (tenantMode == TenantMode.DEFAULT) {
            return List.of("default");
        }
        List<String> names = new ArrayList<>(tenants);
        for (int i = 0; i < tenants; i++) {
            names.add(tenantName(i));
        }
        return names;
    }

    /** The bus topic of {@code tenant}'s envelopes. */
    public String topicFor(String tenant) {
        return tenantMode == TenantMode.TOPIC
                ? TopicTemplate.parse(topicTemplate).topicFor(tenant)
                : topic;
    }

    /** Every bus topic the plan writes to, where the job's answers come back too. */
    public List<String> topics() {
        return tenantMode == TenantMode.TOPIC
                ? tenantNames().stream().map(this::topicFor).toList()
                : List.of(topic);
    }

    /** What the job takes in {@code <from>} and {@code <to>}: 1 to 256 characters, not blank. */
    private static boolean isListener(String name) {
        return name != null && !name.isBlank() && name.strip().length() <= 256;
    }

    private static boolean isName(String name) {
        return name != null && name.length() <= 256 && XML_NAME.matcher(name).matches();
    }

    private static boolean isTopic(String topic) {
        return topic != null && !topic.isBlank();
    }
}
