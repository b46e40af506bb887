package dev.agentstream.job;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.Preconditions;

import dev.agentstream.job.dynamodb.DynamoDbIo;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.billing.PriceTable;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.tenant.TenantSource;
import dev.agentstream.udfs.tenant.TokenKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Entry point of the job jar. Options come as {@code --key value} arguments (see {@link
 * AgentStreamOptions}; Flink options are accepted the same way), e.g.:
 *
 * <pre>{@code
 * flink run agentstream-job-shaded.jar --organism.path /etc/agentstream/organism.yaml \
 *     --kafka.bootstrap-servers kafka:9092
 * }</pre>
 */
public final class AgentStreamJob {

    private static final Logger LOG = LoggerFactory.getLogger(AgentStreamJob.class);

    /** Checkpoint interval when the configuration sets none. */
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    /**
     * Key groups of every keyed stage unless told otherwise: pinned, since a savepoint restores
     * only into the max parallelism it was taken with; 720 divides evenly by 1-6, 8, 9, 10, 12, 15,
     * 16, 18, 20, 24, 30, 36, 40, 45, 48, 60...
     */
    static final int DEFAULT_MAX_PARALLELISM = 720;

    private AgentStreamJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = withDefaults(ParameterTool.fromArgs(args).getConfiguration());
        AgentStreamOptions.checkKeys(conf.keySet());
        Organism organism = loadOrganism(conf);
        // Fail here, with the reason, rather than in every task at start.
        StageSettings.registrySettings(conf).loadKey();
        if (conf.get(AgentStreamOptions.CONTROL_ENABLED)) {
            StageSettings.controlSettings(conf).loadKey();
        }
        PriceTable.load(conf.get(AgentStreamOptions.BILLING_PRICE_TABLE));
        DynamoDbIo.createTablesIfAsked(conf);
        TenantSettings tenants = StageSettings.tenantSettings(conf);
        if (tenants.source() == TenantSource.TOKEN) {
            new TokenKeys(tenants).load();
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        String jobName = conf.get(PipelineOptions.NAME);
        AgentStreamGraph.build(
                env,
                organism,
                conf,
                KafkaIo.from(conf, jobName),
                DynamoDbIo.from(conf),
                KafkaIo.control(conf, jobName));
        LOG.info("Starting {} for organism {}", jobName, organism.name());
        env.execute(jobName);
    }

    /** The configuration with the job's defaults for what it leaves unset. */
    public static Configuration withDefaults(Configuration given) {
        Configuration conf = new Configuration(given);
        if (!conf.contains(PipelineOptions.NAME)) {
            conf.set(PipelineOptions.NAME, "agentstream");
        }
        if (!conf.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        }
        if (!conf.contains(PipelineOptions.MAX_PARALLELISM)) {
            conf.set(PipelineOptions.MAX_PARALLELISM, DEFAULT_MAX_PARALLELISM);
        }
        if (!conf.contains(StateBackendOptions.STATE_BACKEND)) {
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        }
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    public static Organism loadOrganism(Configuration conf) {
        String path = conf.get(AgentStreamOptions.ORGANISM_PATH);
        Preconditions.checkArgument(
                path != null, "--%s is required", AgentStreamOptions.ORGANISM_PATH.key());
        return OrganismLoader.load(Path.of(path));
    }
}
