package dev.agentstream.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;

import dev.agentstream.udfs.billing.PriceTable;
import dev.agentstream.udfs.control.ControlSettings;
import dev.agentstream.udfs.quota.QuotaSettings;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.tenant.TenantSource;
import dev.agentstream.udfs.trace.TracingSettings;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The job's own configuration options, grouped by area. Flink's options apply as usual. */
public final class AgentStreamOptions {

    // ------------------------------------------------------------------ organism

    public static final ConfigOption<String> ORGANISM_PATH =
            ConfigOptions.key("organism.path")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Path of the organism.yaml to run (required).");

    // ------------------------------------------------------------------ bus

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("127.0.0.1:9092")
                    .withDescription("Kafka bootstrap servers of the bus.");

    public static final ConfigOption<String> BUS_TOPIC =
            ConfigOptions.key("bus.topic")
                    .stringType()
                    .defaultValue("agentstream.bus")
                    .withDescription("Topic of the envelopes, read and written by the job.");

    public static final ConfigOption<String> BUS_TOPIC_TEMPLATE =
            ConfigOptions.key("bus.topic-template")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "With tenant.source topic: the bus is one topic per tenant, named by"
                                    + " this template, e.g. agentstream.bus.{tenant}; the job reads"
                                    + " every matching topic and writes each envelope to its"
                                    + " tenant's. Without it, bus.topic.");

    public static final ConfigOption<String> BUS_INGRESS_TOPIC =
            ConfigOptions.key("bus.ingress-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A topic of envelopes from clients, read besides bus.topic and never"
                                    + " written by the job, so that no transaction of the job"
                                    + " holds them back from read_committed readers; answers"
                                    + " still go to bus.topic. Not with bus.topic-template.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("bus.group-id")
                    .stringType()
                    .defaultValue("agentstream")
                    .withDescription("Consumer group of the bus source.");

    public static final ConfigOption<String> USAGE_TOPIC =
            ConfigOptions.key("usage.topic")
                    .stringType()
                    .defaultValue("agentstream.usage")
                    .withDescription("Topic of the usage records (JSON, keyed by thread).");

    public static final ConfigOption<String> USAGE_GROUP_ID =
            ConfigOptions.key("usage.group-id")
                    .stringType()
                    .defaultValue("agentstream-billing")
                    .withDescription(
                            "Consumer group of the usage source that reads the usage topic back"
                                    + " for the DynamoDB totals (with dynamodb.enabled).");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .defaultValue("agentstream.dead-letters")
                    .withDescription(
                            "Topic of input the job could not use: original bytes, reason in the"
                                    + " 'agentstream.reason' header.");

    public static final ConfigOption<MemorySize> DEAD_LETTER_MAX_ORIGINAL_SIZE =
            ConfigOptions.key("dead-letter.max-original-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1000kb"))
                    .withDescription(
                            "Most bytes of an input a dead letter keeps; a longer one is cut and"
                                    + " its 'agentstream.original-size' header gives the full"
                                    + " size. Keep it some KiB under the dead-letter topic's"
                                    + " max.message.bytes, which a dead letter's headers share.");

    public static final ConfigOption<MemorySize> ENVELOPE_MAX_SIZE =
            ConfigOptions.key("envelope.max-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1mb"))
                    .withDescription(
                            "Largest envelope accepted; larger go to the dead letters. What the"
                                    + " job writes stays 16 KiB below it, for the record's key and"
                                    + " headers; above Kafka's 1 MiB, raise the bus topics'"
                                    + " max.message.bytes too.");

    // ------------------------------------------------------------------ thread context

    public static final ConfigOption<Duration> CONTEXT_TTL =
            ConfigOptions.key("context.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription("How long a thread's context lives after its last envelope.");

    public static final ConfigOption<Integer> CONTEXT_MAX_SLOTS =
            ConfigOptions.key("context.max-slots")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Envelopes kept per thread; the oldest is evicted beyond.");

    public static final ConfigOption<Integer> CONTEXT_HISTORY_TOKENS =
            ConfigOptions.key("context.history-tokens")
                    .intType()
                    .defaultValue(8000)
                    .withDescription("Token budget of the thread history in a prompt.");

    public static final ConfigOption<Integer> CONTEXT_MAX_TURNS =
            ConfigOptions.key("context.max-turns")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "Agent turns one thread may start; beyond, envelopes for agents go to"
                                    + " the dead letters (reason turn-limit). Stops agents that"
                                    + " answer each other forever.");

    public static final ConfigOption<Long> CONTEXT_MAX_THREAD_TOKENS =
            ConfigOptions.key("context.max-thread-tokens")
                    .longType()
                    .defaultValue(2_000_000L)
                    .withDescription(
                            "Tokens one thread's turns may use (prompt estimates plus completion"
                                    + " limits); beyond, turns are refused with token-limit.");

    public static final ConfigOption<Duration> CONTEXT_TURN_RELEASE =
            ConfigOptions.key("context.turn-release")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "One turn per (thread, agent) is in flight; the next waits for the"
                                    + " answer, or this long at most.");

    // ------------------------------------------------------------------ conversation

    public static final ConfigOption<Integer> CONVERSATION_MAX_TURNS =
            ConfigOptions.key("conversation.max-turns")
                    .intType()
                    .defaultValue(200)
                    .withDescription(
                            "Agent turns one conversation (a root thread and every subthread its"
                                    + " calls open) may run; beyond, a turn is rejected with an"
                                    + " error to its sender.");

    // ------------------------------------------------------------------ quota

    public static final ConfigOption<Long> QUOTA_TOKENS_PER_MINUTE =
            ConfigOptions.key("quota.tokens-per-minute")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "Tokens each tenant's turns may use per minute (prompt estimate plus"
                                    + " completion limit until the usage record settles them);"
                                    + " held over a sliding quota.window. 0 for no limit.");

    public static final ConfigOption<Duration> QUOTA_WINDOW =
            ConfigOptions.key("quota.window")
                    .durationType()
                    .defaultValue(QuotaSettings.DEFAULT_WINDOW)
                    .withDescription(
                            "Span of the sliding window the rate is held over: in any window a"
                                    + " tenant reserves at most tokens-per-minute times the"
                                    + " window's share of a minute.");

    public static final ConfigOption<Long> QUOTA_BUDGET_TOKENS =
            ConfigOptions.key("quota.budget-tokens")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "Tokens each tenant's turns may use per quota.budget-period; 0 for no"
                                    + " budget.");

    public static final ConfigOption<Duration> QUOTA_BUDGET_PERIOD =
            ConfigOptions.key("quota.budget-period")
                    .durationType()
                    .defaultValue(QuotaSettings.DEFAULT_BUDGET_PERIOD)
                    .withDescription(
                            "Period of the budget, aligned to the epoch (a day is a UTC day).");

    public static final ConfigOption<Duration> QUOTA_MAX_WAIT =
            ConfigOptions.key("quota.max-wait")
                    .durationType()
                    .defaultValue(QuotaSettings.DEFAULT_MAX_WAIT)
                    .withDescription(
                            "How long a turn over quota waits for room; then it is rejected with a"
                                    + " <huh> to its sender. With llm.timeout, less than"
                                    + " context.turn-release.");

    public static final ConfigOption<Duration> QUOTA_RESERVATION_TTL =
            ConfigOptions.key("quota.reservation-ttl")
                    .durationType()
                    .defaultValue(QuotaSettings.DEFAULT_RESERVATION_TTL)
                    .withDescription(
                            "How long a reservation waits for its usage record before it is"
                                    + " dropped, charged at its estimate; at least quota.window"
                                    + " and above llm.timeout plus a checkpoint interval.");

    public static final ConfigOption<String> QUOTA_FILE =
            ConfigOptions.key("quota.file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "YAML file of per-tenant limits (tenants: {name: {tokens-per-minute,"
                                    + " budget-tokens, max-wait}}), read when the job is built;"
                                    + " a field left out is the option's.");

    public static final ConfigOption<String> QUOTA_GROUP_ID =
            ConfigOptions.key("quota.group-id")
                    .stringType()
                    .defaultValue("agentstream-quota")
                    .withDescription(
                            "Consumer group of the quota's own usage source, which reads the"
                                    + " usage topic back to settle reservations.");

    // ------------------------------------------------------------------ registry

    public static final ConfigOption<String> REGISTRY_KEY_FILE =
            ConfigOptions.key("registry.key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File holding the key that signs registry links (at least 32 bytes),"
                                    + " e.g. a mounted secret; read by each task. Without it the"
                                    + " key comes from registry.key-env.");

    public static final ConfigOption<String> REGISTRY_KEY_ENV =
            ConfigOptions.key("registry.key-env")
                    .stringType()
                    .defaultValue(RegistrySettings.DEFAULT_KEY_ENV)
                    .withDescription(
                            "Environment variable holding the registry key when no key file is"
                                    + " given.");

    public static final ConfigOption<Integer> REGISTRY_MAX_DEPTH =
            ConfigOptions.key("registry.max-depth")
                    .intType()
                    .defaultValue(RegistrySettings.DEFAULT_MAX_DEPTH)
                    .withDescription(
                            "Calls one chain may hold below its root thread; a deeper call is"
                                    + " refused with chain-exhausted and its caller told.");

    // ------------------------------------------------------------------ tenants

    public static final ConfigOption<TenantSource> TENANT_SOURCE =
            ConfigOptions.key("tenant.source")
                    .enumType(TenantSource.class)
                    .defaultValue(TenantSource.DEFAULT)
                    .withDescription(
                            "Where an envelope's tenant comes from: default (tenant.default),"
                                    + " topic (bus.topic-template) or token (a verified JWT in"
                                    + " its meta).");

    public static final ConfigOption<String> TENANT_DEFAULT =
            ConfigOptions.key("tenant.default")
                    .stringType()
                    .defaultValue(TenantSettings.DEFAULT_TENANT)
                    .withDescription("The tenant of every envelope in default mode.");

    public static final ConfigOption<String> TENANT_JWKS_FILE =
            ConfigOptions.key("tenant.jwks-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Token mode: a JWKS file of the public keys (RSA, EC) that sign"
                                    + " tokens; read by each task, read again when it changes.");

    public static final ConfigOption<String> TENANT_SECRETS_FILE =
            ConfigOptions.key("tenant.secrets-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Token mode: a YAML or JSON map of tenant to base64 HS256 secret (at"
                                    + " least 32 bytes); read by each task.");

    public static final ConfigOption<String> TENANT_TOKEN_ISSUER =
            ConfigOptions.key("tenant.token-issuer")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Token mode (required): the iss every token must have.");

    public static final ConfigOption<String> TENANT_TOKEN_AUDIENCE =
            ConfigOptions.key("tenant.token-audience")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Token mode (required): a value every token's aud must hold.");

    public static final ConfigOption<Duration> TENANT_TOKEN_CLOCK_SKEW =
            ConfigOptions.key("tenant.token-clock-skew")
                    .durationType()
                    .defaultValue(TenantSettings.DEFAULT_CLOCK_SKEW)
                    .withDescription("How far a token's exp and nbf may be off.");

    public static final ConfigOption<List<String>> TENANT_TOKEN_TYPES =
            ConfigOptions.key("tenant.token-types")
                    .stringType()
                    .asList()
                    .defaultValues(TenantSettings.DEFAULT_TOKEN_TYPES.toArray(new String[0]))
                    .withDescription("The typ header values a token may have (';' between them).");

    public static final ConfigOption<String> TENANT_CLAIM =
            ConfigOptions.key("tenant.claim")
                    .stringType()
                    .defaultValue(TenantSettings.DEFAULT_TENANT_CLAIM)
                    .withDescription("Token mode: the claim that names the tenant.");

    public static final ConfigOption<String> TENANT_SENDERS_CLAIM =
            ConfigOptions.key("tenant.senders-claim")
                    .stringType()
                    .defaultValue(TenantSettings.DEFAULT_SENDERS_CLAIM)
                    .withDescription(
                            "Token mode: the claim listing the <from> names a token may send as;"
                                    + " * allows any but the job's own.");

    // ------------------------------------------------------------------ llm

    public static final ConfigOption<String> LLM_BASE_URL =
            ConfigOptions.key("llm.base-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Overrides the base URL of the organism's backend, e.g. the local"
                                    + " simulator's.");

    public static final ConfigOption<Integer> LLM_MAX_TOKENS =
            ConfigOptions.key("llm.max-tokens")
                    .intType()
                    .defaultValue(1024)
                    .withDescription("Completion token limit of each call.");

    public static final ConfigOption<Duration> LLM_TIMEOUT =
            ConfigOptions.key("llm.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Deadline of one call in async I/O; past it the turn fails with an"
                                    + " error envelope.");

    public static final ConfigOption<Integer> LLM_CAPACITY =
            ConfigOptions.key("llm.capacity")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Calls in flight per subtask of the async LLM operator.");

    public static final ConfigOption<Float> LLM_BREAKER_FAILURE_RATE =
            ConfigOptions.key("llm.breaker.failure-rate")
                    .floatType()
                    .defaultValue(50f)
                    .withDescription(
                            "Percentage of a backend's recent attempts that must fail for its"
                                    + " circuit to open.");

    public static final ConfigOption<Integer> LLM_BREAKER_WINDOW =
            ConfigOptions.key("llm.breaker.window")
                    .intType()
                    .defaultValue(20)
                    .withDescription("Attempts per backend and subtask the failure rate is over.");

    public static final ConfigOption<Integer> LLM_BREAKER_MINIMUM_CALLS =
            ConfigOptions.key("llm.breaker.minimum-calls")
                    .intType()
                    .defaultValue(5)
                    .withDescription("Attempts a backend must have had before its circuit opens.");

    public static final ConfigOption<Duration> LLM_BREAKER_OPEN_FOR =
            ConfigOptions.key("llm.breaker.open-for")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long an open circuit sends a backend no calls; then one call"
                                    + " probes it.");

    // ------------------------------------------------------------------ cache

    public static final ConfigOption<Long> CACHE_MAX_ENTRIES =
            ConfigOptions.key("cache.max-entries")
                    .longType()
                    .defaultValue(10_000L)
                    .withDescription(
                            "Answers each LLM-call subtask keeps in its shard of the response"
                                    + " cache (only agents with cache: true use it).");

    public static final ConfigOption<String> CACHE_REDIS_URI =
            ConfigOptions.key("cache.redis-uri")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Redis or Valkey behind the local caches, shared by every subtask,"
                                    + " e.g. redis://127.0.0.1:6379/0; empty for none.");

    public static final ConfigOption<Duration> CACHE_REDIS_TIMEOUT =
            ConfigOptions.key("cache.redis-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "How long a Redis lookup may take; a slower or failed one is a miss.");

    // ------------------------------------------------------------------ billing

    public static final ConfigOption<String> BILLING_PRICE_TABLE =
            ConfigOptions.key("billing.price-table")
                    .stringType()
                    .defaultValue(PriceTable.DEFAULT_VERSION)
                    .withDescription(
                            "Price table of the usage records' cost: a version shipped in the job"
                                    + " jar (prices/prices-<version>.yaml) or the path of a YAML"
                                    + " file of the same shape, read by each task.");

    public static final ConfigOption<Duration> BILLING_MAX_OUT_OF_ORDERNESS =
            ConfigOptions.key("billing.max-out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "How far behind the newest usage record an older one may arrive on a"
                                    + " partition and still be on time; at least llm.timeout plus"
                                    + " a checkpoint interval, since a record is written when its"
                                    + " call ends but timed when its turn was built.");

    public static final ConfigOption<Duration> BILLING_IDLE_TIMEOUT =
            ConfigOptions.key("billing.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "A usage partition without records for this long no longer holds the"
                                    + " watermark back.");

    public static final ConfigOption<Duration> BILLING_ALLOWED_LATENESS =
            ConfigOptions.key("billing.allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "How long after its end a window still takes late records and writes"
                                    + " its total again; later records are written as late"
                                    + " corrections beside it.");

    public static final ConfigOption<Duration> BILLING_FLUSH_INTERVAL =
            ConfigOptions.key("billing.flush-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Processing time after which a window's changed total is written"
                                    + " before the watermark closes it.");

    // ------------------------------------------------------------------ dynamodb

    public static final ConfigOption<Boolean> DYNAMODB_ENABLED =
            ConfigOptions.key("dynamodb.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Writes per-tenant usage totals and the thread index (and transcripts,"
                                    + " with transcripts.enabled) to DynamoDB.");

    public static final ConfigOption<String> DYNAMODB_ENDPOINT =
            ConfigOptions.key("dynamodb.endpoint")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Endpoint of a DynamoDB-compatible server (e.g. dynalite on"
                                    + " http://127.0.0.1:8000), signed with dummy credentials;"
                                    + " empty for AWS with the default credentials chain.");

    public static final ConfigOption<String> DYNAMODB_REGION =
            ConfigOptions.key("dynamodb.region")
                    .stringType()
                    .defaultValue("us-east-1")
                    .withDescription("AWS region of the tables.");

    public static final ConfigOption<Boolean> DYNAMODB_CREATE_TABLES =
            ConfigOptions.key("dynamodb.create-tables")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Creates the three tables at submission when they do not exist (on"
                                    + " demand capacity) and waits until they exist; tables that"
                                    + " exist are left as they are. TTL is the deployment's to"
                                    + " turn on.");

    public static final ConfigOption<String> DYNAMODB_TOTALS_TABLE =
            ConfigOptions.key("dynamodb.totals-table")
                    .stringType()
                    .defaultValue("agentstream-usage-totals")
                    .withDescription(
                            "Table of usage totals per tenant and minute: keys tenant (S),"
                                    + " window (S).");

    public static final ConfigOption<String> DYNAMODB_THREADS_TABLE =
            ConfigOptions.key("dynamodb.threads-table")
                    .stringType()
                    .defaultValue("agentstream-threads")
                    .withDescription(
                            "Thread index table: keys tenant (S), thread (S); TTL attribute ttl.");

    public static final ConfigOption<String> DYNAMODB_TRANSCRIPTS_TABLE =
            ConfigOptions.key("dynamodb.transcripts-table")
                    .stringType()
                    .defaultValue("agentstream-transcripts")
                    .withDescription(
                            "Transcript table: keys tenantThread (S, <tenant>#<thread>), slot"
                                    + " (S); TTL attribute ttl.");

    public static final ConfigOption<Boolean> TRANSCRIPTS_ENABLED =
            ConfigOptions.key("transcripts.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Writes every envelope of every thread to the transcript table (with"
                                    + " dynamodb.enabled).");

    public static final ConfigOption<Duration> TRANSCRIPTS_TTL =
            ConfigOptions.key("transcripts.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "Time after an envelope reached the bus when its transcript item"
                                    + " expires (its ttl attribute).");

    // ------------------------------------------------------------------ control

    public static final ConfigOption<Boolean> CONTROL_ENABLED =
            ConfigOptions.key("control.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Reads signed commands (erase a tenant) from control.topic, broadcasts"
                                    + " them to every keyed stage and writes a receipt per command"
                                    + " to control.receipts-topic; needs a control key.");

    public static final ConfigOption<String> CONTROL_TOPIC =
            ConfigOptions.key("control.topic")
                    .stringType()
                    .defaultValue("agentstream.control")
                    .withDescription(
                            "Topic of the control commands (XML envelopes), read read_committed"
                                    + " from its latest offsets on a first start.");

    public static final ConfigOption<String> CONTROL_GROUP_ID =
            ConfigOptions.key("control.group-id")
                    .stringType()
                    .defaultValue("agentstream-control")
                    .withDescription("Consumer group of the control source.");

    public static final ConfigOption<String> CONTROL_RECEIPTS_TOPIC =
            ConfigOptions.key("control.receipts-topic")
                    .stringType()
                    .defaultValue("agentstream.control.receipts")
                    .withDescription(
                            "Topic of the erasure receipts (JSON, keyed by tenant), written"
                                    + " exactly once.");

    public static final ConfigOption<String> CONTROL_KEY_FILE =
            ConfigOptions.key("control.key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File holding the key that signs control commands (HMAC-SHA256, at"
                                    + " least 32 bytes; not the registry key); read by each task."
                                    + " Without it the key comes from control.key-env.");

    public static final ConfigOption<String> CONTROL_KEY_ENV =
            ConfigOptions.key("control.key-env")
                    .stringType()
                    .defaultValue(ControlSettings.DEFAULT_KEY_ENV)
                    .withDescription(
                            "Environment variable holding the control key when no key file is"
                                    + " given.");

    public static final ConfigOption<Duration> CONTROL_MAX_AGE =
            ConfigOptions.key("control.max-age")
                    .durationType()
                    .defaultValue(ControlSettings.DEFAULT_MAX_AGE)
                    .withDescription(
                            "How long after it was signed a command may reach the control topic"
                                    + " (the record's time); older ones are refused.");

    public static final ConfigOption<Duration> CONTROL_ERASURE_TIMEOUT =
            ConfigOptions.key("control.erasure-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How long deleting an erased tenant's DynamoDB items may take; past"
                                    + " it the receipt names the deletion as incomplete.");

    // ------------------------------------------------------------------ delivery

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
            ConfigOptions.key("sink.delivery-guarantee")
                    .enumType(DeliveryGuarantee.class)
                    .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
                    .withDescription(
                            "Guarantee of the Kafka sinks: at-least-once or exactly-once (needs"
                                    + " checkpoints; output is visible when they complete).");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("sink.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "Kafka transaction timeout of the exactly-once sinks. Checked at start:"
                                    + " at most the broker's transaction.max.timeout.ms, above"
                                    + " checkpoint interval + checkpoint timeout + expected"
                                    + " restart time.");

    public static final ConfigOption<Duration> EXPECTED_RESTART_TIME =
            ConfigOptions.key("kafka.expected-restart-time")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "How long a failed job may take to come back; part of the check on"
                                    + " sink.transaction-timeout.");

    // ------------------------------------------------------------------ tracing

    public static final ConfigOption<Boolean> TRACING_ENABLED =
            ConfigOptions.key("tracing.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Traces every envelope and turn with OpenTelemetry (a span per stage"
                                    + " and LLM attempt), exported over OTLP gRPC; the trace"
                                    + " context travels in a <traceparent> meta extension. See"
                                    + " docs/tracing.md.");

    public static final ConfigOption<String> TRACING_OTLP_ENDPOINT =
            ConfigOptions.key("tracing.otlp-endpoint")
                    .stringType()
                    .defaultValue(TracingSettings.DEFAULT_OTLP_ENDPOINT)
                    .withDescription(
                            "OTLP gRPC endpoint of the collector (Jaeger, an OpenTelemetry"
                                    + " Collector) the spans are sent to.");

    public static final ConfigOption<Double> TRACING_SAMPLE_RATIO =
            ConfigOptions.key("tracing.sample-ratio")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Share of the traces kept, in [0, 1], decided from the trace id alone"
                                    + " so that every hop of a trace decides alike.");

    /** Key prefixes of the job's own areas: a key there must be one of these options. */
    private static final List<String> AREAS =
            List.of(
                    "organism.",
                    "kafka.",
                    "bus.",
                    "usage.",
                    "dead-letter.",
                    "envelope.",
                    "context.",
                    "conversation.",
                    "quota.",
                    "llm.",
                    "cache.",
                    "registry.",
                    "sink.",
                    "tenant.",
                    "billing.",
                    "dynamodb.",
                    "transcripts.",
                    "tracing.",
                    "control.");

    private AgentStreamOptions() {}

    /** Every option declared here. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : AgentStreamOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    /**
     * Fails on a key in one of the job's own areas that names no option (a typo would otherwise be
     * ignored without a word).
     */
    public static void checkKeys(Set<String> keys) {
        Set<String> known = new TreeSet<>();
        all().forEach(option -> known.add(option.key()));
        List<String> unknown =
                keys.stream()
                        .filter(key -> AREAS.stream().anyMatch(key::startsWith))
                        .filter(key -> !known.contains(key))
                        .sorted()
                        .toList();
        if (!unknown.isEmpty()) {
            throw new IllegalConfigurationException(
                    "unknown AgentStream option(s) %s; known: %s", unknown, known);
        }
    }
}
