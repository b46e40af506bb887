package dev.agentstream.savepoints;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.tenant.TenantSource;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The job as a release folder runs it: that folder's organism and registry key, one bus topic per
 * tenant, the production graph and Kafka IO. The generator takes the savepoint from it, and the
 * migration test restores the savepoint into it as the current code builds it.
 */
final class ReleaseJob {

    /** The job's name: also the prefix of its sinks' transactional ids. */
    static final String NAME = "savepoint-job";

    static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);

    private ReleaseJob() {}

    /** The job's configuration; {@code extra} is applied over it. */
    static Configuration configuration(
            Path release,
            Manifest.Topics topics,
            String bootstrap,
            String llmBaseUrl,
            Configuration extra) {
        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.ORGANISM_PATH, release.resolve(Releases.ORGANISM).toString());
        conf.set(
                AgentStreamOptions.REGISTRY_KEY_FILE,
                release.resolve(Releases.REGISTRY_KEY).toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, bootstrap);
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOPIC);
        conf.set(AgentStreamOptions.BUS_TOPIC_TEMPLATE, topics.busTemplate());
        conf.set(AgentStreamOptions.BUS_TOPIC, topics.busFallback());
        conf.set(AgentStreamOptions.USAGE_TOPIC, topics.usage());
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, topics.deadLetters());
        conf.set(AgentStreamOptions.GROUP_ID, topics.groupId());
        conf.set(AgentStreamOptions.LLM_BASE_URL, llmBaseUrl);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
        conf.addAll(extra);
        return AgentStreamJob.withDefaults(conf);
    }

    /**
     * The quota options of a release with a {@code quota.yaml}: its limits per tenant, and the
     * window, budget period and reservation TTL its savepoint was taken with. How long a turn over
     * quota waits is for each caller to say: a limit, not state.
     */
    static Configuration quota(
            Path release,
            Duration window,
            Duration budgetPeriod,
            Duration reservationTtl,
            Duration maxWait) {
        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.QUOTA_FILE, release.resolve(Releases.QUOTA).toString());
        conf.set(AgentStreamOptions.QUOTA_WINDOW, window);
        conf.set(AgentStreamOptions.QUOTA_BUDGET_PERIOD, budgetPeriod);
        conf.set(AgentStreamOptions.QUOTA_RESERVATION_TTL, reservationTtl);
        conf.set(AgentStreamOptions.QUOTA_MAX_WAIT, maxWait);
        return conf;
    }

    static JobClient start(Configuration conf, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        env.setParallelism(parallelism);
        AgentStreamGraph.build(
                env,
                OrganismLoader.load(Path.of(conf.get(AgentStreamOptions.ORGANISM_PATH))),
                conf,
                KafkaIo.from(conf, NAME));
        return env.executeAsync(NAME);
    }
}
