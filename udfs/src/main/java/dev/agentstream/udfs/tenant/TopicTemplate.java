package dev.agentstream.udfs.tenant;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A bus made of one topic per tenant, named by a template such as {@code agentstream.bus.{tenant}}:
 * the job reads every topic the template matches and writes each envelope to its tenant's topic.
 *
 * <pre>{@code
 * TopicTemplate bus = TopicTemplate.parse("agentstream.bus.{tenant}");
 * bus.topicFor("acme");                  // agentstream.bus.acme
 * bus.tenantOf("agentstream.bus.acme");  // Optional[acme]
 * }</pre>
 */
public final class TopicTemplate implements Serializable {

    public static final String PLACEHOLDER = "{tenant}";

    private static final long serialVersionUID = 1L;

    /** Characters Kafka allows in a topic name. */
    private static final Pattern TOPIC_CHARS = Pattern.compile("[a-zA-Z0-9._-]*");

    private final String prefix;
    private final String suffix;

    private TopicTemplate(String prefix, String suffix) {
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /**
     * The template: {@code {tenant}} exactly once, with literal text of topic-name characters
     * around it.
     */
    public static TopicTemplate parse(String template) {
        Preconditions.checkArgument(
                template != null && !template.isBlank(), "a topic template is needed");
        int at = template.indexOf(PLACEHOLDER);
        Preconditions.checkArgument(
                at >= 0 && template.indexOf(PLACEHOLDER, at + 1) < 0,
                "the topic template %s must hold %s exactly once",
                template,
                PLACEHOLDER);
        String prefix = template.substring(0, at);
        String suffix = template.substring(at + PLACEHOLDER.length());
        Preconditions.checkArgument(
                !(prefix + suffix).isEmpty()
                        && TOPIC_CHARS.matcher(prefix).matches()
                        && TOPIC_CHARS.matcher(suffix).matches(),
                "the topic template %s needs literal text of topic-name characters"
                        + " ([a-zA-Z0-9._-]) around %s",
                template,
                PLACEHOLDER);
        return new TopicTemplate(prefix, suffix);
    }

    /**
     * The topics the bus source subscribes to: every topic the template could name, valid tenant
     * names or not, so that a record on a topic of a bad name becomes a dead letter instead of
     * being left unread.
     */
    public Pattern subscription() {
        return Pattern.compile(Pattern.quote(prefix) + ".+" + Pattern.quote(suffix));
    }

    /** The topic of {@code tenant}'s envelopes. */
    public String topicFor(String tenant) {
        Preconditions.checkArgument(TenantNames.isValid(tenant), "not a tenant name: %s", tenant);
        return prefix + tenant + suffix;
    }

    /** What {@code {tenant}} matched in {@code topic}, not yet checked as a name. */
    public Optional<String> tenantOf(String topic) {
        if (topic == null
                || topic.length() <= prefix.length() + suffix.length()
                || !topic.startsWith(prefix)
                || !topic.endsWith(suffix)) {
            return Optional.empty();
        }
        return Optional.of(topic.substring(prefix.length(), topic.length() - suffix.length()));
    }

    @Override
    public String toString() {
        return prefix + PLACEHOLDER + suffix;
    }
}
