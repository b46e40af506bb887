package dev.agentstream.bench.stream;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.agentstream.job.AgentStreamGraph;
import dev.agentstream.job.AgentStreamJob;
import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.job.kafka.KafkaIo;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.tenant.TenantSource;

import java.nio.file.Path;
import java.util.Map;

/** The production graph and Kafka IO, on the bench organism and the rig's simulator. */
final class FullJob implements JobUnderTest {

    private final boolean ingress;

    /** The job reading its clients' inputs from the bus, the default. */
    FullJob() {
        this(false);
    }

    /**
     * With {@code ingress}, the clients write to an ingress topic the job reads besides the bus.
     */
    FullJob(boolean ingress) {
        this.ingress = ingress;
    }

    @Override
    public String name() {
        return "agentstream";
    }

    @Override
    public StreamExecutionEnvironment build(StreamRig rig, Topics topics, JobSettings settings)
            throws Exception {
        Path organism =
                BenchOrganism.write(
                        rig.dir().resolve("organism-" + topics.bus() + ".yaml"), settings.cache());
        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.ORGANISM_PATH, organism.toString());
        conf.set(AgentStreamOptions.REGISTRY_KEY_FILE, rig.registryKey().toString());
        conf.set(AgentStreamOptions.BOOTSTRAP_SERVERS, rig.bootstrapServers());
        conf.set(AgentStreamOptions.BUS_TOPIC, topics.bus());
        if (ingress) {
            conf.set(AgentStreamOptions.BUS_INGRESS_TOPIC, topics.ingress());
        }
        conf.set(AgentStreamOptions.USAGE_TOPIC, topics.usage());
        conf.set(AgentStreamOptions.DEAD_LETTER_TOPIC, topics.deadLetters());
        conf.set(AgentStreamOptions.GROUP_ID, topics.groupId());
        conf.set(AgentStreamOptions.QUOTA_GROUP_ID, topics.groupId() + "-quota");
        conf.set(AgentStreamOptions.LLM_BASE_URL, rig.simulator().baseUrl());
        conf.set(AgentStreamOptions.LLM_CAPACITY, settings.llmCapacity());
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOKEN);
        conf.set(AgentStreamOptions.TENANT_SECRETS_FILE, rig.tokens().secretsFile().toString());
        conf.set(AgentStreamOptions.TENANT_TOKEN_ISSUER, rig.tokens().issuer());
        conf.set(AgentStreamOptions.TENANT_TOKEN_AUDIENCE, rig.tokens().audience());
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, settings.guarantee());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval());
        conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());
        conf.set(PipelineOptions.NAME, "bench-" + topics.bus());
        for (Map.Entry<String, String> o : settings.options().entrySet()) {
            conf.setString(o.getKey(), o.getValue());
        }
        conf = AgentStreamJob.withDefaults(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.setParallelism(settings.parallelism());
        AgentStreamGraph.build(
                env,
                OrganismLoader.load(organism),
                conf,
                KafkaIo.from(conf, conf.get(PipelineOptions.NAME)));
        return env;
    }

    @Override
    public String inputTopic(Topics topics) {
        return ingress ? topics.ingress() : topics.bus();
    }

    @Override
    public String answerTopic(Topics topics) {
        return topics.bus();
    }

    @Override
    public boolean answersAreCopies() {
        return false;
    }
}
